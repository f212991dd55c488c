"""Compute the results of one territory (or of all territories) for one wave, language and threshold.

:class:`Inputs` reads a workspace once: the tables split by wave and territory (row positions,
never a filter per territory), the dimension scores of every respondent, the codebook and the
fingerprint. :func:`compute` then builds the results of one key from them: every chart of every
organisation-type view, and the tidy tables of the whole territory — each through
:func:`~coopwork.analysis.disclosure.protect`. Figures are plain dicts from
:mod:`coopwork.figures`. The shape of the result is documented in :mod:`coopwork.results`.

Work shared by the territories of a wave (answers parsed per question, the comparison of
every territory's scores with the others) is done once per wave and cached in :class:`Inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.disclosure import DOMINANCE, format_number, is_small, protect
from ..errors import CoopworkError
from ..fileio import RESULTS_VERSION
from ..i18n import t
from ..paths import ALL
from .questions import (
    PRACTICE_DIMENSIONS,
    Display,
    is_cooperation,
    published,
    section_labels,
    submission_unit,
    unit_label,
)
from .tables import encode

if TYPE_CHECKING:
    from ..analysis.summary import Prepared
    from ..survey import Survey
    from ..workspace import Workspace
    from .fingerprint import Fingerprint

__all__ = ["RESULTS_VERSION", "Inputs", "Picked", "WaveData", "breakdown", "compute", "graph_from_links",
           "graph_links"]

#: the rows of one group of respondents in each table of a wave: table → row positions, the
#: table being ``None`` (the responses, one row per submission) or a repeat's name (its rows)
Picked = dict[str | None, np.ndarray]


@dataclass
class Network:
    """A group's network and its measures, before disclosure control (shared by every language)."""

    graph: Any
    stats: pd.DataFrame
    nodes: pd.DataFrame
    positions: dict | None = None  # the layout, computed the first time the network is drawn


def _table(data: WaveData | Inputs, name: str | None) -> pd.DataFrame:
    """The responses (``None``), the relations (the relations repeat) or the rows of repeat ``name`` of
    ``data`` (one wave or every wave); an unknown repeat has no rows."""
    if name is None:
        return data.responses
    if name == data.survey.relations_repeat:
        return data.relations
    return data.repeats.get(name, data.relations.iloc[0:0, 0:0])


@dataclass
class WaveData:
    """The rows of one wave, split once by territory, and what its territories share."""

    wave: str
    responses: pd.DataFrame
    relations: pd.DataFrame
    survey: Survey
    scores: pd.DataFrame | None
    repeats: dict[str, pd.DataFrame] = field(default_factory=dict)
    codebook: dict | None = None
    _prepared: dict[str, Prepared | None] = field(default_factory=dict)
    _comparisons: dict[tuple, dict[str, pd.DataFrame]] = field(default_factory=dict)
    _networks: dict[tuple, Network] = field(default_factory=dict)
    _rows: dict[str | None, dict[str, np.ndarray]] = field(default_factory=dict)

    def table(self, name: str | None) -> pd.DataFrame:
        """The wave's responses (``None``), relations (the relations repeat) or rows of a repeat."""
        return _table(self, name)

    def rows_in(self, name: str | None) -> dict[str, np.ndarray]:
        """Territory → positions of its rows in :meth:`table` ``name``."""
        if name not in self._rows:
            table = self.table(name)
            groups = {} if table.empty or "_territory" not in table.columns else \
                table.groupby("_territory", sort=True).indices
            self._rows[name] = {str(k): v for k, v in groups.items()}
        return self._rows[name]

    @property
    def rows(self) -> dict[str, np.ndarray]:
        """Territory → positions of its rows in :attr:`responses`."""
        return self.rows_in(None)

    @property
    def relation_rows(self) -> dict[str, np.ndarray]:
        """Territory → positions of its rows in :attr:`relations`."""
        return self.rows_in(self.survey.relations_repeat) if self.survey.relations_repeat else {}

    def prepared(self, item: Display) -> Prepared | None:
        """The answers of a published question parsed once for the wave (None: not in the data)."""
        from ..analysis.summary import prepare

        name = item.question.name
        if name not in self._prepared:
            table = self.table(item.table)
            self._prepared[name] = (
                prepare(table, self.survey, name, codebook=self.codebook)
                if name in table.columns and len(table) else None
            )
        return self._prepared[name]

    def coarser(self, prepared: Prepared) -> Prepared | None:
        """A date or time question's answers by the next coarser period, parsed once for the wave."""
        from ..analysis.summary import coarser

        key = f"{prepared.question.name}@{getattr(prepared.periods, 'unit', '')}+"
        if key not in self._prepared:
            self._prepared[key] = coarser(prepared)
        return self._prepared[key]

    def network(self, group: tuple, rows: np.ndarray, relation_rows: np.ndarray) -> Network:
        """The cooperation network of a group of respondents (``group`` names it: territory and
        organisation type), with its measures: built once per wave, whatever the language."""
        from ..analysis.network import build_network, network_stats, node_stats

        if group not in self._networks:
            graph = build_network(self.relations.iloc[relation_rows], self.responses.iloc[rows], self.survey)
            self._networks[group] = Network(graph, network_stats(graph), node_stats(graph))
        return self._networks[group]

    def comparison(self, org_type: str | None, *, lang: str, min_count: int) -> dict[str, pd.DataFrame]:
        """Every territory's scores against the others, among organisations of ``org_type`` (None: all)."""
        from .scores import compare_all

        cache = (org_type, lang, min_count)
        if cache not in self._comparisons:
            scores = self.scores
            if scores is None:
                self._comparisons[cache] = {}
            else:
                if org_type is not None:
                    scores = scores[scores["_org_type"] == org_type]
                self._comparisons[cache] = compare_all(scores, min_count=min_count, lang=lang)
        return self._comparisons[cache]


