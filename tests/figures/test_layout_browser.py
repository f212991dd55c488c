"""Every kind of chart read as a person reads it, in real Chromium, at desktop and phone size.

The charts are those of a territory's results (the demo workspace), one of each kind, plus the
hardest cases seen in real use (long labels, many hidden cells). They are drawn by the dashboard's own
page script (``dashboard/static/page.js``: the phone variant below 700 px, plotly's config) from the
HTML the dashboard sends (``app.chart_html``), and the drawn text boxes are measured
(``tests/layout_check.js``): no text cut by a chart's edge, no two texts over one another, no whisker
across a text, no page wider than the screen. Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def chart_kind(figure: dict) -> str:
    """The kind of a figure of :mod:`coopwork.figures`, read from its traces and layout."""
    layout, data = figure.get("layout", {}), figure.get("data", [])
    types = {trace.get("type") for trace in data}
    bars = [trace for trace in data if trace.get("type") == "bar"]
    if layout.get("yaxis", {}).get("scaleanchor") == "x":
        return "network"
    if "box" in types:
        return "box"
    if layout.get("barmode") == "relative":
        return "likert"
    if bars and all(trace.get("orientation") != "h" for trace in bars):
        return "histogram"
    if len(bars) > 1:
        return "grouped_bar"
    if bars:
        return "bar"
    if (layout.get("xaxis") or {}).get("type") == "category":
        return "change"
    if "scatter" in types:
        return "scores"
    return "other"


@pytest.fixture(scope="module")
def gallery(demo_prepared) -> dict[str, list[dict]]:
    """The charts of the demo's territories (French, every organisation), grouped by kind."""
    from coopwork.fileio import load
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    ws = open_workspace(demo_prepared)  # its results are current: read, not computed
    entries = ensure(ws, territories=None, waves=None, langs=("fr",), min_count=3, jobs=1)
    kinds: dict[str, list[dict]] = {}
    for entry in entries:
        if entry.territory is None:
            continue
        for chart in load(entry.path)["views"][""]["charts"]:
            if chart.get("figure"):
                kinds.setdefault(chart_kind(chart["figure"]), []).append(chart)
    # the kinds the demo's pages do not draw: a question by territory, as stacked bars and as boxes
    from coopwork.analysis.summary import summarise
    from coopwork.figures import bar_chart, box_chart

    survey, responses = ws.survey, ws.responses(wave="2026")
    choice = survey.role("org_type").name
    number = next(q.name for q in survey.top_level if q.is_numeric)
    grouped = summarise(responses, survey, choice, by="_territory", lang="fr", min_count=3)
    boxes = summarise(responses, survey, number, by="_territory", lang="fr", min_count=3)
    kinds["grouped_bar"] = [{"id": "grouped", "title": "",
                             "figure": bar_chart(grouped, survey=survey, lang="fr")}]
    kinds["box"] = [{"id": "box", "title": "", "figure": box_chart(boxes, survey=survey, lang="fr")}]
    return kinds


def _hardest(charts: list[dict], kind: str) -> list[dict]:
    """A few charts of a kind: the first, the one with the most hidden cells, the one with the longest
    labels (the cases that break a layout first)."""
    def hidden(chart: dict) -> int:  # the annotations that stand for hidden cells, and other notes
        return len(chart["figure"]["layout"].get("annotations", []))

    def longest(chart: dict) -> int:
        return max((len(str(y)) for trace in chart["figure"]["data"] for y in (trace.get("y") or [])
                    if isinstance(y, str)), default=0)

    picks = [charts[0], max(charts, key=hidden), max(charts, key=longest)]
    unique = list({id(c): c for c in picks}.values())
    return unique if kind != "network" else unique[:1]


# the tab panel around the charts, as wide as the dashboard's (a chart 340 px wide on a 390 px phone)
_PANEL = "<style>body { margin: 0; } .cw-panel { border: 1px solid #bbb; padding: 4px 18px; }</style>"


def _page(charts: list[dict]) -> str:
    """A page as the dashboard builds it: its CSS, each chart's HTML, the page script that draws them."""
    from coopwork.dashboard.assets import asset_path
    from coopwork.dashboard.charts import chart_html
    from coopwork.dashboard.styles import CSS

    blocks = "".join(f'<div class="cw-chart cw-has-figure cw-chart-{i}">'
                     f'<div class="cw-plot-box">{chart_html(chart, [], lang="fr")}</div></div>'
                     for i, chart in enumerate(charts))
    script = (f'<script src="{asset_path("page.js").as_uri()}" '
              f'data-plotly="{asset_path("plotly.js").as_uri()}" data-narrow-below="700"></script>')
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{CSS}{_PANEL}</head>'
            f'<body><div class="cw-dashboard"><div class="cw-panel">{blocks}</div></div>{script}'
            '</body></html>')


KINDS = ("bar", "grouped_bar", "likert", "histogram", "box", "scores", "change", "network")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_chart_reads_well_at_desktop_and_phone_size(chromium, gallery, tmp_path, kind, size,
                                                                 layout_problems):
    if kind not in gallery:
        pytest.skip(f"the demo has no {kind} chart")
    charts = _hardest(gallery[kind], kind)
    page_file = tmp_path / f"{kind}.html"
    page_file.write_text(_page(charts), encoding="utf-8")
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(page_file.as_uri())
        # page.js draws the charts on the screen first: a tall window shows them all
        page.set_viewport_size({"width": width, "height": 8000})
        page.wait_for_function("n => document.querySelectorAll('.cw-plot.cw-drawn .main-svg').length >= n",
                               arg=len(charts), timeout=120_000)
        page.wait_for_timeout(300)
        problems = layout_problems(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for i, chart in enumerate(page.locator(".cw-chart").all()):
            chart.screenshot(path=str(SHOTS / f"chart_{kind}_{size}_{i}.png"))
    finally:
        page.close()
    assert problems == [], f"{kind} at {size}:\n" + "\n".join(problems[:15])
