"""The pseudonymised answers of a wave for SPSS, Stata or R: ``coopwork export --data``.

:func:`write_data` writes, into ``<workspace>/data/exports/<survey_id>/data/<wave>/``::

    responses.sav|.dta|.csv   one row per submission (per responding organisation)
    relations.sav|.dta|.csv   one row per tie (the relations repeat), when the form has one
    <repeat>.sav|.dta|.csv    one row per row of each other repeat group, at any depth: ``key``
                              names the row, ``parent_key`` its parent (the submission's
                              ``submission_id``, or the enclosing repeat row's ``key``)
    codebook.csv              every variable: label, type, codes and their labels, missing codes
    audit.json                what left and what did not (identifiers removed, texts masked)

Files are written with pyreadstat (SPSS ``.sav``, Stata ``.dta``) or as UTF-8 CSV. Variables
are labelled with the question labels, codes with the choice labels, in ``lang``:

- select_one → numeric codes (the choice names when they are all integers, e.g. a 1–5 scale;
  otherwise 1, 2, … in form order) with value labels;
- select_multiple → one 0/1 variable per option (``<question>_<option>``), labelled;
- integer, decimal → numbers; text → text; date, datetime → dates;
- geopoint → four numbers, ``<question>_latitude``, ``_longitude``, ``_altitude``, ``_precision``
  (unit-level data for the researchers: positions are never in a published table or chart).

Two kinds of missing answers are kept apart: **not applicable** (the question's ``relevant``
condition — or that of an enclosing group — was false: it was not asked, see
:func:`coopwork.survey.relevance.applicable`) and **no answer** (it was asked, not answered).
In SPSS they are user-defined missing values (``-98`` and ``-99``, labelled); in Stata the
extended missing values ``.a`` and ``.b``; in CSV the codes ``-98`` and ``-99`` (text: ``.a``
and ``.b``), documented in ``codebook.csv``. Text and date variables of SPSS and Stata files
cannot hold both: they are left empty (system missing) in both cases.

What never leaves: the questions declared ``coopwork::identifier`` (dropped), the ingestion's
provenance columns (``_source``, ``_row``), the organisations' names (replaced by a stable
keyed code ``org_<12 hex>``, the same in both files and every wave, so ties can be joined to
organisations) and any e-mail address, phone number or pseudonym inside a free text (masked
as ``[…]``).

The formats limit the length of labels, in bytes of UTF-8 (:data:`LABEL_LIMITS`): SPSS keeps
256 for a variable label and 120 for a value label, Stata 80 for a variable label. A longer
label is cut at a character boundary — never silently: each cut is listed in
``DataFiles.labels_cut``, in ``audit.json`` (``labels_cut``) and by ``coopwork export --data``,
and ``codebook.csv`` keeps every label whole.

Examples
--------
>>> variable_names(["q", "a" * 40, "a" * 40 + "x", "1x"])
['q', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaa_2', 'v1x']
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyreadstat

from ..contacts import mask
from ..errors import ExportError
from ..fileio import write_json
from ..i18n import normalise_lang, t
from ..ingest.pseudonymise import load_key
from ..paths import DATA, in_export, name_for
from ..results.audit import AUDIT_FILE, AUDIT_VERSION
from ..survey.relevance import applicable
from ..words import to_csv
from .staging import moved, staged

if TYPE_CHECKING:
    from ..survey import Question, Survey
    from ..workspace import Workspace

__all__ = ["FORMATS", "NO_ANSWER", "NOT_APPLICABLE", "DataFiles", "variable_names", "write_data"]

FORMATS = ("sav", "dta", "csv")
#: codes of the two kinds of missing answers (numbers in SPSS and CSV; Stata: .a and .b)
NOT_APPLICABLE, NO_ANSWER = -98, -99
_STATA = {NOT_APPLICABLE: "a", NO_ANSWER: "b"}
_META = {"_submission_id": "submission_id", "_key": "key", "_parent_key": "parent_key", "_wave": "wave",
         "_territory": "territory", "_submitted_at": "submitted_at", "_index": "index"}
#: the parts of a geopoint answer (``lat lon alt accuracy``), each written as a number
_GEOPOINT = ("latitude", "longitude", "altitude", "precision")
_NAME = re.compile(r"[^A-Za-z0-9_]")
#: Stata names hold 32 bytes with the final NUL, and pyreadstat names each variable's value labels
#: after it plus a counter (up to 3 digits): 28 characters, for every format (one name everywhere)
MAX_NAME = 28


def variable_names(names: list[str]) -> list[str]:
    """Valid, unique variable names: letters, digits, ``_``, a letter first, ≤ :data:`MAX_NAME` long."""
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = _NAME.sub("_", name)
        base = base if base[:1].isalpha() else f"v{base}"
        candidate, counter = base[:MAX_NAME], 2
        while candidate.lower() in taken:
            suffix = f"_{counter}"
            candidate, counter = base[: MAX_NAME - len(suffix)] + suffix, counter + 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


@dataclass
class _Variable:
    """One variable of a file: its values and what the codebook says about it."""

    name: str
    values: pd.Series
    label: str
    kind: str  # "code", "number", "text", "date", "flag"
    labels: dict = field(default_factory=dict)
    missing: bool = False  # holds NOT_APPLICABLE / NO_ANSWER codes
    gap: pd.Series | None = None  # a text's kind of missing answer (CSV writes it as .a / .b)


#: longest labels each format keeps, in bytes of UTF-8: (variable label, value label)
LABEL_LIMITS = {"sav": (256, 120), "dta": (80, 32000)}


@dataclass
class DataFiles:
    """What :func:`write_data` wrote (``labels_cut``: the labels a format's limit shortened)."""

    folder: Path
    files: list[Path]
    removed: list[str]
    labels_cut: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"folder": str(self.folder), "files": [str(p) for p in self.files], "removed": self.removed,
                "labels_cut": self.labels_cut}


