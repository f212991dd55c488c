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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis.disclosure import DEFAULT_MIN_COUNT, format_number, protect
from ..i18n import t
from . import _tables as tb
from .theme import GREY, PALETTE, apply_theme, base_text, escape, wrap

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["box_chart", "histogram_chart", "period_chart"]


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
        subtitle += " · " + t("figures.suppressed_note", lang, min_count=tb.min_count(summary))
    if too_few:  # nothing published: not even the size of the base
        subtitle = t("figures.too_few", lang, min_count=tb.min_count(summary))
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or tb.question_title(summary, survey, None, lang),
                       subtitle=subtitle)


def _bin_key(low: float, high: float, whole: bool) -> str:
    """The key of a bin (its id, the same in every language): ``3`` or ``0–4`` for whole numbers,
    ``10–20`` otherwise."""
    if whole:
        first, last = int(np.ceil(low)), int(np.floor(high))
        return str(first) if first == last else f"{first}–{last}"
    return f"{low:.4g}–{high:.4g}"


def _candidate_edges(values: np.ndarray, bins: int | None, whole: bool) -> list[np.ndarray]:
    """Bin edges from the finest to the coarsest: a histogram takes the first whose bins the disclosure
    control leaves mostly shown (``bins`` given: those only).

    Examples
    --------
    >>> [len(e) - 1 for e in _candidate_edges(np.array([1.0, 2.0, 3.0, 9.0]), None, True)]
    [9, 5, 2, 1]
    >>> _candidate_edges(np.array([0.0, 2.0, 5.0]), None, True)[0].tolist()
    [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    """
    if bins:
        return [np.histogram_bin_edges(values, bins=bins)]
    if whole:  # bins of 1, 2, 5, 10, 20, 50… whole numbers, at most 20 of them
        low, high = int(np.floor(values.min())), int(np.ceil(values.max()))
        span = high - low + 1
        widths = [k * 10 ** e for e in range(0, 1 + len(str(span))) for k in (1, 2, 5)]
        out = []
        for width in (w for w in widths if span / w <= 20):
            count = int(np.ceil(span / width))
            out.append(low - 0.5 + width * np.arange(count + 1, dtype=float))
            if count == 1:
                break
        return out
    edges = np.histogram_bin_edges(values, bins="auto")
    if len(edges) > 21:
        edges = np.histogram_bin_edges(values, bins=20)
    out = [edges]
    count = len(edges) - 1
    while count > 1:
        count = max(1, count // 2)
        out.append(np.histogram_bin_edges(values, bins=count))
    return out


def _protected_bins(values: np.ndarray, owners: np.ndarray | None, counts: np.ndarray, edges: np.ndarray, *,
                    min_count: int, lang: str) -> pd.DataFrame:
    """The bins under disclosure control: on their answers, or on the distinct units behind them."""
    cells = pd.DataFrame({"n": counts.astype("int64")})
    if owners is not None:
        where = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(counts) - 1)
        behind = [len(set(owners[where == i].tolist())) for i in range(len(counts))]
        cells["respondents"] = pd.array(behind, dtype="Int64")
    return protect(cells, count="n" if owners is None else "respondents", min_count=min_count,
                   margins=[None], lang=lang, display=lambda row, lang: format_number(row["n"], lang=lang))


def _stats_text(stats: Mapping | None, lang: str) -> str:
    """``mean 4.2 · median 4 · half between 2 and 6``, from a protected numeric summary row."""
    if stats is None or bool(stats.get("suppressed")) or tb.number(stats.get("mean")) is None:
        return ""
    values = {k: format_number(stats.get(k), decimals=1, lang=lang) for k in ("mean", "median", "q1", "q3")}
    return t("figures.stats", lang, **values)


