"""Generic CSV and XLSX tables whose headers are XLSForm names or labels (formats ``csv``, ``xlsx``).

The fallback when no platform is recognised, and the reader for tables typed by hand or
saved from a spreadsheet (cp1252, ``;``, decimal comma are handled by
:mod:`coopwork.ingest.detect`). Headers may be question names, ``group/question`` paths or
labels in any language of the survey; answers may be choice names or labels. Optional meta
columns: ``_submission_id``/``_uuid``/``id``/``KEY``/``instanceID`` (submission id) and
``_submitted_at``/``_submission_time``/``timestamp``/``date_submitted`` (submission time).
Only the first sheet of a workbook is read.

Examples
--------
>>> sniff(TableSample.of(["a", "b"]))
0.05
"""

from __future__ import annotations

import pandas as pd

from ...survey import Survey
from ..detect import TableSample
from ..raw import RawExport
from .common import finish_main, first_column, load_table, map_columns, row_numbers, strip_uuid

__all__ = ["meta_columns", "read", "sniff", "sniff_xlsx"]

ID_COLUMNS = ("_submission_id", "_uuid", "instanceID", "meta/instanceID", "KEY", "id", "submission_id")
TIME_COLUMNS = ("_submitted_at", "_submission_time", "SubmissionDate", "submitted_at", "timestamp",
                "date_submitted", "submitdate")


def sniff(sample: TableSample) -> float:
    """A weak yes for any CSV: the generic reader is the fallback."""
    return 0.05 if sample.kind == "csv" else 0.0


def sniff_xlsx(sample: TableSample) -> float:
    """A weak yes for any workbook."""
    return 0.05 if sample.kind == "xlsx" else 0.0


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """``_``-prefixed columns and the submission id and time columns."""
    found = {first_column(frame, ID_COLUMNS), first_column(frame, TIME_COLUMNS)} - {None}
    return {c for c in frame.columns if c.startswith("_")} | found


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a generic table (see the module docstring)."""
    frame, sheet, _ = load_table(sample)
    id_column = first_column(frame, ID_COLUMNS)
    time_column = first_column(frame, TIME_COLUMNS)
    meta = meta_columns(frame)
    rows = row_numbers(frame)
    mapped = map_columns(frame, survey, meta=meta, sheet=sheet, rows=rows, mapping=mapping)
    main = finish_main(mapped, rows=rows,
                       submission_id=strip_uuid(frame[id_column]) if id_column else None,
                       submitted_at=frame[time_column] if time_column else None)
    return RawExport(file=sample.path, reader="xlsx" if sample.kind == "xlsx" else "csv", main=main,
                     sheet=sheet, unmapped=mapped.unmapped, issues=mapped.issues, encoding=sample.encoding,
                     matched=mapped.matched)
