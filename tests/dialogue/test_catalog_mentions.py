"""CatalogMentions: products, option values, quantities and ordinals found against the live
catalog, emitted as entities and replaced by placeholder words before the featurizers; and
the item requests the handlers read from those entities."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from commerce.catalog import ProductData, create_product
from commerce.resolver import CatalogIndex
from commerce.service import Store
from dialogue import context
from dialogue.entity_items import entity_requests
from dialogue.nlu.catalog_mentions import CatalogMentions, entities_for
from dialogue.nlu.mentions import Mention, find_mentions

TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
DRINK_OPTIONS = [
    {"name": "temp", "values": ["hot", "iced"]},
    {"name": "milk", "values": ["whole", "oat", "non-fat"]},
    {"name": "caffeine", "values": ["regular", "decaf"]},
    {"name": "flavour", "values": ["none", "caramel", "sugar-free vanilla", "chocolate"]},
]


def product(sku: str, name: str, aliases: list[str], options: list[dict] | None = None) -> Any:
    return SimpleNamespace(sku=sku, name=name, aliases=aliases, options=options or [])


# A catalog made up for these tests: names that share words, a name with "and" inside, a
# name whose words are also option values.
INDEX = CatalogIndex(
    [
        product("FLAT", "Flat Brew", ["flat brew", "flatbrew"], DRINK_OPTIONS),
        product("COCOA", "Hot Chocolate", ["hot chocolate"], DRINK_OPTIONS[1:]),
        product("MIST", "Cloud and Mist Tea", ["cloud and mist"], DRINK_OPTIONS[:1]),
        product("SCRATCHER", "Cardboard Scratcher", ["scratcher"]),
        product("SEED", "Wild Bird Seed", ["bird seed", "bird food"]),
        product("BAGEL", "Bagel", ["bagel"], [{"name": "kind", "values": ["plain", "everything"]}]),
    ]
)


def words(text: str) -> list[str]:
    return [t.text for t in TOKENIZER.tokenize(Message(data={TEXT: text}), TEXT)]


def found(text: str) -> list[tuple[str, Any, str]]:
    return [(m.kind, m.value, m.group) for m in find_mentions(words(text), INDEX)]


def test_products_options_and_quantities_anywhere_in_the_words() -> None:
    assert found("hi, could I get two iced flat brews with oat milk for Sam") == [
        ("number", 2, ""),
        ("option", "iced", "temp"),
        ("product", "FLAT", ""),
        ("option", "oat", "milk"),
    ]


def test_option_values_said_longer_or_clipped_and_misspelt_names() -> None:
    assert found("a decaffeinated flatbrw with ice") == [
        ("option", "decaf", "caffeine"),
        ("product", "FLAT", ""),
        ("option", "iced", "temp"),
    ]


def test_a_name_that_is_also_option_words_is_the_name() -> None:
    assert found("I need to get a Hot Chocolate.") == [("product", "COCOA", "")]


def test_a_name_said_across_and() -> None:
    assert found("I'd like the Cloud and Mist tea, please") == [("product", "MIST", "")]


def test_words_that_only_resemble_the_catalog_are_not_products() -> None:
    # "scratch" inside "scratcher", "birds" only part of "bird seed".
    assert found("let's start again from scratch") == []
    assert found("what do you have for birds") == []


def test_option_words_without_a_product_stay_words_unless_they_pick_one() -> None:
    (everything,) = find_mentions(words("remove everything"), INDEX)
    assert (everything.kind, everything.replaced) == ("option", False)
    picked = [m for m in find_mentions(words("the plain one"), INDEX) if m.kind == "option"]
    assert [(m.value, m.replaced) for m in picked] == [("plain", True)]


def test_ordinals_and_numbers_without_a_catalog() -> None:
    assert [(m.kind, m.value) for m in find_mentions(words("the second one, 3 of them"), None)] == [
        ("ordinal", 1),
        ("number", 1),
        ("number", 3),
    ]


def test_a_number_that_begins_a_name_is_the_name_not_a_quantity() -> None:
    index = CatalogIndex(
        [
            product("CELL", "9 Volt Cell", ["nine volt cell"]),
            product("HOSE", "Hose", ["hose"], [{"name": "length", "values": ["50 ft", "100 ft"]}]),
        ]
    )

    def kinds(text: str) -> list[tuple[str, Any]]:
        return [(m.kind, m.value) for m in find_mentions(words(text), index)]

    assert kinds("a nine volt cell please") == [("product", "CELL")]
    assert kinds("two 9 volt cells") == [("number", 2), ("product", "CELL")]
    # A number before some other word is still a quantity.
    assert kinds("nine hoses") == [("number", 9), ("product", "HOSE")]


def test_a_value_joined_to_its_group_name_is_the_value() -> None:
    index = CatalogIndex(
        [
            product(
                "BREW",
                "Flat Brew",
                ["flat brew"],
                [{"name": "shots", "values": ["single", "double"]}],
            )
        ]
    )
    kinds = [
        (m.kind, m.value, m.group) for m in find_mentions(words("a double-shot flat brew"), index)
    ]
    assert kinds == [("option", "double", "shots"), ("product", "BREW", "")]


def test_a_name_said_with_an_apostrophe_is_one_mention() -> None:
    index = CatalogIndex(
        [
            product("SEAL", "Thread Seal Tape", ["plumber's tape"]),
            product("MEASURE", "Tape Measure", ["tape"]),
        ]
    )
    mentions = find_mentions(words("my sink's leaking so I'll need plumber's tape"), index)
    assert [(m.kind, m.value, m.alternatives) for m in mentions] == [("product", "SEAL", ())]


def entities(text: str) -> list[dict[str, Any]]:
    tokens = TOKENIZER.tokenize(Message(data={TEXT: text}), TEXT)
    return entities_for(find_mentions([t.text for t in tokens], INDEX), tokens, text)


def requests(text: str) -> list[tuple[int, str, bool]]:
    return [(r.quantity, r.mention, r.quantity_said) for r in entity_requests(entities(text), text)]


def test_item_requests_from_entities_ignore_chatter() -> None:
    assert requests("Hi, I was looking to order two decaffeinated Flat Brews for Rob, thanks") == [
        (2, "decaf Flat Brews", True)
    ]
    # "iced" goes with the nearer product; the resolver keeps only what that product offers.
    assert requests("a flat brew with whole milk and an iced hot chocolate") == [
        (1, "whole flat brew", False),
        (1, "iced hot chocolate", False),
    ]


def test_a_value_said_as_the_one_replaced_is_not_chosen() -> None:
    def chosen(text: str) -> list[dict[str, str]]:
        return [r.options for r in entity_requests(entities(text), text)]

    assert chosen("a flat brew with oat milk instead of whole milk") == [{"milk": "oat"}]
    assert chosen("a flat brew with oat rather than whole") == [{"milk": "oat"}]
    assert chosen("an iced flat brew, not hot") == [{"temp": "iced"}]
    assert chosen("a flat brew with whole milk") == [{"milk": "whole"}]


def test_only_before_a_quantity_means_that_many_in_all() -> None:
    def in_all(text: str) -> list[tuple[int, bool]]:
        return [(r.quantity, r.in_all) for r in entity_requests(entities(text), text)]

    assert in_all("and I only need one bagel") == [(1, True)]
    assert in_all("only two flat brews") == [(2, True)]
    assert in_all("two flat brews and only one bagel") == [(2, False), (1, True)]
    assert in_all("I need one bagel") == [(1, False)]


def test_a_quantity_counts_only_the_product_it_is_said_with() -> None:
    assert requests("two drinks please. First drink a flat brew") == [(1, "flat brew", False)]
    assert requests("a flat brew with 2% milk and a bagel") == [
        (1, "flat brew", False),
        (1, "bagel", False),
    ]


@pytest.fixture
def component(store: Store) -> CatalogMentions:
    context.configure(store.sessions)
    return CatalogMentions()


def parsed(component: CatalogMentions, text: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(TOKENS_NAMES[TEXT], TOKENIZER.tokenize(message, TEXT))
    component.process([message])
    return message


def test_the_live_catalog_becomes_entities_and_placeholders(
    component: CatalogMentions, store: Store
) -> None:
    message = parsed(component, "two croissants and a large oat latte")
    assert " ".join(t.text for t in message.get(TOKENS_NAMES[TEXT])) == (
        "number product and a option option product"
    )
    assert [(e["entity"], e["value"], e.get("role")) for e in message.get(ENTITIES)] == [
        ("quantity", 2, None),
        ("product", "CROISSANT", None),
        ("option", "large", "size"),
        ("option", "oat", "milk"),
        ("product", "LATTE", None),
    ]
    # A product added now is understood on the next message, without retraining.
    assert not [
        e for e in parsed(component, "a kombucha").get(ENTITIES) if e["entity"] == "product"
    ]
    with store.sessions() as session:
        create_product(
            session,
            data=ProductData(
                sku="KOMBUCHA",
                name="Ginger Kombucha",
                price_cents=375,
                stock=5,
                aliases=["kombucha"],
            ),  # fmt: skip
        )
    products = [
        e for e in parsed(component, "a kombucha").get(ENTITIES) if e["entity"] == "product"
    ]
    assert [e["value"] for e in products] == ["KOMBUCHA"]


def test_training_examples_get_the_same_number_placeholders() -> None:
    message = Message(data={TEXT: "i'd like two product and 3 option product"})
    message.set(TOKENS_NAMES[TEXT], TOKENIZER.tokenize(message, TEXT))
    CatalogMentions().process_training_data(TrainingData([message]))
    assert " ".join(t.text for t in message.get(TOKENS_NAMES[TEXT])) == (
        "i d like number product and number option product"
    )


def test_mentions_keep_their_word_positions() -> None:
    (mention,) = [
        m for m in find_mentions(words("one Cloud and Mist"), INDEX) if m.kind == "product"
    ]
    assert mention == Mention("product", 1, 4, "MIST", score=mention.score)
