"""Reading and writing result files: JSON only, light enough for every dashboard kernel.

Nothing here imports pandas: a Voilà kernel reads a territory's results with :func:`load` and
the list of territories and waves with :func:`read_index`.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "r.json"
>>> write_json(path, {"version": RESULTS_VERSION, "key": "k"})
>>> load(path)["key"], load(path.with_name("missing.json"))
('k', None)
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .paths import breakdown_file, dashboards_index

__all__ = ["RESULTS_VERSION", "load", "load_with_breakdown", "read_index", "write_json"]

#: changes whenever the shape or the rules of the results change (part of every key)
#: 9: every kind of question has a display (repeats, dates, ranks, texts counted); the form's sections
#: 10: a chart counted per row of a repeat says so on its axes
#: 11: a hidden cell reads by its rule ("< 3" small, "masqué" otherwise); histograms of whole bins,
#: outliers apart; one place words a chart's axes after its unit (ties, rows)
#: 12: dimensions named by one vocabulary (coopwork.vocabulary), labels falling back through English
#: 13: each result keeps the graph it publishes (before names are hidden): the export's dynamic GEXF
#: reads it instead of rebuilding every wave's network
RESULTS_VERSION = 13


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file in the same folder, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # dumps, not dump: one pass of the C encoder
            out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load(path: str | Path) -> dict | None:
    """A stored result (None when missing, unreadable or of another results version)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == RESULTS_VERSION else None


def load_with_breakdown(path: str | Path) -> dict | None:
    """A stored result with the views of each organisation type merged in (when they were prepared
    for this very result: the breakdown records the key of the result it was computed with)."""
    results = load(path)
    if results is None:
        return None
    extra = load(breakdown_file(path))
    if extra is not None and extra.get("of") == results.get("key"):
        results["views"] = {**results["views"], **extra["views"]}
    return results


def read_index(root: str | Path) -> dict | None:
    """The workspace's results index (survey, waves, territories, current waves), or None."""
    try:
        return json.loads(dashboards_index(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
