"""End to end: every reader → validate → pseudonymise → store, on small synthetic exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from coopwork.errors import IngestError
from coopwork.ingest import IngestResult, content_hashes, ingest_file, store
from coopwork.ingest.pseudonymise import load_key, pseudonym
from coopwork.survey import load_survey

SURVEY_ROWS = [
    # type, name, label fr, label en, required, constraint, relevant, appearance, role, identifier
    ("select_one zones", "zone", "Territoire", "Territory", "yes", "", "", "", "territory", ""),
    ("text", "org", "Nom de la structure", "Organisation name", "yes", "", "", "", "organisation", ""),
    ("select_one kinds", "kind", "Type de structure", "Type of organisation", "yes", "", "", "", "", ""),
    ("text", "kind_other", "Autre type", "Other type", "", "", "${kind} = 'autre'", "", "", ""),
    ("integer", "staff", "Salariés", "Staff", "", ". >= 0 and . <= 100", "", "", "", ""),
    ("select_multiple tools", "tools", "Outils partagés", "Shared tools", "", "", "", "", "", ""),
    ("text", "email", "Courriel", "Email", "", "", "", "", "", "yes"),
    ("text", "comment", "Commentaire", "Comment", "", "", "", "", "", ""),
    ("begin_repeat", "ties", "Partenaires", "Partners", "", "", "", "", "", ""),
    ("text", "partner", "Partenaire", "Partner", "yes", "", "", "", "partner", ""),
    ("select_one lik", "strength", "Intensité", "Strength", "", "", "", "likert", "", ""),
    ("end_repeat", "", "", "", "", "", "", "", "", ""),
]
CHOICES = [
    ("zones", "nord", "Nord", "North"), ("zones", "sud", "Sud", "South"),
    ("kinds", "scop", "SCOP", "Worker cooperative"), ("kinds", "scic", "SCIC", "Multi-stakeholder coop"),
    ("kinds", "autre", "Autre", "Other"),
    ("tools", "web", "Site web", "Website"), ("tools", "compta", "Comptabilité, paie", "Accounting, payroll"),
    ("tools", "locaux", "Locaux", "Premises"),
    *[("lik", str(i), f"Niveau {i}", f"Level {i}") for i in range(1, 6)],
]
EMAIL = "lea.durand@example.org"


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Messages in English so that the tests can compare them exactly (French is the default)."""
    monkeypatch.setenv("COOPWORK_LANG", "en")


