"""The one visual theme of coopwork figures: colours, fonts, numbers, titles.

- a plotly template registered as ``"coopwork"`` (:func:`register_template`): large fonts that
  stay readable on a projector in a workshop room, white background, light grid;
- the colour-blind-safe **Okabe–Ito** palette (:data:`PALETTE`) for categories, a ColorBrewer
  red–blue diverging scale for agreement scales (:func:`diverging_colours`), grey for
  "others" and for the neutral point;
- French or English number formatting on the axes (``1 234,5`` / ``1,234.5``);
- titles that state the question (title) and the base (subtitle: ``n = 57 répondants``).

Every builder of :mod:`coopwork.figures` ends with :func:`apply_theme`.

Examples
--------
>>> import plotly.graph_objects as go
>>> fig = apply_theme(go.Figure(), lang="fr", title="Confiance", subtitle=base_text(57, lang="fr"))
>>> fig.layout.template.layout.font.size, fig.layout.separators
(18, ',\u202f')
>>> fig.layout.title.subtitle.text
'n = 57 répondants'
"""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING

from ..analysis.disclosure import format_number
from ..i18n import normalise_lang, t

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "FONT_SIZE",
    "GREY",
    "LINE_PALETTE",
    "NEUTRAL",
    "PALETTE",
    "TEMPLATE",
    "apply_theme",
    "base_text",
    "category_colours",
    "diverging_colours",
    "escape",
    "register_template",
    "separators",
    "wrap",
]

#: Okabe & Ito (2008) colour-blind-safe palette, most distinct colours first
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7",
                            "#F0E442", "#000000")
#: the palette for lines and coloured text: without the yellow, too light on white
LINE_PALETTE: tuple[str, ...] = tuple(c for c in PALETTE if c != "#F0E442")
#: marker symbols used with the palette when there are more categories than colours
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "cross", "star")
GREY = "#999999"
NEUTRAL = "#BBBBBB"
#: ColorBrewer RdBu (colour-blind safe), disagreement → agreement, for 2 to 7 levels without neutral
_RDBU = ("#B2182B", "#D6604D", "#F4A582", "#92C5DE", "#4393C3", "#2166AC")
FONT_SIZE = 18
FONT_FAMILY = "Source Sans Pro, Noto Sans, Arial, sans-serif"
TEMPLATE = "coopwork"


def register_template() -> None:
    """Register the ``"coopwork"`` plotly template (idempotent)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if TEMPLATE in pio.templates:
        return
    axis = {"gridcolor": "#E5E5E5", "zerolinecolor": "#888888", "linecolor": "#888888",
            "ticks": "outside", "tickcolor": "#888888", "automargin": True,
            "title": {"font": {"size": FONT_SIZE}}, "tickfont": {"size": FONT_SIZE - 2}}
    pio.templates[TEMPLATE] = go.layout.Template(layout={
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#222222"},
        "title": {"font": {"size": FONT_SIZE + 6}, "x": 0.0, "xanchor": "left", "xref": "paper",
                  "subtitle": {"font": {"size": FONT_SIZE - 2, "color": "#555555"}}},
        "colorway": list(PALETTE),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": axis,
        "yaxis": axis,
        "legend": {"font": {"size": FONT_SIZE - 2}, "orientation": "h", "yref": "container", "y": 0.0,
                   "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
        "hoverlabel": {"font": {"size": FONT_SIZE - 2, "family": FONT_FAMILY}, "align": "left"},
        "margin": {"l": 40, "r": 40, "t": 130, "b": 110},
        "width": 1100,
        "height": 650,
    })


def separators(lang: str | None) -> str:
    """plotly's ``layout.separators`` (decimal mark, then thousands mark) for ``lang``.

    Examples
    --------
    >>> separators("en"), separators("fr")
    ('.,', ',\u202f')
    """
    return ".," if normalise_lang(lang) == "en" else ",\u202f"


def escape(text: object) -> str:
    """Text safe to put in a plotly label or hover (plotly renders a subset of HTML).

    Examples
    --------
    >>> escape("<script>alert(1)</script> & co")
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co'
    """
    return html.escape("" if text is None else str(text), quote=False)


def wrap(text: object, width: int = 40) -> str:
    """Escape ``text`` and break it into lines of about ``width`` characters (``<br>``).

    Examples
    --------
    >>> wrap("Les désaccords entre partenaires se règlent de façon constructive", 30)
    'Les désaccords entre<br>partenaires se règlent de<br>façon constructive'
    """
    return "<br>".join(escape(line) for line in textwrap.wrap(str(text), width) or [""])


def base_text(n: object, *, lang: str | None = "fr", high: object = None) -> str:
    """The base of a figure: ``n = 57 répondants`` (or a range ``n = 40 à 57 répondants``).

    Examples
    --------
    >>> base_text(1234, lang="en"), base_text(40, high=57, lang="fr")
    ('n = 1,234 respondents', 'n = 40 à 57 répondants')
    """
    if high is not None and high != n:
        return t("figures.base_range", lang, low=format_number(n, lang=lang),
                 high=format_number(high, lang=lang))
    return t("figures.base", lang, n=format_number(n, lang=lang))


def category_colours(names: list[str]) -> dict[str, str]:
    """One palette colour per category, in order (the palette repeats after 8).

    Examples
    --------
    >>> category_colours(["scop", "association"])
    {'scop': '#0072B2', 'association': '#E69F00'}
    """
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def diverging_colours(levels: int) -> list[str]:
    """Colours of an ordered scale of ``levels`` points, disagreement (red) → agreement (blue).

    The middle point of an odd scale is neutral grey; the scale is colour-blind safe
    (ColorBrewer RdBu).

    Examples
    --------
    >>> diverging_colours(5)
    ['#B2182B', '#F4A582', '#BBBBBB', '#92C5DE', '#2166AC']
    """
    half = levels // 2
    picks = {1: (2,), 2: (0, 2), 3: (0, 1, 2)}.get(half, (0, 1, 2))
    if half > 3:  # longer scales: interpolate the ColorBrewer scale
        from plotly.colors import sample_colorscale

        side = sample_colorscale([[0, _RDBU[0]], [1, _RDBU[2]]], [i / (half - 1) for i in range(half)])
        right = sample_colorscale([[0, _RDBU[3]], [1, _RDBU[5]]], [i / (half - 1) for i in range(half)])
        return side + ([NEUTRAL] if levels % 2 else []) + right
    left = [_RDBU[i] for i in picks]
    right = [_RDBU[5 - i] for i in reversed(picks)]
    return left + ([NEUTRAL] if levels % 2 else []) + right


def apply_theme(fig: go.Figure, *, lang: str | None = "fr", title: str | None = None,
                subtitle: str | None = None) -> go.Figure:
    """Apply the coopwork template, the number format of ``lang`` and the title/subtitle.

    ``title`` and ``subtitle`` are escaped here; pass plain text.
    """
    import plotly.io as pio

    register_template()
    layout: dict = {"template": TEMPLATE, "separators": separators(lang)}
    if fig.layout.height is None:  # plotly.js does not take the height from a template: say it
        layout["height"] = pio.templates[TEMPLATE].layout.height
    if title is not None:
        heading = wrap(title, 70)
        below = wrap(subtitle, 110) if subtitle else ""
        lines = heading.count("<br>") + 1 + (below.count("<br>") + 1 if below else 0)
        layout["title"] = {"text": f"<b>{heading}</b>", "subtitle": {"text": below}}
        layout["margin_t"] = max(fig.layout.margin.t or 0, 60 + 32 * lines)
    fig.update_layout(**layout)
    return fig
