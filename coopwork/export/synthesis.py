"""Cross-territory synthesis: all territories and waves side by side (the capitalisation view).

Built from the per-territory :class:`~coopwork.export.content.TerritoryContent` (so the same
protected numbers appear everywhere) plus, for territories surveyed more than once, what
changed between consecutive waves. Tables (long/tidy, every one protected):

``overview``
    one row per territory: ``territory``, ``label``, ``wave``, ``respondents``, ``nodes``,
    ``edges``, ``density``, ``reciprocity``, ``communities``, ``suppressed``, ``display``
    (the number of respondents, or ``"< 3"``).
``scores``
    dimension scores (0–100, :func:`coopwork.analysis.indicators.compare_scores`) of each
    territory: ``dimension``, ``dimension_label``, ``group`` (the territory id),
    ``group_label``, ``n``, ``mean``, ``ci_low``, ``ci_high``, ``suppressed``, ``display``.
``practices``
    every territory's forms of cooperation (see :func:`coopwork.export.content.practices`).
``practices_where``
    one row per form of cooperation: ``dimension``, ``question``, ``option``, ``label``,
    ``territories`` (number of territories where at least ``min_count`` organisations
    practise it), ``n`` (organisations in those territories), ``suppressed``, ``display``.
``changes``
    one row per territory, measure and pair of consecutive waves: ``territory``, ``measure``
    (a dimension score — :func:`coopwork.analysis.indicators.score_change` — or a network
    measure), ``wave_before``, ``wave_after``, ``before``, ``after``, ``difference``, ``n``
    (respondents of the smaller wave), ``suppressed``, ``display``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import format_number, protect
from ..i18n import t
from .content import TerritoryContent

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["build_synthesis", "synthesis_tables"]


def _overview(contents: Sequence[TerritoryContent], *, lang: str, min_count: int) -> pd.DataFrame:
    rows = []
    for c in contents:
        row = {"territory": c.territory, "label": c.label, "wave": c.wave or "", "respondents": c.respondents}
        network = c.tables.get("network")
        if network is not None and len(network):
            n = network.iloc[0]
            row.update(
                nodes=n["nodes"],
                edges=n["edges"],
                density=n["density"],
                reciprocity=n["reciprocity"],
                communities=n["communities"],
            )
        rows.append(row)
    table = pd.DataFrame(
        rows,
        columns=[
            "territory",
            "label",
            "wave",
            "respondents",
            "nodes",
            "edges",
            "density",
            "reciprocity",
            "communities",
        ],
    )
    table = table.astype(
        {
            "territory": "str",
            "label": "str",
            "wave": "str",
            "respondents": "Int64",
            "nodes": "Int64",
            "edges": "Int64",
            "density": "Float64",
            "reciprocity": "Float64",
            "communities": "Int64",
        }
    )
    return protect(table, count="respondents", min_count=min_count, lang=lang)


def _scores(contents: Sequence[TerritoryContent]) -> pd.DataFrame:
    frames = []
    for c in contents:
        scores = c.tables.get("scores")
        if scores is None or scores.empty:
            continue
        frame = scores[scores["group"] == "territory"].copy()
        frame["group"] = c.territory
        frame["group_label"] = c.label
        frames.append(frame)
    columns = ["dimension", "dimension_label", "group", "group_label", "n", "mean", "ci_low", "ci_high",
               "suppressed", "display"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _practices_where(practices: pd.DataFrame, *, lang: str, min_count: int) -> pd.DataFrame:
    columns = ["dimension", "question", "option", "label", "territories", "n"]
    if practices.empty:
        return protect(
            pd.DataFrame(columns=columns).astype({"territories": "Int64", "n": "Int64"}),
            min_count=min_count,
            lang=lang,
        )
    shown = practices[~practices["suppressed"].astype(bool)].copy()
    shown["present"] = pd.to_numeric(shown["n"], errors="coerce").fillna(0) >= min_count
    keys = ["dimension", "question", "option", "label"]
    base = practices[keys].drop_duplicates().reset_index(drop=True)
    counted = (
        shown[shown["present"]]
        .groupby(keys, sort=False)
        .agg(territories=("present", "sum"), n=("n", "sum"))
        .reset_index()
    )
    table = base.merge(counted, on=keys, how="left")
    table["territories"] = table["territories"].fillna(0).astype("Int64")
    table["n"] = table["n"].fillna(0).astype("Int64")
    table = table.sort_values(
        ["dimension", "question", "territories"], ascending=[True, True, False], kind="stable"
    ).reset_index(drop=True)
    return protect(table, count="n", min_count=min_count, lang=lang)


def _changes(ws: Workspace, territories: Sequence[str], *, lang: str, min_count: int) -> pd.DataFrame:
    from ..analysis.indicators import dimension_scores, score_change
    from ..analysis.network import build_network, network_stats
    from ..errors import CoopworkError

    survey = ws.survey
    all_responses = ws.responses()
    try:
        scores = dimension_scores(all_responses, survey)
    except CoopworkError:
        scores = None
    network = survey.role("partner") is not None and survey.role("organisation") is not None
    rows = []
    for territory in territories:
        mine = all_responses["_territory"] == territory
        waves = sorted(all_responses.loc[mine, "_wave"].dropna().unique())
        for before, after in pairwise(waves):
            if scores is not None:
                change = score_change(scores, territory=territory, wave_from=before, wave_to=after,
                                      min_count=1, lang=lang)
                for row in change.itertuples():
                    rows.append({"territory": territory, "measure": str(row.dimension_label),
                                 "wave_before": before, "wave_after": after, "before": row.mean_from,
                                 "after": row.mean_to, "n": min(_int(row.n_from), _int(row.n_to))})
            if network:
                graphs = [build_network(ws.relations(wave=w, territory=territory),
                                        ws.responses(wave=w, territory=territory), survey,
                                        territory=territory, wave=w) for w in (before, after)]
                stats = [network_stats(g).iloc[0] for g in graphs]
                for measure in ("density", "mean_degree", "reciprocity"):
                    rows.append({"territory": territory, "measure": t(f"export.measure_{measure}", lang),
                                 "wave_before": before, "wave_after": after,
                                 "before": stats[0][measure], "after": stats[1][measure],
                                 "n": min(int(stats[0]["respondents"]), int(stats[1]["respondents"]))})
    columns = ["territory", "measure", "wave_before", "wave_after", "before", "after", "n"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.astype({"territory": "str", "measure": "str", "wave_before": "str", "wave_after": "str",
                          "before": "Float64", "after": "Float64", "n": "Int64"})
    table["difference"] = table["after"] - table["before"]

    def show(row: pd.Series, lang: str) -> str:
        difference = row["difference"]
        if pd.isna(difference):
            return "—"
        sign = "+" if difference > 0 else ""
        return sign + format_number(difference, decimals=0 if abs(difference) >= 1 else 3, lang=lang)

    # a change rests on both waves: suppressed when either wave has fewer than min_count respondents
    return protect(table, count="n", min_count=min_count, lang=lang, display=show)


def _int(value: object) -> int:
    return 0 if pd.isna(value) else int(value)


def synthesis_tables(
    ws: Workspace, contents: Sequence[TerritoryContent], *, lang: str = "fr", min_count: int = 3
) -> dict[str, pd.DataFrame]:
    """The synthesis tables (see the module docstring) for the territories of ``contents``."""
    practices = [c.tables["practices"] for c in contents if "practices" in c.tables]
    practices_all = pd.concat(practices, ignore_index=True) if practices else pd.DataFrame()
    return {
        "overview": _overview(contents, lang=lang, min_count=min_count),
        "scores": _scores(contents),
        "practices": practices_all,
        "practices_where": _practices_where(practices_all, lang=lang, min_count=min_count),
        "changes": _changes(ws, [c.territory for c in contents], lang=lang, min_count=min_count),
    }


def build_synthesis(workspace: str | Path = ".", *, wave: str | None = None, lang: str = "fr",
                    min_count: int = 3, territories: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """The synthesis tables of a workspace, for a notebook.

    Same tables as the synthesis workbook of ``coopwork export`` (see the module docstring),
    computed without drawing any chart. ``wave`` defaults to the latest wave.

    Raises
    ------
    WorkspaceError
        For a missing workspace, an unknown wave or territory.
    """
    from ..workspace import open_workspace
    from .content import territory_content, wave_scores

    ws = open_workspace(workspace)
    wave = wave or ws.latest_wave
    present = ws.responses(wave=wave)["_territory"].dropna().unique().tolist()
    wanted = list(territories) if territories else sorted(present)
    scores = wave_scores(ws, wave=wave)
    contents = [territory_content(ws, territory, wave=wave, lang=lang, min_count=min_count, charts=False,
                                  summaries=False, scores=scores) for territory in wanted]
    return synthesis_tables(ws, contents, lang=lang, min_count=min_count)
