"""The transcript runner's newer FORMAT.md keys: `fulfilment` on given orders, `staff:` steps,
and several lines of one SKU in `items` — each run against the real assistant and store, and
each misuse reported with the file and line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dialogue.transcripts import Result, Runner, TranscriptError, load_transcript

DEMO = """\
catalog: {root}/../shared/catalog/corner-market.csv
store: {root}/../shared/catalog/corner-market.store.yaml
"""
REPO_ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, body: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(DEMO.format(root=REPO_ROOT) + body)
    return path


def run(runner: Runner, loop: asyncio.AbstractEventLoop, path: Path) -> Result:
    return loop.run_until_complete(runner.run(load_transcript(path)))


def passes(result: Result) -> None:
    assert result.passed, result.failure + "\n" + "\n".join(result.conversation)


# ---------------------------------------------------------------- fulfilment on given orders


@pytest.mark.parametrize(
    ("order", "said", "not_said"),
    [
        ("status: delivered", "delivered", "picked up"),  # default: delivery
        ("status: delivered\n      fulfilment: pickup", "picked up", "was delivered"),
        ("status: ready", "ready for pickup", "out for delivery"),  # default: pickup
        ("status: ready\n      fulfilment: delivery", "ready", "for pickup"),
    ],
)
def test_given_order_fulfilment_and_its_default(  # type: ignore[no-untyped-def]
    tmp_path, runner, loop, order, said, not_said
) -> None:
    path = write(
        tmp_path,
        f"""\
now: 2026-11-25T12:00:00-05:00
given:
  orders:
    - items: {{HONEY: 1}}
      {order}
      placed_at: 2026-11-25T09:00:00Z
steps:
  - user: "where's my order"
  - bot_contains: ["{said}"]
  - bot_not_contains: ["{not_said}"]
""",
    )
    passes(run(runner, loop, path))


# ---------------------------------------------------------------- staff steps


def test_staff_move_the_order_placed_in_the_conversation(tmp_path, runner, loop) -> None:  # type: ignore[no-untyped-def]
    """placed -> preparing -> ready through the order service, seen by the next user turn
    and by `expect`."""
    path = write(
        tmp_path,
        """\
steps:
  - user: "two croissants please"
  - user: "check out"
  - bot_contains: ["confirm"]
  - user: "yes"
  - bot_contains: ["placed"]
  - staff: {status: ready}
  - user: "where's my order"
  - bot_contains: ["ready for pickup"]
expect:
  orders:
    - items: {CROISSANT: 2}
      status: ready
""",
    )
    result = run(runner, loop, path)
    passes(result)
    assert any("placed -> preparing -> ready" in line for line in result.conversation)


def test_a_staff_step_moves_the_latest_given_order(tmp_path, runner, loop) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        """\
now: 2026-11-25T12:00:00-05:00
given:
  orders:
    - ref: old
      items: {HONEY: 1}
      status: placed
      placed_at: 2026-11-20T09:00:00Z
    - ref: new
      items: {CROISSANT: 2}
      status: ready
      fulfilment: delivery
      placed_at: 2026-11-25T09:00:00Z
steps:
  - staff: {status: out_for_delivery}
  - user: "where's my order"
  - bot_contains: ["out for delivery", "croissants"]
expect:
  orders: []
