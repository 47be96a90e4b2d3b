"""Shoppers (customers with bearer tokens) and staff API keys, both stored hashed.

Tokens are 192-bit random strings, so a plain SHA-256 is enough to keep a database dump from
being a key ring; no slow password hash is needed.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.errors import InvalidRequest, Unauthorized
from commerce.models import Customer, StaffKey

CUSTOMER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_customer(
    session: Session, *, name: str, customer_id: str | None = None, with_token: bool = True
) -> tuple[Customer, str | None]:
    """A new shopper, and their bearer token (shown once, stored hashed)."""
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


def create_staff_key(session: Session, *, label: str = "") -> str:
    key = "vxk_" + secrets.token_urlsafe(24)
    session.add(StaffKey(label=label, key_hash=hash_secret(key)))
    session.commit()
    return key


def verify_staff_key(session: Session, *, key: str) -> StaffKey:
    staff = session.scalar(select(StaffKey).where(StaffKey.key_hash == hash_secret(key)))
    if staff is None or staff.revoked_at is not None:
        raise Unauthorized("unknown or revoked staff API key")
    return staff
