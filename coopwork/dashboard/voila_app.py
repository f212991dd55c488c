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

And three workshop habits:

- **a room that warms up still answers**: while no preheated page of a notebook is ready yet (the
  first minute after ``coopwork serve``), its visitors get a small page saying that the dashboard is
  being prepared, in their browser's language (:func:`waiting_page`), which asks again every few
  seconds and becomes the dashboard by itself;
- **trusted notebooks**: the notebooks coopwork writes have no outputs; the server signs those
  (Jupyter's own rule when it saves a notebook) with a key of its own (``NotebookNotary.data_dir``,
  set by :func:`coopwork.dashboard.serve.voila_config`), so that each kernel no longer logs "Notebook
  … is not trusted";
- **never an orphan**: the server stops (and its kernels with it) once the process that started it
  is gone, whatever ended it (a watchdog, on top of Linux's parent-death signal set by
  :func:`coopwork.dashboard.serve.start`).

Run as ``python -m coopwork.dashboard.voila_app <folder>`` (what :func:`coopwork.dashboard.serve.start`
does); it reads the same ``voila.json`` as Voilà, whose page template is coopwork's
(:data:`coopwork.dashboard.serve.TEMPLATES`: nothing fetched from a CDN).

Examples
--------
>>> "jupyterlab-plotly" in EXTENSIONS, "@jupyter-widgets/jupyterlab-manager" in EXTENSIONS
(False, True)
>>> issubclass(WorkshopVoila, __import__("voila.app").app.Voila)
True
>>> accepted_lang("de-CH,de;q=0.9,en;q=0.8", "fr"), accepted_lang("es-ES,es", "it"), accepted_lang("", "pt")
('de', 'it', 'pt')
>>> "Cette page se prépare" in waiting_page("fr")
True
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Integer, Unicode
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from ..i18n import LANGS, normalise_lang, t
from .assets import asset_handler
from .serve import EXTENSIONS

__all__ = ["EXTENSIONS", "PATIENCE", "WAIT_SECONDS", "DayCachedStaticFileHandler", "WorkshopPageHandler",
           "WorkshopVoila", "accepted_lang", "main", "waiting_page"]

# Voilà's own scripts have no content hash in their names: kept a day, then revalidated (a 304)
STATIC_MAX_AGE = 86400
#: how often the page shown during the warm-up asks for the dashboard again
WAIT_SECONDS = 3
#: seconds a received page may take to show its dashboard before it reloads itself (WorkshopVoila.patience)
PATIENCE = 120
# how often the server checks that the process which started it is still there
_WATCH_MS = 2000


def accepted_lang(header: str, default: str) -> str:
    """The first interface language a browser's ``Accept-Language`` asks for, else ``default``."""
    wanted = []
    for number, part in enumerate(header.split(",")):
        code, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        wanted.append((-weight, number, code.strip().split("-")[0].lower()))
    for _weight, _number, code in sorted(wanted):
        if code in LANGS:
            return code
    return normalise_lang(default)


def waiting_page(lang: str) -> str:
    """What a visitor sees while the room warms up: the dashboard is being prepared and comes by itself."""
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{WAIT_SECONDS}">
<title>{escape(t("dashboard.page_preparing", lang))}</title>
<style>
body {{ font-family: "Atkinson Hyperlegible", Verdana, Arial, sans-serif; color: #1d2433; margin: 0;
  display: flex; flex-direction: column; align-items: center; justify-content: center; min-height: 90vh;
  text-align: center; padding: 0 1em; }}
