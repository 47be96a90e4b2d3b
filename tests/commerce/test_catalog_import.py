"""Catalog CSV import: validated, all-or-nothing, upsert by SKU, errors that name line and
column."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce.catalog import (
    get_product,
    import_catalog_file,
    import_products,
    list_products,
    parse_catalog_csv,
    parse_options,
)
from commerce.errors import CatalogImportError, InvalidRequest
from commerce.models import CatalogState, Product
from commerce.service import Store
from tests.conftest import DEMO_CSV
from tests.helpers import HEADER, catalog_csv

GOOD_ROW = "TEA,Black Tea,tea;builders tea,pantry,box,2.10,10,,Strong tea"


def snapshot(session: Session) -> list[tuple]:
    """Everything an import could change, to compare before and after."""
    session.expire_all()
    return [
        (p.sku, p.name, list(p.aliases), p.price_cents, p.stock, p.options, p.active)
        for p in session.scalars(select(Product).order_by(Product.sku))
    ]


def import_text(session: Session, text: str) -> int:
    return import_products(session, products=parse_catalog_csv(text))


def only_error(text: str) -> CatalogImportError:
    with pytest.raises(CatalogImportError) as info:
        parse_catalog_csv(text)
    return info.value


def test_demo_catalog_imports_every_row(session: Session) -> None:
    products = {p.sku: p for p in list_products(session)}
    assert len(products) == sum(1 for _ in DEMO_CSV.read_text().splitlines()[1:] if _.strip())
    latte = products["LATTE"]
    assert latte.name == "Caffe Latte"
    assert latte.price_cents == 420
    assert latte.stock == 999
    assert latte.category == "cafe"
    assert latte.unit == "cup"
    assert latte.aliases == ["latte", "caffe latte", "cafe latte"]
    assert latte.option_groups() == {
        "size": ["small", "medium", "large"],
        "milk": ["whole", "oat", "skim", "almond"],
    }
    assert latte.default_options() == {"size": "small", "milk": "whole"}
    assert products["STRAWBERRY"].stock == 0
    assert products["BANANA"].price_cents == 25
    assert products["CROISSANT"].options == []


def test_import_counts_and_moves_the_catalog_version(empty_store: Store) -> None:
    with empty_store.sessions() as session:
        assert import_catalog_file(session, path=DEMO_CSV) == 42
        first = session.scalar(select(CatalogState.version))
        assert import_catalog_file(session, path=DEMO_CSV) == 42
        session.expire_all()
        assert session.scalar(select(CatalogState.version)) == first + 1
        assert session.scalar(select(func.count(Product.id))) == 42


def test_bad_row_names_line_and_column_and_changes_nothing(session: Session) -> None:
    before = snapshot(session)
    text = catalog_csv(
        "LATTE,Caffe Latte,latte,cafe,cup,9.99,999,,Now expensive",  # would update
        GOOD_ROW,  # would insert
        "SCONE,Scone,scone,bakery,each,4.2.0,10,,Bad price",  # line 4
    )
    with pytest.raises(CatalogImportError) as info:
        import_text(session, text)
    [error] = info.value.errors
    assert (error.line, error.column) == (4, "price")
    assert "4.2.0" in error.message
    assert "line 4" in str(info.value) and "column price" in str(info.value)
    assert snapshot(session) == before
    assert get_product(session, sku="LATTE").price_cents == 420


def test_every_bad_row_is_reported(session: Session) -> None:
    error = only_error(
        catalog_csv(
            "A1,Thing,,x,each,-1,1,,",  # line 2: negative price
            "A2,Thing,,x,each,1.00,lots,,",  # line 3: stock
            "A 3,Thing,,x,each,1.00,1,,",  # line 4: sku
            "A4,,,x,each,1.00,1,,",  # line 5: empty name
        )
    )
    assert [(e.line, e.column) for e in error.errors] == [
        (2, "price"),
        (3, "stock"),
        (4, "sku"),
        (5, "name"),
    ]
    assert "(and 3 more)" in error.message


@pytest.mark.parametrize(
    "price", ["4.2.0", "-1", "abc", "4.205", "", "1,50", "1e3", "$4", "10000000", "99999999.99"]
)
def test_bad_prices_are_refused(price: str) -> None:
    error = only_error(catalog_csv(f'X1,Thing,,x,each,"{price}",1,,'))
    assert [(e.line, e.column) for e in error.errors] == [(2, "price")]


@pytest.mark.parametrize(
    "price, cents",
    [("4", 400), ("4.5", 450), ("0.05", 5), (" 2.79 ", 279), ("9999999.99", 999_999_999)],
)
def test_good_prices_become_cents(price: str, cents: int) -> None:
    [product] = parse_catalog_csv(catalog_csv(f"X1,Thing,,x,each,{price},1,,"))
    assert product.price_cents == cents


@pytest.mark.parametrize("stock", ["-1", "1.5", "ten", ""])
def test_bad_stock_is_refused(stock: str) -> None:
    error = only_error(catalog_csv(f"X1,Thing,,x,each,1.00,{stock},,"))
    assert [(e.line, e.column) for e in error.errors] == [(2, "stock")]


def test_upsert_by_sku_updates_in_place_and_adds_new(session: Session) -> None:
    count_before = len(list_products(session))
    latte_id = get_product(session, sku="LATTE").id
    imported = import_text(
        session,
        catalog_csv(
            "LATTE,Latte Grande,latte;big latte,cafe,cup,4.50,500,size=regular|large,Bigger",
            GOOD_ROW,
        ),
    )
    assert imported == 2
    session.expire_all()
    latte = get_product(session, sku="LATTE")
    assert latte.id == latte_id
    assert (latte.name, latte.price_cents, latte.stock) == ("Latte Grande", 450, 500)
    assert latte.aliases == ["latte", "big latte"]
    assert latte.option_groups() == {"size": ["regular", "large"]}
    assert get_product(session, sku="TEA").name == "Black Tea"
    assert len(list_products(session)) == count_before + 1


def test_upsert_matches_sku_whatever_its_case(session: Session) -> None:
    """The importer treats SKUs case-insensitively (duplicates in a file are found that way),
    so re-importing `latte` updates LATTE rather than adding a second latte."""
    count_before = session.scalar(select(func.count(Product.id)))
    import_text(session, catalog_csv("latte,Caffe Latte,latte,cafe,cup,4.40,999,,"))
    session.expire_all()
    assert session.scalar(select(func.count(Product.id))) == count_before
    assert get_product(session, sku="LATTE").price_cents == 440


def test_reimport_reactivates_a_deactivated_product(session: Session) -> None:
    cola = get_product(session, sku="COLA-6")
    cola.active = False
    session.commit()
    import_text(session, catalog_csv("COLA-6,Cola 6 x 330 ml,cola;coke,drinks,pack,4.80,25,,"))
    session.expire_all()
    assert get_product(session, sku="COLA-6").active is True


def test_duplicate_sku_names_both_lines() -> None:
    error = only_error(catalog_csv(GOOD_ROW, "X1,Other,,x,each,1.00,1,,", GOOD_ROW))
    [dup] = error.errors
    assert (dup.line, dup.column) == (4, "sku")
    assert "line 2" in dup.message


def test_duplicate_sku_differing_only_in_case() -> None:
    error = only_error(catalog_csv(GOOD_ROW, GOOD_ROW.replace("TEA,", "tea,", 1)))
    assert [(e.line, e.column) for e in error.errors] == [(3, "sku")]


@pytest.mark.parametrize(
    "options, fragment",
    [
        ("size", "name=value"),
        ("=small|large", "name=value"),
        ("size=small||large", "empty value"),
        ("size=", "empty value"),
        ("size=small|small", "twice"),
        ("size=small;size=large", "twice"),
        ("Size!=small", "option name"),
    ],
)
def test_bad_options_are_refused(options: str, fragment: str) -> None:
    error = only_error(catalog_csv(f'X1,Thing,,x,each,1.00,1,"{options}",'))
    [bad] = error.errors
    assert (bad.line, bad.column) == (2, "options")
    assert fragment in bad.message


def test_options_are_normalised() -> None:
    assert parse_options(" Size = Small | LARGE ; milk=Oat ") == [
        {"name": "size", "values": ["small", "large"]},
        {"name": "milk", "values": ["oat"]},
    ]
    assert parse_options("") == []


def test_missing_header_column_is_named() -> None:
    error = only_error("sku,name,aliases,category,unit,stock,options,description\nX1,a,,,,1,,\n")
    [bad] = error.errors
    assert bad.line == 1
    assert "missing column(s) price" in bad.message


def test_unknown_and_repeated_header_columns() -> None:
    assert "unknown column(s) colour" in only_error(HEADER + ",colour\n").errors[0].message
    repeated = only_error("sku,name,price,stock,name\nX1,a,1.00,1,b\n").errors[0]
    assert repeated.line == 1 and "twice" in repeated.message


def test_minimal_header_in_any_order_uses_defaults() -> None:
    [product] = parse_catalog_csv("Price,STOCK,name,sku\n1.25,3,Plain Thing,P1\n")
    assert (product.sku, product.name, product.price_cents, product.stock) == (
        "P1",
        "Plain Thing",
        125,
        3,
    )
    assert (product.unit, product.category, product.aliases, product.options) == (
        "each",
        "",
        [],
        [],
    )


def test_wrong_number_of_fields() -> None:
    error = only_error(catalog_csv(GOOD_ROW, "X1,Thing,1.00"))
    assert [(e.line, e.column) for e in error.errors] == [(3, None)]
    assert "expected 9 fields, found 3" in error.errors[0].message


def test_multiline_quoted_fields_keep_line_numbers_right() -> None:
    text = catalog_csv(
        'M1,Thing One,,x,each,1.00,1,,"A description\nover two lines"',  # lines 2-3
        "",  # line 4, blank: allowed
        'M2,Thing Two,,x,each,1.00,1,,"three\nline\ndescription"',  # lines 5-7
        "M3,Thing Three,,x,each,oops,1,,",  # line 8
        'M4,"Thing\nFour",,x,each,1.00,-5,,',  # lines 9-10, bad stock reported at 9
    )
    error = only_error(text)
    assert [(e.line, e.column) for e in error.errors] == [(8, "price"), (9, "stock")]


def test_multiline_description_is_kept() -> None:
    [product] = parse_catalog_csv(catalog_csv('M1,Thing,,x,each,1.00,1,,"one\ntwo"'))
    assert product.description == "one\ntwo"


def test_empty_file_and_header_only() -> None:
    assert "empty" in only_error("").errors[0].message
    assert "no products" in only_error(HEADER + "\n").errors[0].message


def test_byte_order_mark_and_crlf_are_accepted() -> None:
    products = parse_catalog_csv("\ufeff" + catalog_csv(GOOD_ROW).replace("\n", "\r\n"))
    assert [p.sku for p in products] == ["TEA"]


def test_aliases_are_normalised_and_deduplicated() -> None:
    [product] = parse_catalog_csv(
        catalog_csv("X1,Thing, Big  Thing ;thing;;THING;other,x,each,1,1,,")
    )
    assert product.aliases == ["big thing", "thing", "other"]


def test_import_catalog_file_reports_missing_and_non_utf8_files(
    session: Session, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequest, match="does not exist"):
        import_catalog_file(session, path=tmp_path / "nope.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(catalog_csv("X1,Crème brûlée,,x,each,1.00,1,,").encode("latin-1"))
    with pytest.raises(InvalidRequest, match="not UTF-8"):
        import_catalog_file(session, path=latin1)


def test_nul_byte_is_reported_with_its_line() -> None:
    error = only_error(catalog_csv(GOOD_ROW, "X1,Nul\x00Thing,,x,each,1.00,1,,"))
    [bad] = error.errors
    assert bad.line == 3
    assert "NUL" in bad.message


def test_stock_changes_stay_in_range(session: Session) -> None:
    from commerce.catalog import MAX_STOCK, set_stock

    with pytest.raises(InvalidRequest, match="between 0 and"):
        set_stock(session, sku="HONEY", stock=MAX_STOCK + 1)
    with pytest.raises(InvalidRequest, match="below zero"):
        set_stock(session, sku="HONEY", delta=-21)
    set_stock(session, sku="HONEY", stock=MAX_STOCK - 5)
    with pytest.raises(InvalidRequest, match="above"):
        set_stock(session, sku="HONEY", delta=6)
    with pytest.raises(InvalidRequest, match="at most"):
        set_stock(session, sku="HONEY", delta=-(MAX_STOCK + 1))
    assert set_stock(session, sku="HONEY", delta=5).stock == MAX_STOCK
    with pytest.raises(InvalidRequest, match="either"):
        set_stock(session, sku="HONEY")


def test_impossible_skus_are_not_found(session: Session) -> None:
    from commerce.errors import NotFound

    for sku in ("LAT\x00TE", "X" * 65, "", "LATTE;"):
        with pytest.raises(NotFound):
            get_product(session, sku=sku)
