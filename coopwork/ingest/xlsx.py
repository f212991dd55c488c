"""Read an XLSX workbook fast, after making sure it cannot explode: a guard, then calamine.

An XLSX file is a zip of XML parts. A crafted one (a "decompression bomb") holds a few kilobytes
that expand to gigabytes, or two cells at opposite corners of a sheet, which a reader that lays
the sheet out as a grid turns into billions of cells: calamine (the Rust reader used here through
pandas) then aborts the whole process, openpyxl runs for minutes. :func:`check_workbook` refuses
such a file **before** any reader opens it, in one pass over the zip that costs a fraction of the
read itself:

- the parts' **declared** sizes (zip headers) together may not exceed :data:`MAX_EXPANDED_BYTES`;
- each sheet is then expanded as a stream and the **actual** bytes counted (Python's zip reader
  stops at the declared size, so a part that lies about its size fails its checksum: refused);
- the cells it really holds (highest row × highest column referenced) may not exceed
  :data:`MAX_SHEET_CELLS`, and its columns :data:`MAX_COLUMNS`.

A sheet's ``dimension`` element is not trusted either way: a sheet without one, or with a huge one,
is measured by what it holds.

:func:`read_workbook` then reads every sheet with python-calamine into rows of text (``12`` not
``12.0``, ISO dates), empty rows left out (they are not records).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from openpyxl import Workbook
>>> book = Workbook()
>>> book.active.append(["q", "n"]); book.active.append(["oui", 12])
>>> path = Path(tempfile.mkdtemp()) / "a.xlsx"
>>> book.save(path)
>>> check_workbook(path)
>>> read_workbook(path)
{'Sheet': [['q', 'n'], ['oui', '12']]}
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from python_calamine import CalamineWorkbook

from ..errors import IngestError

__all__ = ["MAX_COLUMNS", "MAX_EXPANDED_BYTES", "MAX_SHEET_CELLS", "cell_text", "check_workbook",
           "read_workbook"]

#: the XML parts of a workbook may expand to this many bytes in all (256 MiB)
MAX_EXPANDED_BYTES = 256 * 2**20
#: a sheet may span this many cells (highest row × highest column it holds)
MAX_SHEET_CELLS = 10_000_000
#: a table (sheet or CSV) may have this many columns: Excel's own limit, 16 384 (column XFD)
MAX_COLUMNS = 16_384

_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ROW_REF = re.compile(rb"<row\b[^>]*?\sr=\"(\d+)\"")
_PREFIXED_ROW_REF = re.compile(rb"<[A-Za-z_][\w.-]*:row\b[^>]*?\sr=\"(\d+)\"")
#: cell references past column ZZ (702): rare, so cheap to look for; narrower sheets are measured
#: by their rows only (702 columns × the rows a sheet may hold stays under the cell limit)
_WIDE_COLUMN = re.compile(rb"\sr=\"([A-Z]{3,})\d+\"")
_CELL_COLUMN = re.compile(rb"\sr=\"([A-Z]{1,2})\d+\"")
_CHUNK = 4 << 20


def _letters_to_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + (byte - 64)
    return number


def _too_big(path: Path, size: int) -> IngestError:
    return IngestError("ingest_readers.xlsx_too_big", size=_mib(size), limit=_mib(MAX_EXPANDED_BYTES),
                       file=path.name, hint="ingest_readers.hint_xlsx_limit")


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f}".replace(",", " ")


def _measure(stream, path: Path, budget: int) -> tuple[int, int, int]:
    """Expanded bytes, highest row and highest column (or 702 for "at most ZZ") of one sheet part."""
    size = max_row = max_column = 0
    tail = b""
    narrow = True
    for block in iter(lambda: stream.read(_CHUNK), b""):
        size += len(block)
        if size > budget:
            raise _too_big(path, size)
        text = tail + block
        rows = _ROW_REF.findall(text) or (_PREFIXED_ROW_REF.findall(text) if b":row" in text else [])
        if rows:
            max_row = max(max_row, *map(int, rows))
        wide = _WIDE_COLUMN.findall(text)
        if wide:
            narrow = False
            max_column = max(max_column, max(_letters_to_number(c) for c in set(wide)))
        tail = text[-64:]
    return size, max_row, max_column if not narrow else 702


def _narrow_columns(stream) -> int:
    """The highest column (at most ZZ) a sheet part references: a second pass, for long sheets only."""
    max_column = 0
    tail = b""
    for block in iter(lambda: stream.read(_CHUNK), b""):
        text = tail + block
        columns = set(_CELL_COLUMN.findall(text))
        if columns:
            max_column = max(max_column, max(_letters_to_number(c) for c in columns))
        tail = text[-64:]
    return max_column


def check_workbook(path: str | Path) -> None:
    """Refuse (:class:`~coopwork.errors.IngestError`, one sentence) a workbook that would explode.

    Raises
    ------
    IngestError
        Not a zip; parts declared or found larger than :data:`MAX_EXPANDED_BYTES` together; a
        sheet spanning more than :data:`MAX_SHEET_CELLS` cells or :data:`MAX_COLUMNS` columns.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError("ingest_readers.bad_xlsx", error=type(exc).__name__, file=path.name,
                          hint="ingest_readers.hint_export_again") from None
    with archive:
        parts = archive.infolist()
        declared = sum(info.file_size for info in parts)
        if declared > MAX_EXPANDED_BYTES:
            raise _too_big(path, declared)
        budget = MAX_EXPANDED_BYTES
        for info in parts:
            if not _SHEET.match(info.filename):
                continue
            try:
                with archive.open(info) as stream:
                    size, rows, columns = _measure(stream, path, budget)
                if columns == 702 and rows * columns > MAX_SHEET_CELLS:  # a long sheet: its exact width
                    with archive.open(info) as stream:
                        columns = _narrow_columns(stream)
            except zipfile.BadZipFile as exc:  # Python's zip reader stops at the declared size
                if "CRC" in str(exc):
                    raise IngestError("ingest_readers.xlsx_size_lie", file=path.name,
                                      hint="ingest_readers.hint_export_again") from None
                raise IngestError("ingest_readers.bad_xlsx", error=type(exc).__name__, file=path.name,
                                  hint="ingest_readers.hint_export_again") from None
            except (OSError, EOFError, ValueError, zlib.error) as exc:
                raise IngestError("ingest_readers.bad_xlsx", error=type(exc).__name__, file=path.name,
                                  hint="ingest_readers.hint_export_again") from None
            budget -= size
            if columns > MAX_COLUMNS:
                raise IngestError("ingest_readers.too_wide", file=path.name,
                                  hint="ingest_readers.hint_xlsx_limit",
                                  columns=f"{columns:,}".replace(",", " "),
                                  limit=f"{MAX_COLUMNS:,}".replace(",", " "))
            if rows * max(columns, 1) > MAX_SHEET_CELLS:
                raise IngestError("ingest_readers.xlsx_too_many_cells", file=path.name,
                                  hint="ingest_readers.hint_xlsx_limit", rows=rows, columns=columns,
                                  limit=f"{MAX_SHEET_CELLS:,}".replace(",", " "))