def _org_code(name: object, key: bytes) -> object:
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return None
    normal = " ".join(str(name).split()).casefold()
    return "org_" + hmac.new(key, f"organisation\x00{normal}".encode(), hashlib.sha256).hexdigest()[:12]


def _codes(question: Question, survey: Survey) -> dict[str, int]:
    names = [c.name for c in survey.choices.get(question.list_name or "", [])]
    try:
        numbers = [int(n) for n in names]
    except ValueError:
        numbers = []
    if numbers and len(set(numbers)) == len(numbers) and not {NOT_APPLICABLE, NO_ANSWER} & set(numbers):
        return dict(zip(names, numbers, strict=True))
    return {name: k for k, name in enumerate(names, start=1)}


def _missing(applies: pd.Series, answered: pd.Series) -> pd.Series:
    """NA where answered, else the code of the kind of missing answer."""
    return pd.Series(np.where(applies.to_numpy(dtype=bool), NO_ANSWER, NOT_APPLICABLE),
                     index=answered.index).where(~answered.to_numpy(dtype=bool))


def _variables(table: pd.DataFrame, questions: list[Question], survey: Survey, *, lang: str,
               key: bytes) -> list[_Variable]:
    default = survey.default_language
    missing_labels = {NOT_APPLICABLE: t("export.data_not_applicable", lang),
                      NO_ANSWER: t("export.data_no_answer", lang)}
    out = []
    for column, name in _META.items():
        if column not in table.columns:
            continue
        values, kind = table[column], "text"
        if column == "_submitted_at":
            values, kind = pd.to_datetime(values, utc=True).dt.tz_localize(None), "date"
        elif column == "_index":
            values, kind = pd.to_numeric(values).astype("float64"), "number"
        else:
            values = values.astype("object").where(values.notna(), None)
        out.append(_Variable(name, values, t(f"export.data_meta_{name}", lang), kind))
    roles = {q.name: q.role for q in questions}
    for q in questions:
        if q.identifier or q.name not in table.columns or q.type in {"note"}:
            continue
        values = table[q.name]
        label = q.label(lang, default)
        answered = values.notna()
        applies = (applicable(table, survey, q.name) if q.applies_when
                   else pd.Series(True, index=table.index))
        gap = _missing(applies, answered)
        if roles[q.name] in {"organisation", "partner"}:
            codes = values.map(lambda v: _org_code(v, key))
            out.append(_Variable(q.name, codes.astype("object").where(codes.notna(), None), label, "text"))
        elif q.type == "select_one":
            codes = _codes(q, survey)
            coded = values.astype("object").map(lambda v, c=codes: c.get(str(v)) if v is not None
                                                and v is not pd.NA else None)
            labels = {codes[n]: text for n, text in survey.choice_labels(q.name, lang).items() if n in codes}
            out.append(_Variable(q.name, coded.astype("float64").fillna(gap), label, "code",
                                 {**labels, **missing_labels}, True))
        elif q.type == "select_multiple":
            choices = survey.choice_labels(q.name, lang)
            picked = values.astype("object").map(
                lambda v: set(str(v).split()) if isinstance(v, str) else None)
            for option, option_label in choices.items():
                flags = picked.map(lambda s, o=option: None if s is None else float(o in s))
                out.append(_Variable(f"{q.name}_{option}", flags.astype("float64").fillna(gap),
                                     t("export.data_option_label", lang, label=label, option=option_label),
                                     "flag", {0: t("export.data_not_selected", lang),
                                              1: t("export.data_selected", lang), **missing_labels}, True))
        elif q.is_numeric:
            number = pd.to_numeric(values, errors="coerce").astype("float64")
            if number.isin([NOT_APPLICABLE, NO_ANSWER]).any():
                raise ExportError("export.data_code_taken", question=q.name, a=NOT_APPLICABLE, b=NO_ANSWER,
                                  hint="export.data_code_taken_hint", lang=lang)
            out.append(_Variable(q.name, number.fillna(gap), label, "number", dict(missing_labels), True))
        elif q.type in {"date", "datetime"}:
            out.append(_Variable(q.name, pd.to_datetime(values, errors="coerce"), label, "date"))
        elif q.type == "geopoint":
            parts = values.astype("string").str.split(expand=True).reindex(columns=range(4))
            for i, part in enumerate(_GEOPOINT):
                number = pd.to_numeric(parts[i], errors="coerce").astype("float64")
                text = t(f"export.data_geo_{part}", lang, label=label)
                out.append(_Variable(f"{q.name}_{part}", number.fillna(gap), text, "number",
                                     dict(missing_labels), True))
        else:
            text = values.astype("object").map(
                lambda v: None if v is None or v is pd.NA else mask(str(v), "[…]"))
            out.append(_Variable(q.name, text, label, "text", gap=gap))
    names = variable_names([v.name for v in out])
    for variable, name in zip(out, names, strict=True):
        variable.name = name
    return out


