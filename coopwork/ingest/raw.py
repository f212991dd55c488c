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

    @property
    def rows_read(self) -> int:
        """Number of records in the main table of the file."""
        return len(self.main)
