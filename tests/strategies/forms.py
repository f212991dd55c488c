"""Random valid XLSForms: a plain data model (:class:`FormSpec`) and the Hypothesis strategy :func:`xlsforms`.

A :class:`FormSpec` is an XLSForm as data: a tree of :class:`Group` and :class:`Question` nodes,
choice lists, label languages and settings. It knows how to write itself as an ``.xlsx`` workbook
(:meth:`FormSpec.to_xlsx`, the survey / choices / settings sheets pyxform reads) and keeps what the
generator knows about each question in *structured* form (a relevance :class:`Condition`, a
:class:`Constraint`, a :class:`Calculation`), so that :mod:`tests.strategies.submissions` can
produce answers that satisfy them without parsing XPath.

Shapes :func:`xlsforms` generates (each can be steered by a keyword option):

- every question type coopwork and pyxform know: select_one, select_multiple, rank, integer,
  decimal, range, text, date, datetime, time, geopoint, note, calculate (a number computed from
  an earlier integer), acknowledge, and the metadata start / end / today / deviceid;
- nested groups, repeats up to depth 3 (repeat in group, group in repeat, sibling repeats, repeat
  in repeat), ``relevant`` on questions and groups referring to earlier answers in scope,
  constraints (``. >= 0 and . <= 120``, ``regex(., '^[A-Z]{2}$')``, ``count-selected(.) <= 2``,
  ``string-length(.) <= 30``, ``. >= date('2020-01-01')``), ``required``;
- choice lists shared between questions (Likert blocks on one ordered agree/disagree list, a
  ``field-list`` matrix group with ``label`` / ``list-nolabel`` appearances, reused lists) and
  unshared ones;
- 0–3 translated label languages (``label::Français (fr)``; 0 = one plain ``label`` column),
  unicode labels;
- a territory question declared with ``coopwork::role`` or named for inference (``territoire``,
  ``commune``), or none; the cooperation roles (organisation, org_type, a partners repeat with a
  ``partner`` text question) declared, named for inference, or absent.

Every form starts with an *anchor*: a required, always-relevant question, and every repeat too,
so that no generated record or repeat row is empty (coopwork rejects records with no answer).
Names are ASCII, unique in the form, and built from a vocabulary that cannot be mistaken for a
coopwork role (no "zone", "type", "contact"…), so that the roles are exactly the ones chosen.

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=3, deadline=None)
... @given(xlsforms(max_questions=6, repeats=False))
... def check(form):
...     assert form.question_count() == len(form.questions())
>>> check()
>>> form = FormSpec.example()
>>> [q.name for q, _ in form.questions()][:3]
['start', 'end', 'territoire']
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from hypothesis import strategies as st

__all__ = [
    "ANSWER_TYPES", "LANGUAGES", "METADATA_TYPES", "QUESTION_TYPES",
    "Calculation", "Choice", "Condition", "Constraint", "FormSpec", "Group", "Placed", "Question",
    "number_bounds",
    "xlsforms",
]

#: translated label languages as XLSForm column suffixes (``label::Français (fr)``)
LANGUAGES = ("Français (fr)", "English (en)", "Română (ro)", "Magyar (hu)", "Deutsch (de)",
             "Italiano (it)", "Português (pt)")
#: question types holding an answer of the respondent
ANSWER_TYPES = ("select_one", "select_multiple", "rank", "integer", "decimal", "range", "text", "date",
                "datetime", "time", "geopoint", "acknowledge", "calculate")
#: metadata the device fills (no label, placed first)
METADATA_TYPES = ("start", "end", "today", "deviceid")
QUESTION_TYPES = (*ANSWER_TYPES, "note", *METADATA_TYPES)
SELECT_TYPES = frozenset({"select_one", "select_multiple", "rank"})
_WEIGHTS = {"select_one": 3, "select_multiple": 3, "integer": 2, "text": 2, "decimal": 2, "date": 2}

# names cannot be read as a role by coopwork.survey.roles (no territory, organisation, partner,
# person, contact, weight or consent word)
_NAME_WORDS = ("budget", "projet", "atelier", "saison", "energie", "mobilite", "climat", "emploi",
               "festival", "jardin", "velo", "repas", "outil", "stock", "visite", "avis", "score",
               "duree", "effectif", "benevoles", "surface", "recette", "public", "marche", "compost",
               "cantine", "formation", "chantier", "loisir", "atelier_bois")
_GROUP_WORDS = ("section", "bloc", "partie", "module", "volet", "theme")
_REPEAT_WORDS = ("activites", "sites", "actions", "evenements", "salaries", "equipements", "reunions",
                 "produits")
# label words: accents, other scripts, typography; none is a role word either
_LABEL_WORDS = ("coopération", "été", "énergie", "économie", "mutualisé", "réseau", "bénévoles", "cœur",
                "naïve", "ăla", "şcoală", "ţesut", "öröm", "ünnep", "győztes", "straße", "grüße",
                "ação", "città", "perché", "l’atelier", "n°", "€", "≥", "«", "»", "2025", "10 %",
                "Ελλάδα", "Київ", "東京", "día", "qualité", "vélo")
# random labels: letters beyond ASCII (so that no drawn label spells a role word such as "commune"),
# digits and spaces
_LABEL_ALPHABET = st.characters(categories=["L", "N"], min_codepoint=0xC0) | st.sampled_from(" 0123456789")
_PLACES = {"pays-de-bray": "Pays de Bray", "esch-sur-alzette": "Esch-sur-Alzette", "cluj": "Cluj-Napoca",
           "gyor": "Győr-Moson-Sopron", "evora": "Évora", "matera": "Matera", "nord": "Hauts-de-France"}
_LIKERT_EN = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
_LIKERT_FR = ("Pas du tout d’accord", "Plutôt pas d’accord", "Ni d’accord ni pas d’accord",
              "Plutôt d’accord", "Tout à fait d’accord")
_ORG_TYPES = {"association": "Association", "scop": "SCOP", "scic": "SCIC", "collectivite": "Collectivité",
              "tiers_lieu": "Tiers-lieu", "entreprise": "Entreprise"}

Labels = dict[str, str]
"""Label texts by language column suffix (``"Français (fr)"``), or ``{"": text}`` for a plain ``label``."""


@dataclass(frozen=True)
class Choice:
    """One option of a choice list."""

    name: str
    labels: Labels


@dataclass(frozen=True)
class Condition:
    """A ``relevant`` condition on an earlier answer, as data.

    ``op`` is ``"selected"`` (``selected(${ref}, 'v')``), ``"="`` (``${ref} = 'v'``) or ``">"``
    (``${ref} > v``). An unanswered ``ref`` makes every condition false, as in ODK.

    Examples
    --------
    >>> c = Condition("score_1", ">", 3)
    >>> c.xlsform(), c.holds(5), c.holds(None)
    ('${score_1} > 3', True, False)
    >>> Condition("avis_2", "selected", "b").holds(frozenset({"a", "b"}))
    True
    """

    ref: str
    op: Literal["selected", "=", ">"]
    value: str | int

    def xlsform(self) -> str:
        """The expression as written in the form."""
        if self.op == "selected":
            return f"selected(${{{self.ref}}}, '{self.value}')"
        if self.op == "=":
            return f"${{{self.ref}}} = '{self.value}'"
        return f"${{{self.ref}}} > {self.value}"

    def holds(self, answer: object) -> bool:
        """Whether the condition is true for ``answer`` (the generated value of ``ref``)."""
        if answer is None:
            return False
        if self.op == "selected":
            return self.value in answer if isinstance(answer, frozenset) else answer == self.value
        if self.op == "=":
            return answer == self.value
        return answer > self.value


@dataclass(frozen=True)
class Constraint:
    """A constraint the generator knows how to satisfy.

    ``kind`` is ``"between"`` (``. >= low and . <= high``), ``"code"`` (``regex(., '^[A-Z]{2}$')``),
    ``"max_selected"`` (``count-selected(.) <= high``), ``"max_length"`` (``string-length(.) <= high``)
    or ``"after"`` (``. >= date('2020-01-01')``).

    Examples
    --------
    >>> Constraint("between", 0, 120).xlsform()
    '. >= 0 and . <= 120'
    >>> Constraint("code").xlsform()
    "regex(., '^[A-Z]{2}$')"
    """

    kind: Literal["between", "code", "max_selected", "max_length", "after"]
    low: float | None = None
    high: float | None = None

    def xlsform(self) -> str:
        """The expression as written in the form."""
        return {"between": f". >= {self.low} and . <= {self.high}",
                "code": "regex(., '^[A-Z]{2}$')",
                "max_selected": f"count-selected(.) <= {self.high}",
                "max_length": f"string-length(.) <= {self.high}",
                "after": ". >= date('2020-01-01')"}[self.kind]


@dataclass(frozen=True)
class Calculation:
    """A numeric calculate: ``coalesce(${ref}, 0) * factor``, or the constant ``factor`` without ``ref``.

    Examples
    --------
    >>> Calculation("score_1", 2).xlsform(), Calculation(None, 7).xlsform()
    ('coalesce(${score_1}, 0) * 2', '7')
    >>> Calculation("score_1", 2).value(None), Calculation("score_1", 2).value(5)
    (0, 10)
    """

    ref: str | None
    factor: int

    def xlsform(self) -> str:
        """The ``calculation`` cell."""
        return f"coalesce(${{{self.ref}}}, 0) * {self.factor}" if self.ref else str(self.factor)

    def value(self, answer: int | None) -> int:
        """The value ODK computes when ``ref`` holds ``answer`` (blank counts 0)."""
        return (answer or 0) * self.factor if self.ref else self.factor


@dataclass(frozen=True)
class Question:
    """One row of the survey sheet that is not a group: a question, a note, a calculate or metadata.

    ``type`` is the bare XLSForm type (``select_one``; the list name is in ``list_name``).
    ``header`` marks the first row of a ``field-list`` matrix (appearance ``label``): it shows
    the options and never holds an answer.
    """

    name: str
    type: str
    labels: Labels = field(default_factory=dict)
    list_name: str | None = None
    required: bool = False
    relevant: Condition | None = None
    constraint: Constraint | None = None
    appearance: str | None = None
    parameters: tuple[int, int, int] | None = None  # range: start, end, step
    calculation: Calculation | None = None
    role: str | None = None  # written in the coopwork::role column
    header: bool = False

    @property
    def is_answer(self) -> bool:
        """True when a respondent (or ODK, for a calculate) gives this question a value."""
        return self.type in ANSWER_TYPES and not self.header

    @property
    def is_metadata(self) -> bool:
        """True for start / end / today / deviceid."""
        return self.type in METADATA_TYPES


@dataclass(frozen=True)
class Group:
    """A ``begin_group`` / ``begin_repeat`` block and its children."""

    name: str
    labels: Labels
    children: tuple[Question | Group, ...]
    repeat: bool = False
    appearance: str | None = None
    relevant: Condition | None = None


Node = Question | Group


@dataclass(frozen=True)
class Placed:
    """Where a node sits: the groups above it (outermost first) and the repeat it belongs to."""

    groups: tuple[Group, ...]

    @property
    def path(self) -> tuple[str, ...]:
        """Names of the enclosing groups and repeats, outermost first."""
        return tuple(g.name for g in self.groups)

    @property
    def repeat(self) -> str | None:
        """Name of the innermost enclosing repeat, or None at the top level."""
        return next((g.name for g in reversed(self.groups) if g.repeat), None)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Relevance conditions of the enclosing groups, outermost first."""
        return tuple(g.relevant for g in self.groups if g.relevant is not None)


