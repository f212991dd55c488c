"""Precomputed dashboard results: every chart of a territory × wave × language, already protected.

The dashboards of a workshop must open in a few seconds for 30 people at once, so the kernel
behind each page does no statistics: it reads a JSON *bundle* written here beforehand (by
``coopwork serve`` or the batch runner) and only swaps figures when a filter changes.

Data shape (one file per territory, wave and language,
``<workspace>/.coopwork/dashboards/<survey_id>/<territory>/<wave>.<lang>.json``; the synthesis
of all territories uses the territory id ``_all``)::

    {"version", "key", "survey_id", "territory", "territory_label", "wave", "previous_wave",
     "lang", "min_count", "sections": [{"id", "label"}],
     "org_types": [{"id", "label"}],                  # the organisation-type filter ("" = all)
     "views": {"<org type or ''>": {"n": int | None, "suppressed": bool,
                                     "charts": [{"id", "section", "title", "figure", "message"}]}}}

``figure`` is a plotly figure as a plain dict (``{"data": [...], "layout": {...}}``) or ``None``
when the chart cannot be shown (then ``message`` says why, e.g. "< 3"). Every number comes
from :func:`coopwork.analysis.disclosure.protect`; organisation names in the network only
appear with an explicit consent (:func:`~coopwork.analysis.disclosure.visible_label`), escaped.
``index.json`` next to the bundles lists the survey id, waves and territories so that the
dashboard kernel never has to parse the XLSForm.

Examples
--------
>>> import pandas as pd
>>> answers = pd.DataFrame({"q": ["a"] * 6 + ["b"] * 4 + ["c"]})
>>> bar = option_counts(answers, "q", options={"a": "A", "b": "B", "c": "C"}, min_count=3, lang="en")
>>> bar["display"].tolist()     # C is under 3; B is hidden too, or 11 - 6 - 4 would give C away
['6 (55%)', '< 3', '< 3']
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
from html import escape as _escape
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import t

if TYPE_CHECKING:
    import pandas as pd

    from ..survey import Question, Survey
    from ..workspace import Workspace

__all__ = ["ALL", "BUNDLE_VERSION", "SECTIONS", "bundle_path", "build_bundle", "index_path", "load_bundle",
           "load_index", "option_counts", "precompute"]

BUNDLE_VERSION = 1
ALL = "_all"
# dashboard sections (tabs) in order, and the survey dimensions each one shows
SECTIONS: dict[str, tuple[str, ...]] = {
    "profile": ("profile",),
    "ties": ("ties",),
    "mutualisation": ("mutualisation",),
    "governance_trust": ("governance", "trust"),
    "culture": ("culture",),
    "transition": ("transition",),
    "effects": ("effects",),
    "trajectory": ("trajectory",),
    "other": (),
    "compare": (),
    "change": (),
}
_SKIPPED_ROLES = {"territory", "organisation", "name_consent", "weight", "partner"}
_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac", "#1b7837", "#762a83"]
_PALETTE = ["#1f6f8b", "#e07a5f", "#3d405b", "#81b29a", "#f2cc8f", "#6d597a", "#b56576", "#355070",
            "#588157", "#bc6c25", "#7f5539", "#9c6644"]
_FONT = {"family": "Atkinson Hyperlegible, Verdana, Arial, sans-serif", "size": 15}


# -- paths and reading (light: used inside every dashboard kernel) ----------------------------
def dashboards_dir(root: str | Path, survey_id: str) -> Path:
    """``<workspace>/.coopwork/dashboards/<survey_id>``."""
    return Path(root) / ".coopwork" / "dashboards" / survey_id


def index_path(root: str | Path) -> Path:
    """``<workspace>/.coopwork/dashboards/index.json``: survey id, waves, territories."""
    return Path(root) / ".coopwork" / "dashboards" / "index.json"


def bundle_path(root: str | Path, survey_id: str, territory: str | None, wave: str, lang: str) -> Path:
    """Where the bundle of one territory (``None`` = synthesis), wave and language is stored."""
    return dashboards_dir(root, survey_id) / (territory or ALL) / f"{wave}.{lang}.json"


def load_index(root: str | Path) -> dict | None:
    """The index written by :func:`precompute`, or ``None`` when there is none."""
    path = index_path(root)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def load_bundle(root: str | Path, survey_id: str, territory: str | None, wave: str, lang: str) -> dict | None:
    """A bundle written by :func:`precompute`, or ``None`` when it is missing or outdated."""
    path = bundle_path(root, survey_id, territory, wave, lang)
    if not path.is_file():
        return None
    bundle = json.loads(path.read_text(encoding="utf-8"))
    index = load_index(root)
    if bundle.get("version") != BUNDLE_VERSION or (index and bundle.get("key") != index.get("key")):
        return None
    return bundle


# -- statistics -------------------------------------------------------------------------------
def option_counts(answers: pd.DataFrame, column: str, *, options: dict[str, str], min_count: int = 3,
                  multiple: bool = False, unit: str | None = None, lang: str = "fr") -> pd.DataFrame:
    """Respondents choosing each option of ``column``, protected for publication.

    Parameters
    ----------
    answers
        One row per answer; when ``unit`` is given, several rows may belong to one respondent
        (relations) and counts are numbers of distinct ``unit`` values.
    column
        Column holding option names (space-separated when ``multiple``).
    options
        ``{option name: label}`` in display order; values outside it are counted under their name.

    Returns
    -------
    pandas.DataFrame
        Columns ``option`` (label), ``name``, ``n`` (Int64), ``base`` (respondents who answered),
        ``percent`` (of ``base``), ``suppressed``, ``display`` (``"12 (40 %)"`` or ``"< 3"``).
    """
    import pandas as pd

    from ..analysis.disclosure import format_percent, protect

    units = answers[unit].tolist() if unit else range(len(answers))
    chosen: dict[str, set] = {}
    answered: set = set()
    for value, who in zip(answers[column].tolist(), units, strict=True):
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            continue
        text = str(value).strip()
        if not text:
            continue
        answered.add(who)
        for token in (text.split() if multiple else [text]):
            chosen.setdefault(token, set()).add(who)
    counts = {name: len(who) for name, who in chosen.items()}
    names = list(options) + sorted(set(counts) - set(options))
    base = len(answered)
    table = pd.DataFrame({
        "option": [options.get(n, n) for n in names],
        "name": names,
        "n": pd.array([counts.get(n, 0) for n in names], dtype="Int64"),
        "base": pd.array([base] * len(names), dtype="Int64"),
    })
    table["percent"] = (table["n"].astype("Float64") * 100 / base) if base else pd.NA
    table["percent"] = table["percent"].astype("Float64")
    protected = protect(table, count="n", min_count=min_count, base="base",
                        margins=None if multiple else [None], lang=lang)
    shown = ~protected["suppressed"]
    protected.loc[shown, "display"] = [
        f"{int(n)} ({format_percent(p, lang=lang)})"
        for n, p in zip(protected.loc[shown, "n"], protected.loc[shown, "percent"], strict=True)]
    return protected


def _likert_value(question: Question) -> dict[str, float]:
    names = [c.name for c in question.choices]
    if all(n.lstrip("-").isdigit() for n in names):
        return {n: float(n) for n in names}
    return {n: float(i + 1) for i, n in enumerate(names)}


def likert_means(groups: dict[str, pd.DataFrame], questions: list[Question], survey: Survey, *,
                 lang: str, min_count: int) -> pd.DataFrame:
    """Mean score of each Likert question in each group of respondents, protected.

    Returns columns ``group``, ``question`` (label), ``n``, ``mean``, ``suppressed``, ``display``.
    """
    import pandas as pd

    from ..analysis.disclosure import format_number, protect

    rows = []
    for group, table in groups.items():
        for question in questions:
            if question.name not in table:
                continue
            scores = table[question.name].astype("string").map(_likert_value(question)).astype("Float64")
            scores = scores.dropna()
            rows.append({"group": group, "question": question.label(lang, survey.default_language),
                         "n": len(scores), "mean": float(scores.mean()) if len(scores) else None})
    if not rows:
        return pd.DataFrame(columns=["group", "question", "n", "mean", "suppressed", "display"])
    table = pd.DataFrame(rows).astype({"n": "Int64", "mean": "Float64"})
    protected = protect(table, count="n", min_count=min_count, lang=lang)
    shown = ~protected["suppressed"]
    protected.loc[shown, "display"] = [format_number(v, decimals=1, lang=lang)
                                       for v in protected.loc[shown, "mean"]]
    return protected


# -- figures as plain dicts (plotly.js reads them as they are) ----------------------------------
def _layout(title: str, *, height: int, **extra: object) -> dict:
    layout = {"title": {"text": escape(title), "x": 0, "xanchor": "left", "font": {"size": 17}},
              "font": _FONT, "height": height, "margin": {"l": 10, "r": 20, "t": 60, "b": 40},
              "paper_bgcolor": "white", "plot_bgcolor": "white", "autosize": True,
              "hoverlabel": {"font": {"size": 15}}}
    layout.update(extra)
    return layout


def escape(text: str) -> str:
    """Escape text for plotly (``<``, ``>``, ``&``; plotly shows apostrophes as they are)."""
    return _escape(str(text), quote=False)


def _number(value: object) -> float | None:
    """A float for plotly, ``None`` for a missing value."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = escape(str(text)).split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines[:4])


