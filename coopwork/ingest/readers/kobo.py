"""KoboToolbox exports: KPI CSV and XLSX, and the legacy KoboCAT CSV (format ``kobo``).

What KoboToolbox writes, and what this reader does with it:

- **KPI CSV**: ``;`` separated, every field quoted; headers are XML names or labels, with or
  without group prefixes ``group/question``; an optional HXL row of ``#tags`` under the
  header (dropped); select_multiple as one space-separated column and/or one
  ``question/option`` column per option holding ``1``/``0`` (joined into one answer);
  meta columns ``_id, _uuid, _submission_time, _validation_status, _notes, _status,
  _submitted_by, __version__, _tags, _index``. ``_uuid`` is the submission id (else
  ``meta/instanceID`` without ``uuid:``), ``_submission_time`` the submission time.
- **legacy KoboCAT CSV**: ``,`` separated, unquoted, option columns holding ``True``/``False``,
  ``n/a`` for skipped answers (read as missing, free text included: the KPI exports write an empty
  cell, and there a typed ``n/a`` is an answer); repeats flattened as ``repeat[1]/question``
  columns, which are turned back into repeat rows.
- **XLSX**: the first sheet holds the submissions; every other sheet is a repeat group (Kobo
  truncates sheet names to 31 characters), linked by ``_submission__uuid`` (else
  ``_parent_index`` → the main sheet's ``_index``), read into ``repeats``. A nested repeat
  (``_parent_table_name`` is another repeat sheet) also keeps its parent row:
  ``_parent_repeat`` and ``_parent_repeat_row`` (that sheet's row whose ``_index`` is
  ``_parent_index``).

Examples
--------
>>> sniff(TableSample.of(["q1", "_uuid", "_submission_time"]))
0.9
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...survey import Survey
from ..census import data_records
from ..detect import TableSample
from ..raw import RawExport
from .common import finish_main, load_table, map_columns, row_numbers, slugify, strip_uuid

__all__ = ["meta_columns", "read", "sniff"]

KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index", "_attachments", "_geolocation",
             "_xform_id_string", "_parent_index", "_parent_table_name", "_submission__id",
             "_submission__uuid", "_submission__submission_time", "_submission__validation_status",
             "_submission__notes", "_submission__status", "_submission__submitted_by",
             "_submission___version__", "_submission__tags", "$edited")
_FLAT_REPEAT = re.compile(r"^(?:(?P<prefix>.*)/)?(?P<repeat>[^/\[\]]+)\[(?P<index>\d+)\]/(?P<rest>.+)$")


def sniff(sample: TableSample) -> float:
    """Sure when the header has Kobo's meta columns (``_uuid``, ``_submission_time``…)."""
    columns = {c for header in [sample.header, *sample.sheets.values()] for c in header}
    strong = {"_uuid", "_submission_time", "_submission__uuid", "_validation_status", "__version__"}
    if columns & strong:
        return 0.9
    if "_index" in columns and "_id" in columns:
        return 0.7
    return 0.0


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """Columns of a Kobo table that are submission metadata, not answers."""
    return {c for c in frame.columns if c.startswith(("_", "$")) or c in KOBO_META
            or c.startswith("meta/") or c in ("start", "end", "today", "deviceid")} - {""}


def _submission_ids(frame: pd.DataFrame) -> pd.Series | None:
    if "_uuid" in frame.columns:
        ids = frame["_uuid"]
        if "meta/instanceID" in frame.columns:
            ids = ids.mask(ids == "", frame["meta/instanceID"])
        return strip_uuid(ids)
    for column in ("meta/instanceID", "instanceID", "_submission__uuid"):
        if column in frame.columns:
            return strip_uuid(frame[column])
    return None


def _repeat_name(sheet: str, survey: Survey) -> str | None:
    for name in survey.repeats:
        if sheet == name or sheet == name[:31] or slugify(sheet) == slugify(name):
            return name
    return None


def _unflatten(frame: pd.DataFrame, survey: Survey, ids: pd.Series | None, rows: pd.Series,
               issues: list[dict], blanks: frozenset[str] = frozenset()
               ) -> tuple[dict[str, pd.DataFrame], set[str]]:
    """``repeat[i]/question`` columns of a legacy CSV → one repeat table per repeat group."""
    found: dict[str, dict[int, dict[str, str]]] = {}
    used: set[str] = set()
    for column in frame.columns:
        match = _FLAT_REPEAT.match(column)
        if not match:
            continue
        repeat = _repeat_name(match["repeat"], survey)
        if repeat is None:
            continue
        found.setdefault(repeat, {}).setdefault(int(match["index"]), {})[match["rest"]] = column
        used.add(column)
    out: dict[str, pd.DataFrame] = {}
    for repeat, by_index in found.items():
        parts = []
        for index in sorted(by_index):
            block = frame[list(by_index[index].values())].copy()
            block.columns = list(by_index[index])
            mapped = map_columns(block, survey, repeat=repeat, rows=rows, blanks=blanks)
            issues.extend(mapped.issues)
            table = mapped.frame
            answered = table.notna().any(axis=1)
            table = table[answered]
            head = pd.DataFrame({"_parent_row": rows[answered].astype("Int64"),
                                 "_index": pd.Series(index, index=table.index, dtype="Int64")})
            if ids is not None:
                head.insert(0, "_parent_submission_id", ids[answered].astype("string"))
            parts.append(pd.concat([head, table], axis=1))
        if parts:
            table = pd.concat(parts).sort_values(["_parent_row", "_index"]).reset_index(drop=True)
            table.insert(0, "_row", pd.array(np.arange(1, len(table) + 1), dtype="Int64"))
            out[repeat] = table
    return out, used


