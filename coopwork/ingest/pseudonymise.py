"""Keyed pseudonyms for identifiers, emails and phone numbers.

Before anything is written under ``data/processed``, every answer to a question declared
``coopwork::identifier = yes`` is replaced by ``px_<16 hex>``, the first 16 hex digits of
HMAC-SHA256(key, normalised value). Text answers that *look like* an email address, a phone
number or an IP address get the same treatment even when undeclared; inside free text only the
matching part is replaced (``"écrire à px_…"``). What counts as one is decided by
:mod:`coopwork.contacts` (phone numbers by Google's libphonenumber, in the formats of the
survey's regions: :func:`~coopwork.contacts.regions_for`).

The key (32 random bytes, hex) lives in ``<workspace>/.coopwork/pseudonym.key``: created on
first use with mode 600, next to a ``.gitignore`` that keeps the folder out of git, never under
``data/``. The same workspace key gives the same person the same pseudonym in every wave;
without the key a pseudonym cannot be linked back (keep a copy of the key somewhere safe and
private: losing it breaks the link between waves).

Normalisation before hashing: case folded and spaces collapsed for names and emails
(``" Marie.Dupont@Example.org "`` and ``"marie.dupont@example.org"`` are one person); a phone
number becomes its key (:func:`coopwork.contacts.normalise_phone`: a French number ``0`` + its
national digits, any other ``00`` + country code + national digits, so ``347 123 4567`` and
``+39 347 123 4567`` are one person); an IP address its compressed form.

Examples
--------
>>> key = bytes(32)
>>> pseudonym("Marie.Dupont@example.org ", key) == pseudonym("marie.dupont@EXAMPLE.org", key)
True
>>> pseudonym("+33 6 12 34 56 78", key, kind="phone") == pseudonym("06.12.34.56.78", key, kind="phone")
True
>>> scrub_text("Contact : lea@example.org", key)
'Contact : px_...'
>>> scrub_text("cell. 347 123 4567", key) == "cell. " + pseudonym("+39 347 123 4567", key, kind="phone")
True
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from pathlib import Path

import pandas as pd

from ..contacts import EMAIL_RE, PARTNER_REGIONS, QUICK_PATTERN, contact_kind, find_contacts, normalise_phone
from ..errors import IngestError
from ..i18n import normalise_lang, t
from ..paths import STATE
from .codes import factorize, from_codes

__all__ = [
    "EMAIL_RE",
    "KEY_PATH",
    "PSEUDONYM_RE",
    "load_key",
    "pseudonym",
    "pseudonymise_frame",
    "pseudonymise_values",
    "scrub_text",
]

KEY_PATH = STATE / "pseudonym.key"
PSEUDONYM_RE = re.compile(r"px_[0-9a-f]{16}")
def message(key: str, **fields: object) -> str:
    """Text of ``ingest.<key>`` in the user's language (``COOPWORK_LANG``, default French)."""
    return t(f"ingest.{key}", normalise_lang(os.environ.get("COOPWORK_LANG")), **fields)




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
        raise IngestError("ingest.err_key_damaged", file=path, hint="ingest.hint_key_damaged")
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


def _normalise(value: str, kind: str, regions: tuple[str, ...] = PARTNER_REGIONS) -> str:
    text = " ".join(str(value).split())
    if kind == "phone":
        found = normalise_phone(text, regions)
        if found is not None:
            return found
        digits = re.sub(r"\D", "", text.replace("(0)", ""))  # not a number libphonenumber knows: its digits
        return ("00" + digits) if text.startswith("+") else digits
    if kind == "ip":
        try:
            return ipaddress.ip_address(text).compressed
        except ValueError:
            return text
    return text.casefold()


def pseudonym(value: str, key: bytes, *, kind: str = "text",
              regions: tuple[str, ...] = PARTNER_REGIONS) -> str:
    """``px_`` + 16 hex digits of HMAC-SHA256(key, normalised value).

    ``kind`` is ``"text"`` (names, emails: case and spaces normalised), ``"phone"`` (the
    number's key, read in the formats of ``regions``) or ``"ip"``. A value that already is a
    pseudonym is returned unchanged.

    Examples
    --------
    >>> pseudonym("Jean  Martin", bytes(32)) == pseudonym("jean martin", bytes(32))
    True
    """
    if PSEUDONYM_RE.fullmatch(value):
        return value
    digest = hmac.new(key, _normalise(value, kind, regions).encode("utf-8"), hashlib.sha256).hexdigest()
    return "px_" + digest[:16]


def _hashed(key_text: str, key: bytes) -> str:
    digest = hmac.new(key, key_text.encode("utf-8"), hashlib.sha256).hexdigest()
    return "px_" + digest[:16]


def scrub_text(text: str, key: bytes, *, regions: tuple[str, ...] = PARTNER_REGIONS) -> str:
    """Replace every e-mail address, phone number and IP address inside ``text`` by its pseudonym.

    Examples
    --------
    >>> scrub_text("tel 01 23 45 67 89, budget 12000 €", bytes(32))
    'tel px_..., budget 12000 €'
    """
    out, last = [], 0
    for contact in find_contacts(text, regions):
        out += [text[last:contact.start], _hashed(contact.key, key)]
        last = contact.end
    return "".join([*out, text[last:]])


def pseudonymise_values(values: pd.Series, key: bytes, *, identifier: bool,
                        regions: tuple[str, ...] = PARTNER_REGIONS) -> pd.Series:
    """Pseudonymise one column of strings (missing values stay missing).

    ``identifier=True`` replaces every non-missing value; otherwise only the e-mails, phone
    numbers and IP addresses found inside the values are replaced (``regions``: whose phone
    formats, :func:`coopwork.contacts.regions_for`). Work is done once per distinct
    value, and the regular expression runs vectorised over the column first.

    Examples
    --------
    >>> values = pd.Series(["Léa Durand", None, "léa  durand"], dtype="string")
    >>> out = pseudonymise_values(values, bytes(32), identifier=True)
    >>> bool(out[0] == out[2]), bool(out.isna()[1])
    (True, True)
    """
    strings = values.astype("string")
    codes, uniques = factorize(strings)
    if not len(uniques):
        return strings
    if identifier:
        replaced = [pseudonym(v, key, kind=_kind(v, regions), regions=regions) for v in uniques]
    else:
        distinct = pd.Series(uniques, dtype="string")
        hits = distinct.str.contains(QUICK_PATTERN, regex=True).fillna(False).astype(bool).to_numpy()
        if not hits.any():
            return strings
        replaced = [scrub_text(v, key, regions=regions) if hit else v
                    for v, hit in zip(uniques, hits, strict=True)]
    return from_codes(pd.Series(replaced, dtype="string"), codes, strings.index)


def _kind(value: str, regions: tuple[str, ...]) -> str:
    """How an identifier's value is normalised: ``phone``, ``ip`` or ``text`` (names, e-mails)."""
    kind = contact_kind(value, regions)
    return kind if kind in ("phone", "ip") else "text"


def pseudonymise_frame(frame: pd.DataFrame, key: bytes, *, identifiers: list[str],
                       text_columns: list[str], regions: tuple[str, ...] = PARTNER_REGIONS) -> pd.DataFrame:
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
        Columns scanned for e-mails, phone numbers and IP addresses (free text).
    regions
        Whose national phone formats are recognised (:func:`coopwork.contacts.regions_for`).

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
            result[column] = pseudonymise_values(result[column], key, identifier=True, regions=regions)
    for column in text_columns:
        if column in result.columns and column not in identifiers:
            result[column] = pseudonymise_values(result[column], key, identifier=False, regions=regions)
    return result
