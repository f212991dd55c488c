"""Every builder, every question of the sample survey: a 2-respondent territory never shows through.

The responses are generated generically from the Survey (random valid answers for every
top-level question), so the test follows the sample survey as it evolves.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from coopwork.analysis import (
    compare_scores,
    crosstab,
    dimension_scores,
    load_codebook,
    score_change,
    summarise,
    text_answers,
    theme_counts,
)
from coopwork.i18n import catalogue

SIZES = {"big": 30, "mid": 12, "tiny": 2}


def random_responses(survey, wave: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for territory, size in SIZES.items():
        for i in range(size):
            row = {"_submission_id": f"{wave}-{territory}-{i}", "_wave": wave, "_territory": territory}
            for q in survey.top_level:
                if rng.random() < 0.1:
                    row[q.name] = None
                elif q.is_select and q.choices:
                    names = [c.name for c in q.choices]
                    if q.is_multiple:
                        picked = [n for n in names if rng.random() < 0.4] or [names[0]]
                        row[q.name] = " ".join(picked)
                    else:
                        row[q.name] = str(rng.choice(names))
                elif q.is_numeric:
                    row[q.name] = int(rng.integers(0, 40))
                elif q.type == "text":
                    row[q.name] = str(rng.choice(["La mutualisation des locaux", "Plus de confiance",
                                                  "Des tensions", "Rien"]))
                else:
                    row[q.name] = None
            rows.append(row)
    frame = pd.DataFrame(rows)
    for q in survey.top_level:
        if q.name in frame.columns:
            frame[q.name] = frame[q.name].astype("Int64" if q.is_numeric else "string")
    return frame


@pytest.fixture(scope="module")
def sample_data(sample_survey):
    return pd.concat([random_responses(sample_survey, "2025", 1), random_responses(sample_survey, "2026", 2)],
                     ignore_index=True)


def hidden(rows: pd.DataFrame) -> bool:
    return bool(rows["suppressed"].all() and rows.select_dtypes("number").isna().all().all()
                and set(rows["display"]) == {"< 3"})


def test_summaries_of_every_question(sample_survey, sample_data):
    one_wave = sample_data[sample_data["_wave"] == "2025"]
    checked = 0
    for q in sample_survey.top_level:
        if not (q.is_select or q.is_numeric) or q.name not in one_wave.columns:
            continue
        table = summarise(one_wave, sample_survey, q.name, by="_territory")
        assert hidden(table[table["_territory"] == "tiny"]), q.name
        checked += 1
    assert checked >= 20


def test_crosstabs_of_every_choice_question(sample_survey, sample_data):
    one_wave = sample_data[sample_data["_wave"] == "2025"]
    tiny = one_wave[one_wave["_territory"] == "tiny"]
    for q in sample_survey.top_level:
        if not q.is_select or q.name not in one_wave.columns or q.role == "territory":
            continue
        # "row" percentages for every question; "column" ones where several options may be chosen
        for normalize in ("row", "column") if q.is_multiple else ("row",):
            table = crosstab(one_wave, sample_survey, "_territory", q.name, normalize=normalize)
            rows = table[table["row"] == "tiny"]
            if tiny[q.name].notna().any():
                assert hidden(rows), (q.name, normalize)
            else:
                assert (rows["n"] == 0).all()


def test_scores_and_changes(sample_survey, sample_data):
    scores = dimension_scores(sample_data, sample_survey)
    compared = compare_scores(scores, territory="tiny", wave="2025")
    assert hidden(compared[compared["group"] == "territory"])
    change = score_change(scores, territory="tiny", wave_from="2025", wave_to="2026")
    assert hidden(change)


def test_free_text(sample_survey, sample_data):
    one_wave = sample_data[sample_data["_wave"] == "2025"]
    codebook = load_codebook(sample_survey.path.parent / "codebook_cooperation_territoriale.yml")
    for question in codebook["questions"]:
        answers = text_answers(one_wave, sample_survey, question)
        assert hidden(answers[answers["_territory"] == "tiny"].drop(columns=["answer", "html"]))
        assert len(answers[answers["_territory"] == "tiny"]) == 1
        themes = theme_counts(one_wave, sample_survey, question, codebook=codebook, by="_territory")
        assert hidden(themes[themes["_territory"] == "tiny"])


def test_every_message_used_exists_in_both_languages():
    from pathlib import Path

    import coopwork.analysis as analysis

    messages = catalogue()
    used = set()
    for path in Path(analysis.__file__).parent.glob("*.py"):
        used |= set(re.findall(r"""t\(\s*f?["'](analysis\.[\w{}]+)["']""", path.read_text(encoding="utf-8")))
    expanded = set()
    for key in used:
        if "{" in key:  # f-string keys: every expansion present in the catalogue
            prefix = key.split("{")[0]
            expanded |= {k for k in messages if k.startswith(prefix)}
            assert any(k.startswith(prefix) for k in messages), key
        else:
            expanded.add(key)
    assert len(expanded) >= 10
    for key in expanded:
        assert messages[key].get("fr") and messages[key].get("en"), key
