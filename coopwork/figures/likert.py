"""Diverging Likert bars: several agreement questions on one chart, in form order.

Each question is one horizontal bar centred on zero: the disagreeing levels (the first half of
the scale) extend to the left, the agreeing levels to the right, and the neutral middle level
of an odd scale is split in two halves around zero. Colours go from red (disagree) through
grey (neutral) to blue (agree), a colour-blind-safe scale. Percentages are of the respondents
who answered the question (its base), which the axis label of each question states.

Suppressed levels are left out of the bar and listed to its right with the label of their rule
(``< 3``, or ``masqué`` for a level hidden to protect another); on a phone, under the bar. Which
side means what is written above the plot, at its two ends (◀ disagreement, agreement ▶). A
segment too narrow for its percentage at a readable size shows none (its hover gives it).

Examples
--------
>>> import pandas as pd
>>> from coopwork.figures import to_figure
>>> rows = [("q1", str(k), f"niveau {k}", n) for k, n in zip(range(1, 6), [4, 6, 10, 20, 10])]
>>> summary = pd.DataFrame(rows, columns=["question", "option", "label", "n"])
>>> summary = summary.assign(base=50, missing=0, percent=summary["n"] * 2.0, suppressed=False,
...                          display=summary["n"].astype(str))
>>> fig = to_figure(likert_chart(summary, lang="fr"))
>>> [(trace.name, trace.x[0]) for trace in fig.data]  # neutral half, disagree outwards, neutral half, agree
[('niveau 3', -10.0), ('niveau 2', -12.0), ('niveau 1', -8.0),
 ('niveau 3', 10.0), ('niveau 4', 40.0), ('niveau 5', 20.0)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import format_number, format_percent
from ..i18n import t
from . import _tables as tb
from .theme import apply_theme, base_text, diverging_colours, escape, wrap

# the right margin that holds the levels hidden by the disclosure rule, their font, and the characters
# a line of it holds (about 0.55 em a character)
_NOTE_MARGIN = 220
_NOTE_FONT = 14
_NOTE_CHARS = int((_NOTE_MARGIN - 12) / (0.55 * _NOTE_FONT))

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["likert_chart"]


def likert_chart(summary: pd.DataFrame, *, survey: Survey | None = None, questions: list[str] | None = None,
                 lang: str = "fr", title: str | None = None, unit: str = "organisations") -> dict:
    """Diverging stacked bars of one or several Likert questions.

    Parameters
    ----------
    summary
        Rows of :func:`coopwork.analysis.summary.summarise` for Likert questions (concatenated
        for several questions), options in scale order (``question, option, label, n, base,
        percent, suppressed, display``).
    survey
        Optional: question labels, and the order of the questions in the form.
    questions
        The questions to draw, in this order (default: every question of ``summary``, in form
        order when ``survey`` is given).
    lang
        Language of the texts and number format.
    title
        Title (default: "Degré d'accord" / "Level of agreement", or the question label when
        there is one question).
    unit
        What the answers count: ``"organisations"`` (one answer per respondent, the default) or
        ``"ties"`` (one answer per cooperation tie): it says the base of each bar (``n = 121 liens``); the
        results word the axis after the unit (``coopwork.results.charts._state_axes``).

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). ``barmode="relative"``;
        one ``"bar"`` trace per scale level (the neutral level has two traces,
        ``-half`` and ``+half``); ``y`` = question labels, ``x`` = signed percentages (None when
        suppressed), ``ids`` = question names. ``meta`` of each trace is the option name.
    """
    tb.require(summary, ["question", "option", "label", "n", "base", "percent"], "summarise() (Likert)")
    names = list(dict.fromkeys(summary["question"].astype("str").tolist()))
    if questions is not None:
        names = [q for q in questions if q in names]
    elif survey is not None:
        order = {name: i for i, name in enumerate(survey.questions)}
        names.sort(key=lambda q: order.get(q, len(order)))
    table = summary[summary["question"].astype("str").isin(names)].reset_index(drop=True)
    hidden = tb.suppressed(table)

    def label_of(q: str) -> str:
        if survey is not None and q in survey.questions:
            return survey.label(q, lang)
        return str(table.attrs.get("question_label") if len(names) == 1 and table.attrs.get("question_label")
                   else q)

    rows: dict[str, pd.DataFrame] = {q: table[table["question"].astype("str") == q] for q in names}
    levels = max((len(r) for r in rows.values()), default=0)
    colours = diverging_colours(levels)
    half = levels // 2
    neutral = half if levels % 2 else None
    bases: dict[str, float | None] = {}
    y_labels: dict[str, str] = {}
    for q, r in rows.items():
        known = [v for v in tb.numbers(r["base"]) if v is not None]
        bases[q] = max(known) if known else None
        n_text = _base(int(bases[q]), unit, lang) if bases[q] is not None else ""
        y_labels[q] = f"{wrap(label_of(q), 45)}<br><span style='font-size:14px'>{escape(n_text)}</span>"

    def trace(position: int, sign: float, factor: float, show: bool) -> dict:
        x, hover, option_label, option = [], [], "", ""
        for q in names:
            r = rows[q]
            if position >= len(r):
                x.append(None)
                hover.append("")
                continue
            row = r.iloc[position]
            option_label = option_label or str(row["label"])
            option = option or str(row["option"])
            if hidden[r.index[position]]:
                x.append(None)
                hover.append("")
                continue
            percent = tb.number(row["percent"])
            x.append(None if percent is None else sign * factor * percent)
            hover.append(f"{wrap(label_of(q), 60)}<br>" + t(
                "figures.hover_option", lang, label=escape(row["label"]),
                percent=format_percent(percent, decimals=1, lang=lang),
                n=format_number(row["n"], lang=lang), base=format_number(row["base"], lang=lang)))
        return {"type": "bar", "x": x, "y": [y_labels[q] for q in names], "ids": list(names),
                "orientation": "h",
                "name": escape(option_label), "meta": option, "marker": {"color": colours[position]},
                "legendgroup": f"level{position}", "showlegend": show, "legendrank": position + 1,
                "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
                "text": [_bar_text(v, factor, sign, lang) for v in x],
                "textposition": "inside", "insidetextanchor": "middle", "textangle": 0}

    data: list[dict] = []
    if neutral is not None:
        data.append(trace(neutral, -1, 0.5, False))
    for position in reversed(range(half)):
        data.append(trace(position, -1, 1, True))
    if neutral is not None:
        data.append(trace(neutral, 1, 0.5, True))
    for position in range(half + (1 if neutral is not None else 0), levels):
        data.append(trace(position, 1, 1, True))

    annotations = []
    for q in names:
        r = rows[q]
        gone = r[hidden[r.index]]
        if len(gone):
            # one hidden level a line, wrapped to the right margin (it never runs out of the chart)
            text = "<br>".join(wrap(f"{x['label']} : {x['display']}", _NOTE_CHARS)
                               for _, x in gone.iterrows())
            annotations.append({"x": 1.0, "xref": "paper", "y": y_labels[q], "yref": "y", "text": text,
                                "showarrow": False, "xanchor": "left", "align": "left",
                                "font": {"size": _NOTE_FONT, "color": "#555555"}})
    for x, anchor, key in ((0, "left", "figures.likert_disagree"), (1, "right", "figures.likert_agree")):
        annotations.append({"x": x, "xref": "paper", "xanchor": anchor, "y": 1, "yref": "paper",
                            "yanchor": "bottom", "yshift": 4, "text": escape(t(key, lang)),
                            "showarrow": False, "font": {"size": _NOTE_FONT + 1, "color": "#555555"}})
    left = max((sum(-v for v in (tr["x"][i] for tr in data) if v is not None and v < 0)
                for i in range(len(names))), default=0)
    right = max((sum(v for v in (tr["x"][i] for tr in data) if v is not None and v > 0)
                 for i in range(len(names))), default=0)
    reach = max(left, right, 10.0)
    reach = min(100.0, (int(reach / 25) + 1) * 25.0)
    ticks = [v for v in range(-int(reach), int(reach) + 1, 25)]
    layout = {
        "xaxis": {"range": [-reach, reach], "tickvals": ticks,
                  "ticktext": [format_percent(abs(v), lang=lang) for v in ticks], "zeroline": True,
                  "zerolinewidth": 2, "title": {"text": t("figures.percent_axis", lang)}},
        "yaxis": {"autorange": "reversed", "categoryorder": "array",
                  "categoryarray": [y_labels[q] for q in names]},
        "barmode": "relative", "annotations": annotations, "bargap": 0.35,
        "uniformtext": {"minsize": 12, "mode": "hide"},
        "height": max(400, 160 + 110 * len(names)), "margin": {"r": _NOTE_MARGIN if annotations else 40}}
    known = [b for b in bases.values() if b is not None]
    subtitle = _base(int(min(known)), unit, lang, high=int(max(known))) if known else ""
    if hidden.any():
        subtitle += " · " + tb.legend(table, lang)
    if title is None:
        title = label_of(names[0]) if len(names) == 1 else t("figures.likert_title", lang)
    figure = apply_theme({"data": data, "layout": layout}, lang=lang, title=title, subtitle=subtitle)
    layout = figure["layout"]
    layout["margin"]["t"] += _DIRECTIONS  # the ◀ ▶ line between the subtitle and the plot
    # a question's label (up to three lines and its n) and its bar: about 80 px a question
    layout["height"] = max(layout["height"], layout["margin"]["t"] + 150 + 80 * len(names))
    return figure


#: the height of the line that says which side is disagreement, which agreement (pixels)
_DIRECTIONS = 26


def _base(n: int, unit: str, lang: str, *, high: int | None = None) -> str:
    """``n = 29 répondants``, or ``n = 121 liens`` for answers given per cooperation tie."""
    if unit != "ties":
        return base_text(n, lang=lang, high=high)
    if high is not None and high != n:
        return t("figures.base_ties_range", lang, low=format_number(n, lang=lang),
                 high=format_number(high, lang=lang))
    return t("figures.base_ties", lang, n=format_number(n, lang=lang))


def _bar_text(value: float | None, factor: float, sign: float, lang: str) -> str | None:
    """Percent written in a segment (≥ 5 %); the neutral level is written once, on its right half."""
    if value is None or (factor < 1 and sign < 0):
        return None
    full = abs(value) / factor
    return format_percent(full, lang=lang) if full >= 5 else None
