"""Generic CSV/XLSX reader: Excel-made French CSV (cp1252, ';', decimal comma), XLSX, errors."""

from __future__ import annotations

import pytest

from coopwork.errors import IngestError
from coopwork.ingest.registry import detect_reader, read_export


def test_excel_french_csv(tmp_path, small_survey):
    path = tmp_path / "saisie.csv"
    path.write_bytes("territoire;Nom de la structure;Budget (k€);Jours d'ouverture;remarque\r\n"
                     "bray;Société coopérative;1 234;lun mar;à voir\r\n"
                     "matera;Café;12,75;Mardi;\r\n".encode("cp1252"))
    assert detect_reader(path) == "csv"
    raw = read_export(path, small_survey)
    assert raw.encoding == "cp1252" and raw.reader == "csv"
    assert raw.main["org_nom"].tolist() == ["Société coopérative", "Café"]
    assert raw.main["budget"].tolist() == ["1 234", "12.75"]  # not a number: left for validation
    assert raw.main["jours"].tolist() == ["lun mar", "mar"]
    assert raw.unmapped == ["remarque"]
    assert raw.main["_submission_id"].isna().all()


def test_xlsx_generic_with_numbers_and_dates(tmp_path, small_survey, write_xlsx):
    import datetime

    path = write_xlsx(tmp_path / "saisie.xlsx", {"Feuil1": [
        ["territoire", "salaries", "budget", "_submission_id", "_submitted_at"],
        ["bray", 12, 1.5, "s1", datetime.datetime(2025, 3, 1, 10, 0)],
        ["matera", None, 3.0, "s2", datetime.datetime(2025, 3, 2)],
    ]})
    assert detect_reader(path) == "xlsx"
    raw = read_export(path, small_survey, partial=True)
    assert raw.reader == "xlsx" and raw.sheet == "Feuil1"
    assert raw.main["salaries"].tolist()[0] == "12" and raw.main["salaries"].isna().tolist()[1]
    assert raw.main["budget"].tolist() == ["1.5", "3"]
    assert raw.main["_submitted_at"].tolist() == ["2025-03-01T10:00:00", "2025-03-02"]
    assert raw.main["_submission_id"].tolist() == ["s1", "s2"]


def test_header_matching_nothing(tmp_path, small_survey):
    path = tmp_path / "autre.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_export(path, small_survey)
    assert str(info.value).startswith("autre.csv: ")
    assert info.value.hint


def test_header_without_responses(tmp_path, small_survey):
    path = tmp_path / "vide.csv"
    path.write_text("territoire;salaries\r\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"^vide\.csv: "):
        read_export(path, small_survey)


def test_unknown_format_name(tmp_path, small_survey):
    path = tmp_path / "x.csv"
    path.write_text("territoire,salaries\nbray,1\n", encoding="utf-8")
    with pytest.raises(IngestError, match="typeform") as info:
        read_export(path, small_survey, fmt="typeform")
    assert "kobo" in str(info.value)
