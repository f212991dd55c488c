"""One disclosure threshold: the same values accepted, and the same error, everywhere."""

from __future__ import annotations

import pytest

from coopwork.analysis.disclosure import is_small, protect
from coopwork.cli import build_parser
from coopwork.errors import CoopworkError
from coopwork.threshold import DEFAULT_MIN_COUNT, check_min_count


@pytest.mark.parametrize("value", [1, 3, "5", " 10 "])
def test_a_whole_number_of_at_least_one_is_accepted(value):
    assert check_min_count(value) == int(str(value))


@pytest.mark.parametrize("value", [0, -1, "0", "", "three", 2.5, True, None])
def test_anything_else_is_one_clear_error(value):
    with pytest.raises(CoopworkError) as caught:
        check_min_count(value)
    assert caught.value.code == "export_errors.min_count"
    assert caught.value.render("en").endswith(f"use --min-count {DEFAULT_MIN_COUNT} (default) or more.")


@pytest.mark.parametrize("command", [["run"], ["serve"], ["export"], ["export", "--data"]])
def test_every_command_refuses_zero_alike(command, capsys):
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args([*command, "--min-count", "0", "--lang", "en"])
    assert caught.value.code == 2
    assert "the disclosure threshold must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["run"], ["serve"], ["export"]])
def test_every_command_has_the_same_default(command):
    assert build_parser().parse_args(command).min_count == DEFAULT_MIN_COUNT


def test_protect_refuses_zero_instead_of_clamping_it():
    import pandas as pd

    with pytest.raises(CoopworkError, match="at least 1"):
        protect(pd.DataFrame({"n": [1, 5]}), min_count=0)
    with pytest.raises(CoopworkError, match="at least 1"):
        is_small(2, 0)


def test_the_workspace_refuses_it_before_reading_anything(tmp_path):
    from coopwork.workspace import Workspace

    with pytest.raises(CoopworkError, match="at least 1"):
        Workspace(tmp_path, tmp_path / "form.xlsx", min_count=0)
