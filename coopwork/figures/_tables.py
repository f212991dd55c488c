"""Reading the analysis result tables the same way in every builder (private helpers)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import format_number, hidden_legend
from ..i18n import t
from .theme import base_text

if TYPE_CHECKING:
    from ..survey import Survey

#: columns of a summary table that are not a grouping column
SUMMARY_COLUMNS = frozenset({"question", "option", "label", "n", "base", "missing", "percent", "ci_low",
                             "ci_high", "suppressed", "display", "n_weighted", "percent_weighted", "mean",
                             "sd", "min", "q1", "median", "q3", "max", "mean_weighted",
                             "total", "largest"})


def number(value: object) -> float | None:
    """A float, or None for NA/NaN (plotly draws None as a gap)."""
    if value is None or value is pd.NA:
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def numbers(series: pd.Series) -> list[float | None]:
    """Floats with None for missing values."""
    return [number(v) for v in series.tolist()]


def suppressed(table: pd.DataFrame) -> pd.Series:
    """The ``suppressed`` column as plain booleans (False when absent)."""
    if "suppressed" not in table.columns:
        return pd.Series(False, index=table.index)
    return table["suppressed"].fillna(True).astype(bool)


def require(table: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise a programming error naming the analysis function whose output is expected."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"this figure needs the output of {what}: column(s) {', '.join(missing)} missing")


def by_column(table: pd.DataFrame, by: str | None) -> str | None:
    """The grouping column of a summary (``attrs['by']``, or the one extra column)."""
    if by is not None:
        return by
    if "by" in table.attrs:  # summarise() says it, None included
        return None if table.attrs["by"] is None else str(table.attrs["by"])
    extra = [c for c in table.columns if c not in SUMMARY_COLUMNS and not c.endswith("_label")]
    return extra[0] if extra else None


def group_labels(table: pd.DataFrame, by: str) -> pd.Series:
    """Group label of each row: ``<by>_label`` when present, else the code."""
    label = f"{by}_label"
    source = table[label] if label in table.columns else table[by]
    return source.astype("str").fillna("")


def question_title(table: pd.DataFrame, survey: Survey | None, question: str | None, lang: str) -> str:
    """The question stated in a title: survey label, else ``attrs['question_label']``, else its name."""
    name = question or table.attrs.get("question")
    if name is None and "question" in table.columns and len(table):
        name = str(table["question"].iloc[0])
    if survey is not None and name is not None and name in survey.questions:
        return survey.label(name, lang)
    return str(table.attrs.get("question_label") or name or "")


def group_label(name: object, lang: str, survey: Survey | None = None) -> str:
    """A group of a score table: ``all``/``others`` translated, a territory id labelled by the survey."""
    text = str(name)
    if text.casefold() in {"all", "_all", "ensemble", "tous"}:
        return t("figures.group_all", lang)
    if text.casefold() in {"others", "_others", "autres"}:
        return t("figures.group_others", lang)
    territory = survey.role("territory") if survey is not None else None
    if territory is not None and territory.is_select:
        return survey.choice_labels(territory.name, lang).get(text, text)
    return text


def min_count(table: pd.DataFrame) -> int:
    """The disclosure threshold of a result table (``attrs['min_count']``, else read from "< k")."""
    value = table.attrs.get("min_count")
    if value is not None:
        return int(value)
    shown = table["display"].tolist() if "display" in table.columns else []
    text = next((d for d in shown if isinstance(d, str) and d.startswith("< ")), "< 3")
    try:
        return int(text[2:])
    except ValueError:
        return 3


def legend(table: pd.DataFrame, lang: str, *, hidden: pd.Series | None = None,
           threshold: int | None = None) -> str:
    """What a figure says of its hidden cells, from the rules that hid them (the ``rule`` column; a
    table without it was hidden by the threshold): :func:`coopwork.analysis.disclosure.hidden_legend`.
    ``threshold`` defaults to the table's own (:func:`min_count`)."""
    hidden = suppressed(table) if hidden is None else hidden
    rules = (table.loc[hidden, "rule"].tolist() if "rule" in table.columns
             else ["min_count"] * int(hidden.sum()))
    return hidden_legend(rules, min_count=min_count(table) if threshold is None else threshold, lang=lang)


def table_base(table: pd.DataFrame, computed: tuple[float | None, float | None]
               ) -> tuple[float | None, float | None, bool]:
    """(respondents, missing, too_few) for a subtitle.

    ``summarise`` gives the base of the whole table in ``attrs`` (None when it counts fewer than
    ``min_count`` respondents: then nothing may be said of its size); without it, ``computed``
    (from the published rows) is used.
    """
    if "base" in table.attrs:
        base = table.attrs["base"]
        if base is None:
            return None, None, True
        return float(base), number(table.attrs.get("missing")), False
    return computed[0], computed[1], False


def subtitle(table: pd.DataFrame, lang: str, *, computed: tuple[float | None, float | None] = (None, None),
             notes: list[str] | tuple[str, ...] = (), hidden: bool = False, missing: bool = True) -> str:
    """The subtitle of a chart of a summary: its base (``n = 57 répondants``), how many did not
    answer (unless ``missing`` is False), the ``notes``, then what it says of its ``hidden`` cells
    (:func:`legend`); when the table hides its base (:func:`table_base`), only that too few answered.

    Examples
    --------
    >>> table = pd.DataFrame({"n": [5]})
    >>> table.attrs.update(base=12, missing=2, min_count=3)
    >>> subtitle(table, "en", notes=["weighted"])
    'n = 12 respondents · 2 without answer · weighted'
    >>> table.attrs["base"] = None
    >>> subtitle(table, "en")
    'Fewer than 3 answers: nothing is shown.'
    """
    respondents, missed, too_few = table_base(table, computed)
    if too_few:  # nothing published: not even the size of the base
        return t("figures.too_few", lang, min_count=min_count(table))
    parts = [base_text(int(respondents), lang=lang) if respondents is not None else ""]
    if missing and missed:
        parts.append(t("figures.missing", lang, n=format_number(missed, lang=lang)))
    parts += notes
    if hidden:
        parts.append(legend(table, lang))
    return " · ".join(parts)
