"""The synthesis workbook written by `export_all`, checked against counts computed directly from the
Parquet files; and what an odd territory id and a small first wave become in the export."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.i18n import t

pytestmark = pytest.mark.browser

ODD = "Pays basque / Iparralde"
ODD_NAME = "Pays_basque_Iparralde-94aa4a9c"


def _sheets(result) -> dict[str, pd.DataFrame]:
    return pd.read_excel(result.site / "workbooks" / "synthesis.xlsx", sheet_name=None, engine="openpyxl",
                         dtype={"territory": str, "wave_before": str, "wave_after": str, "display": str})


@pytest.fixture(scope="module")
def tables(exported):
    _, result = exported
    return _sheets(result)


@pytest.fixture(scope="module")
def raw(processed_workspace):
    folder = processed_workspace / "data" / "processed" / "cooperation_territoriale"
    return pd.read_parquet(folder / "responses.parquet"), pd.read_parquet(folder / "relations.parquet")


def test_sheets_are_the_synthesis_tables(tables):
    assert list(tables) == ["README", "overview", "scores", "practices", "practices_where", "changes"]
    for name, table in tables.items():
        assert "min" not in table.columns and "max" not in table.columns, name


def test_overview_counts_respondents_and_hides_small_territories(tables, raw):
    responses, _ = raw
    overview = tables["overview"].set_index("territory")
    latest = responses[responses["_wave"] == "2025"]
    assert set(overview.index) == set(latest["_territory"])
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


def test_practices_hold_every_territory_shown(tables):
    practices = tables["practices"]
    assert set(practices["_territory"]) <= {"alpha", "beta", "tiny"} and {"alpha", "beta"} <= set(
        practices["_territory"])
    shown = practices[~practices["suppressed"]]
    assert ((shown["n"] == 0) | (shown["n"] >= 3)).all()  # a cell shown rests on min_count organisations


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
    density = t("export.measure_density", "fr")
    row = changes[(changes["territory"] == "alpha") & (changes["measure"] == density)].iloc[0]
    assert (row["wave_before"], row["wave_after"]) == ("2024", "2025")
    assert row["before"] == pytest.approx(expected["2024"])
    assert row["after"] == pytest.approx(expected["2025"])
    assert row["difference"] == pytest.approx(expected["2025"] - expected["2024"])
    assert set(changes["territory"]) == {"alpha"}  # the only territory surveyed twice


def test_scores_hold_one_row_per_territory_and_dimension(tables):
    scores = tables["scores"]
    assert {"alpha", "beta"} <= set(scores["group"]) <= {"alpha", "beta", "tiny"}
    assert scores.groupby("group").size().nunique() == 1
    tiny = scores[scores["group"] == "tiny"]  # nothing published about a territory under the threshold
    assert tiny["suppressed"].all() and tiny["mean"].isna().all()
    shown = scores[~scores["suppressed"]]
    assert not shown.empty and ((shown["mean"] >= 0) & (shown["mean"] <= 100)).all()
    assert (shown["n"] >= 3).all()


def test_changes_are_suppressed_when_a_wave_is_small(odd_exported):
    """The odd territory had 2 respondents in 2024: no change of it is published."""
    _, result = odd_exported
    changes = _sheets(result)["changes"]
    mine = changes[changes["territory"] == ODD]
    assert not mine.empty and (mine[["wave_before", "wave_after"]] == ["2024", "2025"]).all().all()
    assert mine["suppressed"].all() and (mine["display"] == "< 3").all()
    assert mine[["before", "after", "difference", "n"]].isna().all().all()


def test_odd_territory_ids_get_safe_file_names(odd_exported):
    _, result = odd_exported
    assert sorted(result.territories) == sorted([ODD, "beta"]) and result.warnings == []
    names = {p.relative_to(result.site).as_posix() for p in result.files}
    assert {
        f"workbooks/{ODD_NAME}.xlsx",
        f"territories/{ODD_NAME}.html",
        f"placemats/{ODD_NAME}.html",
        f"network/{ODD_NAME}.gexf",
        f"network/{ODD_NAME}_nodes.csv",
        f"network/{ODD_NAME}_edges.csv",
        f"notes/{ODD_NAME}.csv",
        f"notes/{ODD_NAME}.md",
    } <= names
    assert not [p for p in result.site.rglob("*") if "Pays basque" in p.name or p.name == "Iparralde"]
    index = result.index.read_text(encoding="utf-8")
    assert f'href="territories/{ODD_NAME}.html"' in index and ODD in index
    # the tables keep the real id and label
    overview = _sheets(result)["overview"].set_index("territory")
    assert overview.loc[ODD, "label"] == ODD and overview.loc[ODD, "respondents"] == 10