h1 {{ font-size: clamp(1.3rem, 5vw, 2.2rem); margin: .3em 0; }}
p {{ font-size: clamp(1rem, 3.5vw, 1.3rem); max-width: 32em; }}
.cw-dots::after {{ content: "…"; animation: cw-blink 1.2s infinite; }}
@keyframes cw-blink {{ 50% {{ opacity: .2; }} }}
</style></head>
<body class="cw-waiting"><h1><span class="cw-dots">{escape(t("dashboard.page_preparing", lang))}</span></h1>
<p>{escape(t("dashboard.page_preparing_detail", lang))}</p></body></html>
"""


class WorkshopPageHandler(TornadoVoilaHandler):
    """Voilà's page, or :func:`waiting_page` while no preheated page of the notebook is ready yet; with the
    cookie its script needs to shut its kernel down when the page is closed."""

    @web.authenticated
    async def get(self, path=None):
        # the page shuts its kernel down when it is closed or reloaded (a beacon to voila/api/shutdown
        # that carries the "_xsrf" cookie): make sure the cookie is set, else the kernel stays until culled
        _ = self.xsrf_token
        notebook = self.notebook_path or path
        warming = getattr(self.kernel_manager, "warming", None)
        if notebook and warming is not None and warming(notebook):
            lang = accepted_lang(self.request.headers.get("Accept-Language", ""),
                                 self.settings.get("coopwork_lang", "fr"))
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
            self.finish(waiting_page(lang))
            return
        await super().get(path=path)


class DayCachedStaticFileHandler(MultiStaticFileHandler):
    """Voilà's static files, cacheable for :data:`STATIC_MAX_AGE` seconds (Voilà sets no cache header)."""

    def get_cache_time(self, path: str, modified, mime_type: str) -> int:
        cached = super().get_cache_time(path, modified, mime_type)
        return cached or STATIC_MAX_AGE


class WorkshopVoila(Voila):
    """Voilà, compressing what it sends and letting browsers cache its front-end files."""

    lang = Unicode("fr", config=True, help="Language of the waiting page when the browser asks for no other.")
    patience = Integer(PATIENCE, config=True, help=(
        "Seconds a page may take, once received, to show its dashboard before it reloads itself."))

    def init_settings(self) -> dict:
        # the pages learn their patience from their page configuration (Voilà's public hook)
        self.voila_configuration.page_config_hook = self._page_config
        settings = super().init_settings()  # the pool's kernels are scheduled, not started yet
        self._trust_notebooks()
        self._watch_parent()
        settings["coopwork_lang"] = normalise_lang(self.lang)
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
            elif cls is TornadoVoilaHandler:
                cls = WorkshopPageHandler
            elif pattern.endswith("/voila/labextensions/(.*)") and rest:
                rest = [{**rest[0], "no_cache_paths": []}]  # hashed names: see static_immutable_cache
            handlers.append((pattern, cls, *rest))
        handlers.append(asset_handler(self.server_url))
        return handlers

    def _page_config(self, page_config: dict, **_context) -> dict:
        """What the page's scripts read besides Voilà's page configuration (see the page template)."""
        return {**page_config, "coopworkPatience": int(self.patience)}

    def stop(self) -> None:
        """Voilà's stop, which shuts every kernel down; a kernel its page shut down at the same moment
        (the page's beacon) made that fail with a traceback: the others are then shut down too."""
        try:
            super().stop()
        except web.HTTPError:
            run_sync(self.kernel_manager.shutdown_all)()

    def _trust_notebooks(self) -> None:
        """Sign the served notebooks that have no outputs (nothing in them to distrust), as Jupyter does
        when it saves a notebook: their kernels then start without "Notebook … is not trusted"."""
        notary = self.contents_manager.notary
        for path in sorted(Path(self.root_dir).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            if notary.check_cells(notebook) and not notary.check_signature(notebook):
                notary.sign(notebook)

    def _watch_parent(self) -> None:
        """Stop the server (its kernels are shut down on the way out) once its parent process is gone."""
        parent = os.getppid()

        def check() -> None:
            if os.getppid() != parent:
                self.log.warning("coopwork: the process that started this server (%d) is gone: stopping",
                                 parent)
                IOLoop.current().stop()

        PeriodicCallback(check, _WATCH_MS).start()


main = WorkshopVoila.launch_instance

if __name__ == "__main__":
    main()
