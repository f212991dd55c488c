"""Look at an export file before reading it: kind, encoding, separator, header line, decimal mark.

Readers never guess by themselves: :func:`sniff_table` reads the first 64 KiB of the file once
and returns a :class:`TableSample` (what kind of file it is, how to decode and split it, the
header and the first records) that every reader's ``sniff`` scores and every reader's ``read``
uses to parse the whole file in one fast call (:func:`read_csv_strings`).

Handled:

- encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), cp1252
  (Excel-made CSV in French locales), latin-1 as a last resort;
- separators ``,`` ``;`` tab ``|``, chosen by the most consistent field count;
- a stray line above the header (a title, or a row of short codes added by hand): the header
  is the first record whose field count matches the records below it, or a record of distinct,
  non-empty names at least as wide as them (ODK Central writes data rows one field shorter than
  their header); skipped lines are kept in :attr:`TableSample.skipped` and reported;
- header rows under the header (:func:`extra_header_rows`): Qualtrics' question texts and
  ``ImportId`` row, SurveyMonkey's second header row, Kobo's HXL ``#tags`` row — never records;
- the decimal comma (``1,5``) of French spreadsheets, when the separator is not a comma;
- XLSX workbooks, checked against decompression bombs and read whole with calamine
  (:mod:`coopwork.ingest.xlsx`), every sheet laid out the same way;
- tables wider than :data:`~coopwork.ingest.xlsx.MAX_COLUMNS` columns are refused at once;
- clear errors for empty, binary, legacy ``.xls`` and non-table files
  (:class:`~coopwork.errors.IngestError`, nothing else).

Examples
--------
>>> detect_encoding("Coopération;Été".encode("cp1252"))
'cp1252'
>>> detect_encoding(b"\\xef\\xbb\\xbfa;b")
'utf-8-sig'
>>> detect_separator('a;b;c\\n"1,5";2;3\\n')
';'
>>> detect_decimal(["1,5", "2", "3,25"], separator=";")
','
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pc

from ..errors import IngestError
from ..i18n import normalise_lang, t
from .xlsx import MAX_COLUMNS, cell_text, check_workbook, read_workbook

__all__ = [
    "TableSample",
    "cell_text",
    "detect_decimal",
    "detect_encoding",
    "detect_separator",
    "extra_header_rows",
    "find_header_record",
    "message",
    "read_csv_strings",
    "read_xlsx_strings",
    "sniff_table",
]

SAMPLE_BYTES = 65536
SEPARATORS = (",", ";", "\t", "|")
_NUMBER_COMMA = re.compile(r"^[-+]?\d+,\d+$")
_NUMBER_DOT = re.compile(r"^[-+]?\d+\.\d+$")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def message(key: str, **fields: object) -> str:
    """Text of ``ingest_readers.<key>`` in the user's language (``COOPWORK_LANG``, default French)."""
    return t(f"ingest_readers.{key}", normalise_lang(os.environ.get("COOPWORK_LANG")), **fields)