class Inputs:
    """What the results of a workspace read, loaded once (see the module docstring)."""

    def __init__(self, workspace: Workspace, fingerprint: Fingerprint | None = None) -> None:
        from .fingerprint import fingerprint as take

        self.workspace = workspace
        self.survey = workspace.survey
        self.fingerprint = fingerprint or take(workspace)
        self.responses = workspace.responses()
        self.relations = workspace.relations()
        relations = self.survey.relations_repeat
        #: the rows of every other repeat group of the form (all waves), by repeat name
        self.repeats = {name: workspace.repeat(name) for name in self.survey.repeats if name != relations}
        self._waves: dict[str, WaveData] = {}

    @cached_property
    def has_ties(self) -> bool:
        """Whether the workspace holds partner ties: an export without repeat groups (a Kobo CSV, a
        LimeSurvey or Google Forms export) has no relations table, hence no network section."""
        partner = self.survey.role("partner")
        return partner is not None and partner.name in self.relations.columns

    @cached_property
    def has_scores(self) -> bool:
        """Whether the form has dimension scores (the ``coopwork::dimension`` of agreement scales):
        without, no comparison and no change section."""
        return self.scores is not None

    def table(self, name: str | None) -> pd.DataFrame:
        """The responses (``None``), the relations or the rows of a repeat, of every wave."""
        return _table(self, name)

    @cached_property
    def numeric(self) -> dict[str, bool]:
        """Calculation → whether its answers are numbers (a calculation's type is not in the form)."""
        out = {}
        for q in self.survey.questions.values():
            if q.type != "calculate":
                continue
            table = self.table(q.repeat)
            values = table[q.name].dropna() if q.name in table.columns else pd.Series(dtype=object)
            text = values.astype("string").str.strip()
            text = text[text != ""]
            out[q.name] = bool(len(text)) and bool(pd.to_numeric(text, errors="coerce").notna().all())
        return out

    @cached_property
    def published(self) -> list[Display]:
        """The published questions (:func:`~coopwork.results.questions.published`) the data hold: a
        question of a repeat only when the exports held that repeat (the questions asked about each
        tie only when the workspace has ties, :attr:`has_ties`)."""
        shown = published(self.survey, codebook=self.codebook, numeric=self.numeric)
        return [item for item in shown
                if item.table is None or (item.question.name in self.table(item.table).columns
                                          and (item.unit != "ties" or self.has_ties))]

    @cached_property
    def scores(self) -> pd.DataFrame | None:
        """Dimension scores of every respondent of every wave (None: the survey scores nothing)."""
        from ..analysis.indicators import dimension_scores

        try:
            scores = dimension_scores(self.responses, self.survey) if len(self.responses) else None
        except CoopworkError:
            return None
        org_type = self.survey.role("org_type")
        known = org_type is not None and org_type.name in self.responses.columns
        types = (
            self.responses[org_type.name].astype("string")
            if known
            else pd.Series(pd.NA, index=self.responses.index)
        )
        kind = dict(zip(self.responses["_submission_id"].astype(str), types, strict=True))
        return scores.assign(_org_type=scores["_submission_id"].map(kind).astype("string"))

    @cached_property
    def scores_of(self) -> dict[str, pd.DataFrame]:
        """Territory → its respondents' dimension scores in every wave (split once)."""
        if self.scores is None:
            return {}
        return {str(k): v for k, v in self.scores.groupby("_territory", sort=False)}

    @cached_property
    def codebook(self) -> dict | None:
        """The free-text codebook ``surveys/codebook_<survey id>.yml``, when there is one."""
        from ..analysis.freetext import load_codebook

        path = self.workspace.surveys_dir / f"codebook_{self.survey.survey_id}.yml"
        return load_codebook(path) if path.is_file() else None

    @property
    def waves_of(self) -> dict[str, list[str]]:
        """Territory → its waves in order (``ALL`` → every wave), as the fingerprint read them."""
        return self.fingerprint.waves_of

    def current_wave(self, territory: str | None) -> str | None:
        """The wave a territory's results show when none is asked (:meth:`.Fingerprint.current_wave`)."""
        return self.fingerprint.current_wave(territory)

    def previous_wave(self, territory: str | None, wave: str) -> str | None:
        """The territory's latest wave before ``wave`` (:meth:`.Fingerprint.previous_wave`)."""
        return self.fingerprint.previous_wave(territory, wave)

    def wave(self, wave: str) -> WaveData:
        """The :class:`WaveData` of a wave (built once)."""
        if wave not in self._waves:
            responses = self.responses[self.responses["_wave"] == wave].reset_index(drop=True)
            relations = (
                self.relations[self.relations["_wave"] == wave].reset_index(drop=True)
                if "_wave" in self.relations
                else self.relations.iloc[0:0]
            )
            scores = None if self.scores is None else self.scores[self.scores["_wave"] == wave]
            repeats = {name: table[table["_wave"] == wave].reset_index(drop=True)
                       for name, table in self.repeats.items() if "_wave" in table.columns}
            self._waves[wave] = WaveData(wave, responses, relations, self.survey, scores, repeats,
                                         self.codebook)
        return self._waves[wave]

    def label(self, territory: str | None, lang: str) -> str:
        """A territory's label (``None``: "All territories")."""
        if territory is None:  # a form without a territory question: all its responses
            several = bool(self.waves_of.keys() - {ALL})
            return t("dashboard.all_territories" if several else "results.all_responses", lang)
        return self.workspace.territory_label(territory, lang)


