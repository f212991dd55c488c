"""Every real export of ../shared/realworld goes through detect → read → draft → read again → ingest.

The files are read in place (never copied into the repository); the module is skipped with a
reason when the folder is absent. Row counts are checked against Python's own csv module.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from coopwork.ingest.detect import message, sniff_table
from coopwork.ingest.draft import draft_survey
from coopwork.ingest.registry import detect_reader, read_export
from coopwork.survey import load_survey

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld"
FOLDERS = {"kobo": "kobo", "odk": "odk", "limesurvey": "limesurvey", "googleforms": "googleforms"}
FILES = sorted(p for folder in FOLDERS for p in (REALWORLD / folder).glob("*.csv")) \
    if REALWORLD.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason=f"real-world exports not present at {REALWORLD} "
                                                  "(they are never copied into the repository)")


def _records(path: Path) -> int:
    """Data records of a CSV counted with the csv module (header and stray lines above it excluded)."""
    sample = sniff_table(path)
    with path.open(encoding=sample.encoding, newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=sample.separator) if any(c.strip() for c in r)]
    return len(rows) - 1 - sample.skip


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """Draft XLSForm of every file, made once."""
    folder = tmp_path_factory.mktemp("drafts")
    return {path: draft_survey(path, output=folder / f"{path.parent.name}_{path.stem}.xlsx")
            for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_detected_as_its_platform(path):
    assert detect_reader(path) == FOLDERS[path.parent.name]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_draft_then_read_maps_every_row_and_column(path, drafted):
    survey = load_survey(drafted[path])
    raw = read_export(path, survey)
    assert raw.reader == FOLDERS[path.parent.name]
    assert raw.rows_read == _records(path)
    assert raw.main["_row"].tolist() == list(range(1, raw.rows_read + 1))
    assert raw.unmapped == []
    # the only issue a drafted export may have: a stray line above its header, said, never silent
    assert [i["reason"] for i in raw.issues] == [message("line_skipped")] * sniff_table(path).skip
    questions = {q.name for q in survey.top_level}
    assert questions == set(raw.main.columns) - {"_row", "_submission_id", "_submitted_at"}
    for name, frame in raw.repeats.items():
        assert {q.name for q in survey.repeats[name]} <= set(frame.columns)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ingest_with_the_draft_accepts_every_answered_row(path, drafted, tmp_path):
    from coopwork.ingest import ingest_file

    survey = load_survey(drafted[path])
    raw = read_export(path, survey)
    answers = raw.main.drop(columns=["_row", "_submission_id", "_submitted_at"])
    answered = int(answers.notna().any(axis=1).sum())
    result = ingest_file(path, survey=drafted[path], wave="w1", territory="t1", workspace=tmp_path)
    assert result.rows_read == result.accepted + result.quarantined + result.duplicates
    # every row holding an answer is accepted: the draft fits the export
    assert result.accepted >= answered and result.duplicates == 0


def _read(drafted: dict, folder: str, name: str):
    path = REALWORLD / folder / name
    survey = load_survey(drafted[path])
    return survey, read_export(path, survey)


def test_googleforms_checkbox_cells(drafted):
    survey, raw = _read(drafted, "googleforms", "optojump_medintech_fr.csv")
    name = next(q.name for q in survey.top_level if q.is_multiple)
    labels = survey.choice_labels(name)
    both = raw.main[name].dropna()
    joined = [v for v in both if len(v.split()) == 2]
    with (REALWORLD / "googleforms" / "optojump_medintech_fr.csv").open(encoding="utf-8") as handle:
        cells = [r[4] for r in list(csv.reader(handle))[2:] if len(r) > 4]
    assert len(joined) == sum(", " in c for c in cells) > 0
    assert all(sorted(labels[n] for n in v.split()) == ["Plutôt agréable", "Très agréable"] for v in joined)
    assert raw.main["_submitted_at"].tolist()[0] == "10/03/2024 23:45:34"

    survey, raw = _read(drafted, "googleforms", "kobo_transfer_google_forms_native_download.csv")
    days = raw.main["select_all_that_apply"].tolist()
    assert days == ["sunday monday", "sunday wednesday", "wednesday", *days[3:]]


def test_odk_quirks(drafted):
    _, raw = _read(drafted, "odk", "briefcase_choice-lists.csv")
    assert raw.main["some_string"].tolist() == ["CHOICE_1"]
    _, raw = _read(drafted, "odk", "briefcase_simple-form-newlines.csv")
    assert raw.main["some_text"].tolist() == ["some \n text"]
    _, raw = _read(drafted, "odk", "ruodk_flora_quadrat_0-4_taxon_encounter.csv")
    assert "09929760" in raw.main["voucher_specimen_barcode"].tolist()
    _, raw = _read(drafted, "odk", "briefcase_nested-repeats.csv")
    g1 = raw.repeats["g1"]
    assert g1["_parent_submission_id"].tolist() == raw.main["_submission_id"].tolist() * 3
    assert g1["_index"].tolist() == [1, 2, 3]


def test_kobo_legacy_flattened_repeat(drafted):
    _, raw = _read(drafted, "kobo", "kpi_kobocat_legacy_tutorial_w_repeats.csv")
    children = raw.repeats["children"]
    assert children["childs_name"].tolist() == ["Tom", "Dick"]
    assert children["_index"].tolist() == [1, 2]
    assert raw.main["_submission_id"].tolist() == ["b31c6ac2-b8ca-4180-914f-c844fa10ed3b"]


def test_limesurvey_quirks(drafted):
    _, raw = _read(drafted, "limesurvey", "scicompod_survey_184695_R_data_file.csv")
    assert "1980-01-01 00:00:00" not in raw.main["_submitted_at"].dropna().tolist()
    assert raw.main["_submission_id"].tolist()[:2] == ["5", "6"] or raw.main["_submission_id"].notna().all()
    _, raw = _read(drafted, "limesurvey", "limonaid_survey_998192_R_data_file.csv")
    assert any('"title":"plaatje"' in str(v).replace(" ", "") for v in raw.main.to_numpy().ravel())
