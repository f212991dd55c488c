"""Writers for every platform besides Kobo, in each one's conventions, registered in :data:`WRITERS`.

Each writer takes the generated form and answers (:mod:`.forms`, :mod:`.submissions`) and writes
what a user downloads from that platform; :func:`platform_options` draws the options its export
offers. The conventions come from the platforms' own code and tests (``DESIGN.md``, *Export
formats to ingest*):

``odk_central``
    the zip's CSVs: ``<form>.csv`` (``SubmissionDate``, the fields with groups joined by ``-``,
    a geopoint split into ``-Latitude/-Longitude/-Altitude/-Accuracy``, ``meta-instanceID``,
    then ``KEY`` and the metadata of a Central generation — with or without ``ReviewState``,
    ``DeviceID``, ``Edits``, ``FormVersion``, ``Status`` —, data rows one field short when
    ``ragged``) and one ``<form>-<path>.csv`` per repeat (fields, ``PARENT_KEY``, ``KEY`` =
    ``uuid:…/<path>[n]``, at any depth); select-many as names, plus ``q/option`` 0/1 columns
    when "split select multiples" is on.
``surveycto``
    the WIDE CSV: ODK-like headers, ``SubmissionDate`` in the US locale, ``formdef_version``,
    ``KEY``; repeat CSVs linked the same way.
``limesurvey``
    CSV, UTF-8 with BOM, ``;``, CRLF: ``id, submitdate, lastpage, startlanguage, seed`` then one
    column per question, headed by its code (the XLSForm name) or its full text (the label), a
    select-many as ``code[option]`` columns holding ``Y`` (codes) or ``Yes`` (texts), answers as
    codes or texts; no repeats.
``googleforms``
    CSV (``Timestamp`` first, then the labels; answers as labels, checkboxes joined with ``", "``)
    or the linked Sheet as XLSX; no repeats.
``surveymonkey``
    CSV or XLSX, "All responses", expanded: the metadata, two header rows ("Response",
    "Open-Ended Response", one option per checkbox column holding its text when ticked).
``qualtrics``
    CSV: codes, question texts, ``{"ImportId": …}`` row; ``ResponseId``, ``RecordedDate``…
``plain``
    a hand-made table: names or labels as headers; CSV in UTF-8, UTF-8 with BOM, cp1252 or
    UTF-16, with ``,`` ``;`` tab or ``|``, decimal comma with ``;``; or XLSX.

Only the main table of platforms without repeat groups is written (the oracle is then
:meth:`~.submissions.Expected.main_only`): :data:`MAIN_ONLY`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from hypothesis import strategies as st

from .exports import register_writer, section_questions, section_rows
from .forms import FormSpec, Question
from .submissions import Submissions

__all__ = ["CENTRAL_GENERATIONS", "MAIN_ONLY", "PLATFORMS", "PlatformOptions", "platform_options"]

#: the metadata after ``KEY`` of ODK Central's generations (Briefcase writes none)
CENTRAL_GENERATIONS = {
    "briefcase": (),
    "central-2021": ("SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status"),
    "central-1.2": ("SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                    "ReviewState", "DeviceID", "Edits"),
    "central": ("SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                "ReviewState", "DeviceID", "Edits", "FormVersion"),
}
#: the platforms written here, each with the file suffix it writes
PLATFORMS = {"odk_central": ".csv", "surveycto": ".csv", "limesurvey": ".csv", "googleforms": ".csv",
             "surveymonkey": ".csv", "qualtrics": ".csv", "plain": ".csv"}
#: platforms whose exports hold no repeat group
MAIN_ONLY = frozenset({"limesurvey", "googleforms", "surveymonkey", "qualtrics", "plain"})
_GEO = ("Latitude", "Longitude", "Altitude", "Accuracy")


@dataclass(frozen=True)
class PlatformOptions:
    """What a user picks when exporting (only the fields the platform has matter)."""

    generation: str = "central"       # odk_central: the metadata tail
    ragged: bool = False              # odk_central: data rows one field shorter than the header
    split_multiple: bool = False      # odk_central, surveycto: q/option columns too
    labels: bool = False              # limesurvey, plain: labels (full text) instead of codes/names
    xlsx: bool = False                # googleforms, surveymonkey, plain: the workbook
    encoding: str = "utf-8"           # plain
    separator: str = ","              # plain
    decimal_comma: bool = False       # plain (with ";")


@st.composite
def platform_options(draw: st.DrawFn, platform: str) -> PlatformOptions:
    """Draw the options ``platform``'s export dialog offers."""
    if platform == "odk_central":
        return PlatformOptions(generation=draw(st.sampled_from(sorted(CENTRAL_GENERATIONS))),
                               ragged=draw(st.booleans()), split_multiple=draw(st.booleans()))
    if platform == "surveycto":
        return PlatformOptions(split_multiple=draw(st.booleans()))
    if platform == "limesurvey":
        return PlatformOptions(labels=draw(st.booleans()))
    if platform in ("googleforms", "surveymonkey"):
        return PlatformOptions(xlsx=draw(st.booleans()))
    if platform == "plain":
        separator = draw(st.sampled_from([",", ";", "\t", "|"]))
        return PlatformOptions(labels=draw(st.booleans()), xlsx=draw(st.booleans()),
                               encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
                               separator=separator, decimal_comma=separator == ";" and draw(st.booleans()))
    return PlatformOptions()


