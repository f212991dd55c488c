"""The views of a territory and the result that holds them: the one entry that builds a result.

:func:`compute` builds the result of one territory (``None``: every territory together) in one
wave, language and threshold — the dict documented in :mod:`coopwork.results` — from its view of
every organisation (:func:`view`: the charts of each section in order, and with them the tidy tables
the result stores), its key figures, its organisation types and its published network.
:func:`breakdown` gives the views of each organisation type (the dashboards' filter). Both read
:class:`~.inputs.Inputs`, which does the work shared by the territories of a wave once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.disclosure import is_small, protect
from ..fileio import RESULTS_VERSION
from ..i18n import t
from ..paths import ALL
from ..values import format_number
from .charts import change_section, compare_section, network_section, question_charts, too_few
from .inputs import Scope, narrow, rows
from .network import graph_data, graph_links, previous_network
from .questions import is_cooperation, section_labels, submission_unit, unit_label
from .statistics import practices, summaries, summaries_table
from .tables import encode

if TYPE_CHECKING:
    from .inputs import Inputs, WaveData

__all__ = ["breakdown", "compute", "view"]


def view(scope: Scope, *, full: bool) -> tuple[dict, dict[str, pd.DataFrame], Any]:
    """The charts of one group of respondents; with ``full``, also the tables (and the graph)."""
    survey, lang, min_count = scope.survey, scope.lang, scope.min_count
    n = len(scope.rows)
    if n == 0:
        return {"n": 0, "suppressed": False, "charts": [], "message": t("dashboard.no_data", lang)}, {}, None
    if is_small(n, min_count):
        message = too_few(survey, lang=lang, min_count=min_count)
        return {"n": None, "suppressed": True, "charts": [], "message": message}, {}, None
    tables = summaries(scope)
    charts = question_charts(scope, tables)
    network, stats, organisations, graph = network_section(scope)
    if network is not None:
        charts.insert(0, network)
    compared = changed = None
    if scope.inputs.has_scores:  # a form without dimension scores has no comparison and no change section
        change, changed = change_section(scope)
        if scope.inputs.waves_of.keys() - {ALL}:  # territories to compare
            compare, compared = compare_section(scope)
            charts.append(compare)
        charts.append(change)
    out: dict[str, pd.DataFrame] = {}
    if full:
        table = summaries_table(scope.inputs.published, tables, survey, lang)
        themed = table[table["kind"] == "themes"]
        for name, found in (
            ("summaries", table),
            ("practices", practices(table)),
            ("network", stats),
            ("organisations", organisations),
            ("scores", compared),
            ("change", changed),
            ("themes", themed.rename(columns={"option": "theme"}) if len(themed) else None),
        ):
            if found is not None:
                out[name] = found
    order = [s["id"] for s in section_labels(survey, [c["section"] for c in charts], lang=lang)]
    charts.sort(key=lambda c: order.index(c["section"]))
    return {"n": n, "suppressed": False, "charts": charts, "message": None}, out, graph


def _scope(inputs: Inputs, territory: str | None, wave: str, *, lang: str, min_count: int) -> Scope:
    """Every organisation of a territory (``None``: of every territory) in a wave."""
    wd: WaveData = inputs.wave(wave)
    return Scope(inputs, wd, territory, rows(inputs, wd, territory), inputs.previous_wave(territory, wave),
                 None, lang, min_count)


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


def _key_figures(scope: Scope, stats: pd.DataFrame | None) -> list[list[str]]:
    """The key figures: the submissions, the rows of each published repeat (protected on the distinct
    submissions behind them), the network's measures."""
    inputs, wd, picked, lang, min_count = scope.inputs, scope.wd, scope.picked, scope.lang, scope.min_count
    survey = inputs.survey
    n = len(scope.rows)
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


def breakdown(inputs: Inputs, territory: str | None, wave: str, *, lang: str, min_count: int) -> dict:
    """The views of each organisation type of a territory (the dashboards' organisation-type filter).

    Returns ``{"version", "territory", "wave", "lang", "min_count", "views": {org type: view}}``; the
    views have the shape of the results' ``views[""]`` (charts only, no tables).
    """
    everyone = _scope(inputs, territory, wave, lang=lang, min_count=min_count)
    wd, picked = everyone.wd, everyone.picked
    column = inputs.survey.role("org_type").name if inputs.survey.role("org_type") else None
    views = {}
    for entry in _org_types(inputs, wd, everyone.rows, lang)[1:]:
        mine = (wd.responses[column].iloc[everyone.rows] == entry["id"]).fillna(False).to_numpy(dtype=bool)
        scope = Scope(inputs, wd, territory, narrow(wd, picked, mine), everyone.previous, entry["id"], lang,
                      min_count)
        views[entry["id"]], _, _ = view(scope, full=False)
    return {
        "version": RESULTS_VERSION,
        "territory": territory or ALL,
        "wave": wave,
        "lang": lang,
        "min_count": min_count,
        "views": views,
    }


def compute(inputs: Inputs, territory: str | None, wave: str, *, lang: str, min_count: int) -> dict:
    """The results of one territory (``None``: all territories together) in one wave.

    Returns the dict documented in :mod:`coopwork.results`, without ``key`` and ``digest`` (the
    store adds them).
    """
    scope = _scope(inputs, territory, wave, lang=lang, min_count=min_count)
    shown, tables, graph = view(scope, full=True)
    previous = scope.previous
    before = previous_network(inputs, territory, previous, lang=lang, min_count=min_count)
    if before is not None:
        tables["network_previous"] = before
    n = len(scope.rows)
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
        "key_figures": _key_figures(scope, tables.get("network")),
        "sections": section_labels(inputs.survey, [c["section"] for c in shown["charts"]], lang=lang),
        "org_types": _org_types(inputs, scope.wd, scope.rows, lang),
        "views": {"": shown},
        "tables": {name: encode(table) for name, table in tables.items()},
        "network": graph_data(graph),
        # the graph before names are hidden (private, like every result): the dynamic GEXF of the
        # export joins the waves' graphs by organisation (coopwork.export.network_files)
        "graph": graph_links(graph),
    }
