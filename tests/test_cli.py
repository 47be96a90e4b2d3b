"""The `voxcart` command: store administration from a terminal."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commerce.accounts import customer_for_token, verify_staff_key
from commerce.audit import list_entries
from commerce.catalog import get_product
from commerce.errors import Unauthorized
from commerce.service import Store, open_store, schema_is_current
from tests.conftest import DEMO_CSV, DEMO_STORE
from tests.helpers import catalog_csv
from voxcart.cli import build_parser, main

VOXCART = Path(sys.executable).with_name("voxcart")


def voxcart(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Runs the installed command as a shopkeeper would."""
    command = [str(VOXCART)] if VOXCART.exists() else [sys.executable, "-m", "voxcart"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART_")}
    return subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        check=False,
    )


def sqlite_url(tmp_path: Path, name: str = "store.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple]:
    """Every command path the parser knows, e.g. ("catalog", "import")."""
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(subcommands(sub, (*prefix, name)))
    return found


def test_every_subcommand_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    paths = subcommands(build_parser())
    for wanted in [("db", "upgrade"), ("catalog", "import"), ("catalog", "list")]:
        assert wanted in paths
    assert {("staff", "create-key"), ("customer", "create"), ("serve",), ("run",)} <= set(paths)
    for path in paths:
        with pytest.raises(SystemExit) as info:
            main([*path, "--help"])
        assert info.value.code == 0, path
        assert "usage: voxcart" in capsys.readouterr().out


def test_installed_command_help(tmp_path: Path) -> None:
    result = voxcart("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "catalog" in result.stdout and "db" in result.stdout


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_db_upgrade_creates_the_schema_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'folder' / 'store.db'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert capsys.readouterr().out.strip() == "database is up to date"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    store = open_store(url)
    try:
        assert schema_is_current(store.engine)
    finally:
        store.close()


def test_import_list_and_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path)
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert main(["catalog", "list", "--database-url", url]) == 0
    assert "the catalog is empty" in capsys.readouterr().out

    args = ["catalog", "import", str(DEMO_CSV), "--store", str(DEMO_STORE)]
    assert main([*args, "--database-url", url]) == 0
    assert capsys.readouterr().out.strip() == (
        f"imported 42 products and the store facts from {DEMO_STORE}"
    )

    assert main(["catalog", "list", "--database-url", url]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 42
    latte = next(line for line in listing if line.startswith("LATTE "))
    assert "4.20" in latte and "stock  999" in latte and "Caffe Latte" in latte

    assert main(["staff", "create-key", "--label", "till", "--database-url", url]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert key.startswith("vxk_") and "\n" not in key
    assert "cannot be shown again" in err

    assert main(["customer", "create", "Ann Lee", "--id", "ann", "--database-url", url]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("customer ann: token vxs_")
    token = line.rsplit(" ", 1)[1]

    store = open_store(url)
    try:
        with store.sessions() as session:
            assert verify_staff_key(session, key=key).label == "till"
            assert customer_for_token(session, token=token).name == "Ann Lee"
            # Staff changes at the terminal are in the audit log like those over the API.
            logged = [(e.actor, e.action) for e in reversed(list_entries(session))]
            assert ("cli", "catalog.import") in logged and ("cli", "store.facts") in logged
            assert ("cli", "customer.create") in logged
    finally:
        store.close()


def test_staff_keys_from_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path)
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert main(["staff", "list", "--database-url", url]) == 0
    assert "no staff keys" in capsys.readouterr().out

    assert main(["staff", "create-key", "--label", "owner", "--database-url", url]) == 0
    owner_key = capsys.readouterr().out.strip()
    args = ["staff", "create-key", "--label", "shelves", "--role", "catalog"]
    assert main([*args, "--database-url", url]) == 0
    shelves_key = capsys.readouterr().out.strip()

    assert main(["staff", "list", "--database-url", url]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in listing] == [
        ["1", "admin", "active"],
        ["2", "catalog", "active"],
    ]
    assert listing[1].endswith("shelves")
    assert owner_key not in "".join(listing) and shelves_key not in "".join(listing)

    assert main(["staff", "rotate", "2", "--database-url", url]) == 0
    out, err = capsys.readouterr()
    new_key = out.strip()
    assert new_key.startswith("vxk_") and new_key != shelves_key
    assert "staff key 2 is revoked" in err and "key 3 (catalog)" in err

    assert main(["staff", "revoke", "3", "--database-url", url]) == 0
    assert capsys.readouterr().out.strip() == "revoked staff key 3 (shelves)"
    for refused, message in (
        (["staff", "revoke", "3"], "already revoked"),
        (["staff", "rotate", "2"], "already revoked"),
        (["staff", "revoke", "1"], "last active admin key"),
        (["staff", "revoke", "99"], "no staff key 99"),
    ):
        assert main([*refused, "--database-url", url]) == 1, refused
        err = capsys.readouterr().err
        assert err.startswith("voxcart: ") and message in err and len(err.splitlines()) == 1

    store = open_store(url)
    try:
        with store.sessions() as session:
            assert verify_staff_key(session, key=owner_key).role == "admin"
            for gone in (shelves_key, new_key):
                with pytest.raises(Unauthorized):
                    verify_staff_key(session, key=gone)
            log = [(e.actor, e.action, e.target) for e in reversed(list_entries(session))]
    finally:
        store.close()
    assert log == [
        ("cli", "staff_key.create", "staff_key:1"),
        ("cli", "staff_key.create", "staff_key:2"),
        ("cli", "staff_key.rotate", "staff_key:2"),
        ("cli", "staff_key.revoke", "staff_key:3"),
    ]


def test_staff_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["staff", "create-key", "--role", "owner"], ["staff", "revoke", "first"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert "invalid" in capsys.readouterr().err


def test_catalog_list_all_shows_inactive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path)
    main(["db", "upgrade", "--database-url", url])
    csv = tmp_path / "small.csv"
    csv.write_text(catalog_csv("A1,Apple,,x,each,1.00,1,,", "B1,Berry,,x,each,2.00,0,,"))
    main(["catalog", "import", str(csv), "--database-url", url])
    store = open_store(url)
    try:
        with store.sessions() as session:
            get_product(session, sku="B1").active = False
            session.commit()
    finally:
        store.close()
    capsys.readouterr()
    main(["catalog", "list", "--database-url", url])
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["A1"]
    main(["catalog", "list", "--all", "--database-url", url])
    assert "(inactive)" in capsys.readouterr().out


def test_import_with_a_bad_row_changes_nothing(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    before = voxcart("catalog", "list", "--all", "--database-url", database_url)
    assert before.returncode == 0, before.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(
        catalog_csv(
            "LATTE,Caffe Latte,latte,cafe,cup,9.99,999,,Now dearer",
            "SCONE,Scone,scone,bakery,each,4.2.0,10,,Bad price",  # line 3
            "MUFFIN-NEW,Muffin,muffin,bakery,each,2.00,10,,",
        )
    )
    result = voxcart("catalog", "import", bad, "--database-url", database_url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "line 3" in result.stderr and "column price" in result.stderr
    assert str(bad) in result.stderr
    assert result.stdout == ""
    after = voxcart("catalog", "list", "--all", "--database-url", database_url)
    assert after.stdout == before.stdout
    with store.sessions() as session:
        assert get_product(session, sku="LATTE").price_cents == 420
        assert [e.action for e in list_entries(session)] == []  # nothing imported, nothing logged


def test_import_reports_every_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path)
    main(["db", "upgrade", "--database-url", url])
    bad = tmp_path / "bad.csv"
    bad.write_text(catalog_csv("A1,Apple,,x,each,-1,1,,", "A1,Again,,x,each,1,1,,"))
    assert main(["catalog", "import", str(bad), "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: line 2, column price" in err
    assert f"{bad}: line 3, column sku" in err


@pytest.mark.parametrize(
    "args",
    [
        ["catalog", "list"],
        ["catalog", "import", str(DEMO_CSV)],
        ["staff", "create-key"],
        ["staff", "list"],
        ["customer", "create", "Ann"],
    ],
)
def test_unmigrated_database_says_run_db_upgrade(tmp_path: Path, args: list[str]) -> None:
    url = sqlite_url(tmp_path, "fresh.db")
    result = voxcart(*args, "--database-url", url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "run: voxcart db upgrade" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_files_and_bad_store_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path)
    main(["db", "upgrade", "--database-url", url])
    assert main(["catalog", "import", str(tmp_path / "nope.csv"), "--database-url", url]) == 1
    assert "does not exist" in capsys.readouterr().err
    bad_store = tmp_path / "store.yaml"
    bad_store.write_text("name: Shop\ncurrency: dollars\n")
    args = ["catalog", "import", str(DEMO_CSV), "--store", str(bad_store), "--database-url", url]
    assert main(args) == 1
    assert "currency" in capsys.readouterr().err
    main(["catalog", "list", "--database-url", url])
    assert "the catalog is empty" in capsys.readouterr().out


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none"
    result = voxcart("catalog", "list", "--database-url", url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("voxcart: database error")
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr
