"""The charts of a view: one per published question (one per block of a shared scale), the network,
the comparison with the other territories and the change since the previous wave.

Each chart is ``{"id", "section", "title", "figure", "message", ...}`` (:mod:`coopwork.results`):
a plain figure dict of :mod:`coopwork.figures`, or ``None`` and the sentence saying why there is
none. This module words what the figures do not know: a chart's title after its unit (per tie, per
row of a repeat), its subtitle's base (``n = 8 rows … in 5 responses``), its axes (the one place
that words them after the unit) and why nothing is shown (too few respondents, every cell hidden,
no answer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.indicators import dimension_label, score_change
from ..figures.bars import bar_chart, rank_chart
from ..figures.change import change_chart
from ..figures.distributions import histogram_chart, period_chart
from ..figures.likert import likert_chart
from ..figures.network import network_chart, network_layout
from ..figures.scores import scores_chart
from ..i18n import t
from ..paths import ALL
from ..values import format_number
from .network import previous_graph, protect_network
from .questions import submission_unit, unit_label

if TYPE_CHECKING:
    from ..survey import Survey
    from .inputs import Scope, WaveData
    from .questions import Display

__all__ = ["change_section", "compare_section", "network_section", "question_charts", "too_few"]


def _chart(
    chart_id: str,
    section: str,
    title: str,
    figure: dict | None = None,
    message: str | None = None,
    **extra: Any,
) -> dict:
    return {"id": chart_id, "section": section, "title": title, "figure": figure, "message": message, **extra}


def _title(item: Display, survey: Survey, lang: str) -> str:
    label = item.question.label(lang, survey.default_language)
    if item.unit == "ties":
        return t("results.per_tie", lang, label=label)
    if item.unit == "rows":
        return t("results.per_row", lang, label=label, unit=unit_label(survey, item, lang=lang))
    return label


def _base_text(item: Display, table: pd.DataFrame, survey: Survey, lang: str) -> str | None:
    """What a repeat question's counts count: ``n = 8 rows of Participants in 5 responses`` (None at the
    top of the form, or when the table says nothing of its size)."""
    rows, units = table.attrs.get("base"), table.attrs.get("units")
    if item.table is None or rows is None or units is None:
        return None
    if item.unit == "ties":
        return t("results.base_ties", lang, ties=format_number(rows, lang=lang),
                 organisations=format_number(units, lang=lang))
    return t("results.base_rows", lang, rows=format_number(rows, lang=lang),
             unit=unit_label(survey, item, lang=lang), n=format_number(units, lang=lang),
             submissions=t(f"results.unit_{submission_unit(survey)}", lang))


def _state_base(figure: dict, text: str | None) -> None:
    """A repeat question's subtitle says what its counts count (its first part is the base)."""
    subtitle = figure["layout"].get("title", {}).get("subtitle", {})
    parts = subtitle.get("text", "").split(" · ")
    if text is None or not parts or not parts[0].startswith("n ="):
        return
    parts[0] = text
    subtitle["text"] = " · ".join(parts)


def _state_axes(figure: dict, item: Display, survey: Survey, lang: str) -> None:
    """The one place that words a chart's axes after its unit: "% des liens" for a question asked per
    cooperation tie, "% of rows of “Feedback”" for one asked per row of a repeat; per respondent the
    figures' own words stay."""
    if item.unit == "ties":
        words = {"figures.percent_axis": t("figures.percent_axis_ties", lang),
                 "figures.count_axis": t("figures.count_axis_ties", lang)}
    elif item.unit == "rows":
        unit = unit_label(survey, item, lang=lang)
        words = {"figures.percent_axis": t("results.percent_axis_rows", lang, unit=unit),
                 "figures.count_axis": t("results.count_axis_rows", lang, unit=unit)}
    else:
        return
    for name in ("xaxis", "yaxis"):
        axis = figure["layout"].get(name, {}).get("title")
        for people, text in words.items():
            if isinstance(axis, dict) and axis.get("text") == t(people, lang):
                axis["text"] = text


def _hidden(survey: Survey, table: pd.DataFrame | None, *, lang: str, min_count: int) -> str:
    """Why nothing of a table is shown: too few respondents in the group, or (a larger group) every
    value rests on too few answers."""
    if table is not None and table.attrs.get("base") is not None:
        return t("figures.all_cells_hidden", lang, min_count=min_count)  # it may hold more than k
    return too_few(survey, lang=lang, min_count=min_count)


def too_few(survey: Survey, *, lang: str, min_count: int) -> str:
    """The group has fewer than ``min_count`` respondents (organisations, or responses)."""
    if submission_unit(survey) == "organisations":
        return t("dashboard.suppressed_group", lang, k=min_count)
    return t("results.too_few_responses", lang, k=min_count)


