"""Hypothesis profiles of the tests that use generated material: ``ci`` (the default) and ``deep``.

``ci`` runs few examples, the same ones on every run (``derandomize``: a merge is never blocked by
an example drawn that day) and keeps no example database. ``deep`` runs :data:`DEEP_SCALE` times
as many, new ones on every run, and remembers the failing ones in ``.hypothesis/`` (git-ignored)::

    COOPWORK_HYPOTHESIS=deep .venv/bin/python -m pytest tests/strategies

Tests size their runs with :func:`examples`: ``@settings(max_examples=examples(30))``.
The profile is loaded when :mod:`tests.strategies` is imported.

Examples
--------
>>> examples(30) >= 30
True
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["DEEP_SCALE", "PROFILE_VARIABLE", "examples", "load_profile"]

#: the environment variable naming the profile (``ci`` or ``deep``)
PROFILE_VARIABLE = "COOPWORK_HYPOTHESIS"
#: how many times more examples the ``deep`` profile runs
DEEP_SCALE = 20
# forms and exports are large draws, and each example converts a form or ingests a file
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True,
                          suppress_health_check=_SLOW)
settings.register_profile("deep", deadline=None, print_blob=True, suppress_health_check=_SLOW)


def load_profile() -> str:
    """Load the profile :data:`PROFILE_VARIABLE` names (default ``ci``) and return its name."""
    name = os.environ.get(PROFILE_VARIABLE, "ci")
    settings.load_profile(name)
    return name


def examples(n: int) -> int:
    """``n`` examples under the ``ci`` profile, ``n × DEEP_SCALE`` under ``deep``."""
    return n * DEEP_SCALE if os.environ.get(PROFILE_VARIABLE) == "deep" else n
