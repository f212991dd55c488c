"""What every reader shares: match source columns to questions, normalise values to XLSForm names.

A reader turns its platform's quirks (meta columns, group separators, repeat tables) into a
table of strings and hands it to :func:`map_columns`, which returns the columns of the
:class:`~coopwork.ingest.raw.RawExport` contract:

- a header is matched to a question by the form's structure (:class:`Vocabulary`): its path of
  group and question names with or without group prefixes, joined by any separator
  (``group/question``, ``group.question``, ``group-question``, ``group:question``), the same
  path in labels of any language of the survey, or its slug (``Q1[SQ001]`` → ``q1_sq001``, the
  names :mod:`coopwork.ingest.draft` writes);
- ``question/option`` (or ``question[option]``) columns of a select_multiple holding
  ``1/0``, ``True/False``, ``Y`` or the option itself are joined into one space-separated
  answer; a geopoint split into ``-Latitude/-Longitude/…`` columns is joined again;
- choice labels (Google Forms, Kobo "labels" exports) are resolved to choice names; answers
  joined with ``", "`` or ``;`` are split longest label first; an option that cannot be
  resolved is dropped and reported;
- ``n/a`` and empty cells become NA; a decimal comma becomes a point in number questions.

All work is per column and per *distinct* value (``pandas.factorize``), so a 100 000-row file
costs a few vectorised passes.

Examples
--------
>>> slugify("Q1[SQ001]"), slugify("Âge de la structure ?"), slugify("2e vague")
('q1_sq001', 'age_de_la_structure', 'q_2e_vague')
>>> normalise_text("  Très   d’accord ")
"très d'accord"
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ...survey import Question, Survey
from ..codes import factorize, from_codes, remember, set_missing
from ..detect import TableSample, message, read_csv_strings, read_xlsx_strings

__all__ = [
    "SEPARATORS",
    "FALSE_VALUES",
    "TRUE_VALUES",
    "MappedColumns",
    "Vocabulary",
    "finish_main",
    "first_column",
    "load_table",
    "map_columns",
    "normalise_text",
    "row_numbers",
    "slugify",
    "strip_uuid",
]

TRUE_VALUES = frozenset({"1", "true", "y", "yes", "oui", "x", "vrai", "selected"})
FALSE_VALUES = frozenset({"0", "false", "n", "no", "non", "faux", "", "n/a"})
MISSING_VALUES = ("", "n/a", "N/A")
_GEO_PARTS = ("latitude", "longitude", "altitude", "accuracy")
_GEO_RE = re.compile(r"^(?P<q>.+?)[-_/ ](?P<part>latitude|longitude|altitude|accuracy|precision)$",
                     re.IGNORECASE)
_REPEATED_RE = re.compile(r"^(?P<name>.+)\.(?P<n>\d+)$")
_BRACKET_RE = re.compile(r"^(?P<q>[^\[\]]+)\[(?P<opt>[^\[\]]+)\]$")
_DECIMAL_COMMA_RE = r"^(\s*[-+]?\d+),(\d+\s*)$"
_SPLIT_SEPARATORS = (", ", ";", ",", " ; ", " / ", " ")


def slugify(text: str, *, max_length: int | None = None) -> str:
    """An XLSForm-safe name made of ``text``: ascii letters, digits and ``_``, not starting with a digit.

    Examples
    --------
    >>> slugify("Nom de l'organisation"), slugify(""), slugify("group-question/sub")
    ('nom_de_l_organisation', 'q', 'group_question_sub')
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    slug = (slug[:max_length] if max_length else slug).rstrip("_") or "q"
    return f"q_{slug}" if slug[0].isdigit() else slug


@lru_cache(maxsize=1 << 16)
def normalise_text(text: str) -> str:
    """Casefolded text with typographic apostrophes, non-breaking spaces and runs of spaces unified.

    Used to compare headers with labels and answers with choice labels (cached: the same labels and
    answers come back column after column).
    """
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"<[^>]+>", " ", text)  # LimeSurvey / Kobo labels may hold HTML
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return re.sub(r"\s*([?:!*])$", r"\1", text).rstrip("*").strip()


