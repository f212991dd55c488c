"""The sample XLSForm: content a research team needs, valid for pyxform, committed up to date."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from coopwork.demo import form
from coopwork.demo.form import (
    COLUMNS,
    DEFAULT_TERRITORIES,
    DIMENSIONS,
    build_sample_survey,
    sample_survey_bytes,
    territory_choices,
)
from coopwork.survey import ROLES, load_survey

LIKERT = ["1", "2", "3", "4", "5"]


def test_committed_workbook_is_up_to_date_with_form_py(sample_survey_path):
    assert sample_survey_path.name == "cooperation_territoriale.xlsx"
    assert sample_survey_path.read_bytes() == sample_survey_bytes(), (
        "surveys/cooperation_territoriale.xlsx is stale: run .venv/bin/python surveys/build_sample_survey.py")


def test_sheets_columns_and_settings(sample_survey_path):
    workbook = load_workbook(sample_survey_path, read_only=True)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    header = next(workbook["survey"].iter_rows(max_row=1, values_only=True))
    assert tuple(header) == COLUMNS
    settings = list(workbook["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1], strict=True))["form_id"] == "cooperation_territoriale"
    assert dict(zip(settings[0], settings[1], strict=True))["default_language"] == "French (fr)"


def test_identity_and_languages(sample_survey):
    assert sample_survey.survey_id == "cooperation_territoriale"
    assert sample_survey.languages == ["fr", "en", "it", "pt", "ro", "hu", "de"]
    assert sample_survey.label_languages == sample_survey.languages
    assert sample_survey.label("org_type", "ro") == "Tipul organizației"
    assert sample_survey.choice_labels("territoire", "hu")["timisoara"] == "Temesvár (Románia)"
    assert sample_survey.default_language == "fr"
    assert sample_survey.version == "2026.1"
    for q in sample_survey.questions.values():
        if q.type in {"start", "end"}:
            continue
        assert q.labels.get("fr") and q.labels.get("en"), q.name
        for choice in q.choices:
            assert choice.labels.get("fr") and choice.labels.get("en"), (q.name, choice.name)


def test_every_dimension_has_several_questions(sample_survey):
    assert set(sample_survey.dimensions) == set(DIMENSIONS)
    for dimension, questions in sample_survey.dimensions.items():
        assert len(questions) >= 3, dimension


def test_every_role_but_weight_is_declared_once_with_the_right_type(sample_survey):
    declared = [q.role for q in sample_survey.questions.values() if q.role]
    assert sorted(declared) == sorted(ROLES - {"weight"})
    assert sample_survey.role("territory").name == "territoire"
    assert sample_survey.role("territory").type == "select_one"
    assert sample_survey.role("organisation").name == "org_nom"
    assert sample_survey.role("organisation").type == "text"
    assert sample_survey.role("org_type").name == "org_type"
    assert sample_survey.role("name_consent").choices[0].name == "oui"
    partner = sample_survey.role("partner")
    assert (partner.name, partner.type, partner.repeat) == ("partenaire_nom", "text", "partenariats")
    assert sample_survey.relations_repeat == "partenariats"


def test_identifiers_are_the_contact_fields(sample_survey):
    assert [q.name for q in sample_survey.identifiers] == ["contact_nom", "contact_email", "contact_tel"]
    assert all(q.repeat is None for q in sample_survey.identifiers)


def test_organisation_typology(sample_survey):
    names = list(sample_survey.choice_labels("org_type"))
    assert names == ["association", "scop", "scic", "collectivite", "entreprise", "tiers_lieu", "siae",
                     "ebe_tzcld", "ptce", "ges", "autre"]
    assert sample_survey.choice_labels("org_type", "en")["collectivite"] == "Local authority"
    assert sample_survey.question("partenaire_type").list_name == "org_type"


def test_territories_default_and_extended(sample_survey):
    assert list(sample_survey.choice_labels("territoire")) == [t[0] for t in DEFAULT_TERRITORIES]
    assert [t[0] for t in DEFAULT_TERRITORIES] == ["pays_de_bray", "timisoara", "veszprem",
                                                   "esch_sur_alzette", "guimaraes", "matera"]
    assert territory_choices(3) == list(DEFAULT_TERRITORIES)
    ids = [t[0] for t in territory_choices(11)]
    assert ids[6:] == ["territoire_07", "territoire_08", "territoire_09", "territoire_10", "territoire_11"]
    assert len(set(ids)) == 11


def test_extended_form_loads_with_the_extra_territories(tmp_path):
    survey = load_survey(build_sample_survey(tmp_path / "f.xlsx", territories=8))
    assert list(survey.choice_labels("territoire"))[-2:] == ["territoire_07", "territoire_08"]
    assert survey.choice_labels("territoire", "en")["territoire_08"] == "Territory 8 (fictional)"


def test_likert_items_use_the_five_point_scale(sample_survey):
    likert = [q for q in sample_survey.questions.values() if q.is_likert]
    assert len(likert) >= 15
    for q in likert:
        assert q.appearance == "likert"
        assert [c.name for c in q.choices] == LIKERT
    assert not sample_survey.question("lien_intensite").is_likert  # ordered words, not a Likert item
    assert list(sample_survey.choice_labels("lien_intensite")) == [
        "reseau", "cooperation", "coordination", "coalition", "collaboration"]


def test_question_types_cover_the_xlsform_basics(sample_survey):
    types = {q.type for q in sample_survey.questions.values()}
    assert {"select_one", "select_multiple", "integer", "decimal", "text", "date", "note", "start",
            "end"} <= types
    assert sample_survey.question("financement_public_pct").type == "decimal"
    assert sample_survey.question("derniere_ag").type == "date"
    assert sample_survey.question("secteurs").is_multiple


def test_required_constraints_and_relevance(sample_survey):
    required = {q.name for q in sample_survey.questions.values() if q.required}
    assert {"territoire", "org_nom", "org_type", "consent_nom", "salaries", "ptce_membre",
            "partenaire_nom"} <= required
    for q in sample_survey.questions.values():
        if q.type == "integer":
            assert q.constraint and q.constraint_message.get("fr") and q.constraint_message.get("en"), q.name
    assert sample_survey.question("salaries").constraint == ". >= 0 and . <= 5000"
    assert sample_survey.question("ptce_nom").relevant == "${ptce_membre} = 'oui'"
    assert sample_survey.question("locaux_m2").relevant == "selected(${mutualisation_formes}, 'locaux')"


def test_relevance_references_existing_earlier_questions(sample_survey):
    order = list(sample_survey.questions)
    for q in sample_survey.questions.values():
        for ref in re.findall(r"\$\{(\w+)\}", q.relevant or ""):
            assert ref in sample_survey.questions, (q.name, ref)
            assert order.index(ref) < order.index(q.name), (q.name, ref)
        for option in re.findall(r"selected\(\$\{(\w+)\}, '(\w+)'\)", q.relevant or ""):
            assert option[1] in sample_survey.choice_labels(option[0]), (q.name, option)


def test_groups_and_repeat(sample_survey):
    assert sample_survey.question("territoire").group == ("profil",)
    assert sample_survey.question("lien_intensite").group == ("liens", "partenariats")
    assert [q.name for q in sample_survey.repeats["partenariats"]] == [
        "partenaire_nom", "partenaire_type", "lien_nature", "lien_intensite", "lien_depuis",
        "lien_formalise", "lien_valeur"]
    assert "partenaire_nom" not in {q.name for q in sample_survey.top_level}


def test_free_text_questions_in_french(sample_survey):
    for name in ("evolution_texte", "attentes_texte"):
        q = sample_survey.question(name)
        assert (q.type, q.appearance, q.dimension) == ("text", "multiline", "trajectory")
        assert q.label("fr").startswith("Qu")


def test_pyxform_builds_a_valid_xform_without_warnings(sample_survey_path):
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(xlsform=str(sample_survey_path), warnings=warnings)
    assert warnings == []
    assert "<h:title>Coopérations économiques territoriales" in result.xform
    assert 'jr:constraintMsg="jr:itext(' in result.xform  # translated constraint messages


def test_build_is_stable_and_does_not_rewrite_identical_files(tmp_path):
    target = build_sample_survey(tmp_path / "deep" / "form.xlsx")
    first = target.stat().st_mtime_ns
    assert build_sample_survey(target) == target
    assert target.stat().st_mtime_ns == first
    assert target.read_bytes() == sample_survey_bytes()
    assert sample_survey_bytes(territories=7) != sample_survey_bytes()


def test_sample_survey_path_builds_into_the_cache_without_a_checkout(tmp_path, monkeypatch):
    import coopwork.demo as demo

    monkeypatch.setattr(demo, "REPO_SURVEYS", tmp_path / "no-checkout")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = demo.sample_survey_path()
    assert path.parent == tmp_path / "cache" / "coopwork"
    assert path.name == f"cooperation_territoriale-{form.SETTINGS['version']}.xlsx"
    assert load_survey(path).survey_id == "cooperation_territoriale"
    assert demo.sample_survey_path() == path


@pytest.mark.parametrize("row", form.SURVEY_ROWS, ids=lambda r: f"{r['type']}:{r['name']}")
def test_rows_use_only_declared_columns(row):
    assert set(row) == set(COLUMNS)