def _bar_figure(table: pd.DataFrame, title: str, *, lang: str, min_count: int) -> dict:
    """Horizontal bars of respondents per option; suppressed options show ``< k`` instead of a bar."""
    # a suppressed option keeps its row with a zero-width bar labelled "< 3": visible, never its value
    x = [0.0 if s else _number(p) for s, p in zip(table["suppressed"], table["percent"], strict=True)]
    data = [{"type": "bar", "orientation": "h", "y": [_wrap(o) for o in table["option"]], "x": x,
             "text": list(table["display"]), "textposition": "outside", "cliponaxis": False,
             "marker": {"color": _PALETTE[0]}, "hovertemplate": "%{y}: %{text}<extra></extra>"}]
    height = 120 + 44 * len(table)
    return {"data": data, "layout": _layout(
        title, height=height, xaxis={"title": {"text": t("dashboard.share", lang)}, "range": [0, 115],
                                     "fixedrange": True},
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True}, showlegend=False)}


def _likert_figure(tables: list[tuple[str, pd.DataFrame]], title: str, *, lang: str) -> dict:
    """One 100 % stacked bar per Likert question; suppressed cells are left out and labelled."""
    labels = [_wrap(name, 34) for name, _ in tables]
    options = list(dict.fromkeys(o for _, table in tables for o in table["option"]))
    data = []
    for i, option in enumerate(options):
        x, text = [], []
        for _, table in tables:
            row = table[table["option"] == option]
            if row.empty or bool(row["suppressed"].iloc[0]):
                x.append(None)
                text.append("" if row.empty else str(row["display"].iloc[0]))
            else:
                x.append(_number(row["percent"].iloc[0]))
                text.append(str(row["display"].iloc[0]))
        data.append({"type": "bar", "orientation": "h", "name": escape(str(option)), "y": labels, "x": x,
                     "text": text, "textposition": "none",
                     "marker": {"color": _COLOURS[round(i * 4 / max(len(options) - 1, 1))]
                                if len(options) <= 5 else _PALETTE[i % len(_PALETTE)]},
                     "hovertemplate": "%{y}<br>" + escape(str(option)) + ": %{text}<extra></extra>"})
    hidden = [f"{name}: " + ", ".join(f"{o} {d}" for o, d, s in zip(table["option"], table["display"],
                                                                 table["suppressed"], strict=True) if s)
              for name, table in tables if table["suppressed"].any()]
    height = 160 + 60 * len(tables)
    layout = _layout(title, height=height, barmode="stack",
                     xaxis={"title": {"text": t("dashboard.share", lang)}, "range": [0, 100],
                            "fixedrange": True},
                     yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
                     legend={"orientation": "h", "y": -0.25 if len(tables) < 3 else -0.12})
    if hidden:
        layout["annotations"] = [{"text": _wrap(" · ".join(hidden), 90), "showarrow": False, "xref": "paper",
                                  "yref": "paper", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom",
                                  "font": {"size": 12, "color": "#555"}}]
        layout["margin"]["t"] = 90
    return {"data": data, "layout": layout}


