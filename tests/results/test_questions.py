"""How every question of a form is shown, where and in which unit — or why not (one decision).

The decision is :func:`coopwork.survey.display_kind` (the kind of display) and
:func:`coopwork.results.questions.classify` (section, unit, Likert block); these tests pin it on
small hand-written forms, on the sample survey and on a form with every kind of question.
"""

from __future__ import annotations

import pytest

from coopwork.results.questions import classify, display_text, published, section_labels, unit_label
from coopwork.survey import DISPLAYS, REASONS, Choice, Group, Question, Survey, display_kind, load_survey

from .any_survey import PUBLISHED, write_form

SCALE = tuple(Choice(str(i), {"en": str(i)}) for i in range(1, 6))
AGREE = tuple(Choice(n, {"en": n}) for n in ("no", "rather_no", "rather_yes", "yes"))


def _survey(*questions: Question, groups: dict[str, Group] | None = None) -> Survey:
    return Survey("s", "S", None, ["en"], "en", {q.name: q for q in questions}, {}, groups=groups or {})


@pytest.mark.parametrize(("kind", "expected"), [
    ("select_one", ("bars", None)), ("select_multiple", ("bars", None)),
    ("select_one_from_file", ("bars", None)),
    ("rank", ("rank", None)), ("integer", ("histogram", None)), ("decimal", ("histogram", None)),
    ("range", ("histogram", None)), ("calculate", ("histogram", None)), ("date", ("periods", None)),
    ("datetime", ("periods", None)), ("time", ("periods", None)), ("text", ("answers", None)),
    ("barcode", ("answers", None)), ("acknowledge", ("answers", None)), ("geopoint", ("positions", None)),
    ("geotrace", ("positions", None)), ("geoshape", ("positions", None)), ("note", (None, "note")),
    ("start", (None, "metadata")), ("end", (None, "metadata")), ("today", (None, "metadata")),
    ("deviceid", (None, "metadata")), ("audit", (None, "metadata")), ("image", (None, "media")),
    ("audio", (None, "media")), ("video", (None, "media")), ("file", (None, "media")),
    ("some_new_type", ("answers", None)),
])
def test_every_type_has_one_display_or_a_reason(kind, expected):
    survey = _survey(Question("q", kind))
    assert display_kind(survey, survey.questions["q"]) == expected
    assert expected[0] in (*DISPLAYS, None) and expected[1] in (*REASONS, None)
    assert display_text(classify(survey)[0], lang="en")  # survey show can say it in words


def test_roles_identifiers_and_calculations_that_are_not_numbers_are_left_out():
    survey = _survey(Question("zone", "select_one", role="territory"),
                     Question("who", "text", identifier=True), Question("org", "text", role="organisation"),
                     Question("kind", "select_one", role="org_type"), Question("code", "calculate"))
    found = {d.question.name: (d.display, d.reason)
             for d in classify(survey, numeric={"code": False})}
    assert found == {"zone": (None, "role"), "who": (None, "identifier"), "org": (None, "role"),
                     "kind": ("bars", None), "code": (None, "not_number")}
    # the analysis functions still summarise a key question on demand
    assert display_kind(survey, survey.questions["zone"], published=False) == ("bars", None)


def test_free_text_is_counted_by_theme_only_for_the_questions_the_codebook_covers():
    survey = _survey(Question("why", "text"), Question("other", "text"))
    book = {"questions": ["why"], "themes": {"jobs": {"label": {"en": "Jobs"}, "keywords": ["job*"]}}}
    found = {d.question.name: (d.display, d.section, d.chart_id) for d in classify(survey, codebook=book)}
    assert found == {"why": ("themes", "themes", "themes.why"), "other": ("answers", "other", "other")}
    every = {d.question.name: d.display for d in classify(survey, codebook={"themes": book["themes"]})}
    assert every == {"why": "themes", "other": "themes"}  # a codebook without a list covers every text


def test_likert_blocks_are_ordered_scales_and_matrix_groups_sharing_a_list():
    groups = {"grid": Group("grid", "grid", "group", {"en": "Our street"}, "table-list"),
              "more": Group("more", "more", "group", {"en": "More"})}
    survey = _survey(
        Question("a", "select_one", list_name="scale", choices=SCALE, group=("more",)),
        Question("b", "select_one", list_name="scale", choices=SCALE, group=("more",)),
        Question("safe", "select_one", list_name="agree", choices=AGREE, group=("grid",)),
        Question("clean", "select_one", list_name="agree", choices=AGREE, group=("grid",)),
        Question("alone", "select_one", list_name="agree", choices=AGREE, group=("more",)),
        groups=groups)
    found = {d.question.name: (d.display, d.block) for d in classify(survey)}
    assert found["a"] == found["b"] == ("likert", "group:more.scale")          # consecutive 1..5
    assert found["safe"] == found["clean"] == ("likert", "group:grid.agree")   # a table-list matrix
    assert found["alone"] == ("bars", None)  # the same list alone elsewhere: not known to be ordered


