"""Every export of ../shared/realworld (SOURCES.md) ingested: true record counts, nothing lost.

For each file: ``rows_read`` is the true number of records (SOURCES.md; counted with Python's
csv module where SOURCES.md gives none), ``rows_read == accepted + quarantined + duplicates``,
every quarantined record has its line in the issues file, and every repeat row is stored or
listed in the issues file with its reason. Files with an XLSForm are ingested with it; the others
with the draft ``coopwork survey draft`` writes. The files are read in place, never copied.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coopwork.ingest import ingest_file
from coopwork.ingest.draft import draft_survey
from coopwork.survey import load_survey

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld"

#: export → (its XLSForm or None for a draft, true records, {repeat: true rows})
SOURCES = {
    "kobo/kpi_kobocat_legacy_transportation.csv": ("ona/onadata_transportation_xlsform.xlsx", 1, {}),
    "kobo/kpi_kobocat_legacy_tutorial_w_repeats.csv": (None, 1, {"children": 2}),
    "kobo/kobo_transfer_meeting_form_export.xlsx": (
        "kobo/kobo_transfer_meeting_form_xlsform.xlsx", 5,
        {"topics_discussed": 8, "participants": 8, "feedback": 12}),
    "kobo/kobo_transfer_inventory_form_export.xlsx": (
        "kobo/kobo_transfer_inventory_form_xlsform.xlsx", 3, {"categories": 5, "items": 10, "suppliers": 6}),
    "kobo/kobo_transfer_project_overview_export.xlsx": ("kobo/kobo_transfer_project_overview_xlsform.xlsx",
                                                        5, {}),
    "kobo/kobo_transfer_rank_groups_export.xlsx": (None, 7, {}),
    "ona/onadata_transportation_export.xlsx": ("ona/onadata_transportation_xlsform.xlsx", 4, {}),
    "limesurvey/plr_tool_ap_results-survey.csv": (None, 50, {}),
    "limesurvey/scicompod_survey_184695_R_data_file.csv": (None, 152, {}),
    "limesurvey/limonaid_survey_998192_R_data_file.csv": (None, 7, {}),
    "limesurvey/digital_twins_results-survey.csv": (None, 96, {}),
    "googleforms/optojump_medintech_fr.csv": (None, 47, {}),
    "googleforms/kobo_transfer_google_forms_native_download.csv": (None, 5, {}),
    "googleforms/es_personalidad_uso_apps.csv": (None, 169, {}),
    "odk/briefcase_all-data-types.csv": (None, 1, {}),
    "odk/briefcase_choice-lists.csv": (None, 1, {}),
    "odk/briefcase_nested-repeats.csv": (None, 1, {"g1": 3}),
    "odk/briefcase_nested-repeats-g1.csv": (None, 3, {}),
    "odk/briefcase_simple-form-newlines.csv": (None, 1, {}),
    "odk/ruodk_flora_quadrat_0-4_taxon_encounter.csv": (None, 7, {}),
    "odk/ruodk_flora_quadrat_0-4_vegetation_stratum.csv": (None, 7, {}),
    "qualtrics/qualtricstools_better_sample_survey.csv": (None, 10, {}),
    "surveycto/scto_sctomedia_testdata_1_WIDE.csv": (None, 6, {}),
    "generic/ceat_household_data.csv": (None, 1714, {}),
}

pytestmark = pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"real-world files not present at {REALWORLD} "
                                                                "(they are never copied into the repository)")


def ingest_real(name: str, workspace: Path):
    """Ingest one real export as a user would: with its form, else with a draft; the result and issues."""
    form, _, _ = SOURCES[name]
    path = REALWORLD / name
    form_path = REALWORLD / form if form else draft_survey(path, output=workspace / "draft.xlsx")
    survey = load_survey(form_path)
    territory = None if survey.role("territory") else "t1"  # one territory per file when none is asked
    result = ingest_file(path, survey=form_path, wave="w1", territory=territory, workspace=workspace / "ws")
    issues = pd.read_csv(result.issues_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return result, issues, survey


def _stored(result, survey, repeat: str) -> pd.DataFrame:
    folder = Path(result.processed_dir)
    name = "relations.parquet" if repeat == survey.relations_repeat else f"repeats/{repeat}.parquet"
    path = folder / name
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")


def test_every_source_file_is_listed():
    exports = {p.relative_to(REALWORLD).as_posix() for p in REALWORLD.rglob("*")
               if p.suffix in (".csv", ".xlsx") and "xlsform" not in p.name and p.parent.name != "xlsform"}
    assert exports == set(SOURCES)


@pytest.mark.parametrize("name", list(SOURCES))
def test_true_counts_and_nothing_lost(name, tmp_path):
    _, true, repeats = SOURCES[name]
    result, issues, survey = ingest_real(name, tmp_path)
    assert result.rows_read == true
    assert result.rows_read == result.accepted + result.quarantined + result.duplicates
    of_record = ~issues["reason"].str.startswith("repeat row")
    quarantined = issues[(issues["action"] == "quarantined row") & of_record]
    assert len(quarantined) == result.quarantined
    for repeat, count in repeats.items():
        stored = _stored(result, survey, repeat)
        reported = issues[(issues["sheet"].str.contains(repeat, regex=False)) & (issues["column"] == "")]
        assert len(stored) + len(reported) == count, repeat
        if len(stored):
            assert stored["_key"].is_unique and stored["_parent_key"].notna().all()


def test_nested_kobo_repeats_keep_their_parent(tmp_path):
    result, _, survey = ingest_real("kobo/kobo_transfer_meeting_form_export.xlsx", tmp_path)
    assert result.accepted == 5  # record 5 is answered only in its repeats
    participants = _stored(result, survey, "participants")
    feedback = _stored(result, survey, "feedback")
    topics = _stored(result, survey, "topics_discussed")
    assert len(topics) == 8 and topics["Discussion_rating"].notna().any()
    assert set(feedback["_parent_key"]) <= set(participants["_key"])
    assert (feedback["_key"].str.rsplit("/", n=1).str[0] == feedback["_parent_key"]).all()
    # the first participant of the first submission left 3 feedbacks
    first = participants["_key"].iloc[0]
    assert feedback[feedback["_parent_key"] == first]["_index"].tolist() == [1, 2, 3]
    result, _, survey = ingest_real("kobo/kobo_transfer_inventory_form_export.xlsx", tmp_path / "inv")
    categories = _stored(result, survey, "categories")
    for repeat in ("items", "suppliers"):
        rows = _stored(result, survey, repeat)
        assert set(rows["_parent_key"]) <= set(categories["_key"])
        assert rows["_parent_key"].str.contains("/categories[", regex=False).all()


def test_odk_nested_repeat_chain(tmp_path):
    result, _, survey = ingest_real("odk/briefcase_nested-repeats.csv", tmp_path)
    g1 = _stored(result, survey, "g1")
    responses = pd.read_parquet(Path(result.processed_dir) / "responses.parquet")
    assert g1["_parent_key"].tolist() == responses["_submission_id"].tolist() * 3
    assert g1["_key"].tolist() == [f"{responses['_submission_id'][0]}/g1[{i}]" for i in (1, 2, 3)]


def test_old_loop_form_and_its_exports(tmp_path):
    result, issues, _ = ingest_real("ona/onadata_transportation_export.xlsx", tmp_path)
    responses = pd.read_parquet(Path(result.processed_dir) / "responses.parquet")
    assert responses["frequency_to_referral_facility_bicycle"].tolist()[1] == "weekly"
    assert responses["frequency_to_referral_facility_taxi"].tolist()[3] == "daily"
    assert not issues["reason"].str.contains("not relevant|not checked|matches no question").any()
    assert issues["value"].tolist() == ["none"]  # the one real defect: an option the list lacks


def test_other_platforms(tmp_path):
    result, _, _ = ingest_real("qualtrics/qualtricstools_better_sample_survey.csv", tmp_path)
    assert (result.reader, result.rows_read) == ("qualtrics", 10)
    result, _, _ = ingest_real("surveycto/scto_sctomedia_testdata_1_WIDE.csv", tmp_path / "scto")
    responses = pd.read_parquet(Path(result.processed_dir) / "responses.parquet")
    assert result.reader == "surveycto" and responses["_submitted_at"].notna().all()
    assert str(responses["_submitted_at"].min()) == "2019-09-11 15:01:44+00:00"
