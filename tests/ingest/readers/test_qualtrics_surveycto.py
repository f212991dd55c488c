"""Qualtrics (extra header rows) and SurveyCTO (KEY, US-locale times) readers; ODK's declared metadata."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.ingest import ingest_file
from coopwork.ingest.registry import detect_reader, read_export


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")


QUALTRICS = (
    "ResponseId,StartDate,EndDate,RecipientEmail,territoire,salaries,Finished\n"
    "Response ID,Start Date,End Date,Recipient Email,Votre territoire,Nombre de salariés,Finished\n"
    '"{""ImportId"":""_recordId""}","{""ImportId"":""startDate""}","{""ImportId"":""endDate""}",'
    '"{""ImportId"":""recipientEmail""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}",'
    '"{""ImportId"":""finished""}"\n'
    "R_1,2024-03-01 10:00:00,2024-03-01 10:05:00,a@b.org,bray,4,1\n"
    "R_2,2024-03-02 10:00:00,2024-03-02 10:05:00,,matera,12,1\n")


def test_qualtrics_header_rows_are_never_responses(tmp_path, small_form, small_survey):
    path = tmp_path / "qualtrics.csv"
    path.write_text(QUALTRICS, encoding="utf-8")
    assert detect_reader(path) == "qualtrics"
    raw = read_export(path, small_survey, partial=True)
    assert raw.rows_read == 2 and raw.unmapped == []
    assert raw.main["_submission_id"].tolist() == ["R_1", "R_2"]
    assert raw.main["territoire"].tolist() == ["bray", "matera"]
    result = ingest_file(path, survey=small_form, wave="2025", workspace=tmp_path / "ws", partial=True)
    assert (result.rows_read, result.accepted, result.quarantined) == (2, 2, 0)
    # the recipient's e-mail is metadata: it never reaches the processed tables
    for file in (tmp_path / "ws" / "data").rglob("*"):
        assert not file.is_file() or b"a@b.org" not in file.read_bytes()


SURVEYCTO = (
    "SubmissionDate,starttime,endtime,deviceid,subscriberid,simid,devicephonenum,territoire,salaries,"
    "instanceID,formdef_version,KEY\n"
    '"9/11/2019, 3:01:44 PM","9/11/2019, 3:00:38 PM","9/11/2019, 3:01:44 PM",(web),,,,bray,4,'
    "uuid:k1,1909111459,uuid:k1\n"
    '"the day before yesterday","9/11/2019, 3:01:47 PM","9/11/2019, 3:02:16 PM",(web),,,,matera,2,'
    "uuid:k2,1909111459,uuid:k2\n")


def test_surveycto_times_and_key(tmp_path, small_form, small_survey):
    path = tmp_path / "scto_WIDE.csv"
    path.write_text(SURVEYCTO, encoding="utf-8")
    assert detect_reader(path) == "surveycto"
    raw = read_export(path, small_survey, partial=True)
    assert raw.unmapped == [] and raw.main["_submission_id"].tolist() == ["k1", "k2"]
    result = ingest_file(path, survey=small_form, wave="2025", workspace=tmp_path / "ws", partial=True)
    responses = pd.read_parquet(tmp_path / "ws" / "data" / "processed" / "petit_test" / "responses.parquet")
    assert str(responses["_submitted_at"][0]) == "2019-09-11 15:01:44+00:00"
    assert pd.isna(responses["_submitted_at"][1])
    issues = pd.read_csv(result.issues_file, dtype=str, keep_default_na=False)
    assert issues[["row", "column", "value", "action"]].values.tolist() == [
        ["2", "_submitted_at", "the day before yesterday", "value set missing"]]


def test_odk_metadata_the_form_declares_is_not_unmapped(tmp_path, write_xlsx):
    form = write_xlsx(tmp_path / "f.xlsx", {
        "survey": [["type", "name", "label"], ["start", "start", ""], ["end", "end", ""],
                   ["begin_group", "g", "G"], ["today", "jour", ""], ["end_group", "", ""],
                   ["select_one z", "zone", "Territoire"]],
        "choices": [["list_name", "name", "label"], ["z", "a", "A"], ["z", "b", "B"]]})
    path = tmp_path / "central.csv"
    path.write_text("SubmissionDate,start,end,g-jour,zone,meta-instanceID,KEY,SubmitterID,ReviewState\n"
                    "2024-01-01T10:00:00.000Z,2024-01-01T09:00:00.000+01:00,2024-01-01T09:10:00.000+01:00,"
                    "2024-01-01,a,uuid:1,uuid:1,5,\n", encoding="utf-8")
    result = ingest_file(path, survey=form, wave="w", workspace=tmp_path / "ws")
    assert (result.reader, result.accepted, result.issues) == ("odk", 1, 0)
