"""Item wording for several catalogs' option shapes: what is said, where, and when."""

from __future__ import annotations

import pytest

from dialogue.item_wording import (
    ItemLine,
    OptionGroups,
    default_worth_stating,
    describe_added,
    describe_item,
    describe_lines,
    join_items,
    option_phrase,
)

# bean-and-leaf (Taskmaster coffee): short group names, "none"/"standard"/"regular" defaults.
BEAN_AND_LEAF: OptionGroups = {
    "temp": ["hot", "iced"],
    "milk": ["2%", "whole", "oat", "almond", "non-fat", "lactose-free"],
    "shots": ["standard", "single", "double", "triple", "quadruple"],
    "caffeine": ["regular", "decaf"],
    "flavour": ["none", "caramel", "vanilla", "sugar-free vanilla", "hazelnut", "chocolate"],
}
# A made-up café with other names and spellings for the same ideas.
OTHER_CAFE: OptionGroups = {
    "temperature": ["hot", "iced"],
    "espresso": ["single shot", "double shot"],
    "syrup": ["none", "vanilla"],
    "size": ["small", "medium", "large"],
}
# A made-up hardware store: properties with units and finishes.
LAMPS: OptionGroups = {
    "colour": ["white", "black", "brass"],
    "finish": ["matte", "gloss"],
    "wattage": ["40 W", "60 W"],
}
# corner-market / pet store shapes.
CORNER_LATTE: OptionGroups = {"size": ["small", "medium", "large"], "milk": ["whole", "oat"]}
LEASH: OptionGroups = {"color": ["red", "blue", "black"], "size": ["small", "medium", "large"]}
BEANS: OptionGroups = {"grind": ["whole bean", "espresso", "filter"]}


def added(groups: OptionGroups, chosen: dict[str, str], name: str, unit: str = "cup") -> str:
    """What `_add` says: the cart completes the options with defaults and reports assumed."""
    assumed = {g: values[0] for g, values in groups.items() if g not in chosen}
    options = {g: chosen.get(g, values[0]) for g, values in groups.items()}
    return describe_added(1, name, unit, options, groups, assumed)


def complete(groups: OptionGroups, chosen: dict[str, str]) -> dict[str, str]:
    return {g: chosen.get(g, values[0]) for g, values in groups.items()}


def test_the_issue_example_reads_naturally() -> None:
    said = added(BEAN_AND_LEAF, {"temp": "iced", "milk": "almond", "flavour": "caramel"}, "Mocha")
    assert said == "an iced caramel mocha with almond milk"


def test_a_substantive_default_is_stated_once_and_trivial_ones_not_at_all() -> None:
    assert added(BEAN_AND_LEAF, {}, "Latte") == "a latte, with 2% milk, our default"
    # The cart summary does not repeat it.
    assert describe_item(1, "Latte", "cup", complete(BEAN_AND_LEAF, {}), BEAN_AND_LEAF) == (
        "a latte"
    )


def test_none_values_are_never_adjectives() -> None:
    for said in (
        added(BEAN_AND_LEAF, {}, "Mocha"),
        added(BEAN_AND_LEAF, {"milk": "oat"}, "Mocha"),
        describe_item(2, "Mocha", "cup", complete(BEAN_AND_LEAF, {}), BEAN_AND_LEAF),
        added(OTHER_CAFE, {"size": "large"}, "Latte"),
    ):
        assert "none" not in said
        for word in ("temp", "shots", "caffeine", "flavour", "temperature", "standard"):
            assert word not in said.split()


def test_decaf_and_shots_read_as_a_person_says_them() -> None:
    said = added(BEAN_AND_LEAF, {"caffeine": "decaf", "shots": "double", "milk": "oat"}, "Latte")
    assert said == "a decaf latte with oat milk and a double shot"
    said = added(BEAN_AND_LEAF, {"caffeine": "decaf", "shots": "double"}, "Latte")
    assert said == "a decaf latte with a double shot, and 2% milk, our default"


