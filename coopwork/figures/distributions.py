"""Distributions of a numeric question: box plots of a summary, histograms with protected bins.

- :func:`box_chart` draws the numeric summary of ``summarise`` (overall or by group) as box
  plots from the published statistics (quartiles, median, min, max, mean): the figure holds
  no individual answer, and a suppressed group is shown as ``< 3``, not as a box.
- :func:`histogram_chart` counts answers in bins and passes the bin table through
  :func:`coopwork.analysis.disclosure.protect` (with the total as margin, so a hidden bin
  cannot be recovered by subtraction): bins of 1 or 2 answers are drawn as ``< 3``.

Examples
--------
>>> import pandas as pd
>>> from coopwork.figures import to_figure
>>> summary = pd.DataFrame({"question": "salaries", "org_type": ["scop", "asso"],
...     "org_type_label": ["SCOP", "Association"], "n": pd.array([12, pd.NA], dtype="Int64"),
...     "base": pd.array([12, pd.NA], dtype="Int64"), "missing": pd.array([0, pd.NA], dtype="Int64"),
...     "mean": [8.5, None], "min": [1.0, None], "q1": [3.0, None], "median": [6.0, None],
...     "q3": [11.0, None], "max": [30.0, None], "suppressed": [False, True], "display": ["8,5", "< 3"]})
>>> fig = to_figure(box_chart(summary, lang="fr"))
>>> fig.data[0].median, fig.data[0].x
((6.0,), ('SCOP',))
>>> [a.text for a in fig.layout.annotations]
['&lt; 3']
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis.disclosure import DEFAULT_MIN_COUNT, format_number, protect
from ..i18n import t
from . import _tables as tb
from .theme import GREY, PALETTE, apply_theme, base_text, escape, wrap

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["box_chart", "histogram_chart"]


def box_chart(summary: pd.DataFrame, *, survey: Survey | None = None, by: str | None = None,
              lang: str = "fr", title: str | None = None) -> dict:
    """Box plots of a numeric question from its summary (one box per group).

    Parameters
    ----------
    summary
        Output of :func:`coopwork.analysis.summary.summarise` for a numeric question (columns
        ``n, mean, min, q1, median, q3, max, suppressed, display``; ``<by>`` and
        ``<by>_label`` when grouped).
    survey
        Optional: the question label of the title.
    by
        The grouping column (default: ``summary.attrs['by']`` or the one extra column).
    lang, title
        Language; title instead of the question label.

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). One ``"box"`` trace per
        published group with precomputed ``q1, median, q3,
        lowerfence (min), upperfence (max), mean``; suppressed groups appear as ``< 3`` annotations.
    """
    tb.require(summary, ["n", "min", "q1", "median", "q3", "max", "mean"], "summarise() (numeric question)")
    summary = summary.reset_index(drop=True)
    by = tb.by_column(summary, by)
    hidden = tb.suppressed(summary)
    labels = (tb.group_labels(summary, by) if by else
              pd.Series(t("figures.all_respondents", lang), index=summary.index))
    data: list[dict] = []
    annotations = []
    for i, (index, row) in enumerate(summary.iterrows()):
        name = wrap(labels[index], 25)
        stats = {k: tb.number(row[k]) for k in ("min", "q1", "median", "q3", "max", "mean")}
        if hidden[index] or stats["median"] is None:
            text = row.get("display", "< 3") if hidden[index] else t("figures.no_answer", lang)
            annotations.append({"x": name, "y": 0.5, "xref": "x", "yref": "paper", "text": escape(text),
                                "showarrow": False, "font": {"color": "#555555"}})
            continue
        hover = t("figures.box_hover", lang, group=escape(labels[index]),
                  n=format_number(row["n"], lang=lang),
                  **{k: format_number(v, decimals=1, lang=lang) for k, v in stats.items()})
        data.append({"type": "box", "x": [name], "q1": [stats["q1"]], "median": [stats["median"]],
                     "q3": [stats["q3"]], "lowerfence": [stats["min"]], "upperfence": [stats["max"]],
                     "mean": [stats["mean"]], "boxpoints": False, "name": name,
                     "marker": {"color": PALETTE[i % len(PALETTE)]}, "showlegend": False,
                     "hovertext": [hover], "hoverinfo": "text"})
    every = [wrap(v, 25) for v in labels.tolist()]
    # an invisible trace keeps every group on the axis, boxes or not
    data.append({"type": "scatter", "x": every, "y": [None] * len(every), "mode": "markers",
                 "showlegend": False, "hoverinfo": "skip", "marker": {"color": GREY}})
    layout = {"annotations": annotations, "xaxis": {"categoryorder": "array", "categoryarray": every}}
    published = [v for v, h in zip(tb.numbers(summary["n"]), hidden, strict=True) if v is not None and not h]
    respondents, _, too_few = tb.table_base(summary, (sum(published) if published else None, None))
    subtitle = base_text(int(respondents), lang=lang) if respondents is not None else ""
    if hidden.any():
        subtitle += " · " + tb.legend(summary, lang)
    if too_few:  # nothing published: not even the size of the base
        subtitle = t("figures.too_few", lang, min_count=tb.min_count(summary))
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or tb.question_title(summary, survey, None, lang),
                       subtitle=subtitle)


def histogram_chart(responses: pd.DataFrame, survey: Survey, question: str, *, bins: int | None = None,
                    min_count: int = DEFAULT_MIN_COUNT, lang: str = "fr",
                    title: str | None = None) -> dict:
    """Histogram of a numeric question with disclosure control on every bin.

    Parameters
    ----------
    responses
        Responses (or relations) table already filtered to the territory/wave of interest.
    survey
        The survey (question label and type).
    question
        A numeric question.
    bins
        Number of equal-width bins (default: numpy's ``"auto"`` rule, at most 20).
    min_count
        Bins counting 1 .. ``min_count`` − 1 answers are suppressed (and one more bin when needed
        so that the published total does not reveal it).
    lang, title
        Language; title instead of the question label.

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). One ``"bar"`` trace:
        ``x`` = bin centres, ``width`` = bin widths, ``y`` = counts (None where suppressed),
        ``customdata`` = ``[low, high]`` of each bin.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.figures import to_figure
    >>> from coopwork.survey import Question, Survey
    >>> q = Question("salaries", "integer", {"fr": "Nombre de salariés"})
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"salaries": q}, {})
    >>> df = pd.DataFrame({"salaries": [1, 2, 2, 3, 4, 4, 5, 5, 5, 38, 39, 40]})
    >>> to_figure(histogram_chart(df, survey, "salaries", bins=4)).data[0].y
    (9.0, 0.0, 0.0, 3.0)

    With a single answer of 40, the last bin (1 answer) is hidden ("< 3"), and so is the first one,
    or the total (n = 10) would give it away; it holds 9 answers, so it reads "masqué", not "< 3":

    >>> fig = to_figure(histogram_chart(df.iloc[[0, 1, 2, 3, 4, 5, 6, 7, 8, 11]], survey, "salaries", bins=4))
    >>> fig.data[0].y, [a.text for a in fig.layout.annotations]
    ((None, 0.0, 0.0, None), ['masqué', '&lt; 3'])
    """
    q = survey.question(question)
    values = pd.to_numeric(responses[question], errors="coerce").astype("float64").dropna().to_numpy()
    data: list[dict] = []
    layout: dict = {}
    if 0 < len(values) < min_count:  # too few answers: even their number is not published
        subtitle = t("figures.too_few", lang, min_count=min_count)
    elif len(values):
        edges = np.histogram_bin_edges(values, bins=bins if bins else "auto")
        if bins is None and len(edges) > 21:
            edges = np.histogram_bin_edges(values, bins=20)
        counts, edges = np.histogram(values, bins=edges)
        table = protect(pd.DataFrame({"n": counts.astype("int64")}), count="n", min_count=min_count,
                        margins=[None], lang=lang)
        hidden = table["suppressed"].to_numpy(dtype=bool)
        centres = (edges[:-1] + edges[1:]) / 2
        y = [None if h else float(c) for c, h in zip(counts, hidden, strict=True)]
        hover = [t("figures.bin_hover", lang, low=format_number(lo, decimals=1, lang=lang),
                   high=format_number(hi, decimals=1, lang=lang), n=escape(d))
                 for lo, hi, d in zip(edges[:-1], edges[1:], table["display"], strict=True)]
        # each bin's key (a note about one bin names it, the same in every language): "10–20"
        ids = [f"{lo:.4g}–{hi:.4g}" for lo, hi in itertools.pairwise(edges)]
        data.append({"type": "bar", "x": centres.tolist(), "y": y, "width": np.diff(edges).tolist(),
                     "ids": ids,
                     "customdata": np.column_stack([edges[:-1], edges[1:]]).tolist(),
                     "marker": {"color": PALETTE[0], "line": {"color": "white", "width": 1}},
                     "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False})
        layout["annotations"] = [
            {"x": float(c), "y": 0, "xref": "x", "yref": "y", "text": escape(d), "showarrow": False,
             "yanchor": "bottom", "font": {"color": "#555555"}}
            for c, d, h in zip(centres, table["display"], hidden, strict=True) if h]
        subtitle = base_text(len(values), lang=lang)
        if hidden.any():
            subtitle += " · " + tb.legend(table, lang, threshold=min_count)
    else:
        subtitle = base_text(0, lang=lang)
    layout["yaxis"] = {"title": {"text": t("figures.count_axis", lang)}, "rangemode": "tozero"}
    layout["xaxis"] = {"title": {"text": escape(q.label(lang, survey.default_language))}}
    layout["bargap"] = 0
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or survey.label(question, lang), subtitle=subtitle)