@dataclass(frozen=True)
class TableSample:
    """What :func:`sniff_table` learnt from the beginning of a file.

    ``kind`` is ``"csv"`` or ``"xlsx"``. For CSV: ``encoding``, ``separator``, ``skip``
    (records above the header), ``header`` and ``rows`` (the first records, as lists of
    strings). For XLSX: ``sheets`` (name → header) and ``header``/``rows`` of the first sheet.
    ``decimal`` is ``","`` when numbers use a decimal comma. ``extra_rows`` and ``labels``
    describe header rows under the header (:func:`extra_header_rows`).
    """

    path: Path
    kind: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    encoding: str = "utf-8"
    separator: str = ","
    skip: int = 0
    decimal: str = "."
    sheets: dict[str, list[str]] = field(default_factory=dict)
    #: records under the header that are more header, not responses (Qualtrics: the question
    #: texts and the ``{"ImportId": …}`` row); :func:`read_csv_strings` drops them
    extra_rows: int = 0
    #: the question texts of such a row, one per column (``[]`` when there is none)
    labels: list[str] = field(default_factory=list)
    #: records above the header that were skipped (a title, stray codes), as read
    skipped: list[list[str]] = field(default_factory=list)
    #: the header rows under the header (``extra_rows`` of them), as read: SurveyMonkey's answer
    #: kinds and options, Qualtrics' question texts and ``ImportId`` row, Kobo's HXL tags
    header_rows: list[list[str]] = field(default_factory=list)
    #: XLSX: every sheet's non-empty rows as text, read once (the readers use them, never re-read)
    workbook: dict[str, list[list[str]]] = field(default_factory=dict, compare=False, repr=False)
    #: XLSX: ``(skip, extra_rows)`` of every sheet (rows above its header, header rows under it)
    layouts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, header: list[str], *, kind: str = "csv", **more: object) -> TableSample:
        """The sample of a file known by its header alone (to try a reader's ``sniff``).

        Examples
        --------
        >>> sample = TableSample.of(["q1", "_uuid"])
        >>> sample.kind, sample.path.name, sorted(sample.columns)
        ('csv', 'export.csv', ['_uuid', 'q1'])
        """
        return cls(path=Path(f"export.{kind}"), kind=kind, header=list(header), **more)

    @property
    def columns(self) -> set[str]:
        """Header cells, stripped, as a set (for quick membership tests in ``sniff``)."""
        return {h.strip() for h in self.header}


