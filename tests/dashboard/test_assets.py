"""The dashboard's front-end files: which plotly.js a page loads, and which figures it can draw."""

from __future__ import annotations

import re

import pytest

from coopwork.dashboard.assets import asset_path, asset_url
from coopwork.figures.plotlyjs import LIGHT_TRACES, full_plotly, light_plotly


def _trace_types(bundle: str) -> set[str]:
    """The trace modules a plotly.js bundle registers."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))


def test_the_light_bundle_draws_the_traces_it_is_said_to():
    bundle = light_plotly()
    if bundle is None:
        pytest.skip("plotly's cartesian bundle was not fetched (make fetches it with npm)")
    text = bundle.read_text(encoding="utf-8")
    assert _trace_types(text) == LIGHT_TRACES
    # the same plotly.js as the plotly package's (figures are checked by that version)
    def version(bundle: str) -> str:
        return re.search(r"plotly\.js .*?v(\d+\.\d+\.\d+)", bundle[:300]).group(1)

    assert version(text) == version(full_plotly().read_text(encoding="utf-8"))
    assert asset_path("plotly.js") == bundle and bundle.stat().st_size < full_plotly().stat().st_size / 2


def test_every_dashboard_figure_keeps_to_the_light_bundle(precomputed_workspace):
    from coopwork.fileio import load_with_breakdown

    files = [f for f in (precomputed_workspace / ".coopwork" / "results").rglob("*.json")
             if not f.name.endswith(".by_org_type.json") and f.name[:1].isdigit()]
    used: set[str] = set()
    for file in files:
        bundle = load_with_breakdown(file)
        for view in (bundle or {}).get("views", {}).values():
            for chart in view.get("charts", []):
                traces = (chart.get("figure") or {}).get("data", [])
                used |= {trace.get("type", "scatter") for trace in traces}
    assert files and used and used <= LIGHT_TRACES, sorted(used - LIGHT_TRACES)


def test_asset_urls_carry_the_content_hash(tmp_path):
    first = asset_url("page.js")
    assert re.fullmatch(r"coopwork/static/page\.js\?v=[0-9a-f]{12}", first)
    with pytest.raises(KeyError):
        asset_path("../voila.json")