def cell_text(value: object) -> str:
    """Text of a spreadsheet cell as it reads in the sheet (``12`` not ``12.0``, ISO dates).

    Examples
    --------
    >>> import datetime
    >>> cell_text(12.0), cell_text(1.5), cell_text(True), cell_text(datetime.date(2025, 3, 1))
    ('12', '1.5', 'True', '2025-03-01')
    >>> cell_text(datetime.datetime(2025, 3, 1)), cell_text(None)
    ('2025-03-01', '')
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN: an empty cell
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value)


def read_workbook(path: str | Path) -> dict[str, list[list[str]]]:
    """Every sheet of a checked workbook as rows of text, empty rows left out (sheet order kept).

    Call :func:`check_workbook` first: this reads the sheets whole, with python-calamine (its own
    API: pandas' calamine engine converts every cell in Python first, which doubles the time).

    Raises
    ------
    IngestError
        When the workbook cannot be read.
    """
    path = Path(path)
    out: dict[str, list[list[str]]] = {}
    try:
        book = CalamineWorkbook.from_path(str(path))
        try:
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                text = ([v if type(v) is str else cell_text(v) for v in row] for row in rows)
                out[str(name)] = [row for row in text if any(c.strip() for c in row)]
        finally:
            book.close()
    except IngestError:
        raise
    except Exception as exc:  # calamine's own errors: a damaged or encrypted workbook
        raise IngestError("ingest_readers.bad_xlsx", error=type(exc).__name__, file=path.name,
                          hint="ingest_readers.hint_export_again") from None
    return out
