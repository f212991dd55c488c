"""SurveyMonkey exports, CSV and XLSX, "All responses" expanded or condensed (format ``surveymonkey``).

What SurveyMonkey writes, and what this reader does with it:

- **two header rows**: the question texts, written once over the first column of each question,
  then the answer kind of each column — ``Response`` (one choice), ``Open-Ended Response``
  (text), the text of an option (a checkbox column, holding that text when ticked), a row of a
  matrix or ranking (holding the column chosen, or the rank), a field of a contact question
  (``Name``, ``Email``…), or ``Other (please specify)`` (what the respondent typed). The second
  row is a header row: it is never read as a response (:mod:`coopwork.ingest.detect` finds it by
  its structure, in any language);
- metadata columns ``Respondent ID`` (the submission id), ``Collector ID``, ``Start Date``,
  ``End Date`` (the submission time, US ``07/31/2023 04:21:36 PM``), ``IP Address``,
  ``Email Address``, ``First Name``, ``Last Name``, ``Custom Data 1``…: never stored — the IP
  address, the e-mail and the names are direct identifiers;
- every column gets the path of its two header cells, and is matched to the form by it:

  - one column: the question whose label (or name) is the question text;
  - option columns of a ``select_multiple`` question: the options ticked (by label or name);
  - ``Other (please specify)``: the text question ``<question>_other`` (pyxform's ``or_other``
    name, and the draft's), and the option ``other`` of the question when it has one;
  - rows of a matrix, fields of a contact question: the question labelled with the row, in the
    group labelled with the question (or the draft's ``<question>_<row>`` names).

A condensed export (one column per question, no options) is read the same way.

Examples
--------
>>> sniff(TableSample.of(["Respondent ID", "Collector ID", "Q1"]))
0.95
"""

from __future__ import annotations

import pandas as pd

from ...survey import Survey
from ..detect import RESPONSE_WORDS, TableSample
from ..raw import RawExport
from .common import Vocabulary, finish_main, load_table, map_columns, normalise_text, row_numbers, slugify

__all__ = ["META", "OTHER_WORDS", "columns", "groups", "read", "sniff"]

META = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
        "First Name", "Last Name", "Custom Data", "Custom Data 1", "Custom Data 2", "Custom Data 3",
        "Custom Data 4", "Custom Data 5", "Custom Variable 1", "Custom Variable 2")
_META = frozenset(normalise_text(m) for m in META)
#: the second-row text of an "Other (please specify)" column, in SurveyMonkey's languages
OTHER_WORDS = frozenset(normalise_text(w) for w in (
    "Other (please specify)", "Autre (veuillez préciser)", "Autre (précisez)", "Altro (specificare)",
    "Outro (especifique)", "Outra (especifique)", "Otro (especifique)", "Andere (bitte angeben)",
    "Sonstiges (bitte angeben)", "Altele (vă rugăm să specificați)", "Egyéb (kérjük, adja meg)"))


def sniff(sample: TableSample) -> float:
    """Sure with ``Respondent ID`` and ``Collector ID``; fairly sure with ``Respondent ID`` and a
    second header row."""
    lowered = {normalise_text(h) for h in sample.header}
    if {"respondent id", "collector id"} <= lowered:
        return 0.95
    if "respondent id" in lowered and (sample.extra_rows or lowered & {"start date", "end date"}):
        return 0.8
    return 0.0


def columns(header: list[str], sub: list[str]) -> list[tuple[str, str]]:
    """``(question text, second-row text)`` of every column: a question's text spans its columns.

    Examples
    --------
    >>> columns(["Respondent ID", "Colours?", "", "Age"], ["", "Red", "Other (please specify)", "Response"])
    [('Respondent ID', ''), ('Colours?', 'Red'), ('Colours?', 'Other (please specify)'), ('Age', 'Response')]
    """
    out = []
    top = ""
    for i, text in enumerate(header):
        if text.strip():
            top = text.strip()
        out.append((top, sub[i].strip() if i < len(sub) else ""))
    return out


