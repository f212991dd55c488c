"""Validate a :class:`~coopwork.ingest.raw.RawExport` against its Survey: typed tables + issues.

Input: the reader's records, all strings, mapped to the survey's names (see ``raw.py``).
Output: a :class:`Validated` holding

``responses``
    accepted rows, typed per ``docs/architecture.md`` (select_one → string choice name,
    select_multiple → space-separated names in form order, integer → ``Int64``, decimal →
    ``Float64``, date/datetime → ``datetime64[ns]``, text → string), with the meta columns
    ``_row``, ``_submission_id`` (source id or NA), ``_wave``, ``_territory``, ``_submitted_at``.
``repeats``
    repeat name → typed rows with ``_main_row`` (the parent's ``_row``) and ``_index`` (and, for
    a nested repeat, ``_parent_repeat`` and ``_parent_repeat_row``). Repeat rows of a
    quarantined record are not kept; each has an issue saying so.
``quarantine``
    rejected rows, every value as a string, with ``_row`` and ``_reason``.
``issues``
    one line per problem: ``row, sheet, column, value, reason, action``.

Rules, applied to whole columns at once:

- **row level → the row is quarantined**: a record with no answer at all (unreadable or
  empty; answers in its repeat rows count), no territory (neither the territory question
  nor ``territory=``), or a territory that is not in the territory question's choice list;
- **field level → the value is set missing, the original kept in the issues**: a value of
  the wrong type, an option that is not in the choice list (for select_multiple only that
  option is dropped), a broken constraint;
- **flagged, value kept**: an answer to a question that was not relevant, a required answer
  missing while the question was relevant, a column that matches no question, an expression
  that cannot be evaluated (the check is reported as not done, once per expression).

A missing answer to a question that was not relevant is not "missing".

Examples
--------
>>> import pandas as pd
>>> from coopwork.survey import Choice, Question, Survey
>>> questions = {
...     "zone": Question("zone", "select_one", role="territory",
...                      choices=(Choice("nord"), Choice("sud"))),
...     "age": Question("age", "integer", constraint=". >= 0"),
... }
>>> survey = Survey("s", "S", None, ["default"], "default", questions, {})
>>> main = pd.DataFrame({"_row": [1, 2, 3], "zone": ["nord", None, "sud"],
...                      "age": ["12", "4", "-1"]}).astype({"zone": "string", "age": "string"})
>>> from coopwork.ingest.raw import RawExport
>>> result = validate(RawExport("x.csv", "csv", main), survey, wave="w1")
>>> result.responses[["_territory", "age"]].to_dict("list")
{'_territory': ['nord', 'sud'], 'age': [12, None]}
>>> result.issues[["row", "column", "action"]].to_dict("list")
{'row': [2, 3], 'column': ['zone', 'age'], 'action': ['quarantined row', 'value set missing']}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import IngestError
from ..i18n import pick, user_lang
from ..paths import problem, territory_slug
from ..survey import Question, Survey
from ..survey.xpath import XPathError, evaluate, parse, references, uses_dot
from .codes import factorize, from_codes
from .pseudonymise import message
from .raw import RawExport

__all__ = ["ACTIONS", "ISSUE_COLUMNS", "MAX_TEXT", "Validated", "issues_frame", "validate"]

ISSUE_COLUMNS = ["row", "sheet", "column", "value", "reason", "action"]
QUARANTINED, SET_MISSING, OPTION_DROPPED, TRUNCATED, FLAGGED = (
    "quarantined row", "value set missing", "option dropped", "value truncated", "flagged")
ACTIONS = (QUARANTINED, SET_MISSING, OPTION_DROPPED, TRUNCATED, FLAGGED)
#: longest free-text answer stored (characters, about five pages): a longer one is cut to this
#: length (its last character becomes "…") and kept whole in the issues file
MAX_TEXT = 10_000
_DATE_TYPES = {"date", "datetime", "today", "start", "end"}
_MISSING_TOKENS = {"", "n/a", "NA", "N/A", "nan", "NaN", "None", "null", "NULL"}


@dataclass
class Validated:
    """The result of :func:`validate` (see the module docstring for the columns)."""

    responses: pd.DataFrame
    repeats: dict[str, pd.DataFrame] = field(default_factory=dict)
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    issues: pd.DataFrame = field(default_factory=lambda: issues_frame([]))
    #: repeat name → rows left out, each with its line in the issues: ``orphans`` (no parent
    #: record in the file) and ``quarantined`` (their record is quarantined)
    repeat_dropped: dict[str, dict[str, int]] = field(default_factory=dict)


def issues_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate issue parts into one table with the issues-file columns (row as Int64).

    The extra column ``_main_row`` (the ``_row`` of the main record an issue belongs to) is
    used to drop the issues of rows that are not stored; it is not written.

    Examples
    --------
    >>> issues_frame([]).columns.tolist()
    ['row', 'sheet', 'column', 'value', 'reason', 'action', '_main_row']
    """
    parts = [p for p in parts if len(p)]
    columns = [*ISSUE_COLUMNS, "_main_row"]
    if not parts:
        frame = pd.DataFrame({c: pd.Series([], dtype="string") for c in columns})
    else:
        frame = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    frame["row"] = frame["row"].astype("Int64")
    frame["_main_row"] = frame["_main_row"].astype("Int64")
    for column in ("sheet", "column", "value", "reason", "action"):
        frame[column] = frame[column].astype("string")
    return frame