def _sheet_repeat(frame: pd.DataFrame, repeat: str, survey: Survey, main: pd.DataFrame, sheet: str,
                  issues: list[dict], parents: dict[str, tuple[str, dict[str, int]]],
                  matched: list[str], unmapped: list[str]) -> pd.DataFrame:
    """One repeat sheet: its rows linked to the submission and, when nested, to the parent row.

    ``parents`` maps a sheet name to ``(repeat name, {_index value: _row})`` for the main sheet
    and the repeat sheets (Kobo's ``_parent_table_name`` / ``_parent_index`` name them).
    """
    rows = row_numbers(frame)
    mapped = map_columns(frame, survey, repeat=repeat, meta=meta_columns(frame), sheet=sheet, rows=rows)
    issues.extend(mapped.issues)
    matched.extend(f"{sheet}!{column}" for column in mapped.matched)
    unmapped.extend(f"{sheet}!{column}" for column in mapped.unmapped)  # never dropped unsaid
    head = pd.DataFrame({"_row": pd.array(rows.to_numpy(), dtype="Int64")}, index=frame.index)
    if "_submission__uuid" in frame.columns:
        parent = strip_uuid(frame["_submission__uuid"]).astype("string")
        head["_parent_submission_id"] = parent.mask(parent == "")
    elif "_parent_index" in frame.columns and "_index" in main.columns:
        by_index = dict(zip(main["_index"], range(1, len(main) + 1), strict=False))
        head["_parent_row"] = pd.array(frame["_parent_index"].map(by_index).to_numpy(), dtype="Int64")
    if "_parent_table_name" in frame.columns and "_parent_index" in frame.columns:
        # a nested repeat: the parent is a row of another repeat sheet
        table = frame["_parent_table_name"].astype(str)
        parent_repeat = table.map(lambda name: parents.get(name, ("", {}))[0] or None)
        nested = parent_repeat.notna()
        if nested.any():
            head["_parent_repeat"] = parent_repeat.astype("string")
            head["_parent_repeat_row"] = pd.array(
                [parents[t][1].get(i) if n else None
                 for t, i, n in zip(table, frame["_parent_index"], nested, strict=True)], dtype="Int64")
    parent_key = next((k for k in ("_parent_repeat_row", "_parent_submission_id", "_parent_row")
                       if k in head), None)
    if parent_key is not None:
        keys = [head[parent_key]] if parent_key != "_parent_repeat_row" else \
            [head["_parent_repeat"].fillna(""), head[parent_key].fillna(-1),
             head.get("_parent_submission_id", head[parent_key]).fillna("")]
        head["_index"] = pd.array(head.groupby(keys, dropna=False).cumcount().to_numpy() + 1,
                                  dtype="Int64")
    else:
        head["_index"] = pd.array(np.ones(len(frame), dtype=int), dtype="Int64")
    return pd.concat([head, mapped.frame], axis=1).reset_index(drop=True)


def _index_rows(frame: pd.DataFrame) -> dict[str, int]:
    """``{_index value: _row}`` of a sheet (how nested repeat rows name their parent row)."""
    if "_index" not in frame.columns:
        return {}
    return {value: row for row, value in enumerate(frame["_index"].tolist(), start=1)}


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a KoboToolbox CSV or XLSX export (see the module docstring)."""
    frame, sheet, sheets = load_table(sample)
    rows = row_numbers(frame)
    ids = _submission_ids(frame)
    issues: list[dict] = []
    # the legacy KoboCAT CSV (comma-separated) writes "n/a" for a question that was not asked
    blanks = frozenset({"n/a"}) if sample.kind == "csv" and sample.separator == "," else frozenset()
    repeats, flat = _unflatten(frame, survey, ids, rows, issues, blanks)
    meta = meta_columns(frame) | flat
    mapped = map_columns(frame, survey, meta=meta, sheet=sheet, rows=rows, mapping=mapping, blanks=blanks)
    issues = mapped.issues + issues
    time = frame["_submission_time"] if "_submission_time" in frame.columns else None
    main = finish_main(mapped, rows=rows, submission_id=ids, submitted_at=time)
    unmapped = list(mapped.unmapped)
    matched = [*mapped.matched, *sorted(flat)]
    parents = {name: (_repeat_name(name, survey) or "", _index_rows(table))
               for name, table in list(sheets.items())[1:]}
    counts: dict[str, int] = {}
    unread: dict[str, int] = {}
    for name, table in list(sheets.items())[1:]:
        repeat = _repeat_name(name, survey)
        if repeat is None or repeat in counts:
            unread[name] = len(table)
            continue
        repeats[repeat] = _sheet_repeat(table, repeat, survey, frame, name, issues, parents, matched,
                                        unmapped)
        counts[repeat] = data_records(sample, sheet=name)
    return RawExport(file=sample.path, reader="kobo", main=main, sheet=sheet, repeats=repeats,
                     unmapped=unmapped, issues=issues, encoding=sample.encoding, matched=matched,
                     repeat_counts=counts, unread_sheets=unread)
