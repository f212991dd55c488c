"""What a note is about: a whole chart, or one bar of it — the one place that names a chart's bars in a note.

A note is stored with the ``chart`` it is about. A note about one bar or option of a chart is stored
with ``chart`` = ``"<chart id>#<key>"`` (:data:`OPTION_MARK`), the key being the bar's code in the
figure's ``ids`` (an option or group code, a question name), the same in every language; notes stored
by label before there were codes still match the bar of that label. The dashboards write these keys
(:mod:`coopwork.dashboard.page`) and mark the bars that have notes; the export names them on its
published pages (:mod:`coopwork.export.content`). Both read the bars of a chart with
:func:`chart_options`.

Examples
--------
>>> figure = {"data": [{"type": "bar", "orientation": "h", "y": ["Scop", "Asso"], "ids": ["scop", "asso"]}]}
>>> chart_options(figure)
[('scop', 'Scop'), ('asso', 'Asso')]
>>> note_chart("org_type", "scop"), note_chart("org_type", "")
('org_type#scop', 'org_type')
>>> option_of({"chart": "org_type#scop"}), option_of({"chart": "org_type"})
('scop', '')
"""

from __future__ import annotations

__all__ = ["OPTION_MARK", "bar_keys", "chart_options", "note_chart", "notes_of", "option_of", "plain"]

#: between a chart's id and the key of one of its bars in the ``chart`` of a note
OPTION_MARK = "#"


def note_chart(chart_id: str, key: str = "") -> str:
    """The ``chart`` a note is stored with: the chart's id, and the bar's key when it is about one bar."""
    return chart_id + (f"{OPTION_MARK}{key}" if key else "")


def option_of(note: dict) -> str:
    """The key (or, for older notes, the label) of the bar a note is about; ``""`` for the whole chart."""
    chart = str(note.get("chart", ""))
    return chart.split(OPTION_MARK, 1)[1] if OPTION_MARK in chart else ""


def notes_of(notes: dict[str, list[dict]], chart_id: str) -> list[dict]:
    """The notes of one chart and of its bars, oldest first, from notes grouped by their ``chart``.

    Examples
    --------
    >>> grouped = {"a": [{"id": 3}], "a#x": [{"id": 1}], "ab": [{"id": 2}]}
    >>> [n["id"] for n in notes_of(grouped, "a")]
    [1, 3]
    """
    mine = [n for key, group in notes.items() if key == chart_id or key.startswith(chart_id + OPTION_MARK)
            for n in group]
    return sorted(mine, key=lambda n: n.get("id") or 0)


def chart_options(figure: dict | None) -> list[tuple[str, str]]:
    """The bars or options of a chart a note can be about: ``(key, label)`` of the categories of its bar
    traces, in order. The key is the category's code in the trace's ``ids`` (the same in every
    language), or its label when the trace has none.

    Examples
    --------
    >>> chart_options({"data": [{"type": "bar", "orientation": "h", "y": ["Scop", "Très<br>grande asso"],
    ...                          "ids": ["scop", "big"]},
    ...                         {"type": "bar", "orientation": "h", "y": ["Scop"], "ids": ["scop"]}],
    ...                "layout": {}})
    [('scop', 'Scop'), ('big', 'Très grande asso')]
    >>> chart_options({"data": [{"type": "scatter", "x": [1], "y": [2]}], "layout": {}})
    []
    >>> chart_options({"data": [{"type": "bar", "x": [5.0, 15.0], "ids": ["0–10", "10–20"]}], "layout": {}})
    [('0–10', '0–10'), ('10–20', '10–20')]
    """
    seen: dict[str, str] = {}
    for trace in (figure or {}).get("data", []):
        for key, category in bar_keys(trace):
            seen.setdefault(key, _label(key, category))
    return list(seen.items())


def bar_keys(trace: dict) -> list[tuple[str, object]]:
    """``(key, category)`` of each bar of a trace (none when it is not a bar trace)."""
    if trace.get("type") != "bar":
        return []
    categories = (trace.get("y") if trace.get("orientation") == "h" else trace.get("x")) or []
    ids = trace.get("ids") or [None] * len(categories)
    return [(str(key) if key is not None else plain(category), category)
            for key, category in zip(ids, categories, strict=False) if category is not None]


def plain(category: object) -> str:
    """A category label without the line breaks of wrapping (what participants read)."""
    return " ".join(str(category).replace("<br>", " ").split())


def _label(key: str, category: object) -> str:
    """What participants read for a bar: its category, or its key when the category is a number (a
    histogram's bin is placed at its centre, its key says its range)."""
    return key if isinstance(category, int | float) else plain(category)
