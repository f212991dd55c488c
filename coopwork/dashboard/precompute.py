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
     "template": {...},                               # the coopwork plotly template, once
     "views": {"<org type or ''>": {"n": int | None, "suppressed": bool,
                                     "charts": [{"id", "section", "title", "figure", "message"}]}}}

``figure`` is a figure drawn by :mod:`coopwork.figures` (the same builders as the reports and
exports: one theme, colour-blind palette, titles stating the question and the base, ``< 3`` for
suppressed cells) from the tables of :mod:`coopwork.analysis` (``summarise``,
``compare_scores``, ``score_change``, ``build_network``), serialised as plain JSON
(:func:`figure_json`) — or ``None`` when the chart cannot be shown (then ``message`` says why,
e.g. "< 3"). The dashboard puts ``template`` back into each figure's layout, so its kernel
imports neither pandas nor plotly. Organisation names in the network only appear with an
explicit consent (:func:`~coopwork.analysis.disclosure.visible_label`), escaped.
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
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import t
from ..progress import progress

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from ..survey import Question, Survey
    from ..workspace import Workspace

__all__ = ["ALL", "BUNDLE_VERSION", "SECTIONS", "bundle_path", "build_bundle", "figure_json", "index_path",
           "load_bundle", "load_index", "option_counts", "precompute", "theme_template"]

BUNDLE_VERSION = 2
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


def _summary_shape(counts: pd.DataFrame, question: str, *, units: int) -> pd.DataFrame:
    """:func:`option_counts` in the shape of ``summarise`` (what the figure builders read)."""
    import pandas as pd

    table = counts.rename(columns={"option": "label", "name": "option"}).assign(question=question)
    bases = table.loc[~table["suppressed"], "base"].dropna()
    missing = max(units - int(bases.max()), 0) if len(bases) else pd.NA
    table["missing"] = pd.array([pd.NA if s else missing for s in table["suppressed"]], dtype="Int64")
    return table


# -- figures: the builders of coopwork.figures, stored as JSON ----------------------------------
def figure_json(fig: go.Figure) -> dict:
    """A figure of :mod:`coopwork.figures` as plain JSON for a bundle, without its theme template.

    The coopwork template is stored once per bundle (``bundle["template"]``, see
    :func:`theme_template`) and put back by the dashboard; the layout's fixed width is dropped so
    that the figure follows the width of the screen (projector or phone).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> from coopwork.figures.theme import apply_theme
    >>> data = figure_json(apply_theme(go.Figure(go.Bar(x=[1], y=["a"])), title="Q"))
    >>> sorted(data), "template" in data["layout"], data["layout"]["height"]
    (['data', 'layout'], False, 650)
    """
    data = json.loads(fig.to_json())
    layout = data.get("layout", {})
    template = layout.pop("template", {}).get("layout", {})
    layout.pop("width", None)
    layout["autosize"] = True
    if "height" not in layout:
        layout["height"] = template.get("height", 650)
    return {"data": data.get("data", []), "layout": layout}


def theme_template() -> dict:
    """The coopwork plotly template as JSON, without its fixed width (the figures follow the screen)."""
    import plotly.graph_objects as go

    from ..figures.theme import TEMPLATE, register_template

    register_template()
    template = json.loads(go.Figure(layout={"template": TEMPLATE}).to_json())["layout"]["template"]
    template.get("layout", {}).pop("width", None)
    return template


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


def _chart(chart_id: str, section: str, title: str, figure: dict | None = None,
           message: str | None = None) -> dict:
    return {"id": chart_id, "section": section, "title": title, "figure": figure, "message": message}


def _choice_summary(table: pd.DataFrame, question: Question, survey: Survey, *, lang: str, min_count: int,
                    unit: str | None) -> pd.DataFrame:
    """``summarise`` of a choice question; relations count distinct respondents (``unit``), not ties."""
    from ..analysis.summary import summarise

    if unit is None:
        return summarise(table, survey, question.name, lang=lang, min_count=min_count)
    counts = option_counts(table, question.name, options=survey.choice_labels(question.name, lang),
                           min_count=min_count, multiple=question.is_multiple, unit=unit, lang=lang)
    return _summary_shape(counts, question.name, units=table[unit].nunique())


