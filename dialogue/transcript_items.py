"""Transcript `items` (shared/transcripts/FORMAT.md): SKU -> a quantity, `{qty, options}`, or a
list of `{qty, options}` when one product is in several lines. Checked when a transcript is
loaded; expanded into lines for given state; compared as multisets of (SKU, quantity, options
with the product's defaults filled in), so the order of lines never matters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

ITEM_KEYS = {"qty", "options"}

# One line as compared: SKU, quantity, options as sorted (name, value) pairs.
Line = tuple[str, int, tuple[tuple[str, str], ...]]


class _Reports(Protocol):
    def error(self, message: str, node: Any = None, key: str | None = None) -> Exception: ...


def _is_quantity(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _check_line(transcript: _Reports, spec: Any, where: str, parent: Any, key: Any) -> None:
    if not isinstance(spec, Mapping):
        raise transcript.error(
            f"{where} must be a mapping {{qty, options}}, not {type(spec).__name__}", parent, key
        )
    for name in spec:
        if name not in ITEM_KEYS:
            raise transcript.error(
                f"unknown key {name!r} in {where} (allowed: {', '.join(sorted(ITEM_KEYS))})",
                spec,
                name,
            )
    if "qty" in spec and not _is_quantity(spec["qty"]):
        raise transcript.error(f"{where}.qty must be a positive whole number", spec, "qty")
    options = spec.get("options")
    if options is None:
        return
    if not isinstance(options, Mapping):
        raise transcript.error(f"{where}.options must map option names to values", spec, "options")
    for name, value in options.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise transcript.error(
                f"{where}.options.{name} must be a single value", options, str(name)
            )


def check_items(transcript: _Reports, items: Any, what: str) -> None:
    """Raises the transcript's error (file and line) for anything that is not valid `items`."""
    if not isinstance(items, Mapping):
        raise transcript.error(f"{what} must map SKUs to quantities", items)
    for sku, spec in items.items():
        where = f"{what}.{sku}"
        if isinstance(spec, list):
            if not spec:
                raise transcript.error(f"{where} must not be an empty list", items, sku)
            for number, entry in enumerate(spec, start=1):
                _check_line(transcript, entry, f"{where}[{number}]", items, sku)
        elif isinstance(spec, Mapping):
            _check_line(transcript, spec, where, items, sku)
        elif not _is_quantity(spec):
            raise transcript.error(
                f"{where} must be a quantity, {{qty, options}} or a list of {{qty, options}}",
                items,
                sku,
            )


def expand(items: Mapping[str, Any]) -> list[tuple[str, int, dict[str, str]]]:
    """Checked `items` -> (SKU, quantity, options as written) per line."""
    lines: list[tuple[str, int, dict[str, str]]] = []
    for sku, spec in items.items():
        for entry in spec if isinstance(spec, list) else [spec]:
            if isinstance(entry, int):
                lines.append((str(sku), entry, {}))
            else:
                options = {str(k): str(v) for k, v in (entry.get("options") or {}).items()}
                lines.append((str(sku), int(entry.get("qty", 1)), options))
    return lines


def wanted_lines(items: Mapping[str, Any], products: Mapping[str, Any]) -> Counter[Line]:
    """Expected `items` as a multiset, options not written taking the product's default."""
    wanted: Counter[Line] = Counter()
    for sku, quantity, options in expand(items):
        product = products.get(sku)
        defaults = product.default_options() if product is not None else {}
        wanted[(sku, quantity, tuple(sorted({**defaults, **options}.items())))] += 1
    return wanted


def actual_lines(lines: Iterable[tuple[str, int, Mapping[str, str]]]) -> Counter[Line]:
    """Stored order or cart lines (options already complete) as a multiset."""
    return Counter(
        (sku, quantity, tuple(sorted((str(k), str(v)) for k, v in (options or {}).items())))
        for sku, quantity, options in lines
    )


def describe(lines: Counter[Line]) -> str:
    """`2 CROISSANT, 1 LATTE (milk=oat, size=large)`, sorted, for failure messages."""
    if not lines:
        return "nothing"
    shown = []
    for (sku, quantity, options), count in sorted(lines.items()):
        extra = f" ({', '.join(f'{k}={v}' for k, v in options)})" if options else ""
        shown += [f"{quantity} {sku}{extra}"] * count
    return ", ".join(shown)
