"""Static images of figures (PNG, SVG, PDF) with kaleido, for reports, placemats and slides.

kaleido ≥ 1 drives a headless Chrome/Chromium through choreographer. The browser is found
on the ``PATH`` (Debian's ``chromium``, ``google-chrome``…) or at the path given in the
``BROWSER_PATH`` environment variable; ``plotly_get_chrome`` (installed with plotly) downloads
one when the machine has none.

Starting the browser takes a few seconds; to render many figures, wrap the calls in
:func:`renderer`, which keeps one browser open for all of them.

Examples
--------
>>> import tempfile, pathlib
>>> import plotly.graph_objects as go
>>> path = to_png(go.Figure(go.Bar(x=["a"], y=[1])), pathlib.Path(tempfile.mkdtemp()) / "bar.png")
>>> path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExportError

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["renderer", "to_image", "to_png"]

_NO_BROWSER = "cannot render the image: no Chrome/Chromium browser found"
_HINT = ("install Chromium (Debian/Ubuntu: apt install chromium) or run plotly_get_chrome, "
         "or set BROWSER_PATH to the browser's executable")


@contextlib.contextmanager
def renderer() -> Iterator[None]:
    """Keep one headless browser open while rendering several figures.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> with renderer():  # doctest: +SKIP
    ...     images = [to_image(go.Figure(go.Scatter(y=[1, k])), width=300, height=200) for k in (2, 3)]
    >>> [image[:4] for image in images]  # doctest: +SKIP
    [b'\\x89PNG', b'\\x89PNG']
    """
    import kaleido

    if kaleido._global_server.is_running():  # already inside a renderer()
        yield
        return
    try:
        kaleido.start_sync_server(silence_warnings=True)
    except Exception as exc:  # choreographer raises several kinds
        raise ExportError(f"{_NO_BROWSER} ({type(exc).__name__}: {exc})", hint=_HINT) from None
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def to_image(fig: go.Figure, *, format: str = "png", width: int | None = None, height: int | None = None,
             scale: float = 1.0) -> bytes:
    """The figure as image bytes (``png``, ``svg``, ``pdf``, ``jpeg`` or ``webp``).

    ``width`` and ``height`` default to the figure's (the coopwork theme sets 1100 × 650).

    Raises
    ------
    ExportError
        When no browser can be found or started (with what to install).
    """
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    layout = fig.layout
    template = layout.template.layout if layout.template else None
    width = width or layout.width or (template.width if template else None) or 1100
    height = height or layout.height or (template.height if template else None) or 650
    try:
        return kaleido.calc_fig_sync(fig.to_dict(), opts={"format": format, "width": width, "height": height,
                                                          "scale": scale})
    except ChromeNotFoundError:
        browser = os.environ.get("BROWSER_PATH")
        where = f" (BROWSER_PATH={browser})" if browser else ""
        raise ExportError(_NO_BROWSER + where, hint=_HINT) from None


def to_png(fig: go.Figure, path: str | Path, *, width: int | None = None, height: int | None = None,
           scale: float = 2.0) -> Path:
    """Write the figure as a PNG file (``scale=2``: sharp on a projector and in print).

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
        raise ExportError(f"cannot write the image ({exc.strerror or exc})", file=path,
                          hint="check that you may write in that folder") from None
    return path
