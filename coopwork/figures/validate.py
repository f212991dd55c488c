"""From a figure dict to a validated ``plotly.graph_objects.Figure`` (for notebooks and tests).

The builders of :mod:`coopwork.figures` return plain dicts so that computing many charts
never goes through plotly's graph objects (their validation and deep copies cost about
150 ms a chart). :func:`to_figure` is the one place that builds a ``go.Figure``: it adds the
coopwork template and lets plotly check every property, raising on an invalid one.

Examples
--------
>>> fig = to_figure({"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {"height": 400}})
>>> fig.data[0].y, fig.layout.height, fig.layout.template.layout.font.size
((1,), 400, 18)
>>> to_figure({"data": [{"type": "bar", "colour": "red"}], "layout": {}})
Traceback (most recent call last):
...
ValueError: ...
"""

from __future__ import annotations

import plotly.graph_objects as go

from .theme import with_template

__all__ = ["to_figure"]


def to_figure(fig: dict) -> go.Figure:
    """The figure dict as a ``plotly.graph_objects.Figure`` with the coopwork template, validated.

    Parameters
    ----------
    fig
        A figure dict (``{"data": [...], "layout": {...}}``), e.g. the output of a builder;
        it is not changed.

    Returns
    -------
    plotly.graph_objects.Figure
        Ready to show in a notebook (``fig.show()``) or to inspect (``fig.data[0].x``).

    Raises
    ------
    ValueError
        When a trace or the layout holds a property or value that plotly does not accept.
    """
    return go.Figure(with_template(fig))