def _issue(rows: pd.Series | list, *, sheet: str, column: str, values: object, reason: object,
           action: str, main_rows: object = None) -> pd.DataFrame:
    rows = pd.Series(rows).reset_index(drop=True)
    n = len(rows)

    def spread(value: object) -> object:
        return pd.Series(value).reset_index(drop=True) if isinstance(value, pd.Series | list) else [value] * n

    return pd.DataFrame({"row": rows, "sheet": [sheet] * n, "column": [column] * n,
                         "value": spread(values), "reason": spread(reason), "action": [action] * n,
                         "_main_row": spread(rows if main_rows is None else main_rows)})


def _map_unique(values: pd.Series, function: Callable[[str], object]) -> pd.Series:
    """Apply ``function`` once per distinct non-missing value (fast on long columns).

    Missing values map to None; the result has object dtype.
    """
    codes, uniques = factorize(values)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(v) for v in uniques]
    mapped[-1] = None  # code -1 (missing) takes the last slot
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _vector_unique(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a vectorised ``function`` to the distinct values only, then spread back."""
    codes, uniques = factorize(values)
    if not len(uniques) or len(uniques) * 2 > len(values):
        return function(values)
    small = function(uniques.astype(values.dtype))
    result = small.take(np.where(codes < 0, 0, codes))
    result.index = values.index
    if (codes < 0).any():
        result = result.mask(codes < 0)
    return result


def _spread(small: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Values of the distinct entries ``small`` put back on every row (code -1 → missing/False)."""
    if pd.api.types.is_bool_dtype(small.dtype):
        values = np.append(small.fillna(False).to_numpy(dtype=bool), False)  # the last slot: code -1
        return pd.Series(values[codes], index=index)
    if isinstance(small.dtype, pd.StringDtype):  # one Arrow take from the distinct strings
        na = small.isna().to_numpy(dtype=bool)
        if na.any():
            codes = np.where((codes >= 0) & ~na[np.maximum(codes, 0)], codes, -1)
        return from_codes(small.fillna("").reset_index(drop=True), codes, index)
    return pd.Series(small.array.take(codes, allow_fill=True), index=index)


def _spread_reason(reason: object, codes: np.ndarray, index: pd.Index) -> object:
    return _spread(reason.astype("string"), codes, index) if isinstance(reason, pd.Series) else reason


def _clean_strings(values: pd.Series, *, text: bool = False) -> pd.Series:
    """Strip spaces and turn empty cells into NA (string dtype) — and, unless ``text``, the words
    that spell a blank (``n/a``, ``NA``, ``None``…): a free-text answer ``NA`` (Namibia) is kept."""
    stripped = values.astype("string").str.strip()
    missing = stripped.isin(_MISSING_TOKENS) if not text else stripped == ""
    return stripped.mask(missing) if missing.any() else stripped


# ----------------------------------------------------------------------------- types

@dataclass
class _Checked:
    clean: pd.Series           # normalised strings (for expressions), NA where missing/invalid
    typed: pd.Series           # the stored dtype
    bad: pd.Series             # bool: value present but invalid → set missing
    reason: object             # str or Series of str for the bad rows
    dropped: pd.Series | None = None   # select_multiple: bool, some options dropped
    dropped_reason: pd.Series | None = None
    cut: pd.Series | None = None       # text: bool, the answer was longer than MAX_TEXT and was cut


def _choice_names(question: Question, survey: Survey) -> list[str]:
    if question.choices:
        return [c.name for c in question.choices]
    return [c.name for c in survey.choices.get(question.list_name or "", [])]


def _canonical_choice(value: str, allowed: set[str]) -> str | None:
    if value in allowed:
        return value
    if re.fullmatch(r"-?\d+\.0+", value) and value.split(".")[0] in allowed:
        return value.split(".")[0]  # "3.0" written by a spreadsheet for choice "3"
    return None


def _check_select_one(values: pd.Series, names: list[str]) -> _Checked:
    allowed = set(names)
    # ``values`` are the distinct values of a column (see check_types): no need to de-duplicate
    canonical = pd.Series([None if pd.isna(v) else _canonical_choice(v, allowed) for v in values],
                          index=values.index, dtype="string")
    bad = values.notna() & canonical.isna()
    return _Checked(canonical, canonical, bad, message("reason_choice"))


def _check_select_multiple(values: pd.Series, names: list[str]) -> _Checked:
    order = {name: i for i, name in enumerate(names)}
    allowed = set(names)

    def split(value: str) -> tuple[str | None, str]:
        kept, dropped = [], []
        for token in value.split():
            name = _canonical_choice(token, allowed)
            (kept if name is not None else dropped).append(name if name is not None else token)
        kept = sorted(set(kept), key=order.__getitem__)
        return (" ".join(kept) if kept else None), " ".join(dropped)

    codes, uniques = pd.factorize(values)
    pairs = [split(v) for v in uniques] + [(None, "")]
    canonical = pd.Series(np.array([p[0] for p in pairs], dtype=object)[codes], index=values.index,
                          dtype="string")
    dropped_text = pd.Series(np.array([p[1] for p in pairs], dtype=object)[codes], index=values.index,
                             dtype="string")
    present = values.notna()
    has_dropped = present & (dropped_text != "")
    bad = has_dropped & canonical.isna()          # every option unknown → value set missing
    partly = has_dropped & canonical.notna()      # some options unknown → those dropped
    reason = message("reason_choice_options") + dropped_text
    return _Checked(canonical, canonical, bad, reason, partly, reason)


def _to_float(values: pd.Series) -> pd.Series:
    text = values.str.replace(r"^\+", "", regex=True)
    return pd.to_numeric(text.astype(object), errors="coerce").astype("Float64")


def _check_number(values: pd.Series, *, integer: bool) -> _Checked:
    numbers = _to_float(values).astype("Float64")  # ``values`` are distinct already
    bad = values.notna() & numbers.isna()
    reason = message("reason_number")
    if integer:
        fractional = numbers.notna() & (numbers.fillna(0) % 1 != 0)
        bad = bad | fractional
        reason = message("reason_whole_number")
        numbers = numbers.mask(fractional)
        typed = numbers.astype("Int64")
    else:
        finite = numbers.isna() | np.isfinite(numbers.fillna(0).to_numpy(dtype=float))
        bad = bad | ~finite
        numbers = numbers.mask(~finite)
        typed = numbers
    clean = values.mask(bad)
    return _Checked(clean, typed, bad, reason)


_US_FORMATS = ("%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%b %d, %Y",
               "%Y/%m/%d %I:%M:%S %p")
_TZ_NAME = r"\s+(?!(?:AM|PM)$)(?:[A-Z]{2,5}|GMT[+-]\d{1,2}(?::?\d{2})?)$"


def parse_datetimes(values: pd.Series, *, utc: bool = False) -> pd.Series:
    """Parse ISO 8601, day-first ``dd/mm/yyyy [HH:MM[:SS]]`` and US-locale strings; NaT where unreadable.

    US-locale times are those of SurveyCTO (``9/11/2019, 3:01:44 PM``), ODK Briefcase
    (``Apr 26, 2018 8:58:20 AM``) and Google Forms (``2023/11/13 4:20:37 pm CET``: the zone
    name is dropped, the time kept as written): a 12-hour clock with AM/PM tells them from the
    day-first dates of European spreadsheets.

    Times with an offset are converted to UTC. ``utc=True`` returns ``datetime64[ns, UTC]``,
    else naive ``datetime64[ns]`` (UTC wall time).

    Examples
    --------
    >>> s = pd.Series(["2024-03-05", "2024-03-05T10:00:00+01:00", "05/03/2024 08:30:00", "soon",
    ...                "9/11/2019, 3:01:44 PM", "Apr 26, 2018 8:58:20 AM"])
    >>> parse_datetimes(s).dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2024-03-05 00:00', '2024-03-05 09:00', '2024-03-05 08:30', nan, '2019-09-11 15:01', '2018-04-26 08:58']
    """
    text = values.astype("string").str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    todo = text.notna()
    if todo.any():
        iso = text.where(text.str.match(r"^\d{4}-\d{2}-\d{2}"))
        parsed = _to_datetime(iso[todo & iso.notna()], "ISO8601")
        result[parsed.index] = parsed
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y/%m/%d %H:%M:%S",
                    "%Y/%m/%d", *_US_FORMATS):
            rest = text[todo & result.isna()]
            if rest.empty:
                break
            if fmt in _US_FORMATS:
                rest = rest.str.replace(_TZ_NAME, "", regex=True).str.upper()
            parsed = _to_datetime(rest, fmt)
            result[parsed.index] = parsed
    if utc:
        return result
    return result.dt.tz_localize(None).astype("datetime64[ns]")


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    if text.empty:
        return pd.Series([], dtype="datetime64[ns, UTC]")
    parsed = pd.to_datetime(text.astype(object), errors="coerce", utc=True, format=fmt)
    return parsed.astype("datetime64[ns, UTC]").dropna()