def test_other_group_names_and_value_spellings() -> None:
    chosen = {"temperature": "iced", "espresso": "double shot", "syrup": "vanilla", "size": "large"}
    assert added(OTHER_CAFE, chosen, "Latte") == (
        "a large iced latte with a double shot and vanilla syrup"
    )
    assert added(OTHER_CAFE, {}, "Latte") == "a small latte, with a single shot, our defaults"
    # "no syrup" only when the shopper asked for it (a non-default "none" is said).
    no_syrup: OptionGroups = {"syrup": ["vanilla", "none"]}
    assert describe_item(1, "Latte", "cup", {"syrup": "none"}, no_syrup) == "a latte with no syrup"


def test_properties_with_units_and_finishes_stack_before_the_name() -> None:
    options = complete(LAMPS, {"colour": "black", "finish": "gloss", "wattage": "60 W"})
    assert describe_item(1, "Desk Lamp", "each", options, LAMPS) == ("a 60 w black gloss desk lamp")
    assert added(LAMPS, {}, "Desk Lamp") == "a 40 w white matte desk lamp, our defaults"


def test_existing_store_shapes_keep_their_wording() -> None:
    latte = complete(CORNER_LATTE, {"size": "large", "milk": "oat"})
    assert describe_item(2, "Caffe Latte", "cup", latte, CORNER_LATTE) == (
        "two large caffe lattes with oat milk"
    )
    assert added(CORNER_LATTE, {}, "Caffe Latte") == (
        "a small caffe latte, with whole milk, our defaults"
    )
    assert added(LEASH, {}, "Nylon Leash") == "a small red nylon leash, our defaults"
    # Chosen and assumed together: the defaults come after, so "our default" is about them.
    assert added(LEASH, {"color": "blue"}, "Padded Collar") == (
        "a blue padded collar, small, our default"
    )
    assert added(LEASH, {"color": "blue", "size": "large"}, "Nylon Leash") == (
        "a large blue nylon leash"
    )
    assert added(BEANS, {}, "Coffee Beans 500 g", "bag") == (
        "a bag of coffee beans, with whole bean grind, our default"
    )
    bagel = {"flavor": ["plain", "sesame", "everything"]}
    assert added(bagel, {}, "Bagel", "each") == "a plain bagel, our default"
    assert describe_item(2, "Bagel", "each", {"flavor": "everything"}, bagel) == (
        "two everything bagels"
    )


def test_a_chosen_default_is_said_only_when_it_says_something() -> None:
    # "another one" repeats every option of the last item, defaults included.
    all_options = complete(BEAN_AND_LEAF, {})
    said = describe_added(1, "Mocha", "cup", all_options, BEAN_AND_LEAF, {})
    assert said == "a mocha with 2% milk"
    assert added(CORNER_LATTE, {"size": "small"}, "Caffe Latte") == (
        "a small caffe latte, with whole milk, our default"
    )


