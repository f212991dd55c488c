"""Errors raised by coopwork.

Every problem caused by a user's input (a file, an option, a survey) is a
:class:`CoopworkError`. It carries structured fields (file, row, column, value)
so that the command line can print one clear sentence and the tests can check
exactly what was said. The CLI turns it into a message on stderr and exit code 2,
never a traceback.

Examples
--------
>>> err = IngestError("the file is empty", file="export.csv", hint="export the data again")
>>> str(err)
'export.csv: the file is empty. What to do: export the data again.'
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CoopworkError",
    "SurveyError",
    "IngestError",
    "WorkspaceError",
    "RunError",
    "DashboardError",
    "ExportError",
]


class CoopworkError(Exception):
    """Base class of every error a user can cause and fix.

    Parameters
    ----------
    message
        What is wrong, in one sentence, without the location.
    file, row, column, value
        Where it is wrong. ``row`` is 1-based (header excluded for tables).
    hint
        What the user should do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        self.hint = hint
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """``file, row R, column 'C'`` — the parts that are known."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if not text.endswith("."):
            text += "."
        if self.hint:
            text += f" What to do: {self.hint.rstrip('.')}."
        return text


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