def _table_name(repeat: str, taken: dict) -> str:
    """The file name of a repeat's table: its name made safe, never that of another file."""
    name = name_for(repeat)
    return name if name not in {*taken, "responses", "relations", "codebook", "audit"} else f"repeat_{name}"


def _clip(text: str, size: int) -> str:
    """``text`` cut to ``size`` bytes of UTF-8 (the formats count bytes), never inside a character."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _frame(variables: list[_Variable], fmt: str) -> pd.DataFrame:
    columns = {}
    for v in variables:
        values = v.values.reset_index(drop=True)
        if fmt == "dta" and v.missing:  # Stata: extended missing values .a / .b
            values = values.astype("object").map(lambda x: _STATA.get(x, x) if x == x else None)
        elif fmt == "csv" and (v.missing or v.kind == "number") and (values.dropna() % 1 == 0).all():
            values = values.astype("Int64")  # codes, ranks and whole numbers without ".0"
        elif fmt == "csv" and v.gap is not None:  # CSV texts: .a not applicable, .b no answer
            gap = v.gap.reset_index(drop=True).map(lambda x: _STATA.get(x) if x == x else None)
            values = values.where(values.notna(), "." + gap.astype("object"))
        elif v.kind == "text":
            values = values.fillna("")
        columns[v.name] = values
    return pd.DataFrame(columns)


def _limited(variables: list[_Variable], fmt: str, file: str) -> tuple[dict, dict, list[dict]]:
    """Variable and value labels cut to the format's limits, and the list of what was cut."""
    limit, value_limit = LABEL_LIMITS.get(fmt, (None, None))
    labels = {v.name: v.label for v in variables}
    value_labels = {v.name: dict(v.labels) for v in variables if v.labels}
    if limit is None:
        return labels, value_labels, []
    cut = []
    for name, text in labels.items():
        if len(text.encode("utf-8")) > limit:
            labels[name] = _clip(text, limit)
            cut.append({"file": file, "variable": name, "value": None, "limit": limit, "label": text})
    for name, codes in value_labels.items():
        for code, text in codes.items():
            if len(text.encode("utf-8")) > value_limit:
                codes[code] = _clip(text, value_limit)
                cut.append({"file": file, "variable": name, "value": code, "limit": value_limit,
                            "label": text})
    return labels, value_labels, cut


def _write(variables: list[_Variable], path: Path, fmt: str, *, title: str) -> list[dict]:
    """Write one file; return the labels its format's limits cut (see :data:`LABEL_LIMITS`)."""
    frame = _frame(variables, fmt)
    labels, value_labels, cut = _limited(variables, fmt, path.name)
    if fmt == "sav":
        pyreadstat.write_sav(frame, path, file_label=_clip(title, 64),
                             column_labels=labels,
                             variable_value_labels=value_labels,
                             missing_ranges={v.name: [NOT_APPLICABLE, NO_ANSWER]
                                             for v in variables if v.missing},
                             variable_measure={v.name: "nominal" if v.kind in {"code", "flag"} else (
                                 "scale" if v.kind == "number" else "unknown") for v in variables})
    elif fmt == "dta":
        stata_labels = {name: {_STATA.get(code, code): text for code, text in codes.items()}
                        for name, codes in value_labels.items()}
        pyreadstat.write_dta(frame, path, file_label=_clip(title, 80),
                             column_labels=labels,
                             variable_value_labels=stata_labels,
                             missing_user_values={v.name: ["a", "b"] for v in variables if v.missing})
    else:
        to_csv(frame, path)
    return cut


