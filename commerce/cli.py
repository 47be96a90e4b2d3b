"""The store's commands: `voxcart db`, `catalog`, `staff`, `customer` and `report`.

Also what every package's commands share: the settings and the store a command line names
(`--database-url`), and `CliError`, the one-line message a command exits with.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


class CliError(Exception):
    """A one-line message for the user; the command exits non-zero."""


def settings_for(args: argparse.Namespace) -> Any:
    """voxcart's settings, with the command line's `--database-url` if it gave one."""
    from commerce.settings import Settings

    settings = Settings()
    if getattr(args, "database_url", None):
        settings.database_url = args.database_url
    return settings


def store_for(args: argparse.Namespace, *, require_schema: bool = True) -> Any:
    """The store of the command line's database; `CliError` if its schema needs an upgrade."""
    from commerce.service import open_store, schema_is_current

    settings = settings_for(args)
    store = open_store(settings.effective_database_url)
    if require_schema and not schema_is_current(store.engine):
        raise CliError(
            "the database schema is missing or out of date; run: voxcart db upgrade"
            + (f" --database-url {args.database_url}" if args.database_url else "")
        )
    return store


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from commerce import migrate

    url = settings_for(args).effective_database_url
    from commerce.db import make_engine

    make_engine(url).dispose()  # creates the SQLite folder if needed
    migrate.upgrade(url)
    print("database is up to date")
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from commerce.service import import_store_files

    store = store_for(args)
    count = import_store_files(
        store, catalog=Path(args.file), facts=args.store and Path(args.store), actor="cli"
    )
    print(
        f"imported {count} products"
        + (f" and the store facts from {args.store}" if args.store else "")
    )
    return 0


def cmd_catalog_list(args: argparse.Namespace) -> int:
    from commerce.catalog import list_products
    from commerce.money import format_price

    store = store_for(args)
    with store.sessions() as session:
        products = list_products(session, include_inactive=args.all)
    if not products:
        print("the catalog is empty; import one with: voxcart catalog import FILE.csv")
        return 0
    width = max(len(p.sku) for p in products)
    for p in products:
        flag = "" if p.active else "  (inactive)"
        price = format_price(p.price_cents)
        print(f"{p.sku:<{width}}  {price:>8}  stock {p.stock:>4}  {p.name}{flag}")
    return 0


def _day(text: str) -> Any:
    """A --from/--to value: YYYY-MM-DD, or argparse's own error saying so."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day like 2026-11-30") from None


def cmd_report(args: argparse.Namespace) -> int:
    from commerce.kpi_report import write_report

    store = store_for(args)
    with store.sessions() as session:
        report = write_report(session, Path(args.out), start=args.start, end=args.end)
    print(f"wrote {report.html} and {len(report.plots)} plots "
          f"({report.kpis['from']} to {report.kpis['to']})")  # fmt: skip
    return 0


def cmd_staff_create_key(args: argparse.Namespace) -> int:
    from commerce.accounts import create_staff_key

    store = store_for(args)
    with store.sessions() as session:
        key = create_staff_key(session, label=args.label, role=args.role, actor="cli")
    print(key)
    print("keep it safe: it is stored hashed and cannot be shown again", file=sys.stderr)
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from commerce.accounts import list_staff_keys

    store = store_for(args)
    with store.sessions() as session:
        keys = list_staff_keys(session)
    if not keys:
        print("no staff keys; create one with: voxcart staff create-key")
        return 0
    for staff in keys:
        state = f"revoked {staff.revoked_at:%Y-%m-%d %H:%M}" if staff.revoked_at else "active"
        created = f"{staff.created_at:%Y-%m-%d %H:%M}"
        print(f"{staff.id:>4}  {staff.role:<7}  {state:<24}  created {created}  {staff.label}")
    return 0


def cmd_staff_revoke(args: argparse.Namespace) -> int:
    from commerce.accounts import revoke_staff_key

    store = store_for(args)
    with store.sessions() as session:
        staff = revoke_staff_key(session, key_id=args.id, actor="cli")
    print(f"revoked staff key {staff.id}" + (f" ({staff.label})" if staff.label else ""))
    return 0


def cmd_staff_rotate(args: argparse.Namespace) -> int:
    from commerce.accounts import rotate_staff_key

    store = store_for(args)
    with store.sessions() as session:
        new, key = rotate_staff_key(session, key_id=args.id, actor="cli")
    print(key)
    print(
        f"staff key {args.id} is revoked; this replaces it as key {new.id} ({new.role}). "
        "Keep it safe: it cannot be shown again",
        file=sys.stderr,
    )
    return 0


def cmd_customer_create(args: argparse.Namespace) -> int:
    from commerce.accounts import create_customer

    store = store_for(args)
    with store.sessions() as session:
        customer, token = create_customer(session, name=args.name, customer_id=args.id, actor="cli")
    print(f"customer {customer.id}: token {token}")
    return 0


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Adds the store's commands; `common` carries the options every command takes."""
    catalog = sub.add_parser("catalog", help="import or list the catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    imp = catalog_sub.add_parser(
        "import", parents=[common], help="import a catalog CSV (all rows or none)"
    )
    imp.add_argument("file", metavar="FILE", help="catalog CSV (see shared/catalog/README.md)")
    imp.add_argument("--store", metavar="FILE", help="store facts YAML to import as well")
    imp.set_defaults(func=cmd_catalog_import)
    lst = catalog_sub.add_parser("list", parents=[common], help="list the products")
    lst.add_argument("--all", action="store_true", help="include inactive products")
    lst.set_defaults(func=cmd_catalog_list)

    staff = sub.add_parser("staff", help="staff API keys")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    key = staff_sub.add_parser("create-key", parents=[common], help="print a new staff API key")
    key.add_argument("--label", default="", help="whose key this is")
    key.add_argument(
        "--role",
        choices=["admin", "catalog", "orders"],
        default="admin",
        help="admin: everything; catalog: products and imports; orders: orders, handoffs, "
        "customers (default: admin)",
    )
    key.set_defaults(func=cmd_staff_create_key)
    list_keys = staff_sub.add_parser("list", parents=[common], help="list staff keys and roles")
    list_keys.set_defaults(func=cmd_staff_list)
    revoke = staff_sub.add_parser("revoke", parents=[common], help="revoke a staff key at once")
    revoke.add_argument("id", type=int, metavar="ID", help="the key's id (voxcart staff list)")
    revoke.set_defaults(func=cmd_staff_revoke)
    rotate = staff_sub.add_parser(
        "rotate", parents=[common], help="revoke a key and print its replacement"
    )
    rotate.add_argument("id", type=int, metavar="ID", help="the key's id (voxcart staff list)")
    rotate.set_defaults(func=cmd_staff_rotate)

    customer = sub.add_parser("customer", help="shopper accounts")
    customer_sub = customer.add_subparsers(dest="customer_command", metavar="ACTION", required=True)
    new_customer = customer_sub.add_parser(
        "create", parents=[common], help="create a shopper and print their token"
    )
    new_customer.add_argument("name")
    new_customer.add_argument("--id", help="customer id (default: generated)")
    new_customer.set_defaults(func=cmd_customer_create)

    report = sub.add_parser(
        "report", parents=[common], help="KPIs as report.html and PNG plots in a folder"
    )
    report.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    report.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD",
                        help="first day (store time); default 30 days before --to")  # fmt: skip
    report.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD",
                        help="last day, included; default today")  # fmt: skip
    report.set_defaults(func=cmd_report)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", parents=[common], help="apply migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)
