from __future__ import annotations

import pytest

from coopwork.errors import CoopworkError, IngestError, SurveyError, WorkspaceError


def test_message_names_file_row_column_value_and_fix():
    err = IngestError("the value is not a number", file="export.csv", row=4, column="effectif",
                      value="douze", hint="write digits, e.g. 12")
    assert str(err) == ("export.csv, row 4, column 'effectif': the value is not a number "
                        "(value: 'douze'). What to do: write digits, e.g. 12.")
    assert (err.file, err.row, err.column, err.value) == ("export.csv", 4, "effectif", "douze")


def test_message_without_location():
    assert str(CoopworkError("nothing to do")) == "nothing to do."


@pytest.mark.parametrize("cls", [SurveyError, IngestError, WorkspaceError])
def test_every_error_is_a_coopwork_error(cls):
    assert issubclass(cls, CoopworkError)
