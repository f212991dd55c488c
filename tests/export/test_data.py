"""``coopwork export --data``: labelled SPSS/Stata/CSV files, read back with pyreadstat."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyreadstat
import pytest

from coopwork.cli import main
from coopwork.export.data import NO_ANSWER, NOT_APPLICABLE, write_data
from coopwork.workspace import open_workspace

from .conftest import EMAIL, PHONE, PSEUDONYM

NUMBER = "emplois_partages_nb"  # integer, relevant: selected(${mutualisation_formes}, 'emplois_partages')
CHOICE = "org_type"


@pytest.fixture
def blanked(workspace):
    """The workspace with 8 answers to NUMBER and 8 to CHOICE left blank (relevance decides which kind)."""
    ws = open_workspace(workspace)
    path = ws.processed_dir / "responses.parquet"
    table = pd.read_parquet(path)
    wave = table["_wave"] == "2025"
    rows = table.index[wave][:8]
    table.loc[rows, NUMBER] = pd.NA
    table.loc[rows, CHOICE] = pd.NA
    table.to_parquet(path, index=False)
    return workspace


def _expected_gap(responses: pd.DataFrame) -> pd.Series:
    """The kind of missing answer of NUMBER, computed from the form's rule by hand."""
    asked = responses["mutualisation_formes"].fillna("").str.split().map(lambda s: "emplois_partages" in s)
    return pd.Series([None if pd.notna(v) else (NO_ANSWER if a else NOT_APPLICABLE)
                      for v, a in zip(responses[NUMBER], asked, strict=True)])


def _processed(workspace) -> pd.DataFrame:
    return open_workspace(workspace).responses(wave="2025").reset_index(drop=True)


def _no_identifier(frame: pd.DataFrame, survey) -> None:
    for question in survey.identifiers:
        assert question.name not in frame.columns
    assert not {"_source", "_row"} & set(frame.columns)
    text = "\n".join(str(v) for v in frame.to_numpy().ravel())
    for pattern in (PSEUDONYM, EMAIL, PHONE):
        assert not re.search(pattern, text, re.IGNORECASE), pattern
    assert "Organisation Alpha" not in text  # names replaced by keyed codes


def test_sav_labels_and_user_missing_values(blanked, sample_survey):
    written = write_data(open_workspace(blanked), wave="2025", fmt="sav", lang="en")
    assert sorted(p.name for p in written.files) == ["audit.json", "codebook.csv", "relations.sav",
                                                     "responses.sav"]
    frame, meta = pyreadstat.read_sav(written.folder / "responses.sav", user_missing=True)
    source = _processed(blanked)
    assert len(frame) == len(source)
    # variable and value labels come from the form, in the language asked
    assert meta.column_names_to_labels[CHOICE] == sample_survey.label(CHOICE, "en")
    choice_labels = set(sample_survey.choice_labels(CHOICE, "en").values())
    assert choice_labels <= set(meta.variable_value_labels[CHOICE].values())
    # not applicable and no answer: two user-defined missing values, labelled
    assert meta.missing_ranges[NUMBER] == [{"lo": -98.0, "hi": -98.0}, {"lo": -99.0, "hi": -99.0}]
    assert meta.variable_value_labels[NUMBER][-98.0].startswith("Not applicable")
    expected = _expected_gap(source)
    got = frame[NUMBER].where(frame[NUMBER].isin([NOT_APPLICABLE, NO_ANSWER]))
    assert got.fillna(0).tolist() == expected.fillna(0).astype(float).tolist()
    assert {NOT_APPLICABLE, NO_ANSWER} <= set(got.dropna())
    # answered values kept; blank single choices are missing codes, not values
    answered = source[NUMBER].notna()
    assert frame.loc[answered, NUMBER].tolist() == source.loc[answered, NUMBER].astype(float).tolist()
    assert frame.loc[source[CHOICE].isna(), CHOICE].isin([NOT_APPLICABLE, NO_ANSWER]).all()
    # read without user missing values, SPSS treats both codes as missing
    plain, _ = pyreadstat.read_sav(written.folder / "responses.sav")
    assert plain[NUMBER].isna().tolist() == source[NUMBER].isna().tolist()
    _no_identifier(frame, sample_survey)
    # the ties: one row each, labelled like the responses
    ties, tie_meta = pyreadstat.read_sav(written.folder / "relations.sav", user_missing=True)
    assert len(ties) == len(open_workspace(blanked).relations(wave="2025"))
    kind = next(q for q in sample_survey.repeats[sample_survey.relations_repeat]
                if q.type == "select_one" and not q.role)
    assert tie_meta.column_names_to_labels[kind.name] == sample_survey.label(kind.name, "en")
    assert set(sample_survey.choice_labels(kind.name, "en").values()) <= set(
        tie_meta.variable_value_labels[kind.name].values())
    _no_identifier(ties, sample_survey)