# ---------------------------------------------------------------- values

def _label(form: FormSpec, labels: dict[str, str], default: str) -> str:
    if not labels:
        return default
    return labels.get(form.languages[0] if form.languages else "", next(iter(labels.values()))) or default


def _choice_label(form: FormSpec, q: Question, name: str) -> str:
    choice = next(c for c in form.choices_of(q) if c.name == name)
    return _label(form, choice.labels, name)


def _text(value: object, *, decimal_comma: bool = False, us_dates: bool = False) -> str:
    """A value written as text the way exports write it (ISO dates, dot decimals unless asked)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %I:%M:%S %p") if us_dates else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, tuple):  # geopoint, rank
        return " ".join(map(str, value))
    if isinstance(value, frozenset):
        return " ".join(sorted(value))
    return str(value)


def _answer(form: FormSpec, q: Question, value: object, *, labels: bool) -> str:
    """The answer as text: choice names, or choice labels when ``labels``."""
    if value is None:
        return ""
    if q.type == "select_one":
        return _choice_label(form, q, value) if labels else str(value)
    if q.type == "select_multiple":
        chosen = [c.name for c in form.choices_of(q) if c.name in value]
        return ", ".join(_choice_label(form, q, c) for c in chosen) if labels else " ".join(chosen)
    return _text(value)


def _answers(form: FormSpec) -> list[Question]:
    """The exported questions of the main table (answers only)."""
    return [q for q, _ in section_questions(form)[None] if q.is_answer]


def _write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8",
               terminator: str = "\n", quoting: int = csv.QUOTE_MINIMAL) -> Path:
    with path.open("w", encoding=encoding, newline="", errors="strict") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=terminator, quoting=quoting).writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[object]], title: str = "Sheet") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append([v if v != "" else None for v in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=SUM(A1)" typed by a respondent stays text
    book.save(path)
    return path


# ---------------------------------------------------------------- ODK Central, SurveyCTO

def _odk_tables(form: FormSpec, subs: Submissions, options: PlatformOptions, *, us_dates: bool,
                meta_front: tuple[str, ...], tail: tuple[str, ...]) -> dict[str | None, list[list[str]]]:
    tables = {}
    rows = section_rows(subs)
    keys: dict[tuple[str | None, int], str] = {}
    counters: dict[tuple[str, str], int] = {}
    places = {g.name: place for g, place in form.repeats()}
    for section, questions in section_questions(form).items():
        header: list[str] = [] if section else ["SubmissionDate", *meta_front]
        fill = []
        for q, place in questions:
            if not q.is_answer and not q.is_metadata:
                continue
            inside = list(place.path)
            if section is not None:  # a repeat file's headers start inside the repeat
                inside = inside[inside.index(section) + 1:]
            name = "-".join([*inside, q.name])
            if q.type == "geopoint":
                header += [f"{name}-{part}" for part in _GEO]
                fill.append((q, "geo"))
            else:
                header.append(name)
                fill.append((q, None))
                if q.type == "select_multiple" and options.split_multiple:
                    for choice in form.choices_of(q):
                        header.append(f"{name}/{choice.name}")
                        fill.append((q, choice.name))
        header += (["meta-instanceID", "KEY", *tail] if section is None else ["PARENT_KEY", "KEY"])
        body = []
        for row in rows[section]:
            values = row.instance.values
            record = [] if section else [_text(row.record.submitted_at, us_dates=us_dates)] + \
                [_text(values.get(m)) for m in meta_front]
            for q, part in fill:
                value = values.get(q.name)
                if part == "geo":
                    record += [str(v) for v in value] if value is not None else ["", "", "", ""]
                elif part is not None:
                    record.append("" if value is None else str(int(part in value)))
                else:
                    record.append(_answer(form, q, value, labels=False))
            uuid = f"uuid:{row.record.uuid}"
            if section is None:
                key = uuid
                filled = ["5", "Enumerator", "0", "0", "", "", "", "0", form.version]
                record += [uuid, key, *filled[:len(tail)]]
            else:
                parent = keys[(row.parent_section, row.parent_index)]
                path = list(places[section].path)  # the groups between the parent repeat and this one
                if row.parent_section is not None:
                    path = path[path.index(row.parent_section) + 1:]
                counters[(section, parent)] = counters.get((section, parent), 0) + 1
                key = f"{parent}/{'/'.join([*path, section])}[{counters[(section, parent)]}]"
                record += [parent, key]
            keys[(section, row.index)] = key
            if section is None and options.ragged:
                record = record[:-1]
            body.append(record)
        tables[section] = [header, *body]
    return tables


def _odk_write(form: FormSpec, subs: Submissions, path: Path, options: PlatformOptions, *, us_dates: bool,
               meta_front: tuple[str, ...], tail: tuple[str, ...]) -> Path:
    tables = _odk_tables(form, subs, options, us_dates=us_dates, meta_front=meta_front, tail=tail)
    paths = {g.name: place for g, place in form.repeats()}
    for section, rows in tables.items():
        if section is None:
            _write_csv(path, rows)
        else:  # <form>-<path of the repeat>.csv, groups included
            place = paths[section]
            target = path.with_name(f"{path.stem}-{'-'.join([*place.path, section])}{path.suffix}")
            _write_csv(target, rows)
    return path


@register_writer("odk_central")
def write_odk_central(form: FormSpec, subs: Submissions, path: Path,
                      options: PlatformOptions | None = None) -> Path:
    """ODK Central's CSV export (the unzipped files); returns the main CSV."""
    options = options or PlatformOptions()
    return _odk_write(form, subs, path, options, us_dates=False, meta_front=(),
                      tail=CENTRAL_GENERATIONS[options.generation])


