"""Where a territory stands: dimension scores of the territory against the others and all.

A dot plot (default) puts one row per dimension, one dot per group (the territory in blue,
the other territories and all territories in contrasting colours) with its 95 % confidence
interval as a horizontal bar, on the 0–100 score scale. A radar is available for workshops
that prefer it; it cannot show the intervals, which its subtitle says.

Suppressed groups (fewer than ``min_count`` scored respondents) have no dot, only ``< 3``.

Examples
--------
>>> import pandas as pd
>>> from coopwork.figures import to_figure
>>> scores = pd.DataFrame({
...     "dimension": ["trust"] * 3 + ["governance"] * 3,
...     "group": ["territory", "others", "all"] * 2,
...     "n": pd.array([12, 40, 52, pd.NA, pd.NA, 50], dtype="Int64"),
...     "mean": [71.0, 64.5, 66.0, None, None, 58.2],
...     "ci_low": [62.0, 59.0, 61.5, None, None, 54.0],
...     "ci_high": [80.0, 70.0, 70.5, None, None, 62.4],
...     "suppressed": [False, False, False, True, True, False],
...     "display": ["71", "64", "66", "< 3", "< 3", "58"]})
>>> fig = to_figure(scores_chart(scores, lang="en"))
>>> [(trace.name, trace.x) for trace in fig.data]
[('territory', (71.0, None)), ('Other territories', (64.5, None)), ('All territories', (66.0, 58.2))]
>>> fig.layout.title.subtitle.text.replace("<br>", " ").split(" · Bars")[0]  # each group's base
'Respondents: territory 12 · Other territories 40 · All territories 52'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import format_number
from ..i18n import t
from ..vocabulary import dimension_label
from . import _tables as tb
from .theme import PALETTE, apply_theme, escape

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["scores_chart"]

#: colour of each conventional group of compare_scores
_GROUP_COLOURS = {"territory": PALETTE[0], "others": PALETTE[1], "all": "#000000"}
_GROUP_SYMBOLS = {"territory": "circle", "others": "diamond", "all": "square"}


def _labels(table: pd.DataFrame, column: str, label_column: str, lang: str, survey: Survey | None,
            kind: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for _, row in table.iterrows():
        code = str(row[column])
        if code in labels:
            continue
        given = row.get(label_column)
        if isinstance(given, str) and given:
            labels[code] = tb.group_label(given, lang, survey) if kind == "group" else given
        elif kind == "dimension":
            labels[code] = dimension_label(code, lang)
        else:
            labels[code] = tb.group_label(code, lang, survey)
    return labels


def _bases(table: pd.DataFrame, hidden: pd.Series, labels: dict[str, str], lang: str) -> str:
    """How many respondents each group of the chart rests on (its largest published n): a territory and
    what it is compared with each have their own base; territories side by side, the range of theirs
    (never a total, which would give a hidden territory's size away)."""
    shown = table[~hidden].assign(_n=tb.numbers(table.loc[~hidden, "n"]))
    largest = shown.groupby(shown["group"].astype("str"), sort=False)["_n"].max()
    sizes = {group: int(n) for group, n in largest.items() if n == n}
    if set(sizes) & {"territory", "others", "all"}:  # plain text: the theme escapes the subtitle
        groups = " · ".join(f"{labels.get(g, g)} {format_number(n, lang=lang)}" for g, n in sizes.items())
        return t("figures.base_groups", lang, groups=groups)
    low, high = (format_number(f(sizes.values()), lang=lang) for f in (min, max))
    return t("figures.base_per_group", lang, low=low, high=high)


def scores_chart(scores: pd.DataFrame, *, survey: Survey | None = None, kind: str = "dot", lang: str = "fr",
                 title: str | None = None) -> dict:
    """Dot plot (with 95 % intervals) or radar of dimension scores by group.

    Parameters
    ----------
    scores
        Output of :func:`coopwork.analysis.indicators.compare_scores` (columns ``dimension,
        group, n, mean, ci_low, ci_high, suppressed, display``; ``dimension_label`` and
        ``group_label`` are used when present).
    survey
        Optional: dimension order of the form, territory labels.
    kind
        ``"dot"`` (default) or ``"radar"``.
    lang, title
        Language; title instead of "Scores par dimension".

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). One trace per group, in the
        order of ``scores``; dot plot (``"scatter"``): ``x`` = mean (None when
        suppressed), ``y`` = dimension labels, ``error_x`` = interval; radar: ``r`` = mean,
        ``theta`` = dimension labels (``"scatterpolar"``).
    """
    if kind not in {"dot", "radar"}:
        raise ValueError(f"kind must be 'dot' or 'radar', not {kind!r}")
    tb.require(scores, ["dimension", "group", "n", "mean"], "compare_scores()")
    table = scores.reset_index(drop=True)
    dimensions = list(dict.fromkeys(table["dimension"].astype("str").tolist()))
    if survey is not None:
        order = {name: i for i, name in enumerate(survey.dimensions)}
        dimensions.sort(key=lambda d: order.get(d, len(order)))
    dim_labels = _labels(table, "dimension", "dimension_label", lang, survey, "dimension")
    group_labels = _labels(table, "group", "group_label", lang, survey, "group")
    hidden = tb.suppressed(table)
    y = [escape(dim_labels[d]) for d in dimensions]

    data: list[dict] = []
    annotations = []
    groups_column = table["group"].astype("str")
    dimension_column = table["dimension"].astype("str")
    for i, group in enumerate(dict.fromkeys(groups_column.tolist())):
        rows: dict[str, pd.Series] = {}
        gone: dict[str, str] = {}  # suppressed dimension → its display text
        for index, row in table[groups_column == group].iterrows():
            if hidden[index]:
                gone[dimension_column[index]] = str(row.get("display", "< 3"))
            else:
                rows[dimension_column[index]] = row

        def value(d: str, column: str, rows: dict[str, pd.Series] = rows) -> float | None:
            return tb.number(rows[d][column]) if d in rows and column in rows[d] else None

        mean = [value(d, "mean") for d in dimensions]
        low = [value(d, "ci_low") for d in dimensions]
        high = [value(d, "ci_high") for d in dimensions]
        colour = _GROUP_COLOURS.get(group, PALETTE[(i + 2) % len(PALETTE)])
        name = escape(group_labels[group])
        hover = []
        for d, m, lo, hi in zip(dimensions, mean, low, high, strict=True):
            if m is None:
                hover.append("")
                continue
            text = t("figures.hover_score", lang, group=name, dimension=escape(dim_labels[d]),
                     mean=format_number(m, decimals=1, lang=lang), n=format_number(rows[d]["n"], lang=lang))
            if lo is not None and hi is not None:
                text += "<br>" + t("figures.hover_ci", lang, low=format_number(lo, decimals=1, lang=lang),
                                   high=format_number(hi, decimals=1, lang=lang))
            hover.append(text)
        if kind == "dot":
            data.append({
                "type": "scatter", "x": mean, "y": y, "mode": "markers", "name": name, "offsetgroup": group,
                "orientation": "h",
                "marker": {"color": colour, "size": 16, "symbol": _GROUP_SYMBOLS.get(group, "circle"),
                           "line": {"color": "white", "width": 1}},
                "error_x": {"type": "data", "symmetric": False, "color": colour, "thickness": 2, "width": 6,
                            "array": [None if m is None or h is None else h - m
                                      for m, h in zip(mean, high, strict=True)],
                            "arrayminus": [None if m is None or lo is None else m - lo
                                           for m, lo in zip(mean, low, strict=True)]},
                "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
            for d, label in zip(dimensions, y, strict=True):
                if d in gone:
                    annotations.append({"x": 0, "y": label, "xref": "x", "yref": "y", "xanchor": "left",
                                        "text": f"{name} : {escape(gone[d])}", "showarrow": False,
                                        "font": {"size": 13, "color": colour}})
        else:
            data.append({
                "type": "scatterpolar", "r": [*mean, mean[0]] if mean else [],
                "theta": [*y, y[0]] if y else [], "name": name, "mode": "lines+markers",
                "line": {"color": colour, "width": 3 if group == "territory" else 2},
                "fill": "toself" if group == "territory" else "none", "opacity": 0.85,
                "connectgaps": False, "hovertext": [*hover, hover[0]] if hover else [],
                "hovertemplate": "%{hovertext}<extra></extra>"})
    if kind == "dot":
        layout = {"xaxis": {"range": [0, 100], "title": {"text": t("figures.score_axis", lang)}},
                  "yaxis": {"autorange": "reversed", "categoryorder": "array", "categoryarray": y},
                  "scattermode": "group", "scattergap": 0.5, "annotations": annotations,
                  "height": max(450, 170 + 80 * len(y))}
    else:
        layout = {"polar": {"radialaxis": {"range": [0, 100], "gridcolor": "#E5E5E5"},
                            "angularaxis": {"gridcolor": "#E5E5E5"}, "bgcolor": "white"}}
    parts = [_bases(table, hidden, group_labels, lang)] if (~hidden).any() else []
    parts.append(t("figures.scores_ci" if kind == "dot" else "figures.radar_no_ci", lang))
    if hidden.any():
        parts.append(tb.legend(table, lang))
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or t("figures.scores_title", lang), subtitle=" · ".join(parts))
