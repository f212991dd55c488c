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
    "NARROW_WIDTH",
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
    "narrow",
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
#: the width of a chart on a phone (pixels): a 390 px screen less the page's margins (see :func:`narrow`)
NARROW_WIDTH = 340
#: the average width of a character, as a share of the font size (for wrapping to a width in pixels)
_CHAR_WIDTH = 0.55
#: font sizes on a phone: title, subtitle and axis titles, bar labels (pixels)
_PHONE_FONTS = {"title": FONT_SIZE + 2, "subtitle": FONT_SIZE - 4, "axis": FONT_SIZE - 4,
                "labels": FONT_SIZE - 5}
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
        margin["t"] = max(margin.get("t") or 0, _title_margin(lines))
    return fig


def _title_margin(lines: int) -> int:
    """The top margin (pixels) that holds a title and subtitle of ``lines`` lines in all."""
    return 60 + 32 * lines


def _rewrap(text: object, width: int) -> str:
    """Wrap text already wrapped with ``<br>`` (and escaped) again, to ``width`` characters.

    Only the part before any other markup is wrapped again (a Likert label's ``<br><span>n = …``
    stays as it is).
    """
    head, markup, tail = str(text).partition("<br><span")
    bold = head.startswith("<b>") and head.endswith("</b>")
    plain = " ".join(head.removeprefix("<b>").removesuffix("</b>").replace("<br>", " ").split())
    if "<" in plain:  # other markup: left as it is
        return str(text)
    lines = "<br>".join(textwrap.wrap(plain, max(width, 8), break_long_words=False) or [""])
    return (f"<b>{lines}</b>" if bold else lines) + markup + tail