def _question_chart(question: Question, table: pd.DataFrame, survey: Survey, *, lang: str,
                    min_count: int, unit: str | None) -> dict:
    """Bars of a choice question, or the protected histogram of a numeric one."""
    import pandas as pd

    from ..figures import bar_chart, histogram_chart

    title = question.label(lang, survey.default_language)
    chart = _chart(question.name, _section(question), title)
    if question.name not in table or table[question.name].notna().sum() == 0:
        chart["message"] = t("dashboard.no_data", lang)
        return chart
    suppressed = t("dashboard.suppressed_group", lang, k=min_count)
    if question.is_numeric:
        if pd.to_numeric(table[question.name], errors="coerce").notna().sum() < min_count:
            chart["message"] = suppressed
            return chart
        fig = histogram_chart(table, survey, question.name, min_count=min_count, lang=lang)
        if all(y is None for y in fig.data[0].y):
            chart["message"] = suppressed
            return chart
    else:
        summary = _choice_summary(table, question, survey, lang=lang, min_count=min_count, unit=unit)
        if summary.empty or summary["suppressed"].all():
            chart["message"] = suppressed
            return chart
        fig = bar_chart(summary, survey=survey, question=question.name, lang=lang)
    chart["figure"] = figure_json(fig)
    return chart


def _likert_chart(section: str, dimension: str, questions: list[Question], table: pd.DataFrame,
                  survey: Survey, *, lang: str, min_count: int, unit: str | None) -> dict:
    """The diverging bars of the agreement questions of one dimension."""
    import pandas as pd

    from ..figures import likert_chart

    key = f"dashboard.section_{dimension}"
    title = t(key, lang) if key in _catalogue() else dimension
    chart = _chart(f"likert.{dimension}", section, title)
    parts = [_choice_summary(table, q, survey, lang=lang, min_count=min_count, unit=unit)
             for q in questions if q.name in table and table[q.name].notna().any()]
    summary = pd.concat(parts, ignore_index=True) if parts else None
    if summary is None or summary["suppressed"].all():
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        return chart
    names = [q.name for q in questions if q.name in set(summary["question"])]
    figure = likert_chart(summary, survey=survey, questions=names, lang=lang, title=title)
    chart["figure"] = figure_json(figure)
    return chart


def _catalogue() -> dict:
    from ..i18n import catalogue

    return catalogue()


def _network_chart(responses: pd.DataFrame, relations: pd.DataFrame, survey: Survey, *, lang: str,
                   min_count: int) -> dict | None:
    """The cooperation network (``build_network``): respondents and partners, names only with consent."""
    from ..analysis.network import build_network
    from ..figures import network_chart

    if survey.role("organisation") is None or survey.role("partner") is None:
        return None
    title = t("dashboard.section_ties", lang)
    chart = _chart("network", "ties", title)
    graph = build_network(relations, responses, survey)
    if graph.graph.get("respondents", 0) < min_count:
        chart["message"] = t("dashboard.network_too_small", lang, k=min_count)
        return chart
    chart["figure"] = figure_json(network_chart(graph, survey=survey, lang=lang, min_count=min_count))
    chart["respondents"] = graph.graph.get("respondents")
    return chart


