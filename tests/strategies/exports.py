"""Exports of generated answers, written as each platform writes them, with its export options.

A *writer* takes a form, its submissions, a path and :class:`ExportOptions`, writes the file(s)
a user would download and returns their paths. Writers are registered by name in
:data:`WRITERS` (:func:`register_writer`), so that tests can run over every platform, and
:func:`export_options` draws the options a platform offers. Implemented here:

``kobo_xlsx``
    KoboToolbox's KPI XLSX export ("XML values and headers" by default): the main sheet (named
    after the form title, 31 characters at most) holds the questions outside repeats, then
    ``_id, _uuid, _submission_time, _validation_status, _notes, _status, _submitted_by,
    __version__, _tags, _index``; one sheet per repeat (named after it) holds its questions, then
    ``_index, _parent_table_name, _parent_index, _submission__id, _submission__uuid, …``.
    ``_index`` counts the rows of each sheet, ``_parent_index`` is the parent row's ``_index``
    in ``_parent_table_name``. Headers carry the full path from the root (``repeat/group/q``).
    Numbers are numbers and dates are dates (unless ``types_as_text``); select_multiple is the
    space-separated column and/or one ``q/option`` column of 1/0 (blank when unanswered);
    a geopoint is the ``lat lon alt acc`` string under its bare name (KPI drops the group path
    there) plus ``group/_q_latitude``, ``_longitude``, ``_altitude``, ``_precision``. Notes are
    not exported.
``kobo_csv``
    KPI's CSV: the main sheet only (repeats are dropped), ``;`` separated, every field quoted,
    every value as text.

The option axes follow Kobo's export dialog (formpack's ``group_sep``, ``hierarchy_in_labels``,
``lang``, ``multiple_select``, ``xls_types_as_text``). Another platform is added as a function
``write_<platform>(form, subs, path, options)`` decorated with ``@register_writer("<platform>")``,
reading the rows from :func:`section_rows` and the columns from :func:`section_questions`, with
the options that platform has (add fields to :class:`ExportOptions` only when a platform needs
them, and say in :func:`export_options` which values it offers).

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> form = FormSpec.example()
>>> root = Instance({"territoire": "cluj", "effectif_1": 4}, {"actions_4": [Instance({"duree_5": 1.5})]})
>>> subs = Submissions(form, (Record(1, "u-1", datetime(2025, 1, 1), root),))
>>> path = write_kobo_xlsx(form, subs, pathlib.Path(tempfile.mkdtemp()) / "export.xlsx")
>>> openpyxl.load_workbook(path).sheetnames
['Exemple', 'actions_4']
>>> write_export("kobo_csv", form, subs, path.with_suffix(".csv")).read_text("utf-8")[:40]
'"start";"end";"territoire";"effectif_1";'
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

from hypothesis import strategies as st

from .forms import FormSpec, Group, Placed, Question
from .submissions import Instance, Record, Submissions

__all__ = [
    "KOBO_MAIN_META", "KOBO_REPEAT_META", "SEPARATORS", "WRITERS",
    "ExportOptions", "SectionRow", "export_options", "register_writer", "section_questions", "section_rows",
    "write_export", "write_kobo_csv", "write_kobo_xlsx",
]

#: group separators Kobo's export dialog offers (and none at all)
SEPARATORS = ("/", ".", "-", ":", "")
KOBO_MAIN_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
                  "_submitted_by", "__version__", "_tags", "_index")
KOBO_REPEAT_META = ("_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
                    "_submission__submission_time", "_submission__validation_status", "_submission__notes",
                    "_submission__status", "_submission__submitted_by", "_submission___version__",
                    "_submission__tags")
_GEO_PARTS = ("latitude", "longitude", "altitude", "precision")


@dataclass(frozen=True)
class ExportOptions:
    """The choices a user makes in a platform's export dialog.

    ``lang`` None means XML names as headers and choice names as values; a language of the form
    (``"Français (fr)"``, or ``""`` for a plain ``label`` column) means labels in that language.
    ``group_prefix`` puts the path of groups before each header, joined by ``group_sep``.
    ``select_multiple`` is ``"both"`` (one column of names plus one 1/0 column per option),
    ``"summary"`` (the one column) or ``"details"`` (the option columns). ``types_as_text``
    writes every XLSX cell as text.

    Examples
    --------
    >>> ExportOptions(group_sep=".", lang="English (en)")  # doctest: +NORMALIZE_WHITESPACE
    ExportOptions(group_sep='.', group_prefix=True, lang='English (en)', select_multiple='both',
                  types_as_text=False)
    """

    group_sep: str = "/"
    group_prefix: bool = True
    lang: str | None = None
    select_multiple: Literal["both", "summary", "details"] = "both"
    types_as_text: bool = False


Writer = Callable[[FormSpec, Submissions, Path, ExportOptions | None], Path]
#: platform name → writer (see the module docstring)
WRITERS: dict[str, Writer] = {}


def register_writer(name: str) -> Callable[[Writer], Writer]:
    """Register a writer under ``name`` (a decorator)."""
    def decorate(writer: Writer) -> Writer:
        WRITERS[name] = writer
        return writer

    return decorate


def write_export(platform: str, form: FormSpec, subs: Submissions, path: str | Path,
                 options: ExportOptions | None = None) -> Path:
    """Write ``subs`` as ``platform`` exports it to ``path``; return the path written."""
    return WRITERS[platform](form, subs, Path(path), options)


@st.composite
def export_options(draw: st.DrawFn, form: FormSpec, platform: str = "kobo_xlsx") -> ExportOptions:
    """Draw the export options ``platform`` offers for ``form``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(export_options(FormSpec.example()))
    ... def check(options):
    ...     assert options.lang in {None, "Français (fr)"} and options.group_sep in SEPARATORS
    >>> check()
    """
    if platform not in {"kobo_xlsx", "kobo_csv"}:
        raise ValueError(f"no export options known for {platform!r}")
    langs = list(form.languages) or [""]
    return ExportOptions(group_sep=draw(st.sampled_from(SEPARATORS)), group_prefix=draw(st.booleans()),
                         lang=draw(st.sampled_from([None, *langs])),
                         select_multiple=draw(st.sampled_from(["both", "summary", "details"])),
                         types_as_text=platform == "kobo_xlsx" and draw(st.booleans()))


# ====================================================================== tables (platform-neutral)

@dataclass(frozen=True)
class SectionRow:
    """One row of a table: the record, its answers, its ``_index`` and its parent's (Kobo's counting)."""

    record: Record
    instance: Instance
    index: int
    parent_section: str | None = None
    parent_index: int | None = None


def section_questions(form: FormSpec) -> dict[str | None, list[tuple[Question, Placed]]]:
    """Exported questions (notes left out) of each table: ``None`` → the main table, else the repeat.

    Examples
    --------
    >>> {k: [q.name for q, _ in v] for k, v in section_questions(FormSpec.example()).items()}["actions_4"]
    ['duree_5', 'visite_6']
    """
    tables: dict[str | None, list[tuple[Question, Placed]]] = {None: []}
    for repeat, _ in form.repeats():
        tables[repeat.name] = []
    for q, place in form.questions():
        if q.type != "note":
            tables[place.repeat].append((q, place))
    return tables


def section_rows(subs: Submissions) -> dict[str | None, list[SectionRow]]:
    """Rows of every table in export order, numbered as Kobo numbers them (1, 2, … per table)."""
    form = subs.form
    tables: dict[str | None, list[SectionRow]] = {None: []}
    for repeat, _ in form.repeats():
        tables[repeat.name] = []

    def visit(record: Record, instance: Instance, section: str | None, index: int) -> None:
        for name, rows in instance.repeats.items():
            for row in rows:
                position = len(tables[name]) + 1
                tables[name].append(SectionRow(record, row, position, section, index))
                visit(record, row, name, position)

    for record in subs.records:
        position = len(tables[None]) + 1
        tables[None].append(SectionRow(record, record.root, position))
        visit(record, record.root, None, position)
    return tables


# ====================================================================== Kobo

def _sheet_title(text: str) -> str:
    """A valid sheet name as Kobo makes it: no ``[]:*?/\\``, 31 characters at most."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in text).strip("'")
    return cleaned[:31] or "Sheet"


