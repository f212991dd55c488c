"""Google Forms reader: labels as headers and values, checkbox answers, French and English UI."""

from __future__ import annotations

from coopwork.ingest.registry import detect_reader, read_export


def test_french_sheets_export(tmp_path, small_survey):
    path = tmp_path / "Réponses.csv"
    path.write_text(
        "Horodateur,Territoire,Type de structure,Jours d’ouverture,Secteurs,Adresse e-mail\n"
        '10/03/2024 23:45:34,Pays de Bray,SCOP,"Lundi, Mercredi","Emploi, formation, Culture",a@example.org\n'
        '11/03/2024 09:32:04,Matera,tiers-lieu,Mardi,"Emploi, Culture",\n'
        '12/03/2024 09:32:04,Matera,Association,"Mardi, Dimanche",Emploi,\n', encoding="utf-8")
    assert detect_reader(path) == "googleforms"
    raw = read_export(path, small_survey)
    main = raw.main
    assert raw.unmapped == []  # the e-mail column is Google's meta: never stored
    assert main["_submitted_at"].tolist()[0] == "10/03/2024 23:45:34"
    assert main["territoire"].tolist() == ["bray", "matera", "matera"]
    assert main["org_type"].tolist() == ["scop", "tiers_lieu", "association"]
    assert main["jours"].tolist() == ["lun mer", "mar", "mar"]
    # longest label first: "Emploi, formation" is one option, not "Emploi" + "formation"
    assert main["secteurs"].tolist() == ["emploi_formation culture", "emploi culture", "emploi"]
    # an "Other" answer that is no option is dropped and reported
    assert [(i["row"], i["column"], i["action"]) for i in raw.issues] == \
        [(3, "Jours d’ouverture", "option dropped")]
    assert "dimanche" in raw.issues[0]["reason"]


def test_english_forms_download_with_semicolons(tmp_path, small_survey):
    path = tmp_path / "responses.csv"
    path.write_text("Timestamp,Territory,Opening days,Sectors\r\n"
                    "2023/11/13 4:20:37 pm CET,Matera,Monday;Wednesday,\"Employment, training;Culture\"\r\n"
                    "2023/11/13 4:20:44 pm CET,Pays de Bray,Tuesday,Employment\r\n", encoding="utf-8")
    raw = read_export(path, small_survey, partial=True)
    assert raw.reader == "googleforms"
    assert raw.main["jours"].tolist() == ["lun mer", "mar"]
    assert raw.main["secteurs"].tolist() == ["emploi_formation culture", "emploi"]
    assert raw.main["territoire"].tolist() == ["matera", "bray"]


def test_stray_line_above_header(tmp_path, small_survey):
    path = tmp_path / "with_title.csv"
    path.write_text("q,1,q2,\nHorodateur,Territoire,Nombre de salariés\n01/01/2025 10:00:00,Matera,4\n",
                    encoding="utf-8")
    raw = read_export(path, small_survey, partial=True)
    assert raw.reader == "googleforms"
    assert raw.main["_row"].tolist() == [1]
    assert raw.main["salaries"].tolist() == ["4"]
