"""The form as data: :class:`Survey`, its :class:`Question` s, :class:`Group` s and :class:`Choice` s,
and how each question is shown (:func:`display_kind`).

Nothing here reads a file (:func:`coopwork.survey.load_survey` does) nor imports pandas: a
dashboard kernel and a run with nothing to do read a survey from JSON
(:func:`survey_from_dict`) without either.

Examples
--------
>>> survey = Survey("demo", "Démo", None, ["fr"], "fr",
...                 {"q": Question("q", "select_one", {"fr": "Q"}, choices=(Choice("a", {"fr": "A"}),))},
...                 {"l": [Choice("a", {"fr": "A"})]})
>>> survey.label("q", "fr"), display_kind(survey, survey.question("q"))
('Q', ('bars', None))
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import SurveyError
from ..i18n import LANGS, in_language, pick

__all__ = ["DISPLAYS", "KEY_ROLES", "NON_ANSWER_TYPES", "NUMERIC_TYPES", "REASONS", "ROLES", "SELECT_TYPES",
           "Choice", "Group", "Question", "Survey", "display_kind", "survey_from_dict", "survey_to_dict"]

#: types that hold no answer of the respondent
NON_ANSWER_TYPES = frozenset({"note", "start", "end", "today", "deviceid", "username",
                              "simserial", "subscriberid", "phonenumber", "audit",
                              "start-geopoint", "background-audio"})
NUMERIC_TYPES = frozenset({"integer", "decimal", "range"})
SELECT_TYPES = frozenset({"select_one", "select_multiple", "select_one_from_file",
                          "select_multiple_from_file", "select_one_external", "rank"})
ROLES = frozenset({"territory", "organisation", "org_type", "partner", "name_consent", "weight"})
#: roles whose answers are keys or identities, never published as a distribution
KEY_ROLES = frozenset({"territory", "organisation", "partner", "name_consent", "weight"})

#: how a question can be shown (see :func:`display_kind`)
DISPLAYS = ("bars", "likert", "rank", "histogram", "periods", "themes", "answers", "positions")
#: why a question is left out of the published outputs (see :func:`display_kind`)
REASONS = ("note", "header", "metadata", "media", "identifier", "role", "not_number")
_BARS = frozenset({"select_one", "select_multiple", "select_one_from_file", "select_multiple_from_file",
                   "select_one_external"})
_DATES = frozenset({"date", "datetime", "time"})
_POSITIONS = frozenset({"geopoint", "geotrace", "geoshape"})
_MEDIA = frozenset({"image", "photo", "audio", "video", "file", "signature", "background-audio"})
#: types that say something about the device or the session, not an answer of the respondent
_METADATA = frozenset({"start", "end", "today", "deviceid", "username", "simserial", "subscriberid",
                       "phonenumber", "audit", "start-geopoint", "email", "hidden", "xml-external",
                       "csv-external"})


@dataclass(frozen=True)
class Choice:
    """One option of a choice list, with its labels by language code."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str | None = None, default_language: str = "default") -> str:
        """Label in ``lang``, else English, else the default language (marked), else any, else the name."""
        return pick(self.labels, lang, default_language) or self.name


@dataclass(frozen=True)
class Group:
    """A ``begin group`` or ``begin repeat`` block of the form (``begin loop`` blocks are groups too).

    ``path`` names it uniquely: the names of the enclosing groups and its own, joined by ``/``
    (two groups may share a name in different places, e.g. ``household/members`` and
    ``visit/members``); it is ``"/".join(question.group[:k])`` for the questions inside it.
    """

    path: str
    name: str
    kind: str  # "group" or "repeat"
    labels: dict[str, str] = field(default_factory=dict)
    appearance: str | None = None

    @property
    def depth(self) -> int:
        """1 for a group at the top of the form, 2 for a group inside it, …"""
        return self.path.count("/") + 1

    def label(self, lang: str | None = None, default_language: str = "default") -> str:
        """Label in ``lang`` (same fallback as :meth:`Question.label`), else the name made readable."""
        return pick(self.labels, lang, default_language) or self.name.replace("_", " ").strip().capitalize()