def detect_encoding(raw: bytes) -> str:
    """Return the encoding of ``raw`` (the first bytes of a text file).

    UTF-8 with a BOM gives ``"utf-8-sig"``, UTF-16 with a BOM ``"utf-16"``, valid UTF-8
    ``"utf-8"``, anything else ``"cp1252"`` (or ``"latin-1"`` when cp1252 cannot decode it).

    Examples
    --------
    >>> detect_encoding("é".encode()), detect_encoding(b"\\x81\\x8d")
    ('utf-8', 'latin-1')
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _records(text: str, separator: str, limit: int = 200) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    out = []
    try:
        for record in reader:
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return [r for r in out if r]


def detect_separator(text: str) -> str:
    """Return the field separator of CSV ``text`` among ``, ; tab |``.

    The separator that splits the most records into the same number (> 1) of fields wins;
    ties go to the one with more fields.

    Examples
    --------
    >>> detect_separator("a\\tb\\n1\\t2\\n"), detect_separator("a,b\\n1,2\\n")
    ('\\t', ',')
    """
    best, best_score = ",", (-1.0, 0)
    for separator in SEPARATORS:
        if separator not in text:
            continue
        records = _records(text, separator, limit=50)
        counts = [len(r) for r in records]
        if not counts:
            continue
        mode, frequency = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (frequency / len(counts), mode)
        if score > best_score:
            best, best_score = separator, score
    return best


def detect_decimal(values: list[str], *, separator: str) -> str:
    """Return ``","`` when the numbers among ``values`` use a decimal comma, else ``"."``.

    A comma-separated file cannot use an unquoted decimal comma, and a quoted ``"1,5"`` there
    is more often a list, so the answer is ``"."`` whenever ``separator == ","``.

    Examples
    --------
    >>> detect_decimal(["1.5", "2,5"], separator=";"), detect_decimal(["1,5"], separator=",")
    ('.', '.')
    """
    if separator == ",":
        return "."
    commas = sum(bool(_NUMBER_COMMA.match(v.strip())) for v in values)
    dots = sum(bool(_NUMBER_DOT.match(v.strip())) for v in values)
    return "," if commas > dots else "."


def find_header_record(records: list[list[str]]) -> int:
    """Index of the header among the first records (lines added above it are skipped).

    The header is the first of the first five records whose number of fields equals the most
    common number of fields of the records below it — or that holds distinct, non-empty names
    and at least as many fields as them (ODK Central has written data rows one field shorter
    than their header: that header is not a stray line).

    Examples
    --------
    >>> find_header_record([["q", "1", "q2", ""], ["Horodateur", "Q1"], ["01/03/2024", "oui"]])
    1
    >>> find_header_record([["a", "b", "c"], ["1", "2"], ["3", "4"]])
    0
    """
    for i in range(min(5, len(records) - 1)):
        below = [len(r) for r in records[i + 1:i + 40]]
        mode = Counter(below).most_common(1)[0][0]
        names = [c.strip() for c in records[i]]
        if len(records[i]) == mode or (len(names) >= mode and all(names) and len(set(names)) == len(names)):
            return i
    return 0


_IMPORT_ID = re.compile(r"^\{\s*['\"]ImportId['\"]\s*:")
#: what SurveyMonkey writes in its second header row over single-column answers (any UI language)
RESPONSE_WORDS = frozenset({
    "response", "open-ended response", "réponse", "réponse ouverte", "réponse libre", "antwort",
    "offene antwort", "risposta", "risposta aperta", "resposta", "resposta aberta", "respuesta",
    "respuesta abierta", "răspuns", "răspuns deschis", "válasz", "nyitott válasz", "antwoord",
    "open antwoord"})


def _hxl(record: list[str]) -> bool:
    cells = [c.strip() for c in record if c and c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _second_header(header: list[str], rows: list[list[str]]) -> bool:
    """SurveyMonkey's second header row: the answer kinds and options under the question texts.

    Told by its structure, in any language: it fills the columns whose header is empty (the
    options of a question spanning several columns) or says "Response", and it leaves empty a
    leading column that every record below fills (the respondent id).
    """
    if not rows:
        return False
    first = [c.strip() for c in rows[0]]
    words = sum(c.casefold() in RESPONSE_WORDS for c in first)
    if words >= 2 and words * 3 >= len([c for c in first if c]):
        return True
    below = rows[1:40]
    width = min(3, len(header))
    id_empty = bool(below) and any(i < len(first) and not first[i] and
                                   all(i < len(r) and r[i].strip() for r in below) for i in range(width))
    if not id_empty:
        return False
    spans = [i for i, h in enumerate(header) if not h.strip() and i > 0]
    return not any(first) or words >= 1 or (bool(spans) and all(i < len(first) and first[i] for i in spans))


def extra_header_rows(header: list[str], rows: list[list[str]]) -> tuple[int, list[str]]:
    """How many records under ``header`` are header too, and the question texts among them.

    Qualtrics writes the column codes, then the question texts, then (since 2016) a row of
    ``{"ImportId": "QID4-1-1"}`` cells. SurveyMonkey writes the question texts, then a row of
    answer kinds ("Response", "Open-Ended Response") and option texts. KoboToolbox may write a
    row of HXL ``#tags``. None of these is a response.

    Examples
    --------
    >>> extra_header_rows(["ResponseID", "Q1"], [["ResponseID", "Your age?"],
    ...                   ["{'ImportId': 'responseId'}", "{'ImportId': 'QID1'}"], ["R_1", "34"]])
    (2, ['ResponseID', 'Your age?'])
    >>> extra_header_rows(["Respondent ID", "Colour?", ""], [["", "Response", "Other (please specify)"],
    ...                   ["114", "Red", ""]])
    (1, [])
    >>> extra_header_rows(["a", "b"], [["#org", "#adm1"], ["1", "2"]])
    (1, [])
    >>> extra_header_rows(["a", "b"], [["1", "2"]])
    (0, [])
    """
    def import_ids(record: list[str]) -> bool:
        cells = [c for c in record if c.strip()]
        return bool(cells) and sum(bool(_IMPORT_ID.match(c.strip())) for c in cells) >= 0.5 * len(cells)

    if rows and import_ids(rows[0]):
        return 1, []
    if len(rows) > 1 and import_ids(rows[1]):
        return 2, rows[0]
    ids = [i for i, h in enumerate(header) if h.strip() in ("ResponseID", "ResponseId")]
    if ids and rows and len(rows[0]) > ids[0] and rows[0][ids[0]].strip() in ("ResponseID", "ResponseId",
                                                                             "Response ID"):
        return 1, rows[0]
    if rows and _hxl(rows[0]):
        return 1, []
    if _second_header(header, rows):
        return 1, []
    return 0, []


def _layout(records: list[list[str]]) -> tuple[int, list[str], int, list[str]]:
    """``(skip, header, extra_rows, labels)`` of a table given as its first records."""
    skip = find_header_record(records)
    header = [h.strip() for h in records[skip]]
    extra, labels = extra_header_rows(header, records[skip + 1:])
    return skip, header, extra, labels


def _too_wide(path: Path, columns: int) -> IngestError:
    return IngestError("ingest_readers.too_wide", file=path.name, columns=f"{columns:,}".replace(",", " "),
                       limit=f"{MAX_COLUMNS:,}".replace(",", " "), hint="ingest_readers.hint_xlsx_limit")


def sniff_table(path: str | Path) -> TableSample:
    """Look at the beginning of ``path`` and return a :class:`TableSample`.

    A CSV is sampled (its first 64 KiB, more when its header is longer); an XLSX workbook is
    checked against decompression bombs and read whole, once (:attr:`TableSample.workbook`).

    Raises
    ------
    IngestError
        When the file does not exist, is empty, binary, a legacy ``.xls`` workbook, not a
        table (fewer than two columns), wider than :data:`~coopwork.ingest.xlsx.MAX_COLUMNS`
        columns, or a workbook over the limits of :mod:`coopwork.ingest.xlsx`.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_bytes("nom;taille\\nÉcole;1,5\\n".encode("cp1252"))
    >>> s = sniff_table(folder / "a.csv")
    >>> s.kind, s.encoding, s.separator, s.decimal, s.header
    ('csv', 'cp1252', ';', ',', ['nom', 'taille'])
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest_readers.missing_file", file=path.name,
                          hint="ingest_readers.hint_missing_file")
    with path.open("rb") as handle:
        raw = handle.read(SAMPLE_BYTES)
        if raw.startswith(_ZIP_MAGIC):
            return _sniff_xlsx(path)
        # a header longer than the sample (a very wide file): read on to its end, within the limit
        while len(raw) % SAMPLE_BYTES == 0 and raw and b"\n" not in raw[-SAMPLE_BYTES:] \
                and len(raw) < 16 << 20:
            more = handle.read(SAMPLE_BYTES)
            if not more:
                break
            raw += more
    if not raw.strip():
        raise IngestError("ingest_readers.empty_file", file=path.name,
                          hint="ingest_readers.hint_export_again")
    if raw.startswith(_OLE_MAGIC):
        raise IngestError("ingest_readers.legacy_xls", file=path.name,
                          hint="ingest_readers.hint_legacy_xls")
    encoding = detect_encoding(raw)
    if encoding != "utf-16" and b"\x00" in raw:
        raise IngestError("ingest_readers.binary_file", file=path.name,
                          hint="ingest_readers.hint_export_csv")
    if encoding == "utf-16" and len(raw) % 2:
        raw = raw[:-1]
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw, final=False)
    if len(raw) >= SAMPLE_BYTES and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # drop the cut record
    separator = detect_separator(text)
    first_line = text.split("\n", 1)[0]
    if first_line.count(separator) + 1 > MAX_COLUMNS:
        raise _too_wide(path, first_line.count(separator) + 1)
    records = _records(text, separator)
    if not records:
        raise IngestError("ingest_readers.empty_file", file=path.name,
                          hint="ingest_readers.hint_export_again")
    skip, header, extra, labels = _layout(records)
    if len(header) > MAX_COLUMNS:
        raise _too_wide(path, len(header))
    rows = records[skip + 1:]
    if len(header) < 2 or all(len(r) < 2 for r in rows[:20] or [header]):
        raise IngestError("ingest_readers.not_a_table", file=path.name,
                          hint="ingest_readers.hint_export_csv")
    rows = rows[extra:]
    values = [v for r in rows[:100] for v in r]
    return TableSample(path=path, kind="csv", header=header, rows=rows, encoding=encoding,
                       separator=separator, skip=skip, decimal=detect_decimal(values, separator=separator),
                       extra_rows=extra, labels=[v.strip() for v in labels], skipped=records[:skip],
                       header_rows=records[skip + 1:skip + 1 + extra])