def _name(form: FormSpec, node: Question | Group, options: ExportOptions) -> str:
    """The node's header part: its XML name, or its label in ``options.lang``."""
    if options.lang is None:
        return node.name
    return node.labels.get(options.lang) or node.name


@dataclass(frozen=True)
class _Column:
    header: str
    cell: Callable[[SectionRow], object]


def _kobo_columns(form: FormSpec, q: Question, place: Placed, options: ExportOptions) -> list[_Column]:
    """The columns of one question, with how to fill each from a row."""
    leaf = _name(form, q, options)
    groups = [_name(form, g, options) for g in place.groups] if options.group_prefix else []
    prefix = options.group_sep.join(groups)
    header = f"{prefix}{options.group_sep}{leaf}" if prefix else leaf

    def answer(row: SectionRow) -> object:
        return row.instance.values.get(q.name)

    if q.type == "geopoint":
        start = f"{prefix}{options.group_sep}" if prefix else ""
        def point(row: SectionRow) -> str | None:
            return None if answer(row) is None else " ".join(map(str, answer(row)))

        columns = [_Column(leaf, point)]
        for i, part in enumerate(_GEO_PARTS):
            columns.append(_Column(f"{start}_{leaf}_{part}",
                                   lambda row, i=i: None if answer(row) is None else answer(row)[i]))
        return columns
    choices = form.choices_of(q)

    def shown(name: str) -> str:
        if options.lang is None:
            return name
        choice = next(c for c in choices if c.name == name)
        return choice.labels.get(options.lang) or name

    if q.type == "select_multiple":
        columns = []
        if options.select_multiple in {"both", "summary"}:
            columns.append(_Column(header, lambda row: None if answer(row) is None else " ".join(
                shown(c.name) for c in choices if c.name in answer(row))))
        if options.select_multiple in {"both", "details"}:
            for choice in choices:
                columns.append(_Column(f"{header}{options.group_sep or '/'}{shown(choice.name)}",
                                       lambda row, name=choice.name: None if answer(row) is None
                                       else int(name in answer(row))))
        return columns
    if q.type == "select_one":
        return [_Column(header, lambda row: None if answer(row) is None else shown(answer(row)))]
    if q.type == "rank":
        return [_Column(header, lambda row: None if answer(row) is None else " ".join(answer(row)))]
    if q.type == "calculate":
        return [_Column(header, lambda row: None if answer(row) is None else str(answer(row)))]
    return [_Column(header, answer)]