@register_writer("surveycto")
def write_surveycto(form: FormSpec, subs: Submissions, path: Path,
                    options: PlatformOptions | None = None) -> Path:
    """SurveyCTO's WIDE CSV export (repeat CSVs next to it); returns the main CSV."""
    options = options or PlatformOptions()
    return _odk_write(form, subs, path, options, us_dates=True,
                      meta_front=("starttime", "endtime", "deviceid", "subscriberid", "simid",
                                  "devicephonenum"),
                      tail=("formdef_version",))


# ---------------------------------------------------------------- LimeSurvey, Google Forms, SurveyMonkey…

@register_writer("limesurvey")
def write_limesurvey(form: FormSpec, subs: Submissions, path: Path,
                     options: PlatformOptions | None = None) -> Path:
    """LimeSurvey's CSV export, question codes or full text (``options.labels``)."""
    options = options or PlatformOptions()
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
    columns: list[tuple[Question, str | None]] = []
    for q in _answers(form):
        title = _label(form, q.labels, q.name) if options.labels else q.name
        if q.type == "select_multiple":
            for choice in form.choices_of(q):
                option = _label(form, choice.labels, choice.name) if options.labels else choice.name
                header.append(f"{title} [{option}]" if options.labels else f"{title}[{option}]")
                columns.append((q, choice.name))
        else:
            header.append(title)
            columns.append((q, None))
    body = []
    for row in section_rows(subs)[None]:
        values = row.instance.values
        when = row.record.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
        record = [str(row.record.id), when, "3", "fr", "1234"]
        for q, option in columns:
            value = values.get(q.name)
            if option is not None:
                chosen = value is not None and option in value
                record.append(("Yes" if options.labels else "Y") if chosen else "")
            else:
                record.append(_answer(form, q, value, labels=options.labels))
        body.append(record)
    return _write_csv(path, [header, *body], delimiter=";", encoding="utf-8-sig", terminator="\r\n",
                      quoting=csv.QUOTE_ALL)


