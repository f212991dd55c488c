"""The dashboard's two front-end files, and the URLs a page loads them from.

A dashboard page draws its charts with its own small script, ``static/page.js``, and one plotly.js.
Not the ``jupyterlab-plotly`` renderer: that extension carries the whole of plotly.js (4.8 MB, every
trace type, maps and 3-D included), which each page of a workshop's 30 phones would parse. Which
plotly.js it is — plotly's cartesian bundle when ``make`` could fetch it, else the full one — is
chosen by :func:`coopwork.figures.plotlyjs.plotly_js` (the static site takes the same file).

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
>>> sorted(ASSETS), asset_path("plotly.js") == plotly_js()
(['page.js', 'plotly.js'], True)
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from tornado import web

from ..figures.plotlyjs import plotly_js

__all__ = ["ASSETS", "STATIC", "URL_PREFIX", "AssetHandler", "asset_handler", "asset_path", "asset_url"]

STATIC = Path(__file__).resolve().parent / "static"
#: where the server serves the assets, under its base URL
URL_PREFIX = "coopwork/static/"
#: the names a page asks for
ASSETS = ("page.js", "plotly.js")


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
        return plotly_js()
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
    from jupyter_server.utils import url_path_join  # lazy: 30 ms more for every dashboard kernel (asset_url)

    return (url_path_join(base_url, "/" + URL_PREFIX + "(.*)"), AssetHandler, {"path": str(STATIC)})


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """As a Jupyter server extension (``coopwork lab``): serve the assets there too."""
    serverapp.web_app.add_handlers(".*$", [asset_handler(serverapp.base_url)])
