"""What is published about a territory, read from its results: labels in the survey's languages,
units, no leaky columns, counts of the raw answers, tie cells protected on organisations."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from coopwork.export.content import LEAKY_COLUMNS, network_graph, territory_content


@pytest.fixture(scope="module")
def results(tmp_path_factory, processed_workspace):
    """lang → territory → the results of the territory at its latest wave (French and English)."""
    from coopwork.fileio import load
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("content") / "ws"
    shutil.copytree(processed_workspace, root)
    entries = ensure(open_workspace(root), langs=("fr", "en"), min_count=3)
    out: dict[str, dict[str, dict]] = {}
    for entry in entries:
        if entry.territory is not None:
            out.setdefault(entry.lang, {})[entry.territory] = load(entry.path)
    return out


@pytest.fixture(scope="module")
def alpha(processed_workspace):
    folder = processed_workspace / "data" / "processed" / "cooperation_territoriale"
    responses = pd.read_parquet(folder / "responses.parquet")
    keep = (responses["_territory"] == "alpha") & (responses["_wave"] == "2025")
    return responses[keep].reset_index(drop=True)


def test_content_is_the_latest_wave_of_the_territory(results):
    content = territory_content(results["fr"]["alpha"])
    assert (content.territory, content.label, content.wave, content.lang, content.min_count) == (
        "alpha", "alpha", "2025", "fr", 3)
    assert content.respondents == 12
    assert set(content.tables) == {"summaries", "network", "organisations", "scores", "practices"}
    assert set(content.descriptions) == set(content.tables)
    assert content.graph is not None and content.graph.number_of_nodes() > 5
    assert content.graph.graph["respondents"] == 12
    assert 1 <= len(content.charts) <= 4
    for caption, figure in content.charts:
        assert isinstance(caption, str) and caption
        assert isinstance(figure, dict) and figure["data"]


def test_small_territory_publishes_nothing_but_its_suppressed_count(results):
    content = territory_content(results["fr"]["tiny"])
    assert content.respondents is None
    assert ("< 3" in dict(content.key_figures).values())
    assert content.graph is None and content.charts == []


def test_labels_come_from_the_xlsform_language(results, sample_survey):
    fr = territory_content(results["fr"]["alpha"]).tables["summaries"]
    en = territory_content(results["en"]["alpha"]).tables["summaries"]
    org_type = sample_survey.role("org_type").name
    assert fr.loc[fr["question"] == org_type, "question_label"].iloc[0] == sample_survey.label(org_type, "fr")
    assert en.loc[en["question"] == org_type, "question_label"].iloc[0] == sample_survey.label(org_type, "en")
    assert sample_survey.label(org_type, "fr") != sample_survey.label(org_type, "en")
    assert en.loc[en["question"] == org_type, "label"].tolist() == list(
        sample_survey.choice_labels(org_type, "en").values())
    # the unit is a code, the same in every language
    assert set(en["unit"]) == {"organisations", "ties"} and set(fr["unit"]) == {"organisations", "ties"}


def test_tie_questions_are_titled_as_counted_per_tie(results, sample_survey):
    repeat = {q.name for q in sample_survey.repeats[sample_survey.relations_repeat]}
    for lang, words in (("fr", "(compté par lien de coopération)"), ("en", "(counted per cooperation tie)")):
        charts = results[lang]["alpha"]["views"][""]["charts"]
        ties = [c for c in charts if c.get("unit") == "ties"]
        assert ties and all(c["title"].endswith(words) for c in ties)
        assert {c["id"] for c in ties} & repeat
        assert not [c for c in charts if c.get("unit") == "organisations" and words in c["title"]]


def test_no_identifier_text_or_key_role_question_and_no_min_max(results, sample_survey):
    content = territory_content(results["fr"]["alpha"])
    table = content.tables["summaries"]
    published = set(table["question"])
    for q in sample_survey.questions.values():
        if q.identifier or q.role in {"territory", "organisation", "name_consent"}:
            assert q.name not in published
        if q.type == "text" and q.name in published:  # a free text: how many answered, or its themes
            rows = table[table["question"] == q.name]
            assert set(rows["kind"]) <= {"answers", "themes"}, q.name
            if "option" in rows:
                assert rows["option"].isna().all() or set(rows["kind"]) == {"themes"}, q.name
    for name, sheet in content.tables.items():
        assert not set(LEAKY_COLUMNS) & set(sheet.columns), name
    numeric = table[table["kind"] == "numeric"]
    assert not numeric.empty and {"mean", "median"} <= set(numeric.columns)


def test_leaky_columns_of_a_result_are_dropped():
    from coopwork.results.tables import encode

    summaries = pd.DataFrame({"dimension": ["d"], "question": ["q"], "kind": ["numeric"],
                              "unit": ["organisations"], "n": pd.array([5], dtype="Int64"),
                              "min": [1.0], "max": [9.0], "mean": [4.0]})
    results = {"territory": "t", "territory_label": "T", "wave": "1", "lang": "en", "min_count": 3,
               "respondents": {"n": 5, "suppressed": False}, "key_figures": [], "views": {}, "network": None,
               "tables": {"summaries": encode(summaries)}}
    table = territory_content(results).tables["summaries"]
    assert list(table.columns) == ["dimension", "question", "kind", "unit", "n", "mean"]


def test_counts_match_the_raw_answers(results, alpha, sample_survey):
    table = territory_content(results["fr"]["alpha"]).tables["summaries"]
    org_type = sample_survey.role("org_type").name
    counts = alpha[org_type].value_counts()
    rows = table[table["question"] == org_type]
    assert not rows.empty and not rows["suppressed"].all()
    for row in rows.itertuples():
        if not row.suppressed:
            assert row.n == counts.get(row.option, 0)
        else:
            assert pd.isna(row.n) and row.display == "< 3"


def test_practices_are_one_territory_in_practice_dimensions(results):
    table = territory_content(results["en"]["alpha"]).tables["practices"]
    assert not table.empty
    assert set(table["dimension"]) <= {"mutualisation", "ties", "transition", "culture"}
    for _, group in table.groupby("question"):
        assert group["base"].dropna().nunique() == 1


def test_network_graph_is_built_from_the_published_network():
    network = {"respondents": 4,
               "nodes": [{"id": "A", "label": "A", "org_type": None}, {"id": "#1", "label": "#1"}],
               "edges": [{"source": "A", "target": "#1", "weight": 2}]}
    graph = network_graph(network)
    assert graph.graph["respondents"] == 4
    assert dict(graph.nodes(data=True)) == {"A": {"label": "A"}, "#1": {"label": "#1"}}
    assert list(graph.edges(data=True)) == [("A", "#1", {"weight": 2})]
    assert network_graph(None) is None


@pytest.mark.browser
def test_tie_cells_are_protected_on_organisations_not_ties(odd_exported, tie_kind):
    """Five ties of one kind named by a single organisation reveal that organisation: hidden."""
    _, result = odd_exported
    kind, (a, b, c) = tie_kind
    table = pd.read_excel(result.site / "workbooks" / "beta.xlsx", sheet_name="summaries", engine="openpyxl")
    rows = table[table["question"] == kind.name].set_index("option")
    assert set(rows["unit"]) == {"ties"}
    # 5 ties but one organisation: hidden, although the summary of ties alone would show it
    assert rows.loc[a, "suppressed"] and pd.isna(rows.loc[a, "n"]) and rows.loc[a, "display"] == "< 3"
    assert pd.isna(rows.loc[a, "respondents"])
    # the total is published: a second cell is hidden so that a cannot be recovered by subtraction
    assert rows.loc[b, "suppressed"]
    assert not rows.loc[c, "suppressed"]
    assert (rows.loc[c, "n"], rows.loc[c, "respondents"], rows.loc[c, "display"]) == (4, 4, "4 (31%)")
    assert rows.loc[c, "base"] == 13  # the base counts ties
