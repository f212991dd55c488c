"""Errors raised by coopwork: data (a code and its fields), turned into text in one language when shown.

Every problem caused by a user's input (a file, an option, a survey) is a
:class:`CoopworkError`. It carries a stable ``code`` — a key of the message catalogue
(``coopwork/messages``) — the ``fields`` that fill that message, where it happened
(file, row, column, value) and the catalogue key of what to do (``hint``). Nothing is
text until the error is shown: :meth:`CoopworkError.render` writes the whole sentence,
location words and "What to do:" included, in one language. The command line renders it
in ``--lang`` on stderr with exit code 2, never a traceback; the issues file stores the code.

``str(err)`` (logs, tracebacks, a failed notebook's message) uses the language given when the
error was raised, else the user's language (``COOPWORK_LANG``, which every command sets to its
``--lang``), else English.

Examples
--------
>>> err = IngestError("ingest.err_missing_file", file="export.csv", hint="ingest.hint_missing_file")
>>> err.code
'ingest.err_missing_file'
>>> err.render("en")
'export.csv: the file does not exist. What to do: check the path of the export (e.g. data/raw/export.csv).'
>>> err.render("fr").startswith("export.csv : le fichier n'existe pas. Que faire :")
True
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

from .i18n import catalogue, t

__all__ = [
    "disk_full",
    "CoopworkError",
    "SurveyError",
    "IngestError",
    "WorkspaceError",
    "RunError",
    "DashboardError",
    "ExportError",
]

#: the language of ``str(err)`` when neither the raise site nor ``COOPWORK_LANG`` gives one
LOG_LANG = "en"


def _default_lang() -> str:
    return os.environ.get("COOPWORK_LANG") or LOG_LANG


def _rebuild(cls: type[CoopworkError], code: str, state: dict[str, Any]) -> CoopworkError:
    """Unpickle an error (errors cross process boundaries in batch runs)."""
    err = cls.__new__(cls)
    Exception.__init__(err, code)
    err.__dict__.update(state)
    return err


class CoopworkError(Exception):
    """Base class of every error a user can cause and fix.

    Parameters
    ----------
    code
        Catalogue key of what is wrong (``area.name``), one sentence without the location,
        e.g. ``"survey.err_no_question"``. Never a literal sentence (a test checks the raise sites).
    file, row, column, value
        Where it is wrong. ``row`` is 1-based (header excluded for tables).
    hint
        Catalogue key of what the user should do about it; filled with the same ``fields``.
    lang
        Language of ``str(err)`` when the raise site knows the user's language.
    **fields
        Values of the ``{placeholders}`` of ``code`` and ``hint``.

    Examples
    --------
    >>> err = SurveyError("survey.err_no_question_named", name="age", survey="demo",
    ...                   hint="survey.hint_did_you_mean", names="org, size")
    >>> err.fields["name"], err.code
    ('age', 'survey.err_no_question_named')
    """

    def __init__(
        self,
        code: str,
        /,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        hint: str | None = None,
        lang: str | None = None,
        **fields: object,
    ) -> None:
        messages = catalogue()
        for key in (code, hint):
            if key is not None and key not in messages:
                raise KeyError(f"{key!r} is not a message of the catalogue (coopwork/messages)")
        self.code = code
        self.hint_code = hint
        self.fields = dict(fields)
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        self.lang = lang
        super().__init__(code)

    def __reduce__(self):
        return _rebuild, (type(self), self.code, dict(self.__dict__))

    @property
    def message(self) -> str:
        """What is wrong, in the language of ``str(err)``."""
        return self.render_message()

    @property
    def hint(self) -> str | None:
        """What to do, in the language of ``str(err)`` (None when the error gives no hint)."""
        return self.render_hint()

    def render_message(self, lang: str | None = None) -> str:
        """The sentence saying what is wrong, without location nor hint, in ``lang``."""
        return t(self.code, lang or self.lang or _default_lang(), **self.fields)

    def render_hint(self, lang: str | None = None) -> str | None:
        """What to do, in ``lang`` (None when the error gives no hint)."""
        if self.hint_code is None:
            return None
        return t(self.hint_code, lang or self.lang or _default_lang(), **self.fields)

    def location(self, lang: str | None = None) -> str:
        """``file, row R, column 'C'`` in ``lang`` — the parts that are known."""
        lang = lang or self.lang or _default_lang()
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(t("core.err_row", lang, row=self.row))
        if self.column:
            parts.append(t("core.err_column", lang, column=self.column))
        return ", ".join(parts)

    def render(self, lang: str | None = None) -> str:
        """The whole sentence in one language: location, message, value, what to do.

        Examples
        --------
        >>> err = IngestError("ingest.err_wave", hint="ingest.hint_wave", value="")
        >>> err.render("en")
        "the wave is empty (value: ''). What to do: give the wave of this export, e.g. --wave 2025."
        """
        lang = lang or self.lang or _default_lang()
        location = self.location(lang)
        message = self.render_message(lang)
        text = t("core.err_located", lang, location=location, message=message) if location else message
        if self.value is not None:
            text += " " + t("core.err_value", lang, value=repr(self.value))
        if not text.endswith("."):
            text += "."
        hint = self.render_hint(lang)
        if hint:
            text += " " + t("core.err_hint", lang, hint=hint.rstrip("."))
        return text

    def as_record(self) -> dict[str, object]:
        """The error as data: ``code``, ``hint``, location and fields (for JSON output and issues files)."""
        return {"code": self.code, "hint": self.hint_code, "file": self.file, "row": self.row,
                "column": self.column, "value": self.value, "fields": dict(self.fields)}

    def __str__(self) -> str:
        return self.render()


class SurveyError(CoopworkError):
    """An XLSForm that cannot be read or is not a survey coopwork can use."""


class IngestError(CoopworkError):
    """An export that cannot be ingested: nothing was written."""


class WorkspaceError(CoopworkError):
    """A workspace, wave or territory that does not exist."""


class RunError(CoopworkError):
    """A batch run that cannot start (failures of single territories are reported, not raised)."""


class DashboardError(CoopworkError):
    """A dashboard server or journal that cannot start."""


class ExportError(CoopworkError):
    """An export that cannot be written."""


#: "no space left on device", "disk quota exceeded", "file too large" (a file size limit)
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk (or the user's quota) is full: the CLI says so in one sentence.

    Code that turns an ``OSError`` into a :class:`CoopworkError` lets these through, so that the
    message is the same whatever was being written.

    Examples
    --------
    >>> disk_full(OSError(28, "No space left on device")), disk_full(OSError(2, "No such file"))
    (True, False)
    """
    return isinstance(error, OSError) and error.errno in _DISK_FULL

