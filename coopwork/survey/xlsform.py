"""Parse an XLSForm with pyxform, leaving out a translation that is broken rather than the whole form.

A large multilingual form often carries a mistake in a language nobody here reads: an Arabic
label with ``${crop_label`` and no closing brace. pyxform refuses the whole form on the first
such cell, one per run. coopwork needs the form's structure and one or two of its languages, so
:func:`parse_xlsform` checks every cell of the workbook first, the way pyxform does (every
``${…}`` reference well formed and naming exactly one question), and then:

- broken cells **only in translations the user does not need** (``label::Arabic (ar)``,
  ``hint::…``, ``constraint_message::…``, media columns…): those languages are left out, every
  broken cell is listed once, together (:class:`BrokenCell`), and the form is read in its other
  languages. The languages the user needs are the form's default language (``default_language``
  of the settings, else its first) and the user's own (``COOPWORK_LANG``);
- broken cells **where they matter** (a column without a language — ``label``, ``relevant``,
  ``constraint``, ``calculation`` … —, a language the user needs, or every language): the form is
  refused with **every** broken cell listed at once (:class:`~coopwork.errors.SurveyError`).

Anything else pyxform objects to comes back as its own error, as before.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "form.md"
>>> _ = path.write_text(
...     "| survey |\\n| | type | name | label::English (en) | label::Arabic (ar) |\\n"
...     "| | text | crop | Crop | محصول |\\n| | integer | n | How much ${crop}? | كم ${crop |\\n",
...     encoding="utf-8")
>>> form, broken = parse_xlsform(path)
>>> [c["label"] for c in form["children"][:2]]
[{'English (en)': 'Crop'}, {'English (en)': 'How much ${crop}?'}]
>>> broken[0].sheet, broken[0].row, broken[0].column
('survey', 3, 'label::Arabic (ar)')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SurveyError
from ..i18n import NAMES, lang_code

__all__ = ["BrokenCell", "language_code", "parse_xlsform"]

#: columns a language may be appended to (``label::French (fr)``), as pyxform knows them
_TRANSLATABLE = frozenset({"label", "hint", "guidance_hint", "image", "big-image", "audio", "video",
                           "constraint_message", "jr:constraintmsg", "required_message",
                           "jr:requiredmsg", "media::image", "media::big-image", "media::audio",
                           "media::video", "constraint_msg", "requiredmsg"})


@dataclass(frozen=True)
class BrokenCell:
    """One cell of the form pyxform would refuse: where it is, what it holds, why."""

    sheet: str
    row: int
    column: str
    value: str
    language: str | None  # the translation it belongs to, None for a column without a language

    def describe(self) -> str:
        """``survey row 161, 'label::Arabic (ar)': …${crop_label…`` (no translation needed)."""
        value = self.value if len(self.value) <= 60 else self.value[:57] + "…"
        return f"{self.sheet} row {self.row}, '{self.column}': {value}"


def language_code(language: str) -> str:
    """Return the short code of an XLSForm language name.

    Examples
    --------
    >>> language_code("French (fr)"), language_code("English"), language_code("default")
    ('fr', 'english', 'default')
    """
    match = re.search(r"\(([A-Za-z-]+)\)\s*$", language)
    return (match.group(1) if match else language).strip().lower()


def _language(column: str) -> str | None:
    """The translation a column belongs to (``label::Arabic (ar)`` → ``Arabic (ar)``), else None."""
    if "::" not in column:
        return None
    base, _, language = column.rpartition("::")
    return language.strip() or None if base.strip().casefold() in _TRANSLATABLE else None


def _name_column(rows) -> str | None:
    """The survey sheet's name column, whatever its case or alias (``name``, ``NAME``, ``value``)."""
    for row in rows or []:
        for key in row:
            if str(key).strip().casefold() in ("name", "value", "tag"):
                return key
    return None


def _broken(sheet: str, rows, names: Counter, skip: set[str]) -> list[BrokenCell]:
    from pyxform.errors import PyXFormError
    from pyxform.validators.pyxform.pyxform_reference import parse_pyxform_references

    found = []
    for number, row in enumerate(rows or [], start=2):  # pyxform's own row numbers
        for column, value in row.items():
            if not isinstance(value, str) or "${" not in value or str(column).strip().casefold() in skip:
                continue
            try:
                refs = parse_pyxform_references(value=value)
            except PyXFormError:
                bad = True
            else:
                bad = any(names.get(ref.name, 0) != 1 for ref in refs)
            if bad:
                found.append(BrokenCell(sheet, number, column, value, _language(column)))
    return found


def _without(rows, languages: set[str]):
    if not rows:
        return rows
    return [{k: v for k, v in row.items() if _language(k) not in languages} for row in rows]


def _needed(languages: list[str], settings) -> set[str]:
    """The form's languages the user needs: its default one and the user's (``COOPWORK_LANG``)."""
    import os


    default = next((str(v).strip() for row in settings or [] for k, v in row.items()
                    if str(k).strip().casefold() == "default_language" and v), None)
    needed = {default} if default in languages else set(languages[:1])
    user = lang_code(os.environ.get("COOPWORK_LANG") or "")
    for language in languages:
        code = language_code(language)
        if user and (code.split("-")[0] == user or code in NAMES.get(user, ())):
            needed.add(language)
    return needed


def _is_reference_error(exc: Exception) -> bool:
    code = getattr(exc, "code", None)
    return code is not None and str(getattr(code, "name", "")).startswith("PYREF")


def parse_xlsform(path: str | Path) -> tuple[dict, list[BrokenCell]]:
    """pyxform's JSON of the form at ``path`` and the broken cells of the translations left out.

    pyxform reads the form first; only when it refuses a ``${…}`` reference is every cell checked,
    to list them all and to leave out the translations that alone hold them.

    Raises
    ------
    SurveyError
        When cells are broken where the form needs them (every one listed).
    pyxform.errors.PyXFormError, Exception
        What pyxform raises for anything else (the caller words it, with the row when given).
    """
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    path = Path(path)
    book = get_xlsform(xlsform=str(path))

    def parse(definition) -> dict:
        return workbook_to_json(workbook_dict=definition, form_name="data",
                                fallback_form_name=definition.fallback_form_name,
                                default_language="default", warnings=[])

    try:
        return parse(book), []
    except PyXFormError as exc:
        if not _is_reference_error(exc):
            raise
        error = exc
    name = _name_column(book.survey)
    names = Counter(str(row.get(name)).strip() for row in book.survey or [] if name and row.get(name))
    skip = {"type", "name", "value", "tag"}
    broken = [*_broken("survey", book.survey, names, skip), *_broken("choices", book.choices, names, skip),
              *_broken("settings", book.settings, names, set())]
    if not broken:  # a reference error this check does not see: pyxform's own words
        raise error
    headers = list(dict.fromkeys(k for row in (book.survey_header or book.survey or []) for k in row))
    languages = [language for language in dict.fromkeys(_language(k) for k in headers) if language]
    bad = {cell.language for cell in broken}
    needed = _needed(languages, book.settings)
    if None in bad or not set(languages) - bad or bad & needed:
        cells = "; ".join(cell.describe() for cell in broken)
        raise SurveyError("survey.err_broken_cells", count=len(broken), cells=cells, file=path.name,
                          hint="survey.hint_broken_cells")
    settings = [dict(row) for row in book.settings or []]
    for row in settings:  # a default language left out: pyxform picks another
        for key in [k for k in row if str(k).strip().casefold() == "default_language"]:
            if str(row[key]).strip() in bad:
                row.pop(key)
    book = replace(book, survey=_without(book.survey, bad), choices=_without(book.choices, bad),
                   survey_header=_without(book.survey_header, bad),
                   choices_header=_without(book.choices_header, bad), settings=settings or book.settings)
    return parse(book), broken
