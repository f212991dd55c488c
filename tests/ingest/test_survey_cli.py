"""``coopwork survey show`` on forms written by other people: every question is named once, with how
it will be shown or why it will not (issue 21, item 3)."""

from __future__ import annotations

import pytest

from coopwork.ingest.survey_cli import show_lines, survey_summary
from coopwork.results.questions import classify
from coopwork.survey import load_survey

#: real XLSForms of ../shared/realworld (read in place, never copied into the repository)
REAL_FORMS = [
    "kobo/kobo_transfer_meeting_form_xlsform.xlsx", "kobo/kobo_transfer_inventory_form_xlsform.xlsx",
    "kobo/kobo_transfer_project_overview_xlsform.xlsx", "ona/onadata_transportation_xlsform.xlsx",
    "xlsform/pyxform_widgets.csv", "xlsform/pyxform_group.csv", "xlsform/pyxform_loop.md",
    "xlsform/wq_xlsform_converter_select.csv", "xlsform/pyxform_case_insensitivity.md",
]


def _named(lines: list[str]) -> list[str]:
    """The question names of the listing: a question's line (``  name  (type) …``), or a line of
    names (``  start, end``) of the metadata or notes left out."""
    names = []
    end = next((i for i, line in enumerate(lines) if line.startswith("Roles of the questions")), len(lines))
    for line in lines[:end]:
        if not line.startswith("  ") or line.startswith("   "):
            continue
        head = line.strip()
        if "  (" in head:
            names.append(head.split("  (")[0])
        elif ", " in head or head.isidentifier():
            names += head.split(", ")
    return names


@pytest.mark.parametrize("name", REAL_FORMS)
def test_every_question_of_a_real_form_is_shown_once_with_its_display_or_reason(realworld, name):
    survey = load_survey(realworld / name)
    lines = show_lines(survey, lang="en")
    named = _named(lines)
    assert sorted(named) == sorted(survey.questions), name
    assert any(line.startswith(("Territory question:", "No territory question:")) for line in lines)
    summary = {q["name"]: q for q in survey_summary(survey, lang="en")["questions"]}
    for d in classify(survey):
        entry = summary[d.question.name]
        assert (entry["display"] is None) != (entry["reason"] is None)
        assert entry["shown_as"], d.question.name  # a sentence, in every case