def _codebook(files: dict[str, list[_Variable]], lang: str) -> pd.DataFrame:
    rows = []
    for file, variables in files.items():
        for v in variables:
            base = {"file": file, "variable": v.name, "label": v.label,
                    "type": t(f"export.data_type_{v.kind}", lang)}
            rows.append({**base, "value": "", "value_label": ""})
            rows += [{**base, "value": code, "value_label": text} for code, text in v.labels.items()]
    return pd.DataFrame(rows, columns=["file", "variable", "label", "type", "value", "value_label"])


def write_data(workspace: Workspace, *, wave: str | None = None, territories: list[str] | None = None,
               fmt: str = "sav", lang: str = "fr", into: Path | None = None) -> DataFiles:
    """Write the pseudonymised responses and relations of a wave (see the module docstring).

    The files are written aside and moved into ``data/exports/<survey>/data/<wave>/`` once all
    are complete (:mod:`coopwork.export.staging`): a full disk leaves that folder as it was.

    Parameters
    ----------
    workspace
        An opened workspace (:func:`coopwork.workspace.open_workspace`).
    wave
        The wave (default: the latest).
    territories
        Keep these territories only (default: all).
    fmt
        ``"sav"`` (SPSS), ``"dta"`` (Stata 15) or ``"csv"``.
    lang
        Language of the variable and value labels.
    into
        Write into this folder instead of ``data/exports/<survey>/data`` (the staging folder).

    Returns
    -------
    DataFiles

    Raises
    ------
    WorkspaceError
        An unknown wave or territory (the message lists those that exist).
    ExportError
        An unknown format, or a number question whose answers use a missing-value code.
    """
    lang = normalise_lang(lang)
    if into is None:  # all the files, or none of them
        target = in_export(workspace.exports_dir, DATA)
        with staged(target) as staging:
            done = write_data(workspace, wave=wave, territories=territories, fmt=fmt, lang=lang, into=staging)
        return DataFiles(folder=moved(done.folder, staging, target),
                         files=[moved(p, staging, target) for p in done.files], removed=done.removed,
                         labels_cut=done.labels_cut)
    if fmt not in FORMATS:
        raise ExportError("export.data_bad_format", format=fmt, formats=", ".join(FORMATS), lang=lang)
    if not workspace.waves:
        raise ExportError("export.data_nothing", file=workspace.processed_dir,
                          hint="export.data_nothing_hint", lang=lang)
    wave = wave or workspace.current_wave(territories)
    survey = workspace.survey
    responses = workspace.responses(wave=wave)
    for territory in territories or []:
        workspace.responses(wave=wave, territory=territory)  # raises, listing what exists
    if territories:
        responses = responses[responses["_territory"].isin(territories)]
    key = load_key(workspace.root)
    folder = into / name_for(wave)
    folder.mkdir(parents=True, exist_ok=True)
    sets = {"responses": _variables(responses.reset_index(drop=True), survey.top_level, survey,
                                    lang=lang, key=key)}
    for repeat, questions in survey.repeats.items():  # each repeat its own table, keyed to its parent
        rows = workspace.repeat(repeat, wave=wave)
        if territories and "_territory" in rows.columns:
            rows = rows[rows["_territory"].isin(territories)]
        if len(rows):
            name = "relations" if repeat == survey.relations_repeat else _table_name(repeat, sets)
            sets[name] = _variables(rows.reset_index(drop=True), questions, survey, lang=lang, key=key)
    written, cut = [], []
    for name, variables in sets.items():
        path = folder / f"{name}.{fmt}"
        cut += _write(variables, path, fmt, title=t("export.data_title", lang, survey=survey.title, wave=wave,
                                                     table=name))
        written.append(path)
    codebook = folder / "codebook.csv"
    to_csv(_codebook({f"{n}.{fmt}": v for n, v in sets.items()}, lang), codebook)
    written.append(codebook)
    removed = sorted(q.name for q in survey.identifiers)
    audit = folder / AUDIT_FILE
    write_json(audit, {"audit_version": AUDIT_VERSION, "kind": "microdata", "survey_id": survey.survey_id,
                       "wave": wave, "lang": lang, "format": fmt, "files": [p.name for p in written],
                       "identifiers_removed": removed, "organisations": "org_<12 hex> keyed codes",
                       "texts_masked": "e-mail addresses, phone numbers, pseudonyms → […]",
                       "missing_codes": {"not_applicable": NOT_APPLICABLE, "no_answer": NO_ANSWER,
                                         "stata": {"not_applicable": ".a", "no_answer": ".b"}},
                       "labels_cut": cut, "tables": {}, "audit": {}})
    written.append(audit)
    return DataFiles(folder=folder, files=written, removed=removed, labels_cut=cut)
