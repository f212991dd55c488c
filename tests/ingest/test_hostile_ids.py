"""Hostile ids never reach a file path: a wave, a territory or a form_id that could climb out of the
workspace is refused at the edge (exit 2, one sentence) and nothing is written anywhere.

The three attacks of issue 16 are run as a careless or hostile user would: the real ``coopwork``
command in a separate process, from a workspace four folders deep, so that ``../../../../x``
would land in the test's own temporary folder if it got through.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from coopwork.errors import IngestError, SurveyError
from coopwork.ingest import ingest_file
from coopwork.paths import MAX_ID, check_id, problem
from coopwork.survey import load_survey


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")


@pytest.fixture
def nested(tmp_path, demo_workspace) -> tuple[Path, Path]:
    """``(top, workspace)``: a fresh workspace at ``top/a/b/c/ws`` holding the sample form."""
    workspace = tmp_path / "a" / "b" / "c" / "ws"
    (workspace / "surveys").mkdir(parents=True)
    shutil.copy(demo_workspace / "surveys" / "cooperation_territoriale.xlsx", workspace / "surveys")
    return tmp_path, workspace


def _csv(demo_workspace: Path, territory: str = "matera") -> Path:
    return demo_workspace / "data" / "raw" / "csv" / f"cooperation_territoriale_2025_{territory}.csv"


def _coopwork(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COOPWORK_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "coopwork.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def _refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_wave_that_climbs_out_is_refused(nested, demo_workspace):
    top, workspace = nested
    before = _files(top)
    done = _coopwork("ingest", str(_csv(demo_workspace)), "--survey", "surveys/cooperation_territoriale.xlsx",
                     "--wave", "../../../../x", "--workspace", ".", cwd=workspace)
    _refused(done, "coopwork ingest:", "the wave '../../../../x' contains a / or \\", "What to do")
    assert _files(top) == before  # nothing written, inside or outside the workspace


def test_territory_that_climbs_out_is_refused(nested, demo_workspace):
    top, workspace = nested
    before = _files(top)
    done = _coopwork("ingest", str(_csv(demo_workspace)), "--survey", "surveys/cooperation_territoriale.xlsx",
                     "--wave", "2025", "--territory", "../../../../tmp/y", "--workspace", ".", cwd=workspace)
    _refused(done, "the territory '../../../../tmp/y' contains a / or \\")
    assert _files(top) == before
    # the same option on every command that takes it, before anything is opened
    for command in (["run"], ["export"], ["serve", "--no-browser"]):
        done = _coopwork(*command, "--territory", "../../../../tmp/y", "--lang", "en", "--workspace", ".",
                         cwd=workspace)
        _refused(done, f"coopwork {command[0]}:", "contains a / or \\")
    done = _coopwork("run", "--wave", "..", "--lang", "en", "--workspace", ".", cwd=workspace)
    _refused(done, "the wave '..' contains '..'")
    assert _files(top) == before


def test_form_id_that_climbs_out_is_refused(nested, demo_workspace):
    top, workspace = nested
    form = workspace / "surveys" / "cooperation_territoriale.xlsx"
    book = openpyxl.load_workbook(form)
    book["settings"]["A2"] = "../../../tmp/z"
    book.save(form)
    before = _files(top)
    done = _coopwork("ingest", str(_csv(demo_workspace)), "--survey", str(form), "--wave", "2025",
                     "--workspace", ".", cwd=workspace)
    _refused(done, "cooperation_territoriale.xlsx, column 'form_id'",
             "the survey id (form_id) '../../../tmp/z' contains a / or \\")
    assert _files(top) == before
    assert not list(top.rglob("responses.parquet")) and not list(top.rglob("manifest.json"))


def test_a_territory_on_the_command_line_must_be_in_the_forms_list(nested, demo_workspace):
    """An export without the territory column: --territory is checked against the form's list too."""
    top, workspace = nested
    frame = pd.read_csv(_csv(demo_workspace), sep=";", dtype=str).drop(columns=["profil/territoire"])
    export = top / "sans_territoire.csv"
    frame.to_csv(export, sep=";", index=False)
    with pytest.raises(IngestError, match="the territory 'atlantis' is not in the choice list"):
        ingest_file(export, survey=workspace / "surveys" / "cooperation_territoriale.xlsx", wave="2025",
                    territory="atlantis", workspace=workspace)
    assert not (workspace / "data").exists()
    result = ingest_file(export, survey=workspace / "surveys" / "cooperation_territoriale.xlsx", wave="2025",
                         territory="matera", workspace=workspace)
    assert result.territories == ["matera"] and result.accepted == len(frame) - result.duplicates


