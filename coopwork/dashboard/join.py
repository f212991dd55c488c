"""Joining a workshop by scanning: the participants' link as a QR code, in the terminal and on a page.

With ``coopwork serve --host 0.0.0.0`` the facilitator projects a page showing the link of the
workshop's dashboard as a large QR code (:func:`join_page`, written next to the notebooks as
``join.html`` and served by Voilà with the same token), and the terminal prints the same code
(:func:`terminal_qr`), so that people join by pointing their phone's camera at the screen. The QR
codes are made by `segno <https://segno.readthedocs.io>`_ (pure Python, ISO/IEC 18004).

Examples
--------
>>> url = "http://192.168.1.20:8866/voila/render/t01.ipynb?token=abc"
>>> "<svg" in join_page(url, title="Atelier t01", lang="fr") and url in join_page(url, title="x")
True
>>> qr_matrix(url) == qr_matrix(url) and len(qr_matrix(url)) > 21
True
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..i18n import t
from .serve import SYNTHESIS

__all__ = ["JOIN_PAGE", "join_page", "join_plan", "qr_matrix", "qr_svg", "terminal_qr", "write_join_page"]

#: the facilitator page's file name, next to the dashboard notebooks (served by Voilà's file handler)
JOIN_PAGE = "join.html"
# medium error correction: still read on a projector with glare, and a small code for a long link
_ERROR = "m"


def _code(url: str):
    import segno  # lazy: +60–85 ms to `coopwork serve` and `coopwork journal`; a laptop shows no QR code

    return segno.make(url, error=_ERROR, micro=False)


def qr_matrix(url: str) -> list[list[int]]:
    """The QR code of ``url`` as rows of 0/1 modules (without the quiet zone)."""
    return [list(row) for row in _code(url).matrix]


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline SVG element that scales to its container."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", xmldecl=False, svgns=True, nl=False, svgclass="cw-qr",
                    lineclass=None, omitsize=True, border=2, dark="#000000", light="#ffffff")
    return out.getvalue().decode("utf-8")


def terminal_qr(url: str) -> str:
    """The QR code of ``url`` drawn with half-block characters, for the terminal of ``coopwork serve``."""
    out = io.StringIO()
    _code(url).terminal(out=out, compact=True, border=2)
    return out.getvalue()


def join_page(url: str, *, title: str, lang: str = "fr") -> str:
    """The facilitator page: a large QR code of ``url``, the link written out, one line of instructions."""
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
body {{ font-family: "Atkinson Hyperlegible", Verdana, Arial, sans-serif; margin: 0; color: #1d2433;
  display: flex; flex-direction: column; align-items: center; justify-content: center; min-height: 100vh; }}
h1 {{ font-size: clamp(1.4rem, 4vw, 3rem); margin: .4em .5em .2em; text-align: center; }}
p {{ font-size: clamp(1rem, 2.4vw, 1.8rem); margin: .3em 1em; text-align: center; }}
.cw-qr {{ width: min(80vh, 90vw); height: auto; }}
.cw-link {{ font-family: monospace; font-size: clamp(.8rem, 1.6vw, 1.3rem); overflow-wrap: anywhere; }}
</style></head>
<body><h1>{escape(title)}</h1><p>{escape(t("dashboard.join_scan", lang))}</p>
<div class="cw-qr-box" data-url="{escape(url)}">{qr_svg(url)}</div>
<p class="cw-link">{escape(url)}</p></body></html>
"""


def write_join_page(folder: str | Path, url: str, *, title: str, lang: str = "fr") -> Path:
    """Write :data:`JOIN_PAGE` into the served folder; return its path."""
    path = Path(folder) / JOIN_PAGE
    path.write_text(join_page(url, title=title, lang=lang), encoding="utf-8")
    return path


def join_plan(plan, *, lang: str = "fr") -> tuple[str, str]:
    """Write the facilitator page of a server plan; return (participants' link, the page's link).

    The participants' link is the workshop territory's dashboard (``--territory``), else the
    synthesis of all territories; the page is served by Voilà with the same token.
    """
    name = plan.territory or SYNTHESIS
    url = plan.urls[name]
    place = plan.territory or t("dashboard.all_territories", lang)
    write_join_page(plan.folder, url, title=t("dashboard.join_title", lang, place=place), lang=lang)
    host = plan.public_host
    shown = f"[{host}]" if ":" in host else host
    query = f"?token={quote(plan.token)}" if plan.token else ""
    return url, f"http://{shown}:{plan.port}/voila/files/{JOIN_PAGE}{query}"