def histogram_chart(responses: pd.DataFrame, survey: Survey, question: str, *, bins: int | None = None,
                    min_count: int = DEFAULT_MIN_COUNT, lang: str = "fr", title: str | None = None,
                    units: Sequence[object] | None = None, stats: Mapping | None = None) -> dict:
    """Histogram of a numeric question with disclosure control on every bin.

    Parameters
    ----------
    responses
        Responses (or relations, or a repeat's rows) already filtered to the territory/wave of
        interest.
    survey
        The survey (question label and type).
    question
        A numeric question.
    bins
        Number of equal-width bins (default: numpy's ``"auto"`` rule, at most 20; whole numbers —
        counts, scores — get bins of 1, 2, 5, 10… whole numbers); without ``bins``, wider bins are
        taken until the disclosure control hides at most a quarter of them.
    min_count
        Bins counting 1 .. ``min_count`` − 1 answers are suppressed (and one more bin when needed
        so that the published total does not reveal it).
    lang, title
        Language; title instead of the question label.
    units
        The unit each row belongs to (the submission of a repeat's row), aligned on ``responses``:
        a bin is then protected on the distinct units behind it, not on its rows (five rows of one
        submission are a bin of one).
    stats
        The question's protected summary (a row of ``summarise``): its mean, median and quartiles
        are given under the title when it is shown.

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). One ``"bar"`` trace:
        ``x`` = bin centres, ``width`` = bin widths, ``y`` = counts (None where suppressed),
        ``customdata`` = ``[low, high]`` of each bin, ``ids`` = the bins' keys.

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

    With a single answer of 40, the last bin (1 answer) is hidden, and so is the first one, or
    the total (n = 10) would give it away:

    >>> fig = to_figure(histogram_chart(df.iloc[[0, 1, 2, 3, 4, 5, 6, 7, 8, 11]], survey, "salaries", bins=4))
    >>> fig.data[0].y, [a.text for a in fig.layout.annotations]
    ((None, 0.0, 0.0, None), ['&lt; 3', '&lt; 3'])

    Whole numbers without ``bins``: one bin per value.

    >>> fig = histogram_chart(pd.DataFrame({"salaries": [1, 1, 1, 2, 2, 2, 4, 4, 4]}), survey, "salaries")
    >>> fig["data"][0]["ids"], fig["data"][0]["y"]
    (['1', '2', '3', '4'], [3.0, 3.0, 0.0, 3.0])
    """
    q = survey.question(question)
    numbers = pd.to_numeric(responses[question], errors="coerce").astype("float64")
    known = numbers.notna().to_numpy(dtype=bool)
    values = numbers.to_numpy(dtype=float)[known]
    owners = None if units is None else np.asarray(list(units), dtype=object)[known]
    count = len(values) if owners is None else len(set(owners.tolist()))
    data: list[dict] = []
    layout: dict = {}
    if 0 < count < min_count:  # too few answers: even their number is not published
        subtitle = t("figures.too_few", lang, min_count=min_count)
    elif len(values):
        whole = bins is None and bool(np.all(np.mod(values, 1) == 0))
        for edges in _candidate_edges(values, bins, whole):  # the finest bins that do not hide most
            counts, edges = np.histogram(values, bins=edges)
            table = _protected_bins(values, owners, counts, edges, min_count=min_count, lang=lang)
            hidden = table["suppressed"].to_numpy(dtype=bool)
            if hidden.sum() <= max(1, (counts > 0).sum() // 4) or len(counts) <= 3:
                break
        centres = (edges[:-1] + edges[1:]) / 2
        y = [None if h else float(c) for c, h in zip(counts, hidden, strict=True)]
        ids = [_bin_key(lo, hi, whole) for lo, hi in itertools.pairwise(edges)]
        hover = [t("figures.bin_hover", lang, low=format_number(lo, decimals=1, lang=lang),
                   high=format_number(hi, decimals=1, lang=lang), n=escape(d))
                 if not whole else t("figures.bin_hover_whole", lang, values=key, n=escape(d))
                 for lo, hi, d, key in zip(edges[:-1], edges[1:], table["display"], ids, strict=True)]
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
        described = _stats_text(stats, lang)
        if described:
            subtitle += " · " + described
        if hidden.any():
            subtitle += " · " + t("figures.suppressed_note", lang, min_count=min_count)
        if whole and len(centres) <= 25:
            layout["xaxis_ticks"] = centres.tolist()
    else:
        subtitle = base_text(0, lang=lang)
    ticks = layout.pop("xaxis_ticks", None)
    layout["yaxis"] = {"title": {"text": t("figures.count_axis", lang)}, "rangemode": "tozero"}
    layout["xaxis"] = {"title": {"text": escape(q.label(lang, survey.default_language))}}
    if ticks is not None:
        layout["xaxis"].update({"tickmode": "array", "tickvals": ticks, "ticktext": data[0]["ids"]})
    layout["bargap"] = 0
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or survey.label(question, lang), subtitle=subtitle)


