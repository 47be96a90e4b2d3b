"""Resolving spoken mentions against the live catalog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from commerce.cart import add_to_cart, get_cart
from commerce.catalog import (
    ProductData,
    create_product,
    delete_product,
    import_products,
    parse_catalog_csv,
    set_stock,
    update_product,
)
from commerce.resolver import Candidate, CatalogIndex, pick, resolve_mention, singular, tokens
from commerce.service import Store
from tests.helpers import HARDWARE_CSV


def skus(session: Session, mention: str) -> list[str]:
    return [c.sku for c in resolve_mention(session, mention=mention)]


def best(session: Session, mention: str) -> Candidate:
    chosen = pick(resolve_mention(session, mention=mention))
    assert chosen.best is not None, f"{mention!r} was not resolved to one product: {chosen}"
    return chosen.best


def test_tokens_normalise_case_plurals_sizes_and_filler() -> None:
    assert tokens("Oat Milk 1 L") == ["oat", "milk"]
    assert tokens("some Oat-Milks, please") == ["oat", "milk"]
    assert tokens("Greek Yogurt 500g") == ["greek", "yogurt"]
    assert tokens("Crème Brûlée") == ["creme", "brulee"]
    assert [singular(w) for w in ("berries", "boxes", "tomatoes", "glass", "bus", "eggs")] == [
        "berry",
        "box",
        "tomato",
        "glass",
        "bus",
        "egg",
    ]


def test_oat_milk_lists_oat_milk_first(session: Session) -> None:
    found = skus(session, "oat milk")
    assert found[0] == "MILK-OAT-1L"
    assert best(session, "oat milk").sku == "MILK-OAT-1L"
    assert best(session, "oat milks").sku == "MILK-OAT-1L"


def test_milk_alone_is_ambiguous_among_the_three_milks(session: Session) -> None:
    chosen = pick(resolve_mention(session, mention="milk"))
    assert chosen.ambiguous
    assert chosen.best is None
    assert {c.sku for c in chosen.alternatives} == {
        "MILK-WHOLE-1L",
        "MILK-OAT-1L",
        "MILK-SKIM-1L",
    }


@pytest.mark.parametrize(
    "mention, sku",
    [
        ("a dozen eggs", "EGGS-12"),
        ("half a dozen eggs", "EGGS-6"),
        ("granny smith", "APPLE-GRANNY"),
        ("granny smith apples", "APPLE-GRANNY"),
        ("coke", "COLA-6"),
        ("crossants", "CROISSANT"),
        ("croissants", "CROISSANT"),
        ("Blueberry Muffins", "MUFFIN-BLUE"),
        ("sour dough", "BREAD-SOUR"),
        ("black coffee", "AMERICANO"),
        ("loo roll", "TOILET-PAPER"),
        ("skimmed milk", "MILK-SKIM-1L"),
        ("cappucino", "CAPPUCCINO"),
    ],
)
def test_mentions_resolve_to_one_product(session: Session, mention: str, sku: str) -> None:
    assert best(session, mention).sku == sku


@pytest.mark.parametrize(
    "mention, expected",
    [
        ("pasta", {"SPAGHETTI", "PENNE"}),
        ("apples", {"APPLE-GALA", "APPLE-GRANNY"}),
    ],
)
def test_shared_aliases_are_ambiguous(session: Session, mention: str, expected: set) -> None:
    chosen = pick(resolve_mention(session, mention=mention))
    assert chosen.ambiguous
    assert {c.sku for c in chosen.alternatives} == expected


def test_large_oat_latte_carries_its_options(session: Session) -> None:
    latte = best(session, "large oat latte")
    assert latte.sku == "LATTE"
    assert latte.options == {"size": "large", "milk": "oat"}


def test_option_words_only_count_for_products_that_offer_them(session: Session) -> None:
    """ "oat" is an option of the latte but part of the oat milk's name."""
    milk = best(session, "oat milk")
    assert milk.options == {}
    cocoa = best(session, "small hot chocolate with almond milk")
    assert cocoa.sku == "HOT-CHOC"
    assert cocoa.options == {"size": "small", "milk": "almond"}


def test_nonsense_and_empty_mentions_find_nothing(session: Session) -> None:
    assert skus(session, "flux capacitor") == []
    assert skus(session, "") == []
    assert skus(session, "the some of please") == []
    assert pick([]).best is None and not pick([]).ambiguous


def test_scores_are_ranked_and_bounded(session: Session) -> None:
    found = resolve_mention(session, mention="chocolate", limit=10)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert len(resolve_mention(session, mention="milk", limit=2)) == 2