def _empty(table: pd.DataFrame | None) -> bool:
    """Nothing to show: no table, or no answer (and nothing hidden)."""
    return (
        table is None
        or (table["base"].isna().all() and not table["suppressed"].any())
        or (not table["suppressed"].any() and int(table["base"].fillna(0).max()) == 0)
    )


def _question_chart(
    item: Display, table: pd.DataFrame | None, wd: WaveData, rows: np.ndarray, *, lang: str, min_count: int
) -> dict:
    """The chart of one question, after its display (:func:`coopwork.survey.display_kind`)."""
    q, survey = item.question, wd.survey
    title = _title(item, survey, lang)
    chart = _chart(item.chart_id, item.section, title, unit=item.unit, display=item.display)
    if item.table is not None:
        chart["unit_label"] = unit_label(survey, item, lang=lang)
    if _empty(table):
        chart["message"] = t("dashboard.no_data", lang)
    elif item.display in ("answers", "positions"):  # how many answered ("< 3" when too few)
        chart["message"] = t(f"results.{item.display}_count", lang, n=table["display"].iloc[0])
        units = table.attrs.get("units")
        if item.table is not None and units is not None and not table["suppressed"].all():
            chart["message"] += " " + t("results.from_submissions", lang, n=format_number(units, lang=lang),
                                        submissions=t(f"results.unit_{submission_unit(survey)}", lang))
    elif table["suppressed"].all():
        chart["message"] = _hidden(survey, table, lang=lang, min_count=min_count)
    elif item.display == "histogram":
        source = wd.table(item.table)
        units = None if item.table is None else source["_submission_id"].astype("string").to_numpy()[rows]
        figure = histogram_chart(source[[q.name]].iloc[rows], survey, q.name, min_count=min_count, lang=lang,
                                 title=title, units=units, stats=table.iloc[0].to_dict())
        if not figure["data"]:  # every bin hidden or empty: a sentence, not empty axes
            chart["message"] = t("figures.all_bins_hidden", lang, min_count=min_count)
        else:
            chart["figure"] = figure
    elif item.display == "periods":
        chart["figure"] = period_chart(table, survey=survey, lang=lang, title=title)
    elif item.display == "rank":
        chart["figure"] = rank_chart(table, survey=survey, lang=lang, title=title)
    else:  # bars, themes
        chart["figure"] = bar_chart(table, survey=survey, question=q.name, lang=lang, title=title)
    if chart["figure"] is not None:
        _state_base(chart["figure"], _base_text(item, table, survey, lang))
        _state_axes(chart["figure"], item, survey, lang)
    return chart


def _likert_chart(
    items: list[Display],
    tables: dict[str, pd.DataFrame],
    survey: Survey,
    *,
    lang: str,
    min_count: int,
) -> dict:
    """The diverging bars of the questions sharing a scale: a dimension's agreement questions, or a
    block of the form (a matrix, or questions sharing an ordered choice list)."""
    first = items[0]
    if first.question.dimension:
        title = dimension_label(first.question.dimension, lang)
    elif len(items) == 1:
        title = first.question.label(lang, survey.default_language)
    else:
        common = [g for g in first.question.group if all(g in i.question.group for i in items)]
        group = survey.group_of(first.question, len(common)) if common else None
        title = group.label(lang, survey.default_language) if group else t("figures.likert_title", lang)
    if first.unit == "ties":
        title = t("results.per_tie", lang, label=title)
    elif first.unit == "rows":
        title = t("results.per_row", lang, label=title, unit=unit_label(survey, first, lang=lang))
    chart = _chart(first.chart_id, first.section, title, unit=first.unit, display="likert")
    parts = [
        tables[i.question.name]
        for i in items
        if tables.get(i.question.name) is not None
        and int(tables[i.question.name]["base"].fillna(0).max() or 0)
        + int(tables[i.question.name]["suppressed"].sum())
        > 0
    ]
    if not parts:
        chart["message"] = t("dashboard.no_data", lang)
        return chart
    summary = pd.concat(parts, ignore_index=True)
    if summary["suppressed"].all():
        chart["message"] = _hidden(survey, parts[0], lang=lang, min_count=min_count)
        return chart
    names = [i.question.name for i in items if i.question.name in set(summary["question"])]
    chart["figure"] = likert_chart(summary, survey=survey, questions=names, lang=lang, title=title,
                                   unit=first.unit)
    _state_axes(chart["figure"], first, survey, lang)
    return chart


