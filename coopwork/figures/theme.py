"""The one visual theme of coopwork figures: colours, fonts, numbers, titles.

- the ``"coopwork"`` template as a plain dict (:data:`TEMPLATE_LAYOUT`, :func:`template`,
  :func:`with_template`; :func:`register_template` also registers it with ``plotly.io``):
  large fonts that stay readable on a projector in a workshop room, white background, light grid;
- the colour-blind-safe **Okabe–Ito** palette (:data:`PALETTE`) for categories, a ColorBrewer
  red–blue diverging scale for agreement scales (:func:`diverging_colours`), grey for
  "others" and for the neutral point;
- French or English number formatting on the axes (``1 234,5`` / ``1,234.5``);
- titles that state the question (title) and the base (subtitle: ``n = 57 répondants``).

Figures are plain dicts (``{"data": [...], "layout": {...}}``): every builder of
:mod:`coopwork.figures` ends with :func:`apply_theme`, which writes the number format, the height,
the title and the subtitle into the layout, but not the template (:func:`with_template` adds it
where a figure is shown or rendered).

Examples
--------
>>> fig = apply_theme({"data": [], "layout": {}}, lang="fr", title="Confiance",
...                   subtitle=base_text(57, lang="fr"))
>>> fig["layout"]["separators"], fig["layout"]["height"], fig["layout"]["title"]["subtitle"]["text"]
(',\u202f', 650, 'n = 57 répondants')
>>> with_template(fig)["layout"]["template"]["layout"]["font"]["size"], "template" in fig["layout"]
(18, False)
"""

from __future__ import annotations

import copy
import html
import textwrap

from ..i18n import normalise_lang, t

__all__ = [
    "FONT_SIZE",
    "GREY",
    "HEIGHT",
    "LINE_PALETTE",
    "NEUTRAL",
    "PALETTE",
    "TEMPLATE",
    "TEMPLATE_LAYOUT",
    "WIDTH",
    "apply_theme",
    "base_text",
    "category_colours",
    "diverging_colours",
    "escape",
    "register_template",
    "separators",
    "template",
    "with_template",
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
#: width of static images (pixels) unless told; interactive figures follow the screen's width
WIDTH = 1100
#: height of a figure whose builder does not choose one (pixels)
HEIGHT = 650
_AXIS = {"gridcolor": "#E5E5E5", "zerolinecolor": "#888888", "linecolor": "#888888",
         "ticks": "outside", "tickcolor": "#888888", "automargin": True,
         "title": {"font": {"size": FONT_SIZE}}, "tickfont": {"size": FONT_SIZE - 2}}


#: the layout of the ``"coopwork"`` template, plain JSON; no width: figures follow the screen
TEMPLATE_LAYOUT: dict = {
    "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#222222"},
    "title": {"font": {"size": FONT_SIZE + 6}, "x": 0.0, "xanchor": "left", "xref": "paper",
              "subtitle": {"font": {"size": FONT_SIZE - 2, "color": "#555555"}}},
    "colorway": list(PALETTE),
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "xaxis": copy.deepcopy(_AXIS),
    "yaxis": copy.deepcopy(_AXIS),
    "legend": {"font": {"size": FONT_SIZE - 2}, "orientation": "h", "yref": "container", "y": 0.0,
               "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
    "hoverlabel": {"font": {"size": FONT_SIZE - 2, "family": FONT_FAMILY}, "align": "left"},
    "margin": {"l": 40, "r": 40, "t": 130, "b": 110},
    "height": HEIGHT,
}


def template() -> dict:
    """The ``"coopwork"`` template as a plotly template dict (a fresh deep copy).

    Examples
    --------
    >>> template()["layout"]["colorway"][:2], "width" in template()["layout"]
    (['#0072B2', '#E69F00'], False)
    """
    return {"layout": copy.deepcopy(TEMPLATE_LAYOUT)}


def with_template(fig: dict) -> dict:
    """A copy of the figure dict whose layout carries the coopwork template (``fig`` is unchanged).

    Builders leave the template out (it is the same for every figure); add it where a figure
    is shown, validated or rendered.

    Examples
    --------
    >>> fig = {"data": [], "layout": {"height": 400}}
    >>> sorted(with_template(fig)["layout"]), fig
    (['height', 'template'], {'data': [], 'layout': {'height': 400}})
    """
    return {**fig, "layout": {**fig.get("layout", {}), "template": template()}}


def register_template() -> None:
    """Register the ``"coopwork"`` template in ``plotly.io.templates`` (idempotent).

    For interactive use (``pio.templates.default = "coopwork"``): this one has a fixed width
    of :data:`WIDTH` pixels, for static images.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    if TEMPLATE not in pio.templates:
        pio.templates[TEMPLATE] = go.layout.Template(layout={**template()["layout"], "width": WIDTH})


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
    from ..analysis.disclosure import format_number

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


def apply_theme(fig: dict, *, lang: str | None = "fr", title: str | None = None,
                subtitle: str | None = None) -> dict:
    """Write the number format of ``lang``, the height and the title/subtitle into a figure dict.

    ``title`` and ``subtitle`` are escaped here; pass plain text. The layout gets an explicit
    ``height`` (plotly.js does not take it from a template; :data:`HEIGHT` unless the builder set
    one), ``autosize`` and no ``width``: the figure follows the width of the screen. The template
    is not added (see :func:`with_template`). ``fig`` is updated in place and returned.
    """
    layout = fig.setdefault("layout", {})
    layout["separators"] = separators(lang)
    layout.setdefault("height", HEIGHT)
    layout["autosize"] = True
    layout.pop("width", None)
    if title is not None:
        heading = wrap(title, 70)
        below = wrap(subtitle, 110) if subtitle else ""
        lines = heading.count("<br>") + 1 + (below.count("<br>") + 1 if below else 0)
        layout["title"] = {"text": f"<b>{heading}</b>", "subtitle": {"text": below}}
        margin = layout.setdefault("margin", {})
        margin["t"] = max(margin.get("t") or 0, 60 + 32 * lines)
    return fig
