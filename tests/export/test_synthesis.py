"""Cross-territory synthesis tables, checked against counts computed directly from the Parquet files."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.export.synthesis import build_synthesis


@pytest.fixture(scope="module")
def tables(processed_workspace):
    return build_synthesis(processed_workspace, lang="en", min_count=3)


@pytest.fixture(scope="module")
def raw(processed_workspace):
    folder = processed_workspace / "data" / "processed" / "cooperation_territoriale"
    return pd.read_parquet(folder / "responses.parquet"), pd.read_parquet(folder / "relations.parquet")


def test_overview_counts_respondents_and_hides_small_territories(tables, raw):
    responses, _ = raw
    overview = tables["overview"].set_index("territory")
    latest = responses[responses["_wave"] == "2025"]
    for territory, count in latest.groupby("_territory").size().items():
        if count >= 3:
            assert overview.loc[territory, "respondents"] == count
            assert overview.loc[territory, "display"] == str(count)
        else:
            assert pd.isna(overview.loc[territory, "respondents"])
            assert overview.loc[territory, "display"] == "< 3"
            assert pd.isna(overview.loc[territory, "nodes"]) and pd.isna(overview.loc[territory, "density"])


def test_practices_where_matches_an_independent_count(tables, raw, sample_survey):
    responses, _ = raw
    latest = responses[responses["_wave"] == "2025"]
    where = tables["practices_where"]
    assert not where.empty
    for question in where["question"].unique():
        answers = latest[["_territory", question]].dropna()
        for option in sample_survey.choice_labels(question):
            per_territory = {
                territory: (int(group[question].str.split().map(lambda names, o=option: o in names).sum()),
                            len(group))
                for territory, group in answers.groupby("_territory")}
            present = {k: n for k, (n, base) in per_territory.items() if n >= 3 and base >= 3}
            row = where[(where["question"] == question) & (where["option"] == option)].iloc[0]
            assert row["territories"] == len(present), (question, option)
            if sum(present.values()) >= 3:
                assert row["n"] == sum(present.values())
            else:
                assert pd.isna(row["n"]) or row["n"] == 0


def test_network_change_matches_networkx_on_the_raw_ties(tables, raw, sample_survey):
    import networkx as nx

    responses, relations = raw
    organisation = sample_survey.role("organisation").name
    partner = sample_survey.role("partner").name
    expected = {}
    for wave in ("2024", "2025"):
        mine = responses[(responses["_territory"] == "alpha") & (responses["_wave"] == wave)]
        names = dict(zip(mine["_submission_id"], mine[organisation], strict=True))
        ties = relations[(relations["_territory"] == "alpha") & (relations["_wave"] == wave)]
        graph = nx.DiGraph()
        graph.add_nodes_from(names.values())
        pairs = zip(ties["_submission_id"], ties[partner], strict=True)
        graph.add_edges_from((names[sid], name) for sid, name in pairs)
        expected[wave] = nx.density(graph)
    changes = tables["changes"]
    row = changes[(changes["territory"] == "alpha") & (changes["measure"] == "Network density")].iloc[0]
    assert (row["wave_before"], row["wave_after"]) == ("2024", "2025")
    assert row["before"] == pytest.approx(expected["2024"])
    assert row["after"] == pytest.approx(expected["2025"])
    assert row["difference"] == pytest.approx(expected["2025"] - expected["2024"])
    assert set(changes["territory"]) == {"alpha"}  # the only territory surveyed twice


def test_scores_hold_one_row_per_territory_and_dimension(tables, sample_survey):
    scores = tables["scores"]
    assert set(scores["group"]) == {"alpha", "beta", "tiny"}
    assert scores.groupby("group").size().nunique() == 1
    tiny = scores[scores["group"] == "tiny"]
    assert tiny["suppressed"].all() and tiny["mean"].isna().all()
    shown = scores[~scores["suppressed"]]
    assert ((shown["mean"] >= 0) & (shown["mean"] <= 100)).all()