def test_product_added_after_the_index_was_built_is_found(session: Session) -> None:
    assert skus(session, "kombucha") == []  # builds the index
    create_product(
        session,
        data=ProductData(
            sku="KOMBUCHA", name="Ginger Kombucha", price_cents=350, stock=12, aliases=["booch"]
        ),
    )
    assert best(session, "kombucha").sku == "KOMBUCHA"
    assert best(session, "booch").sku == "KOMBUCHA"


def test_product_imported_after_the_index_was_built_is_found(session: Session) -> None:
    assert skus(session, "tahini") == []
    csv = "sku,name,price,stock,aliases\nTAHINI,Tahini Paste,4.40,9,sesame paste\n"
    import_products(session, products=parse_catalog_csv(csv))
    assert best(session, "sesame paste").sku == "TAHINI"


def test_renamed_product_is_found_under_its_new_name(session: Session) -> None:
    assert best(session, "hot cocoa").sku == "HOT-CHOC"
    update_product(
        session,
        sku="HOT-CHOC",
        changes={"name": "Drinking Chocolate", "aliases": ["drinking chocolate", "choccy"]},
    )
    assert best(session, "drinking chocolate").sku == "HOT-CHOC"
    assert best(session, "choccy").sku == "HOT-CHOC"
    assert "HOT-CHOC" not in skus(session, "hot cocoa")


def test_inactive_products_are_not_returned(session: Session) -> None:
    assert best(session, "coke").sku == "COLA-6"
    delete_product(session, sku="COLA-6")
    assert "COLA-6" not in skus(session, "coke")
    assert "COLA-6" not in skus(session, "cola")
    update_product(session, sku="COLA-6", changes={"active": True})
    assert best(session, "coke").sku == "COLA-6"


def test_out_of_stock_products_are_still_resolved(session: Session) -> None:
    """The assistant must be able to say "strawberries are out of stock"."""
    set_stock(session, sku="BANANA", stock=0)
    assert best(session, "bananas").sku == "BANANA"
    assert best(session, "strawberries").sku == "STRAWBERRY"


def test_index_is_rebuilt_only_when_the_catalog_changes(session: Session) -> None:
    from commerce.resolver import catalog_index

    first = catalog_index(session)
    set_stock(session, sku="BANANA", delta=5)
    update_product(session, sku="BANANA", changes={"price_cents": 30})
    assert catalog_index(session) is first
    update_product(session, sku="BANANA", changes={"aliases": ["banana", "plantain"]})
    assert catalog_index(session) is not first


@pytest.fixture
def hardware(empty_store: Store) -> Iterator[Session]:
    """A hardware store, imported from a CSV written here, with no store facts file."""
    with empty_store.sessions() as session:
        import_products(session, products=parse_catalog_csv(HARDWARE_CSV))
        yield session


@pytest.mark.parametrize(
    "mention, sku, options",
    [
        ("blue satin paint", "PAINT-2L", {"color": "blue", "finish": "satin"}),
        ("a tin of grey wall paint", "PAINT-2L", {"color": "grey"}),
        ("magnolia emulsion", "PAINT-2L", {"color": "magnolia"}),
        ("claw hammer", "HAMMER", {}),
        ("hamer", "HAMMER", {}),
        ("box of torx screws", "SCREWS-4X40", {"head": "torx"}),
        ("wood screws", "SCREWS-4X40", {}),
        ("xl work gloves", "GLOVES", {"size": "xl"}),
        ("drill bits", "DRILL-BITS", {}),
        ("measuring tape", "TAPE-MEASURE", {}),
    ],
)
def test_a_second_non_grocery_catalog_resolves(
    hardware: Session, mention: str, sku: str, options: dict
) -> None:
    found = best(hardware, mention)
    assert (found.sku, found.options) == (sku, options)


def test_second_catalog_shared_alias_is_ambiguous(hardware: Session) -> None:
    chosen = pick(resolve_mention(hardware, mention="paint"))
    assert chosen.ambiguous
    assert {c.sku for c in chosen.alternatives} == {"PAINT-2L", "PRIMER"}


def test_second_catalog_resolution_feeds_the_cart(hardware: Session) -> None:
    from commerce.accounts import create_customer

    create_customer(hardware, name="Bob", customer_id="bob")
    paint = best(hardware, "blue paint")
    item = add_to_cart(
        hardware, customer_id="bob", sku=paint.sku, quantity=2, options=paint.options
    )
    assert item.options == {"color": "blue", "finish": "matt"}
    assert item.assumed_options == {"finish": "matt"}
    assert get_cart(hardware, customer_id="bob").subtotal_cents == 2 * 2499


def test_catalog_index_can_be_used_directly() -> None:
    products = [
        _product("A", "Red Widget", ["widget"]),
        _product("B", "Blue Widget", ["widget"]),
        _product("C", "Sprocket", []),
    ]
    index = CatalogIndex(products)
    assert len(index) == 3
    assert [c.sku for c in index.search("blue widget")][:1] == ["B"]
    assert {c.sku for c in pick(index.search("widgets")).alternatives} == {"A", "B"}
    assert CatalogIndex([]).search("anything") == []


