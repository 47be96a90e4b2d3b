"""Shoppers (customers with bearer tokens) and staff API keys with roles, both stored hashed.

Tokens are 192-bit random strings, so a plain SHA-256 is enough to keep a database dump from
being a key ring; no slow password hash is needed. Every staff change here is written to the
audit log in the same commit as the change; the log never holds a key or a token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce import audit
from commerce.errors import IllegalTransition, InvalidRequest, NotFound, Unauthorized
from commerce.models import MAX_DB_INTEGER, STAFF_ROLES, Customer, StaffKey

CUSTOMER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_customer(
    session: Session,
    *,
    name: str,
    customer_id: str | None = None,
    with_token: bool = True,
    actor: str | None = None,
) -> tuple[Customer, str | None]:
    """A new shopper, and their bearer token (shown once, stored hashed). With `actor` (staff
    did it) the creation is audited; shoppers made by the assistant itself are not."""
    name = " ".join(name.split())
    if not name:
        raise InvalidRequest("a customer needs a name")
    if customer_id is None:
        customer_id = "c-" + secrets.token_hex(6)
    elif not CUSTOMER_ID_PATTERN.match(customer_id):
        raise InvalidRequest("a customer id is 1-64 letters, digits, '.', '_', '@' or '-'")
    if session.get(Customer, customer_id) is not None:
        raise InvalidRequest(f"customer {customer_id} already exists")
    token = "vxs_" + secrets.token_urlsafe(24) if with_token else None
    customer = Customer(id=customer_id, name=name, token_hash=hash_secret(token) if token else None)
    session.add(customer)
    if actor is not None:
        audit.record(
            session,
            actor=actor,
            action="customer.create",
            target=f"customer:{customer_id}",
            after={"id": customer_id, "name": name},
        )
    session.commit()
    return customer, token


def ensure_customer(session: Session, *, customer_id: str, name: str | None = None) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        customer, _ = create_customer(
            session, name=name or customer_id, customer_id=customer_id, with_token=False
        )
    return customer


def customer_for_token(session: Session, *, token: str) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.token_hash == hash_secret(token)))
    if customer is None:
        raise Unauthorized("unknown or revoked shopper token")
    return customer


class LastAdminKey(IllegalTransition):
    code = "last_admin_key"


def _new_key() -> str:
    return "vxk_" + secrets.token_urlsafe(24)


def _key_summary(staff: StaffKey) -> dict:
    """What the audit log says about a key: never the key or its hash."""
    return {"id": staff.id, "label": staff.label, "role": staff.role}


def create_staff_key(
    session: Session, *, label: str = "", role: str = "admin", actor: str = "cli"
) -> str:
    """A new staff key with `role`; the key itself is returned once and stored hashed."""
    return issue_staff_key(session, label=label, role=role, actor=actor)[1]


def issue_staff_key(
    session: Session, *, label: str = "", role: str, actor: str
) -> tuple[StaffKey, str]:
    """Like create_staff_key, and the stored row too (for its id)."""
    if role not in STAFF_ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(STAFF_ROLES)}, not {role!r}")
    label = " ".join(label.split())
    if len(label) > 200:
        raise InvalidRequest("a staff key label is at most 200 characters")
    key = _new_key()
    staff = StaffKey(label=label, role=role, key_hash=hash_secret(key))
    session.add(staff)
    session.flush()  # the id, for the log
    audit.record(
        session,
        actor=actor,
        action="staff_key.create",
        target=f"staff_key:{staff.id}",
        after=_key_summary(staff),
    )
    session.commit()
    return staff, key


def verify_staff_key(session: Session, *, key: str) -> StaffKey:
    staff = session.scalar(select(StaffKey).where(StaffKey.key_hash == hash_secret(key)))
    if staff is None or staff.revoked_at is not None:
        raise Unauthorized("unknown or revoked staff API key")
    return staff


def list_staff_keys(session: Session, *, include_revoked: bool = True) -> list[StaffKey]:
    query = select(StaffKey).order_by(StaffKey.id)
    if not include_revoked:
        query = query.where(StaffKey.revoked_at.is_(None))
    return list(session.scalars(query))


def _active_key_for_change(session: Session, key_id: int) -> StaffKey:
    """The key, locked and re-read (PostgreSQL): two revokes or rotates of one key at once
    must not both see it active."""
    staff = (
        session.scalar(
            select(StaffKey)
            .where(StaffKey.id == key_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if 1 <= key_id <= MAX_DB_INTEGER
        else None
    )
    if staff is None:
        raise NotFound(f"no staff key {key_id}")
    if staff.revoked_at is not None:
        raise IllegalTransition(f"staff key {key_id} is already revoked")
    return staff


def revoke_staff_key(session: Session, *, key_id: int, actor: str) -> StaffKey:
    """Revokes a key at once. Revoking a revoked key is a 409, and so is revoking the last
    active admin key: nobody could manage keys through the API after that."""
    staff = _active_key_for_change(session, key_id)
    if staff.role == "admin":
        # Locks every active admin key, so two admins revoking each other at the same moment
        # cannot both succeed and leave none.
        admins = session.scalars(
            select(StaffKey.id)
            .where(StaffKey.role == "admin", StaffKey.revoked_at.is_(None))
            .with_for_update()
        ).all()
        if set(admins) <= {staff.id}:
            raise LastAdminKey(
                f"staff key {key_id} is the last active admin key; create another admin key "
                "first (or rotate this one), so someone can still manage the store"
            )
    staff.revoked_at = datetime.now(timezone.utc)
    audit.record(
        session,
        actor=actor,
        action="staff_key.revoke",
        target=f"staff_key:{staff.id}",
        before={**_key_summary(staff), "revoked_at": None},
        after={**_key_summary(staff), "revoked_at": staff.revoked_at.isoformat()},
    )
    session.commit()
    return staff


def rotate_staff_key(session: Session, *, key_id: int, actor: str) -> tuple[StaffKey, str]:
    """Revokes the key and issues a new one with the same label and role, in one commit;
    the new key is returned once."""
    old = _active_key_for_change(session, key_id)
    old.revoked_at = datetime.now(timezone.utc)
    key = _new_key()
    new = StaffKey(label=old.label, role=old.role, key_hash=hash_secret(key))
    session.add(new)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="staff_key.rotate",
        target=f"staff_key:{old.id}",
        before={**_key_summary(old), "revoked_at": None},
        after={**_key_summary(new), "replaces": old.id},
    )
    session.commit()
    return new, key
