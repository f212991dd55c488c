"""Errors are data: a catalogue code and its fields, rendered in one language when shown."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

from coopwork.errors import CoopworkError, ExportError, IngestError, SurveyError, WorkspaceError
from coopwork.i18n import LANGS, catalogue

PACKAGE = Path(__file__).resolve().parents[1] / "coopwork"


def test_message_names_file_row_column_value_and_fix():
    err = IngestError("ingest.err_territory_unknown", territory="Z9", question="territoire",
                      file="export.csv", row=4, column="territoire", value="Z9",
                      hint="ingest.hint_territory_choices", choices="T01, T02")
    assert err.render("en") == ("export.csv, row 4, column 'territoire': the territory 'Z9' is not in "
                                "the choice list of 'territoire' (value: 'Z9'). "
                                "What to do: give one of: T01, T02.")
    assert err.render("fr") == ("export.csv, ligne 4, colonne « territoire » : le territoire 'Z9' n'est pas "
                                "dans la liste de choix de 'territoire' (valeur : 'Z9'). Que faire : "
                                "choisissez parmi : T01, T02.")
    assert (err.code, err.file, err.row, err.column, err.value) == (
        "ingest.err_territory_unknown", "export.csv", 4, "territoire", "Z9")
    assert err.fields == {"territory": "Z9", "question": "territoire", "choices": "T01, T02"}
    assert err.as_record()["hint"] == "ingest.hint_territory_choices"


def test_str_is_english_unless_the_raise_site_or_the_user_gave_a_language(monkeypatch):
    monkeypatch.delenv("COOPWORK_LANG", raising=False)
    err = IngestError("ingest.err_wave", hint="ingest.hint_wave")
    assert str(err) == err.render("en") == ("the wave is empty. What to do: give the wave of this export, "
                                            "e.g. --wave 2025.")
    assert str(IngestError("ingest.err_wave", lang="fr")) == "la vague est vide."
    monkeypatch.setenv("COOPWORK_LANG", "ro")  # what every command does with its --lang
    assert str(err) == ("valul este gol. Ce este de făcut: indicați valul acestui export, "
                        "de exemplu --wave 2025.")


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_writes_its_own_scaffolding(lang):
    err = ExportError("export_errors.min_count", file="x.csv", row=2, column="n", value=0,
                      hint="export_errors.hint_min_count", default=3)
    text = err.render(lang)
    messages = catalogue()
    for key in ("core.err_row", "core.err_column", "core.err_value", "core.err_hint"):
        own = messages[key][lang].split("{")[0].strip()
        assert own in text, f"{lang}: {key} {own!r} missing from {text!r}"
        for other in LANGS:
            words = messages[key][other].split("{")[0].strip(" (")
            if words and words not in messages[key][lang]:
                assert words not in text, f"{lang}: {other} scaffolding {words!r} in {text!r}"


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(KeyError):
        CoopworkError("the file is empty")


def test_errors_survive_pickling_with_their_fields():
    err = SurveyError("survey.err_no_question_named", name="age", survey="demo", file="demo.xlsx",
                      hint="survey.hint_did_you_mean", names="org")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is SurveyError and back.render("fr") == err.render("fr") and back.fields == err.fields


@pytest.mark.parametrize("cls", [SurveyError, IngestError, WorkspaceError])
def test_every_error_is_a_coopwork_error(cls):
    assert issubclass(cls, CoopworkError)


# --- lint: no raise of a CoopworkError with a literal message ---------------------------------------------

def _error_classes() -> set[str]:
    """Names of CoopworkError and of every class of coopwork/ deriving from it (by name, transitively)."""
    bases: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    getattr(b, "id", None) or getattr(b, "attr", "") for b in node.bases)
    found = {"CoopworkError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _raises() -> list[tuple[str, int, str, ast.Call]]:
    classes = _error_classes()
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):  # raised at once or built first (``err = IngestError(...)``)
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in classes and not (path.name == "errors.py" and name == "CoopworkError"):
                    out.append((str(path.relative_to(PACKAGE)), node.lineno, name, node))
    return out


RAISES = _raises()


def test_the_lint_finds_the_raise_sites():
    assert len(RAISES) > 80
    assert {"IngestError", "XPathError", "CoopworkError", "ExportError"} <= {name for _, _, name, _ in RAISES}


def test_no_error_is_raised_with_a_literal_or_translated_message():
    """The first argument is a catalogue key written as a string literal, and so is hint=.

    A failure lists every offending raise: give each a key in ``coopwork/messages/<area>.yml``
    (fr and en, then the other languages in ``messages/<lang>/<area>.yml``) and pass its fields.
    """
    messages = catalogue()
    bad = []
    for where, line, name, call in RAISES:
        code = call.args[0] if call.args else None
        hint = next((k.value for k in call.keywords if k.arg == "hint"), None)
        if hint is not None and isinstance(hint, ast.Constant) and hint.value is None:
            hint = None
        for what, arg in (("message", code), ("hint", hint)):
            if arg is None and what == "hint":
                continue
            choices = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]  # "a.x" if c else "a.y"
            for choice in choices:
                if not (isinstance(choice, ast.Constant) and isinstance(choice.value, str)):
                    shown = ast.unparse(choice) if choice is not None else "missing"
                    bad.append(f"{where}:{line} {name}: the {what} is {shown}, not a catalogue key")
                elif choice.value not in messages:
                    bad.append(f"{where}:{line} {name}: {choice.value!r} is not a catalogue key")
    assert not bad, "raise a CoopworkError with a catalogue key and fields:\n" + "\n".join(bad)


def test_fields_given_at_each_raise_site_fill_the_message():
    """Every {placeholder} of the code and hint is passed by the raise site (no KeyError when shown)."""
    messages = catalogue()
    known = {"file", "row", "column", "value", "hint", "lang"}
    bad = []
    for where, line, _name, call in RAISES:
        if not call.args or any(k.arg is None for k in call.keywords):
            continue
        given = {k.arg for k in call.keywords} - known
        keys = [c.value for arg in [call.args[0]] + [k.value for k in call.keywords if k.arg == "hint"]
                for c in ([arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg])
                if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        for key in keys:
            needed = set(re.findall(r"(?<!\{)\{(\w+)\}", messages.get(key, {}).get("en", "")))
            if needed - given:
                bad.append(f"{where}:{line} {key} needs {sorted(needed - given)}")
    assert not bad, "\n".join(bad)
