"""Format detection: encodings, separators, header line, decimal comma, bad files."""

from __future__ import annotations

import codecs

import pytest

from coopwork.errors import IngestError
from coopwork.ingest.detect import (
    cell_text,
    detect_decimal,
    detect_encoding,
    detect_separator,
    find_header_record,
    read_csv_strings,
    read_xlsx_strings,
    sniff_table,
)

TEXT = "nom;ville;montant\r\nCoopérative Éole;Besançon;1,5\r\nSCIC L’Atelier;Brest;2\r\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.replace("’", "'").encode("cp1252"), "cp1252"),
    (TEXT.encode("utf-16"), "utf-16"),
])
def test_encodings_are_detected_and_read(tmp_path, data, encoding):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    sample = sniff_table(path)
    assert (sample.encoding, sample.separator, sample.decimal) == (encoding, ";", ",")
    assert sample.header == ["nom", "ville", "montant"]
    frame = read_csv_strings(sample)
    assert frame["ville"].tolist() == ["Besançon", "Brest"]
    assert frame["nom"].tolist()[0] == "Coopérative Éole"


def test_utf8_cut_inside_a_character_is_still_utf8():
    raw = ("é" * 40000).encode("utf-8")[:65535]
    assert detect_encoding(raw) == "utf-8"


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_separators(separator):
    rows = [["a", "b", "c"], ["1", "x, y", "3"], ["4", "5", "6"]]
    text = "\n".join(separator.join(f'"{v}"' if "," in v else v for v in r) for r in rows) + "\n"
    assert detect_separator(text) == separator


def test_decimal_comma_only_without_comma_separator():
    assert detect_decimal(["1,5", "2,25", "x"], separator=";") == ","
    assert detect_decimal(["1.5", "2,25", "3.5"], separator=";") == "."
    assert detect_decimal(["1,5"], separator=",") == "."


def test_header_below_a_stray_line_and_multiline_records(tmp_path):
    assert find_header_record([["a", "b"], ["1", "2"]]) == 0
    path = tmp_path / "f.csv"
    path.write_text('titre,,,\nA,B,C\n1,"deux\nlignes",3\n4,5,6\n', encoding="utf-8")
    sample = sniff_table(path)
    assert sample.skip == 1 and sample.header == ["A", "B", "C"]
    frame = read_csv_strings(sample)
    assert len(frame) == 2 and frame["B"].tolist()[0] == "deux\nlignes"


def test_values_stay_strings(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("code,n,v\n000123,NA,n/a\n,1e3,True\n", encoding="utf-8")
    frame = read_csv_strings(sniff_table(path))
    assert frame.to_dict("list") == {"code": ["000123", ""], "n": ["NA", "1e3"], "v": ["n/a", "True"]}


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "f.dat : le fichier est vide. Que faire : exportez de nouveau les données depuis la plateforme "
          "d'enquête."),
    (b"  \r\n\n", "f.dat : le fichier est vide"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "f.dat : ce n'est pas un fichier texte (CSV) ni un classeur XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
     "f.dat : c'est un classeur Excel ancien format (.xls)"),
    (b"Bonjour,\nceci est une lettre\nsans tableau\n", "f.dat : ce fichier n'est pas un tableau"),
    (b"PK\x03\x04garbage", "f.dat : le classeur ne peut pas être lu"),
])
def test_bad_files_raise_one_clear_error(tmp_path, monkeypatch, content, expected):
    monkeypatch.delenv("COOPWORK_LANG", raising=False)
    path = tmp_path / "f.dat"
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        sniff_table(path)
    assert info.value.render("fr").startswith(expected)  # French from end to end, "Que faire" included
    assert info.value.code.startswith("ingest_readers.") and info.value.hint


def test_messages_follow_coopwork_lang(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")
    with pytest.raises(IngestError, match=r"^missing\.csv: the file does not exist\. What to do: check"):
        sniff_table(tmp_path / "missing.csv")


def test_ragged_file_names_the_row(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6,7,8\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_csv_strings(sniff_table(path))
    assert info.value.row == 3


def test_xlsx_sample_and_strings(tmp_path):
    import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Données"
    for row in (["a", "b", "c"], [1, 2.5, datetime.date(2025, 1, 2)], [None, "x", None]):
        sheet.append(row)
    workbook.create_sheet("vide")
    workbook.save(tmp_path / "f.xlsx")
    sample = sniff_table(tmp_path / "f.xlsx")
    assert sample.kind == "xlsx" and sample.sheets == {"Données": ["a", "b", "c"]}
    frames = read_xlsx_strings(tmp_path / "f.xlsx")
    assert list(frames) == ["Données"]
    assert frames["Données"].to_dict("list") == {"a": ["1", ""], "b": ["2.5", "x"], "c": ["2025-01-02", ""]}
    assert cell_text(datetime.datetime(2025, 1, 2, 8, 30)) == "2025-01-02T08:30:00"
