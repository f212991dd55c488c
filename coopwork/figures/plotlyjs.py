"""Which plotly.js draws coopwork's figures in a browser: the one place that chooses the file.

The figures only use cartesian traces (bar, box, scatter), so pages load plotly's *cartesian* bundle
(1.5 MB) rather than the whole plotly.js (4.8 MB: every trace type, maps and 3-D), at the same
plotly.js version as the ``plotly`` package's:

- ``make`` fetches it from the npm registry into ``coopwork/dashboard/static/`` (not committed), next
  to the dashboard page's own script, both served from there;
- without it (no npm on the machine), pages load the full ``plotly.min.js`` that ships with the
  ``plotly`` Python package: the same charts, a heavier page.

The dashboards serve the chosen file (:mod:`coopwork.dashboard.assets`); the static site copies it
and loads it on the pages whose charts keep to :data:`LIGHT_TRACES` (:mod:`coopwork.export.site`).

Examples
--------
>>> plotly_js().name in (LIGHT_PLOTLY, "plotly.min.js"), "bar" in LIGHT_TRACES, "scattergeo" in LIGHT_TRACES
(True, True, False)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["LIGHT_PLOTLY", "LIGHT_TRACES", "full_plotly", "light_plotly", "plotly_js"]

#: plotly's cartesian partial bundle, fetched by ``make`` (see the module's docstring)
LIGHT_PLOTLY = "plotly-cartesian.min.js"
#: the trace types the cartesian bundle draws (its README; ``tests/dashboard/test_assets.py`` reads them
#: from the bundle and checks that every dashboard figure keeps to them)
LIGHT_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                          "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"})
#: where ``make`` puts the cartesian bundle
_FETCHED = Path(__file__).resolve().parents[1] / "dashboard" / "static" / LIGHT_PLOTLY


def full_plotly() -> Path:
    """The whole plotly.js shipped with the ``plotly`` Python package (found without importing it)."""
    spec = importlib.util.find_spec("plotly")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def light_plotly() -> Path | None:
    """The cartesian bundle, when ``make`` could fetch it."""
    return _FETCHED if _FETCHED.is_file() else None


def plotly_js() -> Path:
    """The plotly.js a dashboard page loads: the cartesian bundle when it is there, else the full one."""
    return light_plotly() or full_plotly()

