"""The stable code and the fields of each line of an issues file.

Every ``reason`` of an issues file is written by one catalogue message (``ingest.reason_*``,
``ingest_readers.*``) in the user's language. :func:`with_codes` adds, beside it, the
``code`` of that message (the rule that fired, the same in every language) and its ``fields``
as JSON, so that a script can filter or count issues without reading sentences. It reads
them back from the sentence with the message's own template, once per distinct reason.

Examples
--------
>>> import pandas as pd
>>> issues = pd.DataFrame({"reason": ["not a number",
...                                   "duplicate of row 4 (same submission); not stored again"]})
>>> with_codes(issues, "en")[["code", "fields"]].values.tolist()
[['ingest.reason_number', '{}'], ['ingest.reason_duplicate', '{"row": "4"}']]
"""

from __future__ import annotations

import json
import re
import string
from functools import cache

import pandas as pd

from ..i18n import catalogue, normalise_lang, pick

__all__ = ["AREAS", "code_of", "with_codes"]

#: the catalogue areas whose messages can be the reason of an issue
AREAS = ("ingest", "ingest_readers", "xpath")
#: the code of a reason no message template matches (a reader's own words)
OTHER = "ingest.reason_other"


@cache
def _templates(lang: str) -> list[tuple[str, re.Pattern]]:
    """(key, regex) of every candidate message in ``lang``, the most specific (longest) first."""
    found = []
    for key, texts in catalogue().items():
        if key.split(".")[0] not in AREAS or "hint" in key.split(".")[1]:
            continue
        if key.split(".")[1].startswith(("what_", "show_", "summary", "draft_written")):
            continue  # words inside a reason, or lines of a summary: never a reason of their own
        text = pick(texts, normalise_lang(lang)) or ""  # the text t() writes in this language
        parts = list(string.Formatter().parse(text))
        seen: set[str] = set()
        pattern = ""
        for literal, name, _, _ in parts:  # a field used twice matches the same text twice
            pattern += re.escape(literal) + ("" if not name else f"(?P={name})" if name in seen
                                             else f"(?P<{name}>.+?)")
            seen.add(name or "")
        if parts and parts[-1][1]:  # ends with a field: it takes the rest
            pattern = pattern.removesuffix(".+?)") + ".+)"
        if pattern.strip():
            found.append((key, len(text), re.compile(pattern + r"(?P<_rest>.*)$", re.DOTALL)))
    found.sort(key=lambda item: -item[1])
    return [(key, regex) for key, _, regex in found]


def code_of(reason: str, lang: str | None = None) -> tuple[str, dict[str, str]]:
    """The catalogue key that wrote ``reason`` and the values of its fields.

    Text appended after the message (an option list, the survey's own constraint message) is
    returned as the field ``detail``.

    Examples
    --------
    >>> code_of("constraint not met: . > 0 (must be positive)", "en")
    ('ingest.reason_constraint', {'expression': '. > 0 (must be positive)'})
    >>> code_of("answer longer than 10000 characters, cut to 10000 in the data (ending with '…'); "
    ...         "the whole answer is in this line", "en")
    ('ingest.reason_text_cut', {'limit': '10000'})
    >>> code_of("not in the choice list: zz yy", "en")
    ('ingest.reason_choice_options', {'detail': 'zz yy'})
    >>> code_of("quelque chose d'autre", "fr")[0]
    'ingest.reason_other'
    """
    lang = normalise_lang(lang)
    for key, regex in _templates(lang):
        match = regex.match(reason)
        if match is None:
            continue
        fields = {k: v for k, v in match.groupdict().items() if k != "_rest"}
        rest = match.group("_rest").strip()
        if rest:
            if not fields and not reason.startswith(tuple(_literal_start(key, lang))):
                continue
            fields["detail"] = rest
        if fields and all(not v.strip() for v in fields.values()):
            continue
        return key, fields
    return OTHER, {}


def _literal_start(key: str, lang: str) -> list[str]:
    text = pick(catalogue()[key], normalise_lang(lang)) or ""  # the text t() writes
    return [text.split("{")[0]] if text.split("{")[0] else [text]


def with_codes(issues: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """``issues`` with the columns ``code`` and ``fields`` (JSON) right after ``reason``.

    Parameters
    ----------
    issues
        An issues table with a ``reason`` column written in ``lang``.
    lang
        The language of the reasons (default: French).
    """
    out = issues.copy()
    reasons = out["reason"].astype("string").fillna("")
    distinct = {text: code_of(text, lang) for text in reasons.unique().tolist()}
    codes = reasons.map(lambda text: distinct[text][0]).astype("string")
    fields = reasons.map(lambda text: json.dumps(distinct[text][1], ensure_ascii=False)).astype("string")
    position = list(out.columns).index("reason") + 1
    out = out.drop(columns=[c for c in ("code", "fields") if c in out.columns])
    out.insert(position, "code", codes)
    out.insert(position + 1, "fields", fields)
    return out
