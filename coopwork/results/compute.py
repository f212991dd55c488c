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

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.disclosure import format_number, protect
from ..errors import CoopworkError
from ..i18n import t
from .io import RESULTS_VERSION
from .paths import ALL
from .questions import PRACTICE_DIMENSIONS, SECTIONS, Published, published, text_questions
from .tables import encode

if TYPE_CHECKING:
    from ..analysis.summary import Prepared
    from ..survey import Survey
    from ..workspace import Workspace
    from .fingerprint import Fingerprint

__all__ = ["RESULTS_VERSION", "Inputs", "WaveData", "breakdown", "compute", "network_history"]


@dataclass
class Network:
    """A group's network and its measures, before disclosure control (shared by every language)."""

    graph: Any
    stats: pd.DataFrame
    nodes: pd.DataFrame
    positions: dict | None = None  # the layout, computed the first time the network is drawn


@dataclass
class WaveData:
    """The rows of one wave, split once by territory, and what its territories share."""

    wave: str
    responses: pd.DataFrame
    relations: pd.DataFrame
    survey: Survey
    scores: pd.DataFrame | None
    _prepared: dict[str, Prepared | None] = field(default_factory=dict)
    _comparisons: dict[tuple, dict[str, pd.DataFrame]] = field(default_factory=dict)
    _networks: dict[tuple, Network] = field(default_factory=dict)

    @cached_property
    def rows(self) -> dict[str, np.ndarray]:
        """Territory → positions of its rows in :attr:`responses`."""
        return {str(k): v for k, v in self.responses.groupby("_territory", sort=True).indices.items()}

    @cached_property
    def relation_rows(self) -> dict[str, np.ndarray]:
        """Territory → positions of its rows in :attr:`relations`."""
        if self.relations.empty:
            return {}
        return {str(k): v for k, v in self.relations.groupby("_territory", sort=True).indices.items()}

    def prepared(self, item: Published) -> Prepared | None:
        """The answers of a published question parsed once for the wave (None: not in the data)."""
        from ..analysis.summary import prepare

        name = item.question.name
        if name not in self._prepared:
            table = self.relations if item.unit == "ties" else self.responses
            self._prepared[name] = (
                prepare(table, self.survey, name) if name in table.columns and len(table) else None
            )
        return self._prepared[name]

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
        self._waves: dict[str, WaveData] = {}

    @cached_property
    def has_ties(self) -> bool:
        """Whether the workspace holds partner ties: an export without repeat groups (a Kobo CSV, a
        LimeSurvey or Google Forms export) has no relations table, hence no network section."""
        partner = self.survey.role("partner")
        return partner is not None and partner.name in self.relations.columns

    @cached_property
    def published(self) -> list[Published]:
        """The published questions (:func:`~coopwork.results.questions.published`); the questions
        asked about each tie only when the workspace has ties (:attr:`has_ties`)."""
        return [item for item in published(self.survey) if item.unit != "ties" or self.has_ties]

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
            self._waves[wave] = WaveData(wave, responses, relations, self.survey, scores)
        return self._waves[wave]

    def label(self, territory: str | None, lang: str) -> str:
        """A territory's label (``None``: "All territories")."""
        if territory is None:
            return t("dashboard.all_territories", lang)
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


def _tie_cells(
    table: pd.DataFrame, item: Published, wd: WaveData, rows: np.ndarray, *, lang: str, min_count: int
) -> pd.DataFrame:
    """Cells of a relations question rest on organisations, not ties: five ties may come from two
    organisations. Adds ``respondents`` (distinct organisations behind each cell) and protects on it,
    keeping the display texts of the cells shown."""
    prepared = wd.prepared(item)
    ids = wd.relations["_submission_id"].astype("string").to_numpy()[rows]
    if prepared.chosen is not None and "option" in table.columns:
        chosen = prepared.chosen[rows]
        per_option = {option: len(set(ids[chosen[:, i]])) for i, option in enumerate(prepared.options)}
        respondents = [per_option.get(option, 0) for option in table["option"].astype(str)]
    else:
        respondents = [len(set(ids[prepared.done[rows]]))] * len(table)
    out = table.assign(respondents=pd.array(respondents, dtype="Int64"))
    margins = [None] if item.question.type == "select_one" else None
    return protect(
        out,
        count="respondents",
        min_count=min_count,
        lang=lang,
        margins=margins,
        display=lambda row, lang: str(row["display"]),
    )


