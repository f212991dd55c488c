"""summarise() against pandas/numpy computations made independently in the test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coopwork.analysis.summary import summarise
from coopwork.errors import CoopworkError


def test_select_one_counts_percentages_and_wilson(toy_survey, toy_responses, wilson):
    table = summarise(toy_responses, toy_survey, "mutualise", min_count=1)
    answers = toy_responses["mutualise"].dropna()
    counts = answers.value_counts()
    assert table["option"].tolist() == ["oui", "non"]
    assert table["label"].tolist() == ["Oui", "Non"]
    for _, row in table.iterrows():
        n = int(counts.get(row["option"], 0))
        assert row["n"] == n
        assert row["base"] == len(answers)
        assert row["missing"] == toy_responses["mutualise"].isna().sum()
        assert row["percent"] == pytest.approx(100 * n / len(answers))
        low, high = wilson(n, len(answers))
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert not table["suppressed"].any()
    assert table.attrs["kind"] == "select_one" and table.attrs["question_label"].startswith("Mutualisez")


def test_select_multiple_percent_of_respondents_and_relevant_base(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "formes", lang="en", min_count=1)
    applies = toy_responses["mutualise"].eq("oui").fillna(False) | toy_responses["formes"].notna()
    answered = toy_responses["formes"].notna()
    assert table["base"].iloc[0] == answered.sum()
    assert table["missing"].iloc[0] == (applies & ~answered).sum()  # only those it applied to
    assert table["missing"].iloc[0] < toy_responses["formes"].isna().sum()
    for _, row in table.iterrows():
        n = toy_responses["formes"].dropna().str.split().map(lambda t, o=row["option"]: o in t).sum()
        assert row["n"] == n
    assert table["percent"].sum() > 100  # respondents pick several options
    assert "100%" in table.attrs["note"]
    assert table["label"].tolist() == ["Premises", "Shared jobs", "Joint purchasing"]


def test_likert_in_choice_order_with_every_option(toy_survey):
    df = pd.DataFrame({"conf_info": ["5", "5", "5", "4", "4", "4", "1", "1", "1", None]})
    table = summarise(df, toy_survey, "conf_info", lang="en")
    assert table["option"].tolist() == ["1", "2", "3", "4", "5"]
    assert table["n"].tolist() == [3, 0, 0, 3, 3]
    assert table["display"].tolist() == ["3 (33%)", "0 (0%)", "0 (0%)", "3 (33%)", "3 (33%)"]
    assert table.attrs["kind"] == "likert"


def test_label_fallback_to_default_language(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "org_type", lang="en", min_count=1)
    assert table.set_index("option")["label"].to_dict() == {
        "association": "Association", "scop": "Worker cooperative", "scic": "SCIC",
        "collectivite": "Local authority"}


def test_numeric_summary_matches_numpy(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "salaries", by="_wave")
    for _, row in table.iterrows():
        in_wave = toy_responses["_wave"] == row["_wave"]
        x = toy_responses.loc[in_wave, "salaries"].dropna().to_numpy(dtype=float)
        assert row["n"] == row["base"] == len(x)
        assert row["missing"] == (toy_responses["_wave"] == row["_wave"]).sum() - len(x)
        assert row["mean"] == pytest.approx(x.mean()) and row["sd"] == pytest.approx(x.std(ddof=1))
        assert [row["min"], row["q1"], row["median"], row["q3"], row["max"]] == pytest.approx(
            [x.min(), *np.percentile(x, [25, 50, 75]), x.max()])
    assert table["_wave_label"].tolist() == ["2025", "2026"]


def test_by_group_shows_every_category_and_labels(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "mutualise", by="org_type", lang="en")
    assert table["org_type"].drop_duplicates().tolist() == ["association", "scop", "scic", "collectivite"]
    assert len(table) == 4 * 2
    reference = pd.crosstab(toy_responses["org_type"], toy_responses["mutualise"])
    shown = table[~table["suppressed"]]
    for _, row in shown.iterrows():
        assert row["n"] == reference.loc[row["org_type"], row["option"]]
        assert row["base"] == reference.loc[row["org_type"]].sum()


def test_weighted_columns_next_to_unweighted(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "mutualise", weights="poids", min_count=1)
    answered = toy_responses["mutualise"].notna()
    w = toy_responses["poids"].astype(float)
    for _, row in table.iterrows():
        chosen = toy_responses["mutualise"].eq(row["option"]).fillna(False)
        assert row["n_weighted"] == pytest.approx(w[chosen].sum())
        assert row["percent_weighted"] == pytest.approx(100 * w[chosen].sum() / w[answered].sum())
        assert row["n"] == chosen.sum()  # the unweighted count stays
    numeric = summarise(toy_responses, toy_survey, "salaries", weights="poids")
    x = toy_responses["salaries"].astype(float)
    keep = x.notna()
    assert numeric["mean_weighted"].iloc[0] == pytest.approx(np.average(x[keep], weights=w[keep]))


def test_bad_weights_and_questions_are_user_errors(toy_survey, toy_responses):
    broken = toy_responses.assign(poids=toy_responses["poids"].mask(toy_responses.index == 4))
    with pytest.raises(CoopworkError, match="row 5, column 'poids': a survey weight is missing"):
        summarise(broken, toy_survey, "mutualise", weights="poids")
    with pytest.raises(CoopworkError, match="by itself"):
        summarise(toy_responses, toy_survey, "mutualise", by="mutualise")


def test_free_text_is_summarised_as_how_many_answered_never_the_texts(toy_survey, toy_responses):
    counted = summarise(toy_responses, toy_survey, "avis")
    answered = int(toy_responses["avis"].astype("string").str.strip().ne("").fillna(False).sum())
    assert counted.attrs["kind"] == "answers"
    assert counted["n"].tolist() == [answered] and counted["display"].tolist() == [str(answered)]
    assert not {"option", "label"} & set(counted.columns)  # no text of any answer


def test_a_two_respondent_group_is_never_visible(toy_survey, toy_responses):
    for question in ("mutualise", "formes", "conf_info", "salaries", "org_type"):
        table = summarise(toy_responses[toy_responses["_wave"] == "2025"], toy_survey, question,
                          by="_territory")
        small = table[table["_territory"] == "t3"]
        assert small["suppressed"].all(), question
        numeric = small.select_dtypes("number")
        assert numeric.isna().all().all(), question
        assert set(small["display"]) == {"< 3"}


def test_secondary_suppression_protects_the_group_totals(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "conf_info", by="org_type")
    # a single hidden cell in a group (its base is shown) or in an option (its overall total is
    # shown by the summary without `by`) could be recovered by subtraction
    for key in ("org_type", "option"):
        assert (table.groupby(key)["suppressed"].sum() != 1).all()


def test_empty_category_of_by_is_shown_as_zero(toy_survey, toy_responses):
    table = summarise(toy_responses, toy_survey, "mutualise", by="_territory")
    t4 = table[table["_territory"] == "t4"]
    assert t4["n"].tolist() == [0, 0] and not t4["suppressed"].any()
    assert t4["_territory_label"].tolist() == ["Territoire sans réponse"] * 2
    assert all(math.isnan(v) for v in t4["percent"].astype(float).fillna(np.nan))


def test_dominance_rule_on_numeric_totals(toy_survey):
    df = pd.DataFrame({"_territory": ["a"] * 4 + ["b"] * 4 + ["c"] * 3,
                       "salaries": pd.array([250, 10, 5, 3, 12, 8, 9, 20, 1, 2, 3], dtype="Int64")})
    table = summarise(df, toy_survey, "salaries", by="_territory")
    assert table.set_index("_territory")["suppressed"]["c"]  # secondary: the smallest other group
    table = table[table["_territory"].isin(["a", "b"])].reset_index(drop=True)
    # territory a: one employer holds 250 / 268 = 93 % of the jobs → hidden; b is fine
    assert table["suppressed"].tolist() == [True, False]
    assert table.loc[1, "total"] == 49 and table.loc[1, "max"] == 20
    assert pd.isna(table.loc[0, "total"]) and pd.isna(table.loc[0, "max"])
    assert "_largest" not in table.columns and "_abs_total" not in table.columns
    relaxed = summarise(df, toy_survey, "salaries", by="_territory", dominance=None)
    assert not relaxed.loc[relaxed["_territory"] == "a", "suppressed"].any()


def test_a_lone_hidden_numeric_group_takes_a_second_one_with_it(toy_survey, toy_responses):
    one_wave = toy_responses[toy_responses["_wave"] == "2025"]
    table = summarise(one_wave, toy_survey, "salaries", by="_territory")
    # t3 (2 respondents) is hidden; the overall mean and n are published without `by`, so t3's
    # mean = (N·mean - n1·mean1 - n2·mean2) / n3 unless another group is hidden as well
    assert table.set_index("_territory")["suppressed"].to_dict() == {"t1": False, "t2": True, "t3": True,
                                                                     "t4": False}


def test_summarise_many_gives_the_tables_of_summarise_rows_question_by_question(demo_workspace):
    """One protect() per rule family must decide exactly what one protect() per question decides."""
    import numpy as np
    import pandas as pd

    from coopwork.analysis.summary import prepare, summarise_many, summarise_rows
    from coopwork.results.questions import published
    from coopwork.workspace import open_workspace

    ws = open_workspace(demo_workspace)
    responses = ws.responses(wave="2026")
    names = [p.question.name for p in published(ws.survey) if p.unit == "organisations"]
    prepared = [prepare(responses, ws.survey, name) for name in names]
    for territory in ["matera", "pays_de_bray"]:
        rows = np.flatnonzero((responses["_territory"] == territory).to_numpy())
        many = summarise_many(prepared, ws.survey, rows, lang="en", min_count=3)
        assert set(many) == set(names)
        for item in prepared:
            one = summarise_rows(item, ws.survey, rows, lang="en", min_count=3)
            pd.testing.assert_frame_equal(many[item.question.name], one)
            assert many[item.question.name].attrs == one.attrs


def test_a_rank_question_counts_each_option_at_each_rank():
    from coopwork.survey import Choice, Question, Survey

    options = tuple(Choice(c, {"en": c.title()}) for c in ("water", "school", "road"))
    survey = Survey("s", "S", None, ["en"], "en", {"r": Question("r", "rank", choices=options)}, {})
    answers = ["water school road"] * 4 + ["school water road"] * 3 + [None]
    table = summarise(pd.DataFrame({"r": answers}), survey, "r", lang="en")
    shown = table.set_index(["ranked", "position"])["n"]
    assert table.attrs["kind"] == "rank" and table.attrs["base"] == 7
    assert shown[("water", "1")] == 4 and shown[("school", "1")] == 3 and shown[("road", "3")] == 7
    assert pd.isna(shown[("road", "1")]) is False and shown[("road", "1")] == 0  # nobody put road 1st
    assert set(table["label"]) >= {"Water: rank 1", "Road: rank 3"}


def test_dates_are_counted_by_period_like_a_single_choice():
    from coopwork.survey import Question, Survey

    survey = Survey("s", "S", None, ["en"], "en", {"d": Question("d", "date")}, {})
    dates = pd.to_datetime(["2024-01-03"] * 3 + ["2024-03-09"] * 4 + [None])
    table = summarise(pd.DataFrame({"d": dates}), survey, "d", lang="en")
    assert table["option"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert table["label"].tolist() == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert table["n"].tolist() == [3, 0, 4] and table.attrs["base"] == 7
