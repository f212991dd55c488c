"""A chart as a dashboard page receives it: its figure with the marks of its notes, its phone variant.

A chart travels to the page as inert JSON in an HTML widget (:func:`chart_html`): the figure and
its phone variant (:func:`chart_payload`). The page's own script (``static/page.js``, see
:mod:`coopwork.dashboard.assets`) draws them with a light plotly.js, the charts on the screen first,
and chooses the variant by the screen's width itself: no round trip to the kernel before a phone
shows its first chart. A bar that has notes carries a mark (:func:`marked_figure`).

Examples
--------
>>> chart = {"id": "q", "title": "Q", "figure": {"data": [{"type": "bar", "x": ["a"], "y": [1]}],
...                                              "layout": {"height": 300}}}
>>> sorted(chart_payload(chart, []))
['config', 'figure', 'phone']
"""

from __future__ import annotations

import json
from html import escape

from ..figures.theme import narrow, with_template
from ..i18n import t
from ..journal.about import bar_keys, option_of, plain

__all__ = ["PLOTLY_CONFIG", "chart_html", "chart_payload", "marked_figure"]

#: plotly's config of every chart; page.js resizes the charts itself (plotly's "responsive" listens on the
#: window for every chart ever drawn)
PLOTLY_CONFIG = {"displaylogo": False, "responsive": False, "scrollZoom": False,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


def marked_figure(figure: dict, notes: list[dict]) -> dict:
    """The figure with a mark (✎ and the number of notes) at the right end of each bar that has notes.

    Examples
    --------
    A note names its bar by key (see :mod:`coopwork.journal.about`), or by label for notes stored before keys.

    >>> bar = {"type": "bar", "orientation": "h", "y": ["Scop", "Asso"], "ids": ["scop", "asso"], "x": [1, 2]}
    >>> fig = {"data": [bar], "layout": {}}
    >>> marked = marked_figure(fig, [{"chart": "org_type#asso"}, {"chart": "org_type#Asso"}])
    >>> [(a["y"], a["text"]) for a in marked["layout"]["annotations"]]
    [('Asso', '✎ 2')]
    """
    counts: dict[str, int] = {}
    for note in notes:
        option = option_of(note)
        if option:
            counts[option] = counts.get(option, 0) + 1
    if not counts:
        return figure
    horizontal = any(tr.get("orientation") == "h" for tr in figure.get("data", []) if tr.get("type") == "bar")
    # on a phone the bar is not on its row's centre (its label is above it): theme.narrow says where
    shift = ((figure.get("layout") or {}).get("meta") or {}).get("bar_yshift") or 0
    marks = []
    for trace in figure.get("data", []):
        for key, category in bar_keys(trace):
            count = counts.pop(key, 0) + counts.pop(plain(category), 0)
            if count:
                position = ({"x": 1.0, "xref": "paper", "xanchor": "right", "y": category, "yref": "y",
                             "yshift": shift}
                            if horizontal else
                            {"y": 1.0, "yref": "paper", "yanchor": "top", "x": category, "xref": "x"})
                marks.append({**position, "text": f"✎ {count}", "showarrow": False,
                              "bgcolor": "#fff6e0", "bordercolor": "#e0a100", "font": {"size": 15},
                              "name": "cw-note-mark"})
    layout = {**figure["layout"], "annotations": [*figure["layout"].get("annotations", []), *marks]}
    return {**figure, "layout": layout}


def _shown(figure: dict, notes: list[dict]) -> dict:
    """The figure as a page draws it: the marks of the notes about its bars, the template, the title
    starting at the left edge of the chart (on a phone, long bar labels take half the width and a title
    aligned with the bars would run off the screen)."""
    shown = with_template(marked_figure(figure, notes))
    layout = shown["layout"]
    if isinstance(layout.get("title"), dict):
        shown["layout"] = {**layout, "title": {**layout["title"], "xref": "container", "x": 0.02}}
    return shown


def _patch(base: dict, variant: dict) -> dict:
    """What ``variant`` changes in ``base``: its layout keys and, per trace, its keys that differ."""
    layout = {k: v for k, v in variant["layout"].items() if base["layout"].get(k) != v}
    data = [{k: v for k, v in mine.items() if theirs.get(k) != v}
            for theirs, mine in zip(base["data"], variant["data"], strict=True)]
    return {"layout": layout, "data": data}


def chart_payload(chart: dict, notes: list[dict]) -> dict | None:
    """What the page draws for a chart (None when it has no figure): the figure with the marks of its
    notes, the phone variant as the keys it changes (:func:`coopwork.figures.theme.narrow`: labels
    above the bars, the network map fitted to the width…) and plotly's config.

    Examples
    --------
    >>> chart = {"id": "org_type", "title": "Types", "figure": {"data": [
    ...     {"type": "bar", "orientation": "h", "y": ["Société coopérative de production"], "x": [4]}],
    ...     "layout": {"height": 400}}}
    >>> payload = chart_payload(chart, [])
    >>> "y" in payload["phone"]["data"][0]  # the bars keep their categories on a phone…
    False
    >>> payload["phone"]["layout"]["yaxis"]["showticklabels"]  # …whose labels go above the bars
    False
    >>> "x" in payload["phone"]["data"][0], chart_payload({**chart, "figure": None}, [])
    (False, None)
    """
    if not chart.get("figure"):
        return None
    wide = _shown(chart["figure"], notes)
    phone = _patch(wide, _shown(narrow(chart["figure"]), notes))
    return {"figure": wide, "phone": phone, "config": PLOTLY_CONFIG}


def chart_html(chart: dict, notes: list[dict], *, lang: str = "fr") -> str:
    """A chart as the page receives it: :func:`chart_payload` as inert JSON that ``static/page.js`` draws,
    the chart's title shown until it is drawn (and what to do, in ``lang``, if it cannot be); or its
    message when it has no figure.

    Examples
    --------
    >>> chart = {"id": "q", "title": "<b>Q</b>", "figure": {"data": [{"type": "bar", "x": ["</script>"]}],
    ...                                                     "layout": {"height": 300}}}
    >>> html = chart_html(chart, [])
    >>> html.count("</script>"), "&lt;b&gt;Q&lt;/b&gt;" in html, "min-height:300px" in html
    (1, True, True)
    """
    payload = chart_payload(chart, notes)
    if payload is None:  # how many answered a free text or gave a position is news, not a warning
        kind = "cw-info" if chart.get("display") in ("answers", "positions") else "cw-message"
        return (f'<div class="{kind}"><strong>{escape(chart["title"])}</strong><br>'
                f'{escape(chart.get("message") or "")}</div>')
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    height = int(payload["figure"]["layout"].get("height", 450))
    failed = escape(t("dashboard.chart_not_drawn", lang), quote=True)
    return (f'<div class="cw-plot" style="min-height:{height}px" data-failed="{failed}">'
            f'<script type="application/json" class="cw-figure">{text}</script>'
            f'<p class="cw-plot-wait">{escape(chart["title"])}</p><div class="cw-plot-area"></div></div>')
