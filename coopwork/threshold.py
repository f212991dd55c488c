"""The disclosure threshold: its default and the one rule that says which values are accepted.

Every command and function that takes ``min_count`` (``export``, ``run``, ``serve``, the batch,
the dashboards, ``protect()``) takes its default from :data:`DEFAULT_MIN_COUNT` and checks a
given value with :func:`check_min_count`: a whole number of at least 1. Anything else is a
:class:`~coopwork.errors.CoopworkError` naming the value and what to give instead, raised before
anything is computed or written. The rule that *hides* a count given the threshold lives in
:func:`coopwork.analysis.disclosure.is_small` (used by ``protect()`` and every other display).

Examples
--------
>>> DEFAULT_MIN_COUNT
3
>>> check_min_count(5), check_min_count("10")
(5, 10)
>>> try:
...     check_min_count(0)
... except CoopworkError as err:
...     print(err.render_message("en"), "·", err.render_hint("en"))
the disclosure threshold must be at least 1 · use --min-count 3 (default) or more
"""

from __future__ import annotations

import argparse

from .errors import CoopworkError

__all__ = ["DEFAULT_MIN_COUNT", "check_min_count", "min_count_option"]

#: the smallest count shown by default (the INSEE rule for organisations)
DEFAULT_MIN_COUNT = 3


def check_min_count(value: object) -> int:
    """``value`` as the disclosure threshold: a whole number ≥ 1, else a clear error.

    Parameters
    ----------
    value
        An int, or its text (a command-line option, a papermill parameter).

    Raises
    ------
    CoopworkError
        ``export_errors.min_count`` with the value and the hint to use the default or more.

    Examples
    --------
    >>> check_min_count(1)
    1
    >>> check_min_count(2.5)
    Traceback (most recent call last):
    ...
    coopwork.errors.CoopworkError: the disclosure threshold must be at least 1 (value: 2.5)...
    """
    number = None
    if not isinstance(value, bool):
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
    if number is None or number < 1:
        raise CoopworkError("export_errors.min_count", value=value, hint="export_errors.hint_min_count",
                            default=DEFAULT_MIN_COUNT)
    return number


def min_count_option(value: str) -> int:
    """The ``--min-count`` option's type, shared by every command (:func:`check_min_count`).

    Examples
    --------
    >>> min_count_option("5")
    5
    """
    try:
        return check_min_count(value)
    except CoopworkError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