# -- one chart ------------------------------------------------------------------------------------------
def _chart(
    chart_id: str,
    section: str,
    title: str,
    figure: dict | None = None,
    message: str | None = None,
    **extra: Any,
) -> dict:
    return {"id": chart_id, "section": section, "title": title, "figure": figure, "message": message, **extra}


def _unit_cells(
    table: pd.DataFrame, prepared: Prepared, item: Display, wd: WaveData, rows: np.ndarray, *, lang: str,
    min_count: int
) -> pd.DataFrame:
    """The cells of a question asked per repeat row rest on submissions, not rows: five rows may come
    from one submission. Adds ``respondents`` (the distinct submissions behind each cell) and protects
    on it — a group of fewer than ``min_count`` submissions hides every cell, and so does one
    submission holding more than 85 % of a sum — keeping the display texts of the cells shown. The
    ``attrs`` then give the whole table's ``units`` (its distinct submissions) for the title."""
    ids = wd.table(item.table)["_submission_id"].astype("string").to_numpy(dtype=object)[rows]
    done = prepared.done[rows]
    if prepared.values is not None:
        done = done & ~np.isnan(prepared.values[rows])
    units = len(set(ids[done].tolist()))
    if prepared.chosen is not None and "option" in table.columns:
        chosen = prepared.chosen[rows] & done[:, None]
        per_option = {option: len(set(ids[chosen[:, i]].tolist()))
                      for i, option in enumerate(prepared.options)}
        respondents = [per_option.get(option, 0) for option in table["option"].astype(str)]
    else:
        respondents = [units] * len(table)
    out = table.assign(respondents=pd.array(respondents, dtype="Int64"),
                       _units=pd.array([units] * len(table), dtype="Int64"))
    extra: dict[str, Any] = {}
    if prepared.values is not None and len(table):  # one submission must not hold most of a sum
        values = np.abs(prepared.values[rows][done])
        sums = pd.Series(values).groupby(ids[done]).sum()
        out = out.assign(_abs_total=float(values.sum()), _largest=float(sums.max()) if len(sums) else 0.0)
        extra = {"dominance": DOMINANCE, "total_column": "_abs_total", "largest_column": "_largest"}
    kind = prepared.kind
    margins = ([None] if kind in ("select_one", "likert", "periods")
               else [["ranked"], ["position"]] if kind == "rank" else None)
    protected = protect(out, count="respondents", min_count=min_count, lang=lang, margins=margins,
                        base="_units", display=lambda row, lang: str(row["display"]), **extra)
    protected = protected.drop(columns=[c for c in ("_units", "_abs_total", "_largest") if c in protected])
    protected.attrs = dict(table.attrs)
    if is_small(units, min_count):  # the whole table rests on too few submissions: not even its size
        protected.attrs.update(base=None, missing=None, units=None)
    else:
        protected.attrs["units"] = units
    return protected