@register_writer("googleforms")
def write_googleforms(form: FormSpec, subs: Submissions, path: Path,
                      options: PlatformOptions | None = None) -> Path:
    """Google Forms responses: ``Timestamp``, labels, answers as labels (CSV, or the Sheet as XLSX)."""
    options = options or PlatformOptions()
    questions = _answers(form)
    rows = [["Timestamp", *(_label(form, q.labels, q.name) for q in questions)]]
    for row in section_rows(subs)[None]:
        rows.append([row.record.submitted_at.strftime("%d/%m/%Y %H:%M:%S"),
                     *(_answer(form, q, row.instance.values.get(q.name), labels=True) for q in questions)])
    if options.xlsx:
        return _write_xlsx(path.with_suffix(".xlsx"), rows, "Form Responses 1")
    return _write_csv(path, rows)


@register_writer("surveymonkey")
def write_surveymonkey(form: FormSpec, subs: Submissions, path: Path,
                       options: PlatformOptions | None = None) -> Path:
    """SurveyMonkey "All responses", expanded: metadata, two header rows, one column per checkbox."""
    options = options or PlatformOptions()
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
            "First Name", "Last Name", "Custom Data 1"]
    top, kinds, columns = list(meta), [""] * len(meta), []
    for q in _answers(form):
        text = _label(form, q.labels, q.name)
        if q.type == "select_multiple":
            for i, choice in enumerate(form.choices_of(q)):
                top.append(text if i == 0 else "")
                kinds.append(_label(form, choice.labels, choice.name))
                columns.append((q, choice.name))
        else:
            top.append(text)
            kinds.append("Open-Ended Response" if q.type == "text" else "Response")
            columns.append((q, None))
    rows = [top, kinds]
    for n, row in enumerate(section_rows(subs)[None]):
        values = row.instance.values
        when = row.record.submitted_at.strftime("%m/%d/%Y %I:%M:%S %p")
        record = [str(11_400_000_000 + n), "431205978", when, when, f"198.51.100.{n % 250}", "", "", "", ""]
        for q, option in columns:
            value = values.get(q.name)
            if option is not None:
                record.append(_choice_label(form, q, option) if value is not None and option in value else "")
            else:
                record.append(_answer(form, q, value, labels=True))
        rows.append(record)
    if options.xlsx:
        return _write_xlsx(path.with_suffix(".xlsx"), rows)
    return _write_csv(path, rows, encoding="utf-8-sig", terminator="\r\n")


@register_writer("qualtrics")
def write_qualtrics(form: FormSpec, subs: Submissions, path: Path,
                    options: PlatformOptions | None = None) -> Path:
    """Qualtrics' CSV: codes, question texts, then the ``ImportId`` row; choice names as values."""
    questions = _answers(form)
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "ResponseId"]
    codes = [*meta, *(q.name for q in questions)]
    texts = [*meta, *(_label(form, q.labels, q.name) for q in questions)]
    imports = [json.dumps({"ImportId": m.lower()}) for m in meta] + \
        [json.dumps({"ImportId": f"QID{i + 1}"}) for i in range(len(questions))]
    rows = [codes, texts, imports]
    for n, row in enumerate(section_rows(subs)[None]):
        when = row.record.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
        answers = [_answer(form, q, row.instance.values.get(q.name), labels=False) for q in questions]
        rows.append([when, when, "0", f"192.0.2.{n % 250}", "100", "60", "1", when,
                     f"R_{row.record.uuid[:15]}", *answers])
    return _write_csv(path, rows)


@register_writer("plain")
def write_plain(form: FormSpec, subs: Submissions, path: Path,
                options: PlatformOptions | None = None) -> Path:
    """A table made by hand: names (or labels) as headers, any encoding, separator, decimal mark."""
    options = options or PlatformOptions()
    questions = _answers(form)
    headers = [_label(form, q.labels, q.name) if options.labels else q.name for q in questions]
    rows: list[list[object]] = [["_submission_id", *headers]]
    for row in section_rows(subs)[None]:
        values = row.instance.values
        rows.append([row.record.uuid, *(_text(values.get(q.name), decimal_comma=options.decimal_comma)
                                        if q.type in ("decimal", "integer", "range", "calculate")
                                        else _answer(form, q, values.get(q.name), labels=options.labels)
                                        for q in questions)])
    if options.xlsx:
        return _write_xlsx(path.with_suffix(".xlsx"), rows)
    encoding = options.encoding
    try:  # a spreadsheet saving in cp1252 refuses what it cannot hold: the user saves in UTF-8
        "".join(str(v) for r in rows for v in r).encode(encoding)
    except UnicodeEncodeError:
        encoding = "utf-8-sig"
    return _write_csv(path, [[str(v) for v in r] for r in rows], delimiter=options.separator,
                      encoding=encoding, terminator="\r\n")
