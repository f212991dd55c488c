"""How each question of a form is shown, in which section, counted in which unit — or why it is not.

This is the one place that decides it: the results (:mod:`coopwork.results.views`), hence the
reports, dashboards and exports, and ``coopwork survey show`` all call :func:`classify`.

**Displays**: :func:`coopwork.survey.display_kind` decides how each kind of question is shown
(``bars``, ``likert``, ``rank``, ``histogram``, ``periods``, ``themes``, ``answers``,
``positions``) or why it is left out (notes, metadata, media files, direct identifiers, the
questions coopwork uses as keys, calculations whose answers are not numbers); this module adds
where and in which unit.

**Counting unit** (``unit``): a question at the top of the form counts *organisations* when the
form has an organisation role, else *responses* (one per submission); a question of the
relations repeat counts *ties*; a question of any other repeat counts its *rows* — at any depth.
Whatever the unit, a published cell is protected on the **distinct submissions** behind it.

**Sections**: a question with a ``coopwork::dimension`` goes to its dimension's section
(:data:`SECTIONS`); any other to the section of its group: the outermost group below the
groups every shown question shares (a form wrapped in one group is cut at the next level),
or ``other`` outside any group. Themes, comparisons and changes have their own sections.

Examples
--------
>>> from coopwork.demo import sample_survey_path
>>> from coopwork.survey import load_survey
>>> survey = load_survey(sample_survey_path())
>>> [(p.question.name, p.display, p.unit) for p in published(survey)][:2]
[('org_type', 'bars', 'organisations'), ('org_type_autre', 'answers', 'organisations')]
>>> next(p for p in published(survey) if p.question.name == "lien_nature").unit
'ties'
>>> shown = {d.question.name: d for d in classify(survey)}
>>> shown["contact_email"].reason, shown["derniere_ag"].display, shown["territoire"].reason
('identifier', 'periods', 'role')
>>> section_of("trust"), section_of(None)
('governance_trust', 'other')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import t
from ..survey import DISPLAYS, KEY_ROLES, REASONS, display_kind

if TYPE_CHECKING:
    from ..survey import Group, Question, Survey

__all__ = [
    "DISPLAYS",
    "KEY_ROLES",
    "PRACTICE_DIMENSIONS",
    "REASONS",
    "SECTIONS",
    "Display",
    "Published",
    "classify",
    "display_text",
    "is_cooperation",
    "published",
    "section_labels",
    "section_of",
    "submission_unit",
    "text_questions",
    "unit_label",
]

#: sections (dashboard tabs, report headings) in order, with the dimensions each one shows; the
#: sections of a form's own groups (``group:<path>``) come after the dimensions, before ``other``
SECTIONS: dict[str, tuple[str, ...]] = {
    "profile": ("profile",),
    "ties": ("ties",),
    "mutualisation": ("mutualisation",),
    "governance_trust": ("governance", "trust"),
    "culture": ("culture",),
    "transition": ("transition",),
    "effects": ("effects",),
    "trajectory": ("trajectory",),
    "other": (),
    "themes": (),
    "compare": (),
    "change": (),
}
#: dimensions whose multiple-choice options are the "forms of cooperation" (capitalisation view)
PRACTICE_DIMENSIONS = ("mutualisation", "ties", "transition", "culture")
#: the prefix of the sections of a form's groups
GROUP_SECTION = "group:"


@dataclass(frozen=True)
class Display:
    """How one question is shown (``display``), or why not (``reason``).

    ``section`` is the section's id, ``table`` the repeat whose rows hold the question (None: one
    row per submission), ``unit`` what a count counts (``organisations``, ``responses``, ``ties``
    or ``rows``), ``block`` the chart a Likert question shares with the others of its scale.
    """

    question: Question
    display: str | None
    reason: str | None
    section: str
    table: str | None
    unit: str
    block: str | None = None

    @property
    def shown(self) -> bool:
        """True when the question has a display in the published outputs."""
        return self.display is not None

    @property
    def chart_id(self) -> str:
        """The id of the chart that shows the question (a Likert block's questions share theirs)."""
        if self.display == "likert":
            return f"likert.{self.block}"
        if self.display == "themes":
            return f"themes.{self.question.name}"
        return self.question.name


#: the name it had before every kind of question got a display (the published ones)
Published = Display


def section_of(dimension: str | None) -> str:
    """The section of a dimension (``other`` when it has none or an unknown one)."""
    return next((s for s, dims in SECTIONS.items() if dimension in dims), "other")


def is_cooperation(survey: Survey) -> bool:
    """Whether the form is a cooperation survey (indicator dimensions or a partner network): its
    reports and dashboards carry the cooperation titles; any other form is named by its own title."""
    return bool(survey.dimensions) or survey.role("partner") is not None


def submission_unit(survey: Survey) -> str:
    """What one submission is: ``organisations`` when the form names organisations, else ``responses``."""
    return "organisations" if survey.role("organisation") is not None else "responses"


def _group_sections(survey: Survey, shown: list[Question]) -> dict[str, str]:
    """Question name → the section of its group (see the module docstring), for questions without
    a dimension."""
    paths = [q.group for q in shown]
    common: tuple[str, ...] = ()
    if paths and all(paths):
        first = paths[0]
        for depth in range(1, min(len(p) for p in paths) + 1):
            if all(p[:depth] == first[:depth] for p in paths):
                common = first[:depth]
    out = {}
    for q in shown:
        depth = len(common) + 1 if len(q.group) > len(common) else len(common)
        group = survey.group_of(q, depth) if depth else None
        out[q.name] = f"{GROUP_SECTION}{group.path}" if group is not None else "other"
    return out


def classify(survey: Survey, *, codebook: Mapping | None = None,
             numeric: Mapping[str, bool] | None = None) -> list[Display]:
    """How every question of ``survey`` is shown, or why it is not, in form order.

    Parameters
    ----------
    survey
        The form.
    codebook
        The free-text codebook (:func:`coopwork.analysis.freetext.load_codebook`): text questions it
        covers (all of them, or those of its ``questions`` list) are counted by theme.
    numeric
        Calculation name → whether its answers are numbers (read from the data); without it a
        calculation is taken to be a number (``survey show``: "a histogram when its answers are
        numbers").

    Examples
    --------
    >>> from coopwork.survey import Choice, Group, Question, Survey
    >>> scale = tuple(Choice(str(i), {"en": str(i)}) for i in range(1, 6))
    >>> qs = {"age": Question("age", "integer", group=("person",), repeat="person"),
    ...       "where": Question("where", "geopoint"),
    ...       "a": Question("a", "select_one", list_name="s", choices=scale, group=("opinions",)),
    ...       "b": Question("b", "select_one", list_name="s", choices=scale, group=("opinions",))}
    >>> groups = {"person": Group("person", "person", "repeat", {"en": "Person"}),
    ...           "opinions": Group("opinions", "opinions", "group", {"en": "Opinions"})}
    >>> survey = Survey("s", "S", None, ["en"], "en", qs, {}, groups=groups)
    >>> [(d.question.name, d.display, d.section, d.unit, d.block) for d in classify(survey)]
    [('age', 'histogram', 'group:person', 'rows', None), ('where', 'positions', 'other', 'responses', None), \
('a', 'likert', 'group:opinions', 'responses', 'group:opinions.s'), \
('b', 'likert', 'group:opinions', 'responses', 'group:opinions.s')]
    """
    relations = survey.relations_repeat
    top_unit = submission_unit(survey)
    kinds = {q.name: display_kind(survey, q, codebook=codebook, numeric=numeric)
             for q in survey.questions.values()}
    undimensioned = [q for q in survey.questions.values()
                     if kinds[q.name][0] not in (None, "themes") and not q.dimension]
    groups = _group_sections(survey, undimensioned)
    out = []
    for q in survey.questions.values():
        display, reason = kinds[q.name]
        if display == "themes":
            section = "themes"
        elif q.dimension:
            section = section_of(q.dimension)
        else:
            section = groups.get(q.name, "other")
        unit = top_unit if q.repeat is None else "ties" if q.repeat == relations else "rows"
        block = None
        if display == "likert":
            suffix = "" if q.repeat is None else (".ties" if unit == "ties" else f".{q.repeat}")
            block = (f"{q.dimension}{suffix}" if q.dimension
                     else f"{section}.{q.list_name or q.name}{suffix}")
        out.append(Display(q, display, reason, section, q.repeat, unit, block))
    return out


def published(survey: Survey, *, codebook: Mapping | None = None,
              numeric: Mapping[str, bool] | None = None) -> list[Display]:
    """The shown questions of a survey (:func:`classify`), in form order."""
    return [d for d in classify(survey, codebook=codebook, numeric=numeric) if d.shown]


def text_questions(survey: Survey, *, codebook: Mapping | None = None) -> list[Question]:
    """The free-text questions whose themes are counted (those the codebook covers)."""
    return [d.question for d in published(survey, codebook=codebook) if d.display == "themes"]


def _group_label(group: Group | None, survey: Survey, lang: str) -> str:
    return group.label(lang, survey.default_language) if group is not None else ""


def section_labels(survey: Survey, sections: list[str], *, lang: str) -> list[dict]:
    """``[{"id", "label"}]`` of ``sections`` in their published order: the dimensions' sections, the
    form's groups in form order, then other questions, themes, comparison, change.

    Examples
    --------
    >>> from coopwork.survey import Group, Question, Survey
    >>> survey = Survey("s", "S", None, ["en"], "en", {"q": Question("q", "text")}, {},
    ...                 groups={"g": Group("g", "g", "group", {"en": "Household"})})
    >>> section_labels(survey, ["other", "group:g", "profile"], lang="en")
    [{'id': 'profile', 'label': 'Profile'}, {'id': 'group:g', 'label': 'Household'}, \
{'id': 'other', 'label': 'Other questions'}]
    """
    fixed = list(SECTIONS)
    groups = [f"{GROUP_SECTION}{path}" for path in survey.groups]
    cut = fixed.index("other")
    ranking = fixed[:cut] + groups + fixed[cut:]

    out = []
    only_other = not set(sections) & set(ranking[:cut + len(groups)])
    for section in sorted(dict.fromkeys(sections), key=lambda s: ranking.index(s) if s in ranking else 0):
        if section.startswith(GROUP_SECTION):
            label = _group_label(survey.groups.get(section[len(GROUP_SECTION):]), survey, lang)
        elif section == "other" and only_other:
            label = t("results.section_questions", lang)  # the only section of a form without groups
        else:
            label = t(f"dashboard.section_{section}", lang)
        out.append({"id": section, "label": label})
    return out


def unit_label(survey: Survey, display: Display, *, lang: str) -> str:
    """The label of the rows a repeat question counts (the repeat's label), else of the submissions.

    Examples
    --------
    >>> from coopwork.survey import Group, Question, Survey
    >>> q = Question("age", "integer", group=("people",), repeat="people")
    >>> survey = Survey("s", "S", None, ["en"], "en", {"age": q}, {},
    ...                 groups={"people": Group("people", "people", "repeat", {"en": "Household members"})})
    >>> unit_label(survey, classify(survey)[0], lang="en")
    'Household members'
    """
    if display.table is None:
        return t(f"results.unit_{display.unit}", lang)
    group = survey.repeat_group(display.question)
    return _group_label(group, survey, lang) or display.table


def display_text(display: Display, *, lang: str) -> str:
    """How the question will be shown, or why not, in one sentence (``coopwork survey show``).

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> survey = Survey("s", "S", None, ["en"], "en", {"gps": Question("gps", "geopoint")}, {})
    >>> display_text(classify(survey)[0], lang="en")
    'how many gave a position (a position is never published)'
    """
    if display.display is None:
        return t(f"results.left_out_{display.reason}", lang, role=display.question.role or "")
    if display.question.type == "calculate":  # whether its values are numbers is read from the data
        return t("results.calculate_if_number", lang)
    return t(f"results.display_{display.display}", lang)
