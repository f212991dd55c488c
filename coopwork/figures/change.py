"""Wave-over-wave change: a slope chart of dimension scores between two waves.

One line per dimension from its mean score at the earlier wave to its mean at the later
wave, labelled at the right end with the change and its 95 % confidence interval. A line is
solid when the interval excludes zero and dotted when it does not (the change could be
chance), which the subtitle says. Suppressed dimensions (fewer than ``min_count``
respondents in a wave) have no line, only ``< 3`` in the right margin.

Examples
--------
>>> import pandas as pd
>>> from coopwork.figures import to_figure
>>> changes = pd.DataFrame({"dimension": ["trust", "governance"], "wave_from": "2025", "wave_to": "2026",
...     "n_from": pd.array([20, pd.NA], dtype="Int64"), "n_to": pd.array([24, pd.NA], dtype="Int64"),
...     "mean_from": [55.0, None], "mean_to": [63.5, None], "change": [8.5, None],
...     "ci_low": [1.2, None], "ci_high": [15.8, None], "suppressed": [False, True],
...     "display": ["+8", "< 3"]})
>>> fig = to_figure(change_chart(changes, lang="en"))
>>> fig.data[0].x, fig.data[0].y, fig.data[0].line.dash
(('2025', '2026'), (55.0, 63.5), 'solid')
>>> fig.layout.title.subtitle.text.split(" · ")[0]
'n = 20 then 24 respondents'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import format_number
from ..errors import CoopworkError
from ..i18n import t
from ..vocabulary import dimension_label
from . import _tables as tb
from .theme import LINE_PALETTE, SYMBOLS, apply_theme, escape

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["change_chart"]


def _end_labels(data: list[dict], height: int) -> list[dict]:
    """Labels at the right end of the lines (traces ``data``), moved apart so that they never overlap."""
    gap = 100 * 24 / max(height - 330, 100)  # about 24 px on the 0–100 axis
    ends = sorted(((trace["y"][-1], i) for i, trace in enumerate(data)), key=lambda e: (e[0], e[1]))
    placed: list[tuple[float, int]] = []
    for y, i in ends:
        placed.append((max(y, placed[-1][0] + gap) if placed else y, i))
    overflow = placed[-1][0] - 100 if placed else 0
    if overflow > 0:  # push everything down, keeping the gaps, when the top label leaves the chart
        placed = [(y - overflow, i) for y, i in placed]
    return [{"x": 1.0, "xref": "paper", "xanchor": "left", "xshift": 8, "y": y, "yref": "y",
             "text": data[i]["customdata"][1], "showarrow": False,
             "font": {"size": 15, "color": data[i]["line"]["color"]}} for y, i in placed]


def _signed(value: float | None, lang: str) -> str:
    text = format_number(value, decimals=1, lang=lang)
    return f"+{text}" if value is not None and value > 0 else text


def change_chart(changes: pd.DataFrame, *, territory: str | None = None, survey: Survey | None = None,
                 lang: str = "fr", title: str | None = None) -> dict:
    """Slope chart of the mean score of each dimension between two waves.

    Parameters
    ----------
    changes
        Output of :func:`coopwork.analysis.indicators.score_change` (columns ``dimension,
        wave_from, wave_to, n_from, n_to, mean_from, mean_to, change, ci_low, ci_high,
        suppressed, display``; ``dimension_label`` and ``_territory`` are used when present).
    territory
        The territory to draw when ``changes`` holds several.
    survey
        Optional: the dimension order of the form.
    lang, title
        Language; title instead of "Évolution entre vagues".

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`). One ``"scatter"``
        ``lines+markers`` trace per published dimension (``x`` = the two waves, ``y`` = the
        two means, ``line.dash`` ``"solid"`` or ``"dot"``, ``meta`` = the dimension name).

    Raises
    ------
    CoopworkError
        When ``changes`` covers several territories and ``territory`` is not one of them.
    """
    tb.require(changes, ["dimension", "wave_from", "wave_to", "n_from", "n_to", "mean_from", "mean_to",
                         "change"], "score_change()")
    table = changes.reset_index(drop=True)
    if "_territory" in table.columns:
        places = list(dict.fromkeys(table["_territory"].astype("str").tolist()))
        if territory is not None or len(places) > 1:
            if territory not in places:
                raise CoopworkError("figures_errors.change_territory", value=territory,
                                    hint="figures_errors.hint_change_territory", places=", ".join(places))
            table = table[table["_territory"].astype("str") == territory].reset_index(drop=True)
    if survey is not None:
        order = {name: i for i, name in enumerate(survey.dimensions)}
        table = table.iloc[sorted(range(len(table)), key=lambda i: order.get(str(table["dimension"].iloc[i]),
                                                                              len(order)))]
    hidden = tb.suppressed(table)
    waves = list(dict.fromkeys([*table["wave_from"].astype("str"), *table["wave_to"].astype("str")]))
    data: list[dict] = []
    annotations = []
    for i, (index, row) in enumerate(table.iterrows()):
        name = str(row["dimension"])
        label = str(row["dimension_label"]) if isinstance(row.get("dimension_label"), str) else \
            dimension_label(name, lang)
        colour = LINE_PALETTE[i % len(LINE_PALETTE)]
        before, after = tb.number(row["mean_from"]), tb.number(row["mean_to"])
        if hidden[index] or before is None or after is None:  # hidden, or nobody scored in one wave
            shown = escape(str(row.get("display") or "—")) if hidden[index] else "—"
            annotations.append({"x": 1.0, "xref": "paper", "y": 1 - i * 0.06, "yref": "paper",
                                "xanchor": "left", "text": f"{escape(label)} : {shown}",
                                "showarrow": False, "font": {"size": 14, "color": "#555555"}})
            continue
        change = tb.number(row["change"])
        low, high = tb.number(row.get("ci_low")), tb.number(row.get("ci_high"))
        significant = low is not None and high is not None and (low > 0 or high < 0)
        text = t("figures.change_label", lang, dimension=escape(label), change=_signed(change, lang),
                 low=_signed(low, lang), high=_signed(high, lang))
        hover = [f"{escape(label)} — {escape(row[wave])} : {format_number(mean, decimals=1, lang=lang)}"
                 f" (n = {format_number(row[n], lang=lang)})"
                 for wave, mean, n in (("wave_from", before, "n_from"), ("wave_to", after, "n_to"))]
        hover[1] += f"<br>{text}"
        data.append({
            "type": "scatter", "x": [str(row["wave_from"]), str(row["wave_to"])], "y": [before, after],
            "mode": "lines+markers", "name": escape(label), "meta": name,
            "line": {"color": colour, "width": 3, "dash": "solid" if significant else "dot"},
            "marker": {"size": 12, "color": colour,
                       "symbol": SYMBOLS[(i // len(LINE_PALETTE)) % len(SYMBOLS)]},
            "customdata": [text, text], "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
    height = max(650, 320 + 40 * len(data))
    annotations += _end_labels(data, height)
    layout = {"xaxis": {"type": "category", "categoryorder": "array", "categoryarray": waves,
                        "title": {"text": t("figures.wave", lang)}, "range": [-0.3, len(waves) - 0.3]},
              "yaxis": {"range": [0, 100], "title": {"text": t("figures.score_axis", lang)}},
              "annotations": annotations, "showlegend": False, "margin": {"r": 420}, "height": height}
    published = table[~hidden]
    n_from = [v for v in tb.numbers(published["n_from"]) if v is not None]
    n_to = [v for v in tb.numbers(published["n_to"]) if v is not None]
    parts = []
    if n_from and n_to:
        parts.append(t("figures.base_change", lang, n_from=format_number(max(n_from), lang=lang),
                       n_to=format_number(max(n_to), lang=lang)))
    parts.append(t("figures.change_dotted", lang))
    if hidden.any():
        parts.append(tb.legend(table, lang))
    if changes.attrs.get("note"):
        parts.append(str(changes.attrs["note"]))
    return apply_theme({"data": data, "layout": layout}, lang=lang,
                       title=title or t("figures.change_title", lang), subtitle=" · ".join(parts))