def _compare_chart(scores: pd.DataFrame, *, territory: str | None, wave: str, labels: dict[str, str],
                   survey: Survey, lang: str, min_count: int) -> dict:
    """Dimension scores of the territory against the others (synthesis: one dot per territory)."""
    import pandas as pd

    from ..analysis.indicators import compare_scores
    from ..figures import scores_chart

    title = t("dashboard.section_compare", lang)
    chart = _chart("compare.likert", "compare", title)  # id of version 1: the journal's notes stay attached
    present = set(scores.loc[scores["score"].notna(), "_territory"].dropna())
    if not present or (territory is not None and territory not in present):
        chart["message"] = t("dashboard.no_data", lang)
        return chart
    if territory is not None:
        table = compare_scores(scores, territory=territory, wave=wave, min_count=min_count, lang=lang)
        table.loc[table["group"] == "territory", "group_label"] = labels.get(territory, territory)
    else:
        # one row per territory, no "all": with every n published, "all" minus the shown territories
        # would give a suppressed territory's mean away
        parts = []
        for tid in sorted(present):
            part = compare_scores(scores, territory=tid, wave=wave, min_count=min_count, lang=lang)
            part = part[part["group"] == "territory"].assign(group=tid, group_label=labels.get(tid, tid))
            parts.append(part)
        table = pd.concat(parts, ignore_index=True)
    if table["suppressed"].all():
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        return chart
    chart["figure"] = figure_json(scores_chart(table, survey=survey, lang=lang, title=title))
    return chart


def _change_chart(scores: pd.DataFrame, *, wave_from: str | None, wave: str, survey: Survey, lang: str,
                  min_count: int) -> dict:
    """The wave-over-wave slope chart of the dimension scores (all territories pooled in the synthesis)."""
    from ..analysis.indicators import score_change
    from ..figures import change_chart

    title = t("dashboard.section_change", lang)
    chart = _chart("change.likert", "change", title)
    if wave_from is None:
        chart["message"] = t("dashboard.no_previous_wave", lang)
        return chart
    scored = set(scores.loc[scores["score"].notna(), "_wave"].dropna())
    if not {wave_from, wave} <= scored:
        chart["message"] = t("dashboard.no_data", lang)
        return chart
    changes = score_change(scores.assign(_territory=ALL), territory=ALL, wave_from=wave_from, wave_to=wave,
                           min_count=min_count, lang=lang)
    # a dimension nobody scored in one of the waves has nothing to draw (change_chart cannot place it)
    changes = changes[changes["suppressed"] | (changes["mean_from"].notna() & changes["mean_to"].notna())]
    if changes.empty:
        chart["message"] = t("dashboard.no_data", lang)
        return chart
    if changes["suppressed"].all():
        chart["message"] = t("dashboard.suppressed_group", lang, k=min_count)
        return chart
    chart["figure"] = figure_json(change_chart(changes, survey=survey, lang=lang, title=title))
    return chart