def write_form(path: Path, *, annotated: bool = True) -> Path:
    """The test XLSForm; ``annotated=False`` gives it as a platform would (no ``coopwork::`` column)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    header = ["type", "name", "label::Français (fr)", "label::English (en)", "required", "constraint",
              "relevant", "appearance", "coopwork::role", "coopwork::identifier"]
    width = len(header) if annotated else len(header) - 2
    sheet.append(header[:width])
    for row in SURVEY_ROWS:
        sheet.append(list(row)[:width])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    for row in CHOICES:
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "default_language", "version"])
    settings.append(["coop_test", "Test", "Français (fr)", "1"])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    return write_form(tmp_path_factory.mktemp("form") / "coop_test.xlsx")


@pytest.fixture(scope="module")
def plain_form(tmp_path_factory) -> Path:
    """The same form without any coopwork column: the roles are inferred from names and labels."""
    return write_form(tmp_path_factory.mktemp("plain") / "coop_test.xlsx", annotated=False)


@pytest.fixture(scope="module")
def survey(form):
    return load_survey(form)


# Four submissions: two clean, one with a bad value (staff 500), one without territory.
RECORDS = [
    {"uuid": "u-1", "zone": "nord", "org": "Atelier du Bray", "kind": "scop", "kind_other": "",
     "staff": "12", "tools": "web compta", "email": EMAIL, "comment": "appeler le 06 12 34 56 78",
     "time": "2025-03-01T10:00:00.000+01:00", "ties": [("Mairie", "3"), ("Ferme", "5")]},
    {"uuid": "u-2", "zone": "sud", "org": "Café Sud", "kind": "autre", "kind_other": "café associatif",
     "staff": "3", "tools": "locaux", "email": "", "comment": "", "time": "2025-03-02T11:00:00.000+01:00",
     "ties": [("Atelier du Bray", "2")]},
    {"uuid": "u-3", "zone": "nord", "org": "Régie", "kind": "scic", "kind_other": "", "staff": "500",
     "tools": "", "email": "", "comment": "", "time": "2025-03-03T09:00:00.000+01:00", "ties": []},
    {"uuid": "u-4", "zone": "", "org": "Sans territoire", "kind": "scop", "kind_other": "", "staff": "1",
     "tools": "", "email": "", "comment": "", "time": "2025-03-04T09:00:00.000+01:00",
     "ties": [("X", "1")]},
]
NAMES = ["zone", "org", "kind", "kind_other", "staff", "tools", "email", "comment"]
LABELS = {c[1]: c[2] for c in CHOICES}


def _write_csv(path: Path, rows: list[list[str]], *, sep: str = ",", quote_all: bool = False,
               encoding: str = "utf-8", lineterminator: str = "\n") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator=lineterminator,
                            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerows(rows)
    return path


def kobo_csv(folder: Path) -> Path:
    header = [*NAMES, "tools/web", "tools/compta", "tools/locaux", "_id", "_uuid", "_submission_time",
              "_validation_status", "_index"]
    rows = [header]
    for i, r in enumerate(RECORDS, start=1):
        options = ["1" if o in r["tools"].split() else "0" for o in ("web", "compta", "locaux")]
        rows.append([r[n] for n in NAMES] + options + [str(i), r["uuid"], r["time"][:19], "", str(i)])
    rows.append(rows[1])  # the same submission twice in one file
    return _write_csv(folder / "kobo_export.csv", rows, sep=";", quote_all=True)


def kobo_xlsx(folder: Path) -> Path:
    book = openpyxl.Workbook()
    main = book.active
    main.title = "Test"
    main.append([*NAMES, "_id", "_uuid", "_submission_time", "_index"])
    for i, r in enumerate(RECORDS, start=1):
        main.append([r[n] or None for n in NAMES] + [i, r["uuid"], r["time"][:19], i])
    ties = book.create_sheet("ties")
    ties.append(["partner", "strength", "_index", "_parent_index", "_parent_table_name", "_submission__uuid"])
    n = 0
    for i, r in enumerate(RECORDS, start=1):
        for partner, strength in r["ties"]:
            n += 1
            ties.append([partner, strength, n, i, "Test", r["uuid"]])
    path = folder / "kobo_export.xlsx"
    book.save(path)
    return path


def odk_csv(folder: Path) -> Path:
    rows = [["SubmissionDate", *NAMES, "meta-instanceID", "KEY", "SubmitterID", "ReviewState"]]
    for r in RECORDS:
        rows.append([r["time"], *[r[n] for n in NAMES], f"uuid:{r['uuid']}", f"uuid:{r['uuid']}", "5", ""])
    ties = [["partner", "strength", "PARENT_KEY", "KEY"]]
    for r in RECORDS:
        for j, (partner, strength) in enumerate(r["ties"], start=1):
            ties.append([partner, strength, f"uuid:{r['uuid']}", f"uuid:{r['uuid']}/ties[{j}]"])
    _write_csv(folder / "odk_export-ties.csv", ties)
    return _write_csv(folder / "odk_export.csv", rows)


def limesurvey_csv(folder: Path) -> tuple[Path, Path]:
    codes = {"zone": "Q1", "org": "Q2", "kind": "Q3", "kind_other": "Q3other", "staff": "Q4",
             "email": "Q6", "comment": "Q7"}
    header = ["id", "submitdate", "lastpage", "startlanguage", *codes.values(),
              "Q5[SQ001]", "Q5[SQ002]", "Q5[SQ003]"]
    rows = [header]
    for i, r in enumerate(RECORDS, start=1):
        options = ["Y" if o in r["tools"].split() else "" for o in ("web", "compta", "locaux")]
        rows.append([str(i), r["time"][:19].replace("T", " "), "3", "fr", *[r[n] for n in codes], *options])
    mapping = [["code", "name"], *[[c, n] for n, c in codes.items()],
               ["Q5[SQ001]", "tools/web"], ["Q5[SQ002]", "tools/compta"], ["Q5[SQ003]", "tools/locaux"]]
    _write_csv(folder / "mapping.csv", mapping, sep=";")
    export = _write_csv(folder / "results-survey.csv", rows, sep=";", quote_all=True,
                        encoding="utf-8-sig", lineterminator="\r\n")
    return export, folder / "mapping.csv"


def googleforms_csv(folder: Path) -> Path:
    header = ["Horodateur", *[row[2] for row in SURVEY_ROWS if row[1] in NAMES]]
    rows = [header]
    for r in RECORDS:
        values = []
        for name in NAMES:
            value = r[name]
            if name in {"zone", "kind"} and value:
                value = LABELS[value]
            if name == "tools" and value:
                value = ", ".join(LABELS[v] for v in value.split())
            values.append(value)
        stamp = pd.Timestamp(r["time"][:19]).strftime("%d/%m/%Y %H:%M:%S")
        rows.append([stamp, *values])
    return _write_csv(folder / "reponses.csv", rows)


def generic_csv(folder: Path) -> Path:
    rows = [NAMES] + [[r[n] for n in NAMES] for r in RECORDS]
    rows.append(rows[1])  # no id: the duplicate is found by content hash
    return _write_csv(folder / "table.csv", rows, sep=";", encoding="cp1252")


def generic_xlsx(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(NAMES)
    for r in RECORDS:
        sheet.append([r[n] or None for n in NAMES])
    path = folder / "table.xlsx"
    book.save(path)
    return path


# reader → (writer, expected duplicates, expected relation rows)
EXPORTS = {
    "kobo_csv": (kobo_csv, 1, 0),
    "kobo_xlsx": (kobo_xlsx, 0, 3),
    "odk": (odk_csv, 0, 3),
    "limesurvey": (limesurvey_csv, 0, 0),
    "googleforms": (googleforms_csv, 0, 0),
    "csv": (generic_csv, 1, 0),
    "xlsx": (generic_xlsx, 0, 0),
}


def _export(kind: str, folder: Path) -> tuple[Path, Path | None]:
    written = EXPORTS[kind][0](folder)
    return written if isinstance(written, tuple) else (written, None)


def _ingest(kind: str, folder: Path, form: Path, *, export: tuple | None = None, **options) -> IngestResult:
    path, mapping = export or _export(kind, folder)
    return ingest_file(path, survey=form, wave="2025", workspace=folder / "ws", mapping=mapping, **options)


def _processed(folder: Path) -> Path:
    return folder / "ws" / "data" / "processed" / "coop_test"


@pytest.mark.parametrize("annotated", [True, False], ids=["annotated", "plain"])
@pytest.mark.parametrize("kind", list(EXPORTS))
def test_every_reader_end_to_end(kind, annotated, tmp_path, form, plain_form):
    """Every reader, with the annotated form and with the same form as a platform gives it."""
    form = form if annotated else plain_form
    export = _export(kind, tmp_path)
    result = _ingest(kind, tmp_path, form, export=export)
    duplicates, relations = EXPORTS[kind][1:]
    assert result.rows_read == result.accepted + result.quarantined + result.duplicates
    assert (result.rows_read, result.accepted, result.quarantined, result.duplicates) == (
        4 + duplicates, 3, 1, duplicates)
    assert result.relations == relations
    folder = _processed(tmp_path)
    responses = pd.read_parquet(folder / "responses.parquet")
    assert responses["_territory"].tolist() == ["nord", "sud", "nord"]
    assert responses["org"].tolist() == ["Atelier du Bray", "Café Sud", "Régie"]
    assert responses["kind"].tolist() == ["scop", "autre", "scic"]
    assert responses["staff"].dtype == "Int64"
    assert responses["staff"].tolist()[:2] == [12, 3] and pd.isna(responses["staff"][2])
    assert responses["tools"].tolist()[:2] == ["web compta", "locaux"]
    key = load_key(tmp_path / "ws")
    assert responses["email"][0] == pseudonym(EMAIL, key)
    assert responses["comment"][0] == f"appeler le {pseudonym('0612345678', key, kind='phone')}"
    assert (responses["_wave"] == "2025").all()
    assert responses["_source"].tolist() == [result.source_sha256[:12]] * 3
    issues = pd.read_csv(result.issues_file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(issues.columns) == ["row", "sheet", "column", "value", "reason", "code", "fields", "action"]
    assert issues["code"].str.match(r"^(ingest|ingest_readers|xpath)\.\w+$").all()
    assert "ingest.reason_other" not in issues["code"].tolist()  # every reason has its rule
    staff = issues[issues["column"] == "staff"]
    assert staff[["row", "value", "action"]].values.tolist() == [["3", "500", "value set missing"]]
    quarantined = issues[issues["action"] == "quarantined row"]
    of_repeat = quarantined["reason"].str.startswith("repeat row")
    assert quarantined[~of_repeat]["row"].tolist() == ["4"]
    # the repeat row of the quarantined record is accounted for, not silently lost
    assert quarantined[of_repeat]["reason"].tolist() == (
        ["repeat row of record 4, which was quarantined; not stored"] if relations else [])
    assert len(issues) == result.issues
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    assert quarantine["org"].tolist() == ["Sans territoire"] and quarantine["_row"].tolist() == [4]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["sources"][0]
    assert manifest["survey_id"] == "coop_test" and len(manifest["sources"]) == 1
    keys = ("sha256", "rows_read", "accepted", "quarantined", "duplicates", "wave")
    assert {k: entry[k] for k in keys} == {
        "sha256": result.source_sha256, "rows_read": result.rows_read, "accepted": 3, "quarantined": 1,
        "duplicates": duplicates, "wave": "2025"}
    assert entry["reader"] == result.reader and entry["issues_file"] == Path(result.issues_file).relative_to(
        folder).as_posix()
    if relations:
        ties = pd.read_parquet(folder / "relations.parquet")
        assert ties["partner"].tolist() == ["Mairie", "Ferme", "Atelier du Bray"]
        assert ties["_index"].tolist() == [1, 2, 1]
        assert ties["_submission_id"].tolist() == [responses["_submission_id"][0]] * 2 + [
            responses["_submission_id"][1]]
        assert ties["_territory"].tolist() == ["nord", "nord", "sud"]
        assert ties["strength"].tolist() == ["3", "5", "2"]
    # no identifier ever reaches the processed folder, in any file
    for file in folder.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert EMAIL.encode() not in data and b"06 12 34 56 78" not in data, file
    # re-ingesting the same file adds nothing and says so
    again = _ingest(kind, tmp_path, form, export=export)
    assert again.already_ingested and again.accepted == 0
    assert again.rows_read == again.accepted + again.quarantined + again.duplicates
    assert len(pd.read_parquet(folder / "responses.parquet")) == 3
    assert len(json.loads((folder / "manifest.json").read_text())["sources"]) == 1


def test_processed_dtypes_follow_the_contract(tmp_path, form):
    _ingest("kobo_xlsx", tmp_path, form)
    responses = pd.read_parquet(_processed(tmp_path) / "responses.parquet")
    dtypes = {c: str(t) for c, t in responses.dtypes.items()}
    for column in ("_submission_id", "_wave", "_territory", "_source"):
        assert dtypes[column] == "string"
    assert dtypes["_submitted_at"] == "datetime64[ns, UTC]"
    assert responses["_submitted_at"].notna().all()
    meta = ["_submission_id", "_wave", "_territory", "_submitted_at", "_source"]
    assert list(responses.columns[:5]) == meta
    assert responses["_submission_id"].tolist() == ["u-1", "u-2", "u-3"]


def test_same_person_same_pseudonym_across_waves(tmp_path, form):
    folder = tmp_path / "exports"
    folder.mkdir()
    first = ingest_file(kobo_xlsx(folder), survey=form, wave="2025", workspace=tmp_path / "ws")
    # next wave: new submission ids, same organisation and e-mail written differently
    rows = [["zone", "org", "kind", "email", "_uuid"],
            ["nord", "Atelier du Bray", "scop", " Lea.Durand@EXAMPLE.org", "v-1"]]
    path = _write_csv(tmp_path / "wave2.csv", rows)
    second = ingest_file(path, survey=form, wave="2026", workspace=tmp_path / "ws")
    assert first.accepted == 3 and second.accepted == 1
    responses = pd.read_parquet(_processed(tmp_path) / "responses.parquet")
    emails = responses.set_index("_submission_id")["email"]
    assert emails["u-1"] == emails["v-1"] and emails["u-1"].startswith("px_")
    assert sorted(responses["_wave"].unique()) == ["2025", "2026"]


def test_a_new_export_with_more_rows_adds_only_the_new_ones(tmp_path, form):
    folder = tmp_path / "exports"
    folder.mkdir()
    first = ingest_file(kobo_csv(folder), survey=form, wave="2025", workspace=tmp_path / "ws")
    with open(folder / "kobo_export.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    extra = list(rows[1])
    extra[rows[0].index("_uuid")] = "u-5"
    extra[rows[0].index("org")] = "Nouvelle structure"
    path = _write_csv(tmp_path / "later.csv", [*rows, extra], sep=";", quote_all=True)
    second = ingest_file(path, survey=form, wave="2025", workspace=tmp_path / "ws")
    assert (first.accepted, second.accepted, second.duplicates, second.quarantined) == (3, 1, 4, 1)
    assert not second.already_ingested
    assert len(pd.read_parquet(_processed(tmp_path) / "responses.parquet")) == 4
    # the quarantine holds the row once per source, not once per run
    quarantine = pd.read_parquet(_processed(tmp_path) / "quarantine.parquet")
    assert len(quarantine) == 2 and quarantine["_source"].nunique() == 2


def test_a_ten_megabyte_answer_is_cut_in_the_data_and_kept_whole_in_the_issues_file(tmp_path, form):
    """A free-text answer has a documented limit (MAX_TEXT characters): beyond it the stored answer is
    cut and the issues file keeps the whole answer (the rest of the row is stored as usual)."""
    from coopwork.ingest.validate import MAX_TEXT

    huge = "Nous mutualisons des locaux. " * (10_000_000 // 29)
    with open(kobo_csv(tmp_path), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    rows[2][rows[0].index("comment")] = huge  # u-2, Café Sud
    path = _write_csv(tmp_path / "long.csv", rows, sep=";", quote_all=True)
    result = ingest_file(path, survey=form, wave="2025", workspace=tmp_path / "ws")
    assert (result.accepted, result.quarantined) == (3, 1)
    responses = pd.read_parquet(_processed(tmp_path) / "responses.parquet").set_index("_submission_id")
    stored = responses.loc["u-2", "comment"]
    assert len(stored) == MAX_TEXT and stored.endswith("…") and huge.startswith(stored[:-1])
    assert responses.loc["u-2", "org"] == "Café Sud" and responses.loc["u-2", "staff"] == 3
    issues = pd.read_csv(result.issues_file, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    cut = issues[issues["action"] == "value truncated"]
    assert cut[["row", "column"]].values.tolist() == [["2", "comment"]]
    assert cut["value"].iloc[0] == huge  # the whole answer, as written: nothing lost
    assert cut["reason"].iloc[0].startswith("answer longer than 10 000 characters, cut to 10 000")


def test_territory_option(tmp_path, form):
    result = _ingest("csv", tmp_path, form, territory="sud")
    assert (result.accepted, result.quarantined, result.duplicates) == (4, 0, 1)
    responses = pd.read_parquet(_processed(tmp_path) / "responses.parquet")
    assert responses["_territory"].tolist() == ["nord", "sud", "nord", "sud"]


def test_content_hash_ignores_the_source_format(tmp_path, form):
    """A file without ids hashes its normalised answers: the same rows in CSV and XLSX are one."""
    first = _ingest("xlsx", tmp_path, form)
    second = _ingest("csv", tmp_path, form)
    assert first.accepted == 3
    assert (second.accepted, second.duplicates, second.quarantined) == (0, 4, 1)
    frame = pd.DataFrame({"a": ["x"], "b": pd.array([1], dtype="Int64")})
    assert content_hashes(frame)[0] == content_hashes(frame.copy())[0]


def test_a_crash_mid_ingest_leaves_the_previous_state(tmp_path, form, monkeypatch):
    _ingest("kobo_xlsx", tmp_path, form)
    folder = _processed(tmp_path)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    real = store._write_parquet
    calls = []

    def crash(frame, path):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        real(frame, path)

    monkeypatch.setattr(store, "_write_parquet", crash)
    rows = [["zone", "org", "kind", "_uuid"], ["nord", "Neuve", "scop", "n-1"]]
    path = _write_csv(tmp_path / "wave2.csv", rows)
    with pytest.raises(OSError, match="disk full"):
        ingest_file(path, survey=form, wave="2026", workspace=tmp_path / "ws", partial=True)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("content", [
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    b"Lorem ipsum dolor sit amet.\nThis is a letter, not a table.\n",
    b"foo;bar;baz\n1;2;3\n4;5;6\n",
])
def test_bad_files_raise_and_write_nothing(tmp_path, form, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    workspace = tmp_path / "ws"
    with pytest.raises(IngestError) as info:
        ingest_file(path, survey=form, wave="2025", workspace=workspace)
    assert info.value.file and "bad.csv" in str(info.value)
    assert "Traceback" not in str(info.value)
    assert not workspace.exists()


def test_header_only_file_is_refused(tmp_path, form):
    path = _write_csv(tmp_path / "empty.csv", [NAMES])
    with pytest.raises(IngestError) as info:
        ingest_file(path, survey=form, wave="2025", workspace=tmp_path / "ws")
    assert str(info.value).startswith("empty.csv: ")   # the reader or the pipeline refuses it
    assert not (tmp_path / "ws").exists()


def test_other_survey_export_is_refused(tmp_path, form, sample_survey_path):
    path = _write_csv(tmp_path / "other.csv", [NAMES] + [[r[n] for n in NAMES] for r in RECORDS])
    with pytest.raises(IngestError) as info:
        ingest_file(path, survey=sample_survey_path, wave="2025", workspace=tmp_path / "ws")
    assert "other.csv" in str(info.value)
    assert not (tmp_path / "ws").exists()


def test_missing_file_and_empty_wave(tmp_path, form):
    with pytest.raises(IngestError, match="the file does not exist"):
        ingest_file(tmp_path / "nope.csv", survey=form, wave="2025", workspace=tmp_path)
    path = generic_csv(tmp_path)
    with pytest.raises(IngestError, match="the wave is empty"):
        ingest_file(path, survey=form, wave="  ", workspace=tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def test_no_territory_anywhere_writes_nothing(tmp_path, form):
    path = _write_csv(tmp_path / "noterr.csv", [["org", "kind", "staff"], ["A", "scop", "1"]])
    with pytest.raises(IngestError, match="give the territory of this file with --territory T"):
        ingest_file(path, survey=form, wave="2025", workspace=tmp_path / "ws", partial=True)
    assert not (tmp_path / "ws").exists()
    result = ingest_file(path, survey=form, wave="2025", territory="nord", workspace=tmp_path / "ws",
                         partial=True)
    assert result.accepted == 1


def test_demo_exports_of_the_sample_survey(tmp_path):
    """The seeded demo data (Kobo XLSX with the partnerships repeat) go through untouched."""
    from coopwork.demo.generate import generate_demo

    paths = generate_demo(tmp_path, territories=1)
    survey_path = tmp_path / "surveys" / "cooperation_territoriale.xlsx"
    results = [ingest_file(p, survey=survey_path, wave=p.stem.split("_")[-1], workspace=tmp_path)
               for p in paths if p.suffix == ".xlsx"]
    for result in results:
        assert result.rows_read == result.accepted + result.quarantined + result.duplicates
        assert result.accepted > 30 and result.relations > 50
    responses = pd.read_parquet(_processed_of(tmp_path) / "responses.parquet")
    relations = pd.read_parquet(_processed_of(tmp_path) / "relations.parquet")
    assert len(responses) == sum(r.accepted for r in results)
    assert len(relations) == sum(r.relations for r in results)
    assert set(relations["_submission_id"]) <= set(responses["_submission_id"])
    assert responses["contact_email"].dropna().str.fullmatch(r"px_[0-9a-f]{16}").all()
    # the CSV exports of the same submissions are all duplicates
    csv_path = next(p for p in paths if p.suffix == ".csv")
    again = ingest_file(csv_path, survey=survey_path, wave=csv_path.stem.split("_")[2], workspace=tmp_path)
    assert again.accepted == 0 and again.duplicates + again.quarantined == again.rows_read


def _processed_of(workspace: Path) -> Path:
    return workspace / "data" / "processed" / "cooperation_territoriale"


@pytest.mark.slow
def test_benchmark_script_runs(capsys):
    """The benchmark stays runnable (a small size; the timing itself is never asserted)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "ingest.py"
    spec = importlib.util.spec_from_file_location("bench_ingest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--rows", "300", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "300 rows" in out and "ratio" in out


def test_two_processes_ingesting_at_once_lose_nothing(tmp_path, form):
    """Two ingests of one workspace at the same time: the lock makes them take turns."""
    import subprocess
    import sys

    paths = []
    for n in range(2):
        rows = [["zone", "org", "kind", "_uuid"]] + [["nord", f"Org {n}-{i}", "scop", f"p{n}-{i}"]
                                                     for i in range(200)]
        paths.append(_write_csv(tmp_path / f"part{n}.csv", rows))
    code = ("import sys; from coopwork.ingest import ingest_file; "
            "r = ingest_file(sys.argv[1], survey=sys.argv[2], wave='2025', workspace=sys.argv[3], "
            "partial=True); "
            "print(r.accepted)")
    processes = [subprocess.Popen([sys.executable, "-c", code, str(p), str(form), str(tmp_path / "ws")],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for p in paths]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert [int(out.strip()) for out, _ in outputs] == [200, 200]
    responses = pd.read_parquet(_processed(tmp_path) / "responses.parquet")
    assert len(responses) == 400 and responses["_submission_id"].is_unique
    manifest = json.loads((_processed(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["sources"]) == 2