def groups(pairs: list[tuple[str, str]]) -> list[tuple[str, list[int]]]:
    """Question text → the positions of its columns, in order (metadata left out)."""
    found: list[tuple[str, list[int]]] = []
    for i, (top, _) in enumerate(pairs):
        if not top or normalise_text(top) in _META:
            continue
        if found and found[-1][0] == top and (i - 1) in found[-1][1]:
            found[-1][1].append(i)
        else:
            found.append((top, [i]))
    return found


def _target(vocabulary: Vocabulary, taken: dict[str, str], top: str, sub: str) -> str | None:
    """The question of one column of a question spanning several columns (a matrix row, a field)."""
    for header in (f"{top}/{sub}", f"{slugify(top, max_length=40)}_{slugify(sub, max_length=40)}",
                   f"{top} [{sub}]", f"{top} - {sub}", sub):
        name = vocabulary.first_free(header, taken, suffixes=False)
        if name is not None:
            return name
    return None


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a SurveyMonkey CSV or XLSX export (see the module docstring)."""
    frame, sheet, _ = load_table(sample)
    sub = sample.header_rows[0] if sample.header_rows else []
    pairs = columns(sample.header + [""] * (frame.shape[1] - len(sample.header)), sub)[:frame.shape[1]]
    names = [f"{top} | {kind}" if kind and normalise_text(kind) not in RESPONSE_WORDS else top
             for top, kind in pairs]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # unique column names, as the header reads
        seen[name] = seen.get(name, 0) + 1
        names[i] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    flat = pd.DataFrame({name: frame.iloc[:, i] for i, name in enumerate(names)}, index=frame.index)
    meta = {names[i] for i, (top, _) in enumerate(pairs) if normalise_text(top) in _META}
    vocabulary = Vocabulary.of(survey)
    targets: dict[str, str] = dict(mapping or {})
    taken: dict[str, str] = {}
    for top, positions in groups(pairs):
        q = vocabulary.first_free(top, taken)
        question = vocabulary.questions.get(q) if q else None
        kinds = [pairs[i][1] for i in positions]
        if len(positions) == 1 and (not kinds[0] or normalise_text(kinds[0]) in RESPONSE_WORDS):
            if q is not None:
                targets.setdefault(names[positions[0]], q)
                taken[q] = names[positions[0]]
            continue
        for i in positions:
            kind = normalise_text(pairs[i][1])
            column = names[i]
            if kind in OTHER_WORDS and question is not None:
                other = f"{question.name}_other"
                if other in vocabulary.questions:
                    targets.setdefault(column, other)
                if question.is_select and any(c.name == "other" for c in question.choices):
                    chosen = f"{column} (other)"
                    flat[chosen] = flat[column].where(flat[column].str.strip() == "", "other")
                    targets[chosen] = f"{question.name}/other" if question.is_multiple else question.name
                continue
            if question is not None and question.is_multiple:
                targets.setdefault(column, f"{question.name}/{pairs[i][1]}")
            elif question is not None and kind in RESPONSE_WORDS:
                targets.setdefault(column, question.name)
            else:
                name = _target(vocabulary, taken, top, pairs[i][1])
                if name is not None:
                    targets.setdefault(column, name)
                    taken[name] = column
        if question is not None:
            taken[question.name] = top
    if any(c.endswith(" (other)") for c in targets):  # one answer: the chosen option or "other"
        for column, target in list(targets.items()):
            if column.endswith(" (other)") and "/" not in target:
                response = next((c for c, t in targets.items() if t == target and c != column), None)
                if response is not None:
                    flat[response] = flat[response].mask(flat[response].str.strip() == "", flat[column])
                    del targets[column]
                    flat = flat.drop(columns=column)
    rows = row_numbers(flat)
    mapped = map_columns(flat, survey, meta=meta, separators="", sheet=sheet, rows=rows, mapping=targets)
    by_name = {normalise_text(top): names[i] for i, (top, _) in enumerate(pairs)}
    ids = flat[by_name["respondent id"]] if "respondent id" in by_name else None
    time = flat[by_name["end date"]] if "end date" in by_name else None
    main = finish_main(mapped, rows=rows, submission_id=ids, submitted_at=time)
    matched = [c for c in mapped.matched if not c.endswith(" (other)")]
    return RawExport(file=sample.path, reader="surveymonkey", main=main, sheet=sheet,
                     unmapped=mapped.unmapped, issues=mapped.issues, encoding=sample.encoding,
                     matched=matched)
