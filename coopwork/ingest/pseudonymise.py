"""Keyed pseudonyms for identifiers, emails and phone numbers.

Before anything is written under ``data/processed``, every answer to a question declared
``coopwork::identifier = yes`` is replaced by ``px_<16 hex>``, the first 16 hex digits of
HMAC-SHA256(key, normalised value). Text answers that *look like* an email address or a phone
number get the same treatment even when undeclared; inside free text only the matching part is
replaced (``"écrire à px_…"``).

The key (32 random bytes, hex) lives in ``<workspace>/.coopwork/pseudonym.key``: created on
first use with mode 600, next to a ``.gitignore`` that keeps the folder out of git, never under
``data/``. The same workspace key gives the same person the same pseudonym in every wave;
without the key a pseudonym cannot be linked back (keep a copy of the key somewhere safe and
private: losing it breaks the link between waves).

Normalisation before hashing: case folded and spaces collapsed for names and emails
(``" Marie.Dupont@Example.org "`` and ``"marie.dupont@example.org"`` are one person), digits
only for phone numbers, with the French prefixes ``+33`` / ``0033`` written as ``0``.

Examples
--------
>>> key = bytes(32)
>>> pseudonym("Marie.Dupont@example.org ", key) == pseudonym("marie.dupont@EXAMPLE.org", key)
True
>>> pseudonym("+33 6 12 34 56 78", key, kind="phone") == pseudonym("06.12.34.56.78", key, kind="phone")
True
>>> scrub_text("Contact : lea@example.org", key)
'Contact : px_...'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import pandas as pd

from ..errors import IngestError
from ..i18n import normalise_lang, t

__all__ = [
    "EMAIL_RE",
    "KEY_PATH",
    "PHONE_RE",
    "PSEUDONYM_RE",
    "load_key",
    "pseudonym",
    "pseudonymise_frame",
    "pseudonymise_values",
    "scrub_text",
]

KEY_PATH = Path(".coopwork") / "pseudonym.key"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[\s.\-]?(?:\(0\)[\s.\-]?)?\d{1,4}(?:[\s.\-]?\d{2,4}){2,5}"  # international
    r"|0[1-9](?:[\s.\-]?\d{2}){4}"                                                  # French national
    r")(?![\w])")
PSEUDONYM_RE = re.compile(r"px_[0-9a-f]{16}")
def message(key: str, **fields: object) -> str:
    """Text of ``ingest.<key>`` in the user's language (``COOPWORK_LANG``, default French)."""
    return t(f"ingest.{key}", normalise_lang(os.environ.get("COOPWORK_LANG")), **fields)


_ANY_RE = re.compile(f"{EMAIL_RE.pattern}|{PHONE_RE.pattern}")
#: a cheap pre-filter (no look-around, so pyarrow runs it natively): "@" or 9+ digits with separators
_QUICK_RE = r"@|\d(?:[\s.\-()]*\d){8}"


def load_key(workspace: str | Path = ".") -> bytes:
    """Return the workspace's pseudonymisation key, creating it (mode 600) on first use.

    Raises
    ------
    IngestError
        When the key file exists but is not a valid key (it was edited or truncated).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> load_key(folder) == load_key(folder)
    True
    >>> oct((Path(folder) / KEY_PATH).stat().st_mode & 0o777)
    '0o600'
    """
    path = Path(workspace) / KEY_PATH
    if not path.exists():
        _create_key(path)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise IngestError(message("err_key_damaged"), file=path, hint=message("hint_key_damaged"))
    return bytes.fromhex(text)


