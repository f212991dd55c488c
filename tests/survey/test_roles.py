"""Roles of plain forms: inference, the side file, options, and what the commands print."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from coopwork.errors import SurveyError
from coopwork.ingest import ingest_file
from coopwork.survey import Choice, Question, Survey, load_survey
from coopwork.survey.roles import (
    identifiers_by_content,
    infer_roles,
    resolve_roles,
    roles_from_options,
    side_file_path,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")


def _survey(*questions: Question) -> Survey:
    return Survey("s", "S", None, ["fr", "en"], "fr", {q.name: q for q in questions}, {})


PLACES = (Choice("bray", {"fr": "Pays de Bray"}), Choice("esch", {"fr": "Esch-sur-Alzette"}),
          Choice("matera", {"fr": "Matera"}))


def test_territory_by_label_in_any_language():
    survey = _survey(Question("q1", "select_one", {"fr": "Votre EPCI", "en": "Your EPCI"}, choices=PLACES),
                     Question("q2", "text", {"fr": "Commentaire"}))
    assert infer_roles(survey)["territory"] == ("q1", "'epci'")
    survey = _survey(Question("lieu", "select_one", {"en": "Where is your municipality?"}, choices=PLACES))
    assert infer_roles(survey)["territory"][0] == "lieu"


def test_territory_by_choices_that_look_like_places():
    survey = _survey(Question("kind", "select_one", {"fr": "Type"},
                              choices=(Choice("scop", {"fr": "SCOP"}), Choice("scic", {"fr": "SCIC"}),
                                       Choice("autre", {"fr": "Autre"}))),
                     Question("lik", "select_one", {"fr": "Accord"},
                              choices=tuple(Choice(str(i), {"fr": f"Niveau {i}"}) for i in range(5))),
                     Question("where", "select_one", {"fr": "Où êtes-vous ?"}, choices=PLACES))
    assert infer_roles(survey)["territory"] == ("where", "places")


def test_no_territory_is_guessed_from_unrelated_questions():
    survey = _survey(Question("yes", "select_one", {"en": "Agree?"},
                              choices=(Choice("y", {"en": "Yes"}), Choice("n", {"en": "No"}),
                                       Choice("dk", {"en": "Don't know"}))),
                     Question("city", "text", {"en": "City of your office"}))
    assert "territory" not in infer_roles(survey)


def test_identifiers_by_name_and_label_not_organisation_names():
    survey = _survey(Question("org", "text", {"fr": "Nom de la structure"}),
                     Question("nom_ptce", "text", {"fr": "Nom du PTCE"}),
                     Question("prenom", "text", {"fr": "Votre prénom"}),
                     Question("Participant_name", "text", {"en": "Participant name"}),
                     Question("q9", "text", {"fr": "Courriel"}),
                     Question("tel", "text", {"fr": "Numéro"}),
                     Question("Item_name", "text", {"en": "Item name"}))
    found = {k[11:] for k in infer_roles(survey) if k.startswith("identifier:")}
    assert found == {"prenom", "Participant_name", "q9", "tel"}
    assert infer_roles(survey)["organisation"][0] == "org"


def test_partner_in_a_repeat_and_declared_roles_win():
    survey = _survey(Question("zone", "select_one", {"fr": "Territoire"}, choices=PLACES),
                     Question("region", "select_one", {"fr": "Région"}, choices=PLACES, role="territory"),
                     Question("p", "text", {"fr": "Nom"}, repeat="partenaires"),
                     Question("email", "text", {"fr": "Courriel"}, identifier=True),
                     Question("tel", "text", {"fr": "Téléphone"}))
    resolved = resolve_roles(survey)
    assert resolved.role("territory").name == "region"
    assert resolved.role("partner").name == "p"
    assert [q.name for q in resolved.identifiers] == ["email"]  # declared identifiers: none inferred
    assert resolved.role_sources["role:territory"] == "region|form"
    assert resolved.role_sources["role:partner"].startswith("p|inferred")


def test_options_override_and_unknown_names_are_clear():
    survey = _survey(Question("zone", "select_one", {"fr": "Territoire"}, choices=PLACES),
                     Question("pays", "select_one", {"fr": "Pays"}, choices=PLACES))
    resolved = resolve_roles(survey, roles=roles_from_options("pays"))
    assert resolved.role("territory").name == "pays"
    assert resolved.question("zone").role is None
    assert resolve_roles(survey, roles={"territory": "none"}).role("territory") is None
    with pytest.raises(SurveyError, match=r"there is no question 'pais'.*option"):
        resolve_roles(survey, roles={"territory": "pais"})
    with pytest.raises(SurveyError, match="unknown role 'terr=zone'"):
        roles_from_options(None, ["terr=zone"])


def test_side_file_is_read_with_the_form(tmp_path, plain_form_path):
    side = side_file_path(plain_form_path)
    side.write_text("roles:\n  territory: none\n  organisation: comment\nidentifiers: [comment]\n",
                    encoding="utf-8")
    try:
        survey = load_survey(plain_form_path)
        assert survey.role("territory") is None
        assert survey.role("organisation").name == "comment"
        assert [q.name for q in survey.identifiers] == ["comment"]  # decided in the file: not inferred
        assert survey.role_sources["role:organisation"] == "comment|side file"
        side.write_text("roles: [oops\n", encoding="utf-8")
        with pytest.raises(SurveyError, match="roles file cannot be read"):
            load_survey(plain_form_path)
        side.write_text("roles:\n  capital: zone\n", encoding="utf-8")
        with pytest.raises(SurveyError, match="unknown role 'capital'"):
            load_survey(plain_form_path)
    finally:
        side.unlink()


def test_content_identifiers():
    survey = _survey(Question("contact", "text"), Question("note", "text"))
    frame = pd.DataFrame({"contact": ["a@b.org", "+33 6 12 34 56 78", "c@d.fr", None],
                          "note": ["écrire à a@b.org", "rien", "bien", "ok"]}, dtype="string")
    assert identifiers_by_content(frame, survey) == {"contact": "emails"}


@pytest.fixture
def plain_form_path(tmp_path):
    from tests.ingest.test_ingest import write_form

    return write_form(tmp_path / "plain.xlsx", annotated=False)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "COOPWORK_LANG": "en", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", "from coopwork.cli import main; raise SystemExit(main())",
                           *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def test_annotate_show_and_ingest_commands(tmp_path, plain_form_path):
    from tests.ingest.test_ingest import kobo_csv

    shown = _cli("survey", "show", str(plain_form_path), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "  territory = zone (inferred ('territoire'))" in shown.stdout
    assert "coopwork survey annotate" in shown.stdout
    # ingest prints what it inferred and how to change it
    export = kobo_csv(tmp_path)
    done = _cli("ingest", str(export), "--survey", str(plain_form_path), "--wave", "2025",
                "--workspace", str(tmp_path / "ws"), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "territory = zone (inferred ('territoire'))" in done.stderr
    assert "--territory-question NAME" in done.stderr
    result = json.loads(done.stdout)
    assert result["accepted"] == 3 and result["roles"]["role:territory"].startswith("zone|inferred")
    # annotate freezes the roles in the side file, with the options applied
    written = _cli("survey", "annotate", str(plain_form_path), "--role", "organisation=comment",
                   "--not-identifier", "email", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    side = Path(written.stdout.strip())
    assert side == side_file_path(plain_form_path)
    data = yaml.safe_load(side.read_text(encoding="utf-8"))
    assert data["roles"]["territory"] == "zone" and data["roles"]["organisation"] == "comment"
    assert data["identifiers"] == [] and data["not_identifiers"] == ["email"]
    shown = _cli("survey", "show", str(plain_form_path), "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["role_sources"]["role:organisation"] == "comment|side file"
    bad = _cli("survey", "annotate", str(plain_form_path), "--territory-question", "zonee", cwd=tmp_path)
    assert bad.returncode == 2 and "there is no question 'zonee'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_territory_question_option_on_ingest(tmp_path, plain_form_path):
    from tests.ingest.test_ingest import kobo_csv

    export = kobo_csv(tmp_path)
    result = ingest_file(export, survey=plain_form_path, wave="2025", workspace=tmp_path / "ws",
                         roles={"territory": "kind"})
    assert result.territories == ["autre", "scic", "scop"]
    assert result.roles["role:territory"] == "kind|option"


@pytest.mark.parametrize(("name", "label"), [("ipaddr", "IPAddr"), ("ip_address", "IP Address"),
                                             ("adresse_ip", "Adresse IP"), ("ipaddress", "IPAddress")])
def test_an_ip_address_question_is_a_direct_identifier(name, label):
    """Like e-mails and phones, on every platform (LimeSurvey ipaddr, Qualtrics IPAddress…)."""
    from coopwork.survey import Question, Survey

    survey = Survey("s", "s", None, ["en"], "en", {name: Question(name, "text", {"en": label})}, {})
    assert [q.name for q in resolve_roles(survey).identifiers] == [name]
