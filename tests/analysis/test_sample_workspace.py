"""End to end on the bundled sample: seeded demo exports → ingestion → every analysis builder."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, sample_survey_path):
    from coopwork.demo.generate import generate_demo
    from coopwork.ingest import ingest_file
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("sample_ws")
    generate_demo(root)
    for wave in ("2025", "2026"):
        ingest_file(root / "data" / "raw" / f"cooperation_territoriale_{wave}.xlsx",
                    survey=root / "surveys" / "cooperation_territoriale.xlsx", wave=wave, workspace=root)
    return open_workspace(root)


def test_summaries_follow_skip_logic_on_real_processed_data(workspace):
    from coopwork.analysis import filter_responses, summarise

    survey, responses = workspace.survey, workspace.responses()
    here = filter_responses(responses, territory=workspace.territories[0], wave="2026")
    table = summarise(here, survey, "mutualisation_formes", lang="en")
    pooled = here["mutualise"].eq("oui").fillna(False) | here["mutualisation_formes"].notna()
    assert table["base"].max() + table["missing"].max() == pooled.sum()
    assert table["label"].iloc[0] != table["option"].iloc[0]  # labels, not names
    numeric = summarise(here, survey, "salaries")
    x = here["salaries"].dropna().astype(float)
    assert numeric["mean"].iloc[0] == pytest.approx(x.mean())


def test_scores_and_text_on_real_processed_data(workspace):
    from coopwork.analysis import compare_scores, dimension_scores, score_change, text_answers

    survey, responses = workspace.survey, workspace.responses()
    scores = dimension_scores(responses, survey)
    territory = workspace.territories[0]
    compared = compare_scores(scores, territory=territory, wave="2026", lang="en")
    assert {"trust", "governance", "mutualisation"} <= set(compared["dimension"])
    assert compared["mean"].dropna().between(0, 100).all()
    change = score_change(scores, territory=territory, wave_from="2025", wave_to="2026")
    assert (change["panel"].dropna() > 0).any()  # organisations answer both waves
    texts = text_answers(responses, survey, "evolution_texte", territory=territory)
    assert not texts["suppressed"].all()
    assert not texts["answer"].dropna().str.contains(r"px_[0-9a-f]{8}").any()
    assert isinstance(texts["html"].iloc[0], str | type(pd.NA))