def _text_territory_form(folder: Path, *, territory_choice: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "coopwork::role"])
    sheet.append(["select_one zones" if territory_choice else "text", "zone", "Zone", "territory"])
    sheet.append(["text", "org", "Organisation", "organisation"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["zones", territory_choice or "nord", "Zone"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title"])
    settings.append(["zones_test", "Zones"])
    path = folder / "zones_test.xlsx"
    book.save(path)
    return path


def test_free_text_territories_that_cannot_name_a_folder_are_quarantined(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("zone;org\nnord;A\n../../etc;B\nsud\x1b[2J;C\nPays basque / Iparralde;D\nsud;E\n",
                      encoding="utf-8")
    result = ingest_file(export, survey=_text_territory_form(tmp_path), wave="2025", workspace=tmp_path)
    assert (result.accepted, result.quarantined) == (2, 3)
    assert result.territories == ["nord", "sud"]
    issues = pd.read_csv(result.issues_file, dtype=str, encoding="utf-8-sig")
    unsafe = issues[issues["reason"].str.startswith("territory unusable as a folder name")]
    assert sorted(unsafe["row"].astype(int)) == [2, 3, 4]
    quarantine = pd.read_parquet(Path(result.processed_dir) / "quarantine.parquet")
    assert len(quarantine) == 3  # kept, not lost


def test_a_form_whose_territory_list_holds_a_path_is_refused(tmp_path):
    with pytest.raises(SurveyError, match=r"zones_test.xlsx, column 'name': the territory '\.\./x' contains"):
        load_survey(_text_territory_form(tmp_path, territory_choice="../x"))


@pytest.mark.parametrize(("identifier", "key"), [
    ("2025", None), ("Pays de Bray", None), ("Guimarães", None), ("vague-1.b", None),
    ("", "id_empty"), ("   ", "id_empty"), ("x" * (MAX_ID + 1), "id_too_long"),
    ("a\x00b", "id_control"), ("\x1b[31mred", "id_control"), ("abc\u202etxt.exe", "id_control"),
    ("a\nb", "id_control"), ("a/b", "id_separator"), ("a\\b", "id_separator"), ("/etc", "id_separator"),
    ("..", "id_dotdot"), ("a..b", "id_dotdot"), ("C:x", "id_absolute"), ("c:", "id_absolute"),
])
def test_the_id_rule(identifier, key):
    assert problem(identifier) == key
    if key is None:
        assert check_id(identifier, what="territory") == identifier.strip()
    else:
        with pytest.raises(IngestError) as caught:
            check_id(identifier, what="territory", error=IngestError, lang="en")
        text = str(caught.value)
        assert text.startswith("the territory") and "What to do:" in text
        assert "\x1b" not in text and "\x00" not in text and "\u202e" not in text


def test_ids_already_stored_still_name_files_only_through_the_path_authority(nested, demo_workspace):
    """Defence in depth: a workspace written before these checks (or by hand) holds a hostile wave and
    territory; preparing its dashboards and reports writes every file inside the workspace."""
    from coopwork.dashboard.serve import prepare

    top, workspace = nested
    survey = workspace / "surveys" / "cooperation_territoriale.xlsx"
    for territory in ("matera", "guimaraes"):
        ingest_file(_csv(demo_workspace, territory), survey=survey, wave="2025", workspace=workspace)
    table = workspace / "data" / "processed" / "cooperation_territoriale" / "responses.parquet"
    responses = pd.read_parquet(table)
    hostile = "../../../../../../y"
    responses["_territory"] = responses["_territory"].replace({"guimaraes": hostile})
    responses["_wave"] = responses["_wave"].replace({"2025": "../../../../../../x"})
    responses.to_parquet(table)
    outside = _files(top) - _files(workspace)
    plan = prepare(workspace, port=18801, lang="en")
    assert _files(top) - _files(workspace) == outside  # nothing new outside the workspace
    assert set(plan.notebooks) == {"synthese", "matera", hostile}
    assert all("/" not in name and not name.startswith(".") for name in plan.notebooks.values())
    assert all((plan.folder / name).is_file() for name in plan.notebooks.values())
    assert plan.urls[hostile].endswith(f"/voila/render/{plan.notebooks[hostile]}")


def test_a_parsed_form_cached_before_the_checks_is_parsed_again(nested):
    """``.coopwork/cache`` may hold a form parsed by an earlier coopwork, whose form_id was not checked."""
    import dataclasses
    import hashlib
    import json

    from coopwork import __version__
    from coopwork.survey import survey_to_dict
    from coopwork.workspace import open_workspace

    _, workspace = nested
    form = workspace / "surveys" / "cooperation_territoriale.xlsx"
    parsed = load_survey(form)
    book = openpyxl.load_workbook(form)
    book["settings"]["A2"] = "../../../tmp/z"
    book.save(form)
    digest = hashlib.sha256(form.read_bytes()).hexdigest()
    cache = workspace / ".coopwork" / "cache" / f"survey-{__version__}-{digest[:32]}.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps(survey_to_dict(dataclasses.replace(parsed, survey_id="../../../tmp/z"))))
    with pytest.raises(SurveyError, match="form_id"):
        open_workspace(workspace).survey  # noqa: B018 - the property parses the form
