"""PNG (and SVG) files of figures through kaleido and a real headless Chromium."""

from __future__ import annotations

import pytest

from coopwork.errors import ExportError
from coopwork.figures import to_figure
from coopwork.figures.render import to_image, to_png
from coopwork.figures.theme import apply_theme

from .conftest import png_size


def _figure() -> dict:
    bar = {"type": "bar", "x": ["a", "b"], "y": [3, 5], "marker": {"color": "#0072B2"}}
    return apply_theme({"data": [bar], "layout": {}}, lang="fr", title="Essai", subtitle="n = 8 répondants")


def test_to_png_writes_a_png_of_the_requested_size(browser, tmp_path):
    path = to_png(_figure(), tmp_path / "sub" / "folder" / "bar.png", width=640, height=400, scale=2)
    assert path.is_file() and path.parent.name == "folder"
    assert png_size(path.read_bytes()) == (1280, 800)  # scale 2: sharp on a projector
    assert not list(path.parent.glob(".*.tmp"))  # written atomically
    default = to_png(_figure(), tmp_path / "default.png", scale=1)
    assert png_size(default.read_bytes()) == (1100, 650)  # the theme's size
    plotly_figure = to_png(to_figure(_figure()), tmp_path / "go.png", scale=1)  # a go.Figure works too
    assert png_size(plotly_figure.read_bytes()) == (1100, 650)
    low = _figure()
    low["layout"]["height"] = 300
    tall = to_png(low, tmp_path / "low.png", scale=1)
    assert png_size(tall.read_bytes()) == (1100, 300)  # the figure's own height


def test_svg_shows_what_the_browser_drew(browser):
    figure = _figure()
    svg = to_image(figure, format="svg", width=500, height=300).decode()
    assert "n = 8 répondants" in svg and "Essai" in svg
    assert "rgb(0, 114, 178)" in svg  # the Okabe–Ito blue of the bars
    assert "Source Sans Pro" in svg and "font-size: 24px" in svg  # the template's fonts were applied
    assert "template" not in figure["layout"]  # rendering does not change the dict


def test_unwritable_path_is_an_export_error(browser, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write the image"):
        to_png(_figure(), blocker / "bar.png")


def test_missing_browser_says_what_to_install(monkeypatch):
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    def no_browser(*args, **kwargs):
        raise ChromeNotFoundError("no chrome")

    monkeypatch.setattr(kaleido, "calc_fig_sync", no_browser)
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    with pytest.raises(ExportError, match="no Chrome/Chromium browser found") as info:
        to_image(_figure())
    assert "BROWSER_PATH=/nowhere/chromium" in str(info.value) and "apt install chromium" in str(info.value)
