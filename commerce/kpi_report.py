"""`voxcart report`: the KPIs (commerce.kpis) as report.html and PNG plots in a folder.

Plots are drawn with matplotlib's Agg backend (no display needed); the page is
`templates/kpi_report.html` filled in with
`string.Template`, every value escaped. Every figure on the page is the one
`GET /admin/kpis` returns for the same days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from sqlalchemy.orm import Session

from commerce.kpis import latencies_in, store_kpis

# Colours that stay apart for colour-blind readers (Okabe-Ito).
BLUE, ORANGE, GREEN, RED, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#6b7280"


@dataclass(frozen=True)
class Report:
    html: Path
    plots: list[Path]
    kpis: dict[str, Any]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.size": 11, "axes.spines.top": False, "axes.spines.right": False,
        "axes.titleweight": "bold", "axes.titlesize": 13, "figure.dpi": 110,
    })  # fmt: skip
    return plt


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}%"


def _plot_orders(plt: Any, kpis: dict[str, Any], path: Path) -> None:
    days = kpis["orders_per_day"]
    labels = [d["date"][5:] for d in days]  # "11-10": the year is in the page's title
    revenue = [d["revenue_cents"] / 100 for d in days]  # plotted only; money stays in cents
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})  # fmt: skip
    top.bar(labels, revenue, color=BLUE)
    top.set_title(f"Revenue per day ({kpis['currency']}) - total {kpis['revenue']}")
    top.set_ylabel(kpis["currency"])
    bottom.bar(labels, [d["orders"] for d in days], color=GREEN)
    bottom.set_title(f"Orders per day - total {kpis['orders']}")
    bottom.set_ylabel("orders")
    bottom.yaxis.get_major_locator().set_params(integer=True)
    step = max(1, len(labels) // 15)  # at most ~15 date labels, never on top of each other
    bottom.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_rates(plt: Any, kpis: dict[str, Any], path: Path) -> None:
    rows = [
        ("Conversion", kpis["conversion"], GREEN),
        ("Cart abandonment", kpis["cart_abandonment"], ORANGE),
        ("Handoff to staff", kpis["handoff_rate"], BLUE),
        ("Not understood (turns)", kpis["fallback_rate"], RED),
    ]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    names = [name for name, _, _ in rows][::-1]
    shares = [(r["rate"] or 0) * 100 for _, r, _ in rows][::-1]
    ax.barh(names, shares, color=[c for _, _, c in rows][::-1])
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    for y, (_, r, _) in enumerate(rows[::-1]):
        ax.text(min((r["rate"] or 0) * 100 + 1.5, 80), y,
                f"{_percent(r['rate'])}  ({r['count']} of {r['of']})", va="center")  # fmt: skip
    ax.set_title(f"Rates - {kpis['conversations']} conversations, {kpis['turns']} turns")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_latency(plt: Any, kpis: dict[str, Any], latencies: list[int], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    p50, p95 = kpis["latency_ms"]["p50"], kpis["latency_ms"]["p95"]
    if latencies:
        ax.hist(latencies, bins=min(40, max(5, len(latencies) // 3)), color=GREY)
        ax.axvline(p50, color=BLUE, linewidth=2, label=f"p50 {p50} ms")
        ax.axvline(p95, color=RED, linewidth=2, linestyle="--", label=f"p95 {p95} ms")
        ax.legend(frameon=False)
    else:
        ax.text(0.5, 0.5, "no turns in these days", ha="center", transform=ax.transAxes)
    ax.set_title("Turn latency (message in -> replies ready)")
    ax.set_xlabel("milliseconds")
    ax.set_ylabel("turns")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_csat(plt: Any, kpis: dict[str, Any], path: Path) -> None:
    csat = kpis["csat"]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    scores = [str(s) for s in range(1, 6)]
    counts = [csat["scores"][s] for s in scores]
    ax.bar(scores, counts, color=[RED, ORANGE, GREY, BLUE, GREEN])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(0, max(1, *counts) * 1.18)  # room for the count above the tallest bar
    for x, n in enumerate(counts):
        ax.text(x, n, str(n), ha="center", va="bottom")
    average = "no answers" if csat["average"] is None else f"average {csat['average']:.2f}"
    ax.set_title(f"CSAT: How did I do, from one to five? - {average}, {csat['count']} answers")
    ax.set_xlabel("score")
    ax.set_ylabel("answers")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(
    session: Session, out: Path, *, start: date | None = None, end: date | None = None
) -> Report:
    """Writes report.html and its PNGs into `out` (created if needed)."""
    kpis = store_kpis(session, start=start, end=end)
    latencies = latencies_in(session, start=date.fromisoformat(kpis["from"]),
                             end=date.fromisoformat(kpis["to"]))  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    plt = _pyplot()
    plots = {
        "orders": out / "orders_revenue.png",
        "rates": out / "rates.png",
        "latency": out / "latency.png",
        "csat": out / "csat.png",
    }
    _plot_orders(plt, kpis, plots["orders"])
    _plot_rates(plt, kpis, plots["rates"])
    _plot_latency(plt, kpis, latencies, plots["latency"])
    _plot_csat(plt, kpis, plots["csat"])
    html = out / "report.html"
    html.write_text(_render(kpis, {k: p.name for k, p in plots.items()}), encoding="utf-8")
    return Report(html, list(plots.values()), kpis)


def _render(kpis: dict[str, Any], images: dict[str, str]) -> str:
    """The page: `templates/kpi_report.html` with every value HTML-escaped."""
    template = Template((Path(__file__).parent / "templates" / "kpi_report.html").read_text())
    latency, csat = kpis["latency_ms"], kpis["csat"]
    values: dict[str, Any] = {
        "start": kpis["from"],
        "end": kpis["to"],
        "timezone": kpis["timezone"],
        "currency": kpis["currency"],
        "revenue": kpis["revenue"],
        "orders": kpis["orders"],
        "conversations": kpis["conversations"],
        "turns": kpis["turns"],
        "p50": "n/a" if latency["p50"] is None else latency["p50"],
        "p95": "n/a" if latency["p95"] is None else latency["p95"],
        "csat_average": "n/a" if csat["average"] is None else f"{csat['average']:.2f}",
        "csat_count": csat["count"],
        **{f"image_{name}": file for name, file in images.items()},
    }
    for name in ("conversion", "cart_abandonment", "fallback_rate", "handoff_rate"):
        values[f"{name}_rate"] = _percent(kpis[name]["rate"])
        values[f"{name}_count"] = kpis[name]["count"]
        values[f"{name}_of"] = kpis[name]["of"]
    escaped = {key: escape(str(value)) for key, value in values.items()}
    escaped["day_rows"] = "\n".join(
        f"        <tr><td>{escape(d['date'])}</td><td>{d['orders']}</td>"
        f"<td>{escape(d['revenue'])}</td></tr>"
        for d in kpis["orders_per_day"]
    )
    return template.substitute(escaped)