def _summaries(
    inputs: Inputs, wd: WaveData, rows: np.ndarray, relation_rows: np.ndarray, *, lang: str, min_count: int
) -> dict[str, pd.DataFrame]:
    """The protected summary of every published question, for these respondents and their ties."""
    from ..analysis.summary import summarise_many

    tables: dict[str, pd.DataFrame] = {}
    for unit, picked in (("organisations", rows), ("ties", relation_rows)):
        items = [i for i in inputs.published if i.unit == unit and wd.prepared(i) is not None]
        found = summarise_many(
            [wd.prepared(i) for i in items], wd.survey, picked, lang=lang, min_count=min_count
        )
        for item in items:
            table = found[item.question.name]
            if unit == "ties":
                attrs = table.attrs
                table = _tie_cells(table, item, wd, picked, lang=lang, min_count=min_count)
                table.attrs.update(attrs)
            tables[item.question.name] = table
    return tables


def _title(item: Published, survey: Survey, lang: str) -> str:
    label = item.question.label(lang, survey.default_language)
    return label if item.unit == "organisations" else t("results.per_tie", lang, label=label)


def _question_chart(
    item: Published, table: pd.DataFrame | None, wd: WaveData, rows: np.ndarray, *, lang: str, min_count: int
) -> dict:
    """Bars of a choice question, or the protected histogram of a numeric one."""
    from ..figures import bar_chart, histogram_chart

    q, survey = item.question, wd.survey
    title = _title(item, survey, lang)
    chart = _chart(q.name, item.section, title, unit=item.unit)
    if (
        table is None
        or (table["base"].isna().all() and not table["suppressed"].any())
        or (not table["suppressed"].any() and int(table["base"].fillna(0).max()) == 0)
    ):
        chart["message"] = t("dashboard.no_data", lang)
    elif _nothing_shown(table):
        chart["message"] = _why_nothing(table, len(rows), lang=lang, min_count=min_count)
    elif q.is_numeric:
        source = wd.relations if item.unit == "ties" else wd.responses
        figure = histogram_chart(
            source[[q.name]].iloc[rows], survey, q.name, min_count=min_count, lang=lang, title=title
        )
        if not figure["data"]:  # every bin hidden or empty: a sentence, not empty axes
            chart["message"] = t("figures.all_bins_hidden", lang, min_count=min_count)
        else:
            chart["figure"] = figure
    else:
        chart["figure"] = bar_chart(table, survey=survey, question=q.name, lang=lang, title=title)
    if chart["figure"] is not None and item.unit == "ties":
        _state_ties(chart["figure"], table, lang)
    return chart


def _nothing_shown(table: pd.DataFrame) -> bool:
    """True when no cell of a summary can be drawn: each one is hidden, or counts nobody."""
    shown = ~table["suppressed"].astype(bool)
    return not bool((shown & (pd.to_numeric(table["n"], errors="coerce").fillna(0) > 0)).any())


def _why_nothing(table: pd.DataFrame, rows: int, *, lang: str, min_count: int) -> str:
    """The sentence that stands for a chart with nothing to draw: its group is too small (fewer than
    ``min_count`` of the ``rows`` it counts), or each of its cells is small or protects one that is."""
    rules = set(table.loc[table["suppressed"].astype(bool), "rule"]) if "rule" in table.columns else set()
    if "small_group" in rules or 0 < rows < min_count:
        return t("dashboard.suppressed_group", lang, k=min_count)
    return t("figures.all_cells_hidden", lang, min_count=min_count)


def _state_ties(figure: dict, table: pd.DataFrame, lang: str) -> None:
    """A tie question's subtitle counts ties and the organisations behind them, not respondents."""
    subtitle = figure["layout"].get("title", {}).get("subtitle", {})
    parts = subtitle.get("text", "").split(" · ")
    shown = table[~table["suppressed"]]
    if not parts or shown.empty:
        return
    ties = int(shown["base"].max())
    organisations = int(shown["respondents"].max())
    parts[0] = t(
        "results.base_ties",
        lang,
        ties=format_number(ties, lang=lang),
        organisations=format_number(organisations, lang=lang),
    )
    subtitle["text"] = " · ".join(parts)
    for name, people, ties in (("xaxis", "figures.percent_axis", "figures.percent_axis_ties"),
                               ("yaxis", "figures.count_axis", "figures.count_axis_ties")):
        axis = figure["layout"].get(name, {}).get("title")
        if isinstance(axis, dict) and axis.get("text") == t(people, lang):  # % of the ties, number of ties
            axis["text"] = t(ties, lang)


def _likert_chart(
    dimension: str,
    items: list[Published],
    tables: dict[str, pd.DataFrame],
    survey: Survey,
    *,
    lang: str,
    min_count: int,
) -> dict:
    """The diverging bars of the agreement questions of one dimension (and unit)."""
    from ..analysis.indicators import dimension_label
    from ..figures import likert_chart

    unit = items[0].unit
    title = dimension_label(dimension, lang)
    if unit == "ties":
        title = t("results.per_tie", lang, label=title)
    chart = _chart(
        f"likert.{dimension}" + (".ties" if unit == "ties" else ""), items[0].section, title, unit=unit
    )
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
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        return chart
    names = [i.question.name for i in items if i.question.name in set(summary["question"])]
    chart["figure"] = likert_chart(summary, survey=survey, questions=names, lang=lang, title=title, unit=unit)
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