@dataclass(frozen=True)
class FormSpec:
    """An XLSForm as data.

    ``languages`` are the translated label columns (``("Français (fr)", "English (en)")``); an
    empty tuple means one plain ``label`` column. ``territory`` is the name of the question that
    tells the territory (declared by ``coopwork::role`` or named for inference), or None.
    """

    form_id: str
    title: str
    languages: tuple[str, ...]
    children: tuple[Node, ...]
    choices: dict[str, tuple[Choice, ...]]
    version: str = "v1"
    territory: str | None = None
    #: role → question name of the cooperation roles the form has (declared or named for inference)
    roles: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ structure

    def walk(self) -> Iterator[tuple[Node, Placed]]:
        """Every node in form order (groups before their children), with its place."""
        def visit(nodes: Sequence[Node], groups: tuple[Group, ...]) -> Iterator[tuple[Node, Placed]]:
            for node in nodes:
                yield node, Placed(groups)
                if isinstance(node, Group):
                    yield from visit(node.children, (*groups, node))

        yield from visit(self.children, ())

    def questions(self) -> list[tuple[Question, Placed]]:
        """Every question row (notes, calculates and metadata included), in form order."""
        return [(n, p) for n, p in self.walk() if isinstance(n, Question)]

    def question(self, name: str) -> Question:
        """The question called ``name``."""
        return next(q for q, _ in self.questions() if q.name == name)

    def repeats(self) -> list[tuple[Group, Placed]]:
        """Every repeat group in form order, with its place (``place.repeat`` is its parent repeat)."""
        return [(n, p) for n, p in self.walk() if isinstance(n, Group) and n.repeat]

    def question_count(self) -> int:
        """How many questions coopwork's Survey should list: every non-group row."""
        return len(self.questions())

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        """The options of a select question (empty for other types)."""
        return self.choices.get(question.list_name or "", ())

    @property
    def label_columns(self) -> list[str]:
        """``["label"]`` or ``["label::Français (fr)", …]``."""
        return [f"label::{lang}" for lang in self.languages] if self.languages else ["label"]

    # ------------------------------------------------------------------ sheets

    def survey_rows(self) -> list[dict[str, str]]:
        """The survey sheet as a list of ``{column: cell}`` rows (empty cells left out)."""
        rows: list[dict[str, str]] = []

        def labels(values: Labels) -> dict[str, str]:
            return {("label" if key == "" else f"label::{key}"): text for key, text in values.items()}

        def emit(nodes: Sequence[Node]) -> None:
            for node in nodes:
                if isinstance(node, Group):
                    kind = "repeat" if node.repeat else "group"
                    row = {"type": f"begin_{kind}", "name": node.name, **labels(node.labels)}
                    if node.appearance:
                        row["appearance"] = node.appearance
                    if node.relevant:
                        row["relevant"] = node.relevant.xlsform()
                    rows.append(row)
                    emit(node.children)
                    rows.append({"type": f"end_{kind}"})
                    continue
                rows.append(_question_row(node, labels(node.labels)))

        emit(self.children)
        return rows

    def choices_rows(self) -> list[dict[str, str]]:
        """The choices sheet as ``{column: cell}`` rows."""
        rows = []
        for list_name, options in self.choices.items():
            for choice in options:
                row = {"list_name": list_name, "name": choice.name}
                row.update({("label" if k == "" else f"label::{k}"): v for k, v in choice.labels.items()})
                rows.append(row)
        return rows

    def settings_row(self) -> dict[str, str]:
        """The settings sheet's one row."""
        row = {"form_title": self.title, "form_id": self.form_id, "version": self.version}
        if self.languages:
            row["default_language"] = self.languages[0]
        return row

    def to_xlsx(self, path: str | Path) -> Path:
        """Write the form as an XLSForm workbook (survey, choices, settings sheets); return the path."""
        from openpyxl import Workbook

        path = Path(path)
        book = Workbook()
        sheets = [("survey", self.survey_rows()), ("choices", self.choices_rows()),
                  ("settings", [self.settings_row()])]
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            columns = list(dict.fromkeys(key for row in rows for key in row))
            if title == "choices" and not columns:
                columns = ["list_name", "name", *self.label_columns]
            sheet.append(columns)
            for row in rows:
                sheet.append([row.get(column) for column in columns])
            for cells in sheet.iter_rows(min_row=2):  # text stays text (no formula from a leading '=')
                for cell in cells:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
        book.save(path)
        return path

    @classmethod
    def example(cls) -> FormSpec:
        """A small fixed form (territory, a Likert pair, a repeat): for docstrings and quick tests."""
        fr = "Français (fr)"
        agree = tuple(Choice(str(i), {fr: text}) for i, text in enumerate(_LIKERT_FR, 1))
        places = tuple(Choice(k, {fr: v}) for k, v in list(_PLACES.items())[:3])
        return cls(
            form_id="exemple", title="Exemple", languages=(fr,),
            choices={"territoires": places, "accord": agree},
            territory="territoire",
            children=(
                Question("start", "start"), Question("end", "end"),
                Question("territoire", "select_one", {fr: "Territoire"}, "territoires", required=True),
                Question("effectif_1", "integer", {fr: "Effectif"}, required=True,
                         constraint=Constraint("between", 0, 120)),
                Question("avis_2", "select_one", {fr: "Avis A"}, "accord"),
                Question("avis_3", "select_one", {fr: "Avis B"}, "accord",
                         relevant=Condition("effectif_1", ">", 3)),
                Group("actions_4", {fr: "Actions"}, repeat=True, children=(
                    Question("duree_5", "decimal", {fr: "Durée"}, required=True),
                    Question("visite_6", "date", {fr: "Date"}),
                )),
            ))


