"""The dashboard's two front-end files, and the URLs a page loads them from.

A dashboard page draws its charts with its own small script, ``static/page.js``, and one plotly.js.
Not the ``jupyterlab-plotly`` renderer: that extension carries the whole of plotly.js (4.8 MB, every
trace type, maps and 3-D included), which each page of a workshop's 30 phones would parse.
The dashboard's figures only use cartesian traces (bar, box, scatter), so the page loads plotly's
*cartesian* bundle (1.5 MB), the same plotly.js version as the ``plotly`` package:

- ``make`` fetches it from the npm registry into ``coopwork/dashboard/static/`` (not committed);
- without it (no npm on the machine), pages load the full ``plotly.min.js`` that ships with the
  ``plotly`` Python package: the same charts, a heavier page.

Both files are served by :class:`coopwork.dashboard.voila_app.WorkshopVoila` under
``<base url>coopwork/static/``, with their content hash in the query string (``?v=``) so that
browsers keep them for good and reload nothing (tornado's versioned static files).

Examples
--------
>>> url = asset_url("page.js")
>>> url.startswith("coopwork/static/page.js?v="), len(url.split("=")[1])
(True, 12)
>>> sorted(ASSETS), asset_path("plotly.js").name in (LIGHT_PLOTLY, "plotly.min.js")
(['page.js', 'plotly.js'], True)
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__all__ = ["ASSETS", "LIGHT_PLOTLY", "STATIC", "URL_PREFIX", "asset_path", "asset_url", "full_plotly",
           "light_plotly"]

STATIC = Path(__file__).resolve().parent / "static"
#: where the server serves the assets, under its base URL
URL_PREFIX = "coopwork/static/"
#: plotly's cartesian partial bundle, fetched by ``make`` (see the module's docstring)
LIGHT_PLOTLY = "plotly-cartesian.min.js"
#: the names a page asks for
ASSETS = ("page.js", "plotly.js")


def full_plotly() -> Path:
    """The whole plotly.js shipped with the ``plotly`` Python package."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def light_plotly() -> Path | None:
    """The cartesian bundle, when ``make`` could fetch it."""
    path = STATIC / LIGHT_PLOTLY
    return path if path.is_file() else None


def asset_path(name: str) -> Path:
    """The file behind one of :data:`ASSETS`.

    Raises
    ------
    KeyError
        For any other name (the server answers 404).
    """
    if name == "page.js":
        return STATIC / "page.js"
    if name == "plotly.js":
        return light_plotly() or full_plotly()
    raise KeyError(name)


@cache
def _version(path: Path, size: int, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(name: str) -> str:
    """The URL of an asset relative to the server's base URL, with its content hash as version."""
    path = asset_path(name)
    stat = path.stat()
    return f"{URL_PREFIX}{name}?v={_version(path, stat.st_size, stat.st_mtime)}"