def _themes(
    inputs: Inputs, wd: WaveData, rows: np.ndarray, *, lang: str, min_count: int
) -> tuple[list[dict], pd.DataFrame | None]:
    """Themes of the free-text answers (with the survey's codebook), one chart per text question."""
    from ..analysis.freetext import theme_counts
    from ..figures import bar_chart

    questions = [q for q in text_questions(wd.survey) if q.name in wd.responses.columns]
    if inputs.codebook is None or not questions:
        return [], None
    charts, frames = [], []
    responses = wd.responses.iloc[rows]
    for q in questions:
        table = theme_counts(
            responses, wd.survey, q.name, codebook=inputs.codebook, min_count=min_count, lang=lang
        )
        title = q.label(lang, wd.survey.default_language)
        chart = _chart(f"themes.{q.name}", "themes", title)
        if table.empty or table["suppressed"].all() or int(table["base"].fillna(0).max() or 0) == 0:
            chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        else:
            bars = table.rename(columns={"theme": "option"}).assign(question=q.name)
            chart["figure"] = bar_chart(bars, survey=wd.survey, question=q.name, lang=lang, title=title)
        charts.append(chart)
        frames.append(table.assign(question=q.name, question_label=title))
    return charts, pd.concat(frames, ignore_index=True)


# -- one view (all organisations, or one organisation type) -----------------------------------------
def _summaries_table(
    items: list[Published], tables: dict[str, pd.DataFrame], survey: Survey, lang: str
) -> pd.DataFrame:
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
        frames.append(table.drop(columns=["question"]).assign(question=item.question.name))
    if not frames:
        return pd.DataFrame(
            columns=["dimension", "question", "question_label", "kind", "unit", "n", "suppressed", "display"]
        )
    out = pd.concat(frames, ignore_index=True)
    front = ["dimension", "question", "question_label", "kind", "unit"]
    return out[front + [c for c in out.columns if c not in front]]


def _view(
    inputs: Inputs,
    wd: WaveData,
    territory: str | None,
    rows: np.ndarray,
    relation_rows: np.ndarray,
    previous: str | None,
    org_type: str | None,
    *,
    lang: str,
    min_count: int,
    full: bool,
) -> tuple[dict, dict[str, pd.DataFrame], Any]:
    """The charts of one group of respondents; with ``full``, also the tables (and the graph)."""
    n = len(rows)
    if n == 0:
        return {"n": 0, "suppressed": False, "charts": [], "message": t("dashboard.no_data", lang)}, {}, None
    if n < min_count:
        return (
            {
                "n": None,
                "suppressed": True,
                "charts": [],
                "message": t("dashboard.suppressed_group", lang, k=min_count),
            },
            {},
            None,
        )
    survey = wd.survey
    tables = _summaries(inputs, wd, rows, relation_rows, lang=lang, min_count=min_count)
    charts: list[dict] = []
    likert: dict[tuple[str, str], list[Published]] = {}
    for item in inputs.published:
        if item.question.is_likert:
            likert.setdefault((item.question.dimension or "other", item.unit), []).append(item)
            continue
        picked = relation_rows if item.unit == "ties" else rows
        charts.append(
            _question_chart(item, tables.get(item.question.name), wd, picked, lang=lang, min_count=min_count)
        )
    for (dimension, _unit), items in likert.items():
        charts.append(_likert_chart(dimension, items, tables, survey, lang=lang, min_count=min_count))
    network, stats, organisations, graph = _network(
        wd, (territory, org_type), rows, relation_rows, lang=lang, min_count=min_count,
        before=_previous_graph(inputs, territory, previous, org_type, min_count=min_count),
    )
    if network is not None:
        charts.insert(0, network)
    compare, compared = _compare(inputs, wd, territory, org_type, lang=lang, min_count=min_count)
    change, changed = _change(inputs, territory, wd.wave, previous, org_type, lang=lang, min_count=min_count)
    charts += [compare, change]
    out: dict[str, pd.DataFrame] = {}
    if full:
        themes, themed = _themes(inputs, wd, rows, lang=lang, min_count=min_count)
        charts += themes
        summaries = _summaries_table(inputs.published, tables, survey, lang)
        out["summaries"] = summaries
        practised = (
            (summaries["kind"] == "select_multiple")
            & summaries["dimension"].isin(PRACTICE_DIMENSIONS)
            & (summaries["unit"] == "organisations")
        )
        out["practices"] = summaries.loc[
            practised,
            [
                "dimension",
                "question",
                "question_label",
                "option",
                "label",
                "n",
                "base",
                "percent",
                "suppressed",
                "display",
                "rule",  # the audit reads why each hidden cell is hidden
            ],
        ]
        for name, table in (
            ("network", stats),
            ("organisations", organisations),
            ("scores", compared),
            ("change", changed),
            ("themes", themed),
        ):
            if table is not None:
                out[name] = table
    order = list(SECTIONS)
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


