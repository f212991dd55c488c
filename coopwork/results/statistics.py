"""The statistics of each table a result publishes, each cell through disclosure control.

:func:`summaries` gives the protected summary of every published question for the rows of a
:class:`~.inputs.Scope`: counted by :mod:`coopwork.analysis.summary`, then — for a question asked
per row of a repeat — protected on the distinct submissions behind each cell (five rows may come
from one submission), and for dates and times counted by coarser periods while most cells are
hidden. :func:`summaries_table` and :func:`practices` are the tidy tables a result stores.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.disclosure import DOMINANCE, is_small, protect
from ..analysis.summary import summarise_many, summarise_rows
from .questions import PRACTICE_DIMENSIONS

if TYPE_CHECKING:
    from ..analysis.summary import Prepared
    from ..survey import Survey
    from .inputs import Scope, WaveData
    from .questions import Display

__all__ = ["practices", "summaries", "summaries_table"]


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


def summaries(scope: Scope) -> dict[str, pd.DataFrame]:
    """The protected summary of every published question, for the scope's respondents and their
    repeats' rows: question name → table."""
    inputs, wd, picked, lang, min_count = scope.inputs, scope.wd, scope.picked, scope.lang, scope.min_count
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
    while _mostly_hidden(table) and (wider := wd.coarser(prepared)) is not None:
        prepared = wider
        table = summarise_rows(prepared, wd.survey, rows, lang=lang, min_count=min_count)
        if item.table is not None:
            table = _unit_cells(table, prepared, item, wd, rows, lang=lang, min_count=min_count)
    return table


def summaries_table(
    items: list[Display], tables: dict[str, pd.DataFrame], survey: Survey, lang: str
) -> pd.DataFrame:
    """The summaries of the published questions ``items`` in one tidy table: one row per cell, after
    the question's section, dimension, name, label, kind and unit (the result's ``summaries``)."""
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


def practices(summaries: pd.DataFrame) -> pd.DataFrame:
    """The practices an organisation declares (the select_multiple questions of the practice
    dimensions, counted per organisation): the result's ``practices`` table, with the columns the
    audit reads to tell why each hidden cell is hidden."""
    practised = (
        (summaries["kind"] == "select_multiple")
        & summaries["dimension"].isin(PRACTICE_DIMENSIONS)
        & (summaries["unit"] == "organisations")
    )
    columns = ["dimension", "question", "question_label", "option", "label", "n", "base", "percent",
               "suppressed", "display", "rule"]
    return summaries.loc[practised, [c for c in columns if c in summaries.columns]]