#: the last workbook read, by (path, size, modification time): ``survey draft`` then ``ingest`` of
#: the same export in one process (a notebook) read it once
_LAST_WORKBOOK: dict[tuple[str, int, int], dict[str, list[list[str]]]] = {}


def _workbook(path: Path) -> dict[str, list[list[str]]]:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _LAST_WORKBOOK:
        check_workbook(path)
        workbook = read_workbook(path)
        _LAST_WORKBOOK.clear()
        _LAST_WORKBOOK[key] = workbook
    return _LAST_WORKBOOK[key]


def _sniff_xlsx(path: Path) -> TableSample:
    workbook = _workbook(path)
    sheets: dict[str, list[str]] = {}
    layouts: dict[str, tuple[int, int]] = {}
    first: tuple[int, list[str], int, list[str]] | None = None
    for name, rows in workbook.items():
        if not rows:
            continue
        layout = _layout(rows[:60])
        header = layout[1]
        while header and not header[-1]:
            header = header[:-1]
        sheets[name] = header
        layouts[name] = (layout[0], layout[2])
        if first is None:
            first = (layout[0], header, layout[2], layout[3])
    if first is None:
        raise IngestError("ingest_readers.empty_file", file=path.name,
                          hint="ingest_readers.hint_export_again")
    skip, header, extra, labels = first
    if len([h for h in header if h]) < 2:
        raise IngestError("ingest_readers.not_a_table", file=path.name,
                          hint="ingest_readers.hint_export_csv")
    name = next(iter(sheets))
    rows = workbook[name][skip + 1 + extra:]
    values = [v for r in rows[:100] for v in r]
    return TableSample(path=path, kind="xlsx", header=header, rows=rows[:50], sheets=sheets, skip=skip,
                       decimal=detect_decimal(values, separator=";"), extra_rows=extra,
                       labels=[v.strip() for v in labels], skipped=workbook[name][:skip],
                       header_rows=workbook[name][skip + 1:skip + 1 + extra], workbook=workbook,
                       layouts=layouts)