def _kobo_sheets(form: FormSpec, subs: Submissions, options: ExportOptions
                 ) -> dict[str, tuple[list[str], list[list[object]]]]:
    """Sheet name → (headers, rows of typed values) of a Kobo export."""
    main_title = _sheet_title(form.title)
    names = {None: main_title}
    for repeat, _ in form.repeats():
        title = _sheet_title(repeat.name)
        while title in names.values():  # Kobo keeps sheet names unique
            title = _sheet_title(title[:28] + "_1")
        names[repeat.name] = title
    rows = section_rows(subs)
    sheets = {}
    for section, questions in section_questions(form).items():
        columns = [c for q, place in questions for c in _kobo_columns(form, q, place, options)]
        headers = [c.header for c in columns] + list(KOBO_REPEAT_META if section else KOBO_MAIN_META)
        body = []
        for row in rows[section]:
            record = row.record
            # the submission time has no milliseconds and no offset, even in text
            submitted = record.submitted_at.isoformat() if options.types_as_text else record.submitted_at
            meta: list[object]
            if section is None:
                meta = [record.id, record.uuid, submitted, None, None, "submitted_via_web", None,
                        form.version, None, row.index]
            else:
                meta = [row.index, names[row.parent_section], row.parent_index, record.id, record.uuid,
                        submitted, None, None, "submitted_via_web", None, form.version, None]
            body.append([c.cell(row) for c in columns] + meta)
        sheets[names[section]] = (headers, body)
    return sheets


def _text(value: object) -> str:
    """A value as Kobo writes it in text: ISO dates, times with their offset."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds") + "+00:00"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="milliseconds") + "+00:00"
    return str(value)


def _xlsx_cell(value: object, options: ExportOptions) -> object:
    if value is None:
        return None
    if options.types_as_text or isinstance(value, time):
        return _text(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


@register_writer("kobo_xlsx")
def write_kobo_xlsx(form: FormSpec, subs: Submissions, path: str | Path,
                    options: ExportOptions | None = None) -> Path:
    """Write the KPI XLSX export of ``subs`` (see the module docstring); return ``path``."""
    from openpyxl import Workbook

    options = options or ExportOptions()
    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for title, (headers, body) in _kobo_sheets(form, subs, options).items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for values in body:
            sheet.append([_xlsx_cell(v, options) for v in values])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a text answer starting with '=' stays text
                elif isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


@register_writer("kobo_csv")
def write_kobo_csv(form: FormSpec, subs: Submissions, path: str | Path,
                   options: ExportOptions | None = None) -> Path:
    """Write the KPI CSV export of ``subs`` (main sheet only, ``;``, every field quoted); return ``path``."""
    options = replace(options or ExportOptions(), types_as_text=True)
    path = Path(path)
    headers, body = next(iter(_kobo_sheets(form, subs, options).values()))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(headers)
        for values in body:
            writer.writerow([_text(v) for v in values])
    return path
