"""Staff key services (create, list, revoke, rotate, last-admin protection), their audit
entries, and audit entries registered by routes landing only with a committed change."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from commerce.accounts import (
    LastAdminKey,
    create_customer,
    create_staff_key,
    issue_staff_key,
    list_staff_keys,
    revoke_staff_key,
    rotate_staff_key,
    verify_staff_key,
)
from commerce.api.audited import record_at_commit
from commerce.audit import list_entries
from commerce.catalog import get_product, set_stock
from commerce.errors import IllegalTransition, InvalidRequest, NotFound, Unauthorized
from commerce.models import StaffAuditEntry, StaffKey
from commerce.service import Store


@pytest.fixture
def db(empty_store: Store) -> Iterator[Session]:
    with empty_store.sessions() as session:
        yield session


def actions(session: Session) -> list[tuple[str, str, str]]:
    """(actor, action, target) of every entry, oldest first."""
    return [(e.actor, e.action, e.target) for e in reversed(list_entries(session, limit=500))]


def test_keys_have_roles_and_creation_is_logged_without_the_key(db: Session) -> None:
    key = create_staff_key(db, label="till", role="catalog")
    staff = verify_staff_key(db, key=key)
    assert (staff.label, staff.role) == ("till", "catalog")
    assert create_staff_key(db) != key  # default role: admin, as before roles existed
    assert [k.role for k in list_staff_keys(db)] == ["catalog", "admin"]
    (entry, _) = list_entries(db)[::-1]
    assert (entry.actor, entry.action, entry.target) == (
        "cli",
        "staff_key.create",
        f"staff_key:{staff.id}",
    )
    assert entry.after == {"id": staff.id, "label": "till", "role": "catalog"}
    assert key not in str(entry.after) and staff.key_hash not in str(entry.after)
    with pytest.raises(InvalidRequest, match="role must be one of"):
        create_staff_key(db, role="owner")
    with pytest.raises(InvalidRequest, match="200 characters"):
        create_staff_key(db, label="x" * 201, role="orders")
    assert len(list_staff_keys(db)) == 2


def test_revoke_rotate_and_the_last_admin(db: Session) -> None:
    admin, admin_key = issue_staff_key(db, label="owner", role="admin", actor="cli")
    clerk, clerk_key = issue_staff_key(db, label="clerk", role="orders", actor="cli")

    with pytest.raises(LastAdminKey, match="last active admin key"):
        revoke_staff_key(db, key_id=admin.id, actor="cli")
    assert verify_staff_key(db, key=admin_key).id == admin.id

    revoke_staff_key(db, key_id=clerk.id, actor=f"staff:{admin.id}")
    with pytest.raises(Unauthorized):
        verify_staff_key(db, key=clerk_key)
    with pytest.raises(IllegalTransition, match="already revoked"):
        revoke_staff_key(db, key_id=clerk.id, actor="cli")
    with pytest.raises(IllegalTransition, match="already revoked"):
        rotate_staff_key(db, key_id=clerk.id, actor="cli")
    for missing in (999, 0, -1, 10**30):
        with pytest.raises(NotFound):
            revoke_staff_key(db, key_id=missing, actor="cli")

    new, new_key = rotate_staff_key(db, key_id=admin.id, actor="cli")
    assert (new.label, new.role) == ("owner", "admin") and new.id != admin.id
    assert verify_staff_key(db, key=new_key).id == new.id
    with pytest.raises(Unauthorized):
        verify_staff_key(db, key=admin_key)
    assert [k.id for k in list_staff_keys(db, include_revoked=False)] == [new.id]
    assert actions(db)[2:] == [
        (f"staff:{admin.id}", "staff_key.revoke", f"staff_key:{clerk.id}"),
        ("cli", "staff_key.rotate", f"staff_key:{admin.id}"),
    ]


def test_customer_creation_is_logged_only_for_staff(db: Session) -> None:
    create_customer(db, name="Assistant Made", customer_id="auto", with_token=False)
    _, token = create_customer(db, name="Ann", customer_id="ann", actor="staff:1 (till)")
    (entry,) = list_entries(db)
    assert (entry.actor, entry.action, entry.after) == (
        "staff:1 (till)",
        "customer.create",
        {"id": "ann", "name": "Ann"},
    )
    assert token and token not in str(entry.after)


def test_a_route_entry_lands_with_the_commit_of_its_change(store: Store) -> None:
    with store.sessions() as session:
        honey = get_product(session, sku="HONEY")
        record_at_commit(
            session,
            actor="staff:1",
            action="product.stock",
            target="product:HONEY",
            before={"stock": honey.stock},
            after=lambda: {"stock": honey.stock},
        )
        assert session.scalars(select(StaffAuditEntry)).all() == []  # not before the commit
        set_stock(session, sku="HONEY", stock=7)
        (entry,) = list_entries(session)
        assert (entry.before, entry.after) == ({"stock": 20}, {"stock": 7})


def test_a_refused_change_leaves_no_entry_even_when_the_session_commits_later(
    store: Store,
) -> None:
    with store.sessions() as session:
        get_product(session, sku="HONEY")
        record_at_commit(
            session, actor="staff:1", action="product.stock", target="product:HONEY", after={}
        )
        with pytest.raises(InvalidRequest, match="below zero"):
            set_stock(session, sku="HONEY", delta=-10_000)  # rolls back
        set_stock(session, sku="HONEY", stock=3)  # an unrelated, unaudited commit
        assert list_entries(session) == []
    with store.sessions() as session:
        record_at_commit(session, actor="staff:1", action="x", target="y")
        session.rollback()
        session.commit()
        assert list_entries(session) == []


@pytest.mark.postgres
def test_two_admins_revoking_each_other_at_once_leave_one(
    database_url: str, empty_store: Store
) -> None:
    """A revokes B's key; while A's transaction is open, B revokes A's key. B must wait for A
    and then be refused, never leave the store with no admin key."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock when a transaction begins: no interleaving")
    with empty_store.sessions() as session:
        first, _ = issue_staff_key(session, label="a", role="admin", actor="cli")
        second, _ = issue_staff_key(session, label="b", role="admin", actor="cli")
    outcome: dict[str, object] = {}
    backend: list[int] = []

    def revoke_first() -> None:
        with empty_store.sessions() as session:
            backend.append(session.scalar(text("SELECT pg_backend_pid()")))
            try:
                revoke_staff_key(session, key_id=first.id, actor="b")
                outcome["b"] = "revoked"
            except LastAdminKey as exc:
                outcome["b"] = exc

    other = threading.Thread(target=revoke_first)

    def let_the_other_in(session: Session) -> None:
        # A holds its locks here, before its commit: start B and wait until B is blocked on
        # them (or, if nothing blocks it, until it has finished).
        other.start()
        with empty_store.sessions() as watcher:
            while other.is_alive():
                if backend and watcher.scalar(
                    text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :p"),
                    {"p": backend[0]},
                ):
                    break
                watcher.rollback()  # a fresh snapshot of pg_stat_activity each look
                other.join(0.01)

    with empty_store.sessions() as session:
        event.listen(session, "before_commit", let_the_other_in, once=True)
        revoke_staff_key(session, key_id=second.id, actor="a")
    other.join(60)
    assert not other.is_alive()
    assert isinstance(outcome["b"], LastAdminKey)
    with empty_store.sessions() as session:
        active = session.scalars(select(StaffKey.id).where(StaffKey.revoked_at.is_(None))).all()
        assert active == [first.id]
