"""The reader registry: which platform wrote a file, and the one function that reads it.

A reader is a module with two functions, registered under a format name:

``sniff(sample: TableSample) -> float``
    How sure the reader is (0 to 1) that it knows this file, from the header and the first
    records (see :mod:`coopwork.ingest.detect`).
``read(sample: TableSample, survey: Survey, *, mapping=None) -> RawExport``
    Read the whole file into a :class:`~coopwork.ingest.raw.RawExport`.

Built-in readers: ``kobo``, ``odk``, ``limesurvey``, ``googleforms``, ``qualtrics``,
``surveycto``, ``csv`` and ``xlsx``
(generic tables whose headers are XLSForm names or labels). A new platform is one module::

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

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from ..errors import IngestError
from ..survey import Survey
from .detect import TableSample, message, sniff_table
from .raw import RawExport

__all__ = [
    "ENTRY_POINT_GROUP",
    "Reader",
    "detect_reader",
    "get_reader",
    "read_export",
    "reader_names",
    "register",
]

ENTRY_POINT_GROUP = "coopwork.readers"
_BUILTIN = ("kobo", "odk", "limesurvey", "googleforms", "qualtrics", "surveycto", "generic")
_REGISTRY: dict[str, Reader] = {}
_loaded = False


@dataclass(frozen=True)
class Reader:
    """A registered reader: its format name and its ``sniff`` and ``read`` functions."""

    name: str
    sniff: Callable[[TableSample], float]
    read: Callable[..., RawExport]


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
    for module in _BUILTIN:
        importlib.import_module(f".readers.{module}", __package__)
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
        raise IngestError(message("unknown_format", name=name),
                          hint=message("hint_formats", formats=", ".join(sorted(_REGISTRY)))) from None


def _detect(sample: TableSample) -> str:
    _load()
    scores = []
    for reader in _REGISTRY.values():
        try:
            score = float(reader.sniff(sample))
        except Exception:
            score = 0.0
        scores.append((score, reader.name))
    score, name = max(scores)
    return name if score > 0 else ("xlsx" if sample.kind == "xlsx" else "csv")


def detect_reader(path: str | Path) -> str:
    """Name of the format of the export at ``path`` (the reader most sure of it).

    Raises
    ------
    IngestError
        When the file is empty, binary or not a table.
    """
    return _detect(sniff_table(path))


def read_export(path: str | Path, survey: Survey, *, fmt: str = "auto",
                mapping: str | Path | dict[str, str] | None = None) -> RawExport:
    """Read an export file into a :class:`~coopwork.ingest.raw.RawExport` mapped to ``survey``.

    Parameters
    ----------
    path
        The export (CSV or XLSX).
    survey
        The survey it answers.
    fmt
        ``"auto"`` (detect) or a format name (:func:`reader_names`).
    mapping
        A column-mapping file (CSV or YAML, ``source column → question[/option]``) or dict,
        for exports whose columns are codes (LimeSurvey); any reader honours it.

    Raises
    ------
    IngestError
        For a file that cannot be read (empty, binary, not a table, ragged), that holds no
        response (a header alone) or whose columns match no question of ``survey`` (another
        survey's export): nothing was read.

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
    from .codes import sharing
    from .readers.mapping import load_mapping

    sample = sniff_table(path)
    name = _detect(sample) if fmt in ("auto", None, "") else fmt
    reader = get_reader(name)
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping)
    with sharing():  # the reader's steps hash each column once
        raw = reader.read(sample, survey, mapping=mapping)
    check_matches(raw, survey)
    if raw.rows_read == 0:
        raise IngestError(message("no_rows"), file=raw.file.name, hint=message("hint_export_again"))
    return raw


def check_matches(raw: RawExport, survey: Survey) -> None:
    """Raise :class:`IngestError` when the export answers another survey (or no survey at all).

    The file is refused when no column matches a question, or when fewer than a quarter of
    its data columns match and fewer than three questions were found.
    """
    found = [c for c in raw.main.columns if not c.startswith("_")]
    for frame in raw.repeats.values():
        found += [c for c in frame.columns if not c.startswith("_")]
    total = len(found) + len(raw.unmapped)
    if not found or (len(found) < 3 and len(found) < total / 4):
        shown = ", ".join(raw.unmapped[:5]) + (" …" if len(raw.unmapped) > 5 else "")
        raise IngestError(message("no_match", survey=survey.survey_id, reader=raw.reader, columns=shown),
                          file=raw.file.name, hint=message("hint_no_match"))
