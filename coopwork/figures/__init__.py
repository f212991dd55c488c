"""Figures: analysis result tables → plotly figures as plain dicts, one theme, French or English.

Every builder takes a table of :mod:`coopwork.analysis` (or a network graph), returns a
**plain JSON-serialisable dict** ``{"data": [trace, ...], "layout": {...}}`` (no showing, no
saving: figures are values that notebooks, Voilà dashboards and reports display), states the
question and the base in its title and subtitle, and draws suppressed cells as ``< 3``, never as
values.

Why dicts: a territory needs about 60 charts, and building ``plotly.graph_objects`` figures
spends most of its time validating and deep-copying (about 150 ms a chart). The builders never
import ``plotly.graph_objects``; each trace is a dict with an explicit ``"type"``, values are
plain Python (None for missing), and the layout has an explicit ``height``, ``separators`` and
``autosize`` but neither a ``width`` (figures follow the screen) nor the template, which
:func:`~coopwork.figures.theme.with_template` adds and :func:`to_figure` applies while
validating the dict with plotly (to show it in a notebook, or to check it in a test).

==========================  ===================================================
function                    what it does
==========================  ===================================================
:func:`bar_chart`           a choice question (``summarise``), overall or by group
:func:`likert_chart`        agreement scales as diverging bars (``summarise``)
:func:`box_chart`           a numeric question by group (``summarise``)
:func:`histogram_chart`     a numeric question, bins under disclosure control
:func:`period_chart`        a date or time question by period (``summarise``)
:func:`rank_chart`          a rank question: each option by the rank it was given
:func:`scores_chart`        dimension scores, territory vs others/all (``compare_scores``)
:func:`change_chart`        wave-over-wave slope chart (``score_change``)
:func:`network_chart`       the cooperation network (``build_network``)
:func:`to_figure`           a figure dict → validated ``go.Figure`` with the coopwork template
:func:`to_png`              a PNG file of any figure, dict or ``go.Figure`` (kaleido + Chromium)
==========================  ===================================================

Builders are imported lazily so that ``import coopwork.figures`` does not import plotly.

Examples
--------
>>> import json
>>> import pandas as pd
>>> from coopwork.figures import bar_chart, to_figure
>>> summary = pd.DataFrame({"question": "q", "option": ["a", "b"], "label": ["A", "B"], "n": [6, 4],
...                         "base": 10, "missing": 0, "percent": [60.0, 40.0]})
>>> fig = bar_chart(summary, lang="en")
>>> fig["data"][0]["type"], fig["data"][0]["x"], fig["layout"]["height"]
('bar', [60.0, 40.0], 650)
>>> json.loads(json.dumps(fig)) == fig
True
>>> to_figure(fig).layout.template.layout.font.size  # validated by plotly, themed
18
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["bar_chart", "box_chart", "change_chart", "histogram_chart", "likert_chart", "network_chart",
           "period_chart", "rank_chart", "scores_chart", "to_figure", "to_png"]

_WHERE = {"bar_chart": "bars", "box_chart": "distributions", "histogram_chart": "distributions",
          "period_chart": "distributions", "rank_chart": "bars",
          "likert_chart": "likert", "scores_chart": "scores", "change_chart": "change",
          "network_chart": "network", "to_figure": "validate", "to_png": "render"}


def __getattr__(name: str):
    if name in _WHERE:  # lazy: a dashboard kernel imports figures.theme, hence this package, and no pandas
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