@dataclass(frozen=True)
class Question:
    """One question (a row of the survey sheet that can hold an answer)."""

    name: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    list_name: str | None = None
    required: bool = False
    constraint: str | None = None
    constraint_message: dict[str, str] = field(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    group: tuple[str, ...] = ()
    repeat: str | None = None
    dimension: str | None = None
    identifier: bool = False
    role: str | None = None
    choices: tuple[Choice, ...] = ()
    group_relevant: tuple[str, ...] = ()
    #: the name in the form and in exports when coopwork had to make ``name`` unique: a question of
    #: a ``begin loop over`` block is ``<question>_<choice>`` (exported ``…/<choice>/<question>``),
    #: a name used again in another group is ``<group>_<name>`` (exported ``…/<group>/<name>``)
    source_name: str | None = None

    @property
    def applies_when(self) -> tuple[str, ...]:
        """Every ``relevant`` condition that must hold: the enclosing groups' first, then its own."""
        return (*self.group_relevant, self.relevant) if self.relevant else self.group_relevant

    @property
    def is_select(self) -> bool:
        """True for select_one / select_multiple (and their from-file and external variants)."""
        return self.type in SELECT_TYPES

    @property
    def is_multiple(self) -> bool:
        """True for select_multiple questions (answers are space-separated names)."""
        return self.type in {"select_multiple", "select_multiple_from_file"}

    @property
    def is_numeric(self) -> bool:
        """True for integer, decimal and range questions."""
        return self.type in NUMERIC_TYPES

    @property
    def is_answer(self) -> bool:
        """True when the question holds an answer (not a note or device metadata)."""
        return self.type not in NON_ANSWER_TYPES

    @property
    def is_likert(self) -> bool:
        """An ordered scale: select_one with a ``likert`` appearance, or choices 1..k / 0..k."""
        if self.type != "select_one":
            return False
        if self.appearance and "likert" in self.appearance:
            return True
        names = [c.name for c in self.choices]
        if len(names) < 3 or not all(n.lstrip("-").isdigit() for n in names):
            return False
        values = [int(n) for n in names]
        return values == list(range(values[0], values[0] + len(values)))

    def label(self, lang: str | None = None, default_language: str = "default") -> str:
        """Label in ``lang``, else English, else the default language (marked), else any, else the name."""
        return pick(self.labels, lang, default_language) or self.name


@dataclass(frozen=True)
class Survey:
    """An XLSForm: questions in form order, choice lists, languages and settings."""

    survey_id: str
    title: str
    version: str | None
    languages: list[str]
    default_language: str
    questions: dict[str, Question]
    choices: dict[str, list[Choice]]
    path: Path | None = None
    #: where each role and identifier came from (``role:<role>`` → ``name|source``,
    #: ``identifier:<name>`` → source), see :func:`coopwork.survey.roles.resolve_roles`
    role_sources: dict[str, str] = field(default_factory=dict, compare=False)
    #: the groups and repeats of the form by path (:class:`Group`), in form order
    groups: dict[str, Group] = field(default_factory=dict)
    #: translations left out because some of their cells are broken: language → the cells
    #: (``survey row 161, 'label::Arabic (ar)': …``), see :func:`coopwork.survey.xlsform.parse_xlsform`
    dropped_languages: dict[str, list[str]] = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        return (f"Survey({self.survey_id!r}, {len(self.questions)} questions, "
                f"languages={self.languages})")

    def _repr_html_(self) -> str:
        from html import escape

        rows = []
        for dimension, questions in self.dimensions.items():
            names = ", ".join(escape(q.name) for q in questions)
            rows.append(f"<tr><td>{escape(dimension)}</td><td>{len(questions)}</td>"
                        f"<td>{names}</td></tr>")
        return (f"<div><strong>{escape(self.title)}</strong> "
                f"(<code>{escape(self.survey_id)}</code>, version {escape(str(self.version))}, "
                f"{len(self.questions)} questions, languages {', '.join(self.languages)})"
                "<table><thead><tr><th>dimension</th><th>n</th><th>questions</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def group_of(self, question: Question, depth: int) -> Group | None:
        """The group enclosing ``question`` at ``depth`` (1: outermost), or None.

        Examples
        --------
        >>> g = Group("a", "a", "group", {"en": "Part A"})
        >>> s = Survey("s", "S", None, ["en"], "en", {"q": Question("q", "text", group=("a",))}, {},
        ...            groups={"a": g})
        >>> s.group_of(s.questions["q"], 1).label("en"), s.group_of(s.questions["q"], 2)
        ('Part A', None)
        """
        if depth < 1 or depth > len(question.group):
            return None
        return self.groups.get("/".join(question.group[:depth]))

    def repeat_group(self, question: Question) -> Group | None:
        """The innermost repeat enclosing ``question`` (its rows are the question's unit), or None."""
        for depth in range(len(question.group), 0, -1):
            group = self.group_of(question, depth)
            if group is not None and group.kind == "repeat":
                return group
        return None

    def parent_repeat(self, repeat: str) -> str | None:
        """The repeat enclosing the repeat ``repeat`` (a nested repeat), or None at the top level."""
        found = next((g for g in self.groups.values() if g.kind == "repeat" and g.name == repeat), None)
        if found is None:
            return None
        parts = found.path.split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            group = self.groups.get("/".join(parts[:depth]))
            if group is not None and group.kind == "repeat":
                return group.name
        return None

    def question(self, name: str) -> Question:
        """The question called ``name``.

        Raises
        ------
        SurveyError
            When there is no such question; the message lists the closest names.
        """
        try:
            return self.questions[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.questions), n=3)
            raise SurveyError("survey.err_no_question_named", name=name, survey=self.survey_id,
                              file=self.path and self.path.name, names=", ".join(close),
                              hint="survey.hint_did_you_mean" if close
                              else "survey.hint_check_sheet") from None

    def label(self, name: str, lang: str | None = None) -> str:
        """Label of ``name`` in ``lang``; else (marked ``[en]``) in English, then in the default language."""
        return self.question(name).label(lang, self.default_language)

    def choice_labels(self, name: str, lang: str | None = None) -> dict[str, str]:
        """``{choice name: label}`` of a select question, in form order (same fallback as :meth:`label`)."""
        question = self.question(name)
        return {c.name: c.label(lang, self.default_language) for c in question.choices}

    @property
    def label_languages(self) -> list[str]:
        """The interface languages (:data:`coopwork.i18n.LANGS`) in which the form has labels.

        Examples
        --------
        >>> from coopwork.demo.form import sample_survey_bytes
        >>> from coopwork.survey import load_survey
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "form.xlsx"
        ...     _ = path.write_bytes(sample_survey_bytes())
        ...     load_survey(path).label_languages
        ['fr', 'en', 'it', 'pt', 'ro', 'hu', 'de']
        """

        keys = {key for q in self.questions.values() for key in q.labels}
        return [code for code in LANGS if any(in_language({key: "x"}, code) for key in keys)]

    def role(self, role: str) -> Question | None:
        """The first question with ``coopwork::role == role``, or None."""
        return next((q for q in self.questions.values() if q.role == role), None)

    def _answers_by(self, attribute: str) -> dict[str, list[Question]]:
        """Answer questions grouped by the value of one of their attributes (form order; none when empty)."""
        grouped: dict[str, list[Question]] = {}
        for q in self.questions.values():
            if getattr(q, attribute) and q.is_answer:
                grouped.setdefault(getattr(q, attribute), []).append(q)
        return grouped

    @cached_property
    def dimensions(self) -> dict[str, list[Question]]:
        """Answer questions grouped by ``coopwork::dimension`` (form order)."""
        return self._answers_by("dimension")

    @cached_property
    def repeats(self) -> dict[str, list[Question]]:
        """Answer questions of each repeat group, by repeat name."""
        return self._answers_by("repeat")

    @cached_property
    def top_level(self) -> list[Question]:
        """Answer questions outside any repeat, in form order."""
        return [q for q in self.questions.values() if q.repeat is None and q.is_answer]

    @property
    def identifiers(self) -> list[Question]:
        """Questions declared ``coopwork::identifier = yes``."""
        return [q for q in self.questions.values() if q.identifier]

    @property
    def relations_repeat(self) -> str | None:
        """Name of the repeat group holding the ``partner`` question (the network), if any."""
        partner = self.role("partner")
        return partner.repeat if partner else None


def _appearance(question: Question) -> set[str]:
    return set((question.appearance or "").split())


def _matrix_header(survey: Survey, question: Question) -> bool:
    """The first row of a matrix (a ``label`` appearance over ``list-nolabel`` rows): it only shows the
    options' labels, nobody answers it."""
    if question.type != "select_one" or "label" not in _appearance(question):
        return False
    return any(q.group == question.group and "list-nolabel" in _appearance(q)
               for q in survey.questions.values())


def _scale(survey: Survey, question: Question) -> bool:
    """A question of a block sharing one scale: a matrix (a ``table-list`` group, or ``list-nolabel``
    rows), or a battery — two or more select_one questions in a row, in the same group, on one list of
    three options or more (a list several questions are asked on in a row is read as an ordered
    scale, its choices in their order)."""
    if question.type != "select_one" or not question.list_name:
        return False
    group = survey.group_of(question, len(question.group)) if question.group else None
    if question.group and ("table-list" in ((group.appearance if group else None) or "")
                           or "list-nolabel" in _appearance(question)):
        siblings = [q for q in survey.questions.values()
                    if q.group == question.group and q.type == "select_one" and not _matrix_header(survey, q)]
        return len(siblings) >= 2 and len({q.list_name for q in siblings}) == 1
    if len(question.choices) < 3:
        return False
    answers = [q for q in survey.questions.values() if q.type not in NON_ANSWER_TYPES]
    position = next(i for i, q in enumerate(answers) if q.name == question.name)

    def same(q: Question) -> bool:
        return q.type == "select_one" and q.list_name == question.list_name and q.group == question.group

    before = position > 0 and same(answers[position - 1])
    after = position + 1 < len(answers) and same(answers[position + 1])
    return before or after


def display_kind(survey: Survey, question: Question, *, codebook: Mapping | None = None,
                 numeric: Mapping[str, bool] | None = None,
                 published: bool = True) -> tuple[str | None, str | None]:
    """How a question's answers can be shown — ``(display, None)`` — or why not — ``(None, reason)``.

    The one decision every display follows (the results, hence reports, dashboards, exports, and
    ``coopwork survey show`` through :func:`coopwork.results.questions.classify`; the parsing of
    the answers in :func:`coopwork.analysis.summary.prepare`):

    ==============  ==========================================================================
    ``bars``        select_one, select_multiple (and their from-file variants): one bar per
                    option, every option shown, 0 % included
    ``likert``      an ordered scale (``likert`` appearance, or choices 1..k / 0..k), a matrix (a
                    ``table-list`` group, or ``list-nolabel`` rows, sharing one choice list) or a
                    battery (select_one questions in a row on one list of 3+ options): diverging
                    bars, one chart per block of questions sharing the scale
    ``rank``        rank: how often each option was put 1st, 2nd, …
    ``histogram``   integer, decimal, range, and calculations whose answers are numbers:
                    histogram (bins of whole numbers for whole numbers) and summary statistics
    ``periods``     date, datetime (by year, month or day, after their spread), time (by hour)
    ``themes``      free text the codebook covers: how many answers mention each theme
    ``answers``     other free text, barcodes, acknowledgements, unknown types: only how many
                    answered — the answers themselves are never published
    ``positions``   geopoint, geotrace, geoshape: only how many gave a position — a position is
                    never published
    ==============  ==========================================================================

    Left out (``reason``): ``note``; ``header`` (the label row of a matrix); ``metadata`` (start, end,
    device…); ``media`` (photos, audio, files); ``identifier`` (a direct identifier); ``role`` (a key
    coopwork uses: territory, organisation, partner, name consent, weight); ``not_number`` (a
    calculation whose answers are not numbers).

    Parameters
    ----------
    survey, question
        The form and one of its questions.
    codebook
        The free-text codebook: the text questions it covers (all, or its ``questions`` list) are
        counted by theme.
    numeric
        Calculation name → whether its answers are numbers (read from the data); without it a
        calculation is taken to be a number.
    published
        ``False``: how the answers would be summarised whatever their role (the analysis functions
        summarise a territory or an identifier question on demand; only the published outputs leave
        them out).

    Examples
    --------
    >>> s = Survey("s", "S", None, ["en"], "en", {}, {})
    >>> display_kind(s, Question("n", "integer")), display_kind(s, Question("gps", "geopoint"))
    (('histogram', None), ('positions', None))
    >>> display_kind(s, Question("c", "calculate"), numeric={"c": False})
    (None, 'not_number')
    >>> display_kind(s, Question("why", "text"), codebook={"questions": ["why"], "themes": {}})
    ('themes', None)
    """
    kind = question.type
    if kind == "note":
        return None, "note"
    if kind in _METADATA:
        return None, "metadata"
    if kind in _MEDIA:
        return None, "media"
    if published and question.identifier:
        return None, "identifier"
    if published and question.role in KEY_ROLES:
        return None, "role"
    if kind == "rank":
        return "rank", None
    if _matrix_header(survey, question):
        return None, "header"
    if question.is_likert or _scale(survey, question):
        return "likert", None
    if kind in _BARS:
        return "bars", None
    if kind in NUMERIC_TYPES:
        return "histogram", None
    if kind == "calculate":
        return ("histogram", None) if numeric is None or numeric.get(question.name) else (None, "not_number")
    if kind in _DATES:
        return "periods", None
    if kind in _POSITIONS:
        return "positions", None
    covered = bool(codebook) and (not codebook.get("questions") or question.name in codebook["questions"])
    if kind == "text" and covered:
        return "themes", None
    return "answers", None

def survey_to_dict(survey: Survey) -> dict:
    """A survey as plain JSON data (:func:`survey_from_dict` reads it back, without pyxform).

    Examples
    --------
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr",
    ...                 {"q": Question("q", "select_one", {"fr": "Q"}, choices=(Choice("a", {"fr": "A"}),))},
    ...                 {"l": [Choice("a", {"fr": "A"})]})
    >>> survey_from_dict(survey_to_dict(survey)) == survey
    True
    """
    data = asdict(survey)
    data["path"] = None if survey.path is None else str(survey.path)
    return data


def survey_from_dict(data: dict) -> Survey:
    """The survey :func:`survey_to_dict` wrote."""
    def question(item: dict) -> Question:
        tuples = {k: tuple(item[k]) for k in ("group", "group_relevant")}
        return Question(**{**item, **tuples, "choices": tuple(Choice(**c) for c in item["choices"])})

    return Survey(survey_id=data["survey_id"], title=data["title"], version=data["version"],
                  languages=list(data["languages"]), default_language=data["default_language"],
                  questions={name: question(q) for name, q in data["questions"].items()},
                  choices={name: [Choice(**c) for c in items] for name, items in data["choices"].items()},
                  path=None if data["path"] is None else Path(data["path"]),
                  role_sources=dict(data.get("role_sources") or {}),
                  groups={path: Group(**g) for path, g in data["groups"].items()},
                  dropped_languages={k: list(v) for k, v in (data.get("dropped_languages") or {}).items()})
