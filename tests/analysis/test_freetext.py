"""text_answers(), load_codebook(), theme_counts()."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest

from coopwork.analysis.freetext import load_codebook, matches_theme, text_answers, theme_counts
from coopwork.errors import CoopworkError

CODEBOOK = Path(__file__).resolve().parents[2] / "surveys" / "codebook_cooperation_territoriale.yml"


def frame(rows):
    return pd.DataFrame(rows, columns=["_territory", "org_nom", "consent_nom", "avis"]).astype("string")


def test_answers_are_escaped_scrubbed_and_unlinkable(toy_survey):
    df = frame([
        ("t1", "Coop Alpha", "oui", "<script>alert('x')</script> super"),
        ("t1", "Asso Secrète", "non", "Avec Asso Secrète et coop alpha, tout va bien"),
        ("t1", "Régie", "oui", "Appelez le 06 12 34 56 78 ou marie.dupont@example.org"),
        ("t1", "Ferme", "oui", "  "),
        ("t1", "Ville", "oui", None),
    ])
    table = text_answers(df, toy_survey, "avis")
    assert not {"_submission_id", "org_nom"} & set(table.columns)
    answers = table["answer"].tolist()
    assert answers == sorted(answers, key=str.casefold)  # alphabetical: not in submission order
    assert "Appelez le […] ou […]" in answers
    assert "Avec […] et coop alpha, tout va bien" in answers  # the refusing organisation is masked
    script = table[table["answer"].str.contains("script")].iloc[0]
    assert script["html"] == html.escape(script["answer"]) and "<script>" not in script["html"]
    assert table["n"].tolist() == [3, 3, 3] and not table["suppressed"].any()


def test_a_two_respondent_territory_shows_no_answer(toy_survey, toy_responses):
    table = text_answers(toy_responses[toy_responses["_wave"] == "2025"], toy_survey, "avis")
    t3 = table[table["_territory"] == "t3"]
    assert len(t3) == 1  # one row whatever the number of answers
    assert t3["suppressed"].all() and t3["answer"].isna().all() and t3["html"].isna().all()
    assert t3["n"].isna().all() and t3["display"].tolist() == ["< 3"]
    only = text_answers(toy_responses[toy_responses["_wave"] == "2025"], toy_survey, "avis", territory="t3")
    assert only["display"].tolist() == ["< 3"]
    visible = table[table["_territory"] == "t1"]
    keep = (toy_responses["_wave"] == "2025") & (toy_responses["_territory"] == "t1")
    truth = toy_responses.loc[keep, "avis"]
    assert sorted(visible["answer"]) == sorted(truth.dropna())


def test_text_answers_refuses_other_questions(toy_survey, toy_responses):
    with pytest.raises(CoopworkError, match="not a text question"):
        text_answers(toy_responses, toy_survey, "mutualise")


def test_keyword_and_stem_matching_ignores_case_and_accents():
    assert matches_theme("Une MUTUALISATION réussie", ["mutualis*"])
    assert matches_theme("les élus locaux", ["elu*"])
    assert matches_theme("Économie", ["economie"])
    assert not matches_theme("des emplois", ["emploi"])  # whole word without *
    assert matches_theme("l’emploi partagé", ["emploi partage"])  # typographic apostrophe, phrase
    assert not matches_theme("remutualiser", ["mutualis*"])  # stems match at the start of a word
    assert matches_theme("des actions concrètes", ["action* concret*"])  # a stem in each word
    assert matches_theme("un projet  commun", ["projet* commun*"])
    assert not matches_theme("un projet communal", ["projet* commun"])


def test_theme_counts_by_hand(toy_survey):
    book = {"themes": {
        "pool": {"label": {"fr": "Mutualisation", "en": "Pooling"}, "keywords": ["mutualis*", "partag*"]},
        "trust": {"label": {"fr": "Confiance"}, "keywords": ["confiance"]}}}
    texts = ["Nous mutualisons", "Un emploi PARTAGÉ", "Plus de confiance", "La confiance et le partage",
             "Rien", "Mutualisation", None, "Confiance"]
    df = pd.DataFrame({"_territory": "t1", "avis": pd.array(texts, dtype="string")})
    table = theme_counts(df, toy_survey, "avis", codebook=book, lang="en")
    assert table["theme"].tolist() == ["pool", "trust", "_none"]
    assert table["label"].tolist() == ["Pooling", "Confiance", "No codebook theme"]
    assert table["base"].iloc[0] == 7
    assert table.loc[0, "n"] == 4 and table.loc[1, "n"] == 3
    assert table.loc[0, "percent"] == pytest.approx(400 / 7)
    assert table.loc[2, "suppressed"]  # "Rien": one answer, hidden
    assert "100%" in table.attrs["note"]


def test_theme_counts_hide_a_two_respondent_group(toy_survey, toy_responses):
    book = load_codebook(CODEBOOK)
    table = theme_counts(toy_responses[toy_responses["_wave"] == "2025"], toy_survey, "avis",
                         codebook=book, by="_territory")
    t3 = table[table["_territory"] == "t3"]
    answered = toy_responses.loc[(toy_responses["_wave"] == "2025") & (toy_responses["_territory"] == "t3"),
                                 "avis"].notna().sum()
    assert answered > 0
    assert t3["suppressed"].all() and t3.select_dtypes("number").isna().all().all()
    assert (table.groupby("theme")["suppressed"].sum() != 1).all()


def test_sample_codebook_fits_the_sample_survey(sample_survey):
    book = load_codebook(CODEBOOK)
    for question in book["questions"]:
        assert sample_survey.question(question).type == "text"
    assert {"fr", "en"} <= set(book["themes"]["mutualisation"]["label"])
    keywords = book["themes"]["mutualisation"]["keywords"]
    assert matches_theme("La mutualisation des locaux nous a fait gagner du temps", keywords)
    assert matches_theme("We now have shared premises", keywords)


@pytest.mark.parametrize(("text", "message"), [
    ("questions: [a]\n", "has no 'themes'"),
    ("themes:\n  vide: {label: Vide}\n", "theme 'vide' has no keywords"),
    ("themes: [\n", "cannot read the codebook"),
])
def test_bad_codebooks(tmp_path, text, message):
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoopworkError, match=message):
        load_codebook(path)
