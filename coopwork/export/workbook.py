"""XLSX workbooks of indicator tables, with a README sheet and formula-injection safety.

One workbook per territory (and one for the cross-territory synthesis): a ``README`` sheet
first — title, provenance, the disclosure rule, then one line per sheet and per column
saying what it holds — followed by one sheet per table. Every text cell goes through
:func:`coopwork.words.neutralise`, so a free-text answer such as ``=HYPERLINK(…)``
is shown as text and never run as a formula. Tables are expected to be already protected
by ``coopwork.analysis.disclosure.protect`` (suppressed rows carry NA numbers and a
``display`` text such as ``"< 3"``); missing values are written as empty cells.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from openpyxl import load_workbook
>>> table = pd.DataFrame({"territory": ["t1"], "n": [12], "display": ["=12"]})
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_workbook({"counts": table}, folder / "t1.xlsx", title="Demo", lang="en")
>>> book = load_workbook(path)
>>> book.sheetnames
['README', 'counts']
>>> [c.value for c in book["counts"][2]]
['t1', 12, "'=12"]
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..errors import ExportError, disk_full
from ..i18n import catalogue, t
from ..threshold import DEFAULT_MIN_COUNT
from ..values import missing
from ..words import neutralise

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["describe_column", "sheet_title", "write_workbook"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
README = "README"


def sheet_title(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """Return a valid, unique Excel sheet title for ``name`` (≤ 31 characters, no ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_title("scores/dimension: 2025")
    'scores_dimension_ 2025'
    >>> sheet_title("a" * 40, {"a" * 31})
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa~2'
    """
    base = _BAD_SHEET_CHARS.sub("_", str(name)).strip("'") or "sheet"
    title = base[:31]
    counter = 2
    lowered = {s.lower() for s in taken}
    while title.lower() in lowered:
        suffix = f"~{counter}"
        title = base[: 31 - len(suffix)] + suffix
        counter += 1
    return title


def describe_column(column: str, *, lang: str = "fr", survey: Survey | None = None,
                    min_count: int = DEFAULT_MIN_COUNT) -> str:
    """Say in words what ``column`` of an exported table holds.

    Known coopwork columns (``territory``, ``n``, ``display``, …) have a catalogue text
    (``export.col_<name>``); a survey question's name gives its label; anything else says
    it is a column of the table.

    Examples
    --------
    >>> describe_column("suppressed", lang="en")
    'True when the cell is hidden (the rule column says why)'
    >>> describe_column("display", lang="en", min_count=5)[:74]
    'Value as shown to people; a hidden cell reads "< 5" when it rests on fewer'
    >>> describe_column("xyz", lang="en")
    'Column xyz of the table'
    """
    key = f"export.col_{str(column).lstrip('_')}"
    if key in catalogue():  # the labels of hidden cells as they read (coopwork.analysis.disclosure)
        return t(key, lang, min_count=min_count, label=t("analysis.hidden_other", lang))
    if survey is not None and column in survey.questions:
        return t("export.col_question", lang, label=survey.label(column, lang))
    return t("export.col_other", lang, column=column)


def _cell(value: object) -> object:
    """A value openpyxl can write: NA → None, numpy → Python, tz-aware → naive UTC, text neutralised."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert("UTC").tz_localize(None)
        return value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, bool | int | float | dt.date | dt.time):
        return value
    text = _ILLEGAL_XML.sub("", str(value))
    return neutralise(text)


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    title: str,
    lang: str = "fr",
    min_count: int = DEFAULT_MIN_COUNT,
    descriptions: Mapping[str, str] | None = None,
    provenance: Mapping[str, object] | None = None,
    survey: Survey | None = None,
) -> Path:
    """Write ``tables`` to an XLSX workbook at ``path`` with a README sheet first.

    Parameters
    ----------
    tables
        Sheet name → table (tidy, already protected). Names are made valid sheet titles.
    path
        The ``.xlsx`` file to write (replaced atomically; parent folders are created).
    title
        Title written at the top of the README sheet.
    lang
        Language of the README and of the column descriptions (``"fr"`` or ``"en"``).
    min_count
        Disclosure threshold, stated in the README.
    descriptions
        Sheet name → one sentence saying what the sheet holds.
    provenance
        Extra ``label → value`` lines for the README (survey, wave, date, version, …).
    survey
        Used to describe columns named after survey questions.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    descriptions = dict(descriptions or {})
    book = Workbook()
    readme = book.active
    readme.title = README
    bold = Font(bold=True)
    readme.append([_cell(title)])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append([])
    for label, value in (provenance or {}).items():
        readme.append([_cell(label), _cell(value)])
    readme.append(
        [t("export.readme_disclosure_label", lang),
         t("export.readme_disclosure", lang, min_count=min_count, label=t("analysis.hidden_other", lang))]
    )
    readme.append([t("export.readme_injection_label", lang), t("export.readme_injection", lang)])
    readme.append([])
    readme.append(
        [t("export.readme_sheet", lang), t("export.readme_column", lang), t("export.readme_meaning", lang)]
    )
    for cell in readme[readme.max_row]:
        cell.font = bold

    taken: set[str] = {README}
    for name, table in tables.items():
        sheet_name = sheet_title(name, taken)
        taken.add(sheet_name)
        readme.append(
            [
                _cell(sheet_name),
                None,
                _cell(descriptions.get(name, t("export.readme_sheet_default", lang, name=name))),
            ]
        )
        readme[readme.max_row][0].font = bold
        for column in table.columns:
            readme.append(
                [None, _cell(str(column)), _cell(describe_column(str(column), lang=lang, survey=survey,
                                                          min_count=min_count))]
            )
        sheet = book.create_sheet(sheet_name)
        sheet.append([_cell(str(c)) for c in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            values = [str(column), *(str(v) for v in table[column].head(200).tolist())]
            width = min(60, max(8, *(len(v) for v in values)) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width

    readme.column_dimensions["A"].width = 28
    readme.column_dimensions["B"].width = 28
    readme.column_dimensions["C"].width = 90
    for row in readme.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".xlsx")
    os.close(handle)
    try:
        book.save(temp)
        os.replace(temp, path)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        if disk_full(err):
            raise  # one message for a full disk, whatever was being written (coopwork.cli)
        raise ExportError(
            "export_errors.workbook",
            error=err.strerror,
            file=path,
            hint="export_errors.hint_workbook",
        ) from err
    return path
