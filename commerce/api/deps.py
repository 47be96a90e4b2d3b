"""Request dependencies: a database session per request, the shopper, the staff key."""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from commerce.accounts import customer_for_token, verify_staff_key
from commerce.errors import Forbidden, Unauthorized
from commerce.models import Customer, StaffKey


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


AuthorizationHeader = Annotated[str | None, Header(description="Bearer <shopper token>")]


def shopper_for_authorization(session: Session, authorization: str | None) -> Customer:
    """The shopper whose token the `Authorization: Bearer <token>` header carries."""
    if not authorization:
        raise Unauthorized("send the shopper's token as 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return customer_for_token(session, token=token.strip())


def current_customer(session: SessionDep, authorization: AuthorizationHeader = None) -> Customer:
    customer = shopper_for_authorization(session, authorization)
    # Ends the lookup's transaction: on SQLite it holds the write lock, and the route may await
    # other work (a dialogue turn waits for worker threads whose sessions need that lock).
    session.commit()
    return customer


def current_staff(
    session: SessionDep,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> StaffKey:
    if not x_api_key:
        raise Unauthorized(
            "staff routes need an 'X-API-Key' header (create one with: voxcart staff create-key)"
        )
    return verify_staff_key(session, key=x_api_key)


CustomerDep = Annotated[Customer, Depends(current_customer)]
StaffDep = Annotated[StaffKey, Depends(current_staff)]


def require_role(*roles: str) -> Callable[[StaffKey], StaffKey]:
    """A dependency that lets in staff keys with one of `roles`; `admin` may do everything."""
    allowed = frozenset(roles) | {"admin"}

    def check(staff: StaffDep) -> StaffKey:
        if staff.role not in allowed:
            needed = " or ".join(sorted(allowed))
            raise Forbidden(f"this needs a staff key with the role {needed} (yours: {staff.role})")
        return staff

    return check


# Staff by role: catalog staff edit products and import; orders staff move orders and take
# handoffs; admins do both and manage keys, spending limits and the audit log.
CatalogStaffDep = Annotated[StaffKey, Depends(require_role("catalog"))]
OrdersStaffDep = Annotated[StaffKey, Depends(require_role("orders"))]
AdminStaffDep = Annotated[StaffKey, Depends(require_role())]
