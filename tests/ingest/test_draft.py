"""Draft XLSForms inferred from exports: types, choices, split/joined multiples, round trip, CLI."""

from __future__ import annotations

import json

import pytest

from coopwork.cli import main as cli_main
from coopwork.errors import IngestError
from coopwork.ingest.draft import draft_path, draft_survey, infer_draft
from coopwork.ingest.registry import read_export
from coopwork.survey import load_survey

GOOGLE = ("Horodateur,Territoire,Type de structure,Salariés,Budget,Créée le,Jours,Commentaire,"
          "Adresse de contact\n"
          '01/03/2025 10:00:00,Matera,Association,12,"1,5",2020-01-31,"Lundi, Mardi",'
          '"Très bien, merci",a@example.org\n'
          "02/03/2025 10:00:00,Matera,SCOP,3,2,2019-05-01,Mardi,RAS,b@example.org\n"
          '03/03/2025 10:00:00,Pays de Bray,Association,40,"0,5",2021-07-14,"Lundi, Mercredi",'
          '"Bien, vraiment",c@example.org\n'
          "04/03/2025 10:00:00,Pays de Bray,SCOP,7,3,2018-02-02,Lundi,Super,d@example.org\n")


@pytest.fixture
def google_export(tmp_path):
    path = tmp_path / "Réponses atelier.csv"
    path.write_text(GOOGLE, encoding="utf-8")
    return path


def test_types_and_choices_are_inferred(google_export):
    survey, choices, settings = infer_draft(google_export)
    types = dict(zip(survey["name"], survey["type"], strict=True))
    assert types == {
        "territoire": "select_one territoire", "type_de_structure": "select_one type_de_structure",
        "salaries": "integer", "budget": "decimal", "creee_le": "date", "jours": "select_multiple jours",
        "commentaire": "text", "adresse_de_contact": "text"}
    row = survey.set_index("name")
    assert row.loc["territoire", "coopwork::role"] == "territory"
    assert row.loc["adresse_de_contact", "coopwork::identifier"] == "yes"  # values are e-mails
    assert row.loc["salaries", "label"] == "Salariés"
    jours = choices[choices["list_name"] == "jours"]
    assert jours[["name", "label"]].values.tolist() == [["lundi", "Lundi"], ["mardi", "Mardi"],
                                                         ["mercredi", "Mercredi"]]
    terr = choices[choices["list_name"] == "territoire"]
    assert terr["name"].tolist() == ["matera", "pays_de_bray"]
    assert settings["form_id"].tolist() == ["reponses_atelier"]


def test_decimal_comma_with_semicolon_separator(tmp_path):
    path = tmp_path / "saisie.csv"
    path.write_bytes("nom;montant;note\r\nA;1,5;3\r\nB;2;4\r\nC;0,25;3\r\nD;4;5\r\n".encode("cp1252"))
    survey, choices, _ = infer_draft(path)
    types = dict(zip(survey["name"], survey["type"], strict=True))
    assert types["montant"] == "decimal"
    assert types["note"] == "select_one note"  # a small integer scale
    assert choices[choices["list_name"] == "note"]["name"].tolist() == ["3", "4", "5"]
    assert survey.set_index("name").loc["note", "appearance"] == "likert"


def test_split_option_columns_become_select_multiple(tmp_path):
    path = tmp_path / "lime.csv"
    path.write_text("id,submitdate,Q1,Q2[SQ001],Q2[SQ002],Q2[other],Q3[A1],Q3[A2]\n"
                    "1,d,A1,Y,,bio,5,4\n2,d,A2,,Y,,3,3\n3,d,A1,Y,Y,,5,3\n", encoding="utf-8")
    survey, choices, _ = infer_draft(path)
    types = dict(zip(survey["name"], survey["type"], strict=True))
    assert types["q2"] == "select_multiple q2"
    assert choices[choices["list_name"] == "q2"]["name"].tolist() == ["SQ001", "SQ002"]
    assert types["q2_other"] == "text"
    assert types["q3_a1"].startswith("select_one") and types["q3_a2"].startswith("select_one")


def test_round_trip_reads_every_column(google_export, tmp_path):
    path = draft_survey(google_export, output=tmp_path / "draft.xlsx")
    survey = load_survey(path)
    raw = read_export(google_export, survey)
    assert raw.unmapped == [] and raw.issues == []
    assert set(raw.main.columns) - {"_row", "_submission_id", "_submitted_at"} == \
        {q.name for q in survey.top_level}
    assert raw.main["jours"].tolist() == ["lundi mardi", "mardi", "lundi mercredi", "lundi"]
    assert raw.main["type_de_structure"].tolist() == ["association", "SCOP", "association", "SCOP"]
    assert raw.main["_submitted_at"].notna().all()


def test_round_trip_through_ingestion(google_export, tmp_path):
    from coopwork.ingest import ingest_file

    path = draft_survey(google_export, output=tmp_path / "draft.xlsx")
    # the territory comes from the question the draft gave the territory role
    result = ingest_file(google_export, survey=path, wave="w1", workspace=tmp_path / "ws")
    assert (result.rows_read, result.accepted, result.quarantined, result.duplicates) == (4, 4, 0, 0)


