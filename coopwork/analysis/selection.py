"""Tidy helpers shared by the analysis builders: options, filters, applicability, groups.

Input shape: the processed ``responses`` table of ``docs/architecture.md`` (one row per
submission, meta columns ``_submission_id``, ``_wave``, ``_territory``…, one column per
top-level question; select_multiple answers are space-separated choice names).

- :func:`selected` — a select_multiple (or select_one) answer as a boolean frame of options;
- :func:`filter_responses` — keep a territory / wave / condition;
- :func:`applicable` — which respondents a question applied to (decided by
  :mod:`coopwork.survey.relevance`, the form's relevance; given here with the other helpers);
- :func:`groups` — the categories of a ``by`` variable, their labels and each respondent's
  membership (a select_multiple respondent belongs to several groups).

Examples
--------
>>> import pandas as pd
>>> from coopwork.survey import Choice, Question, Survey
>>> q = Question("secteurs", "select_multiple", {"fr": "Secteurs"},
...              choices=(Choice("agri", {"fr": "Agriculture"}), Choice("culture", {"fr": "Culture"})))
>>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"secteurs": q}, {})
>>> responses = pd.DataFrame({"secteurs": ["agri culture", "culture", None]})
>>> selected(responses, survey, "secteurs")
    agri  culture
0   True     True
1  False     True
2   <NA>     <NA>
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CoopworkError, WorkspaceError
from ..survey import Survey
from ..survey.relevance import answered, answers, applicable, evaluate_relevant

__all__ = [
    "META_GROUPS",
    "Groups",
    "answered",
    "applicable",
    "evaluate_relevant",
    "filter_responses",
    "groups",
    "selected",
]

#: ``by`` values that are meta columns of the responses table rather than questions.
META_GROUPS = ("_territory", "_wave")


def selected(responses: pd.DataFrame, survey: Survey, name: str) -> pd.DataFrame:
    """The options chosen by each respondent, one boolean column per choice in form order.

    Parameters
    ----------
    responses
        Processed responses (or relations) table.
    survey
        The survey (choice order).
    name
        A select_multiple or select_one question.

    Returns
    -------
    pandas.DataFrame
        Same index as ``responses``; columns = choice names in form order, then any value found
        in the data that is not in the choice list (sorted); dtype ``boolean``, NA on rows where
        the question was not answered.
    """
    question = survey.question(name)
    if not question.is_select:
        raise CoopworkError("analysis_errors.not_choice", name=name, type=question.type,
                            column=name, hint="analysis_errors.hint_not_choice")
    column = answers(responses, survey, name)
    # plain Python lists: fast, and safe for a column nobody answered (an Arrow "null" column)
    tokens: list[list[str] | None] = []
    for value in column.tolist():
        missing = value is None or value is pd.NA or (isinstance(value, float) and value != value)
        text = "" if missing else str(value)
        tokens.append((text.split() if question.is_multiple else [text.strip()]) if text.strip() else None)
    names = [c.name for c in question.choices]
    extra = sorted({tok for toks in tokens if toks for tok in toks} - set(names))
    columns = [*names, *extra]
    position = {option: i for i, option in enumerate(columns)}
    matrix = np.zeros((len(tokens), len(columns)), dtype=bool)
    for row, toks in enumerate(tokens):
        for tok in toks or ():
            matrix[row, position[tok]] = True
    missing = np.array([toks is None for toks in tokens], dtype=bool)
    data = {option: pd.array(np.where(missing, None, matrix[:, i]), dtype="boolean")
            for i, option in enumerate(columns)}
    return pd.DataFrame(data, index=responses.index, columns=columns)


# --------------------------------------------------------------------------- filters and groups

def _values(option: object) -> list[str]:
    if option is None:
        return []
    if isinstance(option, str):
        return [option]
    return [str(v) for v in option]


def filter_responses(
    responses: pd.DataFrame,
    *,
    territory: str | Iterable[str] | None = None,
    wave: str | Iterable[str] | None = None,
    where: pd.Series | Mapping[str, object] | Callable[[pd.DataFrame], pd.Series] | None = None,
) -> pd.DataFrame:
    """Keep the responses of a territory, a wave and/or a condition (a new frame, index kept).

    Parameters
    ----------
    responses
        Processed responses (or relations) table with ``_territory`` and ``_wave``.
    territory, wave
        One id or several; ``None`` keeps all.
    where
        A boolean Series aligned on ``responses``, a function ``responses -> boolean Series``, or
        a mapping ``{column: value or list of values}`` (a select_multiple column matches when the
        value is one of the selected options).

    Raises
    ------
    WorkspaceError
        A territory or wave that is not in the table (the message lists those that are).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"_territory": ["t1", "t1", "t2"], "_wave": ["2025", "2026", "2026"],
    ...                    "org_type": ["scop", "scic", "scop"]})
    >>> len(filter_responses(df, territory="t1", wave="2026"))
    1
    >>> filter_responses(df, where={"org_type": "scop"})["_territory"].tolist()
    ['t1', 't2']
    """
    mask = pd.Series(True, index=responses.index)
    for column, wanted, noun in (("_territory", territory, "territory"), ("_wave", wave, "wave")):
        values = _values(wanted)
        if not values:
            continue
        present = responses[column].astype("string")
        known = sorted(present.dropna().unique().tolist())
        unknown = [v for v in values if v not in known]
        if unknown:
            raise WorkspaceError("analysis_errors.no_response_territory" if noun == "territory"
                                 else "analysis_errors.no_response_wave", name=unknown[0], column=column,
                                 value=unknown[0], hint="analysis_errors.hint_choose" if known
                                 else "analysis_errors.hint_no_response", choices=", ".join(known))
        mask &= present.isin(values).fillna(False).astype(bool)
    if where is not None:
        if callable(where):
            where = where(responses)
        if isinstance(where, Mapping):
            for column, wanted in where.items():
                values = _values(wanted)
                tokens = responses[column].astype("string").str.split()
                mask &= tokens.map(lambda toks, v=values: any(x in v for x in toks),
                                   na_action="ignore").fillna(False).astype(bool)
        else:
            mask &= pd.Series(where, index=responses.index).fillna(False).astype(bool)
    return responses.loc[mask]


@dataclass(frozen=True)
class Groups:
    """The categories of a ``by`` variable.

    Attributes
    ----------
    column
        The ``by`` name (question name, ``_territory`` or ``_wave``).
    labels
        ``{category: label}`` in display order: choice order for questions (every choice, even
        unused), then values found in the data but not in the choice list (sorted).
    members
        Long frame ``(position, group)``: position of each respondent (0-based, in the
        responses table) and the category it belongs to. A select_multiple respondent appears
        once per selected option; a respondent without an answer appears nowhere.
    """

    column: str
    labels: dict[str, str]
    members: pd.DataFrame


def groups(responses: pd.DataFrame, survey: Survey, by: str, *, lang: str = "fr") -> Groups:
    """Categories, labels and memberships of ``by``.

    ``by`` is a categorical question (select_one, select_multiple — e.g. the ``org_type`` role
    question), ``_territory`` (labels from the ``territory`` role question's choices when it is a
    select_one) or ``_wave``.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Choice, Question, Survey
    >>> q = Question("territoire", "select_one", {"fr": "Territoire"}, role="territory",
    ...              choices=(Choice("t1", {"fr": "Pays de Vilaine"}), Choice("t2", {"fr": "Thiers"})))
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"territoire": q}, {})
    >>> g = groups(pd.DataFrame({"_territory": ["t2", "t2"]}), survey, "_territory")
    >>> g.labels
    {'t1': 'Pays de Vilaine', 't2': 'Thiers'}
    """
    positions = np.arange(len(responses))
    if by in META_GROUPS:
        if by not in responses.columns:
            raise CoopworkError("analysis_errors.no_column", name=by, column=by)
        values = responses[by].astype("string")
        labels: dict[str, str] = {}
        role = survey.role("territory") if by == "_territory" else None
        if role is not None and role.is_select:
            labels = survey.choice_labels(role.name, lang)
        for value in sorted(values.dropna().unique().tolist()):
            labels.setdefault(value, value)
        keep = values.notna().to_numpy()
        members = pd.DataFrame({"position": positions[keep], "group": values[keep].to_numpy()})
        return Groups(by, labels, members)
    question = survey.question(by)
    if not question.is_select:
        raise CoopworkError("analysis_errors.group_by", name=by, type=question.type,
                            column=by, hint="analysis_errors.hint_group_by")
    options = selected(responses, survey, by)
    labels = survey.choice_labels(by, lang)
    for extra in options.columns:
        labels.setdefault(extra, extra)
    rows, cols = np.nonzero(options.fillna(False).to_numpy(dtype=bool))
    members = pd.DataFrame({"position": rows, "group": options.columns.to_numpy()[cols]})
    members = members.sort_values(["position"], kind="stable").reset_index(drop=True)
    return Groups(by, labels, members)