def _check_date(values: pd.Series, kind: str) -> _Checked:
    parsed = parse_datetimes(values).astype("datetime64[ns]")  # ``values`` are distinct already
    if kind == "date":
        parsed = parsed.dt.normalize()
    bad = values.notna() & parsed.isna()
    return _Checked(values.mask(bad), parsed, bad, message(f"reason_{kind}"))


def _check(question: Question, values: pd.Series, survey: Survey) -> _Checked:
    if question.type == "select_one":
        return _check_select_one(values, _choice_names(question, survey))
    if question.type == "select_multiple":
        return _check_select_multiple(values, _choice_names(question, survey))
    if question.type == "integer":
        return _check_number(values, integer=True)
    if question.type in {"decimal", "range"}:
        return _check_number(values, integer=False)
    if question.type in {"date", "datetime"}:
        return _check_date(values, question.type)
    if question.type == "text":
        return _check_text(values)
    none = pd.Series(False, index=values.index)
    return _Checked(values, values.astype("string"), none, "")


def _check_text(values: pd.Series) -> _Checked:
    """Free text: kept as it is up to :data:`MAX_TEXT` characters, cut beyond (the issue keeps it whole)."""
    none = pd.Series(False, index=values.index)
    cut = (values.str.len() > MAX_TEXT).fillna(False).astype(bool)
    if cut.any():
        values = values.mask(cut, values.str.slice(0, MAX_TEXT - 1) + "…")
    return _Checked(values, values.astype("string"), none, "", cut=cut if cut.any() else None)


