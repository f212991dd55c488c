"""Failures the generated material found, each kept as a small plain test (no Hypothesis).

Each test is the shrunk example of one distinct failure, written out: a small form, its answers,
the export that breaks, and what a correct ingest stores. They are ``xfail(strict=True)`` until the
helper who owns the area fixes it: the test then passes, strict xfail turns that into a failure,
and the fix removes the marker and sets the matching ``AVOID_…`` switch of ``test_strategies.py``
to ``False``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from pyxform.xls2json import parse_file_to_json

from coopwork.survey import load_survey
from tests.strategies import (
    BLANK_LIKE_TEXTS,
    Choice,
    Condition,
    ExportOptions,
    FormSpec,
    Group,
    Instance,
    Question,
    Record,
    Submissions,
    expected_counts,
    ingest_export,
    stored_counts,
    write_export,
)

WHEN = datetime(2025, 3, 14, 9, 30)


def _records(*roots: Instance) -> tuple[Record, ...]:
    return tuple(Record(i, f"00000000-0000-4000-8000-{i:012d}", WHEN, root)
                 for i, root in enumerate(roots, 1))


def _ingest(tmp_path: Path, form: FormSpec, subs: Submissions, platform: str = "kobo_xlsx",
            options: ExportOptions | None = None):
    export = write_export(platform, form, subs, tmp_path / f"export.{platform[5:]}", options)
    result = ingest_export(form, export, tmp_path)
    return result, stored_counts(result, form)


GROUPED = FormSpec(
    "separateurs", "Séparateurs", (),
    (Question("effectif", "integer", {"": "Effectif"}, required=True),
     Group("profil", {"": "Profil"}, (Question("salaries", "integer", {"": "Salariés"}),))),
    {})


@pytest.mark.parametrize("platform", ["kobo_xlsx", "kobo_csv"])
@pytest.mark.parametrize("separator", [".", "-", ":", ""], ids=["dot", "dash", "colon", "none"])
def test_group_separator_is_recognised(tmp_path, separator, platform):
    subs = Submissions(GROUPED, _records(Instance({"effectif": 5, "salaries": 7})))
    result, observed = _ingest(tmp_path, GROUPED, subs, platform, ExportOptions(group_sep=separator))
    assert observed.answered == {"effectif": 1, "salaries": 1}
    assert result.issues == 0


@pytest.mark.parametrize("platform", ["kobo_xlsx", "kobo_csv"])
def test_blank_like_text_answer_is_kept(tmp_path, platform):
    """A Kobo blank is an empty cell: a text answer 'NA' (a country code) or 'null' is an answer."""
    form = FormSpec("codes", "Codes", (), (
        Question("rang", "integer", {"": "Rang"}, required=True),
        Question("code_iso", "text", {"": "Code ISO (NA = Namibie)"})), {})
    subs = Submissions(form, _records(*(Instance({"rang": i, "code_iso": text})
                                        for i, text in enumerate(BLANK_LIKE_TEXTS))))
    _, observed = _ingest(tmp_path, form, subs, platform)
    stored = pd.read_parquet(Path(_stored_dir(tmp_path, form)) / "responses.parquet").sort_values("rang")
    assert stored["code_iso"].fillna("<blank>").tolist() == list(BLANK_LIKE_TEXTS)
    assert observed.answered["code_iso"] == len(BLANK_LIKE_TEXTS)


def _stored_dir(tmp_path: Path, form: FormSpec) -> Path:
    return tmp_path / "ws" / "data" / "processed" / form.form_id


ACTIVITIES = FormSpec(
    "activites", "Activités", (),
    (Question("effectif", "integer", {"": "Effectif"}, required=True),
     Question("activites", "select_multiple", {"": "Activités"}, "activites")),
    {"activites": (Choice("jardin", {"": "Jardin partagé"}), Choice("velo", {"": "Atelier vélo"}),
                   Choice("repas", {"": "Repas"}))})


@pytest.mark.parametrize("platform", ["kobo_xlsx", "kobo_csv"])
@pytest.mark.parametrize("select_multiple", ["summary", "both"])
def test_labelled_select_multiple_keeps_its_options(tmp_path, platform, select_multiple):
    subs = Submissions(ACTIVITIES, _records(
        Instance({"effectif": 3, "activites": frozenset({"jardin", "velo"})}),
        Instance({"effectif": 4, "activites": frozenset({"repas"})})))
    options = ExportOptions(lang="", select_multiple=select_multiple)
    result, observed = _ingest(tmp_path, ACTIVITIES, subs, platform, options)
    assert observed.options["activites"] == {"jardin": 1, "velo": 1, "repas": 1}
    assert result.issues == 0


def test_nested_repeat_relevance_on_parent_row_is_checked(tmp_path):
    form = FormSpec("reunions", "Réunions", (), (
        Question("effectif", "integer", {"": "Effectif"}, required=True),
        Group("reunions", {"": "Réunions"}, repeat=True, children=(
            Question("participants", "integer", {"": "Participants"}, required=True),
            Group("avis", {"": "Avis"}, repeat=True, children=(
                Question("note", "integer", {"": "Note"}, required=True),
                Question("detail", "text", {"": "Détail"}, relevant=Condition("participants", ">", 2)))))),
    ), {})
    rows = [Instance({"participants": 4}, {"avis": [Instance({"note": 3, "detail": "bien"})]}),
            Instance({"participants": 1}, {"avis": [Instance({"note": 2, "detail": None})]})]
    subs = Submissions(form, _records(Instance({"effectif": 5}, {"reunions": rows})))
    result, observed = _ingest(tmp_path, form, subs)
    assert observed == expected_counts(subs)
    assert result.issues == 0


@pytest.mark.parametrize("prefix", [True, False], ids=["with-groups", "without-groups"])
def test_same_label_in_two_groups_keeps_both(tmp_path, prefix):
    form = FormSpec("doublons", "Doublons", (), (
        Question("effectif", "integer", {"": "Combien ?"}, required=True),
        Group("benevoles", {"": "Bénévoles"}, (Question("nb_benevoles", "integer", {"": "Combien ?"}),))), {})
    subs = Submissions(form, _records(Instance({"effectif": 5, "nb_benevoles": 7})))
    result, observed = _ingest(tmp_path, form, subs, options=ExportOptions(lang="", group_prefix=prefix))
    assert observed.answered == {"effectif": 1, "nb_benevoles": 1}
    assert result.issues == 0


def test_same_name_in_two_groups_is_two_questions(tmp_path):
    form = FormSpec("doubles", "Doubles", (), (
        Question("effectif", "integer", {"": "Effectif"}, required=True),
        Group("avant", {"": "Avant"}, (Question("nombre", "integer", {"": "Nombre avant"}),)),
        Group("apres", {"": "Après"}, (Question("nombre", "integer", {"": "Nombre après"}),))), {})
    path = form.to_xlsx(tmp_path / "form.xlsx")
    parse_file_to_json(str(path))  # pyxform accepts it
    survey = load_survey(path)
    assert len(survey.questions) == form.question_count() == 3


def test_a_label_holding_a_dash_does_not_make_a_plain_table_odk(tmp_path):
    """A hand-made table whose label headers hold a ``-`` ("Où êtes-vous ?") is read as the plain
    table it is: the dash inside a label is no group separator (it once voted for ODK, whose reader
    then ignored the table's ``_submission_id`` column)."""
    from tests.strategies.platforms import PlatformOptions

    form = FormSpec(
        "tirets", "Tirets", (),
        (Question("lieu", "select_one", {"": "Où êtes-vous ?"}, list_name="lieux", required=True),
         Group("partenaires", {"": "Vos partenaires"},
               (Question("partenaire", "text", {"": "Nom du partenaire"}, required=True),), repeat=True)),
        {"lieux": (Choice("bray", {"": "Pays de Bray"}),)})
    subs = Submissions(form, _records(Instance({"lieu": "bray"}, {"partenaires": []})))
    result, observed = _ingest(tmp_path, form, subs, "plain", PlatformOptions(labels=True))
    assert result.reader == "csv"
    assert pd.read_csv(result.issues_file).empty
    assert observed == expected_counts(subs).main_only(form)
