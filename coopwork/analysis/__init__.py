"""Analysis helpers: tidy tables + Survey → tidy result tables.

Every function is pure (data first, options keyword-only: ``territory``, ``wave``, ``lang``,
``min_count``, ``by``, ``weights``) and returns a long ``pandas.DataFrame`` whose columns are
documented in its docstring. Every table meant for publication passes through
:func:`~coopwork.analysis.disclosure.protect`, which adds ``suppressed`` and ``display``.

Modules
-------
``selection``
    options of a select_multiple, filters, applicability (``relevant``), groups.
``summary``
    per-question summaries (:func:`summarise`).
``crosstab``
    cross-tabs and tests of association (:func:`crosstab`, :func:`association_test`).
``indicators``
    composite scores by dimension (:func:`dimension_scores`, :func:`compare_scores`,
    :func:`score_change`).
``network``
    the cooperation network (:func:`build_network`, :func:`network_stats`, …).
``freetext``
    free-text answers and theme counts (:func:`text_answers`, :func:`theme_counts`).
``disclosure``
    the one function that decides what is published (:func:`protect`, :func:`visible_label`).
``stats``
    Wilson intervals, effective sample size, test choice, mean and Welch intervals.
"""

from __future__ import annotations

from .crosstab import association_test, contingency, crosstab
from .disclosure import (
    DEFAULT_MIN_COUNT,
    format_number,
    format_percent,
    has_consent,
    protect,
    visible_label,
)
from .freetext import load_codebook, matches_theme, text_answers, theme_counts
from .indicators import (
    DimensionScore,
    compare_scores,
    default_config,
    dimension_label,
    dimension_scores,
    load_config,
    score_change,
)
from .network import (
    build_network,
    communities,
    display_names,
    network_stats,
    node_stats,
    normalise_name,
    tie_changes,
    type_mixing,
)
from .selection import applicable, filter_responses, groups, selected
from .stats import contingency_test, effective_n, mean_interval, welch_interval, wilson_interval
from .summary import summarise

__all__ = [
    "DEFAULT_MIN_COUNT",
    "DimensionScore",
    "applicable",
    "association_test",
    "build_network",
    "communities",
    "compare_scores",
    "contingency",
    "contingency_test",
    "crosstab",
    "default_config",
    "dimension_label",
    "dimension_scores",
    "display_names",
    "effective_n",
    "filter_responses",
    "format_number",
    "format_percent",
    "groups",
    "has_consent",
    "load_codebook",
    "load_config",
    "matches_theme",
    "mean_interval",
    "network_stats",
    "node_stats",
    "normalise_name",
    "protect",
    "score_change",
    "selected",
    "summarise",
    "text_answers",
    "theme_counts",
    "tie_changes",
    "type_mixing",
    "visible_label",
    "welch_interval",
    "wilson_interval",
]
