"""coopwork.survey: XLSForm → Survey with pyxform; clear SurveyError for every bad input."""

from __future__ import annotations

import pytest

from coopwork.errors import SurveyError
from coopwork.survey import Choice, language_code, load_survey
from tests.workbooks import write_workbook


def write_xlsform(path, survey, choices=None, settings=None, *, survey_sheet="survey"):
    """Write a small XLSForm (lists of rows, header first)."""
    return write_workbook(path, {survey_sheet: survey, "choices": choices, "settings": settings})


@pytest.fixture
def small_form(tmp_path):
    return write_xlsform(
        tmp_path / "small.xlsx",
        [["type", "name", "label::Français (fr)", "label::English (en)", "required", "relevant",
          "coopwork::dimension", "coopwork::role", "coopwork::identifier"],
         ["text", "org", "Organisation", None, "yes", None, "profile", "organisation", None],
         ["select_one scale", "score", "Note", "Score", None, None, "trust", None, None],
         ["select_one yn", "ok", "D'accord ?", "Agree?", "true", "${score} > 2", None, None, None],
         ["text", "mail", "Courriel", "Email", None, None, None, None, "yes"],
         ["begin_repeat", "rel", "Relations", "Relations", None, None, None, None, None],
         ["text", "partner", "Partenaire", "Partner", None, None, "ties", "partner", None],
         ["end_repeat", None, None, None, None, None, None, None, None]],
        [["list_name", "name", "label::Français (fr)", "label::English (en)"],
         ["scale", "0", "zéro", "zero"], ["scale", "1", "un", "one"], ["scale", "2", "deux", None],
         ["yn", "yes", "oui", "yes"], ["yn", "no", "non", "no"]],
        [["form_id", "default_language"], ["small", "Français (fr)"]])


# --- the sample survey ------------------------------------------------------------------------


def test_sample_languages_labels_and_fallbacks(sample_survey):
    assert sample_survey.languages == ["fr", "en", "it", "pt", "ro", "hu", "de"]
    assert sample_survey.default_language == "fr"
    assert sample_survey.label("org_type", "en") == "Type of organisation"
    assert sample_survey.label("org_type", "fr") == "Type d'organisation"
    assert sample_survey.label("org_type", "es") == "Type of organisation [en]"  # visibly English
    assert sample_survey.label("org_type") == "Type d'organisation"
    assert sample_survey.question("salaries").hints["en"] == "Head count on 1 January."
    assert sample_survey.question("salaries").constraint_message["fr"].startswith("Nombre de salariés")


def test_sample_choice_order_and_labels(sample_survey):
    assert list(sample_survey.choice_labels("ca_tranche", "en").items())[:2] == [
        ("moins_50k", "Less than €50,000"), ("50k_200k", "€50,000 to €200,000")]
    assert [c.name for c in sample_survey.choices["likert5"]] == ["1", "2", "3", "4", "5"]
    labels = {"fr": "Oui", "en": "Yes", "it": "Sì", "pt": "Sim", "ro": "Da", "hu": "Igen", "de": "Ja"}
    assert sample_survey.choices["oui_non"][0] == Choice("oui", labels)


def test_sample_groups_repeat_and_metadata(sample_survey):
    q = sample_survey.question("lien_intensite")
    assert (q.group, q.repeat, q.dimension, q.list_name) == (("liens", "partenariats"), "partenariats",
                                                              "ties", "intensite")
    assert sample_survey.question("contact_email").identifier
    assert sample_survey.question("contact_email").group == ("contact",)
    assert sample_survey.question("org_nom").role == "organisation"
    assert sample_survey.question("ptce_nom").relevant == "${ptce_membre} = 'oui'"
    assert sample_survey.question("salaries").required
    assert not sample_survey.question("benevoles").required
    assert "intro" in sample_survey.questions and "intro" not in {q.name for q in sample_survey.top_level}
    assert "start" not in {q.name for q in sample_survey.top_level}
    assert sample_survey.repeats["partenariats"][0].name == "partenaire_nom"