def _view(responses: pd.DataFrame, relations: pd.DataFrame, survey: Survey, *, scores: pd.DataFrame,
          territory: str | None, wave: str, previous_wave: str | None, labels: dict[str, str], lang: str,
          min_count: int) -> dict:
    """All the charts of one group of respondents.

    ``scores`` are the dimension scores (:func:`~coopwork.analysis.indicators.dimension_scores`) of the
    same organisation-type filter, in every territory, for this wave and the previous one.
    """
    n = len(responses)
    if n == 0:
        return {"n": 0, "suppressed": False, "charts": [], "message": t("dashboard.no_data", lang)}
    if n < min_count:
        return {"n": None, "suppressed": True, "charts": [],
                "message": t("dashboard.suppressed_group", lang, k=min_count)}
    charts: list[dict] = []
    likert: dict[str, list[Question]] = {}
    relations_repeat = survey.relations_repeat
    for question in _chart_questions(survey):
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
    current = scores[scores["_wave"] == wave]
    charts.append(_compare_chart(current, territory=territory, wave=wave, labels=labels, survey=survey,
                                 lang=lang, min_count=min_count))
    own = scores if territory is None else scores[scores["_territory"] == territory]
    charts.append(_change_chart(own, wave_from=previous_wave, wave=wave, survey=survey, lang=lang,
                                min_count=min_count))
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
    import pandas as pd

    from ..analysis.indicators import dimension_scores

    survey = workspace.survey
    all_wave = workspace.responses(wave=wave)
    relations_all = workspace.relations(wave=wave)
    responses = all_wave if territory is None else all_wave[all_wave["_territory"] == territory]
    relations = (relations_all if territory is None
                 else relations_all[relations_all["_territory"] == territory])
    waves = workspace.waves
    previous_wave = waves[waves.index(wave) - 1] if wave in waves and waves.index(wave) > 0 else None
    both = all_wave if previous_wave is None else pd.concat(
        [workspace.responses(wave=previous_wave), all_wave], ignore_index=True)
    scores = dimension_scores(both, survey)  # every territory: the comparison needs the others
    label = workspace.territory_label(territory, lang) if territory else t("dashboard.all_territories", lang)
    labels = {tid: workspace.territory_label(tid, lang) for tid in workspace.territories}
    org_type = survey.role("org_type")
    has_types = org_type is not None and org_type.name in responses
    type_labels = survey.choice_labels(org_type.name, lang) if has_types and org_type.is_select else {}
    present = set(responses[org_type.name].dropna()) if has_types else set()
    org_types = [{"id": "", "label": t("dashboard.all_types", lang)}] + [
        {"id": name, "label": label_} for name, label_ in type_labels.items() if name in present] + [
        {"id": name, "label": name} for name in sorted(present - set(type_labels))]

    views = {}
    for entry in org_types:
        group, scored = responses, scores
        if entry["id"]:
            group = responses[(responses[org_type.name] == entry["id"]).fillna(False)]
            of_type = both.loc[(both[org_type.name] == entry["id"]).fillna(False), "_submission_id"]
            scored = scores[scores["_submission_id"].isin(of_type)]
        rel = relations[relations["_submission_id"].isin(group["_submission_id"])]
        views[entry["id"]] = _view(group, rel, survey, scores=scored, territory=territory, wave=wave,
                                   previous_wave=previous_wave, labels=labels, lang=lang, min_count=min_count)
    return {"version": BUNDLE_VERSION, "key": key, "survey_id": survey.survey_id,
            "territory": territory or ALL, "territory_label": label, "wave": wave,
            "previous_wave": previous_wave, "lang": lang, "min_count": min_count,
            "sections": [{"id": s, "label": t(f"dashboard.section_{s}", lang)} for s in SECTIONS],
            "org_types": org_types, "template": theme_template(), "views": views}


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


def _build_and_write(root: Path, survey_path: Path, territory: str | None, wave: str, lang: str,
                     min_count: int, key: str, path: Path) -> None:
    """Build one bundle in a worker process (the workspace is reopened there)."""
    from ..workspace import Workspace

    workspace = Workspace(root, survey_path, min_count=min_count)
    _write_json(path, build_bundle(workspace, territory=territory, wave=wave, lang=lang,
                                   min_count=min_count, key=key))


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
    todo = []
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
                todo.append((territory, wave, lang, path))
    jobs = min(len(todo), os.cpu_count() or 1)
    if jobs <= 1:  # one bundle, or one core: no process start-up to pay
        for territory, wave, lang, path in progress(todo, desc="dashboards", unit="bundle"):
            _write_json(path, build_bundle(workspace, territory=territory, wave=wave, lang=lang,
                                           min_count=min_count, key=key))
    else:  # bundles are independent and CPU-bound: one process per core
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_build_and_write, workspace.root, workspace.survey_path, territory, wave,
                                   lang, min_count, key, path) for territory, wave, lang, path in todo]
            for future in progress(as_completed(futures), total=len(futures), desc="dashboards",
                                   unit="bundle"):
                future.result()
    written = [path for *_, path in todo]
    index = {"version": BUNDLE_VERSION, "key": key, "survey_id": workspace.survey_id,
             "title": workspace.survey.title, "waves": workspace.waves, "min_count": min_count,
             "territories": {lang: {tid: workspace.territory_label(tid, lang)
                                    for tid in workspace.territories} for lang in langs},
             "available": {wave: sorted(set(workspace.responses(wave=wave)["_territory"].dropna()))
                           for wave in workspace.waves}}
    _write_json(index_path(workspace.root), index)
    return written