def read_csv_strings(sample: TableSample) -> pd.DataFrame:
    """Read the whole CSV of ``sample`` as strings in one pass of Arrow's CSV parser.

    Every cell is a string (empty cells are ``""``; nothing is turned into NA or a number).
    Header rows under the header (``sample.extra_rows``, Qualtrics) are dropped.
    Duplicate header names get pandas' ``.1`` suffix. A ragged file (a record with more
    fields than the header) raises :class:`~coopwork.errors.IngestError`.
    """
    try:  # the Arrow parser first; the C parser for what it refuses and for exact errors
        frame = _read_arrow(sample)
        if len(set(frame.columns)) == len(frame.columns) and \
                not any(str(c).startswith("Unnamed:") or str(c) == "" for c in frame.columns):
            frame.columns = [str(c).strip() for c in frame.columns]
            return _drop_extra_rows(frame, sample)
    except Exception:  # any refusal of the fast path goes to the C parser below
        pass
    try:
        frame = pd.read_csv(sample.path, sep=sample.separator, encoding=sample.encoding,
                            dtype=str, keep_default_na=False, na_filter=False,
                            skiprows=sample.skip, engine="c", skipinitialspace=False,
                            index_col=False, encoding_errors="replace")
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise IngestError("ingest_readers.ragged", detail=str(exc).strip(), file=sample.path.name,
                          row=int(match.group(1)) - 1 - sample.skip if match else None,
                          hint="ingest_readers.hint_export_csv") from None
    except pd.errors.EmptyDataError:
        raise IngestError("ingest_readers.empty_file", file=sample.path.name,
                          hint="ingest_readers.hint_export_again") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return _drop_extra_rows(frame, sample)


