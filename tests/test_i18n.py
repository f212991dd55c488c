"""One message catalogue for every text a person reads: every key used exists in French and English.

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
        for lang in LANGS:
            assert messages[k].get(lang, "").strip(), f"{path}:{line}: {k} has no {lang} text"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_catalogue_entries_are_complete_and_consistent(key):
    texts = catalogue()[key]
    assert set(texts) <= set(LANGS), f"{key}: unknown language codes {set(texts) - set(LANGS)}"
    assert texts.get("fr", "").strip(), f"{key}: empty French text"
    assert texts.get("en", "").strip(), f"{key}: empty English text"
    assert _fields(texts["fr"]) == _fields(texts["en"]), f"{key}: the fields differ between fr and en"


def test_lang_parameter_is_respected_and_french_is_the_default():
    assert t("core.lang_name") == t("core.lang_name", "fr") == "Français"
    assert t("core.lang_name", "en") == "English"
    assert t("core.lang_name", "en-GB") == "English"
    assert t("core.lang_name", "de") == "Français"  # unknown language: the default
    assert normalise_lang(None) == DEFAULT_LANG == "fr"
    assert t("export.placemat_see", "fr") == "Ce que nous voyons"
    assert t("export.placemat_see", "en") == "What we see"


def test_most_messages_are_really_translated():
    messages = catalogue()
    same = [k for k, v in messages.items() if v.get("fr") == v.get("en")]
    assert len(same) < 0.2 * len(messages), f"fr == en for too many messages: {same[:20]}"


def test_unknown_key_raises_key_error():
    with pytest.raises(KeyError):
        t("export.no_such_key", "fr")
