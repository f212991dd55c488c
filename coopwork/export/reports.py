"""The batch reports an export publishes speak the export's language.

A report is written in the language it was run in (``coopwork run --lang``); an export in another
language (``coopwork export --lang ro``) runs the reports again in its own language before it copies
them (:func:`reports_in_language`), and never publishes one that still speaks another
(:func:`report_language`).

Examples
--------
>>> import json, tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "territory_report.ipynb").write_text(json.dumps(
...     {"metadata": {"papermill": {"parameters": {"lang": "ro"}}}, "cells": []}))
>>> _ = (folder / "territory_report.html").write_text('<html lang="en">')
>>> report_language(folder / "territory_report.html")
'ro'
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..i18n import normalise_lang, t
from ..paths import reports_dir

__all__ = ["report_language", "reports_in_language"]

_HTML_LANG = re.compile(r"<html\b[^>]*\blang=[\"']?([A-Za-z-]+)", re.IGNORECASE)


def report_language(html: Path) -> str | None:
    """The language a batch report was run in: its notebook's ``lang`` parameter (papermill's record),
    else the language its page declares; ``None`` when neither says."""
    notebook = html.with_suffix(".ipynb")
    if notebook.is_file():
        try:
            metadata = json.loads(notebook.read_text(encoding="utf-8")).get("metadata") or {}
        except (OSError, ValueError):
            metadata = {}
        lang = ((metadata.get("papermill") or {}).get("parameters") or {}).get("lang")
        if isinstance(lang, str):
            return normalise_lang(lang)
    try:
        with html.open(encoding="utf-8", errors="replace") as handle:
            found = _HTML_LANG.search(handle.read(4096))
    except OSError:
        return None
    return normalise_lang(found.group(1)) if found else None


def reports_in_language(ws, territories: list[str], *, lang: str, wave: str | None,
                        min_count: int) -> list[str]:
    """Run again, in ``lang``, the batch reports of ``territories`` (and the synthesis) that were run in
    another language; return the warnings of those that could not be (their reports are then not
    published)."""
    from ..batch import run_batch
    from ..errors import CoopworkError

    stale: dict[str, list[str]] = {}  # notebook → territories ("" for the synthesis)
    for territory in [*territories, ""]:
        folder = reports_dir(ws.reports_dir, territory or None)
        pages = sorted(folder.glob("*.html")) if territory else [folder / "synthesis.html"]
        for page in pages:
            if page.is_file() and page.name != "index.html" and report_language(page) not in (lang, None):
                stale.setdefault(page.stem, []).append(territory)
    warnings = []
    for stem, places in stale.items():
        named = [p for p in places if p]
        try:
            ran = run_batch(ws.root, territories=named or None, notebook=f"{stem}.ipynb", wave=wave,
                            lang=lang, min_count=min_count, show_progress=False)
        except CoopworkError as err:
            warnings.append(t("export.warn_report_language", lang, notebook=stem, error=err.render(lang)))
            continue
        for failure in ran.failed:
            warnings.append(t("export.warn_report_language", lang, notebook=stem,
                              error=f"{failure['territory']}: {failure.get('ename') or ''}"))
    return warnings
