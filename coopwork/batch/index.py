"""The index page of the reports folder: every territory, its status, time and links.

Built from the run states of ``.coopwork/runs/*.json`` (so it also lists territories whose
last run failed, with a link to the previous report when one was kept) and written
atomically to ``<reports_dir>/index.html``. Plain HTML, no script, works offline.

Examples
--------
>>> rows = [{"territory": "t1", "label": "Pays de Morlaix", "notebook": "territory_report",
...          "status": "ok", "finished_at": "2026-01-01T10:00:00+00:00", "seconds": 1.2,
...          "html": "t1/territory_report.html", "ipynb": "t1/territory_report.ipynb"}]
>>> page = index_html(rows, lang="en")
>>> "Pays de Morlaix" in page and "t1/territory_report.html" in page and "up to date" in page
True
"""

from __future__ import annotations

import datetime as dt
import os
from html import escape
from pathlib import Path
from typing import Any

from ..i18n import t
from ..paths import name_for
from ..version import __version__
from .plan import ALL_TERRITORIES

__all__ = ["index_html", "index_rows", "write_index"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1d2733}
h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #dde3ea}
th{background:#f3f6f9}.ok{color:#1b7a3d}.failed{color:#b42318;font-weight:600}.none{color:#6b7785}
footer{margin-top:2rem;color:#6b7785;font-size:.85rem}
"""


def index_rows(reports_dir: str | Path, states: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per (territory, notebook) from the run states (``stem → territory → entry``)."""
    reports_dir = Path(reports_dir)
    rows = []
    for stem in sorted(states):
        for territory, entry in sorted(states[stem].items()):
            folder = "" if territory == ALL_TERRITORIES else f"{name_for(territory)}/"
            html = f"{folder}{stem}.html"
            ipynb = f"{folder}{stem}.ipynb"
            rows.append({
                "territory": territory, "label": entry.get("label") or territory, "notebook": stem,
                "status": entry.get("status", "none"),
                "finished_at": entry.get("finished_at"), "seconds": entry.get("seconds"),
                "html": html if (reports_dir / html).is_file() else None,
                "ipynb": ipynb if (reports_dir / ipynb).is_file() else None,
                "error": entry.get("error"),
            })
    return rows


def _when(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return escape(value)


def index_html(rows: list[dict[str, Any]], *, lang: str = "fr", title: str | None = None) -> str:
    """The index page (a full HTML document) for ``rows`` from :func:`index_rows`."""
    title = title or t("batch.index_title", lang)
    synthesis = [r for r in rows if r["territory"] == ALL_TERRITORIES]
    body = []
    for row in synthesis:
        if row["html"]:
            body.append(f'<p><a href="{escape(row["html"])}">{escape(t("batch.index_synthesis", lang))}</a>'
                        f" ({escape(row['notebook'])}, {_when(row['finished_at'])})</p>")
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in (
        "batch.index_territory", "batch.index_notebook", "batch.index_status", "batch.index_updated",
        "batch.index_seconds", "batch.index_report"))
    lines = []
    for row in rows:
        if row["territory"] == ALL_TERRITORIES:
            continue
        if row["status"] == "ok":
            status, css = t("batch.index_ok", lang), "ok"
        elif row["status"] == "failed":
            key = "batch.index_failed_kept" if row["html"] else "batch.index_failed"
            status, css = t(key, lang), "failed"
        else:
            status, css = t("batch.index_none", lang), "none"
        links = " · ".join(f'<a href="{escape(row[kind])}">{kind.upper()}</a>'
                           for kind in ("html", "ipynb") if row[kind]) or "—"
        seconds = f"{row['seconds']:.1f}" if isinstance(row.get("seconds"), int | float) else "—"
        lines.append(f"<tr><td>{escape(str(row['label']))}</td><td>{escape(row['notebook'])}</td>"
                     f'<td class="{css}">{escape(status)}</td><td>{_when(row["finished_at"])}</td>'
                     f"<td>{seconds}</td><td>{links}</td></tr>")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{''.join(body)}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"
            f"<footer>{escape(t('batch.index_generated', lang, version=__version__, time=now))}</footer>"
            f"</body></html>\n")


def write_index(reports_dir: str | Path, states: dict[str, dict[str, dict[str, Any]]], *,
                lang: str = "fr", title: str | None = None) -> Path:
    """Write ``<reports_dir>/index.html`` atomically; return its path."""
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / "index.html"
    tmp = path.with_name(f".index.html.{os.getpid()}.tmp")
    tmp.write_text(index_html(index_rows(reports_dir, states), lang=lang, title=title), encoding="utf-8")
    os.replace(tmp, path)
    return path
