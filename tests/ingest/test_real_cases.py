"""The exports of issue 22 that were read wrong, rebuilt faithfully (``cases.py``), read exactly.

- a 2021 ODK Central export of a large 9-language form whose Arabic translation is broken: the
  form loads without Arabic (every broken cell said once), the ragged main CSV (317 names, rows of
  316 fields) reads its 2 submissions, every one of the 16 rows of its 4 repeat files is stored;
- a SurveyMonkey CSV (and XLSX) of 16 responses: 16 read, drafted and ingested, its IP addresses
  and contact fields never stored in clear;
- a KoboToolbox XLSX made with the "." group separator and a repeat sheet: read, for every option
  of Kobo's export dialog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from coopwork.cli import main
from coopwork.errors import IngestError, SurveyError
from coopwork.ingest import ingest_file
from coopwork.ingest.draft import draft_survey
from coopwork.ingest.registry import detect_reader, read_export
from coopwork.survey import load_survey

from .cases import (
    CENTRAL_2021_TAIL,
    CENTRAL_TAIL,
    ODK_BROKEN_ROWS,
    kobo_form,
    kobo_xlsx,
    odk_central_export,
    odk_form,
    surveymonkey_csv,
    surveymonkey_xlsx,
)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")


@pytest.fixture(scope="module")
def odk(tmp_path_factory):
    """(folder, form, loaded survey): the large form, read once for the module."""
    folder = tmp_path_factory.mktemp("odk")
    form = odk_form(folder)
    return folder, form, load_survey(form)


def test_broken_translation_is_left_out_and_said_once(odk):
    _, _, survey = odk
    assert "ar" not in survey.languages and len(survey.languages) == 8
    cells = survey.dropped_languages["ar"]
    assert [int(c.split(" row ")[1].split(",")[0]) for c in cells] == list(ODK_BROKEN_ROWS)
    assert all("'label::Arabic (ar)'" in c and "${crop_label" in c for c in cells)


def test_form_broken_where_it_matters_lists_every_error_at_once(tmp_path):
    from openpyxl import load_workbook

    path = odk_form(tmp_path, broken=False)
    book = load_workbook(path)
    sheet = book["survey"]
    columns = [c.value for c in sheet[1]]
    english = columns.index("label::English (en)") + 1
    for row in (40, 120, 500):
        sheet.cell(row, english).value = "How much ${crop_label?"
    book.save(path)
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    text = str(info.value)
    assert "3 cells of the form are broken" in text
    for row in (40, 120, 500):
        assert f"survey row {row}, 'label::English (en)'" in text


@pytest.mark.parametrize(("tail", "ragged"), [(CENTRAL_2021_TAIL, True), (CENTRAL_2021_TAIL, False),
                                               (CENTRAL_TAIL, True), (CENTRAL_TAIL, False),
                                               (["KEY"], False)],
                         ids=["2021-ragged", "2021", "today-ragged", "today", "briefcase-like"])
def test_odk_central_generations_read_every_row(odk, tmp_path, tail, ragged):
    _, _, survey = odk
    export, repeats = odk_central_export(tmp_path, tail=tail, ragged=ragged)
    assert detect_reader(export) == "odk"
    result = ingest_file(export, survey=survey, wave="2021", workspace=tmp_path / "ws")
    assert (result.rows_read, result.accepted, result.quarantined) == (2, 2, 0)
    assert sum(repeats.values()) == 16
    assert {name: rows["read"] for name, rows in result.repeat_rows.items()} == repeats
    assert all(rows["stored"] == rows["read"] for rows in result.repeat_rows.values())
    issues = pd.read_csv(result.issues_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert not issues["code"].isin(["ingest.reason_unmapped", "ingest.reason_orphan"]).any()
    folder = Path(result.processed_dir)
    responses = pd.read_parquet(folder / "responses.parquet")
    assert responses["country"].tolist() == ["ethiopia", "bangladesh"]
    assert responses["gps"].str.startswith("9.03 38.74").all()
    plots = pd.read_parquet(folder / "repeats" / "plots.parquet")
    crops = pd.read_parquet(folder / "repeats" / "plot_crops.parquet")
    assert set(crops["_parent_key"]) <= set(plots["_key"])   # nested rows keep their parent plot
    assert result.dropped_languages == {"ar": survey.dropped_languages["ar"]}


def test_odk_forced_format_gives_the_same(odk, tmp_path):
    _, _, survey = odk
    export, _ = odk_central_export(tmp_path)
    forced = read_export(export, survey, fmt="odk")
    auto = read_export(export, survey)
    assert forced.rows_read == auto.rows_read == 2
    assert forced.main.equals(auto.main)


def test_odk_without_the_form_columns_says_which_and_stops(odk, tmp_path):
    """The old failure: most columns unmatched (another form version) is never a silent read."""
    _, _, survey = odk
    export, _ = odk_central_export(tmp_path)
    text = export.read_text(encoding="utf-8").split("\n")
    text[0] = ",".join(f"{c}_v2" if "SECTION_" in c else c for c in text[0].split(","))
    export.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(IngestError) as info:
        ingest_file(export, survey=survey, wave="2021", workspace=tmp_path / "ws")
    message = str(info.value)
    assert "of the form's" in message and "--partial-read" in message
    assert "SECTION_META-Location-country_v2" in message and "country" in message
    assert not (tmp_path / "ws").exists()


def test_odk_cli_prints_the_dropped_language_once(odk, tmp_path, capsys):
    _, form, _ = odk
    export, _ = odk_central_export(tmp_path)
    code = main(["ingest", str(export), "--survey", str(form), "--wave", "2021",
                 "--workspace", str(tmp_path / "ws"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["rows_read"] == 2
    assert err.count("translation is left out") == 1 and err.count("${crop_label") == 2
    assert "repeat group plot_crops: 3 rows read, 3 stored" in err


@pytest.mark.parametrize("writer", [surveymonkey_csv, surveymonkey_xlsx], ids=["csv", "xlsx"])
def test_surveymonkey_16_responses_read_16(tmp_path, writer):
    export = writer(tmp_path)
    assert detect_reader(export) == "surveymonkey"
    draft = draft_survey(export, output=tmp_path / "draft.xlsx")
    survey = load_survey(draft)
    names = [q.name for q in survey.top_level]
    assert not any(n.startswith(("unnamed", "column")) for n in names)
    assert "which_territory_are_you_in_other" in names
    result = ingest_file(export, survey=draft, wave="2023", workspace=tmp_path / "ws")
    assert (result.rows_read, result.accepted, result.quarantined, result.duplicates) == (16, 16, 0, 0)
    responses = pd.read_parquet(Path(result.processed_dir) / "responses.parquet")
    assert responses["_submission_id"].tolist()[:2] == ["114000000000", "114000000731"]
    territory = responses["which_territory_are_you_in"].tolist()
    assert territory[3] == "other" and territory[:3] == ["pays_de_bray", "matera", "pecs"]
    assert responses["which_territory_are_you_in_other"].tolist()[3] == "Vallée de la Bresle"
    services = responses["which_services_do_you_share_with_other_o"]
    assert services.str.contains("other").sum() == 4   # "Shared kitchen" typed by 4 respondents
    stored = responses.astype(str).to_string()
    for clear in ("203.0.113.", "@example.org", "Person 1", "06 12 34"):
        assert clear not in stored          # IP addresses and contact fields never in clear
    assert responses["_submitted_at"].notna().all()


def test_surveymonkey_second_row_is_never_a_response(tmp_path):
    export = surveymonkey_csv(tmp_path)
    raw = read_export(export, load_survey(draft_survey(export, output=tmp_path / "d.xlsx")))
    assert raw.rows_read == 16
    assert not raw.main.isin(["Response", "Open-Ended Response", "Other (please specify)"]).any().any()


@pytest.mark.parametrize("separator", [".", "/", "-", ":"])
@pytest.mark.parametrize("labels", [False, True], ids=["names", "labels"])
@pytest.mark.parametrize("groups", [True, False], ids=["groups", "no-groups"])
@pytest.mark.parametrize("multiple", ["single", "split", "both"])
def test_kobo_export_dialog_options(tmp_path_factory, separator, labels, groups, multiple):
    folder = tmp_path_factory.mktemp("kobo")
    form = kobo_form(folder)
    export, counts = kobo_xlsx(folder, separator=separator, labels=labels, groups=groups, multiple=multiple)
    result = ingest_file(export, survey=form, wave="w", workspace=folder / "ws")
    assert (result.rows_read, result.accepted, result.issues) == (counts["rows"], counts["rows"], 0)
    assert result.repeat_rows["children"]["stored"] == counts["children"]
    responses = pd.read_parquet(Path(result.processed_dir) / "responses.parquet")
    # the same leaf name in two groups: each question gets its own column
    assert responses["name"].tolist()[:2] == ["Org 0", "Org 1"]
    assert responses["site_name"].tolist()[:2] == ["Site 0", "Site 1"]
    assert responses["uses"].tolist()[:2] == ["office shop", "workshop"]
    children = pd.read_parquet(Path(result.processed_dir) / "repeats" / "children.parquet")
    assert children["age"].notna().all() and set(children["at_school"]) == {"yes"}
