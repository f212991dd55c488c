"""The tables a result reads, loaded once: the data model of the results.

:class:`Inputs` reads a workspace once: the tables split by wave and territory (row positions,
never a filter per territory), the dimension scores of every respondent, the codebook and the
fingerprint. :class:`WaveData` holds one wave's rows and the work its territories share (answers
parsed per question, the comparison of every territory's scores with the others, each group's
network), done once per wave. :class:`Scope` names what one view covers (a territory or all, a
wave, an organisation type or all, a language, a threshold) and :data:`Picked` its rows in each
table. The statistics (:mod:`.statistics`), the network (:mod:`.network`), the charts
(:mod:`.charts`) and the views (:mod:`.views`) read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.freetext import load_codebook
from ..analysis.indicators import dimension_scores
from ..analysis.network import build_network, network_stats, node_stats
from ..analysis.summary import coarser, prepare
from ..errors import CoopworkError
from ..i18n import t
from ..paths import ALL
from .fingerprint import Fingerprint
from .fingerprint import fingerprint as take
from .questions import Display, published
from .scores import compare_all

if TYPE_CHECKING:
    from ..analysis.summary import Prepared
    from ..survey import Survey
    from ..workspace import Workspace

__all__ = ["Inputs", "Network", "Picked", "Scope", "WaveData", "narrow", "rows", "tables_of"]

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
        key = f"{prepared.question.name}@{getattr(prepared.periods, 'unit', '')}+"
        if key not in self._prepared:
            self._prepared[key] = coarser(prepared)
        return self._prepared[key]

    def network(self, group: tuple, rows: np.ndarray, relation_rows: np.ndarray) -> Network:
        """The cooperation network of a group of respondents (``group`` names it: territory and
        organisation type), with its measures: built once per wave, whatever the language."""
        if group not in self._networks:
            graph = build_network(self.relations.iloc[relation_rows], self.responses.iloc[rows], self.survey)
            self._networks[group] = Network(graph, network_stats(graph), node_stats(graph))
        return self._networks[group]

    def comparison(self, org_type: str | None, *, lang: str, min_count: int) -> dict[str, pd.DataFrame]:
        """Every territory's scores against the others, among organisations of ``org_type`` (None: all)."""
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


@dataclass(eq=False)
class Scope:
    """What one view covers: the rows of a territory (``None``: every territory) in a wave, of one
    organisation type (``None``: every type), worded in ``lang`` under the threshold ``min_count``."""

    inputs: Inputs
    wd: WaveData
    territory: str | None
    picked: Picked
    previous: str | None  # the territory's previous wave (what changed), None when it has none
    org_type: str | None
    lang: str
    min_count: int

    @property
    def survey(self) -> Survey:
        """The workspace's survey."""
        return self.inputs.survey

    @property
    def rows(self) -> np.ndarray:
        """Positions of the view's responses (one per submission) in its wave."""
        return self.picked[None]


def tables_of(inputs: Inputs) -> list[str | None]:
    """The tables a view reads: the responses, the relations (the network) and the published repeats."""
    names: list[str | None] = [None]
    if inputs.survey.relations_repeat:
        names.append(inputs.survey.relations_repeat)
    names += [item.table for item in inputs.published if item.table is not None]
    return list(dict.fromkeys(names))


def rows(inputs: Inputs, wd: WaveData, territory: str | None) -> Picked:
    """Positions of a territory's rows (``None``: all of them) in each table of its wave."""
    picked = {}
    for name in tables_of(inputs):
        if territory is None:
            picked[name] = np.arange(len(wd.table(name)))
        else:
            picked[name] = wd.rows_in(name).get(territory, np.array([], dtype=int))
    return picked


def narrow(wd: WaveData, picked: Picked, mine: np.ndarray) -> Picked:
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
