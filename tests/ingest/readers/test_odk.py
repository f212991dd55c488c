"""ODK Central / Briefcase reader: '-' groups, split selects, geopoints, sibling repeat CSVs."""

from __future__ import annotations

import pytest

from coopwork.errors import IngestError
from coopwork.ingest.registry import detect_reader, read_export

MAIN = ("SubmissionDate,profil-territoire,profil-org_nom,jours,jours/lun,jours/mar,jours/mer,salaries,"
        "meta-instanceID,SET-OF-partenariats,KEY,SubmitterID,SubmitterName,AttachmentsPresent,"
        "AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
        '"Apr 26, 2018 8:58:20 AM",bray,Atelier A,lun mer,1,0,1,4,uuid:k1,uuid:k1/partenariats,uuid:k1,'
        "5,agent,0,0,,approved,,0,1\n"
        '"Apr 27, 2018 8:58:20 AM",matera,"Café, B",,0,1,0,,uuid:k2,uuid:k2/partenariats,uuid:k2,'
        "5,agent,0,0,,,,0,1\n")
REPEAT = ("partenaire_nom,intensite,PARENT_KEY,KEY,SET-OF-partenariats\n"
          "Café B,forte,uuid:k1,uuid:k1/partenariats[1],uuid:k1/partenariats\n"
          "Tiers C,Faible,uuid:k1,uuid:k1/partenariats[2],uuid:k1/partenariats\n"
          "Atelier A,faible,uuid:k2,uuid:k2/partenariats[1],uuid:k2/partenariats\n")


@pytest.fixture
def export(tmp_path):
    (tmp_path / "petit_test.csv").write_text(MAIN, encoding="utf-8")
    (tmp_path / "petit_test-partenariats.csv").write_text(REPEAT, encoding="utf-8")
    return tmp_path / "petit_test.csv"


def test_main_csv_and_sibling_repeat(export, small_survey):
    assert detect_reader(export) == "odk"
    raw = read_export(export, small_survey)
    main = raw.main
    assert raw.reader == "odk" and raw.unmapped == []
    assert main["_submission_id"].tolist() == ["k1", "k2"]
    assert main["_submitted_at"].tolist() == ["Apr 26, 2018 8:58:20 AM", "Apr 27, 2018 8:58:20 AM"]
    assert main["territoire"].tolist() == ["bray", "matera"]
    assert main["org_nom"].tolist() == ["Atelier A", "Café, B"]
    assert main["jours"].tolist() == ["lun mer", "mar"]
    rel = raw.repeats["partenariats"]
    assert rel["_parent_submission_id"].tolist() == ["k1", "k1", "k2"]
    assert rel["_index"].tolist() == [1, 2, 1]
    assert rel["intensite"].tolist() == ["forte", "faible", "faible"]


def test_repeat_csv_alone_is_refused_with_the_main_file_name(export, small_survey):
    with pytest.raises(IngestError) as info:
        read_export(export.with_name("petit_test-partenariats.csv"), small_survey, fmt="odk")
    assert info.value.file == "petit_test-partenariats.csv"
    assert "partenariats" in info.value.message and "petit_test.csv" in info.value.hint


def test_geopoint_parts_are_joined(tmp_path):
    from coopwork.survey import Question, Survey

    survey = Survey("g", "g", None, ["default"], "default",
                    {"lieu": Question("lieu", "geopoint"), "nom": Question("nom", "text")}, {})
    path = tmp_path / "geo.csv"
    path.write_text("SubmissionDate,nom,lieu-Latitude,lieu-Longitude,lieu-Altitude,lieu-Accuracy,KEY\n"
                    "d,A,43.31,-1.98,71.8,15.4,uuid:1\nd,B,,,,,uuid:2\n", encoding="utf-8")
    raw = read_export(path, survey)
    assert raw.main["lieu"].tolist()[0] == "43.31 -1.98 71.8 15.4"
    assert raw.main["lieu"].isna().tolist()[1]


def test_another_surveys_export_is_refused(tmp_path, small_survey):
    path = tmp_path / "autre.csv"
    path.write_text("SubmissionDate,plant_name,height,colour,KEY\nd,rose,1,red,uuid:1\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_export(path, small_survey)
    assert info.value.file == "autre.csv"
    assert "petit_test" in str(info.value) and "plant_name" in str(info.value)