_ARROW_ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8"}  # Arrow skips a UTF-8 BOM itself


def _read_arrow(sample: TableSample) -> pd.DataFrame:
    """Every cell as a string, read by Arrow's CSV parser on one thread.

    One thread, 4 MiB blocks: on a busy machine (and for the CPU time of an ingest) one thread is
    cheaper than Arrow's thread pool, and the rest of an ingest runs on one thread anyway. The
    blocks are then joined into one chunk per column, so that every later step on a column
    (masks, takes, validity bitmaps) runs once rather than once per block. The
    column names are read first (from the first block) so that every column is typed as text
    (``09929760`` keeps its leading zero).
    """
    encoding = _ARROW_ENCODINGS.get(sample.encoding, sample.encoding)
    parse = pc.ParseOptions(delimiter=sample.separator, newlines_in_values=True)

    def options(block: int) -> pc.ReadOptions:
        return pc.ReadOptions(skip_rows=sample.skip, encoding=encoding, block_size=block, use_threads=False)

    names = pc.open_csv(sample.path, read_options=options(1 << 20), parse_options=parse).schema.names
    convert = pc.ConvertOptions(column_types={name: pa.string() for name in names},
                                strings_can_be_null=False, quoted_strings_can_be_null=False)
    table = pc.read_csv(sample.path, read_options=options(4 << 20), parse_options=parse,
                        convert_options=convert).combine_chunks()
    text = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str": what read_csv(dtype=str) gives
    strings = (pa.string(), pa.large_string())
    return table.to_pandas(types_mapper=lambda kind: text if kind in strings else None)


def _drop_extra_rows(frame: pd.DataFrame, sample: TableSample) -> pd.DataFrame:
    """Without the header rows under the header (never responses)."""
    return frame.iloc[sample.extra_rows:].reset_index(drop=True) if sample.extra_rows else frame


def sheet_frame(rows: list[list[str]], *, skip: int = 0, extra: int = 0) -> pd.DataFrame:
    """A sheet's rows (header first) as a DataFrame of strings, header rows and stray lines left out.

    The table is as wide as its last non-empty cell, header or not (a question spanning several
    columns leaves its last columns without a name in the header: they are kept, never cut);
    nameless columns are called ``column``, duplicate names get pandas' ``.1``.

    Examples
    --------
    >>> sheet_frame([["a", "b", ""], ["1", "2", ""], ["3", "", ""]])["b"].tolist()
    ['2', '']
    >>> sheet_frame([["q", ""], ["x", "y"]]).columns.tolist()
    ['q', 'column']
    """
    width = 0
    for row in rows[skip:]:
        last = len(row)
        while last > width and not row[last - 1].strip():
            last -= 1
        width = max(width, last)
    header = [h.strip() for h in rows[skip]] if len(rows) > skip else []
    header = (header + [""] * width)[:width]
    body = [(r + [""] * width)[:width] for r in rows[skip + 1 + extra:]]
    names = _unique(header)
    if not body:
        return pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    return pd.DataFrame(body, columns=names, dtype="str")


def read_xlsx_strings(sample: TableSample | str | Path) -> dict[str, pd.DataFrame]:
    """Every non-empty sheet of an XLSX workbook as a DataFrame of strings (header = first row).

    Whole-number cells read ``12``, dates ISO, empty cells ``""``; rows above a sheet's header
    and header rows under it (:attr:`TableSample.layouts`) are left out.
    """
    if not isinstance(sample, TableSample):
        sample = sniff_table(sample)
    return {name: sheet_frame(rows, skip=sample.layouts.get(name, (0, 0))[0],
                              extra=sample.layouts.get(name, (0, 0))[1])
            for name, rows in sample.workbook.items() if rows}


def _unique(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        name = name or "column"
        out.append(f"{name}.{seen[name]}" if seen[name] else name)
        seen[name] += 1
    return out