def _means_figure(table: pd.DataFrame, title: str, *, groups: list[str], lang: str) -> dict:
    data = []
    for i, group in enumerate(groups):
        part = table[table["group"] == group]
        data.append({"type": "bar", "orientation": "h", "name": escape(group),
                     "y": [_wrap(q, 34) for q in part["question"]],
                     "x": [None if s else _number(m)
                           for s, m in zip(part["suppressed"], part["mean"], strict=True)],
                     "text": list(part["display"]), "textposition": "outside", "cliponaxis": False,
                     "marker": {"color": _PALETTE[i % len(_PALETTE)]},
                     "hovertemplate": escape(group) + " · %{y}: %{text}<extra></extra>"})
    questions = table["question"].nunique()
    return {"data": data, "layout": _layout(
        title, height=140 + 34 * questions * max(len(groups), 1), barmode="group",
        xaxis={"range": [0, 5.9], "fixedrange": True, "title": {"text": "1 – 5"}},
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0})}


# -- one bundle ---------------------------------------------------------------------------------
def _section(question: Question) -> str:
    for section, dimensions in SECTIONS.items():
        if question.dimension in dimensions:
            return section
    return "other"


def _chart_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.questions.values()
            if q.is_answer and not q.identifier and q.role not in _SKIPPED_ROLES
            and (q.is_select or q.is_numeric) and not q.type.startswith(("start", "end", "calculate"))]


