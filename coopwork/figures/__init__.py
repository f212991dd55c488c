"""Figures: analysis result tables → plotly figures, one theme, French or English.

Every builder takes a table of :mod:`coopwork.analysis` (or a network graph), returns a
``plotly.graph_objects.Figure`` (no showing, no saving: figures are values that notebooks,
Voilà dashboards and reports display), states the question and the base in its title and
subtitle, and draws suppressed cells as ``< 3``, never as values.

==========================  ===================================================
builder                     draws
==========================  ===================================================
:func:`bar_chart`           a choice question (``summarise``), overall or by group
:func:`likert_chart`        agreement scales as diverging bars (``summarise``)
:func:`box_chart`           a numeric question by group (``summarise``)
:func:`histogram_chart`     a numeric question, bins under disclosure control
:func:`scores_chart`        dimension scores, territory vs others/all (``compare_scores``)
:func:`change_chart`        wave-over-wave slope chart (``score_change``)
:func:`network_chart`       the cooperation network (``build_network``)
:func:`to_png`              a PNG file of any figure (kaleido + headless Chromium)
==========================  ===================================================

Builders are imported lazily so that ``import coopwork.figures`` does not import plotly.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["bar_chart", "box_chart", "change_chart", "histogram_chart", "likert_chart", "network_chart",
           "scores_chart", "to_png"]

_WHERE = {"bar_chart": "bars", "box_chart": "distributions", "histogram_chart": "distributions",
          "likert_chart": "likert", "scores_chart": "scores", "change_chart": "change",
          "network_chart": "network", "to_png": "render"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
