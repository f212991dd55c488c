"""A figure as an HTML fragment for a static page (the site's pages, the batch reports).

The fragment holds the figure twice: as drawn on a screen, and laid out for a phone
(:func:`coopwork.figures.theme.narrow`); its script draws the one that fits the width of the
window, as the dashboards do (below :data:`~coopwork.figures.theme.NARROW_BELOW` pixels: the phone
layout, without plotly's toolbar). The figure's JSON cannot close its ``<script>`` element. The page
loads plotly.js itself.

Examples
--------
>>> html = figure_html({"data": [{"type": "bar", "x": [1]}], "layout": {"height": 300}}, div_id="c")
>>> 'id="c"' in html, "Plotly.newPlot" in html, html.count("</script>")
(True, True, 1)
"""

from __future__ import annotations

import json
from html import escape

from .theme import NARROW_BELOW, narrow, with_template

__all__ = ["figure_html"]

#: plotly's options on a static page: no logo, no cloud button, follows the window's width
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


def _ready(figure: dict) -> dict:
    """The figure with the template, following the width of the page."""
    full = with_template(figure)
    layout = {k: v for k, v in full["layout"].items() if k != "width"}
    layout["autosize"] = True
    return {"data": full["data"], "layout": layout}


def _json(value: object) -> str:
    """JSON that cannot close the ``<script>`` element it is written in."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def figure_html(figure: dict, *, div_id: str, config: dict | None = None) -> str:
    """The ``<div>`` and ``<script>`` that draw ``figure`` (a figure dict of :mod:`coopwork.figures`), on
    a phone in its phone layout. ``config`` is added to plotly's options (:data:`CONFIG`)."""
    wide, phone = _ready(figure), _ready(narrow(figure))
    options = {**CONFIG, **(config or {})}
    height = int(wide["layout"].get("height") or 450)
    return (f'<div id="{escape(div_id)}" class="plotly-graph-div" style="width:100%;height:{height}px"></div>'
            f"<script>(function () {{var f = {_json(wide)}, p = {_json(phone)}, c = {_json(options)};"
            f"var e = document.getElementById({_json(div_id)});"
            f"if (window.innerWidth < {NARROW_BELOW}) {{f = p; e.style.height = p.layout.height + 'px';"
            "c = Object.assign({}, c, {displayModeBar: false});}"
            "Plotly.newPlot(e, f.data, f.layout, c);})();</script>")
