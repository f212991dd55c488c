"""What is published about one territory: key figures, protected tables, charts, network.

:func:`territory_content` reads a workspace once for a territory and wave and gathers
everything the exporters (site, workbook, placemat, network files) publish, so that the
same numbers appear in every format. Every table comes out of ``coopwork.analysis`` already
protected (``suppressed`` / ``display`` columns, NA numbers in suppressed rows); the few
columns that would publish one organisation's own value (``min`` and ``max`` of a number)
are left out.

Data shape (:class:`TerritoryContent`):

``key_figures``
    ``(label, text)`` pairs — texts formatted and protected (``"< 3"`` for a small count);
``tables``
    sheet name → tidy table: ``summaries`` (every choice/numeric question, long form),
    ``network`` (one row of network measures), ``organisations`` (node measures, published
    names only), ``scores`` (dimension scores 0–100, territory vs others vs all) and
    ``practices`` (options of the pooled-resources questions);
``charts``
    ``(caption, plotly figure)`` pairs, 3–4 of them, drawn by :mod:`coopwork.figures`;
``graph``
    the cooperation network (``networkx.DiGraph``) or ``None`` when the survey has no
    relations repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.disclosure import format_number, protect
from ..i18n import t

if TYPE_CHECKING:
    import networkx as nx
    import plotly.graph_objects as go

    from ..survey import Survey
    from ..workspace import Workspace

__all__ = [
    "LEAKY_COLUMNS",
    "TerritoryContent",
    "wave_scores",
    "practices",
    "question_summaries",
    "territory_charts",
    "territory_content",
]

#: columns of analysis tables that publish a single organisation's value: never exported
LEAKY_COLUMNS = ("min", "max")
_SKIPPED_ROLES = {"territory", "organisation", "name_consent", "partner", "weight"}
#: dimension(s) whose options are the "forms of cooperation" of the capitalisation view
PRACTICE_DIMENSIONS = ("mutualisation", "ties", "transition", "culture")


@dataclass
class TerritoryContent:
    """Everything published about one territory and wave (see the module docstring)."""

    territory: str
    label: str
    wave: str | None
    lang: str
    min_count: int
    respondents: int
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    charts: list[tuple[str, Any]] = field(default_factory=list)
    graph: nx.DiGraph | None = None


def _publishable(survey: Survey) -> list:
    """Questions summarised for publication: choices and numbers, no identifier, no key role."""
    out = []
    for q in survey.questions.values():
        if q.identifier or q.role in _SKIPPED_ROLES or q.type in {"calculate"}:
            continue
        if (q.is_select and q.type in {"select_one", "select_multiple"}) or q.is_numeric:
            out.append(q)
    return out


def question_summaries(
    responses: pd.DataFrame,
    relations: pd.DataFrame | None,
    survey: Survey,
    *,
    lang: str = "fr",
    min_count: int = 3,
) -> pd.DataFrame:
    """Every publishable question summarised (``coopwork.analysis.summarise``), in one long table.

    Top-level questions are counted over responses (unit: organisations), questions of the
    relations repeat over relations (unit: ties). Columns: ``dimension``, ``question``,
    ``question_label``, ``kind``, ``unit``, then summarise()'s columns without ``min``/``max``.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Choice, Question, Survey
    >>> q = Question("statut", "select_one", {"fr": "Statut"}, dimension="profile",
    ...              choices=(Choice("scop", {"fr": "SCOP"}), Choice("asso", {"fr": "Association"})))
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"statut": q}, {})
    >>> table = question_summaries(pd.DataFrame({"statut": ["scop"] * 4 + ["asso"]}), None, survey)
    >>> table[["question", "label", "display"]].values.tolist()
    [['statut', 'SCOP', '< 3'], ['statut', 'Association', '< 3']]
    """
    from ..analysis.summary import summarise

    frames = []
    for q in _publishable(survey):
        if q.repeat is None:
            source, unit = responses, "organisations"
        elif relations is not None and q.repeat == survey.relations_repeat and q.name in relations.columns:
            source, unit = relations, "ties"
        else:
            continue
        if q.name not in source.columns:
            continue
        table = summarise(source, survey, q.name, lang=lang, min_count=min_count)
        if unit == "ties":
            table = _protect_ties(table, source, survey, q.name, lang=lang, min_count=min_count)
        table = table.drop(columns=[c for c in LEAKY_COLUMNS if c in table.columns])
        table.insert(0, "unit", t(f"export.unit_{unit}", lang))
        table.insert(0, "kind", table.attrs.get("kind", ""))
        table.insert(0, "question_label", survey.label(q.name, lang))
        table.insert(0, "dimension", q.dimension or "")
        frames.append(table.drop(columns=["question"]).assign(question=q.name))
    if not frames:
        return pd.DataFrame(
            columns=["dimension", "question", "question_label", "kind", "unit", "n", "suppressed", "display"]
        )
    out = pd.concat(frames, ignore_index=True)
    front = ["dimension", "question", "question_label", "kind", "unit"]
    return out[front + [c for c in out.columns if c not in front]]


def _protect_ties(table: pd.DataFrame, relations: pd.DataFrame, survey: Survey, name: str, *, lang: str,
                  min_count: int) -> pd.DataFrame:
    """Disclosure on respondents, not ties: a cell of the relations repeat counts ties, and five
    ties may come from two organisations. Adds ``respondents`` (distinct organisations behind
    the cell) and suppresses the cells — and the total they could be recovered from — resting on
    fewer than ``min_count`` of them; shown cells keep their display text.
    """
    from ..analysis.selection import selected

    question = survey.question(name)
    ids = relations["_submission_id"].astype("string")
    if "option" in table.columns and question.is_select:
        chosen = selected(relations, survey, name).fillna(False).astype(bool)
        per_option = {option: int(ids[chosen[option].to_numpy()].nunique()) for option in chosen.columns}
        respondents = [per_option.get(option, 0) for option in table["option"].astype("string")]
    else:
        answered = relations[name].notna().to_numpy()
        respondents = [int(ids[answered].nunique())] * len(table)
    out = table.assign(respondents=pd.array(respondents, dtype="Int64"))
    margins = [None] if question.type == "select_one" else None
    return protect(out, count="respondents", min_count=min_count, lang=lang, margins=margins,
                   display=lambda row, lang: str(row["display"]))


def practices(
    responses: pd.DataFrame, survey: Survey, *, lang: str = "fr", min_count: int = 3, by: str = "_territory"
) -> pd.DataFrame:
    """The capitalisation view: which forms of cooperation appear where, with counts.

    One row per (``by`` group × option) of every top-level select_multiple question of the
    practice dimensions (pooled resources, ties, transition, culture). Columns: ``by``,
    ``dimension``, ``question``, ``question_label``, ``option``, ``label``, ``n``
    (organisations practising it), ``base``, ``percent``, ``suppressed``, ``display``.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Choice, Question, Survey
    >>> q = Question("formes", "select_multiple", {"fr": "Formes"}, dimension="mutualisation",
    ...              choices=(Choice("locaux", {"fr": "Locaux"}), Choice("achats", {"fr": "Achats"})))
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"formes": q}, {})
    >>> responses = pd.DataFrame({"_territory": ["a"] * 4, "formes": ["locaux"] * 3 + ["achats"]})
    >>> practices(responses, survey, lang="en")[["_territory", "label", "display"]].values.tolist()
    [['a', 'Locaux', '3 (75%)'], ['a', 'Achats', '< 3']]
    """
    from ..analysis.summary import summarise

    frames = []
    for q in _publishable(survey):
        if (
            q.repeat is not None
            or q.type != "select_multiple"
            or q.dimension not in PRACTICE_DIMENSIONS
            or q.name not in responses.columns
        ):
            continue
        for group, part in responses.groupby(by, sort=True):
            table = summarise(part.reset_index(drop=True), survey, q.name, lang=lang, min_count=min_count)
            keep = ["option", "label", "n", "base", "percent", "suppressed", "display"]
            table = table[keep].copy()
            table.insert(0, "question_label", survey.label(q.name, lang))
            table.insert(0, "question", q.name)
            table.insert(0, "dimension", q.dimension)
            table.insert(0, by, str(group))
            frames.append(table)
    if not frames:
        return pd.DataFrame(
            columns=[
                by,
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
            ]
        )
    return pd.concat(frames, ignore_index=True)


def wave_scores(ws: Workspace, *, wave: str | None) -> pd.DataFrame | None:
    """Respondent-level dimension scores of every territory in ``wave`` (not for publication).

    ``None`` when the survey has no scorable dimension (no Likert question with a dimension).
    """
    from ..analysis.indicators import dimension_scores
    from ..errors import CoopworkError

    try:
        return dimension_scores(ws.responses(wave=wave), ws.survey)
    except CoopworkError:
        return None


def _count_text(value: int, *, lang: str, min_count: int) -> str:
    table = protect(pd.DataFrame({"n": [value]}), min_count=min_count, lang=lang)
    return str(table["display"].iloc[0])


def _network(
    ws: Workspace, territory: str, wave: str | None, responses: pd.DataFrame, lang: str, min_count: int
) -> tuple[nx.DiGraph | None, pd.DataFrame, pd.DataFrame]:
    from ..analysis.network import build_network, network_stats, node_stats

    survey = ws.survey
    if survey.role("partner") is None or survey.role("organisation") is None:
        return None, pd.DataFrame(), pd.DataFrame()
    relations = ws.relations(wave=wave, territory=territory)
    graph = build_network(relations, responses, survey, territory=territory, wave=wave)
    stats = network_stats(graph)
    stats = protect(
        stats,
        count="respondents",
        min_count=min_count,
        lang=lang,
        display=lambda row, lang: format_number(row["density"], decimals=3, lang=lang),
    )
    nodes = node_stats(graph) if not stats["suppressed"].iloc[0] else node_stats(graph).iloc[0:0]
    return graph, stats, nodes


def territory_content(
    ws: Workspace,
    territory: str,
    *,
    wave: str | None = None,
    lang: str = "fr",
    min_count: int = 3,
    charts: bool = True,
    summaries: bool = True,
    scores: pd.DataFrame | None = None,
) -> TerritoryContent:
    """Gather what is published about ``territory`` in ``wave`` (default: the latest wave).

    ``summaries=False`` skips the per-question summaries (and the charts): what the
    cross-territory synthesis needs, much faster. ``scores`` are the respondent-level scores of
    :func:`wave_scores` (computed when not given; pass them when exporting many territories).
    The ``scores`` table published is :func:`coopwork.analysis.indicators.compare_scores`: the
    territory against the others and all.

    Raises
    ------
    WorkspaceError
        When the territory or wave does not exist (the message lists those that do).
    """
    wave = wave or ws.latest_wave
    survey = ws.survey
    responses = ws.responses(wave=wave, territory=territory)
    relations = ws.relations(wave=wave, territory=territory)
    content = TerritoryContent(
        territory=territory,
        label=ws.territory_label(territory, lang),
        wave=wave,
        lang=lang,
        min_count=min_count,
        respondents=len(responses),
    )
    summaries = (question_summaries(responses, relations, survey, lang=lang, min_count=min_count)
                 if summaries else question_summaries(pd.DataFrame(), None, survey, lang=lang))
    graph, stats, nodes = _network(ws, territory, wave, responses, lang, min_count)
    content.graph = graph
    content.tables["summaries"] = summaries
    content.descriptions["summaries"] = t("export.sheet_summaries", lang)
    if len(stats):
        content.tables["network"] = stats
        content.descriptions["network"] = t("export.sheet_network", lang)
        content.tables["organisations"] = nodes
        content.descriptions["organisations"] = t("export.sheet_organisations", lang)
    scores = wave_scores(ws, wave=wave) if scores is None else scores
    if scores is not None and territory in set(scores["_territory"].dropna()):
        from ..analysis.indicators import compare_scores

        content.tables["scores"] = compare_scores(scores, territory=territory, wave=wave, min_count=min_count,
                                                  lang=lang)
        content.descriptions["scores"] = t("export.sheet_scores", lang)
    content.tables["practices"] = practices(responses, survey, lang=lang, min_count=min_count)
    content.descriptions["practices"] = t("export.sheet_practices", lang)

    figures = [
        (t("export.kf_respondents", lang), _count_text(len(responses), lang=lang, min_count=min_count))
    ]
    if len(stats) and not stats["suppressed"].iloc[0]:
        row = stats.iloc[0]
        figures += [
            (t("export.kf_nodes", lang), format_number(row["nodes"], lang=lang)),
            (t("export.kf_edges", lang), format_number(row["edges"], lang=lang)),
            (t("export.kf_density", lang), str(row["display"])),
            (t("export.kf_communities", lang), format_number(row["communities"], lang=lang)),
        ]
    content.key_figures = figures
    if charts and not summaries.empty:
        content.charts = territory_charts(content, survey)
    return content


def territory_charts(content: TerritoryContent, survey: Survey) -> list[tuple[str, go.Figure]]:
    """3–4 charts (``coopwork.figures``): organisation types, dimension scores, a form of
    cooperation practised, and the network — each only when something can be shown."""
    from .. import figures

    lang = content.lang
    summaries = content.tables["summaries"]
    out: list[tuple[str, go.Figure]] = []
    if content.respondents < content.min_count or summaries.empty:
        return out

    def question_rows(name: str) -> pd.DataFrame:
        """The rows of one question, with summarise()'s own columns only (figures read them)."""
        rows = summaries[summaries["question"] == name]
        return rows.drop(columns=["dimension", "question_label", "kind", "unit"]).reset_index(drop=True)

    org_type = survey.role("org_type")
    if org_type is not None and _drawable(question_rows(org_type.name)):
        out.append((survey.label(org_type.name, lang),
                    figures.bar_chart(question_rows(org_type.name), survey=survey, lang=lang)))
    scores = content.tables.get("scores")
    if scores is not None and not scores.empty and _drawable(scores):
        out.append((t("export.chart_scores", lang), figures.scores_chart(scores, survey=survey, lang=lang)))
    practised = (summaries["kind"] == "select_multiple") & summaries["dimension"].isin(PRACTICE_DIMENSIONS)
    for name in summaries.loc[practised, "question"].unique().tolist():
        if _drawable(question_rows(name)):
            figure = figures.bar_chart(question_rows(name), survey=survey, lang=lang)
            out.append((survey.label(name, lang), figure))
            break
    network = content.tables.get("network")
    shown = network is not None and len(network) and not network["suppressed"].iloc[0]
    if content.graph is not None and shown:
        figure = figures.network_chart(content.graph, survey=survey, lang=lang, min_count=content.min_count)
        out.append((t("export.chart_network", lang), figure))
    return out[:4]


def _drawable(rows: pd.DataFrame) -> bool:
    """Whether a protected table has a shown row with a positive count (worth a chart).

    Examples
    --------
    >>> import pandas as pd
    >>> _drawable(pd.DataFrame({"n": [0, None], "suppressed": [False, True]}))
    False
    """
    counts = pd.to_numeric(rows["n"], errors="coerce").fillna(0)
    return bool((~rows["suppressed"].astype(bool) & (counts > 0)).any())
