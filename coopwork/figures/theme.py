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

A dashboard kernel imports this module and must not pay for pandas or plotly
(``tests/dashboard/test_app.py::test_the_dashboard_is_light``): the functions that need plotly
(0.2 s) or the analysis' number format (pandas, 0.5 s) import them.

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
import re
import textwrap

from ..i18n import normalise_lang, t
from .labels import fit_labels

__all__ = [
    "FONT_SIZE",
    "GREY",
    "HEIGHT",
    "LINE_PALETTE",
    "NARROW_BELOW",
    "NARROW_WIDTH",
    "NEUTRAL",
    "PALETTE",
    "TEMPLATE",
    "TEMPLATE_LAYOUT",
    "VALUE",
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
#: a page narrower than this (CSS pixels) draws its charts laid out for a phone (:func:`narrow`)
NARROW_BELOW = 700
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
    import plotly.graph_objects as go  # lazy: plotly (see the module's note)
    import plotly.io as pio  # lazy: plotly (see the module's note)

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


#: "< 3" (a hidden cell's label) is never cut in two at the end of a line
_KEEP = re.compile(r"<\s(?=\d)")


def wrap(text: object, width: int = 40) -> str:
    """Escape ``text`` and break it into lines of about ``width`` characters (``<br>``).

    Examples
    --------
    >>> wrap("Les désaccords entre partenaires se règlent de façon constructive", 30)
    'Les désaccords entre<br>partenaires se règlent de<br>façon constructive'
    """
    lines = textwrap.wrap(_KEEP.sub("<\u00a0", str(text)), width) or [""]
    return "<br>".join(escape(line.replace("<\u00a0", "< ")) for line in lines)


def base_text(n: object, *, lang: str | None = "fr", high: object = None) -> str:
    """The base of a figure: ``n = 57 répondants`` (or a range ``n = 40 à 57 répondants``).

    Examples
    --------
    >>> base_text(1234, lang="en"), base_text(40, high=57, lang="fr")
    ('n = 1,234 respondents', 'n = 40 à 57 répondants')
    """
    from ..analysis.disclosure import format_number  # lazy: pandas (see the module's note)

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
        from plotly.colors import sample_colorscale  # lazy: plotly (see the module's note)

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
        # from the chart's left edge, not the plot's (long bar labels take part of the width)
        layout["title"] = {"text": f"<b>{heading}</b>", "subtitle": {"text": below}, "xref": "container",
                           "x": 0.02}
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
    kept = plain.replace("&lt; ", "&lt;\u00a0")  # "< 3" stays on one line
    lines = "<br>".join(textwrap.wrap(kept, max(width, 8), break_long_words=False) or [""])
    lines = lines.replace("&lt;\u00a0", "&lt; ")
    return (f"<b>{lines}</b>" if bold else lines) + markup + tail


def narrow(fig: dict, width: int = NARROW_WIDTH) -> dict:
    """A copy of ``fig`` laid out for a chart ``width`` pixels wide (a phone).

    Titles and subtitles, axis titles and annotations get smaller type and are wrapped again for that
    width; tick labels get smaller and fewer when they would run together. The layout then follows
    the kind of chart:

    - **horizontal bars, Likert bars, dots by category** (a category axis on the left): each label
      goes *above* its bar, across the whole width, so the bars keep the width of the screen; the
      value column of a bar chart (annotations named :data:`VALUE`) goes on the label's line, at the
      right; what is said of a bar in the right margin (a Likert bar's hidden levels) goes under it.
      The figure grows as tall as its rows need;
    - **the network map** fits the width: its names are placed again for the smaller plot
      (:func:`coopwork.figures.labels.fit_labels`), its legend is below;
    - **other charts** (histograms, slope charts): a right margin wider than half of the width (a
      slope chart's end labels) is narrowed, its labels wrapped to fit, the plot taller if they need it.

    The legend's rows and a wrapped axis title get room below the plot, which keeps its height.

    Examples
    --------
    >>> fig = apply_theme({"data": [{"type": "bar", "orientation": "h", "x": [1],
    ...                              "y": ["Société coopérative de production"]}], "layout": {}},
    ...                   title="Type d'organisation", subtitle="n = 12 répondants · " + "mot " * 30)
    >>> small = narrow(fig)
    >>> [(a["text"], a["yanchor"]) for a in small["layout"]["annotations"]]  # the label above its bar
    [('Société coopérative de production', 'bottom')]
    >>> small["layout"]["yaxis"]["showticklabels"], small["layout"]["title"]["subtitle"]["text"].count("<br>")
    (False, 3)
    """
    fig = copy.deepcopy(fig)
    layout = fig.setdefault("layout", {})
    if (layout.get("yaxis") or {}).get("scaleanchor") == "x":  # a map (the network): x and y alike
        return _narrow_map(fig, width)
    fonts = _PHONE_FONTS
    margin = layout.setdefault("margin", {})
    bottom = margin.get("b") or TEMPLATE_LAYOUT["margin"]["b"]
    plot = (layout.get("height") or HEIGHT) - (margin.get("t") or 0) - bottom
    _narrow_title(layout, width)
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        axis = layout[name] or {}
        axis_title = axis.get("title")
        if isinstance(axis_title, dict) and axis_title.get("text"):
            axis_title["text"] = _rewrap(axis_title["text"], _chars(width - 60, fonts["axis"]))
            axis_title["font"] = {**(axis_title.get("font") or {}), "size": fonts["axis"]}
        axis["tickfont"] = {**(axis.get("tickfont") or {}), "size": fonts["labels"]}
        _fewer_ticks(axis, width - 30, fonts["labels"])
    rows = _rows(fig)
    plot = _labels_above(fig, rows, width) if rows else _narrow_margin(fig, width, plot)
    bottom = margin.get("b") or bottom  # a list under the plot may have made it taller
    # the legend below the plot takes more rows on a phone, and a wrapped axis title more lines: the
    # bottom margin grows by as much, and so does the figure, so that the plot keeps its height
    legend_rows = _legend_rows(fig, width, fonts["labels"])
    if legend_rows:  # from the chart's left edge
        layout["legend"] = {**(layout.get("legend") or {}), "font": {"size": fonts["labels"]},
                            "xref": "container", "x": 0.02}
    axis_title = ((layout.get("xaxis") or {}).get("title") or {}).get("text") or ""
    extra = max(legend_rows - 1, 0) * _LEGEND_ROW + str(axis_title).count("<br>") * int(fonts["axis"] * 1.3)
    margin["b"] = bottom + extra
    needed = (margin.get("t") or 0) + margin["b"] + plot
    layout["height"] = int(needed if rows else max(layout.get("height") or HEIGHT, needed))
    return fig


#: the annotations of a bar chart's value column (the percentage, or why a cell is hidden)
VALUE = "cw-value"
#: on a phone: the thickness of a bar, and of a row of dots (a score chart's groups side by side)
_BAR_PX, _DOTS_PX = 22, 46
#: line height, in font sizes (plotly's)
_LINE = 1.3
#: the ground of a label drawn over the plot's grid lines (they pass behind it)
_GROUND = "rgba(255,255,255,0.85)"


def _chars(pixels: float, size: float) -> int:
    """How many characters of ``size`` px type a line of ``pixels`` holds."""
    return int(pixels / (_CHAR_WIDTH * size))


def _lines(text: object) -> int:
    return str(text or "").count("<br>") + 1


def _narrow_title(layout: dict, width: int) -> None:
    """Title and subtitle in phone type, wrapped to the width; the top margin holds them (no more), and
    what the builder put between them and the plot (a Likert chart's ◀ ▶)."""
    fonts = _PHONE_FONTS
    title = layout.get("title")
    if not (isinstance(title, dict) and title.get("text")):
        return
    subtitle = title.get("subtitle") if isinstance(title.get("subtitle"), dict) else {}
    before = _lines(title["text"]) + (_lines(subtitle["text"]) if subtitle.get("text") else 0)
    margin = layout.setdefault("margin", {})
    extra = max((margin.get("t") or 0) - _title_margin(before), 0)
    title["text"] = _rewrap(title["text"], _chars(width - 10, 1.1 * fonts["title"]))  # bold
    title["font"] = {**(title.get("font") or {}), "size": fonts["title"]}
    height = _lines(title["text"]) * fonts["title"] * 1.25
    if subtitle.get("text"):
        subtitle["text"] = _rewrap(subtitle["text"], _chars(width - 10, fonts["subtitle"]))
        subtitle["font"] = {**(subtitle.get("font") or {}), "size": fonts["subtitle"]}
        height += 10 + _lines(subtitle["text"]) * fonts["subtitle"] * 1.3
    # at the top of the chart (plotly's own place for it is just above the plot, where a Likert chart
    # says which side is which); plotly sets a title of several lines 14 px higher than one of one line
    top = 10 + (14 if _lines(title["text"]) > 1 else 0)
    title.update(yref="container", y=1, yanchor="top", pad={"t": top})
    margin["t"] = int(10 + height + 14 + extra)


def _fewer_ticks(axis: dict, pixels: float, size: float) -> None:
    """Keep every other tick of an axis with explicit ticks until their labels fit in ``pixels``
    (``0`` and the ends stay); an axis with automatic ticks gets at most 5."""
    values, texts = axis.get("tickvals"), axis.get("ticktext")
    if not values or not texts or len(values) != len(texts):
        categories = axis.get("type") in ("category", "log") or axis.get("categoryarray")
        if not categories and axis.get("visible") is not False:
            axis.setdefault("nticks", 5)
        return
    pairs = list(zip(values, texts, strict=True))
    while len(pairs) > 3 and sum(len(str(text)) * _CHAR_WIDTH * size + 24 for _, text in pairs) > pixels:
        middle = len(pairs) // 2
        pairs = [p for i, p in enumerate(pairs) if (i - middle) % 2 == 0]
    axis["tickvals"], axis["ticktext"] = [v for v, _ in pairs], [text for _, text in pairs]


def _rows(fig: dict) -> list[str]:
    """The categories of a chart whose category axis is the y axis (horizontal bars, Likert bars, dots
    by dimension), top to bottom; ``[]`` for other charts."""
    layout = fig.get("layout") or {}
    yaxis = layout.get("yaxis") or {}
    traces = [tr for tr in fig.get("data", []) if tr.get("y")
              and ((tr.get("type") == "bar" and tr.get("orientation") == "h") or tr.get("type") == "scatter")]
    if not traces or not all(isinstance(y, str) for tr in traces for y in tr["y"] if y is not None):
        return []
    rows = list(yaxis.get("categoryarray") or [])
    for trace in traces:
        rows += [y for y in trace["y"] if y is not None and y not in rows]
    return list(dict.fromkeys(rows))


def _labels_above(fig: dict, rows: list[str], width: int) -> int:
    """Lay out a chart with a category axis on the left for a phone (see :func:`narrow`); returns the
    height of its plot area."""
    fonts = _PHONE_FONTS
    layout = fig["layout"]
    margin = layout.setdefault("margin", {})
    size, note_size = fonts["labels"], fonts["labels"]
    annotations = layout.setdefault("annotations", [])
    values = {a["y"]: a for a in annotations if a.get("name") == VALUE and a.get("yref") == "y"}
    # what is said of a row beside it: in the right margin (a Likert bar's hidden levels), or at the
    # row's start on the axis (a score chart's hidden groups)
    notes = {}
    for a in annotations:
        if a.get("yref") == "y" and a.get("y") in rows and a.get("name") != VALUE and (
                (a.get("xref") == "paper" and (a.get("x") or 0) >= 1) or a.get("xref") == "x"):
            notes.setdefault(a["y"], []).append(a)
    room = max((len(html.unescape(_plain(a["text"]))) for a in values.values()), default=0)
    room = int(room * _CHAR_WIDTH * size) + 10 if room else 0
    labels: dict[str, str] = {}
    for row in rows:
        labels[row] = _rewrap(row, _chars(width - 16 - room, size))
    below: dict[str, str] = {}
    for row, found in notes.items():  # one line per hidden level (or group), wrapped to the width
        lines = [line for a in found for line in str(a["text"]).split("<br>")]
        below[row] = "<br>".join(_rewrap(line, _chars(width - 16, note_size)) for line in lines)
        for a in found:
            annotations.remove(a)
    above_px = max(_lines(text) for text in labels.values()) * size * _LINE + 2
    below_px = max((_lines(text) * note_size * _LINE for text in below.values()), default=0) + 4
    bars = [tr for tr in fig["data"] if tr.get("type") == "bar"]
    stacked = bool(bars) and (len(bars) == 1 or layout.get("barmode") in ("stack", "relative"))
    reverse = (layout.get("yaxis") or {}).get("autorange") == "reversed"
    if stacked:  # the label above, the bar, what is said of it below: one after the other
        band = _BAR_PX
        slot = above_px + band + below_px + 10
        start = (above_px + 4) / slot  # the bar's top edge, from the top of its row
        for trace in bars:  # in category units: the bar's offset from the row's centre, and its width
            trace["width"] = band / slot
            trace["offset"] = (start - 0.5) if reverse else (0.5 - start - band / slot)
        centre = (0.5 - start) * slot - band / 2  # the bar's centre above the row's centre (pixels)
    else:  # dots (or bars side by side) in the middle of their row, the label above, the note below
        band = _DOTS_PX if not bars else _BAR_PX * len(bars)
        slot = band + 2 * max(above_px, below_px) + 10
        gap = 1 - band / slot
        layout["bargap" if bars else "scattergap"] = gap
        centre = 0
    for row in rows:
        annotations.append({"x": 0, "xref": "paper", "xanchor": "left", "y": row, "yref": "y",
                            "yanchor": "bottom", "yshift": centre + band / 2 + 1, "text": labels[row],
                            "align": "left", "showarrow": False, "font": {"size": size}, "bgcolor": _GROUND,
                            "borderpad": 0})
        if row in values:
            value = values[row]
            value.update({"x": 1, "xref": "paper", "xanchor": "right", "xshift": 0, "yanchor": "bottom",
                          "yshift": centre + band / 2 + 1,
                          "font": {**(value.get("font") or {}), "size": size}})
        if row in below:
            annotations.append({"x": 0, "xref": "paper", "xanchor": "left", "y": row, "yref": "y",
                                "yanchor": "top", "yshift": centre - band / 2 - 2, "text": below[row],
                                "align": "left", "showarrow": False, "bgcolor": _GROUND, "borderpad": 0,
                                "font": {"size": note_size, "color": "#555555"}})
    layout["yaxis"] = {**(layout.get("yaxis") or {}), "showticklabels": False, "ticks": "",
                       "automargin": False}
    # the marks of the notes about a bar (the dashboard's ✎) go on the bar, not on the row's centre
    layout["meta"] = {**(layout.get("meta") or {}), "bar_yshift": centre}
    margin["l"], margin["r"] = 16, 12  # room for half of the first and last tick labels
    return int(slot * len(rows))


def _plain(text: object) -> str:
    """Text of a label without its line breaks."""
    return " ".join(str(text or "").replace("<br>", " ").split())


def _narrow_margin(fig: dict, width: int, plot: int) -> int:
    """A chart without a category axis on the left (histogram, slope chart) for a phone; returns the
    height of its plot area.

    What the builder wrote in a wide right margin (a slope chart's end labels, from top to bottom)
    becomes a list under the plot, one entry a line in its own colour, so that the plot takes the whole
    width; a histogram's hidden bins keep their labels upright, one for a run of narrow bins."""
    fonts = _PHONE_FONTS
    layout = fig["layout"]
    margin = layout.setdefault("margin", {})
    annotations = layout.setdefault("annotations", [])
    upright = any(tr.get("type") == "bar" and tr.get("orientation") != "h" for tr in fig.get("data", []))
    if upright:
        _one_label_a_run(fig, width - 80)
    size = fonts["labels"]
    for annotation in annotations:
        if upright and annotation.get("xref") == "x" and annotation.get("yref") == "y":
            # a hidden bin's "< 3" at its foot: upright, so that narrow bins side by side keep theirs apart
            annotation.update(textangle=-90, yanchor="bottom", xanchor="center")
        if annotation.get("yref") == "y" or annotation.get("xref") == "x":
            annotation["font"] = {**(annotation.get("font") or {}), "size": min(
                (annotation.get("font") or {}).get("size") or FONT_SIZE, size)}
    aside = [a for a in annotations if a.get("xref") == "paper" and (a.get("x") or 0) >= 1
             and a.get("xanchor") == "left"]
    if not aside or (margin.get("r") or 0) <= width / 4:
        return plot
    # top to bottom, as the reader met them beside the lines
    def height_of(a: dict) -> float:
        y = a.get("y") or 0
        if a.get("yref") == "paper":
            return y
        low, high = ((layout.get("yaxis") or {}).get("range") or [0, 1])[:2]
        return (y - low) / ((high - low) or 1)

    aside.sort(key=height_of, reverse=True)
    layout["annotations"] = [a for a in annotations if not any(a is b for b in aside)] + aside
    margin["r"] = 12
    titled = bool(((layout.get("xaxis") or {}).get("title") or {}).get("text"))
    below = 64 + (int(fonts["axis"] * 1.3) if titled else 0)  # under the tick labels and the axis title
    for annotation in aside:
        annotation["text"] = _rewrap(annotation["text"], _chars(width - 16, size))
        annotation.update(x=0, xanchor="left", xshift=0, y=0, yref="paper", yanchor="top", yshift=-below,
                          align="left", font={**(annotation.get("font") or {}), "size": size})
        below += _lines(annotation["text"]) * size * _LINE + 4
    margin["b"] = int(below + 10)
    return plot


def _one_label_a_run(fig: dict, pixels: float) -> None:
    """Histogram bins too narrow for a label each: a run of neighbouring hidden bins that read the same
    ("< 3") gets one label, in its middle (a row of "< 3 < 3 < 3" runs together on a phone)."""
    bars = next((tr for tr in fig.get("data", []) if tr.get("type") == "bar" and tr.get("width")
                 and tr.get("x")), None)
    layout = fig["layout"]
    marks = [a for a in layout.get("annotations", []) if a.get("xref") == "x" and a.get("yref") == "y"]
    if bars is None or len(marks) < 2:
        return
    widths = bars["width"] if isinstance(bars["width"], list) else [bars["width"]] * len(bars["x"])
    low = min(x - w / 2 for x, w in zip(bars["x"], widths, strict=False))
    high = max(x + w / 2 for x, w in zip(bars["x"], widths, strict=False))
    scale = pixels / max(high - low, 1e-9)
    width_of = {x: w for x, w in zip(bars["x"], widths, strict=False)}
    if min(width_of.get(a["x"], 0) for a in marks) * scale >= _PHONE_FONTS["labels"] * 1.6:
        return  # room for one label a bin
    marks.sort(key=lambda a: a["x"])
    runs, run = [], [marks[0]]
    for mark in marks[1:]:
        previous = run[-1]
        apart = (width_of.get(mark["x"], 0) + width_of.get(previous["x"], 0)) / 2
        touching = abs(mark["x"] - previous["x"]) <= apart * 1.01
        if touching and mark.get("text") == previous.get("text"):
            run.append(mark)
        else:
            runs.append(run)
            run = [mark]
    runs.append(run)
    for run in runs:
        if len(run) > 1:
            run[0]["x"] = (run[0]["x"] + run[-1]["x"]) / 2
            for mark in run[1:]:
                layout["annotations"].remove(mark)


def _narrow_map(fig: dict, width: int) -> dict:
    """The network map for a phone: the whole map in the width, its names placed again for the
    smaller plot, the filter menu and the legend kept (see :func:`narrow`)."""
    fonts = _PHONE_FONTS
    layout = fig["layout"]
    menu = 44 if layout.get("updatemenus") else 0
    title = layout.get("title") or {}
    if isinstance(title, dict) and isinstance(title.get("subtitle"), dict):
        # the subtitle of the map was wrapped for a wide screen: wrap it again from its plain text
        title["subtitle"]["text"] = _plain(title["subtitle"]["text"])
    layout.setdefault("margin", {})["t"] = 0
    _narrow_title(layout, width)
    layout["margin"]["t"] += menu
    layout["margin"].update(l=6, r=6)
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    plot_width = width - 12
    if "range" in xaxis and "range" in yaxis:
        (x0, x1), (y0, y1) = xaxis["range"], yaxis["range"]
        plot_height = int(plot_width * (y1 - y0) / max(x1 - x0, 1e-9))
    else:
        plot_height = plot_width
    menus = layout.get("updatemenus")
    placed = fit_labels(fig, width=plot_width, height=plot_height)
    fig["data"] = placed["data"]
    for menu_ in menus or []:  # the filter: its choices wrapped, so that the menu fits the width
        menu_["font"] = {**(menu_.get("font") or {}), "size": fonts["labels"]}
        for button in menu_.get("buttons", []):
            button["label"] = _rewrap(button.get("label", ""), _chars(width - 60, fonts["labels"]))
    for trace in fig["data"]:
        if "markers+text" in str(trace.get("mode") or ""):
            trace["textfont"] = {**(trace.get("textfont") or {}), "size": fonts["labels"] - 1}
        if trace.get("name"):  # a legend entry a line, wrapped to the width (an entry cannot wrap itself)
            trace["name"] = _rewrap(trace["name"], _chars(width - 50, fonts["labels"]))
    rows = _legend_rows(fig, width, fonts["labels"])
    layout["legend"] = {**(layout.get("legend") or {}), "font": {"size": fonts["labels"]},
                        "xref": "container", "x": 0.02}
    layout["margin"]["b"] = 20 + _LEGEND_ROW * max(rows, 1)
    layout["height"] = int(layout["margin"]["t"] + plot_height + layout["margin"]["b"])
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
