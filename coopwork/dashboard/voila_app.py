"""The Voilà server of ``coopwork serve``, with pages light enough for a room of phones on one Wi-Fi.

Voilà's defaults suit one analyst on a laptop; a workshop is 30 phones loading the same page
over the room's network. :class:`WorkshopVoila` is Voilà with three server settings changed:

- **compressed**: HTTP responses (the page, its scripts and styles) are gzipped (tornado's
  ``compress_response``), and the kernel's websocket — which carries the charts' data — uses
  per-message deflate (with the light plotly.js, a first visit is 2.2 MB against 11.9 MB with
  plain Voilà: ``benchmarks/dashboard_browser.py``);
- **cacheable**: the front-end extensions' files, whose names carry a content hash, are sent
  with a one-year ``immutable`` cache header (Voilà sends ``no-cache``), and Voilà's own
  scripts may be kept for a day, so a reload costs the page and the widgets' data only;
- which front-end extensions a page loads is set in ``voila.json``
  (``VoilaConfiguration.extension_allowlist``, see :data:`EXTENSIONS`): the widgets only, not every
  extension installed in the environment. Charts are drawn by the page's own script with a light
  plotly.js, served under ``coopwork/static/`` (:mod:`coopwork.dashboard.assets`).

Run as ``python -m coopwork.dashboard.voila_app <folder>`` (what :func:`coopwork.dashboard.serve.start`
does); it reads the same ``voila.json`` as Voilà, whose page template is coopwork's
(:data:`coopwork.dashboard.serve.TEMPLATES`: nothing fetched from a CDN).

Examples
--------
>>> "jupyterlab-plotly" in EXTENSIONS, "@jupyter-widgets/jupyterlab-manager" in EXTENSIONS
(False, True)
>>> issubclass(WorkshopVoila, __import__("voila.app").app.Voila)
True
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler

from .assets import asset_handler

__all__ = ["EXTENSIONS", "DayCachedStaticFileHandler", "WorkshopVoila", "main"]

# the front-end extensions a dashboard page needs: ipywidgets (its manager and Voilà's widget manager
# for ipywidgets 8). Not loaded: the jupyterlab-plotly renderer (the whole of plotly.js: the page draws
# its charts itself), JupyterLab's code-highlighting theme and any other extension installed in the
# environment (jupytext, ...).
EXTENSIONS = ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]
# Voilà's own scripts have no content hash in their names: kept a day, then revalidated (a 304)
STATIC_MAX_AGE = 86400


class DayCachedStaticFileHandler(MultiStaticFileHandler):
    """Voilà's static files, cacheable for :data:`STATIC_MAX_AGE` seconds (Voilà sets no cache header)."""

    def get_cache_time(self, path: str, modified, mime_type: str) -> int:
        cached = super().get_cache_time(path, modified, mime_type)
        return cached or STATIC_MAX_AGE


class WorkshopVoila(Voila):
    """Voilà, compressing what it sends and letting browsers cache its front-end files."""

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["compress_response"] = True  # read by tornado when the application is built
        settings["websocket_compression_options"] = {}  # per-message deflate on the kernel channel
        settings["static_immutable_cache"] = [url_path_join(self.server_url or self.base_url,
                                                            "/voila/labextensions/")]
        return settings

    def init_handlers(self) -> list:
        handlers = []
        for handler in super().init_handlers():
            pattern, cls, *rest = handler
            if cls is MultiStaticFileHandler:
                cls = DayCachedStaticFileHandler
            elif pattern.endswith("/voila/labextensions/(.*)") and rest:
                rest = [{**rest[0], "no_cache_paths": []}]  # hashed names: see static_immutable_cache
            handlers.append((pattern, cls, *rest))
        handlers.append(asset_handler(self.server_url))
        return handlers


main = WorkshopVoila.launch_instance

if __name__ == "__main__":
    main()
