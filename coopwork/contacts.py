"""Contact details inside a text: e-mail addresses, phone numbers, IP addresses (and pseudonyms).

The one place that decides what counts as a contact detail, for ingestion (pseudonymised before
anything is stored) and for exports and ``coopwork check`` (masked, or reported, when one is
found in a published file).

- **Phone numbers** are found by Google's libphonenumber (the ``phonenumbers`` package) in the
  formats of each *region* asked for — by default the partners' countries
  (:data:`PARTNER_REGIONS`: FR, IT, RO, HU, PT, LU, DE), plus the countries of the survey's
  label languages (:func:`regions_for`). A number written with its country code (``+39 …``,
  ``0039 …``) is found whatever its country; a national number (``347 123 4567``,
  ``06-30/123-4567``, ``0151 23456789``) is found when it is valid in one of the regions, has at
  least 8 digits and is a fixed, mobile or personal line — so that years, amounts, postcodes,
  dates, SIRET/SIREN and IBAN groups are not taken for phones. Numbers in messaging links
  (``https://wa.me/33612345678``, ``tel:``, ``sms:``) are found too.
- **E-mail addresses**, internationalised domains included (``marie@coopérative.fr``).
- **IP addresses** (IPv4 and IPv6, checked by :mod:`ipaddress`): direct identifiers too.
- **Pseudonyms** (``px_`` + hex) only when asked (``pseudonyms=True``): exports mask them.

Each contact carries a normalised ``key``, so that one person gets one pseudonym however the
number was written: a French number is ``0`` + its national digits (``0612345678``), any other
``00`` + country code + national digits (``00393471234567``); an e-mail is case-folded; an IP
address in its compressed form.

Examples
--------
>>> [c.kind for c in find_contacts("Tel 347 123 4567 ou marie@coopérative.fr, en 2024 : 12 000 €")]
['phone', 'email']
>>> find_contacts("WhatsApp https://wa.me/33612345678")[0].key
'0612345678'
>>> mask("SIRET 362 521 879 00034, tel. 0721 234 567", "[…]")
'SIRET 362 521 879 00034, tel. […]'
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

__all__ = ["EMAIL_RE", "PARTNER_REGIONS", "QUICK_PATTERN", "Contact", "contact_kind", "find_contacts",
           "mask", "normalise_phone", "regions_for"]

#: the partners' countries (COOPTERR: FR, RO, HU, PT, IT, LU) and German, an interface language
PARTNER_REGIONS: tuple[str, ...] = ("FR", "IT", "RO", "HU", "PT", "LU", "DE")
#: countries whose phone formats a survey in that language is likely to hold
_LANGUAGE_REGIONS = {
    "fr": ("FR", "BE", "LU", "CH"), "it": ("IT", "CH"), "ro": ("RO", "MD"), "hu": ("HU",),
    "pt": ("PT", "BR"), "de": ("DE", "AT", "LU", "CH"), "en": ("GB", "IE"), "es": ("ES",),
    "nl": ("NL", "BE"), "pl": ("PL",), "el": ("GR", "CY"), "cs": ("CZ",), "sk": ("SK",), "sl": ("SI",),
    "hr": ("HR",), "bg": ("BG",), "da": ("DK",), "sv": ("SE",), "fi": ("FI",), "et": ("EE",),
    "lv": ("LV",), "lt": ("LT",), "mt": ("MT",), "ga": ("IE",), "ca": ("ES",), "eu": ("ES", "FR"),
    "br": ("FR",), "oc": ("FR",), "co": ("FR",),
}
EMAIL_RE = re.compile(r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.(?:xn--[\w\-]+|[^\W\d_]{2,})"
                      r"(?![\w\-])")
_LINK_RE = re.compile(r"(?:wa\.me/|whatsapp\.com/send/?\?phone=|\btel:|\bsms:|\bcallto:|viber://chat\?number=)"
                      r"(\+?\d[\d\-.\s()]{4,20}\d)", re.IGNORECASE)
_IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)")
_IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_PSEUDONYM_RE = re.compile(r"px_[0-9a-f]{8,}")
_DATE_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}\s*[-/–]\s*\d{4}")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:[ .\u00a0\u202f]\d{3})+")
_CURRENCY_AFTER_RE = re.compile(r"\s*(?:€|\$|£|%|eur\b|euros?\b|lei\b|ron\b|huf\b|ft\b|forint|chf\b|"
                                r"habitants|inhabitants|abitanti|locuitori|lakos|habitantes|einwohner)",
                                re.IGNORECASE)
#: a cheap test (no look-around: pyarrow runs it natively) that a text may hold a contact detail
QUICK_PATTERN = r"@|\d(?:[\s.\-()/]*\d){7}|\d\.\d{1,3}\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:|px_[0-9a-f]"
_QUICK_RE = re.compile(QUICK_PATTERN)
#: shortest national number taken for a phone (Luxembourg has 6-digit lines: written with +352 only)
MIN_NATIONAL_DIGITS = 8


@dataclass(frozen=True)
class Contact:
    """One contact detail found in a text: where (``start``/``end``), what, and its normalised key."""

    start: int
    end: int
    kind: str
    text: str
    key: str


def regions_for(languages: Iterable[str] = ()) -> tuple[str, ...]:
    """The regions whose phone formats to look for: the languages' countries first, then the partners'.

    Examples
    --------
    >>> regions_for(["hu", "en"])
    ('HU', 'GB', 'IE', 'FR', 'IT', 'RO', 'PT', 'LU', 'DE')
    """
    found: list[str] = []
    for lang in languages:
        found += _LANGUAGE_REGIONS.get(str(lang).split("-")[0].split("_")[0].lower(), ())
    return tuple(dict.fromkeys([*found, *PARTNER_REGIONS]))


def _key(number: object) -> str:
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 33:
        return "0" + national
    return f"00{number.country_code}{national}"


def normalise_phone(text: str, regions: tuple[str, ...] = PARTNER_REGIONS) -> str | None:
    """The key of a phone number written in any format of ``regions`` (None when it is not one).

    Examples
    --------
    >>> normalise_phone("+33 (0)6 12 34 56 78"), normalise_phone("06.12.34.56.78")
    ('0612345678', '0612345678')
    >>> normalise_phone("347 123 4567", ("IT",)), normalise_phone("2024"), normalise_phone("0033612345678")
    ('00393471234567', None, '0612345678')
    """
    found = find_contacts(str(text).strip(), regions)
    if len(found) == 1 and found[0].kind == "phone" and found[0].text == str(text).strip():
        return found[0].key
    return None


def _international(text: str) -> bool:
    return text.lstrip("( ").startswith(("+", "00"))


def _inside_a_number(text: str, start: int, end: int) -> bool:
    """The match is part of a decimal number or a longer code (``-6.955502 39.12``, ``FR76…``)."""
    before, after = text[max(0, start - 2):start], text[end:end + 2]
    return bool(re.fullmatch(r"\d[.,]", before) or re.match(r"[.,]\d", after)
                or re.search(r"[A-Za-z]$", text[:start]) or re.match(r"[A-Za-z]", after))


def _amount(text: str, raw: str, end: int) -> bool:
    """A national number written like an amount: thousands groups ending in ``000``, or before a currency."""
    if _THOUSANDS_RE.fullmatch(raw.strip()) and raw.strip().endswith("000"):
        return True
    return bool(_CURRENCY_AFTER_RE.match(text[end:]))


def _phones(text: str, regions: tuple[str, ...]) -> list[Contact]:
    found: list[Contact] = []
    for match in _LINK_RE.finditer(text):  # wa.me/33612345678: an international number without its +
        raw = match.group(1)
        digits = re.sub(r"\D", "", raw)
        candidates = [f"+{digits}"] if not digits.startswith("0") else [raw]
        for candidate in candidates:
            for region in (None, *regions):
                try:
                    number = phonenumbers.parse(candidate, region)
                except phonenumbers.NumberParseException:
                    continue
                if phonenumbers.is_valid_number(number):
                    found.append(Contact(match.start(1), match.end(1), "phone", raw, _key(number)))
                    break
            else:
                continue
            break
    for chunk in _CHUNK_RE.finditer(text):  # the matchers read only the runs of digits, once each
        if len(re.sub(r"\D", "", chunk.group(0))) < 7:
            continue
        for start, end, raw, key in _numbers_in(chunk.group(0), regions):
            start, end = chunk.start() + start, chunk.start() + end
            if _inside_a_number(text, start, end) or (not _international(raw) and _amount(text, raw, end)):
                continue
            found.append(Contact(start, end, "phone", raw, key))
    return found


#: a run of digits and the characters numbers are written with (where a phone number may be)
_CHUNK_RE = re.compile(r"(?:\(?\+|\()?\d[\d \t\u00a0.\-/()]*\d")


@lru_cache(maxsize=65536)
def _numbers_in(chunk: str, regions: tuple[str, ...]) -> tuple[tuple[int, int, str, str], ...]:
    """Phone numbers libphonenumber finds in a run of digits, in any of ``regions`` (see the rules)."""
    kept = {PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
            PhoneNumberType.PERSONAL_NUMBER}
    mobile = kept - {PhoneNumberType.FIXED_LINE}
    found = []
    for region in regions:
        for match in PhoneNumberMatcher(chunk, region, leniency=Leniency.VALID):
            raw, number = match.raw_string, match.number
            if not _international(raw):
                digits = re.sub(r"\D", "", raw)
                kind = phonenumbers.number_type(number)
                if (len(digits) < MIN_NATIONAL_DIGITS or kind not in kept
                        or (not digits.startswith("0") and kind not in mobile)
                        or _DATE_RE.fullmatch(raw.strip())):
                    continue
            found.append((match.start, match.end, raw, _key(number)))
    return tuple(found)


def _addresses(text: str) -> list[Contact]:
    found = []
    for pattern in (_IPV4_RE, _IPV6_RE):
        for match in pattern.finditer(text):
            raw = match.group(0)
            if pattern is _IPV6_RE and raw.count(":") < 2:
                continue
            try:
                address = ipaddress.ip_address(raw)
            except ValueError:
                continue
            found.append(Contact(match.start(), match.end(), "ip", raw, address.compressed))
    return found


@lru_cache(maxsize=65536)
def _find(text: str, regions: tuple[str, ...], pseudonyms: bool) -> tuple[Contact, ...]:
    if not _QUICK_RE.search(text):
        return ()
    found = [Contact(m.start(), m.end(), "email", m.group(0), m.group(0).casefold())
             for m in EMAIL_RE.finditer(text)]
    if pseudonyms:
        found += [Contact(m.start(), m.end(), "pseudonym", m.group(0), m.group(0))
                  for m in _PSEUDONYM_RE.finditer(text)]
    found += _addresses(text)
    found += _phones(text, regions)
    # the longest match wins where matches overlap (then the first found: e-mails, then the regions' order)
    order = sorted(enumerate(found), key=lambda item: (-(item[1].end - item[1].start), item[0]))
    kept: list[Contact] = []
    for _, contact in order:
        if all(contact.end <= other.start or contact.start >= other.end for other in kept):
            kept.append(contact)
    return tuple(sorted(kept, key=lambda c: c.start))


def find_contacts(text: str, regions: Iterable[str] = PARTNER_REGIONS, *,
                  pseudonyms: bool = False) -> list[Contact]:
    """Every contact detail in ``text``, in order (see the module docstring for the rules).

    Parameters
    ----------
    text
        Any text (an answer, a note, a cell of an exported file).
    regions
        ISO country codes whose national phone formats are recognised, in order of preference
        (a number valid in two of them takes the first one's key).
    pseudonyms
        Also report coopwork pseudonyms (``px_…``) as contacts (what exports mask).

    Examples
    --------
    >>> [(c.kind, c.text) for c in find_contacts("06 30 123 4567, 10.0.0.7", ("HU",))]
    [('phone', '06 30 123 4567'), ('ip', '10.0.0.7')]
    """
    return list(_find(str(text), tuple(regions), pseudonyms))


def contact_kind(value: str, regions: Iterable[str] = PARTNER_REGIONS) -> str | None:
    """``"email"``, ``"phone"`` or ``"ip"`` when the whole ``value`` is one contact detail, else None.

    Examples
    --------
    >>> contact_kind(" 0151 23456789 "), contact_kind("marie@coopérative.fr")
    ('phone', 'email')
    >>> contact_kind("appeler 06 12 34 56 78") is None
    True
    """
    text = str(value).strip()
    found = find_contacts(text, regions)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text):
        return found[0].kind
    return None


def mask(text: str, replacement: str = "[…]", regions: Iterable[str] = PARTNER_REGIONS, *,
         pseudonyms: bool = True) -> str:
    """``text`` with every contact detail (and pseudonym) replaced by ``replacement``.

    Examples
    --------
    >>> mask("écrire à px_0123456789abcdef ou +39 347 123 4567")
    'écrire à […] ou […]'
    """
    text = str(text)
    out, last = [], 0
    for contact in find_contacts(text, regions, pseudonyms=pseudonyms):
        out += [text[last:contact.start], replacement]
        last = contact.end
    return "".join([*out, text[last:]])
