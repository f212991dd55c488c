"""The read side of a workspace: survey discovery, filters, helpful errors, reprs."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from coopwork.errors import WorkspaceError
from coopwork.workspace import copy_survey, open_workspace


@pytest.fixture
def workspace(tmp_path, sample_survey_path):
    copy_survey(sample_survey_path, tmp_path)
    processed = tmp_path / "data" / "processed" / "cooperation_territoriale"
    processed.mkdir(parents=True)
    responses = pd.DataFrame({
        "_submission_id": ["a", "b", "c", "d"],
        "_wave": ["2025", "2025", "2026", "2026"],
        "_territory": ["matera", "timisoara", "matera", "matera"],
        "org_type": ["scop", "association", "scic", "scop"],
    }).astype("string")
    responses.to_parquet(processed / "responses.parquet")
    relations = pd.DataFrame({"_submission_id": ["a"], "_wave": ["2025"], "_territory": ["matera"],
                              "_index": [1], "partenaire_nom": ["SCIC Énergies du Val"]})
    relations.to_parquet(processed / "relations.parquet")
    return tmp_path


def test_discovers_the_only_survey(workspace):
    ws = open_workspace(workspace)
    assert ws.survey.survey_id == "cooperation_territoriale"
    assert ws.processed_dir == workspace / "data" / "processed" / "cooperation_territoriale"


def test_waves_territories_and_filters(workspace):
    ws = open_workspace(workspace)
    assert ws.waves == ["2025", "2026"]
    assert ws.latest_wave == "2026"
    assert ws.territories == ["matera", "timisoara"]
    assert ws.responses(territory="matera", wave="2026")["_submission_id"].tolist() == ["c", "d"]
    assert len(ws.responses()) == 4
    assert ws.relations(territory="matera")["partenaire_nom"].tolist() == ["SCIC Énergies du Val"]


def test_unknown_wave_lists_the_existing_ones(workspace):
    with pytest.raises(WorkspaceError, match=r"no wave '2030'.*use one of: 2025, 2026"):
        open_workspace(workspace).responses(wave="2030")


def test_unknown_territory_lists_the_existing_ones(workspace):
    with pytest.raises(WorkspaceError, match=r"no territory 'paris'.*use one of: matera, timisoara"):
        open_workspace(workspace).responses(territory="paris")


def test_missing_folder_and_missing_survey(tmp_path):
    with pytest.raises(WorkspaceError, match="the workspace folder does not exist"):
        open_workspace(tmp_path / "nope")
    (tmp_path / "surveys").mkdir()
    with pytest.raises(WorkspaceError, match="no XLSForm in"):
        open_workspace(tmp_path)


def test_several_surveys_need_a_choice(workspace):
    shutil.copy(workspace / "surveys" / "cooperation_territoriale.xlsx", workspace / "surveys" / "autre.xlsx")
    (workspace / "data" / "processed" / "autre").mkdir()
    with pytest.raises(WorkspaceError, match="several surveys"):
        open_workspace(workspace)
    chosen = open_workspace(workspace, survey="cooperation_territoriale")
    assert chosen.survey_id == "cooperation_territoriale"


def test_empty_workspace_has_no_waves(tmp_path, sample_survey_path):
    copy_survey(sample_survey_path, tmp_path)
    ws = open_workspace(tmp_path)
    assert ws.waves == [] and ws.territories == [] and ws.latest_wave is None
    assert ws.manifest == {}


def test_html_repr_shows_size_waves_territories_and_disclosure(workspace):
    html = open_workspace(workspace, min_count=5)._repr_html_()
    assert "4 responses" in html and "2025, 2026" in html and "2 territories" in html
    assert "under 5 respondents" in html
    survey_html = open_workspace(workspace).survey._repr_html_()
    assert "governance" in survey_html and "trust" in survey_html