def test_existing_draft_is_not_overwritten(google_export, tmp_path):
    path = draft_survey(google_export, output=tmp_path / "draft.xlsx")
    with pytest.raises(IngestError, match=r"draft\.xlsx"):
        draft_survey(google_export, output=path)
    assert draft_survey(google_export, output=path, overwrite=True) == path


def test_export_without_answers(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text("_uuid,_submission_time,_index\na,b,1\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"meta\.csv"):
        infer_draft(path, fmt="kobo")


def test_cli_draft_and_show(google_export, tmp_path, capsys):
    assert cli_main(["survey", "draft", str(google_export), "--workspace", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    written = draft_path(google_export, tmp_path)
    assert out.strip() == str(written) and written.is_file()
    assert "coopwork ingest" in err
    assert cli_main(["survey", "show", str(written), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["survey_id"] == "reponses_atelier"
    assert [q["name"] for q in data["questions"]][:2] == ["territoire", "type_de_structure"]
    assert cli_main(["survey", "show", str(written)]) == 0
    assert "salaries  (integer)  Salariés" in capsys.readouterr().out
    # a second draft to the same place: one message, exit 2, no traceback
    assert cli_main(["survey", "draft", str(google_export), "--workspace", str(tmp_path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_draft_of_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "image.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert cli_main(["survey", "draft", str(bad), "--workspace", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coopwork survey: image.png: ") and "Traceback" not in err
    assert not (tmp_path / "surveys").exists()


# -- drafts that do not invent structure (issue 12) ------------------------------------------

LIKERT_LIME = ("Antwort ID;Wie wichtig ist Ihnen Simulation?;Was fehlt Ihnen?;Werkzeuge? [Jupyter];"
               "Werkzeuge? [Excel]\n"
               "1;Eher wichtig;Zeit und Geld;Ja;Nein\n2;Sehr wichtig;Zeit und Geld;Ja;Ja\n"
               "3;Nicht wichtig;mehr Zeit;Nein;Ja\n4;Eher unwichtig;Geld und Zeit;Nein;Nein\n"
               "5;Sehr wichtig;mehr Zeit;Ja;Nein\n6;Eher wichtig;Geld und Zeit;Nein;Ja\n")


def test_likert_answers_become_an_ordered_select_one_never_split_on_spaces(tmp_path):
    path = tmp_path / "results-survey.csv"
    path.write_text(LIKERT_LIME, encoding="utf-8-sig")
    survey, choices, _ = infer_draft(path)
    assert survey["type"].tolist()[0].startswith("select_one ")
    assert survey["appearance"].tolist()[0] == "likert"
    scale = choices[choices["list_name"] == survey["type"][0].split()[1]]["label"].tolist()
    assert scale == ["Nicht wichtig", "Eher unwichtig", "Eher wichtig", "Sehr wichtig"]
    # LimeSurvey never joins options in one cell: a repeated free text is not a multiple choice
    assert survey["type"].tolist()[1] == "select_one was_fehlt_ihnen"
    assert choices[choices["list_name"] == "was_fehlt_ihnen"]["label"].tolist() == [
        "Zeit und Geld", "mehr Zeit", "Geld und Zeit"]


def test_a_google_forms_choice_holding_a_comma_stays_whole(tmp_path):
    long = "Formar una familia, pues me daría una motivación extra"
    other = "Estar soltero, muy enfocado en mis logros"
    rows = [f'9/08/2021 12:23:{i:02d},"{long if i % 3 else other}",{"Sí" if i % 2 else "No"}'
            for i in range(9)]
    path = tmp_path / "respuestas.csv"
    path.write_text("Marca temporal,Cuando tenga 30 años me gustaría:,¿Estudias?\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    survey, choices, _ = infer_draft(path)
    assert survey["type"].tolist()[0] == "select_one cuando_tenga_30_anos_me_gustaria"
    listed = choices[choices["list_name"] == "cuando_tenga_30_anos_me_gustaria"]["label"]
    assert sorted(listed) == [other, long]
    draft = draft_survey(path, output=tmp_path / "draft.xlsx")
    raw = read_export(path, load_survey(draft))
    assert raw.issues == [] and raw.main.iloc[:, 3].notna().all()


def test_realworld_limesurvey_likert_and_spanish_google_forms(realworld):
    survey, choices, _ = infer_draft(realworld / "limesurvey" / "digital_twins_results-survey.csv")
    labels = set(choices["label"])
    assert "eher" not in {label.casefold() for label in labels}  # "Eher wichtig" is never split
    likert = survey[survey["appearance"] == "likert"]
    assert len(likert) >= 50
    survey, choices, _ = infer_draft(realworld / "googleforms" / "es_personalidad_uso_apps.csv")
    multiple = survey[survey["type"].str.startswith("select_multiple")]
    assert multiple.empty
    assert any(label.startswith("Formar una familia, pues") for label in choices["label"])