def _rows(wd: WaveData, territory: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a territory's responses and relations in its wave (``None``: all of them)."""
    if territory is None:
        return np.arange(len(wd.responses)), np.arange(len(wd.relations))
    return (
        wd.rows.get(territory, np.array([], dtype=int)),
        wd.relation_rows.get(territory, np.array([], dtype=int)),
    )


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
    network = wd.network((territory, None), *_rows(wd, territory))
    if network.graph.graph.get("respondents", 0) < min_count:
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
    rows, relation_rows = _rows(wd, territory)
    stats = wd.network((territory, None), rows, relation_rows).stats
    return _protect_network(stats, lang=lang, min_count=min_count)


def network_history(inputs: Inputs, territory: str, *, min_count: int) -> list[tuple[str, Any]]:
    """The territory's cooperation network in each of its waves, oldest first, as ``(wave, graph)``:
    the graphs the results publish (nodes keyed by organisation, before :func:`display_names`
    hides names), only for the waves whose network is shown (at least ``min_count`` responding
    organisations). What the dynamic GEXF (:func:`coopwork.export.network_files.write_dynamic_gexf`)
    is written from."""
    survey = inputs.survey
    if survey.role("organisation") is None or survey.role("partner") is None:
        return []
    history = []
    for wave in inputs.waves_of.get(territory, []):
        wd = inputs.wave(wave)
        if survey.role("partner").name not in wd.relations.columns:
            continue
        rows, relation_rows = _rows(wd, territory)
        network = wd.network((territory, None), rows, relation_rows)
        if not _protect_network(network.stats, lang="en", min_count=min_count)["suppressed"].iloc[0]:
            history.append((wave, network.graph))
    return history


def breakdown(inputs: Inputs, territory: str | None, wave: str, *, lang: str, min_count: int) -> dict:
    """The views of each organisation type of a territory (the dashboards' organisation-type filter).

    Returns ``{"version", "territory", "wave", "lang", "min_count", "views": {org type: view}}``; the
    views have the shape of the results' ``views[""]`` (charts only, no tables).
    """
    wd = inputs.wave(wave)
    rows, relation_rows = _rows(wd, territory)
    previous = inputs.previous_wave(territory, wave)
    column = inputs.survey.role("org_type").name if inputs.survey.role("org_type") else None
    views = {}
    for entry in _org_types(inputs, wd, rows, lang)[1:]:
        mine = (wd.responses[column].iloc[rows] == entry["id"]).fillna(False).to_numpy(dtype=bool)
        ids = wd.responses["_submission_id"].iloc[rows[mine]].astype(str).to_numpy()
        relation_ids = wd.relations["_submission_id"].astype(str).to_numpy()[relation_rows]
        views[entry["id"]], _, _ = _view(
            inputs,
            wd,
            territory,
            rows[mine],
            relation_rows[np.isin(relation_ids, ids)],
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


def _key_figures(n: int, stats: pd.DataFrame | None, *, lang: str, min_count: int) -> list[list[str]]:
    count = protect(pd.DataFrame({"n": [n]}), min_count=min_count, lang=lang)["display"].iloc[0]
    figures = [[t("export.kf_respondents", lang), str(count)]]
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
    rows, relation_rows = _rows(wd, territory)
    previous = inputs.previous_wave(territory, wave)
    view, tables, graph = _view(
        inputs, wd, territory, rows, relation_rows, previous, None, lang=lang, min_count=min_count, full=True
    )
    before = _previous_network(inputs, territory, previous, lang=lang, min_count=min_count)
    if before is not None:
        tables["network_previous"] = before
    n = len(rows)
    return {
        "version": RESULTS_VERSION,
        "survey_id": inputs.survey.survey_id,
        "survey_title": inputs.survey.title,
        "territory": territory or ALL,
        "territory_label": inputs.label(territory, lang),
        "wave": wave,
        "previous_wave": previous,
        "lang": lang,
        "min_count": min_count,
        "respondents": {"n": n if n >= min_count or n == 0 else None, "suppressed": 0 < n < min_count},
        "key_figures": _key_figures(n, tables.get("network"), lang=lang, min_count=min_count),
        "sections": [{"id": s, "label": t(f"dashboard.section_{s}", lang)} for s in SECTIONS],
        "org_types": _org_types(inputs, wd, rows, lang),
        "views": {"": view},
        "tables": {name: encode(table) for name, table in tables.items()},
        "network": _graph_data(graph),
    }
