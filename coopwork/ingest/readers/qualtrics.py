"""Qualtrics CSV exports (format ``qualtrics``).

What Qualtrics writes, and what this reader does with it:

- a header of column codes (``ResponseId``, ``Q1``, ``Q3_2``, ``q6#1_1``…), then **one or two
  more header rows**: the question texts and, since 2016, a row of ``{"ImportId": "QID4-1-1"}``
  cells. Neither is a response: :func:`coopwork.ingest.detect.sniff_table` finds them and they
  are never read as records (record 1 is the first response);
- metadata columns (``ResponseId``/``ResponseID`` is the submission id; ``RecordedDate``, else
  ``EndDate``, the submission time), left out of the answers. The recipient's name and e-mail
  and the IP address and location are metadata too: they never reach the processed tables.

Headers are matched to the survey like any other export (XLSForm name, label, slug); a draft
made with ``coopwork survey draft`` takes the question texts as labels.

Examples
--------
>>> sniff(TableSample.of(["ResponseId", "Q1"], extra_rows=2))
0.95
"""

from __future__ import annotations

import pandas as pd

from ...survey import Survey
from ..detect import TableSample
from ..raw import RawExport
from .common import finish_main, first_column, load_table, map_columns, row_numbers

__all__ = ["META", "meta_columns", "read", "sniff"]

META = ("ResponseID", "ResponseId", "ResponseSet", "IPAddress", "StartDate", "EndDate", "RecordedDate",
        "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalDataReference",
        "ExternalReference", "Finished", "Status", "Progress", "Duration (in seconds)",
        "LocationLatitude", "LocationLongitude", "LocationAccuracy", "DistributionChannel",
        "UserLanguage", "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore",
        "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate", "Q_TotalDuration")


def sniff(sample: TableSample) -> float:
    """Sure with a ``ResponseId`` column and Qualtrics' extra header rows; fairly sure without them."""
    columns = sample.columns
    if not columns & {"ResponseID", "ResponseId"}:
        return 0.0
    if sample.extra_rows:
        return 0.95
    return 0.7 if columns & {"StartDate", "EndDate", "RecordedDate"} else 0.3


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """Qualtrics metadata columns of ``frame``."""
    return {c for c in frame.columns if c in META}


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a Qualtrics CSV export (see the module docstring)."""
    frame, sheet, _ = load_table(sample)
    rows = row_numbers(frame)
    mapped = map_columns(frame, survey, meta=meta_columns(frame), sheet=sheet, rows=rows, mapping=mapping)
    id_column = first_column(frame, ("ResponseId", "ResponseID"))
    time_column = first_column(frame, ("RecordedDate", "EndDate"))
    main = finish_main(mapped, rows=rows, submission_id=frame[id_column] if id_column else None,
                       submitted_at=frame[time_column] if time_column else None)
    return RawExport(file=sample.path, reader="qualtrics", main=main, sheet=sheet,
                     unmapped=mapped.unmapped, issues=mapped.issues, encoding=sample.encoding,
                     matched=mapped.matched)
