"""The shape a reader hands to validation: :class:`RawExport`.

A reader knows one platform's export format (KoboToolbox, ODK Central, LimeSurvey, Google
Forms, generic CSV/XLSX) and nothing about validation or storage. It returns the records
**mapped to the survey's vocabulary but not yet validated**:

``main``
    One row per source record, all values as strings (``pd.StringDtype``, missing = NA,
    leading/trailing spaces kept as in the file). Columns: the XLSForm names of the top-level
    questions the reader recognised, plus the meta columns

    - ``_row`` (Int64): 1-based record position in the source file or sheet, header excluded
      (a multi-line quoted CSV record counts once);
    - ``_submission_id`` (string or NA): the platform's submission id (``_uuid``, ``KEY``,
      ``meta/instanceID``, LimeSurvey ``id``…);
    - ``_submitted_at`` (string or NA): the submission time as written in the file.

    Values are normalised to the XLSForm convention: select_one → choice *name* (exports that
    write labels are resolved against the choice labels; an unresolved value is kept as is so
    that validation reports it); select_multiple → space-separated choice names (per-option
    0/1/True/False columns are joined; labels joined with ", " are resolved longest match
    first); numbers → text with a ``.`` decimal separator; ``n/a`` and empty → NA.
``repeats``
    Repeat group name → DataFrame with ``_row``, ``_parent_submission_id`` (links to
    ``main._submission_id``) or ``_parent_row`` (links to ``main._row``), ``_index`` (1-based
    position inside the parent's repeat) and the repeat's question columns, normalised as above.
    A repeat nested in another repeat also has ``_parent_repeat`` (the enclosing repeat's name,
    NA for rows whose parent is the submission) and ``_parent_repeat_row`` (the ``_row`` of the
    parent row in that repeat's table); ``_index`` then counts inside that parent row.
``unmapped``
    Source columns that match no question and no known meta column (reported as
    ``flagged`` issues, never fatal on their own).
``issues``
    Problems the reader already found (e.g. a checkbox label it could not resolve), as
    dicts with the issues-file columns ``row, sheet, column, value, reason, action``.
``matched``
    Source columns read into a question (with ``unmapped`` and the metadata, every column).
``repeat_counts``
    Repeat name → records of the sheet or file it was read from, counted by
    :mod:`coopwork.ingest.census` (repeats rebuilt from flattened columns have none): the
    registry checks that every one was read.
``unread_sheets``
    Sheets (or sibling files) of the export that match no repeat group: their rows are not read,
    which the registry refuses unless a partial read is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["RawExport", "META_COLUMNS"]

META_COLUMNS = ("_row", "_submission_id", "_submitted_at")


@dataclass
class RawExport:
    """Records read from one export file, mapped to the survey but not validated."""

    file: Path
    reader: str
    main: pd.DataFrame
    sheet: str = ""
    repeats: dict[str, pd.DataFrame] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    encoding: str = "utf-8"
    matched: list[str] = field(default_factory=list)
    repeat_counts: dict[str, int] = field(default_factory=dict)
    unread_sheets: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        """Number of records in the main table of the file."""
        return len(self.main)
