"""Static images of figures (PNG, SVG, PDF) with kaleido, for reports, placemats and slides.

kaleido ≥ 1 drives a headless Chrome/Chromium through choreographer. The browser is found
on the ``PATH`` (Debian's ``chromium``, ``google-chrome``…) or at the path given in the
``BROWSER_PATH`` environment variable; ``plotly_get_chrome`` (installed with plotly) downloads
one when the machine has none.

Starting the browser takes a few seconds; to render many figures, wrap the calls in
:func:`renderer`, which keeps one browser open for all of them.

A figure is either a dict of the builders of :mod:`coopwork.figures` (rendered with the
coopwork template, :func:`~coopwork.figures.theme.with_template`) or a ``go.Figure``.

Examples
--------
>>> import tempfile, pathlib
>>> fig = {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {"height": 400}}
>>> path = to_png(fig, pathlib.Path(tempfile.mkdtemp()) / "bar.png")
>>> path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import kaleido
from kaleido.errors import ChromeNotFoundError

from ..errors import ExportError
from .theme import HEIGHT, WIDTH, with_template

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["renderer", "to_image", "to_png"]

#: the renderers open in this process (the outermost starts and stops kaleido's server)
_OPEN: list[bool] = []
_LOCK = threading.Lock()

@contextlib.contextmanager
def renderer() -> Iterator[None]:
    """Keep one headless browser open while rendering several figures.

    Examples
    --------
    >>> figures = [{"data": [{"type": "scatter", "y": [1, k]}], "layout": {}} for k in (2, 3)]
    >>> with renderer():  # doctest: +SKIP
    ...     images = [to_image(fig, width=300, height=200) for fig in figures]
    >>> [image[:4] for image in images]  # doctest: +SKIP
    [b'\\x89PNG', b'\\x89PNG']
    """
    with _LOCK:
        outermost = not _OPEN
        if outermost:  # kaleido's public API starts and stops its server; we count who uses it
            try:
                kaleido.start_sync_server(silence_warnings=True)
            except Exception as exc:  # choreographer raises several kinds
                raise ExportError("figures_errors.no_browser", error=f"{type(exc).__name__}: {exc}",
                                  hint="figures_errors.hint_no_browser") from None
        _OPEN.append(True)
    try:
        yield
    finally:
        with _LOCK:
            _OPEN.pop()
            if outermost:
                kaleido.stop_sync_server(silence_warnings=True)


def to_image(fig: dict | go.Figure, *, format: str = "png", width: int | None = None,
             height: int | None = None, scale: float = 1.0) -> bytes:
    """The figure (a dict or a ``go.Figure``) as image bytes (``png``, ``svg``, ``pdf``, ``jpeg``, ``webp``).

    ``width`` and ``height`` default to the figure's, else its template's, else 1100 × 650
    (:data:`~coopwork.figures.theme.WIDTH`, :data:`~coopwork.figures.theme.HEIGHT`). A dict is
    drawn with the coopwork template.

    Raises
    ------
    ExportError
        When no browser can be found or started (with what to install).
    """
    spec = with_template(fig) if isinstance(fig, dict) else fig.to_dict()
    layout = spec.get("layout", {})
    template = (layout.get("template") or {}).get("layout", {})
    width = width or layout.get("width") or template.get("width") or WIDTH
    height = height or layout.get("height") or template.get("height") or HEIGHT
    try:
        return kaleido.calc_fig_sync(spec, opts={"format": format, "width": width, "height": height,
                                                 "scale": scale})
    except ChromeNotFoundError:
        browser = os.environ.get("BROWSER_PATH")
        raise ExportError("figures_errors.no_browser", error=f"BROWSER_PATH={browser}" if browser else "-",
                          hint="figures_errors.hint_no_browser") from None


def to_png(fig: dict | go.Figure, path: str | Path, *, width: int | None = None, height: int | None = None,
           scale: float = 2.0) -> Path:
    """Write the figure (a dict or a ``go.Figure``) as a PNG file (``scale=2``: sharp on a projector).

    Returns
    -------
    Path
        The file written (its folder is created when missing).

    Raises
    ------
    ExportError
        When no browser can be found, or the file cannot be written.
    """
    path = Path(path)
    image = to_image(fig, format="png", width=width, height=height, scale=scale)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(image)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError("figures_errors.write", error=exc.strerror or str(exc), file=path,
                          hint="figures_errors.hint_write") from None
    return path
