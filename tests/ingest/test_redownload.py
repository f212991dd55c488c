"""A wave downloaded again after cleaning on the platform: edits update, deletions are reported.

Issue 27, item 2: the second Kobo export of a wave had 2 new submissions and 1 edited one (same
``_uuid``, ``emplois_crees`` 1 → 77, ``salaries`` 23 → 999); the ingest said "2 accepted,
123 duplicates … No problem found" and kept the old values.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pytest

from coopwork.ingest import ingest_file
from coopwork.ingest.cli import summary_lines

FORM = "cooperation_territoriale.xlsx"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")


@pytest.fixture
def first(tmp_path, demo_workspace) -> tuple[Path, pd.DataFrame]:
    """A workspace with the first download of Matera's 2025 wave ingested; and that download."""
    (tmp_path / "surveys").mkdir()
    shutil.copy(demo_workspace / "surveys" / FORM, tmp_path / "surveys")
    source = demo_workspace / "data" / "raw" / "csv" / "cooperation_territoriale_2025_matera.csv"
    frame = pd.read_csv(source, sep=";", dtype=str, keep_default_na=False)
    frame = frame[frame["_uuid"] != ""].drop_duplicates("_uuid").reset_index(drop=True)
    export = tmp_path / "download_1.csv"
    frame.to_csv(export, sep=";", index=False)
    result = ingest_file(export, survey=tmp_path / "surveys" / FORM, wave="2025", workspace=tmp_path)
    assert result.accepted == len(frame) and getattr(result, "updated", 0) == 0
    return tmp_path, frame


def _ingest(root: Path, frame: pd.DataFrame, name: str):
    export = root / name
    frame.to_csv(export, sep=";", index=False)
    return ingest_file(export, survey=root / "surveys" / FORM, wave="2025", workspace=root)


def _stored(root: Path, name: str = "responses.parquet") -> pd.DataFrame:
    return pd.read_parquet(root / "data" / "processed" / "cooperation_territoriale" / name)


