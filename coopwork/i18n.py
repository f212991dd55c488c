"""One message catalogue for every text a person reads, in every interface language.

Messages live in ``coopwork/messages/<area>.yml``, one file per area of the package,
each entry ``key: {fr: "...", en: "..."}`` with ``str.format`` fields. The other
languages live beside them, one folder per language with the same areas and keys:
``coopwork/messages/<lang>/<area>.yml``, each entry ``key: "..."`` (see
``docs/translating.md``). French is the default language; a message missing in a
language falls back to English, then French (the tests require every language).

Examples
--------
>>> t("core.lang_name", "fr")
'Français'
>>> t("core.lang_name", "en")
'English'
>>> t("core.respondents", "en", n=12)
'12 respondents'
"""

from __future__ import annotations

from functools import cache
from importlib import resources

DEFAULT_LANG = "fr"
#: the interface languages: French, English, Italian, Portuguese, Romanian, Hungarian, German
LANGS = ("fr", "en", "it", "pt", "ro", "hu", "de")
#: the order in which a missing text is looked for
FALLBACK = ("en", "fr")

__all__ = ["DEFAULT_LANG", "LANGS", "Key", "t", "catalogue", "normalise_lang", "lang_code", "lang_choices"]


def _load(text: str) -> dict:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10× faster
    return yaml.load(text, Loader=loader) or {}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message of every area, keyed ``area.key`` → ``{lang: text}``."""
    messages: dict[str, dict[str, str]] = {}
    folder = resources.files("coopwork") / "messages"
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    for entry in entries:
        if not entry.name.endswith(".yml"):
            continue
        area = entry.name.removesuffix(".yml")
        for key, texts in _load(entry.read_text(encoding="utf-8")).items():
            messages[f"{area}.{key}"] = {str(k): str(v) for k, v in texts.items()}
    for entry in entries:  # the other languages: messages/<lang>/<area>.yml, key: "text"
        if entry.name.endswith(".yml") or not entry.is_dir():
            continue
        lang = entry.name
        for source in sorted(entry.iterdir(), key=lambda p: p.name):
            if not source.name.endswith(".yml"):
                continue
            area = source.name.removesuffix(".yml")
            for key, text in _load(source.read_text(encoding="utf-8")).items():
                messages.setdefault(f"{area}.{key}", {})[lang] = str(text)
    return messages


def lang_code(lang: str | None) -> str | None:
    """The two-letter code of ``lang`` (``"ro"`` for ``"ro-RO"`` or ``"Română (ro)"``), None when empty.

    Examples
    --------
    >>> lang_code("Magyar (hu)"), lang_code("pt_BR"), lang_code(None)
    ('hu', 'pt', None)
    """
    if not lang:
        return None
    code = str(lang).lower()
    if "(" in code:
        code = code.split("(")[-1].rstrip(")")
    return code.split("-")[0].split("_")[0].strip() or None


def lang_choices(value: str) -> str:
    """The ``--lang`` option's type, shared by every command: one of :data:`LANGS`.

    Examples
    --------
    >>> lang_choices("RO")
    'ro'
    """
    import argparse
    import os

    code = lang_code(value)
    if code not in LANGS:  # said in the language of the environment: --lang itself is what is wrong
        said = t("core.lang_unknown", os.environ.get("COOPWORK_LANG"), langs=", ".join(LANGS))
        raise argparse.ArgumentTypeError(f"{value!r}: {said}")
    return code


def normalise_lang(lang: str | None) -> str:
    """Return an interface language for codes such as ``"en-GB"``, ``"Română (ro)"`` or ``None``.

    An unknown or empty code gives the default language, French.

    Examples
    --------
    >>> normalise_lang("en-GB"), normalise_lang(None), normalise_lang("Română (ro)"), normalise_lang("es")
    ('en', 'fr', 'ro', 'fr')
    """
    code = lang_code(lang)
    return code if code in LANGS else DEFAULT_LANG


class Key(str):
    """A catalogue key given as a field of another message: translated in the same language.

    It is filled with the other fields of the message.

    Errors are data until shown, so a field that is itself text (which id was refused: a wave,
    a territory…) is given as a key and rendered with the message.

    Examples
    --------
    >>> t("core.err_hint", "en", hint=Key("core.lang_name"))
    'What to do: English.'
    """

    __slots__ = ()


def t(key: str, lang: str | None = None, /, **fields: object) -> str:
    """Translate ``key`` (``area.name``) into ``lang`` and fill in ``fields``.

    Raises
    ------
    KeyError
        When the key is in no catalogue: a programming error, caught by the tests.
    """
    texts = catalogue()[key]
    text = texts.get(normalise_lang(lang)) or next(texts[f] for f in (*FALLBACK, DEFAULT_LANG)
                                                   if texts.get(f))
    if not fields:
        return text
    plain = {name: value for name, value in fields.items() if not isinstance(value, Key)}
    return text.format(**plain, **{name: t(value, lang, **plain) for name, value in fields.items()
                                   if isinstance(value, Key)})