def _numeric_counts(values: pd.Series, *, title_unit: str, lang: str, min_count: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from ..analysis.disclosure import format_number

    numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    if numbers.empty:
        return pd.DataFrame(columns=["q"])
    edges = np.unique(np.quantile(numbers, [0, 0.25, 0.5, 0.75, 1.0]))
    if len(edges) < 2:
        edges = np.array([numbers.min(), numbers.max() + 1])
    codes = pd.cut(numbers, edges, include_lowest=True, labels=False)
    labels = {str(i): f"{format_number(low, lang=lang)} – {format_number(high, lang=lang)}"
              for i, (low, high) in enumerate(itertools.pairwise(edges))}
    frame = pd.DataFrame({"q": codes.astype("Int64").astype("string")})
    return option_counts(frame, "q", options=labels, min_count=min_count, lang=lang)


def _question_chart(question: Question, table: pd.DataFrame, survey: Survey, *, lang: str,
                    min_count: int, unit: str | None) -> dict:
    title = question.label(lang, survey.default_language)
    chart = {"id": question.name, "section": _section(question), "title": title, "figure": None,
             "message": None}
    if question.name not in table or table[question.name].notna().sum() == 0:
        chart["message"] = t("dashboard.no_data", lang)
        return chart
    if question.is_numeric:
        counts = _numeric_counts(table[question.name], title_unit="", lang=lang, min_count=min_count)
    else:
        options = survey.choice_labels(question.name, lang)
        counts = option_counts(table, question.name, options=options, min_count=min_count,
                               multiple=question.is_multiple, unit=unit, lang=lang)
    if counts.empty or counts["suppressed"].all():
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        return chart
    chart["figure"] = _bar_figure(counts, title, lang=lang, min_count=min_count)
    return chart


def _likert_chart(section: str, dimension: str, questions: list[Question], table: pd.DataFrame,
                  survey: Survey, *, lang: str, min_count: int, unit: str | None) -> dict:
    title = t(f"dashboard.section_{dimension}", lang) if f"dashboard.section_{dimension}" in _catalogue() \
        else dimension
    chart = {"id": f"likert.{dimension}", "section": section, "title": title, "figure": None,
             "message": None}
    tables = []
    for question in questions:
        if question.name not in table:
            continue
        counts = option_counts(table, question.name, options=survey.choice_labels(question.name, lang),
                               min_count=min_count, unit=unit, lang=lang)
        if not counts["suppressed"].all():
            tables.append((question.label(lang, survey.default_language), counts))
    if not tables:
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        return chart
    chart["figure"] = _likert_figure(tables, title, lang=lang)
    return chart


def _catalogue() -> dict:
    from ..i18n import catalogue

    return catalogue()


def _network_chart(responses: pd.DataFrame, relations: pd.DataFrame, survey: Survey, *, lang: str,
                   min_count: int) -> dict | None:
    """The cooperation network: respondents and their partners; names only with consent."""
    import networkx as nx

    from ..analysis.disclosure import visible_label

    organisation, partner = survey.role("organisation"), survey.role("partner")
    if organisation is None or partner is None:
        return None
    consent, org_type = survey.role("name_consent"), survey.role("org_type")
    chart = {"id": "network", "section": "ties", "title": t("dashboard.section_ties", lang), "figure": None,
             "message": None}
    names = {}
    graph = nx.Graph()
    type_labels = survey.choice_labels(org_type.name, lang) if org_type is not None else {}
    for record in responses.to_dict("records"):
        name = record.get(organisation.name)
        if not isinstance(name, str) or not name.strip():
            continue
        key = " ".join(name.lower().split())
        shown = visible_label(name, consent=record.get(consent.name) if consent is not None else None)
        kind = record.get(org_type.name) if org_type is not None else None
        graph.add_node(key, label=shown, kind=type_labels.get(kind, kind) if isinstance(kind, str) else None,
                       respondent=True)
        names[record["_submission_id"]] = key
    if graph.number_of_nodes() < min_count:
        chart["message"] = t("dashboard.network_too_small", lang, k=min_count)
        return chart
    if partner.name in relations:
        for row in relations[["_submission_id", partner.name]].itertuples(index=False):
            source, target = names.get(row[0]), row[1]
            if source is None or not isinstance(target, str) or not target.strip():
                continue
            key = " ".join(target.lower().split())
            if key not in graph:
                graph.add_node(key, label=None, kind=None, respondent=False)
            if key != source:
                graph.add_edge(source, key)
    positions = nx.spring_layout(graph, seed=7, k=1.6 / max(graph.number_of_nodes(), 1) ** 0.5)
    edge_x, edge_y = [], []
    for a, b in graph.edges():
        edge_x += [positions[a][0], positions[b][0], None]
        edge_y += [positions[a][1], positions[b][1], None]
    data = [{"type": "scatter", "mode": "lines", "x": edge_x, "y": edge_y, "hoverinfo": "skip",
             "line": {"width": 1, "color": "#9aa5b1"}, "showlegend": False}]
    kinds = sorted({d["kind"] or "" for _, d in graph.nodes(data=True)})
    anonymous = t("dashboard.network_hidden", lang)
    for i, kind in enumerate(kinds):
        nodes = [n for n, d in graph.nodes(data=True) if (d["kind"] or "") == kind]
        data.append({
            "type": "scatter", "mode": "markers+text", "name": escape(kind) if kind else "?",
            "x": [float(positions[n][0]) for n in nodes], "y": [float(positions[n][1]) for n in nodes],
            "text": [escape(graph.nodes[n]["label"] or "") for n in nodes], "textposition": "top center",
            "textfont": {"size": 11},
            "hovertext": [f"{escape(graph.nodes[n]['label'] or anonymous)} · {graph.degree(n)}"
                          for n in nodes],
            "hoverinfo": "text",
            "marker": {"size": [10 + 3 * min(graph.degree(n), 10) for n in nodes],
                       "color": _PALETTE[i % len(_PALETTE)] if kind else "#c0c0c0",
                       "line": {"width": 1, "color": "white"}}})
    respondents = sum(1 for _, d in graph.nodes(data=True) if d["respondent"])
    title = f"{t('dashboard.section_ties', lang)} — " + t(
        "dashboard.network_nodes", lang, nodes=graph.number_of_nodes(), edges=graph.number_of_edges())
    chart["figure"] = {"data": data, "layout": _layout(
        title, height=560, xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"},
        legend={"orientation": "h", "y": -0.02}, dragmode="pan")}
    chart["respondents"] = respondents
    return chart


def _view(responses: pd.DataFrame, relations: pd.DataFrame, survey: Survey, *, comparison: dict,
          previous: pd.DataFrame | None, lang: str, min_count: int, territory_label: str) -> dict:
    """All the charts of one group of respondents."""
    n = len(responses)
    if n == 0:
        return {"n": 0, "suppressed": False, "charts": [], "message": t("dashboard.no_data", lang)}
    if n < min_count:
        return {"n": None, "suppressed": True, "charts": [],
                "message": t("dashboard.suppressed_group", lang, k=min_count)}
    charts: list[dict] = []
    questions = _chart_questions(survey)
    likert: dict[str, list[Question]] = {}
    relations_repeat = survey.relations_repeat
    for question in questions:
        if question.repeat is not None and question.repeat != relations_repeat:
            continue
        table, unit = (relations, "_submission_id") if question.repeat else (responses, None)
        if question.is_likert:
            likert.setdefault(question.dimension or "other", []).append(question)
            continue
        charts.append(_question_chart(question, table, survey, lang=lang, min_count=min_count, unit=unit))
    for dimension, group in likert.items():
        table, unit = (relations, "_submission_id") if group[0].repeat else (responses, None)
        charts.append(_likert_chart(_section(group[0]), dimension, group, table, survey, lang=lang,
                                    min_count=min_count, unit=unit))
    network = _network_chart(responses, relations, survey, lang=lang, min_count=min_count)
    if network is not None:
        charts.insert(0, network)
    top_likert = [q for qs in likert.values() for q in qs if q.repeat is None]
    for dimension_questions, section in ((top_likert, "compare"),):
        if not comparison:
            break
        groups = list(comparison)
        means = likert_means(comparison, dimension_questions, survey, lang=lang, min_count=min_count)
        charts.append({"id": "compare.likert", "section": section,
                       "title": t("dashboard.section_compare", lang),
                       "figure": _means_figure(means, t("dashboard.section_compare", lang), groups=groups,
                                               lang=lang) if not means.empty else None,
                       "message": None if not means.empty else t("dashboard.no_data", lang)})
    if previous is None:
        charts.append({"id": "change.likert", "section": "change",
                       "title": t("dashboard.section_change", lang), "figure": None,
                       "message": t("dashboard.no_previous_wave", lang)})
    else:
        groups = {t("dashboard.wave", lang) + " " + str(previous["_wave"].iloc[0]) if len(previous)
                  else "-": previous,
                  t("dashboard.wave", lang) + " " + str(responses["_wave"].iloc[0]): responses}
        means = likert_means(groups, top_likert, survey, lang=lang, min_count=min_count)
        title = t("dashboard.section_change", lang)
        charts.append({"id": "change.likert", "section": "change", "title": title,
                       "figure": (_means_figure(means, title, groups=list(groups), lang=lang)
                                  if not means.empty else None),
                       "message": None if not means.empty else t("dashboard.no_data", lang)})
    order = list(SECTIONS)
    charts.sort(key=lambda c: order.index(c["section"]))
    return {"n": n, "suppressed": False, "charts": charts, "message": None}


def build_bundle(workspace: Workspace, *, territory: str | None, wave: str, lang: str = "fr",
                 min_count: int = 3, key: str = "") -> dict:
    """Every chart of one territory (``None`` = all territories) and wave, for every org-type filter.

    Examples
    --------
    See :func:`precompute`, which writes the bundles of a workspace.
    """
    survey = workspace.survey
    all_wave = workspace.responses(wave=wave)
    relations_all = workspace.relations(wave=wave)
    responses = all_wave if territory is None else all_wave[all_wave["_territory"] == territory]
    relations = (relations_all if territory is None
                 else relations_all[relations_all["_territory"] == territory])
    waves = workspace.waves
    previous_wave = waves[waves.index(wave) - 1] if wave in waves and waves.index(wave) > 0 else None
    previous = None
    if previous_wave is not None:
        previous = workspace.responses(wave=previous_wave)
        if territory is not None:
            previous = previous[previous["_territory"] == territory]
    label = workspace.territory_label(territory, lang) if territory else t("dashboard.all_territories", lang)
    org_type = survey.role("org_type")
    has_types = org_type is not None and org_type.name in responses
    type_labels = survey.choice_labels(org_type.name, lang) if has_types and org_type.is_select else {}
    present = set(responses[org_type.name].dropna()) if has_types else set()
    org_types = [{"id": "", "label": t("dashboard.all_types", lang)}] + [
        {"id": name, "label": label_} for name, label_ in type_labels.items() if name in present] + [
        {"id": name, "label": name} for name in sorted(present - set(type_labels))]

    views = {}
    for entry in org_types:
        keep = (responses[org_type.name] == entry["id"]).fillna(False) if entry["id"] else None
        group = responses if keep is None else responses[keep]
        rel = relations[relations["_submission_id"].isin(group["_submission_id"])]
        prev = previous
        if prev is not None and entry["id"]:
            prev = prev[(prev[org_type.name] == entry["id"]).fillna(False)]
        comparison: dict = {}
        if territory is not None:
            others = all_wave[all_wave["_territory"] != territory]
            if entry["id"]:
                others = others[(others[org_type.name] == entry["id"]).fillna(False)]
            comparison = {label: group, t("dashboard.other_territories", lang): others}
        else:
            for other in sorted(all_wave["_territory"].dropna().unique()):
                part = all_wave[all_wave["_territory"] == other]
                if entry["id"]:
                    part = part[(part[org_type.name] == entry["id"]).fillna(False)]
                comparison[workspace.territory_label(other, lang)] = part
        views[entry["id"]] = _view(group, rel, survey, comparison=comparison, previous=prev, lang=lang,
                                   min_count=min_count, territory_label=label)
    return {"version": BUNDLE_VERSION, "key": key, "survey_id": survey.survey_id,
            "territory": territory or ALL, "territory_label": label, "wave": wave,
            "previous_wave": previous_wave, "lang": lang, "min_count": min_count,
            "sections": [{"id": s, "label": t(f"dashboard.section_{s}", lang)} for s in SECTIONS],
            "org_types": org_types, "views": views}


def _data_key(workspace: Workspace, min_count: int) -> str:
    """Changes whenever the processed data, the survey, coopwork or the threshold change."""
    from .. import __version__

    digest = hashlib.sha256(f"{BUNDLE_VERSION}|{__version__}|{min_count}".encode())
    for path in [workspace.survey_path, *sorted(workspace.processed_dir.glob("*.parquet"))]:
        stat = path.stat()
        digest.update(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
    os.replace(temp, path)


def precompute(workspace: Workspace, *, territories: list[str] | None = None, waves: list[str] | None = None,
               langs: tuple[str, ...] = ("fr", "en"), min_count: int = 3, synthesis: bool = True,
               force: bool = False) -> list[Path]:
    """Write the dashboard bundles of a workspace (only those whose data changed, unless ``force``).

    Parameters
    ----------
    workspace
        An open :class:`~coopwork.workspace.Workspace`.
    territories, waves
        Which ones (default: all of them).
    langs
        Languages to prepare.
    synthesis
        Also write the synthesis of all territories (territory ``_all``).

    Returns
    -------
    list of pathlib.Path
        The bundles written (bundles already up to date are not rewritten nor listed).

    Examples
    --------
    >>> from coopwork.dashboard.precompute import bundle_path
    >>> bundle_path("/ws", "enquete", None, "2025", "fr").as_posix()
    '/ws/.coopwork/dashboards/enquete/_all/2025.fr.json'
    """
    key = _data_key(workspace, min_count)
    chosen_waves = waves or workspace.waves
    chosen = list(territories) if territories is not None else workspace.territories
    targets: list[str | None] = [*chosen, *([None] if synthesis else [])]
    written = []
    for wave in chosen_waves:
        workspace._check(wave, None)
        present = set(workspace.responses(wave=wave)["_territory"].dropna())
        for territory in targets:
            if territory is not None and territory not in present:
                continue
            for lang in langs:
                path = bundle_path(workspace.root, workspace.survey_id, territory, wave, lang)
                if not force and path.is_file():
                    try:
                        if json.loads(path.read_text(encoding="utf-8")).get("key") == key:
                            continue
                    except ValueError:
                        pass
                _write_json(path, build_bundle(workspace, territory=territory, wave=wave, lang=lang,
                                               min_count=min_count, key=key))
                written.append(path)
    index = {"version": BUNDLE_VERSION, "key": key, "survey_id": workspace.survey_id,
             "title": workspace.survey.title, "waves": workspace.waves, "min_count": min_count,
             "territories": {lang: {tid: workspace.territory_label(tid, lang)
                                    for tid in workspace.territories} for lang in langs},
             "available": {wave: sorted(set(workspace.responses(wave=wave)["_territory"].dropna()))
                           for wave in workspace.waves}}
    _write_json(index_path(workspace.root), index)
    return written