def narrow(fig: dict, width: int = NARROW_WIDTH) -> dict:
    """A copy of ``fig`` laid out for a chart ``width`` pixels wide (a phone).

    Titles and subtitles, axis titles, annotations and the labels of horizontal bars get smaller type
    and are wrapped again for that width (bar labels take at most 35 % of it; the figure grows taller
    when they need more lines), and a right margin wider than half of it (the end labels of a slope
    chart; a third beside bar labels) is narrowed, its annotations wrapped to fit. The legend's rows
    and a wrapped axis title get room below the plot, which keeps its height.

    Examples
    --------
    >>> fig = apply_theme({"data": [{"type": "bar", "orientation": "h", "x": [1],
    ...                              "y": ["Société coopérative de production"]}], "layout": {}},
    ...                   title="Type d'organisation", subtitle="n = 12 répondants · " + "mot " * 30)
    >>> small = narrow(fig)
    >>> small["data"][0]["y"]
    ['Société<br>coopérative de<br>production']
    >>> small["layout"]["title"]["subtitle"]["text"].count("<br>") > 1
    True
    """
    fig = copy.deepcopy(fig)
    layout = fig.setdefault("layout", {})

    def chars(pixels: float, size: float) -> int:
        return int(pixels / (_CHAR_WIDTH * size))

    fonts = _PHONE_FONTS
    bottom = (layout.get("margin") or {}).get("b") or TEMPLATE_LAYOUT["margin"]["b"]
    plot = (layout.get("height") or HEIGHT) - ((layout.get("margin") or {}).get("t") or 0) - bottom
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        title["text"] = _rewrap(title["text"], chars(width - 10, 1.1 * fonts["title"]))  # bold
        title["font"] = {**(title.get("font") or {}), "size": fonts["title"]}
        lines = title["text"].count("<br>") + 1
        subtitle = title.get("subtitle")
        if isinstance(subtitle, dict) and subtitle.get("text"):
            subtitle["text"] = _rewrap(subtitle["text"], chars(width - 10, fonts["subtitle"]))
            subtitle["font"] = {**(subtitle.get("font") or {}), "size": fonts["subtitle"]}
            lines += subtitle["text"].count("<br>") + 1
        margin = layout.setdefault("margin", {})
        margin["t"] = _title_margin(lines)
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        axis_title = (layout[name] or {}).get("title")
        if isinstance(axis_title, dict) and axis_title.get("text"):
            axis_title["text"] = _rewrap(axis_title["text"], chars(width - 60, fonts["axis"]))
            axis_title["font"] = {**(axis_title.get("font") or {}), "size": fonts["axis"]}
    margin = layout.setdefault("margin", {})
    right = margin.get("r") or 0
    # labels in the right margin (a slope chart's end labels): half the chart on a phone; a third when
    # bar labels take the left (a Likert chart's hidden levels), so that the bars keep some room
    bars = [tr for tr in fig.get("data", []) if tr.get("type") == "bar" and tr.get("orientation") == "h"
            and tr.get("y")]
    cap = width / 3 if bars else width / 2
    if right > cap:
        margin["r"] = right = int(cap)
    renamed: dict[str, str] = {}
    for trace in bars:
        for label in trace["y"]:
            if isinstance(label, str) and label not in renamed:
                renamed[label] = _rewrap(label, chars(0.35 * width, fonts["labels"]))
        trace["y"] = [renamed.get(y, y) if isinstance(y, str) else y for y in trace["y"]]
    if renamed:
        axis = layout.setdefault("yaxis", {})
        axis["tickfont"] = {**(axis.get("tickfont") or {}), "size": fonts["labels"]}
        if axis.get("categoryarray"):
            axis["categoryarray"] = [renamed.get(c, c) for c in axis["categoryarray"]]
        # each bar's row holds its label's lines: the figure grows when the labels need it
        rows = sum(label.count("<br>") + 1 for label in renamed.values()) * fonts["labels"] * 1.3
        rows += 8 * len(renamed)
        layout["height"] = int(max(layout.get("height") or HEIGHT, (margin.get("t") or 0) + bottom + rows))
    margin_lines = 1
    for annotation in layout.get("annotations", []):
        size = (annotation.get("font") or {}).get("size") or FONT_SIZE
        in_margin = annotation.get("xref") == "paper" and (annotation.get("x") or 0) >= 1 \
            and annotation.get("xanchor") == "left"
        if in_margin:
            size = min(size, fonts["labels"])
            annotation["font"] = {**(annotation.get("font") or {}), "size": size}
            annotation["align"] = "left"
        room = right - (annotation.get("xshift") or 0) - 4 if in_margin else width - 10
        if annotation.get("text"):
            annotation["text"] = _rewrap(annotation["text"], chars(room, size))
            if in_margin and annotation.get("yref") == "y":
                margin_lines = max(margin_lines, annotation["text"].count("<br>") + 1)
        if annotation.get("yref") == "y" and annotation.get("y") in renamed:
            annotation["y"] = renamed[annotation["y"]]
    if margin_lines > 1:  # labels spread one line (about 24 px) apart now take several: a taller plot
        grown = plot * margin_lines * fonts["labels"] * 1.3 / 24
        layout["height"] = int(max(layout.get("height") or HEIGHT, (margin.get("t") or 0) + bottom + grown))
    # the legend below the plot takes more rows on a phone, and a wrapped axis title more lines: the
    # bottom margin grows by as much, and so does the figure, so that the plot keeps its height
    rows = _legend_rows(fig, width, fonts["labels"])
    if rows:  # from the chart's left edge, not the plot's (long bar labels take a third of a phone)
        layout["legend"] = {**(layout.get("legend") or {}), "font": {"size": fonts["labels"]},
                            "xref": "container", "x": 0.02}
    axis_title = ((layout.get("xaxis") or {}).get("title") or {}).get("text") or ""
    extra = max(rows - 1, 0) * _LEGEND_ROW + str(axis_title).count("<br>") * int(fonts["axis"] * 1.3)
    if extra:
        margin["b"] = bottom + extra
    needed = (margin.get("t") or 0) + (margin.get("b") or bottom) + plot
    layout["height"] = int(max(layout.get("height") or HEIGHT, needed))
    return fig


#: the height of one row of a horizontal legend on a phone (pixels)
_LEGEND_ROW = 24


def _legend_rows(fig: dict, width: int, size: int) -> int:
    """Rows a horizontal legend of ``size`` px type takes in ``width`` pixels (0: no legend shown).

    Items are packed as plotly does, left to right: a symbol and a gap (40 px), then the name.

    Examples
    --------
    >>> names = ("Pas du tout d'accord", "Plutôt d'accord", "Tout à fait")
    >>> traces = [{"type": "bar", "name": name} for name in names]
    >>> [_legend_rows({"data": shown, "layout": {}}, 340, 13) for shown in (traces, traces[:1])]
    [2, 0]
    """
    layout = fig.get("layout") or {}
    shown = [tr for tr in fig.get("data", []) if tr.get("name") and tr.get("showlegend", True)
             and tr.get("visible", True) is True]
    if layout.get("showlegend") is False or not shown or (len(shown) < 2 and not layout.get("showlegend")):
        return 0
    rows, used = 1, 0.0
    for trace in shown:
        item = 40 + len(html.unescape(str(trace["name"]))) * 0.6 * size
        if used and used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    return rows
