"""Which respondents a question applied to: the form's relevance, evaluated on the answers.

The one place that reads a question's ``relevant`` conditions (and those of its groups,
``question.applies_when``) against a table of answers: :func:`applicable` — used by the analysis
(the base of a percentage) and by the data export (a missing answer *not applicable* apart from
*no answer*). :func:`answered` says which rows hold an answer, :func:`evaluate_relevant` runs one
expression with the form's own evaluator (:mod:`coopwork.survey.xpath`).

Examples
--------
>>> import pandas as pd
>>> from coopwork.survey import Question, Survey
>>> q = Question("nb", "integer", {"fr": "Combien ?"}, relevant="${mutualise} = 'oui'")
>>> m = Question("mutualise", "text", {"fr": "Mutualise ?"})
>>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"mutualise": m, "nb": q}, {})
>>> df = pd.DataFrame({"mutualise": ["oui", "non", "non"], "nb": pd.array([3, None, 2], dtype="Int64")})
>>> applicable(df, survey, "nb").tolist()  # the third answered: the data win over the form
[True, False, True]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..errors import CoopworkError
from .xpath import XPathError, evaluate, references

if TYPE_CHECKING:
    from .model import Survey

__all__ = ["answered", "answers", "applicable", "evaluate_relevant"]


def answers(responses: pd.DataFrame, survey: Survey, name: str) -> pd.Series:
    """The answers to question ``name`` (its column), with clear errors for an unknown question
    (close names listed) or one absent from the data."""
    survey.question(name)  # raises SurveyError with close names when unknown
    if name not in responses.columns:
        raise CoopworkError("analysis_errors.no_column", name=name, column=name,
                            hint="analysis_errors.hint_not_in_data")
    return responses[name]


def answered(responses: pd.DataFrame, survey: Survey, name: str) -> pd.Series:
    """Boolean Series: the question has an answer (not NA, not an empty string)."""
    values = answers(responses, survey, name)
    result = values.notna()
    if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_datetime64_any_dtype(values):
        result &= values.astype("string").str.strip().ne("").fillna(False)
    return result.astype(bool)


def _as_text(series: pd.Series) -> pd.Series:
    """A typed processed column as the strings XPath sees (numbers without '.0', ISO dates)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").astype("string")
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"}, na_action="ignore").astype("string")
    if pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype(float)
        return values.map(lambda v: str(int(v)) if float(v).is_integer() else repr(float(v)),
                          na_action="ignore").astype("string")
    return series.astype("string")


def evaluate_relevant(responses: pd.DataFrame, expression: str) -> pd.Series | None:
    """Evaluate an XLSForm ``relevant`` expression on every row, or ``None`` if it cannot be.

    Uses ingestion's evaluator (:func:`coopwork.survey.xpath.evaluate`, XPath 1.0 as ODK
    applies it: a missing answer is ``''``, so ``${q} != 'x'`` is true when ``q`` is empty) on the
    referenced columns converted back to the strings the form saw. An expression it does not
    support, or naming a question absent from ``responses`` (e.g. inside a repeat), gives ``None``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"mutualise": ["oui", "non", None], "nb": pd.array([3, 0, None], dtype="Int64")})
    >>> evaluate_relevant(df, "${mutualise} = 'oui' or ${nb} > 2").tolist()
    [True, False, False]
    >>> evaluate_relevant(df, "${mutualise} != 'oui'").tolist()
    [False, True, True]
    >>> evaluate_relevant(df, "indexed-repeat(${x}, ${r}, 1) = 'a'") is None
    True
    """
    try:
        names = references(expression)
        if any(name not in responses.columns for name in names):
            return None
        frame = pd.DataFrame({name: _as_text(responses[name]) for name in names}, index=responses.index)
        return evaluate(expression, frame).astype(bool)
    except XPathError:
        return None


def applicable(responses: pd.DataFrame, survey: Survey, name: str) -> pd.Series:
    """Boolean Series: the respondents to whom question ``name`` applied.

    A respondent is counted when every ``relevant`` condition of the question and of its
    enclosing groups (``question.applies_when``) is true for them (see
    :func:`evaluate_relevant`) **or** when they answered it (the data win over the form). A
    condition that cannot be evaluated is taken as true.
    """
    question = survey.question(name)
    applies = pd.Series(True, index=responses.index)
    for expression in question.applies_when:
        relevant = evaluate_relevant(responses, expression)
        if relevant is not None:
            applies &= relevant
    if not question.applies_when:
        return applies
    return (applies | answered(responses, survey, name)).astype(bool)