def test_lines_of_one_product_say_what_tells_them_apart() -> None:
    lines = [
        ItemLine(1, "Caffe Latte", "cup", complete(CORNER_LATTE, {}), CORNER_LATTE),
        ItemLine(1, "Caffe Latte", "cup", complete(CORNER_LATTE, {"milk": "oat"}), CORNER_LATTE),
        ItemLine(1, "Mocha", "cup", complete(BEAN_AND_LEAF, {"temp": "iced"}), BEAN_AND_LEAF),
        ItemLine(2, "Mocha", "cup", complete(BEAN_AND_LEAF, {}), BEAN_AND_LEAF),
    ]
    assert describe_lines(lines) == [
        "a caffe latte with whole milk",
        "a caffe latte with oat milk",
        "an iced mocha",
        "two mochas",
    ]
    # In a reply about items just added, substantive defaults are said on each line.
    assert describe_lines(lines[:2], say_defaults=True) == [
        "a small caffe latte with whole milk",
        "a small caffe latte with oat milk",
    ]
    # A size tells lines apart; "hot" and "no flavour" never need saying to do it.
    sized = [
        ItemLine(1, "Caffe Latte", "cup", complete(CORNER_LATTE, {}), CORNER_LATTE),
        ItemLine(1, "Caffe Latte", "cup", complete(CORNER_LATTE, {"size": "large"}), CORNER_LATTE),
    ]
    assert describe_lines(sized) == ["a small caffe latte", "a large caffe latte"]
    chai = [
        ItemLine(1, "Chai Latte", "cup", complete(BEAN_AND_LEAF, {"temp": "iced"}), BEAN_AND_LEAF),
        ItemLine(
            1,
            "Chai Latte",
            "cup",
            complete(BEAN_AND_LEAF, {"temp": "iced", "flavour": "vanilla"}),
            BEAN_AND_LEAF,
        ),
    ]
    assert describe_lines(chai) == ["an iced chai latte", "an iced vanilla chai latte"]
    # Just added: a shared default after "with" is said once, after the last line.
    assert describe_lines(chai, say_defaults=True) == [
        "an iced chai latte",
        "an iced vanilla chai latte, with 2% milk, our default",
    ]


def test_a_line_whose_product_is_gone_says_its_values_but_not_none() -> None:
    options = {"temp": "iced", "flavour": "none", "caffeine": "regular"}
    assert describe_lines([ItemLine(1, "Mocha", "each", options)]) == ["an iced mocha"]


@pytest.mark.parametrize(
    ("group", "value", "text", "adjective"),
    [
        ("temp", "iced", "iced", True),
        ("caffeine", "decaf", "decaf", True),
        ("spice", "spicy", "spicy", True),
        ("milk", "almond", "almond milk", False),
        ("syrup", "vanilla", "vanilla syrup", False),
        ("ice", "extra ice", "extra ice", False),
        ("toppings", "sprinkles", "sprinkles", False),
        ("shots", "triple", "a triple shot", False),
        ("espresso", "single shot", "a single shot", False),
        ("syrup", "none", "no syrup", False),
        ("foam", "without foam", "no foam", False),
        ("size", "extra large", "extra large", True),
    ],
)
def test_option_phrase(group: str, value: str, text: str, adjective: bool) -> None:
    said = option_phrase(group, value)
    assert said is not None
    assert (said.text, said.adjective) == (text, adjective)


@pytest.mark.parametrize(
    ("group", "values", "worth"),
    [
        ("milk", ["2%", "whole"], True),
        ("size", ["small", "large"], True),
        ("finish", ["matte", "gloss"], True),
        ("temp", ["hot", "iced"], False),
        ("caffeine", ["regular", "decaf"], False),
        ("shots", ["standard", "double"], False),
        ("flavour", ["none", "caramel"], False),
        ("foam", ["no foam", "extra foam"], False),
        ("colour", ["white", "red"], True),
    ],
)
def test_default_worth_stating(group: str, values: list[str], worth: bool) -> None:
    assert default_worth_stating(group, values) is worth


def test_items_with_a_default_clause_do_not_run_into_the_next() -> None:
    latte = added(BEAN_AND_LEAF, {}, "Latte")
    mocha = added(BEAN_AND_LEAF, {"milk": "oat"}, "Mocha")
    assert join_items([latte, mocha]) == (
        "a latte, with 2% milk, our default, and a mocha with oat milk"
    )
    assert join_items([mocha, "a croissant"]) == "a mocha with oat milk and a croissant"


def test_price_changes_said_once_after_the_price() -> None:
    from commerce.money import spoken_price
    from dialogue.item_wording import describe_price_changes

    changes = {"size": {"medium": 50, "large": 100}, "milk": {"oat": 60, "none": -30}}
    assert describe_price_changes(changes, spoken_price) == (
        "a medium is 50 cents more, a large 1 dollar more, oat milk 60 cents more "
        "and no milk 30 cents less"
    )
    assert describe_price_changes({}, spoken_price) == ""