def _question_row(q: Question, labels: dict[str, str]) -> dict[str, str]:
    kind = f"{q.type} {q.list_name}" if q.list_name else q.type
    row = {"type": kind, "name": q.name, **labels}
    if q.required:
        row["required"] = "yes"
    if q.relevant:
        row["relevant"] = q.relevant.xlsform()
    if q.constraint:
        row["constraint"] = q.constraint.xlsform()
    if q.appearance:
        row["appearance"] = q.appearance
    if q.parameters:
        start, end, step = q.parameters
        row["parameters"] = f"start={start};end={end};step={step}"
    if q.calculation:
        row["calculation"] = q.calculation.xlsform()
    if q.role:
        row["coopwork::role"] = q.role
    return row


# ====================================================================== the strategy

class _Builder:
    """State of one form being drawn: unique names, choice lists, the size budget, the options."""

    def __init__(self, draw: st.DrawFn, *, languages: tuple[str, ...], types: Collection[str],
                 max_questions: int, max_depth: int, relevance: bool, constraints: bool,
                 shapes: Collection[str]) -> None:
        self.draw = draw
        self.languages = languages
        # the types most forms are made of come up more often
        self.types = [t for t in ANSWER_TYPES for _ in range(_WEIGHTS.get(t, 1)) if t in types] + (
            ["note"] if "note" in types else [])
        self.max_questions = max_questions
        self.max_depth = max_depth
        self.relevance = relevance
        self.constraints = constraints
        self.shapes = shapes
        self.count = 0
        self.counter = itertools.count(1)
        self.choices: dict[str, tuple[Choice, ...]] = {}
        self.used_labels: set[str] = set()

    # -------------------------------------------------------------- small parts

    def name(self, words: Sequence[str]) -> str:
        return f"{self.draw(st.sampled_from(words))}_{next(self.counter)}"

    def text(self) -> str:
        """A label in unicode, unique in the form: mostly words, sometimes any letters and digits."""
        text = ""
        if self.draw(st.integers(0, 4)) == 0:
            text = self.draw(st.text(_LABEL_ALPHABET, min_size=1, max_size=24)).strip()
        if not text:
            words = self.draw(st.lists(st.sampled_from(_LABEL_WORDS), min_size=1, max_size=4))
            text = " ".join(words).capitalize()
        while text in self.used_labels:
            text = f"{text} {len(self.used_labels)}"
        self.used_labels.add(text)
        return text

    def labels(self, base: str | None = None) -> Labels:
        """The same label in every language of the form (marked per language)."""
        base = base or self.text()
        if not self.languages:
            return {"": base}
        return {lang: base if i == 0 else f"{base} ({lang[-3:-1]})" for i, lang in enumerate(self.languages)}

    def choice_list(self, *, size: tuple[int, int] = (2, 6)) -> str:
        """A new list of options (names ASCII, labels lower-case words: never read as places)."""
        list_name = f"liste_{next(self.counter)}"
        n = self.draw(st.integers(*size))
        names = self.draw(st.sampled_from(["letters", "numbers", "words"]))
        options = []
        for i in range(n):
            name = {"letters": chr(ord("a") + i), "numbers": str(i + 1), "words": f"option_{i + 1}"}[names]
            options.append(Choice(name, self.labels(f"{self.draw(st.sampled_from(_LABEL_WORDS))} {i + 1}")))
        self.choices[list_name] = tuple(options)
        return list_name

    def likert_list(self) -> str:
        """The ordered agree/disagree list (shared by every Likert question of the form)."""
        if "accord" not in self.choices:
            numeric = self.draw(st.booleans())
            names = [str(i) for i in range(1, 6)] if numeric else [
                "pas_du_tout", "plutot_pas", "neutre", "plutot", "tout_a_fait"]
            options = []
            for i, name in enumerate(names):
                labels = {"": _LIKERT_FR[i]} if not self.languages else {
                    lang: (_LIKERT_EN[i] if "(en)" in lang else _LIKERT_FR[i] if "(fr)" in lang
                           else f"{_LIKERT_EN[i]} ({lang[-3:-1]})") for lang in self.languages}
                options.append(Choice(name, labels))
            self.choices["accord"] = tuple(options)
        return "accord"

    # -------------------------------------------------------------- questions

    def condition(self, scope: list[Question]) -> Condition | None:
        """A relevance condition on an earlier question in scope, or None."""
        candidates = [q for q in scope if q.type in {"select_one", "select_multiple", "integer"}
                      and not q.header]
        if not (self.relevance and candidates and self.draw(st.integers(0, 3)) == 0):
            return None
        ref = self.draw(st.sampled_from(candidates))
        if ref.type == "integer":
            low, high = number_bounds(ref)
            return Condition(ref.name, ">", self.draw(st.integers(int(low), int(high))))
        option = self.draw(st.sampled_from(self.choices[ref.list_name])).name
        op = "selected" if ref.type == "select_multiple" else self.draw(st.sampled_from(["selected", "="]))
        return Condition(ref.name, op, option)

    def question(self, scope: list[Question], kind: str | None = None, *, anchor: bool = False) -> Question:
        """One question of type ``kind`` (drawn when None); an anchor is required and always relevant."""
        draw = self.draw
        if kind is None:
            kind = draw(st.sampled_from(self.types))
        self.count += 1
        q = Question(self.name(_NAME_WORDS), kind, self.labels())
        if kind in SELECT_TYPES:
            shared = [n for n in self.choices if n != "territoires"]
            reuse = shared and draw(st.integers(0, 2)) == 0
            q = replace(q, list_name=draw(st.sampled_from(shared)) if reuse else self.choice_list())
            if kind == "select_one" and draw(st.integers(0, 4)) == 0:
                q = replace(q, appearance="minimal")
        if kind == "range":
            start = draw(st.integers(-5, 5))
            q = replace(q, parameters=(start, start + draw(st.integers(1, 20)), 1))
        if kind == "calculate":
            refs = [s for s in scope if s.type == "integer"]
            ref = draw(st.sampled_from(refs)).name if refs and draw(st.booleans()) else None
            q = replace(q, calculation=Calculation(ref, draw(st.integers(1, 9))))
            if draw(st.booleans()):
                q = replace(q, labels={})
        if kind not in {"note", "calculate"} and self.constraints and draw(st.integers(0, 2)) == 0:
            q = replace(q, constraint=_constraint(draw, kind, len(self.choices.get(q.list_name or "", ()))))
        if anchor:
            q = replace(q, required=True)
        elif kind not in {"note", "calculate", "rank"}:
            q = replace(q, required=draw(st.integers(0, 3)) == 0, relevant=self.condition(scope))
        scope.append(q)
        return q

    # -------------------------------------------------------------- blocks

    def blocks(self, scope: list[Question], *, groups: int, repeats: int, top: bool = False) -> list[Node]:
        """A list of questions, groups, repeats, Likert blocks and matrices (within the size budget)."""
        draw = self.draw
        nodes: list[Node] = []
        kinds = ["question"] * 4 + [s for s in ("likert", "matrix") if s in self.shapes]
        if groups < 2 and "group" in self.shapes:
            kinds += ["group"]
        if repeats < self.max_depth and "repeat" in self.shapes:
            kinds += ["repeat"] * (1 + 2 * repeats)  # once inside a repeat, nest deeper more often
        for _ in range(draw(st.integers(1, 5 if top else 3))):
            if self.count >= self.max_questions:
                break
            kind = draw(st.sampled_from(kinds))
            if kind == "question":
                nodes.append(self.question(scope))
            elif kind == "likert":
                list_name = self.likert_list()
                for _ in range(draw(st.integers(2, 4))):
                    self.count += 1
                    q = Question(self.name(_NAME_WORDS), "select_one", self.labels(), list_name,
                                 appearance=draw(st.sampled_from([None, "likert"])))
                    scope.append(q)
                    nodes.append(q)
            elif kind == "matrix":
                nodes.append(self.matrix(scope))
            elif kind == "group":
                name = self.name(_GROUP_WORDS)
                relevant = self.condition(scope)
                children = self.blocks(scope, groups=groups + 1, repeats=repeats)
                nodes.append(Group(name, self.labels(), tuple(children), relevant=relevant))
            else:
                nodes.append(self.repeat(scope, groups=groups, repeats=repeats))
        return nodes

    def matrix(self, scope: list[Question]) -> Group:
        """A ``field-list`` group: a header row (``label``) and items (``list-nolabel``) on one list."""
        list_name = self.likert_list() if self.draw(st.booleans()) else self.choice_list(size=(3, 5))
        header = Question(self.name(_NAME_WORDS), "select_one", self.labels(), list_name,
                          appearance="label", header=True)
        items = []
        for _ in range(self.draw(st.integers(2, 4))):
            self.count += 1
            q = Question(self.name(_NAME_WORDS), "select_one", self.labels(), list_name,
                         appearance="list-nolabel", required=self.draw(st.booleans()))
            scope.append(q)
            items.append(q)
        return Group(self.name(_GROUP_WORDS), self.labels(), (header, *items), appearance="field-list")

    def repeat(self, scope: list[Question], *, groups: int, repeats: int) -> Group:
        """A repeat whose first question is an anchor; its questions are visible only inside it."""
        name = self.name(_REPEAT_WORDS)
        relevant = self.condition(scope)
        inner = list(scope)
        anchor = self.question(inner, self.draw(st.sampled_from(["text", "integer", "select_one"])),
                               anchor=True)
        children = [anchor, *self.blocks(inner, groups=groups, repeats=repeats + 1)]
        return Group(name, self.labels(), tuple(children), repeat=True, relevant=relevant)


