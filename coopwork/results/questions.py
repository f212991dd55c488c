"""Which questions a territory's results publish, in which section, counted in which unit.

This is the one place that decides it; reports, dashboards and exports only read the result.

- **Published**: closed questions (select_one, select_multiple, Likert, integer, decimal) that
  are neither identifiers nor a key role (territory, organisation, partner, name consent,
  weight), at the top level or in the relations repeat (the partners). Other repeats and
  calculations are not published.
- **Counting unit**: a top-level question counts *organisations* (one response each); a
  question of the relations repeat counts *ties* (one row per partner named), and each of its
  cells is protected on the number of distinct organisations behind it. The unit is stated in
  the chart's title and in the ``unit`` column of the summaries table.
- **Sections**: the dashboard tabs and the report headings, in this order (:data:`SECTIONS`);
  a question goes to the section of its ``coopwork::dimension``.

Examples
--------
>>> from coopwork.demo import sample_survey_path
>>> from coopwork.survey import load_survey
>>> survey = load_survey(sample_survey_path())
>>> [(p.question.name, p.unit) for p in published(survey)][:2]
[('org_type', 'organisations'), ('annee_creation', 'organisations')]
>>> next(p for p in published(survey) if p.question.name == "lien_nature").unit
'ties'
>>> section_of("trust"), section_of(None)
('governance_trust', 'other')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..survey import Question, Survey

__all__ = [
    "KEY_ROLES",
    "PRACTICE_DIMENSIONS",
    "SECTIONS",
    "Published",
    "published",
    "section_of",
    "text_questions",
]

#: roles whose answers are keys or identities, never published as a distribution
KEY_ROLES = frozenset({"territory", "organisation", "partner", "name_consent", "weight"})
#: sections (dashboard tabs, report headings) in order, with the dimensions each one shows
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


@dataclass(frozen=True)
class Published:
    """A published question with its section and counting unit (``organisations`` or ``ties``)."""

    question: Question
    section: str
    unit: str


def section_of(dimension: str | None) -> str:
    """The section of a dimension (``other`` when it has none or an unknown one)."""
    return next((s for s, dims in SECTIONS.items() if dimension in dims), "other")


def published(survey: Survey) -> list[Published]:
    """The published questions of a survey, in form order (see the module docstring)."""
    relations = survey.relations_repeat
    out = []
    for q in survey.questions.values():
        if (
            not q.is_answer
            or q.identifier
            or q.role in KEY_ROLES
            or q.type not in {"select_one", "select_multiple", "integer", "decimal", "range"}
        ):
            continue
        if q.repeat is None:
            out.append(Published(q, section_of(q.dimension), "organisations"))
        elif q.repeat == relations:
            out.append(Published(q, section_of(q.dimension), "ties"))
    return out


def text_questions(survey: Survey) -> list[Question]:
    """The free-text questions whose themes are counted (top level, not identifiers, not the
    profile's "other, specify" answers)."""
    return [
        q
        for q in survey.top_level
        if q.type == "text"
        and not q.identifier
        and q.role not in KEY_ROLES
        and q.dimension not in (None, "profile")
    ]
