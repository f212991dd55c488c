"""selected(), filter_responses(), applicable(), groups()."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.analysis.selection import applicable, evaluate_relevant, filter_responses, groups, selected
from coopwork.errors import CoopworkError, SurveyError, WorkspaceError
from tests.workbooks import write_workbook


def test_selected_matches_a_hand_split(toy_survey, toy_responses):
    frame = selected(toy_responses, toy_survey, "formes")
    assert list(frame.columns) == ["locaux", "emplois", "achats"]  # form order
    for position, answer in enumerate(toy_responses["formes"]):
        row = frame.iloc[position]
        if pd.isna(answer):
            assert row.isna().all()
        else:
            assert [bool(v) for v in row] == [o in answer.split() for o in frame.columns]


def test_selected_keeps_values_outside_the_choice_list(toy_survey):
    df = pd.DataFrame({"formes": ["locaux velos", "", None]})
    frame = selected(df, toy_survey, "formes")
    assert list(frame.columns) == ["locaux", "emplois", "achats", "velos"]
    assert frame.iloc[0].tolist() == [True, False, False, True]
    assert frame.iloc[1].isna().all()  # an empty string is no answer


def test_selected_rejects_non_choice_questions_and_unknown_names(toy_survey, toy_responses):
    with pytest.raises(CoopworkError, match="not a choice question"):
        selected(toy_responses, toy_survey, "salaries")
    with pytest.raises(SurveyError, match="did you mean formes"):
        selected(toy_responses, toy_survey, "forme")


def test_filter_responses(toy_responses):
    part = filter_responses(toy_responses, territory="t2", wave="2026")
    assert len(part) == 18 and set(part["_territory"]) == {"t2"} and set(part["_wave"]) == {"2026"}
    both = filter_responses(toy_responses, territory=["t1", "t3"])
    assert len(both) == 2 * (25 + 2)
    scop = filter_responses(toy_responses, where={"org_type": "scop"})
    assert (scop["org_type"] == "scop").all()
    assert len(scop) == int((toy_responses["org_type"] == "scop").sum())
    premises = filter_responses(toy_responses, where=lambda df: df["salaries"] > 30)
    assert len(premises) == int((toy_responses["salaries"] > 30).fillna(False).sum())
    multi = filter_responses(toy_responses, where={"formes": "achats"})
    assert multi["formes"].str.split().map(lambda toks: "achats" in toks).all()


def test_filter_responses_unknown_territory_lists_the_known_ones(toy_responses):
    with pytest.raises(WorkspaceError) as info:
        filter_responses(toy_responses, territory="t9")
    assert str(info.value) == ("column '_territory': no response for territory 't9' (value: 't9'). "
                               "What to do: choose one of: t1, t2, t3.")


def test_applicable_evaluates_relevant(toy_survey):
    df = pd.DataFrame({"mutualise": ["oui", "non", None, "non"], "formes": ["locaux", None, None, "achats"]})
    # row 4 answered although the form says it did not apply: the data win
    assert applicable(df, toy_survey, "formes").tolist() == [True, False, False, True]
    assert applicable(df, toy_survey, "mutualise").tolist() == [True] * 4


def test_relevant_that_cannot_be_evaluated_applies_to_everyone():
    df = pd.DataFrame({"a": ["x", "y"]})
    assert evaluate_relevant(df, "${missing_question} = 'x'") is None
    assert evaluate_relevant(df, "position(..) = 1") is None
    typed = pd.DataFrame({"n": pd.array([2, 15], dtype="Int64"), "d": pd.to_datetime(["2024-01-02", None])})
    assert evaluate_relevant(typed, "${n} >= 10").tolist() == [False, True]
    assert evaluate_relevant(typed, "string-length(${d}) > 0").tolist() == [True, False]


def test_groups_territory_labels_and_members(toy_survey, toy_responses):
    found = groups(toy_responses, toy_survey, "_territory", lang="en")
    assert list(found.labels) == ["t1", "t2", "t3", "t4"]  # every choice, even without answers
    assert found.labels["t3"] == "Small village"
    assert found.members.groupby("group").size().to_dict() == {"t1": 50, "t2": 36, "t3": 4}


def test_groups_select_multiple_counts_a_respondent_in_each_group(toy_survey):
    df = pd.DataFrame({"formes": ["locaux achats", "achats", None]})
    found = groups(df, toy_survey, "formes")
    assert found.members.values.tolist() == [[0, "locaux"], [0, "achats"], [1, "achats"]]


def test_groups_wave_and_bad_by(toy_survey, toy_responses):
    assert list(groups(toy_responses, toy_survey, "_wave").labels) == ["2025", "2026"]
    with pytest.raises(CoopworkError, match="cannot group by 'salaries'"):
        groups(toy_responses, toy_survey, "salaries")


def test_a_question_inside_a_non_relevant_group_does_not_apply(tmp_path):
    from coopwork.survey import load_survey

    write_workbook(tmp_path / "groups.xlsx", {
        "survey": [["type", "name", "label", "relevant"], ["select_one yn", "member", "Member?", ""],
                   ["begin_group", "details", "Details", "${member} = 'yes'"],
                   ["integer", "staff", "Staff", ""],
                   ["end_group", "", "", ""]],
        "choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]})
    survey = load_survey(tmp_path / "groups.xlsx")
    responses = pd.DataFrame({"member": pd.array(["yes", "no", "no", None], dtype="string"),
                              "staff": pd.array([4, None, 2, None], dtype="Int64")})
    # yes → applies; no and unanswered → not; an answer despite "no" counts (the data win)
    assert applicable(responses, survey, "staff").tolist() == [True, False, True, False]