def test_sample_is_likert_and_kinds(sample_survey):
    assert sample_survey.question("confiance_engagements").is_likert
    assert not sample_survey.question("org_type").is_likert
    assert not sample_survey.question("salaries").is_likert
    assert sample_survey.question("salaries").is_numeric
    assert sample_survey.question("financement_public_pct").is_numeric
    assert sample_survey.question("secteurs").is_multiple and sample_survey.question("secteurs").is_select


def test_question_lookup_suggests_close_names(sample_survey):
    with pytest.raises(SurveyError, match=r"no question named 'salarie'.*did you mean salaries"):
        sample_survey.question("salarie")


def test_repr_and_html(sample_survey):
    assert repr(sample_survey).startswith("Survey('cooperation_territoriale', ")
    html = sample_survey._repr_html_()
    assert "<td>mutualisation</td>" in html and "<script" not in html


# --- small synthetic forms ----------------------------------------------------------------------


def test_small_form_roles_fallbacks_and_likert_from_integer_choices(small_form):
    survey = load_survey(small_form)
    assert survey.survey_id == "small"
    assert survey.languages == ["fr", "en"] and survey.default_language == "fr"
    assert survey.label("org", "en") == "Organisation"                  # no English label: French
    assert survey.choice_labels("score", "en") == {"0": "zero", "1": "one", "2": "deux"}
    assert survey.question("score").is_likert                            # 0..2 without appearance
    assert not survey.question("ok").is_likert
    assert survey.question("ok").required and survey.question("org").required
    assert survey.question("ok").relevant == "${score} > 2"
    assert survey.role("partner").repeat == "rel" and survey.relations_repeat == "rel"
    assert survey.role("weight") is None
    assert [q.name for q in survey.identifiers] == ["mail"]
    assert list(survey.dimensions) == ["profile", "trust", "ties"]


def test_plain_label_column_gives_the_default_language(tmp_path):
    path = write_xlsform(tmp_path / "plain.xlsx", [["type", "name", "label"], ["integer", "n", "How many?"]])
    survey = load_survey(path)
    assert survey.languages == ["default"] and survey.default_language == "default"
    assert survey.survey_id == "plain"                                  # no settings: the file name
    assert survey.label("n", "fr") == "How many?"


def test_language_code():
    assert language_code("English (en)") == "en"
    assert language_code("Français (fr)") == "fr"
    assert language_code("Português (pt-BR)") == "pt-br"


# --- errors ---------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(SurveyError, match="the survey file does not exist") as info:
        load_survey(tmp_path / "nope.xlsx")
    assert info.value.file.endswith("nope.xlsx")
    assert info.value.hint


def test_workbook_without_survey_sheet(tmp_path):
    path = write_xlsform(tmp_path / "data.xlsx", [["a", "b"], [1, 2]], survey_sheet="data")
    with pytest.raises(SurveyError, match="not a valid XLSForm") as info:
        load_survey(path)
    assert info.value.file == "data.xlsx"
    assert "'type'" in str(info.value)