# ----------------------------------------------------------------------------- validation

class _Table:
    """Validation state of one table (main or a repeat): clean strings, typed values, issues."""

    def __init__(self, raw: pd.DataFrame, questions: list[Question], survey: Survey, sheet: str,
                 main_rows: pd.Series) -> None:
        self.questions = [q for q in questions if q.name in raw.columns]
        self.survey = survey
        self.sheet = sheet
        self.rows = raw["_row"]
        self.main_rows = main_rows
        names = [q.name for q in self.questions]
        self.original = raw[names].astype("string")
        self.clean = pd.DataFrame(index=raw.index)
        self.stripped: dict[str, pd.Series] = {}   # cleaned strings before the type checks
        self.answered = pd.DataFrame(index=raw.index)
        # typed answers kept as (codes, typed distinct values, rows set missing since): built for the
        # active rows only, in typed_frame
        self.typed: dict[str, tuple[np.ndarray, pd.Series, np.ndarray | None]] = {}
        self.parts: list[pd.DataFrame] = []
        self.active = pd.Series(True, index=raw.index)  # rows not quarantined
        self.filled: set[str] = set()  # questions whose missing answers an option fills (--territory)
        # column → (codes, distinct clean values): expressions on one column run on its distinct values
        self.small: dict[str, tuple[np.ndarray, pd.Series]] = {}

    def issue(self, mask: pd.Series, column: str, reason: object, action: str,
              values: pd.Series | None = None) -> None:
        mask = mask & self.active
        if not mask.any():
            return
        if isinstance(reason, pd.Series):
            reason = reason[mask]
        if values is None:
            values = self.original[column][mask] if column in self.original.columns else ""
        elif isinstance(values, pd.Series):
            values = values[mask]
        self.parts.append(_issue(self.rows[mask], sheet=self.sheet, column=column, values=values,
                                 reason=reason, action=action, main_rows=self.main_rows[mask]))

    def check_types(self) -> None:
        """Clean and type every column, working on its distinct values only."""
        index = self.original.index
        clean, answered = {}, {}
        for question in self.questions:
            column = self.original[question.name]
            codes, original = factorize(column)
            text = not (question.is_numeric or question.is_select or question.type in _DATE_TYPES)
            distinct = _clean_strings(original, text=text)
            checked = _check(question, distinct, self.survey)

            def spread(small: pd.Series, codes: np.ndarray = codes, original: pd.Series = original,
                       column: pd.Series = column) -> pd.Series:
                if small.dtype == original.dtype and small.notna().all() and (small == original).all():
                    return column  # nothing changed: reuse the column (no copy of the strings)
                return _spread(small, codes, index)

            self.stripped[question.name] = spread(distinct)
            answered[question.name] = _spread(distinct.notna(), codes, index)
            if checked.bad.any():
                self.issue(_spread(checked.bad, codes, index), question.name,
                           _spread_reason(checked.reason, codes, index), SET_MISSING)
            if checked.dropped is not None and checked.dropped.any():
                self.issue(_spread(checked.dropped, codes, index), question.name,
                           _spread_reason(checked.dropped_reason, codes, index), OPTION_DROPPED)
            if checked.cut is not None:  # the issue keeps the whole answer (the original value)
                self.issue(_spread(checked.cut, codes, index), question.name,
                           message("reason_text_cut", limit=f"{MAX_TEXT:,}".replace(",", " ")), TRUNCATED)
            small_clean = checked.clean.mask(checked.bad)
            self.small[question.name] = (codes, small_clean.reset_index(drop=True))
            clean[question.name] = spread(small_clean)
            self.typed[question.name] = (codes, checked.typed.mask(checked.bad).reset_index(drop=True), None)
        self.clean = pd.DataFrame(clean, index=index, columns=[q.name for q in self.questions])
        self.answered = pd.DataFrame(answered, index=index, columns=self.clean.columns)

    def drop_rows(self, rejected: pd.Series) -> None:
        """Forget rows that are quarantined (and their issues: the row's one issue says why)."""
        if not rejected.any():
            return
        gone = set(self.rows[rejected].dropna().astype(int).tolist())
        self.parts = [p[~p["_main_row"].isin(gone).fillna(False).astype(bool)] for p in self.parts]
        self.active = self.active & ~rejected

    def context(self, extra: pd.DataFrame | None) -> pd.DataFrame:
        if extra is None:
            return self.clean
        more = extra[[c for c in extra.columns if c not in self.clean.columns]]
        return pd.concat([self.clean, more], axis=1)

    def expression_failed(self, question: Question, what: str, expression: str, exc: Exception) -> None:
        reason = message("reason_not_checked", what=message(f"what_{what}"), error=exc)
        self.parts.append(_issue([pd.NA], sheet=self.sheet, column=question.name, values=expression,
                                 reason=reason, action=FLAGGED, main_rows=[pd.NA]))

    def evaluate(self, expression: str, extra: pd.DataFrame | None, current: str | None = None
                 ) -> pd.Series:
        """Evaluate on every row; on the distinct values only when one column is involved."""
        columns = set(references(expression))
        if current is not None and uses_dot(parse(expression)):
            columns.add(current)
        if len(columns) == 1 and next(iter(columns)) in self.small:
            name = next(iter(columns))
            codes, small = self.small[name]
            frame = pd.DataFrame({name: pd.concat([small, pd.Series([pd.NA], dtype=small.dtype)],
                                                  ignore_index=True)})
            result = evaluate(expression, frame, current=current if current == name else None)
            values = result.to_numpy()[np.where(codes < 0, len(small), codes)]
            return pd.Series(values, index=self.clean.index, dtype=bool)
        return evaluate(expression, self.context(extra), current=current)

    def check_constraints(self, extra: pd.DataFrame | None) -> None:
        for question in self.questions:
            if not question.constraint:
                continue
            present = self.clean[question.name].notna()
            if not present.any():
                continue
            try:
                ok = self.evaluate(question.constraint, extra, current=question.name)
            except XPathError as exc:
                self.expression_failed(question, "constraint", question.constraint, exc)
                continue
            context = self.context(extra)
            for name in references(question.constraint):  # a missing other answer: cannot check
                if name in context.columns and name != question.name:
                    present &= context[name].notna()
            bad = present & ~ok
            texts = question.constraint_message
            explanation = pick(texts, user_lang(), self.survey.default_language)
            reason = message("reason_constraint", expression=question.constraint) + (
                f" ({explanation})" if explanation else "")
            self.issue(bad, question.name, reason, SET_MISSING)
            if bad.any():
                self.clean[question.name] = self.clean[question.name].mask(bad)
                codes, small, gone = self.typed[question.name]
                gone = bad.to_numpy(dtype=bool) if gone is None else gone | bad.to_numpy(dtype=bool)
                self.typed[question.name] = (codes, small, gone)
                self.small.pop(question.name, None)  # its distinct values no longer tell every row

    def check_relevance_and_required(self, extra: pd.DataFrame | None) -> None:
        """Flag answers to questions that were not relevant and relevant required ones left empty.

        A question is relevant where its own ``relevant`` and those of every enclosing group
        (:attr:`~coopwork.survey.Question.applies_when`) hold. Each expression is evaluated
        once per table; one that cannot be evaluated is reported once and counts as true.
        """
        results: dict[str, pd.Series | None] = {}
        for question in self.questions:
            relevant = pd.Series(True, index=self.clean.index)
            conditions = question.applies_when
            for expression in conditions:
                if expression not in results:
                    try:
                        results[expression] = self.evaluate(expression, extra)
                    except XPathError as exc:
                        results[expression] = None
                        self.expression_failed(question, "relevance", expression, exc)
                if results[expression] is not None:
                    relevant = relevant & results[expression]
            if conditions:
                shown = conditions[0] if len(conditions) == 1 else " and ".join(f"({c})" for c in conditions)
                self.issue(self.answered[question.name] & ~relevant, question.name,
                           message("reason_not_relevant", expression=shown), FLAGGED)
            if question.required and question.name not in self.filled:
                self.issue(~self.answered[question.name] & relevant, question.name,
                           message("reason_required"), FLAGGED, values="")

    def typed_frame(self) -> pd.DataFrame:
        """Typed answers of the active rows (index reset)."""
        active = self.active.to_numpy(dtype=bool)
        keep = None if active.all() else np.flatnonzero(active)
        columns = {}
        for question in self.questions:
            codes, small, gone = self.typed[question.name]
            if gone is not None:
                codes = np.where(gone, -1, codes)
            if keep is not None:
                codes = codes[keep]
            columns[question.name] = _spread(small, codes, None).array
        return pd.DataFrame(columns, index=pd.RangeIndex(int(active.sum())),
                            columns=[q.name for q in self.questions])


