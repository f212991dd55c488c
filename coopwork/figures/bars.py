"""Bar and stacked bar charts of a question summary (the output of ``summarise``).

One horizontal bar per option, in choice order, length = percent of the base; the hover
gives the option, the percent, ``n`` and the base. With a grouping (``summarise(..., by=...)``)
one bar per group, options stacked (single choice: each bar adds up to 100 %) or side by
side (several answers allowed: totals may exceed 100 %, said under the title).

The value of each bar is written in a column to the right of the plot (annotations named
``cw-value``), where no whisker crosses it; on a phone it goes on the label's line, above the bar
(:func:`coopwork.figures.theme.narrow`). Suppressed cells (``suppressed`` True, values NA) are
drawn as a gap, their value column saying why (``< 3``, or ``masqué`` for a cell hidden to protect
another), never a value.

Examples
--------
>>> import pandas as pd
>>> from coopwork.figures import to_figure
>>> summary = pd.DataFrame({"question": "org_type", "option": ["scop", "scic", "association"],
...     "label": ["SCOP", "SCIC", "Association"], "n": pd.array([12, pd.NA, 30], dtype="Int64"),
...     "base": pd.array([44, pd.NA, 44], dtype="Int64"), "missing": pd.array([1, pd.NA, 1], dtype="Int64"),
...     "percent": [27.3, None, 68.2], "ci_low": [16.3, None, 53.4], "ci_high": [41.8, None, 80.0],
...     "suppressed": [False, True, False], "display": ["12 (27 %)", "< 3", "30 (68 %)"]})
>>> fig = to_figure(bar_chart(summary, lang="fr"))
>>> fig.data[0].y, fig.data[0].x
(('SCOP', 'SCIC', 'Association'), (27.3, None, 68.2))
>>> fig.layout.title.subtitle.text.split(" · ")[:2]
['n = 44 répondants', '1 sans réponse']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import format_number, format_percent
from ..i18n import t
from . import _tables as tb
from .theme import FONT_SIZE, PALETTE, VALUE, apply_theme, escape, wrap

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["bar_chart", "rank_chart"]

#: characters a line of the right margin holds (220 px of 14 px type): the hidden options of a group
_NOTE_CHARS = 27


def _base(table: pd.DataFrame, by: str | None) -> tuple[float | None, float | None]:
    """(respondents, missing) of the figure: per group the largest published base, summed."""
    if table.empty:
        return None, None
    frame = table.assign(_g=table[by] if by else "all")
    base = frame.groupby("_g", sort=False)["base"].max()
    missing = (frame.groupby("_g", sort=False)["missing"].max() if "missing" in frame
               else pd.Series(dtype=float))
    known = [tb.number(v) for v in base.tolist() if tb.number(v) is not None]
    gone = [tb.number(v) for v in missing.tolist() if tb.number(v) is not None]
    return (sum(known) if known else None), (sum(gone) if gone else None)


def _hover(row: pd.Series, lang: str, percent: str = "percent") -> str:
    key = "figures.hover_weighted" if percent == "percent_weighted" else "figures.hover_option"
    return t(key, lang, label=escape(row["label"]),
             percent=format_percent(row[percent], decimals=1, lang=lang),
             n=format_number(row["n"], lang=lang), base=format_number(row["base"], lang=lang))


def bar_chart(summary: pd.DataFrame, *, survey: Survey | None = None, question: str | None = None,
              by: str | None = None, lang: str = "fr", title: str | None = None) -> dict:
    """Horizontal bars of a choice question, overall or stacked by group.

    Parameters
    ----------
    summary
        Output of :func:`coopwork.analysis.summary.summarise` for a select_one, select_multiple
        or Likert question (columns ``question, option, label, n, base, missing, percent,
        suppressed, display``, plus ``<by>`` and ``<by>_label`` when grouped).
    survey
        Optional: the question label of the title and whether several answers were allowed.
    question
        The question to draw when ``summary`` holds several.
    by
        The grouping column (default: ``summary.attrs['by']`` or the one extra column).
    lang
        Language of the texts and number format.
    title
        Title to use instead of the question label.

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). One ``"bar"`` trace per
        option (grouped) or a single trace; ``ids`` = the option codes (single trace) or the
        group codes (grouped), the same in every language (notes about a bar are stored by them);
        ``x`` = percent (None for suppressed cells; the
        weighted percent when the summary was weighted), ``customdata`` = ``n`` (unweighted
        respondents); the subtitle gives the base.
    """
    tb.require(summary, ["option", "label", "n", "base", "percent"], "summarise()")
    table = summary.reset_index(drop=True)
    if "question" in table.columns and table["question"].nunique() > 1:
        if question is None:
            found = ", ".join(table["question"].unique())
            raise ValueError(f"the summary holds several questions ({found}): pass question=")
        table = table[table["question"] == question].reset_index(drop=True)
    by = tb.by_column(table, by)
    hidden = tb.suppressed(table)
    percent = "percent_weighted" if "percent_weighted" in table.columns else "percent"
    kind = table.attrs.get("kind")
    qname = question or table.attrs.get("question") or (str(table["question"].iloc[0])
                                                          if "question" in table and len(table) else None)
    if survey is not None and qname in survey.questions:
        kind = "select_multiple" if survey.question(qname).is_multiple else (kind or "select_one")
    multiple = kind == "select_multiple"

    data: list[dict] = []
    layout: dict = {}
    annotations = []
    error = None
    if by is None:
        labels = [wrap(v, 45) for v in table["label"].astype("str").tolist()]
        hover = [_hover(row, lang, percent) if not h else f"{escape(row['label'])} : {escape(row['display'])}"
                 for (_, row), h in zip(table.iterrows(), hidden, strict=True)]
        x = [None if h else v for v, h in zip(tb.numbers(table[percent]), hidden, strict=True)]
        bar = {"type": "bar", "x": x, "y": labels, "orientation": "h", "marker": {"color": PALETTE[0]},
               "name": t("figures.percent_axis", lang), "ids": table["option"].astype("str").tolist(),
               "customdata": [None if h else v for v, h in zip(tb.numbers(table["n"]), hidden, strict=True)],
               "cliponaxis": False, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"}
        if "ci_low" in table.columns and "ci_high" in table.columns:
            low, high = tb.numbers(table["ci_low"]), tb.numbers(table["ci_high"])
            error = {"type": "data", "symmetric": False, "color": "#555555", "thickness": 1.5, "width": 4,
                     "array": [None if v is None or hi is None else hi - v
                               for v, hi in zip(x, high, strict=True)],
                     "arrayminus": [None if v is None or lo is None else v - lo
                                    for v, lo in zip(x, low, strict=True)]}
            bar["error_x"] = error
        data.append(bar)
        shown = table["display"].tolist() if "display" in table.columns else ["< 3"] * len(table)
        values = [escape(display) if h else format_percent(v, lang=lang)
                  for v, h, display in zip(tb.numbers(table[percent]), hidden, shown, strict=True)]
        for label, h, value in zip(labels, hidden, values, strict=True):  # the column of values
            annotations.append({"x": 1, "y": label, "xref": "paper", "yref": "y", "text": value,
                                "showarrow": False, "xanchor": "left", "xshift": 8, "name": VALUE,
                                "font": {"color": "#555555" if h else "#222222"}})
        layout["yaxis"] = {"autorange": "reversed", "categoryorder": "array", "categoryarray": labels}
        layout["showlegend"] = False
        layout["margin"] = {"r": 16 + int(0.55 * FONT_SIZE * max((len(v) for v in values), default=3))}
    else:
        groups = tb.group_labels(table, by)
        wrapped = pd.Series([wrap(g, 30) for g in groups.tolist()], index=table.index, dtype=object)
        group_order = list(dict.fromkeys(wrapped.tolist()))
        options = list(dict.fromkeys(table["option"].astype("str").tolist()))
        for i, option in enumerate(options):
            rows = table[table["option"].astype("str") == option]
            rows_hidden = hidden[rows.index]
            label = str(rows["label"].iloc[0])
            values = tb.numbers(rows[percent])
            data.append({
                "type": "bar", "x": [None if h else v for v, h in zip(values, rows_hidden, strict=True)],
                "y": wrapped[rows.index].tolist(), "orientation": "h",
                "ids": table.loc[rows.index, by].astype("str").tolist(), "name": escape(label),
                "marker": {"color": PALETTE[i % len(PALETTE)]},
                "customdata": [None if h else v
                               for v, h in zip(tb.numbers(rows["n"]), rows_hidden, strict=True)],
                "hovertext": [f"{escape(g)}<br>" + (_hover(row, lang, percent) if not h else
                                                    f"{escape(row['label'])} : {escape(row['display'])}")
                              for g, (_, row), h in zip(groups[rows.index], rows.iterrows(), rows_hidden,
                                                        strict=True)],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "text": [None if h or v is None or v < 5 else format_percent(v, lang=lang)
                         for v, h in zip(values, rows_hidden, strict=True)],
                "textposition": "inside", "insidetextanchor": "middle", "textangle": 0})
        # a segment too narrow for its percentage at a readable size shows none (its hover says it)
        layout["uniformtext"] = {"minsize": 12, "mode": "hide"}
        lines = 1
        for group in group_order:
            gone = table[(wrapped == group) & hidden]
            if len(gone):  # one hidden option a line, wrapped to the right margin
                text = "<br>".join(wrap(f"{r['label']} : {r['display']}", _NOTE_CHARS)
                                   for _, r in gone.iterrows())
                lines = max(lines, text.count("<br>") + 1)
                annotations.append({"x": 1.0, "y": group, "xref": "paper", "yref": "y", "text": text,
                                    "showarrow": False, "xanchor": "left", "align": "left",
                                    "font": {"size": 14, "color": "#555555"}})
        # each group's row holds its hidden options' lines; the legend below takes a row for 3 options
        legend = 30 * -(-len(options) // 3)
        layout["height"] = max(650, 330 + legend + len(group_order) * max(50, 21 * lines))
        layout["yaxis"] = {"autorange": "reversed", "categoryorder": "array", "categoryarray": group_order}
        layout["barmode"] = "group" if multiple else "stack"
        layout["margin"] = {"r": 220 if annotations and by else 40}
    layout["annotations"] = annotations
    layout["xaxis"] = {"title": {"text": t("figures.percent_axis", lang)}, "rangemode": "tozero",
                       "ticksuffix": "%" if lang == "en" else "\u202f%"}
    notes = [t("analysis.note_multiple", lang)] if multiple else []
    notes += [t("figures.bars_ci", lang)] if error is not None and error["array"] else []
    notes += [t("figures.weighted_note", lang)] if percent == "percent_weighted" else []
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or tb.question_title(table, survey, qname, lang),
                       subtitle=tb.subtitle(table, lang, computed=_base(table, by), notes=notes,
                                            hidden=bool(hidden.any())))



def rank_chart(summary: pd.DataFrame, *, survey: Survey | None = None, lang: str = "fr",
               title: str | None = None) -> dict:
    """A rank question: one bar per option, split by the rank the answers gave it (1st, 2nd, …).

    Parameters
    ----------
    summary
        The summary of a rank question (``summarise``: one row per option and rank, ``ranked``,
        ``position``, ``n``, ``base``, ``percent``, ``suppressed``, ``display``).
    survey, lang, title
        As for :func:`bar_chart` (the survey gives the options' labels).

    Returns
    -------
    dict
        The figure of :func:`bar_chart` grouped by option: one trace per rank, ``ids`` = the options.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"question": "r", "ranked": ["a", "a", "b", "b"],
    ...     "position": ["1", "2", "1", "2"],
    ...     "option": ["a@1", "a@2", "b@1", "b@2"],
    ...     "label": ["A: rank 1", "A: rank 2", "B: rank 1", "B: rank 2"],
    ...     "n": [6, 4, 4, 6], "base": 10, "missing": 0, "percent": [60.0, 40.0, 40.0, 60.0],
    ...     "suppressed": False, "display": ["6", "4", "4", "6"]})
    >>> fig = rank_chart(summary, lang="en")
    >>> [trace["name"] for trace in fig["data"]], fig["data"][0]["x"], fig["layout"]["barmode"]
    (['rank 1', 'rank 2'], [60.0, 40.0], 'stack')
    """
    tb.require(summary, ["ranked", "position", "n", "base", "percent"], "summarise() (rank question)")
    table = summary.reset_index(drop=True)
    qname = table.attrs.get("question") or (str(table["question"].iloc[0]) if len(table) else None)
    names = (survey.choice_labels(qname, lang) if survey is not None and qname in survey.questions else {})
    grouped = table.assign(
        ranked_label=[names.get(str(o), str(o)) for o in table["ranked"]],
        option=table["position"].astype("str"),
        label=[t("figures.rank_nth", lang, position=p) for p in table["position"]])
    grouped.attrs = {**table.attrs, "kind": "rank", "by": "ranked"}
    figure = bar_chart(grouped, by="ranked", lang=lang,
                       title=title or tb.question_title(table, survey, qname, lang))
    figure["layout"]["xaxis"]["title"] = {"text": t("figures.rank_axis", lang)}
    figure["layout"]["legend"] = {"traceorder": "normal"}  # 1st, 2nd, 3rd, … as the bars stack
    return figure