def test_select_multiple_becomes_labelled_flags(blanked, sample_survey):
    written = write_data(open_workspace(blanked), wave="2025", fmt="sav", lang="fr")
    frame, meta = pyreadstat.read_sav(written.folder / "responses.sav", user_missing=True)
    source = _processed(blanked)
    question = "secteurs"
    for option, label in sample_survey.choice_labels(question, "fr").items():
        column = f"{question}_{option}"[:28]
        assert meta.column_names_to_labels[column].endswith(label)
        assert meta.variable_value_labels[column][1.0] == "Coché"
        chosen = source[question].fillna("").str.split().map(lambda s, o=option: float(o in s))
        answered = source[question].notna()
        assert frame.loc[answered, column].tolist() == chosen[answered].tolist()


def test_dta_extended_missing_values(blanked, sample_survey):
    written = write_data(open_workspace(blanked), wave="2025", fmt="dta", lang="en")
    frame, meta = pyreadstat.read_dta(written.folder / "responses.dta", user_missing=True)
    assert meta.missing_user_values[NUMBER] == ["a", "b"]
    assert meta.variable_value_labels[NUMBER]["a"].startswith("Not applicable")
    expected = _expected_gap(_processed(blanked)).map({NOT_APPLICABLE: "a", NO_ANSWER: "b"})
    got = frame[NUMBER].map(lambda v: v if isinstance(v, str) else None)
    assert got.tolist() == expected.tolist()
    assert meta.column_names_to_labels[CHOICE] == sample_survey.label(CHOICE, "en")
    relations, _ = pyreadstat.read_dta(written.folder / "relations.dta")
    partner = sample_survey.role("partner").name
    assert relations[partner].str.fullmatch(r"org_[0-9a-f]{12}").all()
    # ties join organisations: every responding organisation's code is the one in the responses
    organisation = sample_survey.role("organisation").name
    assert set(relations[partner]) & set(frame[organisation])
    _no_identifier(frame, sample_survey)
    _no_identifier(relations, sample_survey)


def test_csv_codes_and_codebook(blanked, sample_survey):
    written = write_data(open_workspace(blanked), wave="2025", fmt="csv", lang="en")
    frame = pd.read_csv(written.folder / "responses.csv", encoding="utf-8-sig", dtype=str)
    codebook = pd.read_csv(written.folder / "codebook.csv", encoding="utf-8-sig", dtype=str)
    expected = _expected_gap(_processed(blanked))
    blank = expected.notna()
    assert frame.loc[blank, NUMBER].tolist() == expected[blank].astype(int).astype(str).tolist()
    rows = codebook[(codebook["file"] == "responses.csv") & (codebook["variable"] == NUMBER)]
    assert set(rows["value"].dropna()) == {"-98", "-99"}
    text = sample_survey.role("organisation")
    assert frame[text.name].str.startswith("org_").all()
    _no_identifier(frame, sample_survey)


def test_cli_data_export(blanked, capsys):
    code = main(["export", "--data", "--format", "dta", "--wave", "2025", "--workspace", str(blanked),
                 "--json"])
    assert code == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert any(f.endswith("responses.dta") for f in out["files"])


def test_cli_unknown_wave_is_a_clear_error(blanked, capsys):
    assert main(["export", "--data", "--wave", "1999", "--workspace", str(blanked)]) == 2
    assert "1999" in capsys.readouterr().err


def test_export_needs_a_target_without_data(blanked, capsys):
    assert main(["export", "--workspace", str(blanked)]) == 2
    assert "--territory" in capsys.readouterr().err