def _territories(raw: pd.DataFrame, clean: pd.DataFrame, survey: Survey, territory: str | None,
                 file: str) -> tuple[pd.Series, pd.Series]:
    """Territory of each row and the reason for rows that have none (NA when fine)."""
    question = survey.role("territory")
    fixed = None if territory is None else str(territory).strip() or None
    index = raw.index
    if fixed is not None and question is not None and question.type == "select_one":
        # --territory must be one of the form's territories, whether or not the export has the column
        names = _choice_names(question, survey)
        if names and fixed not in names:
            shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
            raise IngestError("ingest.err_territory_unknown", territory=fixed, question=question.name,
                              file=file, hint="ingest.hint_territory_choices", choices=shown)
    if question is None and fixed is None:
        # a form without a territory question: every respondent in one report (the synthesis)
        return (pd.Series(pd.NA, index=index, dtype="string"),
                pd.Series(pd.NA, index=index, dtype="string"))
    if question is None or question.name not in clean.columns:
        if fixed is None:
            raise IngestError("ingest.err_no_territory_column", question=question.name, file=file,
                              hint="ingest.hint_territory")
        return (pd.Series(fixed, index=index, dtype="string"),
                pd.Series(pd.NA, index=index, dtype="string"))
    values = clean[question.name]
    reason = pd.Series(pd.NA, index=index, dtype="string")
    if question.type == "select_one":
        allowed = set(_choice_names(question, survey))
        canonical = _map_unique(values, lambda v: _canonical_choice(v, allowed)).astype("string")
        unknown = values.notna() & canonical.isna()
        reason = reason.mask(unknown, message("reason_territory_unknown", question=question.name))
        values = canonical
    else:  # a free-text answer is the territory's label; its id is a slug (coopwork.paths)
        unsafe = _map_unique(values, lambda v: problem(v) is not None).eq(True)
        reason = reason.mask(values.notna() & unsafe,
                             message("reason_territory_unsafe", question=question.name))
        markup = values.str.contains(r"[<>]", regex=True).fillna(False).astype(bool)
        reason = reason.mask(reason.isna() & markup,
                             message("reason_territory_markup", question=question.name))
        values = _map_unique(values, territory_slug).astype("string")
        fixed = None if fixed is None else territory_slug(fixed)
    filled = values.fillna(fixed) if fixed is not None else values
    reason = reason.mask(reason.isna() & filled.isna(),
                         message("reason_no_territory", question=question.name))
    return filled.mask(reason.notna()), reason


