"""What is published about a territory: summaries in the survey's languages, no leaky columns."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.export.content import LEAKY_COLUMNS, practices, question_summaries


@pytest.fixture(scope="module")
def alpha(processed_workspace):
    folder = processed_workspace / "data" / "processed" / "cooperation_territoriale"
    responses = pd.read_parquet(folder / "responses.parquet")
    relations = pd.read_parquet(folder / "relations.parquet")
    keep = (responses["_territory"] == "alpha") & (responses["_wave"] == "2025")
    return responses[keep].reset_index(drop=True), relations[
        (relations["_territory"] == "alpha") & (relations["_wave"] == "2025")].reset_index(drop=True)


def test_labels_come_from_the_xlsform_language(alpha, sample_survey):
    responses, relations = alpha
    fr = question_summaries(responses, relations, sample_survey, lang="fr")
    en = question_summaries(responses, relations, sample_survey, lang="en")
    org_type = sample_survey.role("org_type").name
    assert fr.loc[fr["question"] == org_type, "question_label"].iloc[0] == sample_survey.label(org_type, "fr")
    assert en.loc[en["question"] == org_type, "question_label"].iloc[0] == sample_survey.label(org_type, "en")
    assert sample_survey.label(org_type, "fr") != sample_survey.label(org_type, "en")
    assert en.loc[en["question"] == org_type, "label"].tolist() == list(
        sample_survey.choice_labels(org_type, "en").values())
    assert set(en["unit"]) == {"organisations", "ties"} and set(fr["unit"]) == {"organisations", "liens"}


def test_no_identifier_text_or_key_role_question_and_no_min_max(alpha, sample_survey):
    responses, relations = alpha
    table = question_summaries(responses, relations, sample_survey, lang="fr")
    published = set(table["question"])
    for q in sample_survey.questions.values():
        if q.identifier or q.type == "text" or q.role in {"territory", "organisation", "name_consent"}:
            assert q.name not in published
    assert not set(LEAKY_COLUMNS) & set(table.columns)
    numeric = table[table["kind"] == "numeric"]
    assert not numeric.empty and {"mean", "median"} <= set(numeric.columns)


def test_counts_match_the_raw_answers(alpha, sample_survey):
    responses, relations = alpha
    table = question_summaries(responses, relations, sample_survey, lang="fr")
    org_type = sample_survey.role("org_type").name
    counts = responses[org_type].value_counts()
    for row in table[table["question"] == org_type].itertuples():
        if not row.suppressed:
            assert row.n == counts.get(row.option, 0)


def test_practices_group_by_territory(alpha, sample_survey):
    responses, _ = alpha
    table = practices(responses, sample_survey, lang="en")
    assert set(table["_territory"]) == {"alpha"}
    assert set(table["dimension"]) <= {"mutualisation", "ties", "transition", "culture"}
    assert (table["base"].dropna() == table["base"].dropna().iloc[0]).all()


def test_tie_cells_are_protected_on_organisations_not_ties(sample_survey):
    """Five ties of one kind named by a single organisation reveal that organisation: hidden."""
    kind = next(q for q in sample_survey.repeats[sample_survey.relations_repeat]
                if q.type == "select_one" and not q.role)
    a, b, c = [choice.name for choice in sample_survey.choices[kind.list_name]][:3]
    # s1 names 5 partners of kind a; s2..s5 one partner of kind b each; s6..s9 one of kind c each
    relations = pd.DataFrame({
        "_submission_id": ["s1"] * 5 + [f"s{i}" for i in range(2, 10)],
        kind.name: pd.array([a] * 5 + [b] * 4 + [c] * 4, dtype="string")})
    responses = pd.DataFrame({"_submission_id": [f"s{i}" for i in range(1, 10)]})
    table = question_summaries(responses, relations, sample_survey, lang="en")
    rows = table[table["question"] == kind.name].set_index("option")
    # 5 ties but one organisation: hidden, although the summary of ties alone would show it
    assert rows.loc[a, "suppressed"] and pd.isna(rows.loc[a, "n"]) and rows.loc[a, "display"] == "< 3"
    # the total is published: a second cell is hidden so that a cannot be recovered by subtraction
    assert rows.loc[b, "suppressed"]
    assert not rows.loc[c, "suppressed"]
    assert (rows.loc[c, "n"], rows.loc[c, "respondents"], rows.loc[c, "display"]) == (4, 4, "4 (31%)")
