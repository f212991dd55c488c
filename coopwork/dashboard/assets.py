"""The dashboard's two front-end files, and the URLs a page loads them from.

A dashboard page draws its charts with its own small script, ``static/page.js``, and one plotly.js.
Not the ``jupyterlab-plotly`` renderer: that extension carries the whole of plotly.js (4.8 MB, every
trace type, maps and 3-D included), which each page of a workshop's 30 phones would parse.
The dashboard's figures only use cartesian traces (bar, box, scatter), so the page loads plotly's
*cartesian* bundle (1.5 MB), the same plotly.js version as the ``plotly`` package:

- ``make`` fetches it from the npm registry into ``coopwork/dashboard/static/`` (not committed);
- without it (no npm on the machine), pages load the full ``plotly.min.js`` that ships with the
  ``plotly`` Python package: the same charts, a heavier page.

Both files are served under ``<base url>coopwork/static/`` (:func:`asset_handler`) by the
dashboards' server (:class:`coopwork.dashboard.voila_app.WorkshopVoila`) and, as a Jupyter server
extension of this module, by ``coopwork lab``: a researcher who opens the dashboard notebook in
JupyterLab sees its charts too. Their content hash is in the query string (``?v=``), so that browsers
keep them for good and reload nothing (tornado's versioned static files).

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

from tornado import web

__all__ = ["ASSETS", "LIGHT_PLOTLY", "LIGHT_TRACES", "STATIC", "URL_PREFIX", "AssetHandler", "asset_handler",
           "asset_path", "asset_url", "full_plotly", "light_plotly"]

STATIC = Path(__file__).resolve().parent / "static"
#: where the server serves the assets, under its base URL
URL_PREFIX = "coopwork/static/"
#: plotly's cartesian partial bundle, fetched by ``make`` (see the module's docstring)
LIGHT_PLOTLY = "plotly-cartesian.min.js"
#: the trace types the cartesian bundle draws (its README; ``tests/dashboard/test_assets.py`` reads them
#: from the bundle and checks that every dashboard figure keeps to them)
LIGHT_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                          "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"})
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


class AssetHandler(web.StaticFileHandler):
    """The dashboard's front-end files (:data:`ASSETS`), by name only.

    Asked for with their content hash (``?v=``), they are cached for good (tornado's versioned
    static files); any other name is a 404.
    """

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        try:
            return str(asset_path(path))
        except KeyError:
            raise web.HTTPError(404) from None

    def validate_absolute_path(self, root: str, absolute_path: str) -> str:
        return absolute_path  # one of the known files, wherever the plotly package keeps its bundle


def asset_handler(base_url: str) -> tuple:
    """The tornado route of the assets under a server's base URL."""
    from jupyter_server.utils import url_path_join

    return (url_path_join(base_url, "/" + URL_PREFIX + "(.*)"), AssetHandler, {"path": str(STATIC)})


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """As a Jupyter server extension (``coopwork lab``): serve the assets there too."""
    serverapp.web_app.add_handlers(".*$", [asset_handler(serverapp.base_url)])