def validate(raw: RawExport, survey: Survey, *, wave: str, territory: str | None = None) -> Validated:
    """Check every record of ``raw`` against ``survey``; return typed tables and the issues.

    Parameters
    ----------
    raw
        What a reader returned.
    survey
        The survey the export belongs to.
    wave
        Wave id stored with every accepted row.
    territory
        Territory of rows whose territory answer is missing (or of every row when the survey
        or the export has no territory question).

    Raises
    ------
    IngestError
        When no territory can be found for the file at all (nothing is written).
    """
    file = Path(raw.file).name
    main = raw.main.reset_index(drop=True)
    if "_row" not in main.columns:
        main["_row"] = pd.array(range(1, len(main) + 1), dtype="Int64")
    for column in ("_submission_id", "_submitted_at"):
        if column not in main.columns:
            main[column] = pd.Series(pd.NA, index=main.index, dtype="string")
    main["_row"] = main["_row"].astype("Int64")
    sheet = raw.sheet or ""
    top = [q for q in survey.top_level if q.name in main.columns]
    names = [q.name for q in top]
    table = _Table(main, top, survey, sheet, main["_row"])
    table.check_types()

    # row level: unreadable/empty records and territories → quarantine
    reason = pd.Series(pd.NA, index=main.index, dtype="string")
    if names or raw.repeats:  # a record answered only in its repeats is a real record
        empty = ~table.answered.any(axis=1) if names else pd.Series(True, index=main.index)
        if raw.repeats and empty.any():
            empty &= ~_answered_in_repeats(raw, main)
        reason = reason.mask(empty, message("reason_empty"))
    stripped = pd.DataFrame(table.stripped, index=main.index, columns=names)
    territories, territory_reason = _territories(main, stripped, survey, territory, file)
    # a reader may quarantine a record it could not read (its issue already says why)
    unreadable = {int(i["row"]): str(i.get("reason") or "unreadable record") for i in raw.issues
                  if i.get("action") == QUARANTINED and str(i.get("sheet") or "") == (raw.sheet or "")
                  and not pd.isna(i.get("row"))}
    by_reader = main["_row"].isin(list(unreadable)).fillna(False).astype(bool)
    if by_reader.any():
        reason = reason.mask(by_reader, main["_row"].map(unreadable).astype("string"))
    reason = reason.fillna(territory_reason)
    rejected = reason.notna()
    parts: list[pd.DataFrame] = []
    territory_q = survey.role("territory")
    if (rejected & ~by_reader).any():
        report = rejected & ~by_reader
        column = territory_q.name if territory_q is not None and territory_q.name in names else ""
        values = main[column][report].astype("string") if column else ""
        parts.append(_issue(main["_row"][report], sheet=sheet, column=column, values=values,
                            reason=reason[report], action=QUARANTINED))
    quarantine = main[rejected].astype("string")
    quarantine["_row"] = main["_row"][rejected]
    quarantine["_reason"] = reason[rejected]

    table.drop_rows(rejected)
    if territory is not None and territory_q is not None:
        table.filled.add(territory_q.name)
    kept = main.loc[~rejected, ["_row", "_submission_id", "_submitted_at"]].reset_index(drop=True)
    table.check_constraints(None)
    table.check_relevance_and_required(None)
    if raw.unmapped:  # one frame for every column that matches no question (a wide file has thousands)
        unmapped = pd.DataFrame({"row": pd.NA, "sheet": sheet, "column": [str(c) for c in raw.unmapped],
                                 "value": "", "reason": message("reason_unmapped"), "action": FLAGGED,
                                 "_main_row": pd.NA})
        parts.append(unmapped)

    submission_id = kept["_submission_id"].astype("string").str.strip()
    responses = pd.DataFrame({
        "_row": kept["_row"],
        "_submission_id": submission_id.mask(submission_id == ""),
        "_wave": pd.Series(str(wave), index=kept.index, dtype="string"),
        "_territory": territories[~rejected].reset_index(drop=True).astype("string"),
        "_submitted_at": _vector_unique(kept["_submitted_at"].astype("string"),
                                        lambda v: parse_datetimes(v, utc=True)),
    })
    unreadable_time = kept["_submitted_at"].notna() & responses["_submitted_at"].isna()
    if unreadable_time.any():  # a submission time that cannot be read is said, never silently lost
        parts.append(_issue(kept["_row"][unreadable_time], sheet=sheet, column="_submitted_at",
                            values=kept["_submitted_at"][unreadable_time].astype("string"),
                            reason=message("reason_datetime"), action=SET_MISSING))
    responses = pd.concat([responses, table.typed_frame()], axis=1)
    repeats = {}
    dropped: dict[str, dict[str, int]] = {}
    contexts: dict[str, pd.DataFrame] = {}  # a repeat's answers and its parents', by its _row
    for name in _parents_first(raw.repeats):
        repeats[name], dropped[name] = _validate_repeat(name, raw.repeats[name], survey, main, rejected,
                                                        table, parts, contexts)
    repeats = {name: repeats[name] for name in raw.repeats}
    raw_issues = pd.DataFrame(raw.issues, columns=ISSUE_COLUMNS) if raw.issues else None
    if raw_issues is not None:
        raw_issues["_main_row"] = pd.to_numeric(raw_issues["row"], errors="coerce").where(
            raw_issues["sheet"].fillna("").astype(str) == sheet)
        parts.insert(0, raw_issues)
    issues = issues_frame([*parts, *table.parts])
    if len(issues):  # file-wide issues first, then by record
        issues = issues.sort_values(["_main_row", "sheet", "row"], kind="stable",
                                    na_position="first").reset_index(drop=True)
    return Validated(responses=responses, repeats=repeats, quarantine=quarantine.reset_index(drop=True),
                     issues=issues, repeat_dropped=dropped)