def period_chart(summary: pd.DataFrame, *, survey: Survey | None = None, lang: str = "fr",
                 title: str | None = None) -> dict:
    """Answers to a date or time question by period: one column per period, in time order.

    Parameters
    ----------
    summary
        The summary of a date, datetime or time question (``summarise``: one row per period, ``option``
        its key, ``label`` its name, ``n``, ``base``, ``percent``, ``suppressed``, ``display``).
    survey, lang, title
        As for :func:`coopwork.figures.bar_chart`.

    Returns
    -------
    dict
        A plotly figure as a plain dict: one ``"bar"`` trace, ``x`` = period names, ``y`` = answers
        (None where hidden, with the hidden text at its place), ``ids`` = period keys.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"question": "d", "option": ["2024-01", "2024-02", "2024-03"],
    ...     "label": ["Jan 2024", "Feb 2024", "Mar 2024"], "n": pd.array([5, 0, pd.NA], dtype="Int64"),
    ...     "base": pd.array([7, 7, pd.NA], dtype="Int64"), "percent": [71.4, 0.0, None],
    ...     "suppressed": [False, False, True], "display": ["5 (71%)", "0 (0%)", "< 3"]})
    >>> fig = period_chart(summary, lang="en", title="Last meeting")
    >>> fig["data"][0]["y"], fig["data"][0]["ids"], [a["text"] for a in fig["layout"]["annotations"]]
    ([5.0, 0.0, None], ['2024-01', '2024-02', '2024-03'], ['&lt; 3'])
    """
    tb.require(summary, ["option", "label", "n", "base"], "summarise() (date question)")
    table = summary.reset_index(drop=True)
    hidden = tb.suppressed(table)
    labels = [escape(v) for v in table["label"].astype("str").tolist()]
    shown = table["display"].tolist() if "display" in table.columns else ["< 3"] * len(table)
    y = [None if h else v for v, h in zip(tb.numbers(table["n"]), hidden, strict=True)]
    hover = [f"{label} : {escape(d)}" for label, d in zip(labels, shown, strict=True)]
    data = [{"type": "bar", "x": labels, "y": y, "ids": table["option"].astype("str").tolist(),
             "marker": {"color": PALETTE[0]},
             "text": [None if v is None else format_number(v, lang=lang) for v in y],
             "textposition": "outside", "cliponaxis": False,
             "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False}]
    annotations = [{"x": label, "y": 0, "xref": "x", "yref": "y", "text": escape(d), "showarrow": False,
                    "yanchor": "bottom", "font": {"color": "#555555"}}
                   for label, d, h in zip(labels, shown, hidden, strict=True) if h]
    layout = {"annotations": annotations,
              "xaxis": {"type": "category", "categoryorder": "array", "categoryarray": labels},
              "yaxis": {"title": {"text": t("figures.count_axis", lang)}, "rangemode": "tozero"}}
    respondents, missing, too_few = tb.table_base(table, (None, None))
    subtitle = base_text(int(respondents), lang=lang) if respondents is not None else ""
    if missing:
        subtitle += " · " + t("figures.missing", lang, n=format_number(missing, lang=lang))
    if hidden.any():
        subtitle += " · " + t("figures.suppressed_note", lang, min_count=tb.min_count(table))
    if too_few:
        subtitle = t("figures.too_few", lang, min_count=tb.min_count(table))
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or tb.question_title(table, survey, None, lang), subtitle=subtitle)