def number_bounds(q: Question) -> tuple[float, float]:
    """The values a number question may take (its constraint's, else a default with negatives)."""
    if q.constraint and q.constraint.kind == "between":
        return q.constraint.low, q.constraint.high
    if q.type == "range" and q.parameters:
        return q.parameters[0], q.parameters[1]
    return (-50, 500) if q.type == "integer" else (-50.0, 5000.0)


def _constraint(draw: st.DrawFn, kind: str, options: int) -> Constraint | None:
    if kind in {"integer", "decimal"}:
        low = draw(st.sampled_from([0, 1, -10]))
        return Constraint("between", low, low + draw(st.sampled_from([5, 120, 1000])))
    if kind == "text":
        return draw(st.sampled_from([Constraint("code"), Constraint("max_length", high=30)]))
    if kind == "select_multiple" and options >= 2:
        return Constraint("max_selected", high=draw(st.integers(1, options - 1)))
    if kind == "date":
        return Constraint("after")
    return None


def _territory(b: _Builder, how: str) -> Question:
    places = dict(itertools.islice(_PLACES.items(), b.draw(st.integers(2, len(_PLACES)))))
    b.choices["territoires"] = tuple(Choice(k, b.labels(v)) for k, v in places.items())
    if how == "role":
        return Question(b.name(("lieu", "site_etude", "perimetre")), "select_one", b.labels("Où êtes-vous ?"),
                        "territoires", required=True, role="territory")
    name = b.draw(st.sampled_from(["territoire", "commune"]))
    return Question(name, "select_one", b.labels(name.capitalize()), "territoires", required=True)