def test_a_battery_on_one_list_is_a_likert_block_and_a_matrix_header_is_left_out():
    yes_no = (Choice("yes", {"en": "Yes"}), Choice("no", {"en": "No"}))
    groups = {"kobo": Group("kobo", "kobo", "group", {"en": "Matrix"}, "field-list")}
    survey = _survey(
        Question("often_bus", "select_one", list_name="often", choices=AGREE),
        Question("often_car", "select_one", list_name="often", choices=AGREE),
        Question("has_bus", "select_one", list_name="yn", choices=yes_no),
        Question("has_car", "select_one", list_name="yn", choices=yes_no),
        Question("head", "select_one", list_name="often", choices=AGREE, appearance="label", group=("kobo",)),
        Question("row1", "select_one", list_name="often", choices=AGREE, appearance="list-nolabel",
                 group=("kobo",)),
        Question("row2", "select_one", list_name="often", choices=AGREE, appearance="list-nolabel",
                 group=("kobo",)),
        groups=groups)
    found = {d.question.name: (d.display, d.reason) for d in classify(survey)}
    assert found["often_bus"] == found["often_car"] == ("likert", None)  # a battery: in a row, one list
    assert found["has_bus"] == found["has_car"] == ("bars", None)  # two options: not a scale
    assert found["head"] == (None, "header")  # Kobo's matrix: the labels row, nobody answers it
    assert found["row1"] == found["row2"] == ("likert", None)


def test_sections_are_the_form_groups_below_the_one_every_question_shares():
    groups = {"form": Group("form", "form", "group", {"en": "Survey"}),
              "form/a": Group("form/a", "a", "group", {"en": "Part A"}),
              "form/b": Group("form/b", "b", "repeat", {"en": "People"})}
    survey = _survey(Question("x", "integer", group=("form",)),
                     Question("y", "integer", group=("form", "a")),
                     Question("z", "integer", group=("form", "b"), repeat="b"), groups=groups)
    found = {d.question.name: (d.section, d.unit, d.table) for d in classify(survey)}
    assert found == {"x": ("group:form", "responses", None), "y": ("group:form/a", "responses", None),
                     "z": ("group:form/b", "rows", "b")}
    labels = section_labels(survey, ["group:form/b", "group:form", "group:form/a"], lang="en")
    assert [s["label"] for s in labels] == ["Survey", "Part A", "People"]  # form order
    assert unit_label(survey, classify(survey)[2], lang="en") == "People"


def test_a_form_without_groups_has_one_section_named_questions():
    survey = _survey(Question("x", "integer"), Question("y", "text"))
    sections = {d.section for d in published(survey)}
    assert sections == {"other"}
    assert section_labels(survey, sorted(sections), lang="en") == [{"id": "other", "label": "Questions"}]


def test_the_sample_survey_keeps_its_cooperation_sections_and_units(sample_survey):
    found = {d.question.name: d for d in classify(sample_survey)}
    assert found["org_type"].section == "profile" and found["org_type"].unit == "organisations"
    assert found["lien_nature"].unit == "ties" and found["lien_nature"].section == "ties"
    assert found["confiance_valeur"].block == "trust" and found["lien_valeur"].block == "trust.ties"
    assert found["evolution_texte"].display == "answers"  # no codebook given: counted
    assert found["contact_email"].reason == "identifier" and found["territoire"].reason == "role"


def test_the_form_with_every_kind_of_question(tmp_path):
    survey = load_survey(write_form(tmp_path / "household_life.xlsx"))
    assert not any(name.startswith("reserved_name") for name in survey.questions)  # pyxform's table-list row
    shown = {d.question.name: d.display for d in published(survey)}
    assert shown == PUBLISHED
    found = {d.question.name: d for d in classify(survey)}
    assert found["job_sector"].table == "job" and found["job_sector"].unit == "rows"
    assert found["respondent_name"].reason == "identifier"  # inferred from the label "Your name"
    assert found["safe"].block == found["clean"].block and found["satisfaction"].display == "likert"
    assert {found[q].section for q in ("age", "sex", "job_sector", "hours")} == {"group:person"}
    assert survey.parent_repeat("job") == "person" and survey.parent_repeat("person") is None
