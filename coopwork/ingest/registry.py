"""The reader registry: which platform wrote a file, and the one function that reads it.

A reader is a module with two functions, known under a format name:

``sniff(sample: TableSample) -> float``
    How sure the reader is (0 to 1) that it knows this file, from the header and the first
    records (see :mod:`coopwork.ingest.detect`).
``read(sample: TableSample, survey: Survey, *, mapping=None) -> RawExport``
    Read the whole file into a :class:`~coopwork.ingest.raw.RawExport`.

Built-in readers: ``kobo``, ``odk``, ``limesurvey``, ``googleforms``, ``qualtrics``,
``surveycto``, ``surveymonkey``, ``csv`` and ``xlsx`` (generic tables whose headers are XLSForm
names or labels), listed in :data:`BUILTIN` (the registry imports the readers; a reader never
imports the registry). A new platform is one module::

    from coopwork.ingest.registry import register

    def sniff(sample): return 0.9 if "respondent_id" in sample.columns else 0.0

    @register("surveymonkey", sniff=sniff)
    def read(sample, survey, *, mapping=None): ...

made known to coopwork by an entry point in its package's ``pyproject.toml``::

    [project.entry-points."coopwork.readers"]
    surveymonkey = "my_package.surveymonkey"

The entry point may name the module (registration happens on import) or an object with
``sniff`` and ``read`` attributes.

Examples
--------
>>> sorted(reader_names())[:3]
['csv', 'googleforms', 'kobo']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from ..errors import IngestError
from ..i18n import Key
from ..survey import Survey
from .census import data_records
from .codes import sharing
from .detect import TableSample, message, sniff_table
from .raw import RawExport
from .readers import generic, googleforms, kobo, limesurvey, odk, qualtrics, surveycto, surveymonkey
from .readers.common import SEPARATORS, Vocabulary
from .readers.mapping import load_mapping

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Reader",
    "check_counts",
    "check_matches",
    "detect_reader",
    "get_reader",
    "read_export",
    "reader_for",
    "reader_names",
    "register",
]

ENTRY_POINT_GROUP = "coopwork.readers"


@dataclass(frozen=True)
class Reader:
    """A registered reader: its format name and its ``sniff`` and ``read`` functions."""

    name: str
    sniff: Callable[[TableSample], float]
    read: Callable[..., RawExport]


#: the readers coopwork brings, in the order they are registered
BUILTIN = (
    Reader("kobo", kobo.sniff, kobo.read),
    Reader("odk", odk.sniff, odk.read),
    Reader("limesurvey", limesurvey.sniff, limesurvey.read),
    Reader("googleforms", googleforms.sniff, googleforms.read),
    Reader("qualtrics", qualtrics.sniff, qualtrics.read),
    Reader("surveycto", surveycto.sniff, surveycto.read),
    Reader("surveymonkey", surveymonkey.sniff, surveymonkey.read),
    Reader("csv", generic.sniff, generic.read),
    Reader("xlsx", generic.sniff_xlsx, generic.read),
)
_REGISTRY: dict[str, Reader] = {}
_loaded = False


def register(name: str, *, sniff: Callable[[TableSample], float] | None = None
             ) -> Callable[[Callable[..., RawExport]], Callable[..., RawExport]]:
    """Decorator registering a ``read`` function (and its ``sniff``) under the format ``name``.

    Examples
    --------
    >>> @register("doctest_format", sniff=lambda sample: 0.0)
    ... def read(sample, survey, *, mapping=None): ...
    >>> get_reader("doctest_format").name
    'doctest_format'
    >>> _ = _REGISTRY.pop("doctest_format")
    """
    def decorate(read: Callable[..., RawExport]) -> Callable[..., RawExport]:
        _REGISTRY[name] = Reader(name, sniff or (lambda sample: 0.0), read)
        return read

    return decorate


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for reader in BUILTIN:
        _REGISTRY.setdefault(reader.name, reader)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in _REGISTRY:
            continue
        try:
            obj = entry.load()
        except Exception:
            continue
        if entry.name not in _REGISTRY and hasattr(obj, "read"):
            _REGISTRY[entry.name] = Reader(entry.name, getattr(obj, "sniff", lambda s: 0.0), obj.read)


def reader_names() -> list[str]:
    """Names of every registered format (built-in and entry points)."""
    _load()
    return list(_REGISTRY)


def get_reader(name: str) -> Reader:
    """The reader registered as ``name``.

    Raises
    ------
    IngestError
        When no reader has that name (the message lists the known formats).
    """
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise IngestError("ingest_readers.unknown_format", name=name,
                          hint="ingest_readers.hint_formats", formats=", ".join(sorted(_REGISTRY))) from None


def _structure(sample: TableSample, survey: Survey) -> str | None:
    """The platform the form's structure points to when no reader knows the file for sure.

    An XLSX whose other sheets are the form's repeat groups is Kobo's; a CSV with sibling files
    ``<stem>-<repeat>.csv`` is ODK's; otherwise the separator that joins most headers that are
    question paths (``-`` for ODK, ``/``, ``.`` or ``:`` for Kobo).
    """
    repeats = set(survey.repeats)
    if sample.kind == "xlsx" and repeats and any(
            name in repeats or name in {r[:31] for r in repeats} for name in list(sample.sheets)[1:]):
        return "kobo"
    if sample.kind == "csv" and repeats and odk.sibling_repeats(sample.path, survey):
        return "odk"
    vocabulary = Vocabulary.of(survey)
    votes = dict.fromkeys(SEPARATORS, 0)
    for header in sample.header:
        sep = vocabulary.path_separator(header)
        if sep:
            votes[sep] += 1
    sep, count = max(votes.items(), key=lambda item: item[1])
    if not count:
        return None
    return "odk" if sep == "-" else "kobo"


def reader_for(sample: TableSample, survey: Survey | None = None) -> str:
    """Name of the reader most sure of the file whose beginning is ``sample`` (see :func:`detect_reader`)."""
    _load()
    scores = []
    for reader in _REGISTRY.values():
        try:
            score = float(reader.sniff(sample))
        except Exception:
            score = 0.0
        scores.append((score, reader.name))
    score, name = max(scores)
    if score < 0.5 and survey is not None:
        name = _structure(sample, survey) or name
        if name in _REGISTRY:
            return name
    return name if score > 0 else ("xlsx" if sample.kind == "xlsx" else "csv")


def detect_reader(path: str | Path, survey: Survey | None = None) -> str:
    """Name of the format of the export at ``path`` (the reader most sure of it).

    With ``survey``, a file no reader is sure of is recognised by the form's structure (its
    repeat sheets or files, the separator of its question paths).

    Raises
    ------
    IngestError
        When the file is empty, binary or not a table.
    """
    return reader_for(sniff_table(path), survey)


def read_export(path: str | Path, survey: Survey, *, fmt: str = "auto",
                mapping: str | Path | dict[str, str] | None = None, partial: bool = False) -> RawExport:
    """Read an export file into a :class:`~coopwork.ingest.raw.RawExport` mapped to ``survey``.

    Parameters
    ----------
    path
        The export (CSV or XLSX).
    survey
        The survey it answers.
    fmt
        ``"auto"`` (detect) or a format name (:func:`reader_names`): it forces the reader.
    mapping
        A column-mapping file (CSV or YAML, ``source column → question[/option]``) or dict,
        for exports whose columns are codes (LimeSurvey); any reader honours it.
    partial
        The user says that only part of the export is meant to be read (``--partial-read``): most
        columns or questions may be left unmatched, sheets that match no repeat group unread.

    Raises
    ------
    IngestError
        For a file that cannot be read (empty, binary, not a table, ragged), that holds no
        response (a header alone), whose records the reader did not all read exactly once
        (:func:`check_counts`), or that matches the survey only in part (:func:`check_matches`):
        nothing was read.

    Examples
    --------
    >>> import tempfile
    >>> from coopwork.survey import Question, Survey
    >>> survey = Survey("s", "s", None, ["fr"], "fr", {"ville": Question("ville", "text"),
    ...                 "age": Question("age", "integer")}, {})
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_text("ville;age;note\\nLyon;12;x\\n", encoding="utf-8")
    >>> raw = read_export(path, survey)
    >>> raw.reader, raw.main["ville"].tolist(), raw.unmapped
    ('csv', ['Lyon'], ['note'])
    """
    sample = sniff_table(path)
    name = reader_for(sample, survey) if fmt in ("auto", None, "") else fmt
    reader = get_reader(name)
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping)
    with sharing():  # the reader's steps hash each column once
        raw = reader.read(sample, survey, mapping=mapping)
    check_counts(raw, sample)
    check_matches(raw, survey, partial=partial)
    if raw.rows_read == 0:
        raise IngestError("ingest_readers.no_rows", file=raw.file.name,
                          hint="ingest_readers.hint_export_again")
    for name, rows in raw.unread_sheets.items():  # partial read asked for: still said
        raw.issues.append({"row": None, "sheet": name, "column": "", "value": "",
                           "reason": message("sheet_unread", rows=rows), "action": "flagged"})
    for record in sample.skipped:  # a line above the header is never dropped unsaid
        raw.issues.append({"row": None, "sheet": raw.sheet, "column": "",
                           "value": _shown(record), "reason": message("line_skipped"),
                           "action": "flagged"})
    return raw


def _shown(record: list[str]) -> str:
    text = ",".join(record)
    return text if len(text) <= 200 else text[:199] + "…"


def check_counts(raw: RawExport, sample: TableSample) -> None:
    """Raise :class:`IngestError` unless every record of the file was read exactly once.

    The records are counted by the file's own structure (:mod:`coopwork.ingest.census`), never
    through the reader's columns: a header row read as a response, a response taken for the
    header, a record split or dropped all show as a difference. Repeat sheets and files are
    checked the same way.
    """
    counted = data_records(sample, read=raw.rows_read)
    rows = raw.main["_row"] if "_row" in raw.main.columns else None
    once = rows is None or rows.tolist() == list(range(1, raw.rows_read + 1))
    if counted != raw.rows_read or not once:
        raise IngestError("ingest_readers.count_mismatch", counted=counted, read=raw.rows_read,
                          reader=raw.reader, file=raw.file.name, hint="ingest_readers.hint_count_mismatch")
    for repeat, counted in raw.repeat_counts.items():
        read = len(raw.repeats.get(repeat, ()))
        if counted != read:
            raise IngestError("ingest_readers.repeat_count_mismatch", repeat=repeat, counted=counted,
                              read=read, reader=raw.reader, file=raw.file.name,
                              hint="ingest_readers.hint_count_mismatch")


#: question types a survey declares that exports may leave out without anything being lost
_OPTIONAL_TYPES = frozenset({"calculate", "hidden", "xml-external", "csv-external", "acknowledge",
                             "background-geopoint", "audit"})


def _listed(names: list[str], limit: int = 8) -> str:
    return ", ".join(names[:limit]) + (" …" if len(names) > limit else "")


def check_matches(raw: RawExport, survey: Survey, *, partial: bool = False) -> None:
    """Raise :class:`IngestError` when the export answers another survey, or this one only in part.

    - no column matches a question: refused, whatever ``partial`` says (another survey's export);
    - most of the export's columns match no question, or most of the form's questions have no
      column (questions of repeat groups counted when the export holds that repeat), or sheets
      of the workbook match no repeat group: refused with the columns, questions and sheets
      named, unless ``partial`` (the user's ``--partial-read``).
    """
    found = [c for c in raw.main.columns if not c.startswith("_")]
    for frame in raw.repeats.values():
        found += [c for c in frame.columns if not c.startswith("_")]
    if not found:
        shown = _listed(raw.unmapped, 5)
        raise IngestError("ingest_readers.no_match", survey=survey.survey_id, reader=raw.reader,
                          columns=shown, file=raw.file.name, hint="ingest_readers.hint_no_match")
    if partial:
        return
    expected = [q for q in survey.top_level if q.type not in _OPTIONAL_TYPES]
    for repeat in raw.repeats:
        expected += [q for q in survey.repeats.get(repeat, []) if q.type not in _OPTIONAL_TYPES]
    missing = [q.name for q in expected if q.name not in set(found)]
    unmapped = list(raw.unmapped)
    columns = len(unmapped) + len(raw.matched)
    most_columns = len(unmapped) * 2 > columns
    most_questions = len(missing) * 2 > len(expected)
    if most_columns or most_questions:
        detail = "partial_both" if most_columns and most_questions else \
            "partial_columns" if most_columns else "partial_questions"
        raise IngestError("ingest_readers.partial_read", survey=survey.survey_id, reader=raw.reader,
                          detail=Key(f"ingest_readers.{detail}"), unmatched=len(unmapped), columns=columns,
                          shown_columns=_listed(unmapped), missing=len(missing), questions=len(expected),
                          shown_questions=_listed(missing), file=raw.file.name,
                          hint="ingest_readers.hint_partial_read")
    if raw.unread_sheets:
        sheets = _listed([f"{name} ({rows})" for name, rows in raw.unread_sheets.items()])
        raise IngestError("ingest_readers.unread_sheets", survey=survey.survey_id, sheets=sheets,
                          repeats=_listed(list(survey.repeats)) or "-", file=raw.file.name,
                          hint="ingest_readers.hint_partial_read")
