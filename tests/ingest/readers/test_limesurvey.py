"""LimeSurvey reader: code headers with a mapping file, automatic codes, R-export full-text headers."""

from __future__ import annotations

import pytest

from coopwork.errors import IngestError
from coopwork.ingest.readers.mapping import load_mapping
from coopwork.ingest.registry import detect_reader, read_export

CODES = ("id;submitdate;lastpage;startlanguage;seed;G1Q1;G1Q2;G1Q3[SQ001];G1Q3[SQ002];G1Q3[SQ003];"
         "G1Q4;interviewtime\r\n"
         "1;2025-03-01 10:00:00;3;fr;123;A1;12;Y;;Y;2,5;55.1\r\n"
         "2;;1;fr;456;A2;;;Y;;;12\r\n"
         "3;1980-01-01 00:00:00;3;en;789;A3;7;;;;10;30\r\n")


@pytest.fixture
def code_export(tmp_path):
    path = tmp_path / "results-survey123.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CODES.encode("utf-8"))
    return path


@pytest.fixture
def mapping_csv(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("code;name\nG1Q1;org_type\nG1Q2;salaries\nG1Q3[SQ001];jours/lun\n"
                    "G1Q3[SQ002];jours/mar\nG1Q3[SQ003];jours/mer\nG1Q4;budget\n", encoding="utf-8")
    return path


def test_code_export_with_mapping_file(code_export, mapping_csv, small_survey):
    assert detect_reader(code_export) == "limesurvey"
    # answer codes A1..A3 are not choice names: kept as is for validation to report
    raw = read_export(code_export, small_survey, mapping=mapping_csv)
    main = raw.main
    assert raw.encoding == "utf-8-sig" and raw.unmapped == []
    assert main["_submission_id"].tolist() == ["1", "2", "3"]
    assert main["_submitted_at"].isna().tolist() == [False, True, True]  # anonymised stamp → unknown
    assert main["jours"].isna().tolist() == [False, False, True]
    assert main["jours"].tolist()[:2] == ["lun mer", "mar"]
    assert main["budget"].tolist()[0] == "2.5"
    assert main["org_type"].tolist() == ["A1", "A2", "A3"]


def test_yaml_mapping_and_errors(tmp_path):
    path = tmp_path / "map.yml"
    path.write_text("G1Q1: org_type\nG1Q3[SQ001]: jours/lun\n", encoding="utf-8")
    assert load_mapping(path) == {"G1Q1": "org_type", "G1Q3[SQ001]": "jours/lun"}
    bad = tmp_path / "bad.csv"
    bad.write_text("code;name\nG1Q1\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"bad\.csv, row 1: "):
        load_mapping(bad)
    with pytest.raises(IngestError, match=r"absent\.csv"):
        load_mapping(tmp_path / "absent.csv")


def test_codes_matching_xlsform_names_need_no_mapping(tmp_path, small_survey):
    path = tmp_path / "codes.csv"
    path.write_text("id,submitdate,lastpage,org_type,jours[lun],jours[mar],salaries\n"
                    "1,2025-01-01,2,scop,Y,,3\n2,2025-01-02,2,ASSOCIATION,,Y,4\n", encoding="utf-8")
    raw = read_export(path, small_survey, partial=True)
    assert raw.reader == "limesurvey"
    assert raw.main["org_type"].tolist() == ["scop", "association"]  # case-insensitive code
    assert raw.main["jours"].tolist() == ["lun", "mar"]


def test_r_export_full_text_headers(tmp_path, small_survey):
    path = tmp_path / "survey_1_R_data_file.csv"
    path.write_text('"Response ID","Date submitted","Last page","Start language","Seed",'
                    '"Type de structure","Nombre de salariés","Jours d’ouverture [Lundi]"\n'
                    '"1","2025-03-01","2","fr","1","SCOP","4","Y"\n', encoding="utf-8")
    raw = read_export(path, small_survey, partial=True)
    assert raw.reader == "limesurvey" and raw.unmapped == []
    assert raw.main["org_type"].tolist() == ["scop"]
    assert raw.main["jours"].tolist() == ["lun"]


def test_code_dot_text_headers(tmp_path, small_survey):
    path = tmp_path / "x.csv"
    path.write_text('"id","submitdate","org_type. Quel est le type ?","salaries. Combien ?"\n'
                    '"1","d","scop","3"\n', encoding="utf-8")
    raw = read_export(path, small_survey, fmt="limesurvey", partial=True)
    assert raw.main["org_type"].tolist() == ["scop"] and raw.main["salaries"].tolist() == ["3"]
    assert raw.unmapped == []