def _cooperation(b: _Builder, how: str, scope: list[Question]) -> tuple[list[Node], dict[str, str]]:
    """The organisation, its type and a partners repeat with a ``partner`` question."""
    b.choices["types_structure"] = tuple(Choice(k, b.labels(v)) for k, v in _ORG_TYPES.items())
    declared = how == "role"
    org = Question("nom_structure" if declared else "organisation", "text",
                   b.labels("Nom de votre organisation"), required=True,
                   role="organisation" if declared else None)
    org_type = Question("categorie_juridique" if declared else "org_type", "select_one",
                        b.labels("Type d’organisation"), "types_structure",
                        role="org_type" if declared else None)
    partner = Question("allie" if declared else "partner", "text", b.labels("Nom du partenaire"),
                       required=True, role="partner" if declared else None)
    scope += [org, org_type]
    since = Question(b.name(_NAME_WORDS), "integer", b.labels("Depuis combien d’années ?"),
                     constraint=Constraint("between", 0, 120))
    repeat = Group("reseau" if declared else "partenaires", b.labels("Vos partenaires"),
                   (partner, since), repeat=True)
    roles = {"organisation": org.name, "org_type": org_type.name, "partner": partner.name}
    return [org, org_type, repeat], roles


@st.composite
def xlsforms(draw: st.DrawFn, *, languages: tuple[int, int] = (0, 3), max_questions: int = 14,
             max_depth: int = 3, repeats: bool = True, groups: bool = True, likert: bool = True,
             matrix: bool = True, relevance: bool = True, constraints: bool = True,
             metadata: bool = True, types: Collection[str] = QUESTION_TYPES,
             require_types: Collection[str] = (),
             territory: Collection[str] = ("role", "name", "none"),
             cooperation: Collection[str] = ("role", "name", "none")) -> FormSpec:
    """Draw a valid XLSForm as a :class:`FormSpec`.

    Parameters
    ----------
    languages
        Lowest and highest number of translated label languages; 0 gives one plain ``label``.
    max_questions
        Size budget: the drawing of new blocks stops once the form has this many questions
        (the roles, the anchors and ``require_types`` come on top).
    max_depth
        Deepest nesting of repeats (1–3).
    repeats, groups, likert, matrix
        Allow repeats, (nested) groups, Likert blocks on a shared list, ``field-list`` matrices.
    relevance, constraints, metadata
        Allow ``relevant`` conditions, constraints, and the start/end/today/deviceid rows.
    types
        Question types the generator may draw (a subset of :data:`QUESTION_TYPES`).
    require_types
        Types that must appear at least once (added at the top level when the draw has none).
    territory
        Ways the form may tell the territory: ``"role"`` (``coopwork::role``), ``"name"``
        (``territoire`` / ``commune``, for inference), ``"none"``.
    cooperation
        Ways the form may carry the cooperation roles (organisation, org_type, partner): same values.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(xlsforms(territory=["none"], cooperation=["role"], max_questions=4))
    ... def check(form):
    ...     assert form.territory is None and sorted(form.roles) == ["org_type", "organisation", "partner"]
    >>> check()
    """
    n_languages = draw(st.integers(*languages))
    chosen = tuple(draw(st.permutations(LANGUAGES))[:n_languages]) if n_languages else ()
    shapes = {s for s, on in (("repeat", repeats), ("group", groups), ("likert", likert),
                              ("matrix", matrix)) if on}
    b = _Builder(draw, languages=chosen, types=types, max_questions=max_questions,
                 max_depth=max(1, min(max_depth, 3)), relevance=relevance, constraints=constraints,
                 shapes=shapes)
    scope: list[Question] = []
    children: list[Node] = []
    if metadata:
        kept = draw(st.lists(st.sampled_from(METADATA_TYPES), unique=True))
        children += [Question(kind, kind) for kind in METADATA_TYPES if kind in kept]
    how_territory = draw(st.sampled_from(sorted(territory)))
    territory_question = None
    if how_territory != "none":
        territory_question = _territory(b, how_territory)
        scope.append(territory_question)
        children.append(territory_question)
    roles: dict[str, str] = {}
    how_cooperation = draw(st.sampled_from(sorted(cooperation)))
    if how_cooperation != "none":
        nodes, roles = _cooperation(b, how_cooperation, scope)
        children += nodes
    anchor_types = [t for t in ("text", "integer", "select_one", "decimal", "date") if t in types] or ["text"]
    children.append(b.question(scope, draw(st.sampled_from(anchor_types)), anchor=True))
    children += b.blocks(scope, groups=0, repeats=0, top=True)
    drawn = FormSpec("x", "x", (), tuple(children), {})
    present = {q.type for q, _ in drawn.questions()}
    for kind in (k for k in require_types if k not in present):
        if kind in METADATA_TYPES:
            children.insert(0, Question(kind, kind))
        else:
            children.append(b.question(scope, kind))
    word = draw(st.sampled_from(_NAME_WORDS))
    return FormSpec(form_id=f"enquete_{word}", title=f"Enquête {b.text()}", languages=chosen,
                    children=tuple(children), choices=dict(b.choices), version=f"v{draw(st.integers(1, 9))}",
                    territory=territory_question.name if territory_question else None, roles=roles)
