"""One exception family for the commerce layer; each carries a machine-readable code.

The HTTP API maps `status` to the response code; the dialogue turns `message` into speech.
"""

from __future__ import annotations

from dataclasses import dataclass


class CommerceError(Exception):
    code = "commerce_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CommerceError):
    code = "not_found"
    status = 404


class InvalidRequest(CommerceError):
    code = "invalid_request"
    status = 422


class InvalidOption(InvalidRequest):
    """An option the product does not have. `group` and `value` are what was asked for;
    `choices` are the group's values when the group exists, () when the product has no such
    group (the dialogue says either in the shopper's words)."""

    code = "invalid_option"

    def __init__(
        self,
        message: str,
        *,
        product: str = "",
        group: str = "",
        value: str = "",
        choices: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.product, self.group, self.value, self.choices = product, group, value, choices


class EmptyCart(CommerceError):
    code = "empty_cart"
    status = 409


class OutOfStock(CommerceError):
    code = "out_of_stock"
    status = 409

    def __init__(
        self, *, sku: str, name: str, requested: int, available: int, unit: str = "each"
    ) -> None:
        super().__init__(
            f"Only {available} of {name} ({sku}) in stock; {requested} requested."
            if available
            else f"{name} ({sku}) is out of stock."
        )
        self.sku, self.name, self.requested, self.available = sku, name, requested, available
        self.unit = unit


class PriceChanged(CommerceError):
    """The cart total moved between the read-back and the shopper's yes."""

    code = "price_changed"
    status = 409


class IllegalTransition(CommerceError):
    code = "illegal_transition"
    status = 409


class Unauthorized(CommerceError):
    code = "unauthorized"
    status = 401


class Forbidden(CommerceError):
    """Known caller, but their role does not allow this."""

    code = "forbidden"
    status = 403


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CatalogImportError(CommerceError):
    """Every problem found in a catalog file; nothing was imported."""

    code = "invalid_catalog"
    status = 422

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        first = str(errors[0]) if errors else "no rows"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"catalog not imported: {first}{more}")


class StoreFileError(CommerceError):
    code = "invalid_store_file"
    status = 422