def _parents_first(repeats: dict[str, pd.DataFrame]) -> list[str]:
    """Repeat names, each after the repeat its rows are nested in (``_parent_repeat``)."""
    parents = {name: (set(frame["_parent_repeat"].dropna().unique()) if "_parent_repeat" in frame.columns
                      else set()) & (set(repeats) - {name}) for name, frame in repeats.items()}
    order: list[str] = []
    while len(order) < len(parents):
        ready = [n for n in parents if n not in order and parents[n] <= set(order)]
        order += ready or [n for n in parents if n not in order]  # a loop cannot happen in a form
    return order


def _validate_repeat(name: str, frame: pd.DataFrame, survey: Survey, main: pd.DataFrame,
                     rejected: pd.Series, table: _Table, parts: list[pd.DataFrame],
                     contexts: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Type-check one repeat table and link it to its parent's ``_row``; how many rows were left out.

    Its expressions see the answers of its record and, for a nested repeat, of its parent repeat
    row (and of that row's parents): ``contexts`` holds them by repeat, and gets this one's.
    """
    frame = _with_rows(frame)
    parent_row = _parent_rows(frame, main)
    orphan = parent_row.isna()
    if orphan.any():
        parts.append(_issue(frame["_row"][orphan], sheet=name, column="", values="",
                            reason=message("reason_orphan"), action=FLAGGED,
                            main_rows=[pd.NA] * int(orphan.sum())))
    rejected_rows = set(main["_row"][rejected].tolist())
    with_parent = parent_row.isin(rejected_rows).fillna(False).astype(bool)
    if with_parent.any():  # kept out with their quarantined record, and said so
        parts.append(_issue(frame["_row"][with_parent], sheet=name, column="", values="",
                            reason=parent_row[with_parent].map(
                                lambda row: message("reason_parent_quarantined", row=row)),
                            action=QUARANTINED, main_rows=parent_row[with_parent]))
    keep = ~orphan & ~with_parent
    frame = frame[keep.to_numpy()].reset_index(drop=True)
    parent_row = parent_row[keep.to_numpy()].reset_index(drop=True)
    if "_index" in frame.columns:
        index = pd.to_numeric(frame["_index"], errors="coerce").astype("Int64")
    else:
        index = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    if index.isna().any():
        counted = frame.groupby(parent_row.to_numpy(), sort=False).cumcount() + 1
        index = index.fillna(counted.astype("Int64"))
    questions = survey.repeats.get(name, [])
    repeat = _Table(frame, questions, survey, name, parent_row)
    position = pd.Series(np.arange(len(table.clean)), index=table.rows.to_numpy())
    parent_context = table.clean.iloc[parent_row.map(position).fillna(-1).astype(int).to_numpy()]
    parent_context = parent_context.reset_index(drop=True)
    if "_parent_repeat" in frame.columns:  # a nested repeat: its parent row's answers too
        rows = pd.to_numeric(frame["_parent_repeat_row"], errors="coerce")
        for parent in frame["_parent_repeat"].dropna().unique():
            known = contexts.get(parent)
            if known is None:
                continue
            these = (frame["_parent_repeat"] == parent).fillna(False).to_numpy(dtype=bool)
            pulled = known.reindex(rows[these].to_numpy())
            pulled.index = parent_context.index[these]
            for column in pulled.columns.difference(parent_context.columns, sort=False):
                parent_context[column] = pd.Series(pd.NA, index=parent_context.index, dtype="string")
            for column in pulled.columns:
                if column not in table.clean.columns:
                    parent_context.loc[these, column] = pulled[column].astype("string")
    repeat.check_types()
    if len(frame):  # an empty table has nothing to check (and its parents' answers are not at hand)
        repeat.check_constraints(parent_context)
        repeat.check_relevance_and_required(parent_context)
    table.parts.extend(repeat.parts)
    own = repeat.clean.reset_index(drop=True)
    inherited = parent_context[[c for c in parent_context.columns if c not in own.columns]]
    contexts[name] = pd.concat([own, inherited], axis=1).set_axis(frame["_row"].astype("Int64").to_numpy())
    out = pd.DataFrame({"_main_row": parent_row, "_row": frame["_row"].astype("Int64"), "_index": index})
    if "_parent_repeat" in frame.columns:  # a nested repeat keeps its parent row
        out["_parent_repeat"] = frame["_parent_repeat"].astype("string")
        parent = pd.to_numeric(frame["_parent_repeat_row"], errors="coerce")
        out["_parent_repeat_row"] = parent.astype("Int64")
    dropped = {"orphans": int(orphan.sum()), "quarantined": int(with_parent.sum())}
    return pd.concat([out, repeat.typed_frame()], axis=1), dropped


def _with_rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    if "_row" not in frame.columns:
        frame["_row"] = pd.array(range(1, len(frame) + 1), dtype="Int64")
    return frame


def _parent_rows(frame: pd.DataFrame, main: pd.DataFrame) -> pd.Series:
    """The ``_row`` of each repeat row's submission in ``main`` (NA: no parent found)."""
    if "_parent_submission_id" in frame.columns and main["_submission_id"].notna().any():
        lookup = pd.Series(main["_row"].to_numpy(), index=main["_submission_id"].astype("string"))
        lookup = lookup[~lookup.index.duplicated()]
        parent_row = frame["_parent_submission_id"].astype("string").map(lookup)
    elif "_parent_row" in frame.columns:
        parent_row = pd.to_numeric(frame["_parent_row"], errors="coerce")
        parent_row = parent_row.where(parent_row.isin(main["_row"]))
    else:
        parent_row = pd.Series(np.nan, index=frame.index)
    return pd.Series(parent_row, index=frame.index).astype("Int64")


def _answered_in_repeats(raw: RawExport, main: pd.DataFrame) -> pd.Series:
    """True for the main rows that have at least one answered repeat row."""
    rows: set[int] = set()
    for frame in raw.repeats.values():
        frame = _with_rows(frame)
        answers = frame[[c for c in frame.columns if not c.startswith("_")]]
        if answers.empty:
            continue
        answered = answers.notna().any(axis=1) & ~answers.isin(list(_MISSING_TOKENS)).all(axis=1)
        rows.update(_parent_rows(frame, main)[answered].dropna().astype(int).tolist())
    return main["_row"].isin(list(rows)).fillna(False).astype(bool)