""",
    )
    passes(run(runner, loop, path))


def test_a_bot_check_after_a_staff_step_checks_the_notice(tmp_path, runner, loop) -> None:  # type: ignore[no-untyped-def]
    """What the assistant says on its own after staff move the order is the notice, only the
    notice (not the previous turn's words), and it is said once: the next turn does not
    repeat it."""
    path = write(
        tmp_path,
        """\
given:
  orders:
    - items: {HONEY: 1}
      status: preparing
steps:
  - user: "is my order ready"
  - bot_contains: ["being prepared"]
  - staff: {status: ready}
  - bot_contains: ["is ready for pickup"]
  - bot_not_contains: ["prepared"]
  - user: "thanks"
  - bot_not_contains: ["ready for pickup"]
""",
    )
    result = run(runner, loop, path)
    passes(result)
    notices = [line for line in result.conversation if "(notice)" in line]
    assert len(notices) == 1 and "order number" in notices[0], result.conversation


def test_a_bot_check_after_a_staff_step_with_nothing_to_tell_fails(tmp_path, runner, loop) -> None:  # type: ignore[no-untyped-def]
    """Staff starting to prepare an order tells the shopper nothing: a check for words after
    that step fails, never passes on the previous turn's words."""
    path = write(
        tmp_path,
        """\
given:
  orders:
    - items: {HONEY: 1}
      status: placed
steps:
  - user: "is my order ready"
  - staff: {status: preparing}
  - bot_contains: [["order", "preparing", "ready"]]
""",
    )
    result = run(runner, loop, path)
    assert not result.passed
    assert result.failure.startswith("step 3: the assistant did not say"), result.failure


@pytest.mark.parametrize(
    ("given", "status", "reason"),
    [
        ("", "ready", "the shopper has no order for staff to move"),
        ("status: ready", "out_for_delivery", "is for pickup; it cannot go out for delivery"),
        ("status: delivered", "preparing", "an order that is delivered cannot become preparing"),
        ("status: ready", "ready", "an order that is ready cannot become ready"),
    ],
)
def test_a_staff_move_the_store_refuses_fails_the_transcript(  # type: ignore[no-untyped-def]
    tmp_path, runner, loop, given, status, reason
) -> None:
    orders = f"given:\n  orders:\n    - items: {{HONEY: 1}}\n      {given}\n" if given else ""
    path = write(tmp_path, orders + f"steps:\n  - staff: {{status: {status}}}\n  - user: hi\n")
    result = run(runner, loop, path)
    assert not result.passed
    assert result.failure.startswith("step 1: staff could not move the order"), result.failure
    assert reason in result.failure, result.failure


# ---------------------------------------------------------------- several lines of one SKU


def test_lines_of_one_product_in_given_orders_and_expect(tmp_path, runner, loop) -> None:  # type: ignore[no-untyped-def]
    """A past order with two lattes made differently is reordered; the new order is compared
    as a multiset, in another order, options not written taking the product's defaults."""
    path = write(
        tmp_path,
        """\
given:
  orders:
    - items:
        LATTE: [{qty: 1, options: {milk: oat}}, {qty: 2, options: {size: large, milk: skim}}]
      status: delivered
steps:
  - user: "order what I got last time"
  - bot_contains: ["confirm"]
  - user: "yes"
  - bot_contains: ["placed"]
expect:
  orders:
    - items:
        LATTE:
          - {qty: 2, options: {milk: skim, size: large}}
          - {options: {milk: oat, size: small}}
  cart: {}
""",
    )
    passes(run(runner, loop, path))


def test_lines_of_one_product_in_the_cart(tmp_path, runner, loop) -> None:  # type: ignore[no-untyped-def]
    body = """\
given:
  cart:
    LATTE: [{qty: 1, options: {milk: oat}}, {qty: 1, options: {milk: skim}}]
    CROISSANT: 2
steps:
  - user: "what's in my cart"
  - bot_contains: ["oat", "skim", "croissants"]
expect:
  cart:
    CROISSANT: 2
    LATTE: [%s]
"""
    same = "{qty: 1, options: {milk: skim}}, {options: {milk: oat}}"
    passes(run(runner, loop, write(tmp_path, body % same)))
    # Every line counts: a missing, an extra, or a different line fails, saying what differs.
    for wrong in (
        "{qty: 1, options: {milk: skim}}",
        same + ", {options: {milk: oat}}",
        "{qty: 1, options: {milk: skim}}, {options: {milk: almond}}",
    ):
        result = run(runner, loop, write(tmp_path, body % wrong))
        assert not result.passed, wrong
        assert "cart has 2 CROISSANT, 1 LATTE (milk=oat, size=small), " in result.failure
        assert "expected 2 CROISSANT" in result.failure


# ---------------------------------------------------------------- misuse, with file and line


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("steps:\n  - staff: {status: shipped}\n", 2, "a staff status must be one of placed,"),
        ("steps:\n  - staff: {status: ready, by: kim}\n", 2, "unknown key 'by' in a staff step"),
        ("steps:\n  - staff: ready\n", 2, "a staff step must be a mapping"),
        ("steps:\n  - staff: {}\n", 2, "a staff step needs a status"),
        ("steps:\n  - user: hi\n    staff: {status: ready}\n", 3, "a staff step has no user"),
        (
            "given:\n  orders:\n    - items: {HONEY: 1}\n      fulfilment: drone\n"
            "steps: [{user: hi}]\n",
            4,
            "fulfilment must be one of pickup, delivery, not 'drone'",
        ),
        (
            "given:\n  orders:\n    - items: {HONEY: 1}\n      status: lost\nsteps: [{user: hi}]\n",
            4,
            "a given order's status must be one of",
        ),
        (
            "given:\n  cart:\n    LATTE: [1, {qty: 1}]\nsteps: [{user: hi}]\n",
            3,
            "given.cart.LATTE[1] must be a mapping {qty, options}, not int",
        ),
        (
            "given:\n  cart:\n    LATTE:\n      - {qty: 1, size: large}\nsteps: [{user: hi}]\n",
            4,
            "unknown key 'size' in given.cart.LATTE[1]",
        ),
        (
            "given:\n  cart:\n    LATTE: []\nsteps: [{user: hi}]\n",
            3,
            "given.cart.LATTE must not be an empty list",
        ),
        (
            "given:\n  cart:\n    LATTE: {qty: two}\nsteps: [{user: hi}]\n",
            3,
            "given.cart.LATTE.qty must be a positive whole number",
        ),
        (
            "given:\n  cart:\n    LATTE: {qty: 1, options: large}\nsteps: [{user: hi}]\n",
            3,
            "given.cart.LATTE.options must map option names to values",
        ),
        (
            "steps: [{user: hi}]\nexpect:\n  cart:\n    CROISSANT: two\n",
            4,
            "expect.cart.CROISSANT must be a quantity, {qty, options} or a list",
        ),
        (
            "steps: [{user: hi}]\nexpect:\n  orders:\n    - items:\n        LATTE: [{qty: 0}]\n",
            5,
            "expected order items.LATTE[1].qty must be a positive whole number",
        ),
    ],
)
def test_misuse_is_reported_with_file_and_line(tmp_path, body, line, message) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(TranscriptError) as error:
        load_transcript(path)
    assert str(error.value).startswith(f"{path}:{line}: "), str(error.value)
    assert message in str(error.value), str(error.value)