def _summaries(
    inputs: Inputs, wd: WaveData, picked: Picked, *, lang: str, min_count: int
) -> dict[str, pd.DataFrame]:
    """The protected summary of every published question, for these respondents and their repeats' rows."""
    from ..analysis.summary import summarise_many, summarise_rows

    tables: dict[str, pd.DataFrame] = {}
    for name in dict.fromkeys(item.table for item in inputs.published):
        items = [i for i in inputs.published if i.table == name and wd.prepared(i) is not None]
        rows = picked.get(name, np.array([], dtype=int))
        found = summarise_many(
            [wd.prepared(i) for i in items], wd.survey, rows, lang=lang, min_count=min_count
        )
        for item in items:
            prepared, table = wd.prepared(item), found[item.question.name]
            if table.empty:  # no option to count (dates nobody gave): how many answered, 0, is said
                prepared = replace(prepared, kind="answers", options=[], chosen=None)
                table = summarise_rows(prepared, wd.survey, rows, lang=lang, min_count=min_count)
            if name is not None:
                table = _unit_cells(table, prepared, item, wd, rows, lang=lang, min_count=min_count)
            if item.display == "periods":
                table = _coarsened(table, prepared, item, wd, rows, lang=lang, min_count=min_count)
            tables[item.question.name] = table
    return tables


