"""`voxcart`: the one command. Subcommands import what they need lazily, so `--help` and the
store commands start fast and never wait for TensorFlow."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


class CliError(Exception):
    """A one-line message for the user; the command exits non-zero."""


def _settings(args: argparse.Namespace) -> Any:
    from commerce.settings import Settings

    settings = Settings()
    if getattr(args, "database_url", None):
        settings.database_url = args.database_url
    return settings


def _open(args: argparse.Namespace, *, require_schema: bool = True) -> Any:
    from commerce.service import open_store, schema_is_current

    settings = _settings(args)
    store = open_store(settings.effective_database_url)
    if require_schema and not schema_is_current(store.engine):
        raise CliError(
            "the database schema is missing or out of date; run: voxcart db upgrade"
            + (f" --database-url {args.database_url}" if args.database_url else "")
        )
    return store


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from commerce import migrate

    url = _settings(args).effective_database_url
    from commerce.db import make_engine

    make_engine(url).dispose()  # creates the SQLite folder if needed
    migrate.upgrade(url)
    print("database is up to date")
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from commerce.service import import_store_files

    store = _open(args)
    count = import_store_files(
        store, catalog=Path(args.file), facts=args.store and Path(args.store)
    )
    print(
        f"imported {count} products"
        + (f" and the store facts from {args.store}" if args.store else "")
    )
    return 0


def cmd_catalog_list(args: argparse.Namespace) -> int:
    from commerce.catalog import list_products
    from commerce.money import format_price

    store = _open(args)
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


def cmd_staff_create_key(args: argparse.Namespace) -> int:
    from commerce.accounts import create_staff_key

    store = _open(args)
    with store.sessions() as session:
        key = create_staff_key(session, label=args.label)
    print(key)
    print("keep it safe: it is stored hashed and cannot be shown again", file=sys.stderr)
    return 0


def cmd_customer_create(args: argparse.Namespace) -> int:
    from commerce.accounts import create_customer

    store = _open(args)
    with store.sessions() as session:
        customer, token = create_customer(session, name=args.name, customer_id=args.id)
    print(f"customer {customer.id}: token {token}")
    return 0


def _serve(settings: Any, store: Any, host: str, port: int) -> None:
    import uvicorn

    from commerce.api.app import create_app

    app = create_app(store.sessions)
    print(f"voxcart store API on http://{host}:{port} (docs at http://{host}:{port}/docs)")
    # rasa pins websockets 10.4, which uvicorn's default websocket support cannot import.
    uvicorn.run(app, host=host, port=port, ws="none", log_level="warning")


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = _open(args)
    _serve(settings, store, args.host or settings.host, args.port or settings.port)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The embedded default: migrate, seed the demo store when empty, serve."""
    from commerce import migrate
    from commerce.service import open_store, seed_if_empty

    settings = _settings(args)
    url = settings.effective_database_url
    store = open_store(url)
    migrate.upgrade(url)
    catalog, facts = settings.demo_store_files()
    if seed_if_empty(store, catalog=catalog, facts=facts):
        print(f"new store: imported {catalog.name} and {facts.name}")
    _serve(settings, store, args.host or settings.host, args.port or settings.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy database URL (default: $VOXCART_DATABASE_URL, else SQLite under data/)",
    )
    parser = argparse.ArgumentParser(
        prog="voxcart", description="voxcart: an offline voice shopping assistant."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", parents=[common], help="migrate, load the demo store, serve")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", parents=[common], help="serve the store HTTP API")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.set_defaults(func=cmd_serve)

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
    key.set_defaults(func=cmd_staff_create_key)

    customer = sub.add_parser("customer", help="shopper accounts")
    customer_sub = customer.add_subparsers(dest="customer_command", metavar="ACTION", required=True)
    new_customer = customer_sub.add_parser(
        "create", parents=[common], help="create a shopper and print their token"
    )
    new_customer.add_argument("name")
    new_customer.add_argument("--id", help="customer id (default: generated)")
    new_customer.set_defaults(func=cmd_customer_create)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", parents=[common], help="apply migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from sqlalchemy.exc import OperationalError

    from commerce.errors import CatalogImportError, CommerceError

    try:
        return int(args.func(args) or 0)
    except CatalogImportError as exc:
        print(f"voxcart: {exc.message}", file=sys.stderr)
        for error in exc.errors:
            print(
                f"  {args.file if hasattr(args, 'file') else 'catalog'}: {error}", file=sys.stderr
            )
        return 1
    except (CommerceError, CliError) as exc:
        print(f"voxcart: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"voxcart: database error: {exc.orig}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `voxcart catalog list | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
