"""One message catalogue for every text a person reads (French first, English second).

Messages live in ``coopwork/messages/<area>.yml``, one file per area of the package,
each entry ``key: {fr: "...", en: "..."}`` with ``str.format`` fields. French is the
default language; a message without an English text falls back to French.

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
LANGS = ("fr", "en")

__all__ = ["DEFAULT_LANG", "LANGS", "t", "catalogue", "normalise_lang"]


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message of every area, keyed ``area.key`` → ``{lang: text}``."""
    import yaml

    messages: dict[str, dict[str, str]] = {}
    folder = resources.files("coopwork") / "messages"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yml"):
            continue
        area = entry.name.removesuffix(".yml")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10× faster
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, texts in data.items():
            messages[f"{area}.{key}"] = {str(k): str(v) for k, v in texts.items()}
    return messages


def normalise_lang(lang: str | None) -> str:
    """Return ``"fr"`` or ``"en"`` for codes such as ``"en-GB"``, ``"English (en)"`` or ``None``.

    Examples
    --------
    >>> normalise_lang("en-GB"), normalise_lang(None), normalise_lang("de")
    ('en', 'fr', 'fr')
    """
    if not lang:
        return DEFAULT_LANG
    code = str(lang).lower()
    if "(" in code:
        code = code.split("(")[-1].rstrip(")")
    code = code.split("-")[0].split("_")[0].strip()
    return code if code in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, /, **fields: object) -> str:
    """Translate ``key`` (``area.name``) into ``lang`` and fill in ``fields``.

    Raises
    ------
    KeyError
        When the key is in no catalogue: a programming error, caught by the tests.
    """
    texts = catalogue()[key]
    text = texts.get(normalise_lang(lang)) or texts[DEFAULT_LANG]
    return text.format(**fields) if fields else text
