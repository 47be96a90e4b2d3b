"""The live index follows catalog changes by patching (commerce.live_index, index_tables):
the patched tables are the tables a fresh build gives, changes made through another engine
(another server process) are seen, and large changes are rebuilt in the background while
lookups go on with the index they had."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from commerce import live_index
from commerce.catalog import (
    ProductData,
    bump_catalog_version,
    create_product,
    delete_product,
    import_products,
    set_stock,
    update_product,
)
from commerce.db import read_only
from commerce.models import Product
from commerce.resolver import CatalogIndex, catalog_index
from commerce.service import Store, open_store


@dataclass
class Item:
    sku: str
    name: str
    aliases: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=list)


SIZES = [{"name": "size", "values": ["small", "large"]}]
ITEMS = [
    Item("OAT", "Oat Milk", ["oat milk", "oaty"]),
    Item("WHOLE", "Whole Milk", ["milk"]),
    Item("LATTE", "Caffe Latte", ["latte"], SIZES),
    Item("MOCHA", "Mocha", ["mocha latte"], SIZES),
    Item("SALT", "Salt and Pepper Crisps", ["crisps"]),
    Item("BREAD", "Sourdough Loaf", ["sourdough"]),
]


def tables(index: CatalogIndex) -> dict:
    """What the index holds, by SKU rather than position (a patch may move entries)."""
    sku = [e.sku for e in index.entries]
    assert all(index.position[s] == i for i, s in enumerate(sku))
    assert len(index.position) == len(sku)
    return {
        "entries": sorted((e.sku, e.name, tuple(e.phrases)) for e in index.entries),
        "exact": {t: {sku[i] for i in ids} for t, ids in index.exact.items()},
        "postings": {t: {sku[i] for i in ids} for t, ids in index.postings.items()},
        "vocabulary": sorted(index.vocabulary),
        "bridged": index.bridged,
        "groups": sorted(n for _, n in index.group_counts.values()),
        "option words": set(index.option_vocabulary),
        "phrases": sorted(
            (sku[i], text, toks)
            for i, meta in enumerate(index.phrase_meta)
            for text, toks, _, _ in meta
        ),
    }


def test_a_patched_index_holds_what_a_fresh_build_holds() -> None:
    index = CatalogIndex(ITEMS)
    renamed = Item("OAT", "Barista Oat Drink", ["oat drink"])
    added = Item("CHAI", "Chai Latte", ["chai", "chai and honey"], SIZES)
    patched = index.patched([renamed, added], ["WHOLE", "SALT"])
    fresh = CatalogIndex([renamed, ITEMS[2], ITEMS[3], ITEMS[5], added])
    assert tables(patched) == tables(fresh)
    assert patched.patched_products == 4
    # The index patched from is unchanged (a search on it may be running).
    assert tables(index) == tables(CatalogIndex(ITEMS))
    assert [c.sku for c in patched.search("oat drink")] == ["OAT"]
    assert patched.search("whole milk") == [] or patched.search("whole milk")[0].sku != "WHOLE"
    assert patched.search("large chai")[0].options == {"size": "large"}


def test_removing_every_product_with_options_drops_their_words() -> None:
    index = CatalogIndex(ITEMS).patched([], ["LATTE", "MOCHA"])
    assert "large" not in set(index.option_vocabulary)
    assert "mocha" not in index.postings and "mocha" not in index.idf


@pytest.fixture
def catalog(empty_store: Store) -> Iterator[Session]:
    with empty_store.sessions() as session:
        import_products(
            session,
            products=[
                ProductData(sku=i.sku, name=i.name, price_cents=100, stock=5, aliases=i.aliases)
                for i in ITEMS
            ],
        )
        yield session


def best(session: Session, mention: str) -> str | None:
    found = catalog_index(session).search(mention)
    return found[0].sku if found and found[0].score >= 0.9 else None


def test_changes_are_patched_in_and_price_or_stock_touch_nothing(catalog: Session) -> None:
    first = catalog_index(catalog)
    assert first.patched_products == 0
    update_product(catalog, sku="OAT", changes={"price_cents": 250})
    set_stock(catalog, sku="OAT", stock=0)
    assert catalog_index(catalog) is first
    update_product(catalog, sku="OAT", changes={"name": "Barista Oat Drink", "aliases": []})
    assert best(catalog, "barista oat drink") == "OAT"
    assert best(catalog, "oaty") is None
    delete_product(catalog, sku="BREAD")
    assert best(catalog, "sourdough") is None
    create_product(catalog, data=ProductData(sku="RYE", name="Rye Loaf", price_cents=300, stock=1))
    assert best(catalog, "rye loaf") == "RYE"
    assert catalog_index(catalog).patched_products == 3  # patched, never rebuilt


def test_a_change_made_through_another_engine_is_seen(catalog: Session, database_url: str) -> None:
    catalog_index(catalog)
    catalog.commit()  # SQLite: the other engine's write must not wait for this transaction
    other = open_store(database_url)  # as another server process would connect
    try:
        with other.sessions() as session:
            update_product(session, sku="SALT", changes={"aliases": ["kettle chips"]})
    finally:
        other.close()
    catalog.commit()  # a new transaction, as the next turn's session is
    assert best(catalog, "kettle chips") == "SALT"
    assert best(catalog, "crisps") is None


def test_an_up_to_date_index_costs_a_fresh_reader_no_transaction(
    catalog: Session, empty_store: Store, database_url: str
) -> None:
    """The understanding step's session (read-only, fresh) asks for the index every turn: when
    the catalog has not moved it never starts a transaction; when it has, the change is seen."""
    catalog_index(catalog)
    catalog.commit()
    with empty_store.sessions() as reader:
        read_only(reader)
        assert best(reader, "crisps") == "SALT"
        assert not reader.in_transaction()
    other = open_store(database_url)  # another server process
    try:
        with other.sessions() as session:
            update_product(session, sku="SALT", changes={"aliases": ["kettle chips"]})
    finally:
        other.close()
    with empty_store.sessions() as reader:
        read_only(reader)
        assert best(reader, "kettle chips") == "SALT"
        assert best(reader, "crisps") is None


def test_a_large_change_is_rebuilt_in_the_background_while_the_old_index_serves(
    catalog: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_index, "PATCH_LIMIT", 2)
    old = catalog_index(catalog)
    import_products(
        catalog,
        products=[
            ProductData(sku=f"TEA-{n}", name=f"{kind} Tea", price_cents=100, stock=1)
            for n, kind in enumerate(["Assam", "Darjeeling", "Ceylon"])
        ],
    )
    assert catalog_index(catalog) is old  # the lookup does not wait for the rebuild
    catalog.commit()  # the turn ends (on SQLite the rebuild's read waits for it)
    live_index.default_live_index.wait(timeout=60)
    assert best(catalog, "ceylon tea") == "TEA-2"
    assert catalog_index(catalog).patched_products == 0  # a whole build


def test_a_row_deleted_outside_the_app_is_dropped_by_a_background_rebuild(
    catalog: Session,
) -> None:
    catalog_index(catalog)
    catalog.execute(delete(Product).where(Product.sku == "SALT"))
    bump_catalog_version(catalog)
    catalog.commit()
    catalog_index(catalog)  # sees the count no longer adds up
    catalog.commit()
    live_index.default_live_index.wait(timeout=60)
    assert best(catalog, "crisps") is None