def test_not_a_workbook_at_all(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a spreadsheet", encoding="utf-8")
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    assert info.value.file == "notes.xlsx"


def test_pyxform_error_names_the_row(tmp_path):
    path = write_xlsform(tmp_path / "dup.xlsx", [["type", "name", "label"], ["integer", "a", "A"],
                                                 ["integer", "a", "A again"]])
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    assert info.value.row == 3
    assert str(info.value).startswith("dup.xlsx, row 3: this is not a valid XLSForm")
    assert "'a'" in info.value.message


def test_unclosed_group_names_the_row(tmp_path):
    path = write_xlsform(tmp_path / "g.xlsx", [["type", "name", "label"], ["begin_group", "g", "G"],
                                               ["integer", "a", "A"]])
    with pytest.raises(SurveyError, match="Unmatched 'begin_group'") as info:
        load_survey(path)
    assert info.value.row == 2


def test_unknown_role(tmp_path):
    path = write_xlsform(tmp_path / "role.xlsx", [["type", "name", "label", "coopwork::role"],
                                                  ["text", "org", "Org", "organization"]])
    with pytest.raises(SurveyError, match="unknown coopwork::role 'organization'") as info:
        load_survey(path)
    assert info.value.column == "coopwork::role"
    assert "organisation" in info.value.hint


def test_form_with_only_notes_has_no_question(tmp_path):
    path = write_xlsform(tmp_path / "empty.xlsx", [["type", "name", "label"]])
    with pytest.raises(SurveyError):
        load_survey(path)


# --- real-world XLSForms (../shared/realworld/xlsform, never copied into the repo) --------------


def test_realworld_grouped_csv_form(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_group.csv")
    assert survey.languages == ["en"]
    assert survey.question("age").group == ("father",)
    assert survey.label("age", "fr") == "How old is your father?"
    assert survey.question("age").is_numeric


def test_realworld_case_insensitive_markdown_form(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_case_insensitivity.md")
    assert survey.survey_id == "YesNo"
    assert survey.question("q1").type == "select_one"
    assert survey.question("q2").type == "select_one_external"


def test_realworld_wq_select_form(realworld):
    survey = load_survey(realworld / "xlsform" / "wq_xlsform_converter_select.csv")
    assert survey.question("color").is_select and survey.question("tags").is_multiple
    assert survey.question("site").required and not survey.question("color").required
    assert survey.question("site").constraint == 'wq:ForeignKey("other_app.Site")'
    assert [c.name for c in survey.question("color").choices] == list(survey.choice_labels("color"))
    assert survey.question("site").is_numeric


def test_realworld_widgets_form_loads(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_widgets.csv")
    assert "my_geopoint" in survey.questions
    assert survey.question("my_select").is_multiple   # "select all that apply" normalised
    assert survey.question("my_select1").type == "select_one"


def test_realworld_legacy_type_aliases_are_normalised(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_widgets.csv")
    assert survey.question("my_int").type == "integer" and survey.question("my_int").is_numeric
    assert survey.question("my_string").type == "text"
    assert survey.question("dateTime").type == "datetime"


def test_realworld_loop_is_a_structure_not_a_question(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_loop.md")
    assert "loop_toilet_types" not in survey.questions
    # one question per choice of the list looped over, its templates filled in
    names = [q.name for q in survey.questions.values() if q.source_name == "number"]
    assert names == ["number_pit_latrine_with_slab", "number_open_pit_latrine", "number_bucket_system",
                     "number_other"]
    question = survey.question("number_open_pit_latrine")
    assert question.group == ("loop_toilet_types", "open_pit_latrine")
    assert "%(" not in question.label("english")
    assert all("%(" not in str(q.relevant) for q in survey.questions.values())


def test_realworld_loop_form_languages(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_loop.md")
    assert survey.question("available_toilet_types").is_multiple
    assert survey.label("available_toilet_types", "english") == "What type of toilets are on the premises?"


def test_realworld_default_language_is_one_of_the_languages(realworld):
    survey = load_survey(realworld / "xlsform" / "pyxform_loop.md")
    assert survey.default_language in survey.languages


@pytest.mark.parametrize("name", ["reach_rcce_uganda_questions.csv", "reach_rcce_uganda_choices.csv",
                                  "kobo_formpack_grouped_translated_v1.json"])
def test_realworld_files_that_are_not_xlsforms_give_a_survey_error(realworld, name):
    with pytest.raises(SurveyError) as info:
        load_survey(realworld / "xlsform" / name)
    assert info.value.file == name


def test_group_relevance_is_kept_for_the_questions_inside(tmp_path):
    write_xlsform(tmp_path / "groups.xlsx",
                  [["type", "name", "label", "relevant"], ["select_one yn", "member", "Member?", ""],
                   ["begin_group", "details", "Details", "${member} = 'yes'"],
                   ["integer", "since", "Since", ""],
                   ["integer", "staff", "Staff", "${since} > 2000"], ["end_group", "", "", ""]],
                  [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]])
    survey = load_survey(tmp_path / "groups.xlsx")
    assert survey.question("since").group_relevant == ("${member} = 'yes'",)
    assert survey.question("staff").applies_when == ("${member} = 'yes'", "${since} > 2000")
    assert survey.question("member").applies_when == ()
