"""One message catalogue for every text a person reads: every key used exists in every interface language.

The package's source is parsed (ast) for calls ``t("area.key", …)``; keys built with an f-string
(``t(f"export.placemat_{kind}", …)``) must match at least one catalogue key.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from coopwork.i18n import DEFAULT_LANG, LANGS, catalogue, normalise_lang, t

PACKAGE = Path(__file__).resolve().parents[1] / "coopwork"


def _calls() -> list[tuple[Path, int, str, bool]]:
    """(file, line, key or key pattern, is_pattern) for every t(...) call with a literal key."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name != "t":
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((path, node.lineno, first.value, False))
            elif isinstance(first, ast.JoinedStr):
                pattern = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else "[A-Za-z0-9_]+"
                                  for part in first.values)
                found.append((path, node.lineno, pattern, True))
    return found


CALLS = _calls()


def test_the_scan_finds_the_calls():
    assert len(CALLS) > 50
    assert any(key == "core.unexpected" for _, _, key, _ in CALLS)


@pytest.mark.parametrize(("path", "line", "key", "is_pattern"), CALLS,
                         ids=[f"{p.relative_to(PACKAGE)}:{line}" for p, line, _, _ in CALLS])
def test_every_key_used_exists_in_french_and_english(path, line, key, is_pattern):
    messages = catalogue()
    if is_pattern:
        matching = [k for k in messages if re.fullmatch(key, k)]
        assert matching, f"{path}:{line}: no message matches t(f'{key}')"
        keys = matching
    else:
        assert key in messages, f"{path}:{line}: t({key!r}) has no message in coopwork/messages/"
        keys = [key]
    for k in keys:
        for lang in ("fr", "en"):  # the other languages: test_every_key_has_every_language
            assert messages[k].get(lang, "").strip(), f"{path}:{line}: {k} has no {lang} text"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_has_every_language():
    """One list of what is missing, per language: the coordinator fills in the keys other branches add."""
    messages = catalogue()
    missing = {lang: sorted(k for k, texts in messages.items() if not texts.get(lang, "").strip())
               for lang in LANGS}
    missing = {lang: keys for lang, keys in missing.items() if keys}
    report = "\n".join(f"{lang} ({len(keys)} missing): {', '.join(keys)}" for lang, keys in missing.items())
    assert not missing, ("messages without a text in every interface language — add them to "
                         "coopwork/messages/<area>.yml (fr, en) or coopwork/messages/<lang>/<area>.yml:\n"
                         + report)


def test_no_text_in_an_unknown_language_and_no_orphan_translation():
    messages = catalogue()
    unknown = sorted(f"{k}: {sorted(set(v) - set(LANGS))}" for k, v in messages.items()
                     if set(v) - set(LANGS))
    assert not unknown, "\n".join(unknown)
    orphans = sorted(k for k, v in messages.items() if "fr" not in v and "en" not in v)
    assert not orphans, "translated keys that are not in coopwork/messages/<area>.yml: " + ", ".join(orphans)


def test_every_language_has_the_same_placeholders():
    """``{field}`` placeholders are identical in every language (a missing one would raise when shown)."""
    bad = []
    for key, texts in sorted(catalogue().items()):
        reference = _fields_of(texts.get("en") or texts.get("fr", ""))
        for lang, text in texts.items():
            try:
                found = _fields_of(text)
            except ValueError as err:
                bad.append(f"{key} [{lang}]: {err}")
                continue
            if found != reference:
                bad.append(f"{key} [{lang}]: {sorted(found)} instead of {sorted(reference)}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_formats_in_every_language(lang):
    messages = catalogue()
    for key, texts in messages.items():
        fields = {name.split(".")[0].split("[")[0]: "x" for name in _fields_of(texts.get("en", ""))}
        t(key, lang, **fields)  # no KeyError, no IndexError


@pytest.mark.parametrize("lang", [code for code in LANGS if code not in ("fr", "en")])
def test_the_other_languages_live_in_their_own_folder_with_the_same_areas(lang):
    folder = PACKAGE / "messages" / lang
    areas = {p.stem for p in (PACKAGE / "messages").glob("*.yml")}
    assert {p.stem for p in folder.glob("*.yml")} == areas


def test_lang_parameter_is_respected_and_french_is_the_default():
    assert t("core.lang_name") == t("core.lang_name", "fr") == "Français"
    assert t("core.lang_name", "en") == "English"
    assert t("core.lang_name", "en-GB") == "English"
    assert t("core.lang_name", "es") == "Français"  # unknown language: the default
    assert t("core.lang_name", "Română (ro)") == "Română" and t("core.lang_name", "de-LU") == "Deutsch"
    assert normalise_lang(None) == DEFAULT_LANG == "fr"
    assert t("export.placemat_see", "fr") == "Ce que nous voyons"
    assert t("export.placemat_see", "en") == "What we see"
    assert t("export.placemat_see", "hu") == "Amit látunk"


@pytest.mark.parametrize("lang", [code for code in LANGS if code != "en"])
def test_most_messages_are_really_translated(lang):
    messages = catalogue()
    same = [k for k, v in messages.items() if v.get(lang) == v.get("en")]
    assert len(same) < 0.2 * len(messages), f"{lang} == en for too many messages: {same[:20]}"


def test_lang_option_accepts_every_language_in_every_command():
    import argparse

    from coopwork.cli import _HANDLERS, command_parsers
    from coopwork.i18n import lang_choices

    assert [lang_choices(code) for code in ("ro", "HU", "de-LU", "pt_PT")] == ["ro", "hu", "de", "pt"]
    with pytest.raises(argparse.ArgumentTypeError):
        lang_choices("es")
    parsers = command_parsers()
    assert {name.split()[0] for name in parsers} == set(_HANDLERS)  # every command is there
    shared = "language of messages, reports and dashboards: "  # the help of the one --lang option
    for name, leaf in parsers.items():
        assert shared in " ".join(leaf.format_help().split()), f"coopwork {name} has no shared --lang"
        assert leaf.get_default("lang") in LANGS, name


def test_unknown_key_raises_key_error():
    with pytest.raises(KeyError):
        t("export.no_such_key", "fr")


def test_messages_and_survey_labels_follow_one_chain_with_its_mark():
    from coopwork.i18n import pick
    from coopwork.survey import Question

    texts = {"fr": "Territoire", "en": "Territory", "ro": "Teritoriu"}
    question = Question("t", "text", labels=texts)
    for lang in ("ro", "hu", "de", None):
        assert question.label(lang, "fr") == pick(texts, lang, "fr")
    assert question.label("hu", "fr") == "Territory [en]"
    assert pick({"fr": "Oui", "ro": "Da"}, "hu", "fr") == "Oui [fr]"
    assert pick({"default": "Only"}, "hu", "default") == "Only"  # a one-language form: no mark