def _new_rows(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    rows = frame.head(n).copy()
    rows["_uuid"] = [str(uuid.uuid4()) for _ in range(n)]
    rows["_id"] = [str(900000 + k) for k in range(n)]
    return rows


def test_an_edited_submission_updates_the_stored_row_and_keeps_the_earlier_values(first):
    root, frame = first
    second = frame.copy()
    edited = second.index[second["effets/emplois_crees"].str.fullmatch(r"\d+")][0]
    uid = second.loc[edited, "_uuid"]
    before = _stored(root).set_index("_submission_id").loc[uid, ["emplois_crees", "salaries"]].tolist()
    second.loc[edited, ["effets/emplois_crees", "profil/salaries"]] = ["77", "999"]
    second = pd.concat([second, _new_rows(frame, 2)], ignore_index=True)
    result = _ingest(root, second, "download_2.csv")

    stored = _stored(root)
    assert len(stored) == len(frame) + 2 and stored["_submission_id"].is_unique
    row = stored.set_index("_submission_id").loc[uid]
    assert (int(row["emplois_crees"]), int(row["salaries"])) == (77, 999)
    assert (result.accepted, result.updated, result.duplicates) == (3, 1, len(frame) - 1)
    assert result.rows_read == result.accepted + result.quarantined + result.duplicates
    # the earlier values stay in the history of the wave
    history = _stored(root, "history/responses.parquet")
    assert history["_submission_id"].tolist() == [uid] and history["_wave"].tolist() == ["2025"]
    assert history[["emplois_crees", "salaries"]].iloc[0].tolist() == before
    assert history["_superseded_by"].tolist() == [result.source_sha256[:12]]
    # said in the summary, in the issues file and in the manifest
    lines = summary_lines(result.to_dict(), file="download_2.csv", lang="en")
    assert "1 submission(s) edited on the platform since the earlier import: updated" in "\n".join(lines)
    issues = pd.read_csv(result.issues_file, dtype=str, encoding="utf-8-sig")
    assert (issues["code"] == "ingest.reason_updated").sum() == 1
    manifest = json.loads((Path(result.processed_dir) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"][-1]["updated"] == 1
    # the same download again: nothing new, nothing updated
    again = _ingest(root, second.iloc[::-1], "download_2_again.csv")  # same answers, another file
    assert (again.accepted, again.updated, again.duplicates) == (0, 0, len(second))
    assert summary_lines(again.to_dict(), file="download_2_again.csv", lang="en")[0].startswith(
        "download_2_again.csv: nothing new — its")


def test_an_edit_inside_a_repeat_is_an_update_too(first, demo_workspace):
    """Only a tie of the relations repeat changed: the submission is updated, its ties replaced."""
    from coopwork.demo.generate import demo_files

    root, _ = first
    book = demo_files(demo_workspace)["xlsx"][0]  # Kobo XLSX: one sheet per repeat
    sheets = pd.read_excel(book, sheet_name=None, dtype=str, engine="openpyxl")
    export = root / "kobo.xlsx"
    with pd.ExcelWriter(export) as writer:
        for name, sheet in sheets.items():
            sheet.to_excel(writer, sheet_name=name, index=False)
    other = root / "other"
    (other / "surveys").mkdir(parents=True)
    shutil.copy(root / "surveys" / FORM, other / "surveys")
    first_result = ingest_file(export, survey=other / "surveys" / FORM, wave="2025", workspace=other)
    repeat = next(name for name in sheets if name != next(iter(sheets)))
    column = next(c for c in sheets[repeat].columns if c.endswith("lien_intensite"))
    values = sheets[repeat][column]
    row = values.index[values.notna()][0]
    sheets[repeat].loc[row, column] = next(v for v in values.dropna().unique() if v != values[row])
    with pd.ExcelWriter(export) as writer:
        for name, sheet in sheets.items():
            sheet.to_excel(writer, sheet_name=name, index=False)
    second = ingest_file(export, survey=other / "surveys" / FORM, wave="2025", workspace=other)
    assert (second.accepted, second.updated) == (1, 1)
    assert second.duplicates == first_result.accepted + first_result.duplicates - 1
    relations = _stored(other, "relations.parquet")
    assert len(relations) == first_result.relations and not relations.duplicated(["_key"]).any()
    assert len(_stored(other, "history/relations.parquet")) >= 1


def test_a_submission_deleted_on_the_platform_is_reported_and_kept(first):
    root, frame = first
    gone = frame["_uuid"].iloc[3]
    result = _ingest(root, frame.drop(index=3), "download_2.csv")
    assert (result.accepted, result.updated, result.absent) == (0, 0, 1)
    issues = pd.read_csv(result.issues_file, dtype=str, encoding="utf-8-sig")
    absent = issues[issues["code"] == "ingest.reason_absent"]
    assert absent["value"].tolist() == [gone] and absent["row"].isna().all()
    assert gone in _stored(root)["_submission_id"].tolist()  # kept: nothing is lost
    lines = "\n".join(summary_lines(result.to_dict(), file="download_2.csv", lang="en"))
    assert "1 submission(s) imported earlier for this wave are missing from this file" in lines


def test_an_incremental_file_reports_no_deletion(first):
    """A file holding only the submissions since the last download shares none with the store."""
    root, frame = first
    result = _ingest(root, _new_rows(frame, 2), "since_last_download.csv")
    assert (result.accepted, result.updated, result.absent, result.duplicates) == (2, 0, 0, 0)


def test_a_csv_download_of_a_wave_ingested_from_xlsx_changes_nothing(tmp_path, demo_workspace):
    """Kobo's CSV drops the repeats: it is compared on what it holds, and the ties stay."""
    from coopwork.demo.generate import demo_files

    (tmp_path / "surveys").mkdir()
    shutil.copy(demo_workspace / "surveys" / FORM, tmp_path / "surveys")
    book = demo_files(demo_workspace)["xlsx"][0]
    ingest_file(book, survey=tmp_path / "surveys" / FORM, wave="2025", workspace=tmp_path)
    relations = len(_stored(tmp_path, "relations.parquet"))
    source = demo_workspace / "data" / "raw" / "csv" / "cooperation_territoriale_2025_matera.csv"
    again = ingest_file(source, survey=tmp_path / "surveys" / FORM, wave="2025", workspace=tmp_path)
    assert (again.accepted, again.updated, again.absent) == (0, 0, 0)
    assert len(_stored(tmp_path, "relations.parquet")) == relations
    assert not (Path(again.processed_dir) / "history").exists()
