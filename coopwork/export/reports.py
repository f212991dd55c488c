"""The batch reports an export publishes speak the export's language.

A report is written in the language it was run in (``coopwork run --lang``). The export publishes only
the reports that speak its language (:func:`report_language`) and never runs the batch: it reads the
reports folder. :func:`stale_reports` names those in another language, which the ``coopwork export``
command (:mod:`coopwork.export.cli`, the shell) runs again in the export's language before it exports.

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

from ..i18n import normalise_lang
from ..paths import reports_dir

__all__ = ["report_language", "stale_reports"]

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


def stale_reports(ws, territories: list[str], *, lang: str) -> dict[str, list[str]]:
    """The batch reports of ``territories`` (and the synthesis) run in another language than ``lang``:
    notebook stem → the territories whose report it is (``""`` for the synthesis).

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "nord").mkdir()
    >>> _ = (root / "nord" / "territory_report.html").write_text('<html lang="fr">')
    >>> _ = (root / "synthesis.html").write_text('<html lang="en">')
    >>> stale_reports(SimpleNamespace(reports_dir=root), ["nord", "sud"], lang="en")
    {'territory_report': ['nord']}
    """
    stale: dict[str, list[str]] = {}
    for territory in [*territories, ""]:
        folder = reports_dir(ws.reports_dir, territory or None)
        pages = sorted(folder.glob("*.html")) if territory else [folder / "synthesis.html"]
        for page in pages:
            if page.is_file() and page.name != "index.html" and report_language(page) not in (lang, None):
                stale.setdefault(page.stem, []).append(territory)
    return stale
