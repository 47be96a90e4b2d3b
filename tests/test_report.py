"""`voxcart report`: report.html and PNG plots from the KPIs, for a chosen range of days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from commerce.accounts import create_customer
from commerce.csat import record_rating
from commerce.orders import record_past_order
from commerce.service import import_store_files, open_store
from commerce.turn_log import TurnRecord, record_turn
from tests.conftest import DEMO_CSV, DEMO_STORE
from voxcart.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NOON = datetime(2026, 11, 10, 17, 0, tzinfo=timezone.utc)  # noon in New York


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    store = open_store(url)
    import_store_files(store, catalog=DEMO_CSV, facts=DEMO_STORE)
    with store.sessions() as session:
        create_customer(session, name="Ann", customer_id="ann", with_token=False)
        order = record_past_order(session, customer_id="ann", items={"CROISSANT": 3},
                                  status="delivered", placed_at=NOON)  # fmt: skip
        for minute, understood in ((0, True), (1, False), (2, True)):
            record_turn(session, TurnRecord(
                customer_id="ann", at=NOON + timedelta(minutes=minute), intent="x",
                handler="x", understood=understood, latency_ms=100 * (minute + 1),
                order_id=order.id if minute == 2 else None,
            ))  # fmt: skip
        record_rating(session, customer_id="ann", score=4, order_id=order.id, at=NOON)
    store.close()
    return url


def test_report_writes_the_page_and_plots(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    code = main(["report", "--database-url", url, "--out", str(out),
                 "--from", "2026-11-09", "--to", "2026-11-11"])  # fmt: skip
    assert code == 0
    assert "report.html" in capsys.readouterr().out
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["csat.png", "latency.png", "orders_revenue.png", "rates.png"]
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC
        assert png.stat().st_size > 5_000  # a drawn chart, not an empty canvas
    html = (out / "report.html").read_text()
    for name in pngs:
        assert f'src="{name}"' in html
    assert "2026-11-09 to 2026-11-11" in html
    assert "8.40" in html  # revenue: 3 croissants at 2.80
    assert "<td>2026-11-10</td><td>1</td><td>8.40</td>" in html
    assert "4.00" in html  # CSAT average
    assert "33%" in html  # one of three turns not understood
    assert "200 ms" in html  # p50 of 100, 200, 300
    assert "$" not in html.replace("$ ", "")  # every placeholder filled


def test_bad_days_are_refused_with_a_message(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--database-url", url, "--out", str(tmp_path), "--from", "11/10/2026"])
    assert "is not a day like 2026-11-30" in capsys.readouterr().err
    code = main(["report", "--database-url", url, "--out", str(tmp_path / "r"),
                 "--from", "2026-11-12", "--to", "2026-11-10"])  # fmt: skip
    assert code == 1
    assert "swap them" in capsys.readouterr().err
