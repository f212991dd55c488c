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

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis.disclosure import DEFAULT_MIN_COUNT, format_number, is_small, protect
from ..i18n import t
from . import _tables as tb
from .theme import GREY, PALETTE, apply_theme, base_text, escape, separators, wrap

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["box_chart", "histogram_bins", "histogram_chart", "nice_step", "period_chart"]


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
    subtitle = tb.subtitle(summary, lang, computed=(sum(published) if published else None, None),
                           hidden=bool(hidden.any()), missing=False)
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or tb.question_title(summary, survey, None, lang),
                       subtitle=subtitle)


def nice_step(span: float, ticks: int = 5, *, integer: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` into at most about ``ticks``
    parts; at least 1 when ``integer`` (a count, a number of partners: no fractions).

    Examples
    --------
    >>> nice_step(0.8, integer=True), nice_step(223), nice_step(0.8)
    (1.0, 50.0, 0.2)
    """
    raw = max(float(span), 1e-12) / max(ticks, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(np.ceil(step)))
    return float(step)


def histogram_bins(values: np.ndarray, *, integer: bool = False, bins: int | None = None) -> np.ndarray:
    """The edges of a histogram's bins, the outliers left out (see :func:`histogram_chart`).

    ``bins`` is a number of bins (an upper bound for whole numbers, whose widths are round). Values
    beyond Tukey's far fences (3 interquartile ranges from the quartiles) are left out of the
    bins when they would stretch the axis by half its width or more; whole numbers get bins of a
    whole width (1, 2, 5, 10 …) whose edges fall between two numbers (a bin of ``1970–1974`` spans
    1969.5 to 1974.5).

    Examples
    --------
    >>> years = np.array([1800, *range(1990, 2024)])
    >>> edges = histogram_bins(years, integer=True)
    >>> float(edges[0]), float(edges[-1]), float(edges[1] - edges[0])
    (1989.5, 2024.5, 5.0)
    >>> histogram_bins(np.array([0, 1, 1, 2, 3] * 6), integer=True).tolist()
    [-0.5, 0.5, 1.5, 2.5, 3.5]
    """
    core = values
    q1, q3 = np.percentile(values, [25, 75])
    if q3 > q1:
        inside = values[(values >= q1 - 3 * (q3 - q1)) & (values <= q3 + 3 * (q3 - q1))]
        if np.ptp(values) >= 1.5 * np.ptp(inside):
            core = inside
    edges = np.histogram_bin_edges(core, bins=bins if bins else "auto")
    if bins is None and len(edges) > 21:
        edges = np.histogram_bin_edges(core, bins=20)
    if not integer:
        return edges
    low, high = float(core.min()), float(core.max())
    parts = bins or min(20, max(len(edges) - 1, int(np.ceil(np.log2(len(core)))) + 1))  # Sturges at least
    width = nice_step(high - low + 1, parts, integer=True)
    start = np.floor(low / width) * width  # bins of round numbers (0–9, 10–19) …
    if bins and high - start >= bins * width:  # … unless that takes more bins than asked
        start = low
    count = int(np.floor((high - start) / width)) + 1
    return start - 0.5 + width * np.arange(count + 1)


def _tick_text(value: float, decimals: int, lang: str) -> str:
    """A tick's number as plotly writes it: no thousands mark (a year stays ``1990``)."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", separators(lang)[0])


def _protected_bars(values: np.ndarray, owners: np.ndarray | None, lows: list[float], highs: list[float],
                    counts: np.ndarray, *, min_count: int, lang: str) -> pd.DataFrame:
    """The bars under disclosure control: on their answers, or on the distinct units behind them (the
    outliers' bars too: ``lows``/``highs`` hold their open ends as infinities)."""
    cells = pd.DataFrame({"n": counts})
    if owners is not None:
        last = max(i for i, (lo, hi) in enumerate(zip(lows, highs, strict=True))
                   if np.isfinite(lo) and np.isfinite(hi))
        behind = []
        for i, (lo, hi) in enumerate(zip(lows, highs, strict=True)):
            if not np.isfinite(lo):
                under = values < hi
            elif not np.isfinite(hi):
                under = values > lo
            else:
                under = (values >= lo) & ((values < hi) | ((values == hi) if i == last else False))
            behind.append(len(set(owners[under].tolist())))
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

    Whole numbers (an ``integer`` question, or answers that are all whole) get bins of a whole
    width and a count axis in whole numbers; outliers far from the rest (:func:`histogram_bins`) are
    counted in a bar of their own at each end (``< 1990``, ``> 64``), apart from the others, so they do
    not squeeze them. When no bin can be shown (each one is hidden or empty), the chart says so in a
    sentence instead of drawing empty axes.

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
        ``customdata`` = ``[low, high]`` of each bin (``None`` for the open end of an outliers' bar); no
        trace when nothing can be shown.

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

    With a single answer of 12, its bin (1 answer) is hidden ("< 3"), and so is the one before, or the
    total (n = 10) would give it away; that one holds 3 answers, so it reads "masqué", not "< 3":

    >>> df = pd.DataFrame({"salaries": [1, 2, 2, 3, 4, 4, 5, 5, 5, 12]})
    >>> fig = to_figure(histogram_chart(df, survey, "salaries", bins=4))
    >>> fig.data[0].y, fig.data[0].ids, [a.text for a in fig.layout.annotations]
    ((6.0, None, None), ('0–4', '5–9', '10–14'), ['masqué', '&lt; 3'])

    Eight small firms and one of 540 employees: the large one has a bar of its own (hidden: it is
    alone), the others keep the width of the chart:

    >>> df = pd.DataFrame({"salaries": [1, 2, 2, 3, 4, 4, 5, 6, 540]})
    >>> fig = histogram_chart(df, survey, "salaries")
    >>> fig["layout"]["xaxis"]["ticktext"][-1], fig["data"][0]["ids"][-1]
    ('&gt; 7', '> 7')
    """
    q = survey.question(question)
    numbers = pd.to_numeric(responses[question], errors="coerce").astype("float64")
    known = numbers.notna().to_numpy(dtype=bool)
    values = numbers.to_numpy(dtype=float)[known]
    owners = None if units is None else np.asarray(list(units), dtype=object)[known]
    count = len(values) if owners is None else len(set(owners.tolist()))
    data: list[dict] = []
    layout: dict = {}
    axes = True
    if is_small(count, min_count):  # too few answers: even their number is not published
        subtitle = t("figures.too_few", lang, min_count=min_count)
        axes = False
    elif len(values):
        integer = q.type == "integer" or bool(np.all(values == np.round(values)))

        def bars(parts: int | None) -> tuple:
            """The bars of ``parts`` bins (and the outliers' bars), under disclosure control."""
            edges = histogram_bins(values, integer=integer, bins=parts)
            width = float(edges[1] - edges[0])
            decimals = 0 if integer else max(0, int(np.ceil(-np.log10(nice_step(edges[-1] - edges[0])))))
            counts, _ = np.histogram(values, bins=edges)
            below, above = int((values < edges[0]).sum()), int((values > edges[-1]).sum())
            lows, highs = list(edges[:-1]), list(edges[1:])
            centres = list((edges[:-1] + edges[1:]) / 2)
            counts = list(counts)
            first_tick = _tick_text(edges[0] + 0.5 if integer else edges[0], decimals, lang)
            last_tick = _tick_text(edges[-1] - 0.5 if integer else edges[-1], decimals, lang)
            tails = []  # (position, bar's key, tick text) of the outliers' bars
            if below:
                lows, highs = [-np.inf, *lows], [edges[0], *highs]
                centres, counts = [edges[0] - width, *centres], [below, *counts]
                tails.append((edges[0] - width, f"< {first_tick}"))
            if above:
                lows, highs = [*lows, edges[-1]], [*highs, np.inf]
                centres, counts = [*centres, edges[-1] + width], [*counts, above]
                tails.append((edges[-1] + width, f"> {last_tick}"))
            table = _protected_bars(values, owners, lows, highs, np.asarray(counts, dtype="int64"),
                                    min_count=min_count, lang=lang)
            hidden = table["suppressed"].to_numpy(dtype=bool)
            return (edges, width, decimals, lows, highs, centres, counts, tails, below, above, table, hidden)

        # without bins: wider bins while more than a quarter are hidden, keeping the bins that show the most
        # answers (wider bins can hide more: a total reveals a hidden bin, and a second one goes)
        best = bars(bins)
        parts = bins
        for _attempt in range(12 if not bins else 0):
            edges, hidden, counts = best[0], best[-1], np.asarray(best[6])
            if hidden.sum() <= max(1, int(np.count_nonzero(counts > 0)) // 4) or len(edges) - 1 <= 3:
                break
            parts = max(1, (len(edges) - 1) // 2) if parts is None else max(1, parts // 2)
            wider = bars(parts)
            if counts[~hidden].sum() < np.asarray(wider[6])[~wider[-1]].sum():
                best = wider
            if parts <= 1:
                break
        edges, width, decimals, lows, highs, centres, counts, tails, below, above, table, hidden = best
        y = [None if h else float(c) for c, h in zip(counts, hidden, strict=True)]
        subtitle = base_text(len(values), lang=lang)
        described = _stats_text(stats, lang)
        if described:
            subtitle += " · " + described
        if hidden.any():
            subtitle += " · " + tb.legend(table, lang, threshold=min_count)
        if not any(v for v in y if v is not None):  # every bin hidden or empty: nothing to draw
            sentence = t("figures.all_bins_hidden", lang, min_count=min_count)
            layout["annotations"] = [{"text": sentence, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                      "showarrow": False, "font": {"color": "#555555"}}]
            axes = False
        else:
            tail_at = {round(x, 9): text for x, text in tails}
            ids, hover = [], []
            for lo, hi, c, d in zip(lows, highs, centres, table["display"], strict=True):
                n = escape(d)
                if round(c, 9) in tail_at:
                    text = tail_at[round(c, 9)]
                    ids.append(text)
                    key = "figures.bin_below" if lo == -np.inf else "figures.bin_above"
                    hover.append(t(key, lang, value=escape(text[2:]), n=n))
                elif integer:
                    first, last = int(lo + 0.5), int(hi - 0.5)
                    ids.append(f"{first}–{last}" if last > first else f"{first}")
                    hover.append(t("figures.bin_hover", lang, low=first, high=last, n=n) if last > first
                                 else t("figures.bin_hover_one", lang, value=first, n=n))
                else:
                    # each bin's key (a note about one bin names it, the same in every language): "10–20"
                    ids.append(f"{lo:.4g}–{hi:.4g}")
                    hover.append(t("figures.bin_hover", lang, low=format_number(lo, decimals=1, lang=lang),
                                   high=format_number(hi, decimals=1, lang=lang), n=n))
            colours = [GREY if round(c, 9) in tail_at else PALETTE[0] for c in centres]
            data.append({"type": "bar", "x": [float(c) for c in centres], "y": y,
                         "width": [width] * len(centres), "ids": ids,
                         "customdata": [[float(lo) if np.isfinite(lo) else None,
                                         float(hi) if np.isfinite(hi) else None]
                                        for lo, hi in zip(lows, highs, strict=True)],
                         "marker": {"color": colours, "line": {"color": "white", "width": 1}},
                         "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
                         "showlegend": False})
            layout["annotations"] = [
                {"x": float(c), "y": 0, "xref": "x", "yref": "y", "text": escape(d), "showarrow": False,
                 "yanchor": "bottom", "font": {"color": "#555555"}}
                for c, d, h in zip(centres, table["display"], hidden, strict=True) if h]
            top = max(v for v in y if v is not None)
            layout["yaxis"] = {"dtick": nice_step(top, integer=True), "tick0": 0}
            if tails or integer:  # ticks of our own: whole numbers, and the outliers' bars named
                step = nice_step(edges[-1] - edges[0], integer=integer)
                ticks = np.arange(np.ceil(edges[0] / step) * step, edges[-1] + step * 1e-9, step)
                layout["xaxis"] = {
                    "tickvals": [float(x) for x, _ in tails[:1] if below] + ticks.tolist()
                    + [float(x) for x, _ in tails[-1:] if above],
                    "ticktext": [escape(text) for _, text in tails[:1] if below]
                    + [_tick_text(v + 0.0, decimals, lang) for v in ticks]
                    + [escape(text) for _, text in tails[-1:] if above]}
    else:
        subtitle = base_text(0, lang=lang)
    layout["yaxis"] = {"title": {"text": t("figures.count_axis", lang)}, "rangemode": "tozero",
                       **layout.get("yaxis", {})}
    layout["xaxis"] = {"title": {"text": escape(q.label(lang, survey.default_language))},
                       **layout.get("xaxis", {})}
    if not axes:
        layout["xaxis"]["visible"] = layout["yaxis"]["visible"] = False
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
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or tb.question_title(table, survey, None, lang),
                       subtitle=tb.subtitle(table, lang, hidden=bool(hidden.any())))