def test_check_reads_the_data_files_back_and_catches_an_identifier(blanked, disclosure_kept):
    from coopwork.export.check import check_published

    written = write_data(open_workspace(blanked), wave="2025", fmt="csv", lang="en")
    disclosure_kept(blanked)
    assert str(written.folder / "responses.csv") in check_published(blanked).files
    path = written.folder / "responses.csv"
    text = path.read_text(encoding="utf-8-sig").replace("texte libre", "écrire à awa@example.org", 1)
    path.write_text(text, encoding="utf-8")
    breaches = check_published(blanked).breaches
    assert [(b.file, b.reason) for b in breaches] == [(str(path), "identifier_published")]


def _long_labels(workspace):
    """The form of ``workspace`` with a 150-character choice label and a 100-character question label."""
    from openpyxl import load_workbook

    survey = open_workspace(workspace).survey
    book = load_workbook(survey.path)
    long_choice = "Association loi 1901 " + "é" * 129
    long_question = "Type of the partner organisation, " + "x" * 66
    for sheet, match, value in (("choices", "association", long_choice),
                                ("survey", "partenaire_type", long_question)):
        rows = list(book[sheet].iter_rows())
        header = [c.value for c in rows[0]]
        for row in rows[1:]:
            if row[header.index("name")].value == match:
                for column, cell in zip(header, row, strict=False):
                    if column and str(column).startswith("label"):
                        cell.value = value
    book.save(survey.path)
    return long_choice, long_question


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_relations_keep_the_value_labels_and_long_labels_cut_by_the_format_are_reported(blanked, fmt, capsys):
    long_choice, long_question = _long_labels(blanked)
    code = main(["export", "--data", "--format", fmt, "--wave", "2025", "--workspace", str(blanked),
                 "--lang", "en"])
    assert code == 0
    err = capsys.readouterr().err
    written = open_workspace(blanked).exports_dir / "data" / "2025"
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    for table, variable in (("responses", "org_type"), ("relations", "partenaire_type")):
        _, meta = read(written / f"relations.{fmt}" if table == "relations" else written / f"responses.{fmt}")
        labels = meta.variable_value_labels[variable]
        assert len([c for c in labels if c not in ("a", "b", -98, -99)]) == 11, (table, labels)  # every type
        shown = next(text for text in labels.values() if text.startswith("Association loi 1901"))
        if fmt == "sav":  # SPSS keeps 120 bytes of a value label: cut, and said
            assert len(shown.encode()) <= 120 and shown != long_choice
            assert f"{table}.sav, variable {variable}, code 1: value label cut to 120 bytes" in err
        else:  # Stata keeps long value labels whole
            assert shown == long_choice
    _, meta = read(written / f"relations.{fmt}")
    variable_label = meta.column_names_to_labels["partenaire_type"]
    if fmt == "dta":  # Stata keeps 80 bytes of a variable label
        assert variable_label == long_question[:80]
        assert "relations.dta, variable partenaire_type: label cut to 80 bytes" in err
    else:
        assert variable_label == long_question
    audit = json.loads((written / "audit.json").read_text(encoding="utf-8"))
    assert len(audit["labels_cut"]) == err.count("cut to")
    codebook = pd.read_csv(written / "codebook.csv", dtype=str, encoding="utf-8-sig")
    assert long_choice in codebook["value_label"].tolist() and long_question in codebook["label"].tolist()


def test_the_default_wave_is_the_territorys_own_current_wave(workspace, tmp_path):
    """A territory that skipped the last wave: its data export takes the wave its site export shows
    (coopwork.waves), not the latest wave of the workspace (``waves[-1]`` took it before)."""
    from coopwork.results.fingerprint import waves_by_territory

    ws = open_workspace(workspace)
    path = ws.processed_dir / "responses.parquet"
    table = pd.read_parquet(path)
    latest = ws.latest_wave
    territory = sorted(table["_territory"].dropna().unique())[0]
    table = table[~((table["_territory"] == territory) & (table["_wave"] == latest))]
    table.to_parquet(path, index=False)
    ws = open_workspace(workspace)
    own = waves_by_territory(table)[territory][-1]
    assert own != latest
    done = write_data(ws, territories=[territory], fmt="csv", lang="en", into=tmp_path / "out")
    assert done.folder.name == own
    assert ws.current_wave([territory]) == own and ws.current_wave() == latest