@pytest.mark.parametrize(
    "heard, found",
    [
        ("lumber", []),  # two edits from "lube": a different word, not a misspelling
        ("fine", []),  # two edits from "finder"
        ("finder", ["F"]),
        ("fnder", ["F"]),  # one edit in a short word
        ("bagle", ["B"]),  # two neighbours swapped count as one edit
        ("lubricnat", ["L"]),  # long words may be two edits away
    ],
)
def test_misheard_words_are_one_edit_away_when_short_two_when_long(
    heard: str, found: list[str]
) -> None:
    index = CatalogIndex(
        [
            _product("L", "Lubricant", ["lube"]),
            _product("F", "Stud Finder", ["finder"]),
            _product("B", "Bagel", []),
        ]
    )
    assert [c.sku for c in index.search(heard)][:1] == found


def test_a_shared_phrase_is_scored_against_each_products_own_option_words() -> None:
    """Phrase scores are shared between candidates within a search: "latte" scores for the
    mention without "oat" where oat is an option (the cafe latte), with it where it is not."""
    from commerce.models import Product

    cafe = Product(
        sku="CAFE", name="Cafe Latte", aliases=["latte", "lattes"], active=True,
        options=[{"name": "milk", "values": ["whole", "oat"]}],
    )  # fmt: skip
    plain = Product(sku="PLAIN", name="Latte Cup", aliases=["latte"], options=[], active=True)
    for products in ([cafe, plain], [plain, cafe]):
        found = {c.sku: c for c in CatalogIndex(products).search("oat latte")}
        assert found["CAFE"].score == 1.0
        assert found["CAFE"].options == {"milk": "oat"}
        assert found["CAFE"].matched == "latte"  # the first phrase of those scoring best
        assert 0 < found["PLAIN"].score < 1.0


def _product(sku: str, name: str, aliases: list[str]):  # type: ignore[no-untyped-def]
    from commerce.models import Product

    return Product(sku=sku, name=name, aliases=aliases, options=[], active=True)


def test_size_like_option_values_are_not_dropped() -> None:
    """'330ml' and '1l' are sizes; '2m' (a cable length option) is a word to match."""
    from commerce.resolver import tokens

    assert tokens("330ml cola") == ["cola"]
    assert tokens("a 2m cable") == ["2m", "cable"]


# Option values matched by mechanism (commerce.option_words): groups as another shop names
# and spells them.
MENU = [
    {"name": "dairy", "values": ["2 percent", "whole milk", "oatmilk", "skim", "non fat"]},
    {"name": "shots", "values": ["house", "1 shot", "2 shots", "4 shots"]},
    {"name": "serve", "values": ["hot", "over ice"]},
    {"name": "flavor", "values": ["no syrup", "vanilla syrup", "sugar free vanilla syrup"]},
    {"name": "decaf", "values": ["no", "yes"]},
    {"name": "sweetener", "values": ["none", "sf hazelnut", "hazelnut"]},
]


@pytest.mark.parametrize(
    "said, named",
    [
        ("a double oat latte", {"shots": "2 shots", "dairy": "oatmilk"}),
        ("oat milk", {"dairy": "oatmilk"}),
        ("with two shots", {"shots": "2 shots"}),
        ("a single", {"shots": "1 shot"}),
        ("quadruple", {"shots": "4 shots"}),
        ("2% milk", {"dairy": "2 percent"}),
        ("skimmed", {"dairy": "skim"}),
        ("nonfat", {"dairy": "non fat"}),
        ("iced", {"serve": "over ice"}),
        ("vanilla", {"flavor": "vanilla syrup"}),
        ("sugar free vanilla", {"flavor": "sugar free vanilla syrup"}),
        ("no syrup", {"flavor": "no syrup"}),
        ("decaffeinated", {"decaf": "yes"}),
        ("sugar-free hazelnut", {"sweetener": "sf hazelnut"}),
        # A number alone is a quantity, "no" alone an answer, "one" a pronoun.
        ("two lattes", {}),
        ("no", {}),
        ("the whole one", {"dairy": "whole milk"}),
    ],
)
def test_option_values_are_matched_by_their_distinctive_words(
    said: str, named: dict[str, str]
) -> None:
    from commerce.option_words import groups_of, option_tokens, options_in

    assert options_in(groups_of(MENU), option_tokens(said))[0] == named


def test_option_words_keep_numbers_and_percent() -> None:
    assert tokens("2% Oat Milk", keep_numbers=True) == ["2", "percent", "oat", "milk"]
    assert tokens("an 8 pack of 9v", keep_numbers=True) == ["8", "pack", "9", "v"]
    assert tokens("2% Oat Milk") == ["oat", "milk"]
