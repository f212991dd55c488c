"""The form's relevance, evaluated on answers: one place for the analysis and the data export."""

from __future__ import annotations

import pandas as pd

from coopwork.analysis import selection
from coopwork.survey import Group, Question, Survey, relevance


def _survey() -> Survey:
    mutualise = Question("mutualise", "select_one", {"fr": "Mutualisez-vous ?"})
    what = Question("quoi", "text", {"fr": "Quoi ?"}, relevant="${mutualise} = 'oui'", group=("bloc",),
                    group_relevant=("${mutualise} != 'ne_sait_pas'",))
    return Survey("s", "S", None, ["fr"], "fr", {"mutualise": mutualise, "quoi": what}, {},
                  groups={"bloc": Group("bloc", "bloc", "group", {"fr": "Bloc"}, None)})


def test_a_question_applies_when_its_group_and_its_own_conditions_hold_or_when_it_was_answered():
    answers = pd.DataFrame({"mutualise": ["oui", "non", "ne_sait_pas", "non"],
                            "quoi": ["outils", None, None, "locaux"]})
    assert relevance.applicable(answers, _survey(), "quoi").tolist() == [True, False, False, True]
    assert relevance.answered(answers, _survey(), "quoi").tolist() == [True, False, False, True]


def test_the_analysis_uses_the_survey_layers_decision():
    assert selection.applicable is relevance.applicable
    assert selection.answered is relevance.answered
    assert selection.evaluate_relevant is relevance.evaluate_relevant