def _create_key(path: Path) -> None:
    """Create the key file atomically: the first of several processes starting together wins.

    The key is written and flushed to a private temporary file next to it, then *linked* to its
    name: ``os.link`` fails when the name exists, so a process that loses the race keeps the
    winner's key, and no reader ever sees a file that is still being written (the name appears
    only once the content is complete). Where hard links are not supported, ``os.replace`` of a
    complete file is the fallback (a loser then overwrites nothing: it only links when absent).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# coopwork private state: never commit\n*\n", encoding="utf-8")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process created it meanwhile: its key is the key
            pass
        except OSError:  # pragma: no cover - a file system without hard links
            if not path.exists():
                os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _normalise(value: str, kind: str) -> str:
    text = " ".join(str(value).split())
    if kind == "phone":
        digits = re.sub(r"\D", "", text.replace("(0)", ""))
        if text.startswith("+"):
            digits = "00" + digits
        if digits.startswith("0033"):
            digits = "0" + digits[4:]
        return digits
    return text.casefold()


def pseudonym(value: str, key: bytes, *, kind: str = "text") -> str:
    """``px_`` + 16 hex digits of HMAC-SHA256(key, normalised value).

    ``kind`` is ``"text"`` (names, emails: case and spaces normalised) or ``"phone"``
    (digits only). A value that already is a pseudonym is returned unchanged.

    Examples
    --------
    >>> pseudonym("Jean  Martin", bytes(32)) == pseudonym("jean martin", bytes(32))
    True
    """
    if PSEUDONYM_RE.fullmatch(value):
        return value
    digest = hmac.new(key, _normalise(value, kind).encode("utf-8"), hashlib.sha256).hexdigest()
    return "px_" + digest[:16]


def _replace_match(match: re.Match, key: bytes) -> str:
    text = match.group(0)
    return pseudonym(text, key, kind="text" if "@" in text else "phone")


def scrub_text(text: str, key: bytes) -> str:
    """Replace every email address and phone number inside ``text`` by its pseudonym.

    Examples
    --------
    >>> scrub_text("tel 01 23 45 67 89, budget 12000 €", bytes(32))
    'tel px_..., budget 12000 €'
    """
    return _ANY_RE.sub(lambda m: _replace_match(m, key), text)


def pseudonymise_values(values: pd.Series, key: bytes, *, identifier: bool) -> pd.Series:
    """Pseudonymise one column of strings (missing values stay missing).

    ``identifier=True`` replaces every non-missing value; otherwise only the emails and
    phone numbers found inside the values are replaced. Work is done once per distinct
    value, and the regular expression runs vectorised over the column first.

    Examples
    --------
    >>> values = pd.Series(["Léa Durand", None, "léa  durand"], dtype="string")
    >>> out = pseudonymise_values(values, bytes(32), identifier=True)
    >>> bool(out[0] == out[2]), bool(out.isna()[1])
    (True, True)
    """
    from .codes import factorize, from_codes

    strings = values.astype("string")
    codes, uniques = factorize(strings)
    if not len(uniques):
        return strings
    if identifier:
        replaced = [pseudonym(v, key, kind="phone" if PHONE_RE.fullmatch(v.strip()) else "text")
                    for v in uniques]
    else:
        distinct = pd.Series(uniques, dtype="string")
        hits = distinct.str.contains(_QUICK_RE, regex=True).fillna(False).astype(bool).to_numpy()
        if not hits.any():
            return strings
        replaced = [scrub_text(v, key) if hit else v for v, hit in zip(uniques, hits, strict=True)]
    return from_codes(pd.Series(replaced, dtype="string"), codes, strings.index)


def pseudonymise_frame(frame: pd.DataFrame, key: bytes, *, identifiers: list[str],
                       text_columns: list[str]) -> pd.DataFrame:
    """Return a copy of ``frame`` with identifiers and emails/phones in texts pseudonymised.

    Parameters
    ----------
    frame
        A table of answers.
    key
        The workspace key (:func:`load_key`).
    identifiers
        Columns whose every value is replaced.
    text_columns
        Columns scanned for emails and phone numbers (free text).

    Examples
    --------
    >>> frame = pd.DataFrame({"nom": ["Ana"], "note": ["mail: ana@example.org"]}, dtype="string")
    >>> out = pseudonymise_frame(frame, bytes(32), identifiers=["nom"], text_columns=["note"])
    >>> out.loc[0, "nom"].startswith("px_"), out.loc[0, "note"].startswith("mail: px_")
    (True, True)
    """
    result = frame.copy()
    for column in identifiers:
        if column in result.columns:
            result[column] = pseudonymise_values(result[column], key, identifier=True)
    for column in text_columns:
        if column in result.columns and column not in identifiers:
            result[column] = pseudonymise_values(result[column], key, identifier=False)
    return result
