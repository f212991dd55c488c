"""Column matching and value normalisation shared by every reader."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from coopwork.i18n import catalogue
from coopwork.ingest.readers.common import Vocabulary, map_columns, normalise_text, slugify
from coopwork.survey import Choice, Question, Survey


def _survey(*questions: Question) -> Survey:
    return Survey("s", "s", None, ["fr", "en"], "fr", {q.name: q for q in questions}, {})


def test_slugify_and_normalise():
    assert slugify("Q2[SQ001]") == "q2_sq001"
    assert slugify("Été 2025 : vos coopérations ?") == "ete_2025_vos_cooperations"
    assert slugify("123") == "q_123"
    assert slugify("a" * 60, max_length=40) == "a" * 40
    # typographic apostrophe, HTML, non-breaking space and the French space before "?" are unified
    assert normalise_text("L’<b>Atelier</b>\u00a0 ?") == normalise_text("l' Atelier?") == "l' atelier?"


def test_vocabulary_precedence(small_survey):
    vocabulary = Vocabulary(small_survey)
    assert vocabulary.question("org_type") == "org_type"
    assert vocabulary.question("profil/org_type") == "org_type"
    assert vocabulary.question("profil-org_type", separators="-") == "org_type"
    assert vocabulary.question("Organisation type") == "org_type"  # English label
    assert vocabulary.question("  TYPE DE STRUCTURE ") == "org_type"
    assert vocabulary.question("Org-Type!") == "org_type"  # slug
    assert vocabulary.question("Org-Type!", slugs=False) is None
    assert vocabulary.question("partenaire_nom") is None  # in the repeat, not at top level
    assert Vocabulary(small_survey, "partenariats").question("Partner") == "partenaire_nom"
    assert vocabulary.option("jours", "TUESDAY") == "mar"


def test_labels_joined_with_commas_longest_first():
    sectors = Question("s", "select_multiple", list_name="s", choices=(
        Choice("a", {"fr": "Emploi"}), Choice("ab", {"fr": "Emploi, formation"}),
        Choice("c", {"fr": "Culture, arts, patrimoine"}), Choice("d", {"fr": "Autre"})))
    frame = pd.DataFrame({"s": ["Emploi, formation, Culture, arts, patrimoine", "Emploi, Autre",
                                "Culture, arts, patrimoine;Emploi", "Emploi, Jardinage", "", "Autre"]})
    mapped = map_columns(frame, _survey(sectors))
    assert mapped.frame["s"].tolist()[:4] == ["ab c", "a d", "a c", "a"]
    assert mapped.frame["s"].isna().tolist()[4]
    assert [(i["row"], i["value"], i["action"]) for i in mapped.issues] == \
        [(4, "Emploi, Jardinage", "option dropped")]


def test_many_option_columns_are_joined():
    choices = tuple(Choice(f"o{i}", {"fr": f"Option {i}"}) for i in range(70))
    q = Question("m", "select_multiple", list_name="m", choices=choices)
    data = {f"m/o{i}": ["1" if i in (0, 64, 69) else "0", "0", "n/a"] for i in range(70)}
    mapped = map_columns(pd.DataFrame(data), _survey(q))
    assert mapped.frame["m"].tolist()[0] == "o0 o64 o69"
    assert mapped.frame["m"].isna().tolist()[1:] == [True, True]


def test_unknown_split_option_is_reported():
    q = Question("m", "select_multiple", list_name="m", choices=(Choice("a", {"fr": "A"}),))
    mapped = map_columns(pd.DataFrame({"m/a": ["1", "0"], "m/zz": ["1", "1"]}), _survey(q))
    assert mapped.frame["m"].tolist() == ["a", pd.NA]
    assert [(i["row"], i["column"]) for i in mapped.issues] == [(1, "m/zz"), (2, "m/zz")]


def test_every_message_key_exists_in_both_languages():
    root = Path(__file__).resolve().parents[3] / "coopwork" / "ingest"
    sources = [root / "detect.py", root / "registry.py", root / "draft.py", root / "survey_cli.py",
               *sorted((root / "readers").glob("*.py"))]
    keys = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"message\(\s*\"(\w+)\"", text))
        for pair in re.findall(r"_fail\([^,]+,\s*\"(\w+)\",\s*\"(\w+)\"", text):
            keys |= set(pair)
        keys |= set(re.findall(r"t\(\"ingest_readers\.(\w+)\"", text))
        keys |= set(re.findall(r"\"ingest_readers\.(\w+)\"", text))  # error codes
    assert len(keys) > 20
    messages = catalogue()
    for key in sorted(keys):
        texts = messages[f"ingest_readers.{key}"]
        assert texts.get("fr") and texts.get("en"), key


@pytest.mark.parametrize("value", ["12,5", " 3,25 "])
def test_decimal_comma_in_number_questions(value):
    mapped = map_columns(pd.DataFrame({"n": [value, "7", "n/a"]}), _survey(Question("n", "decimal")))
    assert mapped.frame["n"].tolist()[:2] == [value.replace(",", "."), "7"]
    assert mapped.frame["n"].isna().tolist()[2]