def _mostly_hidden(table: pd.DataFrame) -> bool:
    """More than a quarter of the cells that hold answers are hidden (at least two of them)."""
    hidden = table["suppressed"].to_numpy(dtype=bool)
    holding = hidden | (pd.to_numeric(table["n"], errors="coerce").fillna(0).to_numpy() > 0)
    return hidden.sum() > max(1, holding.sum() // 4)


def _coarsened(table: pd.DataFrame, prepared: Prepared, item: Display, wd: WaveData, rows: np.ndarray, *,
               lang: str, min_count: int) -> pd.DataFrame:
    """A date or time question counted by coarser periods (months → quarters → years → decades; hours →
    blocks of 3, of 6) while the disclosure control hides most of them."""
    from ..analysis.summary import summarise_rows

    while _mostly_hidden(table) and (wider := wd.coarser(prepared)) is not None:
        prepared = wider
        table = summarise_rows(prepared, wd.survey, rows, lang=lang, min_count=min_count)
        if item.table is not None:
            table = _unit_cells(table, prepared, item, wd, rows, lang=lang, min_count=min_count)
    return table


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
    return _too_few(survey, lang=lang, min_count=min_count)


def _too_few(survey: Survey, *, lang: str, min_count: int) -> str:
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
    from ..figures import bar_chart, histogram_chart, period_chart, rank_chart

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
    from ..analysis.indicators import dimension_label
    from ..figures import likert_chart

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


def _network(
    wd: WaveData, group: tuple, rows: np.ndarray, relation_rows: np.ndarray, *, lang: str, min_count: int,
    before: tuple[Any, str] | None = None,
) -> tuple[dict | None, pd.DataFrame | None, pd.DataFrame | None, Any]:
    """The network chart, its protected measures, the published organisations and the graph
    (``before``: the group's network of the previous wave and its name, for the ties gained and lost)."""
    from ..figures import network_chart
    from ..figures.network import network_layout

    survey = wd.survey
    if survey.role("organisation") is None or survey.role("partner") is None:
        return None, None, None, None
    if survey.role("partner").name not in wd.relations.columns:  # no relations table: no network section
        return None, None, None, None
    chart = _chart("network", "ties", t("dashboard.section_ties", lang))
    network = wd.network(group, rows, relation_rows)
    stats = _protect_network(network.stats, lang=lang, min_count=min_count)
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


def _compare(
    inputs: Inputs,
    wd: WaveData,
    territory: str | None,
    org_type: str | None,
    *,
    lang: str,
    min_count: int,
) -> tuple[dict, pd.DataFrame | None]:
    """Dimension scores of the territory against the others (synthesis: one dot per territory)."""
    from ..figures import scores_chart

    title = t("dashboard.section_compare", lang)
    chart = _chart("compare.likert", "compare", title)  # the id of version 1: journal notes stay attached
    tables = wd.comparison(org_type, lang=lang, min_count=min_count)
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


def _change(
    inputs: Inputs,
    territory: str | None,
    wave: str,
    previous: str | None,
    org_type: str | None,
    *,
    lang: str,
    min_count: int,
) -> tuple[dict, pd.DataFrame | None]:
    """The wave-over-wave change of the dimension scores (all territories pooled in the synthesis)."""
    from ..analysis.indicators import score_change
    from ..figures import change_chart

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


# -- one view (all organisations, or one organisation type) -----------------------------------------
def _summaries_table(
    items: list[Display], tables: dict[str, pd.DataFrame], survey: Survey, lang: str
) -> pd.DataFrame:
    front = ["section", "dimension", "question", "question_label", "kind", "unit"]
    frames = []
    for item in items:
        table = tables.get(item.question.name)
        if table is None:
            continue
        table = table.drop(
            columns=[c for c in ("min", "max") if c in table.columns]
        )  # one organisation's value
        table.insert(0, "unit", item.unit)
        table.insert(0, "kind", table.attrs.get("kind", ""))
        table.insert(0, "question_label", item.question.label(lang, survey.default_language))
        table.insert(0, "dimension", item.question.dimension or "")
        table.insert(0, "section", item.section)
        frames.append(table.drop(columns=["question"]).assign(question=item.question.name))
    if not frames:
        return pd.DataFrame(columns=[*front, "n", "suppressed", "display"])
    out = pd.concat(frames, ignore_index=True)
    return out[front + [c for c in out.columns if c not in front]]


def _charts(inputs: Inputs, wd: WaveData, picked: Picked, tables: dict[str, pd.DataFrame], *, lang: str,
            min_count: int) -> list[dict]:
    """One chart per published question in form order (one per block of a shared scale)."""
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


def _view(
    inputs: Inputs,
    wd: WaveData,
    territory: str | None,
    picked: Picked,
    previous: str | None,
    org_type: str | None,
    *,
    lang: str,
    min_count: int,
    full: bool,
) -> tuple[dict, dict[str, pd.DataFrame], Any]:
    """The charts of one group of respondents; with ``full``, also the tables (and the graph)."""
    rows = picked[None]
    relation_rows = picked.get(wd.survey.relations_repeat, np.array([], dtype=int))
    n = len(rows)
    if n == 0:
        return {"n": 0, "suppressed": False, "charts": [], "message": t("dashboard.no_data", lang)}, {}, None
    if is_small(n, min_count):
        return (
            {
                "n": None,
                "suppressed": True,
                "charts": [],
                "message": _too_few(wd.survey, lang=lang, min_count=min_count),
            },
            {},
            None,
        )
    survey = wd.survey
    tables = _summaries(inputs, wd, picked, lang=lang, min_count=min_count)
    charts = _charts(inputs, wd, picked, tables, lang=lang, min_count=min_count)
    network, stats, organisations, graph = _network(
        wd, (territory, org_type), rows, relation_rows, lang=lang, min_count=min_count,
        before=_previous_graph(inputs, territory, previous, org_type, min_count=min_count),
    )
    if network is not None:
        charts.insert(0, network)
    compared = changed = None
    if inputs.has_scores:  # a form without dimension scores has no comparison and no change section
        change, changed = _change(inputs, territory, wd.wave, previous, org_type, lang=lang,
                                  min_count=min_count)
        if inputs.waves_of.keys() - {ALL}:  # territories to compare
            compare, compared = _compare(inputs, wd, territory, org_type, lang=lang, min_count=min_count)
            charts.append(compare)
        charts.append(change)
    out: dict[str, pd.DataFrame] = {}
    if full:
        summaries = _summaries_table(inputs.published, tables, survey, lang)
        out["summaries"] = summaries
        practised = (
            (summaries["kind"] == "select_multiple")
            & summaries["dimension"].isin(PRACTICE_DIMENSIONS)
            & (summaries["unit"] == "organisations")
        )
        columns = ["dimension", "question", "question_label", "option", "label", "n", "base", "percent",
                   "suppressed", "display", "rule"]  # the audit reads why each hidden cell is hidden
        out["practices"] = summaries.loc[practised, [c for c in columns if c in summaries.columns]]
        themed = summaries[summaries["kind"] == "themes"]
        for name, table in (
            ("network", stats),
            ("organisations", organisations),
            ("scores", compared),
            ("change", changed),
            ("themes", themed.rename(columns={"option": "theme"}) if len(themed) else None),
        ):
            if table is not None:
                out[name] = table
    order = [s["id"] for s in section_labels(survey, [c["section"] for c in charts], lang=lang)]
    charts.sort(key=lambda c: order.index(c["section"]))
    return {"n": n, "suppressed": False, "charts": charts, "message": None}, out, graph


def _org_types(inputs: Inputs, wd: WaveData, rows: np.ndarray, lang: str) -> list[dict]:
    """The organisation-type filter of a territory: "all types", then the types present, in form order."""
    everyone = [{"id": "", "label": t("dashboard.all_types", lang)}]
    org_type = inputs.survey.role("org_type")
    if org_type is None or org_type.name not in wd.responses.columns:
        return everyone
    labels = inputs.survey.choice_labels(org_type.name, lang) if org_type.is_select else {}
    present = set(wd.responses[org_type.name].iloc[rows].dropna().astype(str))
    return (
        everyone
        + [{"id": name, "label": label} for name, label in labels.items() if name in present]
        + [{"id": name, "label": name} for name in sorted(present - set(labels))]
    )


def _tables_of(inputs: Inputs) -> list[str | None]:
    """The tables a view reads: the responses, the relations (the network) and the published repeats."""
    names: list[str | None] = [None]
    if inputs.survey.relations_repeat:
        names.append(inputs.survey.relations_repeat)
    names += [item.table for item in inputs.published if item.table is not None]
    return list(dict.fromkeys(names))


def _rows(inputs: Inputs, wd: WaveData, territory: str | None) -> Picked:
    """Positions of a territory's rows (``None``: all of them) in each table of its wave."""
    picked = {}
    for name in _tables_of(inputs):
        if territory is None:
            picked[name] = np.arange(len(wd.table(name)))
        else:
            picked[name] = wd.rows_in(name).get(territory, np.array([], dtype=int))
    return picked


def _narrow(wd: WaveData, picked: Picked, mine: np.ndarray) -> Picked:
    """``picked`` kept to the submissions at the positions ``mine`` of the responses (and their rows
    in every repeat)."""
    rows = picked[None][mine]
    ids = wd.responses["_submission_id"].iloc[rows].astype(str).to_numpy()
    out: Picked = {None: rows}
    for name, positions in picked.items():
        if name is not None:
            owners = wd.table(name)["_submission_id"].astype(str).to_numpy()[positions]
            out[name] = positions[np.isin(owners, ids)]
    return out


def _network_rows(wd: WaveData, territory: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a territory's responses and relations in its wave (``None``: all of them)."""
    if territory is None:
        return np.arange(len(wd.responses)), np.arange(len(wd.relations))
    return (wd.rows.get(territory, np.array([], dtype=int)),
            wd.relation_rows.get(territory, np.array([], dtype=int)))


def _protect_network(stats: pd.DataFrame, *, lang: str, min_count: int) -> pd.DataFrame:
    """Network measures as published: hidden below ``min_count`` responding organisations."""
    return protect(
        stats,
        count="respondents",
        min_count=min_count,
        lang=lang,
        display=lambda row, lang: format_number(row["density"], decimals=3, lang=lang),
    )


def _previous_graph(
    inputs: Inputs, territory: str | None, previous: str | None, org_type: str | None, *, min_count: int
) -> tuple[Any, str] | None:
    """A territory's whole network in the previous wave and the wave's name, when it may be shown
    (``min_count`` respondents or more); None for the organisation-type views and the synthesis."""
    survey = inputs.survey
    if territory is None or previous is None or org_type or survey.role("partner") is None:
        return None
    wd = inputs.wave(previous)
    if survey.role("organisation") is None or survey.role("partner").name not in wd.relations.columns:
        return None
    network = wd.network((territory, None), *_network_rows(wd, territory))
    respondents = network.graph.graph.get("respondents", 0)
    if not respondents or is_small(respondents, min_count):
        return None
    return network.graph, str(previous)


def _previous_network(
    inputs: Inputs, territory: str | None, previous: str | None, *, lang: str, min_count: int
) -> pd.DataFrame | None:
    """The protected network measures of a territory in its previous wave (what the synthesis's
    changes compare with), so that the synthesis needs no result of the previous wave."""
    survey = inputs.survey
    if (
        territory is None
        or previous is None
        or survey.role("organisation") is None
        or (survey.role("partner") is None)
    ):
        return None
    wd = inputs.wave(previous)
    if survey.role("partner").name not in wd.relations.columns:
        return None
    stats = wd.network((territory, None), *_network_rows(wd, territory)).stats
    return _protect_network(stats, lang=lang, min_count=min_count)


def graph_links(graph: Any) -> dict | None:
    """The graph a result publishes, in node-link form with plain JSON values, nodes keyed by
    organisation (before :func:`~coopwork.analysis.network.display_names` hides names): what the
    dynamic GEXF reads back with :func:`graph_from_links`. None when the network is not shown.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b", {"w": 1})], respondents=2)
    >>> back = graph_from_links(graph_links(g))
    >>> list(back.edges(data=True)), back.graph
    ([('a', 'b', {'w': 1})], {'respondents': 2})
    """
    from .tables import plain

    if graph is None:
        return None
    return {
        "graph": {k: plain(v) for k, v in graph.graph.items()},
        "nodes": [[node, {k: plain(v) for k, v in data.items()}] for node, data in graph.nodes(data=True)],
        "edges": [[u, v, {k: plain(x) for k, x in data.items()}] for u, v, data in graph.edges(data=True)],
    }


def graph_from_links(links: dict) -> Any:
    """The graph stored by :func:`graph_links` (a ``networkx.DiGraph``, nodes and edges in their order)."""
    import networkx as nx

    graph = nx.DiGraph(**links["graph"])
    graph.add_nodes_from((node, data) for node, data in links["nodes"])
    graph.add_edges_from((u, v, data) for u, v, data in links["edges"])
    return graph


def breakdown(inputs: Inputs, territory: str | None, wave: str, *, lang: str, min_count: int) -> dict:
    """The views of each organisation type of a territory (the dashboards' organisation-type filter).

    Returns ``{"version", "territory", "wave", "lang", "min_count", "views": {org type: view}}``; the
    views have the shape of the results' ``views[""]`` (charts only, no tables).
    """
    wd = inputs.wave(wave)
    picked = _rows(inputs, wd, territory)
    rows = picked[None]
    previous = inputs.previous_wave(territory, wave)
    column = inputs.survey.role("org_type").name if inputs.survey.role("org_type") else None
    views = {}
    for entry in _org_types(inputs, wd, rows, lang)[1:]:
        mine = (wd.responses[column].iloc[rows] == entry["id"]).fillna(False).to_numpy(dtype=bool)
        views[entry["id"]], _, _ = _view(
            inputs,
            wd,
            territory,
            _narrow(wd, picked, mine),
            previous,
            entry["id"],
            lang=lang,
            min_count=min_count,
            full=False,
        )
    return {
        "version": RESULTS_VERSION,
        "territory": territory or ALL,
        "wave": wave,
        "lang": lang,
        "min_count": min_count,
        "views": views,
    }


def _key_figures(inputs: Inputs, wd: WaveData, picked: Picked, stats: pd.DataFrame | None, *, lang: str,
                 min_count: int) -> list[list[str]]:
    """The key figures: the submissions, the rows of each published repeat (protected on the distinct
    submissions behind them), the network's measures."""
    survey = inputs.survey
    n = len(picked[None])
    count = protect(pd.DataFrame({"n": [n]}), min_count=min_count, lang=lang)["display"].iloc[0]
    label = "export.kf_respondents" if submission_unit(survey) == "organisations" else "results.kf_responses"
    figures = [[t(label, lang), str(count)]]
    for item in {i.table: i for i in inputs.published if i.table is not None and i.unit == "rows"}.values():
        positions = picked.get(item.table, np.array([], dtype=int))
        ids = wd.table(item.table)["_submission_id"].astype("string").to_numpy(dtype=object)[positions]
        cell = pd.DataFrame({"rows": [len(positions)], "respondents": [len(set(ids.tolist()))]})
        shown = protect(cell, count="respondents", min_count=min_count, lang=lang,
                        display=lambda row, lang: format_number(row["rows"], lang=lang))["display"].iloc[0]
        figures.append([t("results.kf_rows", lang, unit=unit_label(survey, item, lang=lang)), str(shown)])
    if stats is not None and len(stats) and not stats["suppressed"].iloc[0]:
        row = stats.iloc[0]
        figures += [
            [t("export.kf_nodes", lang), format_number(row["nodes"], lang=lang)],
            [t("export.kf_edges", lang), format_number(row["edges"], lang=lang)],
            [t("export.kf_density", lang), str(row["display"])],
            [t("export.kf_communities", lang), format_number(row["communities"], lang=lang)],
        ]
    return figures


def _graph_data(graph: Any) -> dict | None:
    """The published network as node and edge lists (consented names only), for the network files."""
    if graph is None:
        return None
    from ..analysis.network import display_names

    names = display_names(graph)
    nodes = [
        {"id": names[node], **{k: v for k, v in data.items() if k not in {"label"}}, "label": names[node]}
        for node, data in graph.nodes(data=True)
    ]
    edges = [{"source": names[u], "target": names[v], **data} for u, v, data in graph.edges(data=True)]
    return {"respondents": int(graph.graph.get("respondents", 0)), "nodes": nodes, "edges": edges}


def compute(inputs: Inputs, territory: str | None, wave: str, *, lang: str, min_count: int) -> dict:
    """The results of one territory (``None``: all territories together) in one wave.

    Returns the dict documented in :mod:`coopwork.results`, without ``key`` and ``digest`` (the
    store adds them).
    """
    wd = inputs.wave(wave)
    picked = _rows(inputs, wd, territory)
    previous = inputs.previous_wave(territory, wave)
    view, tables, graph = _view(
        inputs, wd, territory, picked, previous, None, lang=lang, min_count=min_count, full=True
    )
    before = _previous_network(inputs, territory, previous, lang=lang, min_count=min_count)
    if before is not None:
        tables["network_previous"] = before
    rows = picked[None]
    n = len(rows)
    return {
        "version": RESULTS_VERSION,
        "survey_id": inputs.survey.survey_id,
        "survey_title": inputs.survey.title,
        "cooperation": is_cooperation(inputs.survey),
        "territory": territory or ALL,
        "territory_label": inputs.label(territory, lang),
        "wave": wave,
        "previous_wave": previous,
        "lang": lang,
        "min_count": min_count,
        "respondents": {"n": None if is_small(n, min_count) else n, "suppressed": is_small(n, min_count)},
        "unit": submission_unit(inputs.survey),
        "key_figures": _key_figures(inputs, wd, picked, tables.get("network"), lang=lang,
                                    min_count=min_count),
        "sections": section_labels(inputs.survey, [c["section"] for c in view["charts"]], lang=lang),
        "org_types": _org_types(inputs, wd, rows, lang),
        "views": {"": view},
        "tables": {name: encode(table) for name, table in tables.items()},
        "network": _graph_data(graph),
        # the graph before names are hidden (private, like every result): the dynamic GEXF of the
        # export joins the waves' graphs by organisation (coopwork.export.network_files)
        "graph": graph_links(graph),
    }
