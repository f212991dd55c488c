"""One message catalogue for every text a person reads, in every interface language.

Messages live in ``coopwork/messages/<area>.yml``, one file per area of the package,
each entry ``key: {fr: "...", en: "..."}`` with ``str.format`` fields. The other
languages live beside them, one folder per language with the same areas and keys:
``coopwork/messages/<lang>/<area>.yml``, each entry ``key: "..."`` (see
``docs/translating.md``). French is the default language.

This module is also the one place that decides **which language** a text is shown in:
:func:`pick` is the one fallback chain, for interface messages and for the labels of a
survey alike — the language asked for, else English, else the default language (French for
messages, the form's own default for a survey's labels), else any — and a text shown in
another language than the one asked for carries its visible mark, ``[en]``.
:func:`user_lang` is the language of a command when none is given (``COOPWORK_LANG``).

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

import argparse
import os
from functools import cache
from importlib import resources

DEFAULT_LANG = "fr"
#: the interface languages: French, English, Italian, Portuguese, Romanian, Hungarian, German
LANGS = ("fr", "en", "it", "pt", "ro", "hu", "de")
#: the language looked for first when a text is missing in the one asked for
FALLBACK = "en"
#: language names an XLSForm may use without a ``(code)``, by code (``label::English``, ``label::Magyar``)
NAMES = {"en": ("english",), "fr": ("french", "français", "francais"), "it": ("italian", "italiano"),
         "pt": ("portuguese", "português", "portugues"), "ro": ("romanian", "română", "romana"),
         "hu": ("hungarian", "magyar"), "de": ("german", "deutsch")}

__all__ = ["DEFAULT_LANG", "LANGS", "Key", "t", "catalogue", "normalise_lang", "lang_code", "lang_choices",
           "user_lang", "command_lang", "in_language", "pick"]


def _load(text: str) -> dict:
    import yaml  # lazy: yaml, 10 to 20 ms of `coopwork --help`, which shows no message

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
    code = lang_code(value)
    if code not in LANGS:  # said in the language of the environment: --lang itself is what is wrong
        said = t("core.lang_unknown", user_lang(), langs=", ".join(LANGS))
        raise argparse.ArgumentTypeError(f"{value!r}: {said}")
    return code


def user_lang() -> str:
    """The language of a command when none is given: ``COOPWORK_LANG``, else French.

    Every command sets ``COOPWORK_LANG`` to its ``--lang``, so errors raised deep down speak it.

    Examples
    --------
    >>> user_lang() in LANGS
    True
    """
    return normalise_lang(os.environ.get("COOPWORK_LANG"))


def command_lang(args: object) -> str:
    """The language of a command: its ``--lang`` option, else :func:`user_lang`.

    Examples
    --------
    >>> import argparse
    >>> command_lang(argparse.Namespace(lang="ro")), command_lang(argparse.Namespace()) in LANGS
    ('ro', True)
    """
    return normalise_lang(getattr(args, "lang", None) or user_lang())


def in_language(texts: dict[str, str], code: str) -> tuple[str, str] | None:
    """``(key, text)`` of the text in language ``code`` (``pt`` finds ``pt-br``, ``hu`` finds ``magyar``).

    Examples
    --------
    >>> in_language({"pt-br": "Sim", "magyar": "Igen"}, "hu")
    ('magyar', 'Igen')
    """
    for key, text in texts.items():
        if text and (key == code or key.split("-")[0] == code or key in NAMES.get(code, ())):
            return key, text
    return None


def pick(texts: dict[str, str], lang: str | None, default: str = DEFAULT_LANG) -> str | None:
    """The text in ``lang``; else, visibly marked ``[en]``, in English, then in ``default``, then any.

    The one fallback chain of coopwork: :func:`t` uses it for messages (``default`` French),
    ``Survey.label`` for a form's labels and choices (``default`` the form's default language;
    the key ``default`` of a form with a plain ``label`` column follows it). The mark (the code of
    the language shown) appears when a language was asked for and the text exists in several
    other languages, so that a reader sees which texts are not in theirs; the text of a
    single-language form is shown as it is. ``lang=None`` asks for ``default`` itself.

    Examples
    --------
    >>> texts = {"fr": "Territoire", "en": "Territory", "ro": "Teritoriu"}
    >>> pick(texts, "ro", "fr"), pick(texts, "hu", "fr"), pick(texts, None, "fr")
    ('Teritoriu', 'Territory [en]', 'Territoire')
    >>> pick({"fr": "Oui", "ro": "Da"}, "hu", "fr")
    'Oui [fr]'
    """
    text = texts.get(lang) if lang else None  # the common case first: t() gives a known code
    if text:
        return text
    code = lang_code(lang)
    if code is not None:
        text = texts.get(code)
        if text:
            return text
        found = in_language(texts, code)
        if found:
            return found[1]
    order = (FALLBACK, default, "default") if code is not None else (default, "default", FALLBACK)
    named = sum(key != "default" for key in texts) >= 2  # a multilingual text lacks this language
    for key in dict.fromkeys(order):
        found = in_language(texts, key) if key != "default" else (
            ("default", texts["default"]) if texts.get("default") else None)
        if found:
            return found[1] if code is None or not named or key == "default" else f"{found[1]} [{key}]"
    return next((v for v in texts.values() if v), None)


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
    text = pick(catalogue()[key], normalise_lang(lang)) or ""
    if not fields:
        return text
    plain = {name: value for name, value in fields.items() if not isinstance(value, Key)}
    return text.format(**plain, **{name: t(value, lang, **plain) for name, value in fields.items()
                                   if isinstance(value, Key)})
