"""KoboToolbox reader: KPI CSV (names, labels, groups, split options, HXL), legacy CSV, XLSX repeats."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.ingest.detect import sniff_table
from coopwork.ingest.readers import kobo
from coopwork.ingest.registry import detect_reader, read_export

KPI_HEADER = ["profil/territoire", "profil/org_nom", "profil/org_type", "salaries", "budget", "jours",
              "jours/lun", "jours/mar", "jours/mer", "_id", "_uuid", "_submission_time", "_validation_status",
              "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]
KPI_ROWS = [
    ["bray", "Atelier A", "scop", "12", "1,5", "lun mar", "1", "1", "0", "1", "u-1", "2025-03-01T10:00:00",
     "", "", "submitted_via_web", "", "v1", "", "1"],
    ["matera", "Café B", "association", "", "2", "", "0", "0", "1", "2", "u-2", "2025-03-02T10:00:00",
     "", "", "submitted_via_web", "", "v1", "", "2"],
    ["bray", "Tiers C", "tiers_lieu", "3", "", "", "", "", "", "3", "u-3", "2025-03-03T10:00:00",
     "", "", "submitted_via_web", "", "v1", "", "3"],
]


def _kpi_csv(path, header=KPI_HEADER, rows=KPI_ROWS, hxl=False):
    lines = [header]
    if hxl:
        lines.append(["#loc", "#org", "#org+type"] + [""] * (len(header) - 3))
    lines += rows
    text = "\r\n".join(";".join(f'"{v}"' for v in row) for row in lines) + "\r\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_kpi_csv_names_groups_split_options(tmp_path, small_survey):
    path = _kpi_csv(tmp_path / "kobo.csv")
    assert detect_reader(path) == "kobo"
    raw = read_export(path, small_survey)
    main = raw.main
    assert raw.reader == "kobo" and raw.rows_read == 3 and raw.unmapped == []
    assert main["_row"].tolist() == [1, 2, 3]
    assert main["_submission_id"].tolist() == ["u-1", "u-2", "u-3"]
    assert main["_submitted_at"].tolist()[0] == "2025-03-01T10:00:00"
    assert main["territoire"].tolist() == ["bray", "matera", "bray"]
    # space-joined column wins, per-option columns fill the blank, all-empty stays missing
    assert main["jours"].tolist()[:2] == ["lun mar", "mer"]
    assert main["jours"].isna().tolist()[2]
    assert main["budget"].tolist()[:2] == ["1.5", "2"]  # decimal comma → point
    assert main["salaries"].isna().tolist() == [False, True, False]
    assert all(str(dtype) == "string" for c, dtype in main.dtypes.items() if c != "_row")
    assert str(main["_row"].dtype) == "Int64"


def test_hxl_row_is_dropped(tmp_path, small_survey):
    raw = read_export(_kpi_csv(tmp_path / "kobo.csv", hxl=True), small_survey)
    assert raw.rows_read == 3
    assert raw.main["territoire"].tolist() == ["bray", "matera", "bray"]


def test_kpi_csv_with_labels_headers_and_values(tmp_path, small_survey):
    header = ["Profil/Territoire", "Profil/Type de structure", "Jours d'ouverture/Lundi",
              "Jours d'ouverture/Mardi", "_uuid", "_submission_time"]
    rows = [["Pays de Bray", "SCOP", "1", "0", "a", "t"], ["Matera", "Tiers-lieu", "1", "1", "b", "t"]]
    raw = read_export(_kpi_csv(tmp_path / "labels.csv", header, rows), small_survey, partial=True)
    assert raw.main["territoire"].tolist() == ["bray", "matera"]
    assert raw.main["org_type"].tolist() == ["scop", "tiers_lieu"]
    assert raw.main["jours"].tolist() == ["lun", "lun mar"]


def test_legacy_kobocat_true_false_na_and_flat_repeats(tmp_path, small_survey):
    text = ("territoire,org_nom,jours/lun,jours/mar,jours/mer,partenariats[1]/partenaire_nom,"
            "partenariats[1]/intensite,partenariats[2]/partenaire_nom,partenariats[2]/intensite,"
            "meta/instanceID,_uuid,_submission_time,_tags,_notes,_validation_status\n"
            "bray,Atelier A,True,False,True,Café B,forte,Tiers C,faible,uuid:x1,x1,2013-02-18T15:54:01,,,{}\n"
            "matera,n/a,n/a,n/a,n/a,Atelier A,Faible,n/a,n/a,uuid:x2,x2,2013-02-19T15:54:01,,,{}\n")
    path = tmp_path / "legacy.csv"
    path.write_text(text, encoding="utf-8")
    raw = read_export(path, small_survey, fmt="kobo")
    assert raw.main["jours"].tolist()[0] == "lun mer"
    assert raw.main["jours"].isna().tolist()[1]
    assert raw.main["org_nom"].isna().tolist() == [False, True]
    ties = raw.repeats["partenariats"]
    assert ties["_parent_submission_id"].tolist() == ["x1", "x1", "x2"]
    assert ties["_index"].tolist() == [1, 2, 1]
    assert ties["partenaire_nom"].tolist() == ["Café B", "Tiers C", "Atelier A"]
    assert ties["intensite"].tolist() == ["forte", "faible", "faible"]  # label resolved
    assert raw.unmapped == []


def test_xlsx_with_repeat_sheet(tmp_path, small_survey, write_xlsx):
    main = [["territoire", "org_nom", "_id", "_uuid", "_submission_time", "_index"],
            ["bray", "Atelier A", 11, "u1", "2025-03-01T10:00:00", 1],
            ["matera", "Café B", 12, "u2", "2025-03-02T10:00:00", 2]]
    ties = [["partenaire_nom", "intensite", "_index", "_parent_table_name", "_parent_index",
             "_submission__uuid"],
            ["Café B", "forte", 1, "Petit test", 1, "u1"],
            ["Tiers C", "faible", 2, "Petit test", 1, "u1"],
            ["Atelier A", "forte", 3, "Petit test", 2, "u2"]]
    path = write_xlsx(tmp_path / "kobo.xlsx", {"Petit test": main, "partenariats": ties})
    assert detect_reader(path) == "kobo"
    raw = read_export(path, small_survey, partial=True)
    assert raw.sheet == "Petit test"
    assert raw.main["_submission_id"].tolist() == ["u1", "u2"]
    rel = raw.repeats["partenariats"]
    assert rel["_parent_submission_id"].tolist() == ["u1", "u1", "u2"]
    assert rel["_index"].tolist() == [1, 2, 1]
    assert rel["_row"].tolist() == [1, 2, 3]


def test_xlsx_repeat_linked_by_parent_index_only(tmp_path, small_survey, write_xlsx):
    main = [["territoire", "org_nom", "_id", "_submission_time", "_index"],
            ["bray", "A", 11, "t", 1], ["matera", "B", 12, "t", 2]]
    ties = [["partenaire_nom", "_index", "_parent_index"], ["X", 1, 2], ["Y", 2, 2]]
    raw = read_export(write_xlsx(tmp_path / "k.xlsx", {"main": main, "partenariats": ties}),
                      small_survey, fmt="kobo", partial=True)
    rel = raw.repeats["partenariats"]
    assert rel["_parent_row"].tolist() == [2, 2]
    assert rel["_index"].tolist() == [1, 2]


def test_sniff_scores():
    assert kobo.sniff(sniff_table_like(["a", "b"])) == 0.0
    assert kobo.sniff(sniff_table_like(["a", "_id", "_index"])) == 0.7


def sniff_table_like(header):
    from pathlib import Path

    from coopwork.ingest.detect import TableSample

    return TableSample(path=Path("x.csv"), kind="csv", header=header)


def test_big_file_is_read_with_vectorised_operations(tmp_path, small_survey):
    rows = [[*KPI_ROWS[i % 3][:10], f"id-{i}", *KPI_ROWS[i % 3][11:]] for i in range(30000)]
    path = _kpi_csv(tmp_path / "big.csv", rows=rows)
    raw = read_export(path, small_survey)
    assert raw.rows_read == 30000
    expected = pd.Series(["lun mar", "mer", None] * 10000, dtype="string")
    pd.testing.assert_series_equal(raw.main["jours"], expected, check_names=False)
    assert sniff_table(path).separator == ";"


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    from coopwork.demo.generate import generate_demo

    return generate_demo(tmp_path_factory.mktemp("demo"), territories=1)


def test_sample_survey_kobo_exports(demo_files, sample_survey):
    """The demo's Kobo XLSX and CSV of the same wave read into the same answers."""
    from openpyxl import load_workbook

    xlsx = next(f for f in demo_files if f.name == "cooperation_territoriale_2025.xlsx")
    csv = next(f for f in demo_files if f.name.startswith("cooperation_territoriale_2025_"))
    from_xlsx = read_export(xlsx, sample_survey)
    from_csv = read_export(csv, sample_survey)
    assert from_xlsx.reader == from_csv.reader == "kobo"
    assert from_xlsx.unmapped == [] and from_csv.unmapped == [] and from_csv.issues == []
    top = {q.name for q in sample_survey.top_level}
    assert top <= set(from_csv.main.columns)
    workbook = load_workbook(xlsx, read_only=True)
    sheets = {ws.title: ws.max_row - 1 for ws in workbook.worksheets}
    workbook.close()
    relations = from_xlsx.repeats[sample_survey.relations_repeat]
    assert len(relations) == sheets[sample_survey.relations_repeat]
    assert relations["_parent_submission_id"].isin(from_xlsx.main["_submission_id"]).all()
    # one territory in the demo: the CSV holds the same submissions as the XLSX
    key = "_submission_id"
    a = from_xlsx.main.set_index(key).sort_index()
    b = from_csv.main.set_index(key).sort_index()
    assert list(a.index) == list(b.index)
    for column in sorted(top):
        pd.testing.assert_series_equal(a[column], b[column], check_names=False, obj=column)
