"""One theme: Okabe–Ito palette, colour-blind-safe diverging scale, large fonts, FR/EN numbers."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.io as pio

from coopwork.figures import to_figure
from coopwork.figures.theme import (
    FONT_SIZE,
    HEIGHT,
    PALETTE,
    TEMPLATE,
    TEMPLATE_LAYOUT,
    WIDTH,
    apply_theme,
    base_text,
    category_colours,
    diverging_colours,
    escape,
    register_template,
    separators,
    template,
    with_template,
    wrap,
)
from coopwork.i18n import catalogue

from .conftest import subtitle

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def test_palette_is_okabe_ito_and_registered_as_a_template():
    assert set(PALETTE) == OKABE_ITO and len(PALETTE) == 8
    fig = to_figure(apply_theme({"data": [], "layout": {}}, lang="fr"))
    register_template()
    assert TEMPLATE in pio.templates
    assert fig.layout.template.layout.colorway == PALETTE
    assert fig.layout.template.layout.font.size == FONT_SIZE >= 16  # readable on a projector
    assert category_colours(["a", "b", "c"]) == {"a": PALETTE[0], "b": PALETTE[1], "c": PALETTE[2]}
    assert category_colours([str(i) for i in range(9)])["8"] == PALETTE[0]


def _rgb(colour: str) -> tuple[int, int, int]:
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])


def test_diverging_scale_goes_from_red_to_blue_through_grey():
    for levels in range(2, 10):
        colours = diverging_colours(levels)
        assert len(colours) == levels
        rgb = [_rgb(c) for c in colours]
        half = levels // 2
        assert all(r > b for r, _, b in rgb[:half])  # disagreement side: red
        assert all(b > r for r, _, b in rgb[levels - half:])  # agreement side: blue
        if levels % 2:
            r, g, b = rgb[half]
            assert r == g == b  # neutral: grey
    assert diverging_colours(5) == ["#B2182B", "#F4A582", "#BBBBBB", "#92C5DE", "#2166AC"]


def test_number_format_and_base_by_language():
    assert separators("fr") == ",\u202f" and separators("en") == ".,"
    assert base_text(57, lang="fr") == "n = 57 répondants"
    assert base_text(1234, lang="fr") == "n = 1\u202f234 répondants"
    assert base_text(1234, lang="en") == "n = 1,234 respondents"
    assert base_text(40, high=57, lang="en") == "n = 40 to 57 respondents"
    fig = to_figure(apply_theme({"data": [], "layout": {}}, lang="en", title="<b>Trust</b>",
                                subtitle="n = 3 respondents"))
    assert fig.layout.separators == ".,"
    assert fig.layout.title.text == "<b>&lt;b&gt;Trust&lt;/b&gt;</b>"  # user text is escaped
    assert subtitle(fig) == "n = 3 respondents"


def test_escape_and_wrap():
    assert escape('<img src=x onerror="alert(1)">') == '&lt;img src=x onerror="alert(1)"&gt;'
    assert wrap("a " * 30, 10).count("<br>") >= 5
    assert "<script>" not in wrap("<script>alert(1)</script>")


def test_every_figures_message_used_in_the_code_exists_in_both_languages():
    root = Path(__file__).resolve().parents[2] / "coopwork" / "figures"
    used = set()
    for path in root.glob("*.py"):
        used |= set(re.findall(r"[\"'](figures\.[a-z_]+)[\"']", path.read_text(encoding="utf-8")))
    messages = catalogue()
    assert used, "no message found: the pattern is wrong"
    for key in sorted(used):
        assert key in messages, key
        assert messages[key].get("fr") and messages[key].get("en"), key


def test_template_is_a_plain_dict_without_width_and_registered_with_one():
    assert "width" not in TEMPLATE_LAYOUT and TEMPLATE_LAYOUT["height"] == HEIGHT == 650
    assert template() == {"layout": TEMPLATE_LAYOUT} and template()["layout"] is not TEMPLATE_LAYOUT
    copy = template()
    copy["layout"]["xaxis"]["gridcolor"] = "red"  # a deep copy: neither the constant nor the y axis change
    assert TEMPLATE_LAYOUT["xaxis"]["gridcolor"] == copy["layout"]["yaxis"]["gridcolor"] == "#E5E5E5"
    register_template()
    registered = pio.templates[TEMPLATE].layout
    assert registered.width == WIDTH == 1100 and registered.height == HEIGHT
    assert registered.font.size == FONT_SIZE and registered.colorway == PALETTE


def test_apply_theme_and_with_template_on_dicts():
    fig = apply_theme({"data": [], "layout": {"height": 400, "margin": {"r": 220, "t": 300}}}, lang="fr",
                      title="Titre", subtitle="Sous-titre")
    layout = fig["layout"]
    assert layout["height"] == 400 and layout["separators"] == ",\u202f" and layout["autosize"] is True
    assert layout["margin"] == {"r": 220, "t": 300}  # a larger top margin is kept
    assert "template" not in layout and "width" not in layout
    small = apply_theme({"data": [], "layout": {}}, title="Titre", subtitle="Sous-titre")["layout"]
    assert small["height"] == HEIGHT and small["margin"] == {"t": 60 + 32 * 2}
    themed = with_template(fig)
    assert themed["layout"]["template"] == template() and themed["data"] is fig["data"]
    assert "template" not in fig["layout"]  # the input is not changed
    assert apply_theme({"data": [], "layout": {}})["layout"].keys() == {"separators", "height", "autosize"}


def test_narrow_puts_bar_labels_above_their_bars_and_wraps_titles_for_a_phone():
    from coopwork.figures.theme import NARROW_WIDTH, narrow

    long = "Pôle territorial de coopération économique (PTCE)"
    fig = apply_theme({"data": [{"type": "bar", "orientation": "h", "x": [1, 2],
                                 "y": [wrap(long, 45), "Autre"], "ids": ["ptce", "autre"]}],
                       "layout": {"yaxis": {"categoryarray": [wrap(long, 45), "Autre"]},
                                  "annotations": [{"x": 0, "y": wrap(long, 45), "xref": "x", "yref": "y",
                                                   "text": "&lt; 3"}]}},
                      title="Avec combien d'organisations du territoire coopérez-vous régulièrement ?",
                      subtitle="n = 12 répondants · « < 3 » : moins de 3 réponses, valeur masquée.")
    phone = narrow(fig)
    assert fig["data"][0]["y"][0] == wrap(long, 45)  # the figure given is left as it was
    # the categories stay (a note about a bar names it), their labels go above the bars, full width
    assert phone["data"][0]["y"] == fig["data"][0]["y"] and phone["data"][0]["ids"] == ["ptce", "autre"]
    assert phone["layout"]["yaxis"]["showticklabels"] is False
    above = {a["y"]: a for a in phone["layout"]["annotations"] if a.get("yanchor") == "bottom"}
    assert above[wrap(long, 45)]["text"].replace("<br>", " ") == long and above["Autre"]["text"] == "Autre"
    assert all(a["x"] == 0 and a["xanchor"] == "left" and a["yshift"] > 0 for a in above.values())
    # what was said on the row (the hidden cell's "< 3") goes under the bar, and the bar keeps its room
    under = [a for a in phone["layout"]["annotations"] if a.get("yanchor") == "top"]
    assert [(a["y"], a["text"]) for a in under] == [(wrap(long, 45), "&lt; 3")]
    bar = phone["data"][0]
    assert bar["width"] * (phone["layout"]["height"] - phone["layout"]["margin"]["t"]
                           - phone["layout"]["margin"]["b"]) / 2 >= 20  # 2 rows: a bar ≥ 20 px thick
    title = phone["layout"]["title"]
    for text, size in ((title["text"].removeprefix("<b>").removesuffix("</b>"), 1.1 * title["font"]["size"]),
                       (title["subtitle"]["text"], title["subtitle"]["font"]["size"])):
        assert all(len(line) * 0.55 * size <= NARROW_WIDTH for line in text.split("<br>"))
    needed = ((title["text"].count("<br>") + 1) * title["font"]["size"]
              + (title["subtitle"]["text"].count("<br>") + 1) * title["subtitle"]["font"]["size"]) * 1.2
    assert needed <= phone["layout"]["margin"]["t"] <= needed + 60  # room for the title, and no more
    to_figure(phone)
