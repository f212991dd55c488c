"""crosstab() and association_test() against pandas.crosstab and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from coopwork.analysis.crosstab import association_test, contingency, crosstab
from coopwork.errors import CoopworkError


@pytest.mark.parametrize("normalize", ["row", "column", "all"])
def test_counts_and_percentages_match_pandas(toy_survey, toy_responses, normalize, wilson):
    table = crosstab(toy_responses, toy_survey, "org_type", "mutualise", normalize=normalize, min_count=1)
    counts = pd.crosstab(toy_responses["org_type"], toy_responses["mutualise"])
    shares = pd.crosstab(toy_responses["org_type"], toy_responses["mutualise"],
                         normalize={"row": "index", "column": "columns", "all": "all"}[normalize])
    assert len(table) == 4 * 2  # every category of both
    for _, row in table.iterrows():
        n = counts.loc[row["row"], row["column"]]
        assert row["n"] == n
        assert row["percent"] == pytest.approx(100 * shares.loc[row["row"], row["column"]])
        base = {"row": counts.loc[row["row"]].sum(), "column": counts[row["column"]].sum(),
                "all": counts.to_numpy().sum()}[normalize]
        assert row["base"] == base
        low, high = wilson(n, base)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))


def test_labels_and_every_category(toy_survey, toy_responses):
    table = crosstab(toy_responses, toy_survey, "_territory", "org_type", lang="en")
    assert table["row"].drop_duplicates().tolist() == ["t1", "t2", "t3", "t4"]
    assert table["column"].drop_duplicates().tolist() == ["association", "scop", "scic", "collectivite"]
    assert table.loc[table["row"] == "t1", "row_label"].iloc[0] == "Vilaine country"
    assert table.attrs["row_question_label"] == "Territory"
    t4 = table[table["row"] == "t4"]
    assert (t4["n"] == 0).all() and not t4["suppressed"].any()


def test_a_two_respondent_territory_is_never_visible(toy_survey, toy_responses):
    one_wave = toy_responses[toy_responses["_wave"] == "2025"]  # t3: 2 respondents
    checked = 0
    for column in ("org_type", "mutualise", "formes", "conf_info", "consent_nom"):
        for normalize in ("row", "column", "all"):
            table = crosstab(one_wave, toy_survey, "_territory", column, normalize=normalize)
            t3 = table[table["row"] == "t3"]
            answered = one_wave.loc[one_wave["_territory"] == "t3", column].notna().sum()
            if answered:
                assert t3["suppressed"].all(), (column, normalize)
                assert t3.select_dtypes("number").isna().all().all()
            else:  # neither answered: a row of true zeros says nothing about anyone's answer
                assert (t3["n"] == 0).all()
            checked += bool(answered)
            # and no row or column of the table has a single hidden cell (subtraction from totals)
            for key in ("row", "column"):
                assert (table.groupby(key)["suppressed"].sum() != 1).all()
    assert checked >= 9  # the fixture really has answers of the small territory


def test_weighted_cells(toy_survey, toy_responses):
    table = crosstab(toy_responses, toy_survey, "org_type", "mutualise", weights="poids", min_count=1)
    reference = pd.crosstab(toy_responses["org_type"], toy_responses["mutualise"],
                            values=toy_responses["poids"].astype(float), aggfunc="sum").fillna(0)
    for _, row in table.iterrows():
        assert row["n_weighted"] == pytest.approx(reference.loc[row["row"], row["column"]])
        assert row["percent_weighted"] == pytest.approx(
            100 * reference.loc[row["row"], row["column"]] / reference.loc[row["row"]].sum())


def test_association_test_matches_scipy(toy_survey, toy_responses):
    result = association_test(toy_responses, toy_survey, "_wave", "mutualise")
    observed = pd.crosstab(toy_responses["_wave"], toy_responses["mutualise"]).to_numpy()
    statistic, pvalue, dof, expected = sps.chi2_contingency(observed)
    assert expected.min() >= 5
    assert result["method"] == "chi2"
    assert (result["statistic"], result["pvalue"], result["dof"]) == (
        pytest.approx(statistic), pytest.approx(pvalue), dof)
    assert result["n"] == observed.sum()
    assert "khi-deux" in result["note"]
    english = association_test(toy_responses, toy_survey, "_wave", "mutualise", lang="en")
    assert "chi-square" in english["note"]


def test_association_test_small_two_by_two_is_fisher(toy_survey):
    df = pd.DataFrame({"mutualise": ["oui"] * 6 + ["non"] * 5, "consent_nom": ["oui"] * 5 + ["non"] * 6})
    result = association_test(df, toy_survey, "mutualise", "consent_nom")
    observed = pd.crosstab(df["mutualise"], df["consent_nom"]).loc[["oui", "non"], ["oui", "non"]].to_numpy()
    assert result["method"] == "fisher"
    assert result["pvalue"] == pytest.approx(sps.fisher_exact(observed)[1])


def test_association_test_refuses_select_multiple(toy_survey, toy_responses):
    result = association_test(toy_responses, toy_survey, "formes", "_wave", lang="en")
    assert result["method"] == "none" and np.isnan(result["pvalue"])
    assert "independent" in result["note"]


def test_contingency_and_errors(toy_survey, toy_responses):
    matrix = contingency(toy_responses, toy_survey, "_wave", "org_type")
    assert matrix.to_numpy().sum() == toy_responses["org_type"].notna().sum()
    with pytest.raises(CoopworkError, match="unknown normalize option"):
        crosstab(toy_responses, toy_survey, "_wave", "org_type", normalize="rows")
    with pytest.raises(CoopworkError, match="with itself"):
        crosstab(toy_responses, toy_survey, "org_type", "org_type")
