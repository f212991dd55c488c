"""Fixtures of the figure tests: one headless browser for the session, PNG/SVG rendering helpers."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from the IHDR chunk of a PNG file."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="session")
def browser():
    """One kaleido/Chromium process for every rendering of the session."""
    from coopwork.figures.render import renderer

    with renderer():
        yield


@pytest.fixture
def render(browser, tmp_path):
    """Render a figure to a real PNG file with coopwork's to_png; return its bytes."""
    from coopwork.figures.render import to_png

    def _render(fig, name: str = "figure.png", *, width: int = 900, height: int = 600) -> bytes:
        path = to_png(fig, tmp_path / name, width=width, height=height, scale=1)
        data = Path(path).read_bytes()
        assert png_size(data) == (width, height)
        assert len(data) > 5_000  # something was drawn
        return data

    return _render


@pytest.fixture
def render_svg(browser):
    """Render a figure to SVG text (what the browser drew: colours and texts can be searched)."""
    from coopwork.figures.render import to_image

    def _render(fig) -> str:
        return to_image(fig, format="svg", width=900, height=600).decode("utf-8")

    return _render


def subtitle(fig) -> str:
    """The subtitle of a figure as one line (the theme wraps long subtitles with <br>)."""
    return (fig.layout.title.subtitle.text or "").replace("<br>", " ")
