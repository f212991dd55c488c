"""Dimension scores, comparisons and changes, against values computed by hand and with scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from coopwork.analysis.indicators import (
    DimensionScore,
    compare_scores,
    default_config,
    dimension_label,
    dimension_scores,
    load_config,
    score_change,
)
from coopwork.errors import CoopworkError, SurveyError


def rescaled(values: pd.Series) -> pd.Series:
    return (pd.to_numeric(values, errors="coerce").astype(float) - 1) / 4 * 100


def test_default_config_takes_the_likert_questions_of_each_dimension(toy_survey):
    config = default_config(toy_survey)
    assert list(config) == ["trust", "governance"]
    assert config["trust"].items == ("conf_engagements", "conf_info", "conf_conflits")
    assert config["trust"].required == 2 and config["governance"].required == 1


def test_scores_by_hand_with_reverse_coding_and_min_items(toy_survey, toy_responses):
    config = {"trust": DimensionScore("trust", ("conf_engagements", "conf_info", "conf_conflits"),
                                      reverse=("conf_conflits",), min_items=2)}
    scores = dimension_scores(toy_responses, toy_survey, config=config)
    items = pd.DataFrame({"a": rescaled(toy_responses["conf_engagements"]),
                          "b": rescaled(toy_responses["conf_info"]),
                          "c": 100 - rescaled(toy_responses["conf_conflits"])})
    expected = items.mean(axis=1).where(items.notna().sum(axis=1) >= 2)
    assert list(scores.columns) == ["_submission_id", "_territory", "_wave", "organisation", "dimension",
                                    "score", "items_answered"]
    assert scores["items_answered"].tolist() == items.notna().sum(axis=1).tolist()
    np.testing.assert_allclose(scores["score"].astype(float).to_numpy(), expected.to_numpy(), equal_nan=True)
    assert scores["organisation"].iloc[0] == "organisation t1-0"


def test_raw_scale_without_rescaling(toy_survey):
    df = pd.DataFrame({"_submission_id": ["a"], "_territory": "t1", "_wave": "w",
                       "gouv_decisions": ["5"], "gouv_habitants": ["2"]})
    config = {"governance": DimensionScore("governance", ("gouv_decisions", "gouv_habitants"),
                                           reverse=("gouv_habitants",), rescale=False)}
    assert dimension_scores(df, toy_survey, config=config)["score"].tolist() == [(5 + 4) / 2]


def test_compare_scores_against_numpy_and_scipy(toy_survey, toy_responses):
    scores = dimension_scores(toy_responses, toy_survey)
    table = compare_scores(scores, territory="t1", wave="2026", lang="en")
    wave = scores[(scores["_wave"] == "2026") & (scores["dimension"] == "trust")]
    for group, part in (("territory", wave[wave["_territory"] == "t1"]),
                        ("others", wave[wave["_territory"] != "t1"]), ("all", wave)):
        x = part["score"].dropna().astype(float).to_numpy()
        row = table[(table["dimension"] == "trust") & (table["group"] == group)].iloc[0]
        ci = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
        assert row["n"] == len(x)
        assert row["mean"] == pytest.approx(x.mean())
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(ci[0]), pytest.approx(ci[1]))
    assert table["dimension_label"].drop_duplicates().tolist() == ["Trust", "Governance"]
    assert table["group_label"].tolist()[:3] == ["t1", "Other territories", "All territories"]


def test_a_two_respondent_territory_score_is_never_visible(toy_survey, toy_responses):
    scores = dimension_scores(toy_responses, toy_survey)
    table = compare_scores(scores, territory="t3", wave="2025")
    here = table[table["group"] == "territory"]
    assert here["suppressed"].all() and here["mean"].isna().all() and set(here["display"]) == {"< 3"}
    # "all" = "territory" + "others": one of the two others is hidden too, so no subtraction
    assert (table.groupby("dimension")["suppressed"].sum() >= 2).all()
    change = score_change(scores, territory="t3", wave_from="2025", wave_to="2026")
    assert change["suppressed"].all()
    assert change.select_dtypes("number").isna().all().all()


def test_score_change_against_scipy_welch(toy_survey, toy_responses):
    scores = dimension_scores(toy_responses, toy_survey)
    table = score_change(scores, wave_from="2025", wave_to="2026", lang="en")
    assert table["_territory"].drop_duplicates().tolist() == ["t1", "t2", "t3"]
    row = table[(table["_territory"] == "t1") & (table["dimension"] == "governance")].iloc[0]
    part = scores[(scores["_territory"] == "t1") & (scores["dimension"] == "governance")]
    a = part.loc[part["_wave"] == "2025", "score"].dropna().astype(float).to_numpy()
    b = part.loc[part["_wave"] == "2026", "score"].dropna().astype(float).to_numpy()
    ci = sps.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (row["n_from"], row["n_to"]) == (len(a), len(b))
    assert row["change"] == pytest.approx(b.mean() - a.mean())
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert row["display"].startswith(("+", "-")) or row["display"] == "0"
    # the fixture names organisations the same in both waves: a panel, said in the note
    assert row["panel"] == len(set(part["organisation"][part["_wave"] == "2025"])
                               & set(part["organisation"][part["_wave"] == "2026"]))
    assert "not independent" in table.attrs["note"]


def test_load_config_from_yaml(tmp_path, toy_survey):
    path = tmp_path / "scores.yml"
    path.write_text("trust:\n  items: [conf_engagements, conf_conflits]\n  reverse: [conf_conflits]\n"
                    "  min_items: 1\n  labels: {fr: Confiance mutuelle, en: Mutual trust}\n",
                    encoding="utf-8")
    config = load_config(path, toy_survey)
    assert config["trust"].reverse == ("conf_conflits",) and config["trust"].required == 1
    assert dimension_label("trust", "en", config) == "Mutual trust"
    assert dimension_label("unknown_dimension", "en") == "unknown_dimension"


@pytest.mark.parametrize(("text", "error", "message"), [
    ("trust: {items: [conf_info, salaire]}", SurveyError, "did you mean salaries"),
    ("trust: {items: [avis]}", CoopworkError, "is a text question, not a Likert"),
    ("trust: {items: [conf_info], reverse: [conf_conflits]}", CoopworkError, "is not among the items"),
    ("trust: {items: [conf_info], min_items: 3}", CoopworkError, "min_items of 'trust' must be"),
    ("trust: {reverse: [conf_info]}", CoopworkError, "has no items"),
    ("[1, 2]", CoopworkError, "must map dimensions"),
])
def test_bad_configurations(tmp_path, toy_survey, text, error, message):
    path = tmp_path / "scores.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=message):
        load_config(path, toy_survey)


def test_numeric_item_needs_a_scale(toy_survey, toy_responses):
    config = {"profile": DimensionScore("profile", ("salaries",))}
    with pytest.raises(CoopworkError, match="needs a scale"):
        dimension_scores(toy_responses, toy_survey, config=config)
    config = {"profile": DimensionScore("profile", ("salaries",), scale={"salaries": (0, 50)})}
    scores = dimension_scores(toy_responses, toy_survey, config=config)
    x = toy_responses["salaries"].astype(float)
    expected = (x.where(x <= 50) * 2).to_numpy()  # out-of-scale answers count as missing
    np.testing.assert_allclose(scores["score"].astype(float).to_numpy(), expected, equal_nan=True)


def test_unknown_territory_or_wave(toy_survey, toy_responses):
    scores = dimension_scores(toy_responses, toy_survey)
    with pytest.raises(CoopworkError, match="choose one of: t1, t2, t3"):
        compare_scores(scores, territory="t9")
    with pytest.raises(CoopworkError, match="choose one of: 2025, 2026"):
        score_change(scores, wave_from="2024", wave_to="2026")