def network_section(scope: Scope) -> tuple[dict | None, pd.DataFrame | None, pd.DataFrame | None, Any]:
    """The network chart, its protected measures, the published organisations and the graph (none of
    them when the form has no network); the chart shows the ties gained and lost since the previous
    wave's network when that one may be shown (:func:`~.network.previous_graph`)."""
    wd, lang, min_count = scope.wd, scope.lang, scope.min_count
    survey = wd.survey
    if survey.role("organisation") is None or survey.role("partner") is None:
        return None, None, None, None
    if survey.role("partner").name not in wd.relations.columns:  # no relations table: no network section
        return None, None, None, None
    chart = _chart("network", "ties", t("dashboard.section_ties", lang))
    relation_rows = scope.picked.get(survey.relations_repeat, np.array([], dtype=int))
    network = wd.network((scope.territory, scope.org_type), scope.rows, relation_rows)
    before = previous_graph(scope.inputs, scope.territory, scope.previous, scope.org_type,
                            min_count=min_count)
    stats = protect_network(network.stats, lang=lang, min_count=min_count)
    if stats["suppressed"].iloc[0]:
        chart["message"] = t("dashboard.network_too_small", lang, k=min_count)
        return chart, stats, network.nodes.iloc[0:0], None
    if network.positions is None:
        network.positions = network_layout(network.graph)
    chart["figure"] = network_chart(
        network.graph, survey=survey, lang=lang, min_count=min_count, positions=network.positions,
        previous=before[0] if before else None, previous_wave=before[1] if before else None,
    )
    chart["respondents"] = int(network.graph.graph.get("respondents", 0))
    return chart, stats, network.nodes, network.graph


def compare_section(scope: Scope) -> tuple[dict, pd.DataFrame | None]:
    """Dimension scores of the territory against the others (synthesis: one dot per territory)."""
    inputs, wd, territory = scope.inputs, scope.wd, scope.territory
    lang, min_count = scope.lang, scope.min_count
    title = t("dashboard.section_compare", lang)
    chart = _chart("compare.likert", "compare", title)  # the id of version 1: journal notes stay attached
    tables = wd.comparison(scope.org_type, lang=lang, min_count=min_count)
    if not tables or (territory is not None and territory not in tables):
        chart["message"] = t("dashboard.no_data", lang)
        return chart, None
    if territory is not None:
        table = tables[territory].copy()
        table.loc[table["group"] == "territory", "group_label"] = inputs.label(territory, lang)
    else:
        # one row per territory and no "all": with every n published, "all" minus the shown
        # territories would give a suppressed territory's mean away
        table = pd.concat(
            [
                part[part["group"] == "territory"].assign(group=tid, group_label=inputs.label(tid, lang))
                for tid, part in sorted(tables.items())
            ],
            ignore_index=True,
        )
    if table["suppressed"].all():
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
    else:
        chart["figure"] = scores_chart(table, survey=wd.survey, lang=lang, title=title)
    return chart, table


def change_section(scope: Scope) -> tuple[dict, pd.DataFrame | None]:
    """The wave-over-wave change of the dimension scores (all territories pooled in the synthesis)."""
    inputs, territory, previous, org_type = scope.inputs, scope.territory, scope.previous, scope.org_type
    wave, lang, min_count = scope.wd.wave, scope.lang, scope.min_count
    title = t("dashboard.section_change", lang)
    chart = _chart("change.likert", "change", title)
    scores = inputs.scores if territory is None else inputs.scores_of.get(territory)
    if previous is None:
        chart["message"] = t("dashboard.no_previous_wave", lang)
        return chart, None
    if scores is None:
        chart["message"] = t("dashboard.no_data", lang)
        return chart, None
    scores = scores[scores["_wave"].isin([previous, wave])]
    if org_type is not None:
        scores = scores[scores["_org_type"] == org_type]
    if territory is None:
        scores = scores.assign(_territory=ALL)
    if not {previous, wave} <= set(scores.loc[scores["score"].notna(), "_wave"]):
        chart["message"] = t("dashboard.no_data", lang)
        return chart, None
    table = score_change(
        scores, territory=territory or ALL, wave_from=previous, wave_to=wave, min_count=min_count, lang=lang
    )
    drawn = table[table["suppressed"] | (table["mean_from"].notna() & table["mean_to"].notna())]
    if drawn.empty:
        chart["message"] = t("dashboard.no_data", lang)
    elif drawn["suppressed"].all():
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
    else:
        chart["figure"] = change_chart(drawn, survey=inputs.survey, lang=lang, title=title)
    return chart, table


def question_charts(scope: Scope, tables: dict[str, pd.DataFrame]) -> list[dict]:
    """One chart per published question in form order (one per block of a shared scale), drawn from
    the protected ``tables`` of :func:`~.statistics.summaries`."""
    inputs, wd, picked, lang, min_count = scope.inputs, scope.wd, scope.picked, scope.lang, scope.min_count
    charts: list[dict] = []
    done: set[str] = set()
    for item in inputs.published:
        if item.display == "likert":
            if item.block in done:
                continue
            done.add(item.block)
            block = [i for i in inputs.published if i.display == "likert" and i.block == item.block]
            charts.append(_likert_chart(block, tables, wd.survey, lang=lang, min_count=min_count))
            continue
        rows = picked.get(item.table, np.array([], dtype=int))
        charts.append(_question_chart(item, tables.get(item.question.name), wd, rows, lang=lang,
                                      min_count=min_count))
    return charts