def strip_uuid(series: pd.Series) -> pd.Series:
    """Submission ids without the ``uuid:`` prefix (Kobo ``_uuid`` and ODK ``KEY`` then agree)."""
    return series.str.removeprefix("uuid:")


#: characters exports join group names (or group labels) and question names with: Kobo's export
#: dialog offers ``/`` ``.`` ``-`` and others (or nothing at all); ODK uses ``-``; ``:`` appears in
#: hand-made files
SEPARATORS = "/.-:"


def _paths(parts: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every tail of a path, longest first: ``(a, b, q)`` → ``(a, b, q), (b, q), (q,)``."""
    return [parts[i:] for i in range(len(parts))]


@dataclass
class Vocabulary:
    """The questions of one scope of a survey (top level, or one repeat) with every way to name them.

    Built from the form's **structure**, not from known spellings: a question is named by its path
    — the names of its groups and its own, whole or without some leading groups, joined by any of
    :data:`SEPARATORS` — or by the same path made of labels (group labels when the survey has them,
    then the question's label) in any language of the form, or by the slug of its name or label.
    A leaf name used in several groups is told apart by its path; without one (an export without
    group prefixes) :meth:`candidates` gives every question it may be, in form order.
    """

    survey: Survey
    repeat: str | None = None
    questions: dict[str, Question] = field(init=False)
    _names: dict[str, list[str]] = field(init=False)
    _labels: dict[tuple[str, ...], list[str]] = field(init=False)
    _slugs: dict[str, list[str]] = field(init=False)
    _endings: dict[str, list[tuple[str, str]]] = field(init=False)

    def __post_init__(self) -> None:
        if self.repeat is None:
            scope = [q for q in self.survey.questions.values() if q.repeat is None and q.is_answer]
        else:
            scope = list(self.survey.repeats.get(self.repeat, []))
        self.questions = {q.name: q for q in scope}
        names: dict[str, list[str]] = {}
        labels: dict[tuple[str, ...], list[str]] = {}
        slugs: dict[str, list[str]] = {}

        def add(table: dict, key: object, name: str) -> None:
            found = table.setdefault(key, [])
            if name not in found:
                found.append(name)

        groups = getattr(self.survey, "groups", None) or {}
        for q in scope:
            leaf = q.source_name or q.name
            add(names, q.name, q.name)
            path = (*q.group, leaf)
            for tail in _paths(path):
                for sep in SEPARATORS if len(tail) > 1 else "/":
                    key = sep.join(tail)
                    add(names, key, q.name)
                    add(names, key.casefold(), q.name)
                if len(tail) > 1:  # group names written with no separator at all (an export option)
                    add(names, "".join(tail), q.name)
            for lang, label in q.labels.items():
                group_labels = []
                for depth in range(1, len(q.group) + 1):
                    group = groups.get("/".join(q.group[:depth]))
                    texts = getattr(group, "labels", None) or {}
                    group_labels.append(texts.get(lang) or q.group[depth - 1])
                for tail in _paths((*group_labels, label)):
                    for sep in SEPARATORS:
                        add(labels, (sep, *(normalise_text(p) for p in sep.join(tail).split(sep))), q.name)
                    if len(tail) > 1:
                        add(labels, ("", normalise_text("".join(tail))), q.name)
                add(labels, ("", normalise_text(label)), q.name)
            add(slugs, slugify(q.name), q.name)
            for label in q.labels.values():
                add(slugs, slugify(label), q.name)
        # labels by their last word: a header that ends with a label, after group labels written
        # with no separator ("Vos partenairesNom du partenaire"), is found without trying them all
        endings: dict[str, list[tuple[str, str]]] = {}
        for q in scope:
            for label in q.labels.values():
                text = normalise_text(label)
                if text:
                    endings.setdefault(text.rsplit(" ", 1)[-1], []).append((text, q.name))
        self._names, self._labels, self._slugs, self._endings = names, labels, slugs, endings
        #: names and labels of the groups that hold the scope's questions: the first part of a path
        self._group_words = {normalise_text(word) for q in scope for depth in range(1, len(q.group) + 1)
                             for word in (q.group[depth - 1],
                                          *(getattr(groups.get("/".join(q.group[:depth])), "labels",
                                                    None) or {}).values())}
        #: questions the form declares that hold no answer (``start``, ``end``, ``deviceid``,
        #: notes…): their columns are metadata, never "a column that matches no question"
        self.declared_meta = {q.name for q in self.survey.questions.values() if not q.is_answer}

    def candidates(self, header: str, *, separators: str = SEPARATORS, slugs: bool = True,
                   suffixes: bool = True) -> list[str]:
        """Every question ``header`` may stand for, best first (empty when none).

        By name path (exact, then any case), then label path, then — when ``suffixes`` and nothing
        else matched — the same after leaving out leading parts the form does not know (a prefix
        such as the form's own name), then slugs (when ``slugs``).
        """
        header = header.strip()
        if not header:
            return []
        found = self._lookup(header, separators)
        if found or not suffixes:
            return found
        for sep in separators:
            if sep in header:
                parts = header.split(sep)
                for i in range(1, len(parts)):
                    found = self._lookup(sep.join(parts[i:]).strip(), separators)
                    if found:
                        return found
        text = normalise_text(header)
        ending = [(label, name) for label, name in self._endings.get(text.rsplit(" ", 1)[-1], ())
                  if text.endswith(label) and len(label) < len(text)]
        if ending:  # the question's label after labels of groups joined with no separator
            longest = max(len(label) for label, _ in ending)
            return list(dict.fromkeys(name for label, name in ending if len(label) == longest))
        if slugs:
            found = self._slugs.get(slugify(header))
            if found:
                return list(found)
            for sep in separators:
                parts = header.split(sep)
                for i in range(1, len(parts)):
                    found = self._slugs.get(slugify(sep.join(parts[i:])))
                    if found:
                        return list(found)
        return []

    def _lookup(self, header: str, separators: str) -> list[str]:
        for key in (header, header.casefold()):
            if key in self._names:
                return list(self._names[key])
        found = self._labels.get(("", normalise_text(header)))
        if found:
            return list(found)
        for sep in separators:
            if sep in header:
                found = self._labels.get((sep, *(normalise_text(p) for p in header.split(sep))))
                if found:
                    return list(found)
        return []

    def path_separator(self, header: str) -> str | None:
        """The separator that joins ``header`` as a path of the form's groups (``/``, ``.``, ``-``,
        ``:``), or None when it is not such a path — a label that merely holds a ``-`` is not.

        Examples
        --------
        >>> from coopwork.demo import sample_survey_path
        >>> from coopwork.survey import load_survey
        >>> vocabulary = Vocabulary.of(load_survey(sample_survey_path()))
        >>> vocabulary.path_separator("profil-territoire"), vocabulary.path_separator("Où êtes-vous ?")
        ('-', None)
        """
        for sep in SEPARATORS:
            if sep in header and normalise_text(header.split(sep, 1)[0]) in self._group_words \
                    and self._lookup(header, sep):
                return sep
        return None

    @classmethod
    def of(cls, survey: Survey, repeat: str | None = None) -> Vocabulary:
        """The vocabulary of one scope of ``survey``, built once per survey object (readers ask for
        it once per table: a wide form's vocabulary is worth keeping)."""
        key = (id(survey), repeat)
        found = _VOCABULARIES.get(key)
        if found is not None and found[0]() is survey:
            return found[1]
        vocabulary = cls(survey, repeat)
        if len(_VOCABULARIES) > 32:
            _VOCABULARIES.clear()
        _VOCABULARIES[key] = (weakref.ref(survey), vocabulary)
        return vocabulary

    def question(self, header: str, *, separators: str = SEPARATORS, slugs: bool = True) -> str | None:
        """Name of the question ``header`` stands for (the first of :meth:`candidates`), or None."""
        found = self.candidates(header, separators=separators, slugs=slugs)
        return found[0] if found else None

    def first_free(self, header: str, taken: dict[str, str] | set[str], **options: object) -> str | None:
        """The first of :meth:`candidates` not in ``taken`` (a leaf name shared by several groups,
        in an export without group prefixes, is given to them in form order), or None."""
        return next((n for n in self.candidates(header, **options) if n not in taken), None)

    def option(self, question: str, text: str) -> str | None:
        """Choice name of ``question`` that ``text`` names (by name or label), or None."""
        resolver = choice_resolver(self.questions[question])
        return resolver(text)


_VOCABULARIES: dict[tuple[int, str | None], tuple[weakref.ref, Vocabulary]] = {}


def choice_resolver(question: Question) -> Callable[[str], str | None]:
    """A function mapping a choice name or label (any language, any case) to the choice name."""
    table: dict[str, str] = {}
    for choice in question.choices:
        table.setdefault(choice.name, choice.name)
    for choice in question.choices:
        table.setdefault(choice.name.casefold(), choice.name)
        table.setdefault(choice.name.strip().casefold(), choice.name)
        for label in choice.labels.values():
            table.setdefault("label:" + normalise_text(label), choice.name)
    for choice in question.choices:
        table.setdefault("slug:" + slugify(choice.name), choice.name)

    def resolve(text: str) -> str | None:
        return (table.get(text) or table.get(text.casefold()) or table.get(text.strip().casefold())
                or table.get("label:" + normalise_text(text)))

    return resolve


@dataclass
class MappedColumns:
    """Result of :func:`map_columns`: question columns, meta columns left to the reader, the rest."""

    frame: pd.DataFrame
    unmapped: list[str]
    issues: list[dict]
    #: source columns that were read into a question (the others are ``unmapped`` or metadata)
    matched: list[str] = field(default_factory=list)


def _issue(row: object, column: str, value: str, reason: str, action: str, sheet: str) -> dict:
    return {"row": int(row), "sheet": sheet, "column": column, "value": value,
            "reason": reason, "action": action}


def _by_unique(series: pd.Series, function: Callable[[str], str | None]) -> pd.Series:
    """Apply ``function`` once per distinct value (None → NA)."""
    codes, uniques = factorize(series)
    return _from_table(series, codes, uniques, [function(u) for u in uniques])


def _from_table(series: pd.Series, codes: np.ndarray, uniques: pd.Series, table: list[str | None]
                ) -> pd.Series:
    """The ``string`` column whose rows hold ``table[code]`` (None and code -1 → NA).

    Built from the distinct results in one Arrow pass; its codes are recorded for the next steps.
    """
    small_codes, small = pd.factorize(pd.Series(table, dtype="string"))
    small_codes = np.append(np.asarray(small_codes), -1)  # code -1 stays missing
    small = pd.Series(small, dtype="string")
    if all(value is None or value == unique for value, unique in zip(table, uniques, strict=True)):
        # the strings are kept (only some become NA): no copy of the text
        out = set_missing(series, small_codes[codes] < 0)
        remember(out, small_codes[codes], small)
        return out
    return from_codes(small, small_codes[codes], series.index)


def _masked(series: pd.Series, codes: np.ndarray, uniques: pd.Series, missing: frozenset[str]) -> pd.Series:
    """``series`` as ``string`` with its missing tokens (``""``, ``n/a``) set NA: the strings are kept.

    The fast path of free text and numbers (most columns): no new strings, no new hashing.
    """
    gone = np.fromiter((u in missing for u in uniques.tolist()), dtype=bool, count=len(uniques))
    if not gone.any():
        out = series.astype("string")
        remember(out, codes, uniques)
        return out
    kept = ~gone
    renumber = np.append(np.cumsum(kept) - 1, -1)  # code -1 (already missing) stays missing
    renumber[:-1][gone] = -1
    new_codes = renumber[codes]
    out = set_missing(series, new_codes < 0)
    remember(out, new_codes, uniques[kept].reset_index(drop=True))  # the distinct values it now holds
    return out


def _missing(series: pd.Series) -> pd.Series:
    return series.isna() | series.isin(MISSING_VALUES)


def _per_value(series: pd.Series, function: Callable[[str], object], dtype: object = bool) -> np.ndarray:
    """``function`` applied once per distinct value of ``series`` (NA → ``function("")``)."""
    codes, uniques = factorize(series)
    table = np.array([function(u) for u in uniques] + [function("")], dtype=dtype)
    return table[codes]


def _selected(series: pd.Series, *options: str) -> pd.Series:
    """True where the cell says the option is chosen: ``1``, ``True``, ``Y``… or the option itself
    (its name or its text, as SurveyMonkey writes it)."""
    options = {normalise_text(o) for o in options}

    def chosen(value: str) -> bool:
        value = value.strip()
        return value.casefold() in TRUE_VALUES or (bool(value) and normalise_text(value) in options)

    return pd.Series(_per_value(series, chosen), index=series.index)


def row_numbers(frame: pd.DataFrame) -> pd.Series:
    """The row of each record as the issues file names it: 1, 2, … (the header is row 0).

    Examples
    --------
    >>> row_numbers(pd.DataFrame({"q": ["a", "b"]})).tolist()
    [1, 2]
    """
    return pd.Series(np.arange(1, len(frame) + 1), index=frame.index)


def map_columns(frame: pd.DataFrame, survey: Survey, *, repeat: str | None = None,
                meta: Iterable[str] = (), separators: str = SEPARATORS, sheet: str = "",
                rows: pd.Series | None = None, multi_separators: tuple[str, ...] = _SPLIT_SEPARATORS,
                mapping: dict[str, str] | None = None, blanks: Iterable[str] = ()) -> MappedColumns:
    """Match the columns of ``frame`` (all strings) to the questions of one survey scope.

    Parameters
    ----------
    frame
        The source table, every cell a string.
    survey
        The survey the export belongs to.
    repeat
        None for the top-level questions, else the name of a repeat group.
    meta
        Source columns the reader handles itself (never reported as unmapped).
    separators
        Characters that may join group names to question names in headers (default: any of
        :data:`SEPARATORS`; ``""`` for exports whose headers are never paths, e.g. Google Forms).
    sheet
        Sheet name written in the issues.
    rows
        The ``_row`` of every record (issues name it); default 1..n.
    multi_separators
        How answers of select_multiple questions written as labels are joined.
    mapping
        Explicit ``source column → question name[/option]`` (LimeSurvey mapping files);
        used before any automatic match.
    blanks
        What the export writes for "not answered" besides an empty cell (legacy KoboCAT ``n/a``,
        LimeSurvey ``N/A``): missing in every question, free text included.

    Returns
    -------
    MappedColumns
        ``frame``: one ``string`` column per matched question, normalised (see the module
        docstring); ``unmapped``: source columns matching nothing; ``issues``: options that
        could not be resolved.

    Examples
    --------
    >>> from coopwork.survey import Choice, Question, Survey
    >>> q = Question("jours", "select_multiple", list_name="j",
    ...              choices=(Choice("lun", {"fr": "Lundi"}), Choice("mar", {"fr": "Mardi"})))
    >>> s = Survey("s", "s", None, ["fr"], "fr", {"jours": q}, {})
    >>> src = pd.DataFrame({"jours/lun": ["1", "0"], "jours/mar": ["1", "n/a"], "x": ["a", "b"]})
    >>> m = map_columns(src, s)
    >>> m.frame["jours"].tolist(), m.unmapped
    (['lun mar', <NA>], ['x'])
    """
    vocabulary = Vocabulary.of(survey, repeat)
    meta = set(meta)
    rows = row_numbers(frame) if rows is None else rows
    mapping = mapping or {}
    whole: dict[str, str] = {}                       # question → source column
    split: dict[str, list[tuple[str, str]]] = {}     # question → [(option text, column)]
    geo: dict[str, dict[str, str]] = {}              # question → {part: column}
    unmapped: list[str] = []
    matched: list[str] = []
    names = set(frame.columns)
    for column in frame.columns:
        if column in meta:
            continue
        target = mapping.get(column)
        header = column
        repeated = _REPEATED_RE.match(column)
        if repeated and repeated["name"] in names:  # a name the header holds twice (``name``, ``name.1``)
            header = repeated["name"]
        if target is not None:
            name, _, option = target.partition("/")
            if name not in vocabulary.questions:
                unmapped.append(column)
                continue
            matched.append(column)
            if option:
                split.setdefault(name, []).append((option, column))
            else:
                whole.setdefault(name, column)
            continue
        # 1. the whole header names a question (its path or label path, any separator); a header
        # written twice is first taken for the next question of that name, else as it reads (X.1)
        name = vocabulary.first_free(header, whole, separators=separators, slugs=False, suffixes=False)
        if name is None and header != column:
            name = vocabulary.first_free(column, whole, separators=separators, slugs=False, suffixes=False)
        if name is not None:
            whole[name] = column
            matched.append(column)
            continue
        # 2. one option of a select_multiple, or one part of a split geopoint
        found = _split_column(header, vocabulary, separators)
        if found is not None:
            kind, name, part = found
            if kind == "option":
                split.setdefault(name, []).append((part, column))
            else:
                geo.setdefault(name, {})[part] = column
            matched.append(column)
            continue
        # 3. a prefix the form does not know, or a slug (``Q1[SQ001]`` → ``q1_sq001``)
        name = vocabulary.first_free(header, whole, separators=separators)
        if name is not None:
            whole[name] = column
            matched.append(column)
            continue
        if any(part in vocabulary.declared_meta for sep in separators or "/" for part in header.split(sep)):
            continue  # metadata the form itself declares (ODK Central's start, end)
        unmapped.append(column)

    out: dict[str, pd.Series] = {}
    issues: list[dict] = []
    for name, q in vocabulary.questions.items():
        if name not in whole and name not in split and name not in geo:
            continue
        series = None
        if name in whole:
            source = frame[whole[name]]
            series, found = _normalise(source, q, multi_separators, frozenset(blanks))
            for value, reason in found:
                for row in rows[source == value].tolist():
                    issues.append(_issue(row, whole[name], value, reason, "option dropped", sheet))
        if name in split:
            joined = _join_options(frame, q, split[name], vocabulary, rows, sheet, issues)
            series = joined if series is None else series.fillna(joined)
        if name in geo:
            parts = [geo[name].get(p, geo[name].get("precision" if p == "accuracy" else p))
                     for p in _GEO_PARTS]
            if parts[0] and parts[1]:
                cols = [frame[c].astype("string").mask(_missing(frame[c])) if c else
                        pd.Series("0", index=frame.index, dtype="string") for c in parts]
                point = cols[0] + " " + cols[1] + " " + cols[2].fillna("0") + " " + cols[3].fillna("0")
                series = point if series is None else series.fillna(point)
        out[name] = series
    result = pd.DataFrame(out, index=frame.index)
    return MappedColumns(frame=result, unmapped=unmapped, issues=issues, matched=matched)


def _split_column(column: str, vocabulary: Vocabulary, separators: str) -> tuple[str, str, str] | None:
    """``("option", question, option text)`` or ``("geo", question, part)`` for a column holding one
    option of a select_multiple (``q/option``, ``q.option``, ``q[option]``…) or one part of a
    geopoint (``q-Latitude``); the reading whose option the question knows wins."""
    header = column.strip()
    match = _BRACKET_RE.match(header)
    candidates = []
    if match:
        candidates.append((match["q"].strip(), match["opt"].strip()))
    for sep in dict.fromkeys("/" + (separators or "")):
        if sep in header:
            head, _, tail = header.rpartition(sep)
            candidates.append((head, tail))
    fallback = None
    for head, tail in candidates:
        for name in vocabulary.candidates(head, separators=separators):
            q = vocabulary.questions[name]
            if q.is_multiple:
                if vocabulary.option(name, tail) is not None:
                    return "option", name, tail
                fallback = fallback or ("option", name, tail)
            elif q.type == "geopoint" and tail.strip().lower() in (*_GEO_PARTS, "precision"):
                return "geo", name, tail.strip().lower()
    if fallback is not None:
        return fallback
    geo_match = _GEO_RE.match(header.lstrip("_"))
    if geo_match:
        name = vocabulary.question(geo_match["q"], separators=separators)
        if name is not None and vocabulary.questions[name].type == "geopoint":
            return "geo", name, geo_match["part"].lower()
    return None


def _join_options(frame: pd.DataFrame, q: Question, columns: list[tuple[str, str]],
                  vocabulary: Vocabulary, rows: pd.Series, sheet: str, issues: list[dict]) -> pd.Series:
    resolved: dict[str, tuple[str, str]] = {}
    order = {c.name: i for i, c in enumerate(q.choices)}
    answered = np.zeros(len(frame), dtype=bool)
    for text, column in columns:
        cells = frame[column]
        answered |= _per_value(cells, lambda v: v not in MISSING_VALUES)
        name = vocabulary.option(q.name, text)
        if name is None:
            hits = _selected(cells, text)
            for row in rows[hits].tolist():
                issues.append(_issue(row, column, text, message("unknown_option", question=q.name),
                                     "option dropped", sheet))
            continue
        resolved[column] = (name, text)
    chosen = [(name, _selected(frame[column], name, text).to_numpy())
              for column, (name, text) in sorted(resolved.items(), key=lambda item: order.get(item[1][0], 0))]
    if not chosen:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    # one integer per row says which options are chosen; the answer text is built once per pattern
    words = (len(chosen) + 62) // 63
    codes = np.zeros(len(frame), dtype=np.int64)
    uniques: list[tuple[int, ...]] = [()]
    for word in range(words):  # factorize word by word: O(rows) hashing, no sort
        part = np.zeros(len(frame), dtype=np.int64)
        for i, (_, mask) in enumerate(chosen[word * 63:(word + 1) * 63]):
            part |= mask.astype(np.int64) << i
        pairs = pd.MultiIndex.from_arrays([codes, part]) if word else pd.Index(part)
        codes, found = pd.factorize(pairs)
        uniques = [(*uniques[c[0]], c[1]) if word else (int(c),) for c in found]
    texts = pd.array([" ".join(dict.fromkeys(name for i, (name, _) in enumerate(chosen)
                                             if (bits[i // 63] >> (i % 63)) & 1)) or None
                      for bits in uniques], dtype="string")
    return pd.Series(texts.take(np.where(answered, codes, -1), allow_fill=True), index=frame.index)


def _normalise(series: pd.Series, q: Question, multi_separators: tuple[str, ...],
               blanks: frozenset[str] = frozenset()) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Normalise one whole-answer source column (one pass per distinct value).

    A free-text answer is missing only when empty or one of the export's own ``blanks`` (a text
    that reads ``NA`` is a country code, not a blank); other questions also take ``n/a`` for one.

    Returns the ``string`` column (missing = NA) and the (value, reason) pairs to report.
    """
    problems: list[tuple[str, str]] = []
    missing = frozenset(MISSING_VALUES) | blanks
    codes, uniques = factorize(series)  # once per column: every rule below runs on distinct values
    if q.is_numeric and any("," in value for value in uniques):
        comma = re.compile(_DECIMAL_COMMA_RE)
        table = [None if v in missing else comma.sub(r"\1.\2", v) for v in uniques]
        return _from_table(series, codes, uniques, table), problems
    if q.is_numeric:  # the strings are kept, only masked
        return _masked(series, codes, uniques, missing), problems
    if not q.is_select or not q.choices:  # free text: only the export's own blanks are blanks
        return _masked(series, codes, uniques, frozenset({""}) | blanks), problems
    resolve = choice_resolver(q)
    if not q.is_multiple:
        return _by_unique(series, lambda v: None if v in missing else resolve(v) or v), problems
    order = {c.name: i for i, c in enumerate(q.choices)}
    labels = sorted(((normalise_text(label), c.name) for c in q.choices for label in c.labels.values()
                     if label), key=lambda item: -len(item[0]))

    def multiple(value: str) -> str | None:
        if value in missing:
            return None
        tokens = value.split()
        names = [resolve(tok) for tok in tokens]
        if tokens and all(n is not None for n in names):
            chosen = names
        else:
            chosen, unknown = _split_labels(value, labels, resolve, multi_separators)
            for token in unknown:
                problems.append((value, message("unknown_option_value", question=q.name, option=token)))
        unique = sorted({n for n in chosen if n}, key=lambda n: order.get(n, len(order)))
        return " ".join(unique) or None

    return _by_unique(series, multiple), problems


def _split_labels(value: str, labels: list[tuple[str, str]], resolve: Callable[[str], str | None],
                  separators: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split ``"Label A, Label B"`` into choice names, longest label first.

    With ``" "`` among ``separators`` (Kobo's label exports join the labels of a multiple answer
    with spaces, labels that hold spaces themselves), a label may be followed directly by the next.

    Examples
    --------
    >>> labels = [("jardin partagé", "jardin"), ("atelier vélo", "velo"), ("repas", "repas")]
    >>> _split_labels("Jardin partagé Atelier vélo", labels, lambda t: None, (" ",))
    (['jardin', 'velo'], [])
    """
    text = normalise_text(value)
    spaced = " " in separators
    seps = sorted({normalise_text(s) or s.strip() for s in separators} | {s.strip() for s in separators},
                  key=len, reverse=True)
    seps = [s for s in seps if s] + ([" "] if spaced else [])
    chosen: list[str] = []
    unknown: list[str] = []
    while text:
        for label, name in labels:
            if text.startswith(label):
                rest = text[len(label):]
                if spaced and rest and not rest[0].isspace() and \
                        not any(s.strip() and rest.startswith(s) for s in seps):
                    continue  # "repas" is not the start of "repassage"
                rest = rest.lstrip()
                sep = next((s for s in seps if s.strip() and rest.startswith(s)), None)
                if not rest or sep is not None or spaced:
                    chosen.append(name)
                    text = rest[len(sep):].lstrip() if sep else rest
                    break
        else:
            cut = min((i for i in (text.find(s) for s in seps) if i >= 0), default=len(text))
            token = text[:cut].strip()
            rest = text[cut:]
            sep = next((s for s in seps if rest.startswith(s)), "")
            text = rest[len(sep):].lstrip()
            name = resolve(token) if token else None
            if name is not None:
                chosen.append(name)
            elif token:
                unknown.append(token)
    return chosen, unknown


def finish_main(mapped: MappedColumns, *, rows: pd.Series, submission_id: pd.Series | None = None,
                submitted_at: pd.Series | None = None) -> pd.DataFrame:
    """The ``main`` table of a :class:`~coopwork.ingest.raw.RawExport`: meta columns first, strings."""
    index = mapped.frame.index

    def meta(series: pd.Series | None) -> pd.Series:
        if series is None:
            return pd.Series(pd.NA, index=index, dtype="string")
        series = series.astype("string")
        return series.mask(_missing(series))

    head = pd.DataFrame({
        "_row": pd.array(rows.to_numpy(), dtype="Int64"),
        "_submission_id": meta(submission_id).to_numpy(),
        "_submitted_at": meta(submitted_at).to_numpy(),
    }, index=index)
    head["_submission_id"] = head["_submission_id"].astype("string")
    head["_submitted_at"] = head["_submitted_at"].astype("string")
    out = pd.concat([head, mapped.frame.astype("string")], axis=1)
    return out.reset_index(drop=True)


def load_table(sample: TableSample) -> tuple[pd.DataFrame, str, dict[str, pd.DataFrame]]:
    """The main table of a file (a CSV, or the first sheet of a workbook), its sheet name, all sheets.

    Header rows (stray lines above the header, header rows under it) are never in the tables.
    """
    if sample.kind == "xlsx":
        sheets = read_xlsx_strings(sample)
        first = next(iter(sheets))
        return sheets[first], first, sheets
    return read_csv_strings(sample), "", {}


def first_column(frame: pd.DataFrame, names: Iterable[str]) -> str | None:
    """The first of ``names`` that is a column of ``frame`` (case-insensitive), or None."""
    lowered = {c.casefold(): c for c in frame.columns}
    return next((lowered[n.casefold()] for n in names if n.casefold() in lowered), None)
