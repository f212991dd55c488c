"""The results the dashboards read: statistics checked against independent counts, disclosure,
org-type views, escaping, incremental computation and the index (replaces the precompute tests)."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pandas as pd
import pytest

from coopwork.fileio import load, load_with_breakdown, read_index
from coopwork.paths import ALL, name_for, results_file
from coopwork.results.store import ensure, prepare_all
from coopwork.workspace import open_workspace


@pytest.fixture(scope="module")
def ws(precomputed_workspace):
    return open_workspace(precomputed_workspace)


@pytest.fixture(scope="module")
def bundle(precomputed_workspace, ws):
    return load_with_breakdown(results_file(precomputed_workspace, ws.survey_id, "t01", "2025", "fr", 3))


def _chart(bundle: dict, chart_id: str, view: str = "") -> dict:
    return next(c for c in bundle["views"][view]["charts"] if c["id"] == chart_id)


def _hover_counts(trace: dict) -> dict[str, tuple[int, int] | None]:
    """label → (count, base) from "label : 25,0 % (3 sur 12)", None for "label : &lt; 3"."""
    out = {}
    for label, hover in zip(trace["y"], trace["hovertext"], strict=True):
        found = re.search(r"\((\d+) sur (\d+)\)$", hover)
        out[label] = (int(found[1]), int(found[2])) if found else None
    return out


def test_result_has_the_documented_shape(bundle, ws):
    assert {"version", "key", "digest", "survey_id", "territory", "territory_label", "wave", "previous_wave",
            "lang", "min_count", "respondents", "key_figures", "sections", "org_types", "views", "tables",
            "network"} <= set(bundle)
    assert (bundle["survey_id"], bundle["territory"], bundle["wave"], bundle["previous_wave"]) == (
        ws.survey_id, "t01", "2025", "2024")
    assert bundle["respondents"] == {"n": 12, "suppressed": False}
    assert bundle["org_types"][0]["id"] == "" and set(bundle["views"]) == {
        o["id"] for o in bundle["org_types"]}
    for chart in bundle["views"][""]["charts"]:
        assert {"id", "section", "title", "figure", "message"} <= set(chart)
        assert (chart["figure"] is None) is bool(chart["message"])  # no figure ⇒ a sentence says why
        assert chart["section"] in {s["id"] for s in bundle["sections"]}


def test_multiple_choice_counts_match_an_independent_count(ws, bundle):
    # the answered rows are the base; each option counts the organisations that ticked it
    question = next(q for q in ws.survey.top_level if q.is_select and q.is_multiple and q.role is None
                    and q.dimension)
    answers = ws.responses(wave="2025", territory="t01")[question.name].dropna()
    answered = [v for v in answers if str(v).strip()]
    reference = Counter(tok for v in answered for tok in str(v).split())
    labels = ws.survey.choice_labels(question.name, "fr")
    shown = _hover_counts(_chart(bundle, question.name)["figure"]["data"][0])
    checked = 0
    for name, label in labels.items():
        if shown[label] is None:
            assert 0 < reference[name] < 3
        else:
            assert shown[label] == (reference[name], len(answered))
            checked += 1
    assert checked > 0


def test_relation_questions_count_ties_protected_on_distinct_organisations(ws, bundle):
    relations = ws.relations(wave="2025", territory="t01")
    question = next(q for q in ws.survey.repeats[ws.survey.relations_repeat]
                    if q.is_select and q.is_multiple)
    chart = _chart(bundle, question.name)
    assert chart["unit"] == "ties" and chart["title"].endswith("(compté par lien de coopération)")
    answered = relations[relations[question.name].fillna("").str.strip() != ""]
    labels = ws.survey.choice_labels(question.name, "fr")
    shown = _hover_counts(chart["figure"]["data"][0])
    for name, label in labels.items():
        ticked = answered[answered[question.name].str.split().apply(lambda v, n=name: n in v)]
        ties, organisations = len(ticked), ticked["_submission_id"].nunique()
        if shown[label] is None:
            assert 0 < organisations < 3  # hidden on organisations, whatever the number of ties
        else:
            assert shown[label] == (ties, len(answered))  # counted per tie
            assert organisations == 0 or organisations >= 3
    summaries = bundle["tables"]["summaries"]
    rows = [dict(zip(summaries["columns"], row, strict=True)) for row in summaries["data"]]
    ties_rows = [r for r in rows if r["unit"] == "ties" and r["respondents"] is not None]
    assert ties_rows and all(r["suppressed"] for r in ties_rows if 0 < r["respondents"] < 3)


def test_bundle_bars_match_the_responses(ws, bundle):
    responses = ws.responses(wave="2025", territory="t01")
    question = next(q for q in ws.survey.top_level if q.is_select and not q.is_multiple and not q.is_likert
                    and q.role is None and q.dimension)
    chart = _chart(bundle, question.name)
    trace = chart["figure"]["data"][0]  # drawn by coopwork.figures.bar_chart
    counts = responses[question.name].value_counts()
    labels = ws.survey.choice_labels(question.name, "fr")
    names = {label: name for name, label in labels.items()}
    hidden = {a["y"] for a in chart["figure"]["layout"].get("annotations", []) if a["text"] == "&lt; 3"}
    assert trace["y"] == list(labels.values())
    for label, n_shown, x, hover in zip(trace["y"], trace["customdata"], trace["x"], trace["hovertext"],
                                        strict=True):
        n = int(counts.get(names[label], 0))
        if x is None:
            assert n_shown is None and hover.endswith("&lt; 3") and label in hidden  # no value, "< 3"
        else:
            assert n_shown == n and f"({n} sur {counts.sum()})" in hover
            assert x == pytest.approx(100 * n / counts.sum())
            assert n >= 3 or n == 0


def test_every_shown_count_respects_min_count(bundle):
    shown = 0
    for view in bundle["views"].values():
        for chart in view["charts"]:
            for trace in (chart["figure"] or {}).get("data", []):
                for text in trace.get("text") or []:
                    if text and text[0].isdigit() and "(" in text:
                        assert int(text.split(" ")[0]) == 0 or int(text.split(" ")[0]) >= 3
                if trace.get("type") == "bar" and trace.get("hovertext"):
                    for hover in trace["hovertext"]:
                        # "label : 25,0 % (3 sur 12)": every count shown is 0 or at least min_count
                        for count in re.findall(r"\((\d+) sur \d+\)", hover or ""):
                            assert int(count) == 0 or int(count) >= 3
                            shown += 1
    assert shown > 0


def test_every_result_the_dashboards_read_carries_its_audit_and_keeps_the_rules(
        bundle, precomputed_workspace, disclosure_kept):
    assert set(bundle["audit"]) == {n for n, t in bundle["tables"].items() if "suppressed" in t["columns"]}
    disclosure_kept(precomputed_workspace)


def test_small_groups_are_suppressed_whole(ws, precomputed_workspace):
    # t03 has 2 organisations
    small = load_with_breakdown(results_file(precomputed_workspace, ws.survey_id, "t03", "2025", "fr", 3))
    view = small["views"][""]
    assert view["suppressed"] is True and view["n"] is None and view["charts"] == []
    assert "< 3" in view["message"]
    assert small["respondents"]["suppressed"] is True and small["respondents"]["n"] is None
    org_type = ws.survey.role("org_type").name
    t01 = ws.responses(wave="2025", territory="t01")
    sizes = t01[org_type].value_counts()
    bundle = load_with_breakdown(results_file(precomputed_workspace, ws.survey_id, "t01", "2025", "fr", 3))
    for kind, size in sizes.items():
        view = bundle["views"][kind]
        assert view["suppressed"] is (size < 3)
        if size < 3:  # a view per organisation type; the small ones say why they show nothing
            assert view["n"] is None and view["charts"] == [] and "< 3" in view["message"]
        else:
            assert view["n"] == size and view["charts"]
    assert any(v["suppressed"] for v in bundle["views"].values())


def test_network_names_only_with_consent_and_escaped(ws, bundle):
    chart = _chart(bundle, "network")
    texts = [t for trace in chart["figure"]["data"] for t in trace.get("text") or []]
    assert "Organisation t01-0" not in texts  # consent "non"
    assert "&lt;script&gt;alert('org')&lt;/script&gt;" in texts  # consented, escaped
    assert not any("<script" in t for t in texts)
    assert "Mairie" not in texts  # a partner never asked for consent stays unnamed


def test_compare_and_change_sections(ws, bundle):
    compare = _chart(bundle, "compare.likert")  # coopwork.figures.scores_chart of compare_scores
    names = [trace["name"] for trace in compare["figure"]["data"]]
    assert names[1] == "Autres territoires"
    change = _chart(bundle, "change.likert")  # coopwork.figures.change_chart of score_change
    traces = {trace["meta"]: trace for trace in change["figure"]["data"]}
    assert all(trace["x"] == ["2024", "2025"] for trace in traces.values())
    # reference: the 0-100 score of the first Likert dimension in t01, wave 2025, computed here
    dimension = next(q for q in ws.survey.top_level if q.is_likert).dimension
    items = [q.name for q in ws.survey.top_level if q.is_likert and q.dimension == dimension]
    answers = ws.responses(wave="2025", territory="t01")[items].apply(pd.to_numeric)
    rescaled = (answers - 1) * 25
    enough = rescaled.notna().sum(axis=1) >= -(-len(items) // 2)
    reference = rescaled[enough].mean(axis=1).mean()
    assert traces[dimension]["y"][1] == pytest.approx(reference)


def test_results_are_not_recomputed_when_unchanged_and_indexed(ws, precomputed_workspace):
    files = sorted((precomputed_workspace / ".coopwork" / "results").rglob("*.k3.json"))
    before = {path: path.stat().st_mtime_ns for path in files}
    first = ensure(ws, waves=["2024", "2025"], langs=("fr", "en"))
    # what `coopwork serve` runs: nothing changed, nothing rewritten
    again = prepare_all(ws, by_org_type=True)
    assert {e.path for e in again} <= set(before) and {e.path for e in first} <= set(before)
    assert {path: path.stat().st_mtime_ns for path in files} == before
    assert {(e.path, e.key, e.digest) for e in first} <= {(e.path, e.key, e.digest) for e in again}
    for entry in again:
        stored = load(entry.path)
        assert (stored["key"], stored["digest"]) == (entry.key, entry.digest)
    index = read_index(precomputed_workspace)
    assert index["survey_id"] == ws.survey_id and index["waves"] == ["2024", "2025"]
    assert set(index["territories"]["en"]) == {"t01", "t02", "t03"}
    assert index["current"] == {"t01": "2025", "t02": "2025", "t03": "2025"}
    assert index["available"]["2025"] == ["t01", "t02", "t03"]
    path = results_file(precomputed_workspace, ws.survey_id, None, "2025", "en", 3)
    assert path.parent.name == name_for(ALL) and path.parent.name not in {"t01", "t02", "t03"}
    synthesis = load(path)
    assert synthesis["lang"] == "en" and synthesis["territory"] in (None, ALL)
    cross = {"overview", "scores_all", "practices_all", "practices_where", "changes"}
    assert cross <= set(synthesis["tables"])


def test_a_changed_answer_recomputes_only_what_reads_it(tmp_path, precomputed_workspace):
    root = tmp_path / "ws"
    shutil.copytree(precomputed_workspace, root)
    ws = open_workspace(root)
    before = {(e.territory, e.wave): e for e in ensure(ws, waves=["2024", "2025"])}
    processed = root / "data" / "processed" / ws.survey_id / "responses.parquet"
    table = pd.read_parquet(processed)
    question = next(q for q in ws.survey.top_level if q.is_numeric and q.role is None)
    row = table.index[(table["_wave"] == "2024") & (table["_territory"] == "t02")][0]
    table.loc[row, question.name] = int(table.loc[row, question.name] or 0) + 1
    table.to_parquet(processed)
    after = {(e.territory, e.wave): e for e in ensure(open_workspace(root), waves=["2024", "2025"])}
    changed = {k for k in before if before[k].key != after[k].key}
    # t02 2024 itself, its next wave (what changed), the others of 2024 (comparison), the syntheses
    assert ("t02", "2024") in changed and ("t02", "2025") in changed and (None, "2024") in changed
    assert ("t01", "2025") not in changed and ("t03", "2025") not in changed
    assert before[("t01", "2025")].digest == after[("t01", "2025")].digest


def test_english_bundle(ws, precomputed_workspace):
    bundle = load_with_breakdown(results_file(precomputed_workspace, ws.survey_id, "t02", "2024", "en", 3))
    assert bundle["org_types"][0]["label"] == "All types"
    assert _chart(bundle, "change.likert")["message"] == "There is no previous wave to compare with."
    per_tie = [c for c in bundle["views"][""]["charts"] if c.get("unit") == "ties"]
    assert per_tie and all("(" in c["title"] for c in per_tie)


def test_free_text_themes_only_in_the_all_organisations_view(demo_workspace, tmp_path):
    # the demo survey has a codebook: its free-text questions get a "themes" section, never per org type;
    # the dashboard's slow path (no `coopwork serve` before) computes the results in its kernel
    from coopwork.dashboard.page import Dashboard

    root = tmp_path / "demo"
    shutil.copytree(demo_workspace, root, ignore=shutil.ignore_patterns(".coopwork"))
    territory = open_workspace(root).territories[0]
    board = Dashboard(root, territory=territory, lang="fr")
    themes = [c for c in board.bundle["views"][""]["charts"] if c["section"] == "themes"]
    assert themes and all(c["id"].startswith("themes.") for c in themes)
    assert any(c["figure"] for c in themes) and "themes" in board.bundle["tables"]
    for kind, view in board.bundle["views"].items():
        if kind:
            assert all(c["section"] != "themes" for c in view["charts"])
    assert "themes" in [s["id"] for s in board._sections()]
    assert board.wave == read_index(root)["current"][territory]


def test_the_org_type_filter_is_computed_when_first_used(tmp_path, precomputed_workspace):
    """Without a workshop's preparation, the first visitor who picks a type computes its views, once."""
    import shutil

    from coopwork.dashboard.page import Dashboard
    from coopwork.paths import breakdown_file

    root = tmp_path / "ws"
    shutil.copytree(precomputed_workspace, root)
    ws = open_workspace(root)
    path = results_file(root, ws.survey_id, "t02", "2025", "fr", 3)
    breakdown_file(path).unlink()
    board = Dashboard(root, territory="t02", lang="fr")
    assert set(board.bundle["views"]) == {""}  # the page opens without them
    kind = next(o["id"] for o in board.bundle["org_types"] if o["id"])
    board.org_picker.value = kind
    assert breakdown_file(path).is_file()
    assert set(load_with_breakdown(path)["views"]) == {o["id"] for o in board.bundle["org_types"]}
    assert board._view() is board.bundle["views"][kind]
