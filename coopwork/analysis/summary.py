"""Per-question summaries driven by the Survey (counts, percentages, numbers), disclosure-protected.

Produces the *summary table* read by the figures (bar charts, diverging Likert bars,
distribution plots) and by the notebooks. See :func:`summarise` for the columns.

Examples
--------
>>> import pandas as pd
>>> from coopwork.survey import Choice, Question, Survey
>>> likert = tuple(Choice(str(i), {"fr": f"niveau {i}", "en": f"level {i}"}) for i in range(1, 6))
>>> q = Question("confiance", "select_one", {"fr": "Confiance", "en": "Trust"},
...              appearance="likert", choices=likert)
>>> survey = Survey("demo", "Démo", None, ["fr", "en"], "fr", {"confiance": q}, {})
>>> responses = pd.DataFrame({"confiance": ["4", "5", "4", "2", "4", None]})
>>> table = summarise(responses, survey, "confiance", lang="en")
>>> table[["option", "label", "n", "base", "missing", "display"]]
  option    label     n  base  missing     display
0      1  level 1     0     5     <NA>        0 (0%)
1      2  level 2  <NA>  <NA>     <NA>         < 3
2      3  level 3     0     5     <NA>        0 (0%)
3      4  level 4     3     5     <NA>       3 (60%)
4      5  level 5  <NA>  <NA>     <NA>         < 3

One respondent did not answer: that count (1) is below the threshold, so ``missing`` is not
published either (``protect``'s rule 6).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import CoopworkError
from ..i18n import t
from ..survey import Question, Survey, display_kind
from .disclosure import DEFAULT_MIN_COUNT, DOMINANCE, format_number, format_percent, is_small, protect
from .freetext import theme_hits
from .periods import coarser as next_unit
from .periods import periods
from .selection import answered, applicable, groups, selected
from .stats import effective_n, wilson_interval

__all__ = ["Prepared", "coarser", "prepare", "summarise", "summarise_many", "summarise_rows", "weight_values"]


@dataclass(frozen=True)
class _Group:
    code: str | None
    label: str | None
    positions: np.ndarray


def _groups(responses: pd.DataFrame, survey: Survey, by: str | None, lang: str) -> list[_Group]:
    if by is None:
        return [_Group(None, None, np.arange(len(responses)))]
    found = groups(responses, survey, by, lang=lang)
    members = found.members.groupby("group")["position"].agg(lambda s: s.to_numpy())
    return [_Group(code, label, members.get(code, np.array([], dtype=int)))
            for code, label in found.labels.items()]


def weight_values(responses: pd.DataFrame, weights: str | pd.Series | None) -> np.ndarray | None:
    """Survey weights as a float array aligned on ``responses`` (``None`` when unweighted).

    ``weights`` is a column name (e.g. the question with ``coopwork::role = weight``) or a Series
    aligned on ``responses``. Weights must be present and non-negative.

    Raises
    ------
    CoopworkError
        A missing or negative weight (the message gives its row).
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in responses.columns:
            raise CoopworkError("analysis_errors.no_weights", name=weights,
                                column=weights, hint="analysis_errors.hint_no_weights")
        series = responses[weights]
        name = weights
    else:
        series = pd.Series(weights).reindex(responses.index)
        name = str(getattr(weights, "name", None) or "weights")
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(values) | (values < 0))
    if bad.size:
        raise CoopworkError("analysis_errors.bad_weight", row=int(bad[0]) + 1, column=name,
                            value=series.iloc[bad[0]], hint="analysis_errors.hint_bad_weight")
    return values


#: the kind of summary of each display (:func:`coopwork.survey.display_kind`)
_KINDS = {"histogram": "numeric", "periods": "periods", "rank": "rank", "themes": "themes",
          "answers": "answers", "positions": "answers"}


def _kind(survey: Survey, question: Question, codebook: Mapping | None = None) -> str | None:
    """The summary of a question: from its display, the select questions by their answers' shape."""
    display, _reason = display_kind(survey, question, codebook=codebook, published=False)
    if display == "likert":
        return "likert" if question.type == "select_one" else "select_one"
    if display == "bars":
        return "select_multiple" if question.is_multiple else "select_one"
    return _KINDS.get(display) if display else None


def summarise(
    responses: pd.DataFrame,
    survey: Survey,
    question: str,
    *,
    by: str | None = None,
    lang: str = "fr",
    weights: str | pd.Series | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    dominance: float | None = DOMINANCE,
) -> pd.DataFrame:
    """Summarise one question: counts and percentages, or numbers, overall or by group.

    Parameters
    ----------
    responses
        Processed responses table (or the relations table for a question of the relations
        repeat), already filtered to the territory/wave of interest.
    survey
        The survey: choice order, labels, ``relevant``.
    question
        A select_one, select_multiple, Likert or numeric (integer, decimal, range) question.
    by
        Optional grouping: a select_one or select_multiple question (e.g. the ``org_type`` role
        question), ``"_territory"`` or ``"_wave"``. Every category of ``by`` is shown, even empty.
        A respondent with several options of a select_multiple ``by`` counts in each group.
    lang
        Language of the labels (falls back to the survey's default language).
    weights
        Optional survey weights (column name or Series). Counts and the base stay unweighted
        (they decide disclosure); weighted columns are added next to them.
    min_count
        Disclosure threshold (see :func:`~coopwork.analysis.disclosure.protect`).
    dominance
        Numeric questions: a group where one respondent holds more than this share of the
        total (default 85 %) is hidden (dominance rule); ``None`` switches it off.

    Returns
    -------
    pandas.DataFrame
        **Choice questions** (select_one, select_multiple, Likert): one row per (group ×) option,
        in choice order, every option shown even at 0, then values found in the data outside the
        choice list. Columns:

        - ``<by>``, ``<by>_label`` — group code and label (only with ``by``);
        - ``question`` — question name; ``option`` — choice name; ``label`` — choice label;
        - ``n`` — respondents who chose the option;
        - ``base`` — respondents to whom the question applied and who answered it (the
          denominator). *Applied* means its ``relevant`` evaluates to true (see
          :func:`~coopwork.analysis.selection.applicable`; a ``relevant`` that cannot be evaluated
          applies to everyone);
        - ``missing`` — respondents to whom it applied but who did not answer;
        - ``percent`` — ``100 * n / base``; for select_multiple, percent of respondents:
          totals may exceed 100 % (said in ``attrs["note"]``);
        - ``ci_low``, ``ci_high`` — 95 % Wilson interval of ``percent`` (0–100 scale); with
          weights, computed on the weighted proportion with Kish's effective base;
        - ``n_weighted``, ``percent_weighted`` — only with ``weights``;
        - ``suppressed``, ``display`` — disclosure columns; ``display`` reads ``"12 (34 %)"``.

        **Numeric questions**: one row per group: ``<by>``, ``<by>_label``, ``question``, ``n``
        (answers), ``base`` (= ``n``, the respondents it applied to and who answered),
        ``missing``, ``mean``, ``sd`` (ddof=1), ``min``, ``q1``, ``median``, ``q3``, ``max``
        (numpy's linear quantiles), ``total`` (sum of the answers), ``mean_weighted`` with
        weights, ``suppressed``, ``display`` (the mean). Besides the threshold rule, the
        dominance rule applies: one organisation holding more than 85 % of the total (e.g. of
        the jobs of a territory) hides the group. With ``by``, a single hidden group would be
        recomputed from the overall figures, so a second group is hidden too.

        **Other questions**, after their display (:func:`coopwork.survey.display_kind`): dates and
        times are counted by period like a single choice (``option`` is the period's key, e.g.
        ``2024-03``, ``label`` its name; :mod:`coopwork.analysis.periods`); a rank question has one
        row per option and position (``ranked``, ``position``, ``option`` = ``<ranked>@<position>``),
        each option's and each position's cells protected together; free text the codebook covers
        is counted by theme like a multiple choice; other free text and positions have one row:
        ``n`` (answered, the texts and positions themselves are never summarised), ``base``,
        ``missing``.

        ``attrs``: ``question``, ``question_label``, ``kind`` (``select_one``, ``select_multiple``,
        ``likert``, ``numeric``, ``periods``, ``rank``, ``themes``, ``answers``), ``by``, ``lang``,
        ``min_count``, ``note``,
        ``base`` and ``missing`` of the whole table (for titles; ``None`` when the whole table
        counts fewer than ``min_count`` respondents).

        Disclosure: a row counting 1 or 2 respondents, or belonging to a group of fewer than
        ``min_count`` respondents (base + missing), is suppressed; for select_one and Likert the
        options of a group add up to its base, so secondary suppression protects each group and
        each option across groups.

    Examples
    --------
    See the module docstring; a numeric question:

    >>> import pandas as pd
    >>> from coopwork.survey import Question, Survey
    >>> q = Question("salaries", "integer", {"fr": "Nombre de salariés"})
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"salaries": q}, {})
    >>> df = pd.DataFrame({"salaries": pd.array([2, 4, 10, 30, None], dtype="Int64")})
    >>> summarise(df, survey, "salaries")[["n", "missing", "mean", "median", "display"]]
       n  missing  mean  median display
    0  4     <NA>  11.5     7.0    11,5
    """
    if by == question:
        raise CoopworkError("analysis_errors.summarise_itself", name=question, column=by,
                            hint="analysis_errors.hint_summarise_itself")
    prepared = prepare(responses, survey, question)
    w = weight_values(responses, weights)
    return _summarise(prepared, survey, _groups(responses, survey, by, lang), by=by, weights=w, lang=lang,
                      min_count=min_count, dominance=dominance)


@dataclass(frozen=True)
class Prepared:
    """One question's answers turned into arrays once (see :func:`prepare`)."""

    question: Question
    kind: str
    applies: np.ndarray
    done: np.ndarray
    options: list[str]
    chosen: np.ndarray | None
    values: np.ndarray | None
    #: ``(option, lang) -> label`` of options that are not the form's choices (periods, themes, ranks)
    labels: Callable[[str, str], str] | None = None
    #: the periods of a date or time question (:class:`~coopwork.analysis.periods.Periods`), to count
    #: them again by a coarser unit (:func:`coarser`)
    periods: object = None


def prepare(responses: pd.DataFrame, survey: Survey, question: str, *,
            codebook: Mapping | None = None) -> Prepared:
    """Parse one question's answers once, to summarise many subsets of rows with :func:`summarise_rows`.

    The results layer prepares every published question on the whole table of a wave, then
    summarises each territory and each organisation type from row positions: same numbers as
    :func:`summarise` on the subset, without parsing the answers again. How a question is summarised
    follows its display (:func:`coopwork.survey.display_kind`): choices, numbers, dates by period
    (the periods of the whole table), ranks, themes (with ``codebook``), or only whether it was
    answered (free text, positions).

    Raises
    ------
    CoopworkError
        For a question that is never published (a note, an identifier…) or is not in the table.
    """
    q = survey.question(question)
    kind = _kind(survey, q, codebook)
    if kind is None:
        raise CoopworkError("analysis_errors.cannot_summarise", name=question, type=q.type, column=question,
                            hint="analysis_errors.hint_cannot_summarise")
    applies = applicable(responses, survey, question).to_numpy(dtype=bool)
    done = answered(responses, survey, question).to_numpy(dtype=bool)
    if kind == "numeric":
        values = pd.to_numeric(responses[question], errors="coerce").astype(float).to_numpy(
            dtype=float, na_value=np.nan)
        return Prepared(q, kind, applies, done, [], None, values)
    if kind == "answers":
        return Prepared(q, kind, applies, done, [], None, None)
    if kind == "periods":
        found = periods(responses[question], q.type)
        return _by_period(Prepared(q, kind, applies, done, [], None, None), found)
    if kind == "rank":
        options, chosen = _ranks(responses[question], [c.name for c in q.choices])
        labels = survey.choice_labels(question, "en")
        return Prepared(q, kind, applies, done & chosen.any(axis=1), options, chosen, None,
                        lambda option, lang: _rank_label(survey, question, option, lang, labels))
    if kind == "themes":
        options, chosen, label = theme_hits(responses[question], codebook)
        return Prepared(q, kind, applies, done, options, chosen & done[:, None], None, label)
    options = selected(responses, survey, question)
    return Prepared(q, kind, applies, done, list(options.columns),
                    options.fillna(False).to_numpy(dtype=bool), None)


def _by_period(prepared: Prepared, found: object) -> Prepared:
    answered = prepared.done & found.chosen.any(axis=1)  # an unreadable date or time is no answer
    return replace(prepared, done=answered, options=found.options, chosen=found.chosen, labels=found.label,
                   periods=found)


def coarser(prepared: Prepared) -> Prepared | None:
    """A date or time question's answers counted by the next coarser period (None: already the
    coarsest, or not a date). The results take it when the disclosure control hides most periods.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Question, Survey
    >>> survey = Survey("s", "S", None, ["en"], "en", {"d": Question("d", "date")}, {})
    >>> answers = pd.DataFrame({"d": pd.to_datetime(["2024-01-05", "2024-02-11", "2024-03-20"])})
    >>> prepared = prepare(answers, survey, "d")
    >>> prepared.options, coarser(prepared).options
    (['2024-01', '2024-02', '2024-03'], ['2024-Q1'])
    """
    found = next_unit(prepared.periods) if prepared.periods is not None else None
    return None if found is None else _by_period(prepared, found)


#: the separator of a rank cell's key: ``<option>@<position>``
RANK_MARK = "@"


def _ranks(values: pd.Series, names: list[str]) -> tuple[list[str], np.ndarray]:
    """The options of a rank question × the positions they were given: ``<option>@<position>`` keys and
    a boolean matrix (an answer ``"b a c"`` puts ``b`` 1st, ``a`` 2nd, ``c`` 3rd)."""
    answers = [str(v).split() if isinstance(v, str) and v.strip() else [] for v in values.tolist()]
    extra = sorted({o for answer in answers for o in answer} - set(names))
    order = [*names, *extra]
    size = max([len(order)] + [len(a) for a in answers])
    options = [f"{o}{RANK_MARK}{k}" for o in order for k in range(1, min(size, len(order)) + 1)]
    column = {key: i for i, key in enumerate(options)}
    chosen = np.zeros((len(answers), len(options)), dtype=bool)
    for row, answer in enumerate(answers):
        for position, option in enumerate(answer, start=1):
            key = f"{option}{RANK_MARK}{position}"
            if key in column:
                chosen[row, column[key]] = True
    return options, chosen


def _rank_label(survey: Survey, question: str, option: str, lang: str, _labels: dict) -> str:
    name, _, position = option.rpartition(RANK_MARK)
    label = survey.choice_labels(question, lang).get(name, name)
    return t("analysis.rank_position", lang, label=label, position=position)


def summarise_rows(prepared: Prepared, survey: Survey, rows: np.ndarray | None = None, *, lang: str = "fr",
                   min_count: int = DEFAULT_MIN_COUNT, dominance: float | None = DOMINANCE) -> pd.DataFrame:
    """:func:`summarise` (no ``by``, no weights) of the rows at positions ``rows`` of a prepared question.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coopwork.survey import Question, Survey
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {"n": Question("n", "integer", {"fr": "N"})}, {})
    >>> prepared = prepare(pd.DataFrame({"n": [1, 2, 3, 40, 50, 60]}), survey, "n")
    >>> summarise_rows(prepared, survey, np.array([3, 4, 5]))["display"].tolist()
    ['50,0']
    """
    positions = np.arange(len(prepared.done)) if rows is None else np.asarray(rows, dtype=int)
    return _summarise(prepared, survey, [_Group(None, None, positions)], by=None, weights=None, lang=lang,
                      min_count=min_count, dominance=dominance)


def summarise_many(prepared: list[Prepared], survey: Survey, rows: np.ndarray | None = None, *,
                   lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT,
                   dominance: float | None = DOMINANCE) -> dict[str, pd.DataFrame]:
    """:func:`summarise_rows` of several prepared questions at once, on the same rows.

    The questions are put in one long table per rule family (single choice and scales, whose
    options add up to the base of their question; multiple choice; numbers) and each family
    goes through :func:`~coopwork.analysis.disclosure.protect` once, with the same rules as
    question by question (secondary suppression within each question). Same tables as
    :func:`summarise_rows`, several times faster on a territory's 30–60 questions.

    Returns
    -------
    dict
        Question name → its protected table, with the same ``attrs`` as :func:`summarise`.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Choice, Question, Survey
    >>> yes_no = (Choice("oui", {"fr": "Oui"}), Choice("non", {"fr": "Non"}))
    >>> qs = {n: Question(n, "select_one", {"fr": n}, choices=yes_no) for n in ("a", "b")}
    >>> survey = Survey("demo", "Démo", None, ["fr"], "fr", qs, {})
    >>> data = pd.DataFrame({"a": ["oui"] * 5 + ["non"], "b": ["oui"] * 3 + ["non"] * 3})
    >>> tables = summarise_many([prepare(data, survey, "a"), prepare(data, survey, "b")], survey)
    >>> tables["a"]["display"].tolist(), tables["b"]["display"].tolist()  # "oui" (5) hidden to protect "non"
    (['masqué', '< 3'], ['3 (50\u202f%)', '3 (50\u202f%)'])
    """
    families: dict[str, list[Prepared]] = {"single": [], "multiple": [], "numeric": [], "rank": [],
                                           "answers": []}
    for item in prepared:
        family = {"numeric": "numeric", "select_multiple": "multiple", "themes": "multiple", "rank": "rank",
                  "answers": "answers"}.get(item.kind, "single")
        families[family].append(item)
    out: dict[str, pd.DataFrame] = {}
    for family, items in families.items():
        if not items:
            continue
        positions = np.arange(len(items[0].done)) if rows is None else np.asarray(rows, dtype=int)
        group = [_Group(None, None, positions)]
        if family == "numeric":
            parts = [_numeric_rows(p.values, p.question.name, group, p.applies, p.done, None) for p in items]
        elif family == "answers":
            parts = [_answer_rows(p, group) for p in items]
        else:
            parts = [_choice_rows(p, survey, group, None, lang) for p in items]
        rows_all = [row for part in parts for row in part]
        extra: dict[str, object] = {}
        if family == "numeric" and dominance is not None:
            extra = {"dominance": dominance, "total_column": "_abs_total", "largest_column": "_largest"}
        long = _numeric_table(rows_all) if family in ("numeric", "answers") else _choice_table(rows_all)
        margins = {"single": ["question"], "rank": [["question", "ranked"], ["question", "position"]]}
        if family == "rank":
            long = _rank_columns(long)
        table = protect(long, count="n", min_count=min_count,
                        base=["base", "missing"], margins=margins.get(family),
                        lang=lang, display=_DISPLAYS.get(family, _choice_display), **extra)
        table = table.drop(columns=[c for c in ("_abs_total", "_largest") if c in table.columns])
        start = 0
        for item, part in zip(items, parts, strict=True):
            piece = table.iloc[start:start + len(part)].reset_index(drop=True)
            start += len(part)
            piece.attrs = _attrs(item, survey, positions, by=None, lang=lang, min_count=min_count)
            out[item.question.name] = piece
    return out


def _attrs(prepared: Prepared, survey: Survey, everyone: np.ndarray, *, by: str | None, lang: str,
           min_count: int) -> dict:
    """The ``attrs`` of a summary: question, label, kind, and the whole table's base (for titles)."""
    applies, done = prepared.applies, prepared.done
    base_all = int(done[everyone].sum())
    missing_all = int((applies[everyone] & ~done[everyone]).sum())
    shown = not is_small(base_all + missing_all, min_count)
    name = prepared.question.name
    return {"question": name, "question_label": survey.label(name, lang), "kind": prepared.kind, "by": by,
            "lang": lang, "min_count": min_count,
            "note": {"select_multiple": t("analysis.note_multiple", lang),
                     "themes": t("analysis.note_themes", lang)}.get(prepared.kind, ""),
            "base": base_all if shown else None,
            "missing": missing_all if shown and not is_small(missing_all, min_count) else None}


def _summarise(prepared: Prepared, survey: Survey, group_list: list[_Group], *, by: str | None,
               weights: np.ndarray | None, lang: str, min_count: int,
               dominance: float | None) -> pd.DataFrame:
    q, kind, applies, done, w = prepared.question, prepared.kind, prepared.applies, prepared.done, weights
    question = q.name
    if kind == "numeric":
        table = _numeric(prepared.values, question, group_list, applies, done, w)
    elif kind == "answers":
        table = _numeric_table(_answer_rows(prepared, group_list))
    else:
        table = _choices(prepared, survey, group_list, w, lang)
        if kind == "rank":
            table = _rank_columns(table)
    if by is not None:
        table.insert(0, f"{by}_label", pd.array([g.label for g in group_list for _ in range(
            len(table) // max(len(group_list), 1))], dtype="str"))
        table.insert(0, by, pd.array([g.code for g in group_list for _ in range(
            len(table) // max(len(group_list), 1))], dtype="str"))

    extra: dict[str, object] = {}
    if kind == "numeric":
        # the groups add up to the overall summary: a lone hidden group would be recomputed
        margins = [None] if by is not None else None
        display = _numeric_display
        if dominance is not None:
            extra = {"dominance": dominance, "total_column": "_abs_total", "largest_column": "_largest"}
    elif kind == "answers":
        margins, display = None, _count_display
    elif kind == "rank":
        keys = [by] if by is not None else []
        margins, display = [[*keys, "ranked"], [*keys, "position"]], _choice_display
    else:
        several = kind in ("select_multiple", "themes")  # an answer may count in several options
        margins = (["option"] if by is not None else None) if several else (
            [by, "option"] if by is not None else [None])
        display = _choice_display
    out = protect(table, count="n", min_count=min_count, base=["base", "missing"], margins=margins,
                  lang=lang, display=display, **extra)
    out = out.drop(columns=[c for c in ("_abs_total", "_largest") if c in out.columns])
    # the whole table's base (for titles): every row with a grouping, the group's rows without
    everyone = group_list[0].positions if by is None else np.arange(len(done))
    out.attrs.update(_attrs(prepared, survey, everyone, by=by, lang=lang, min_count=min_count))
    return out


def _answer_rows(prepared: Prepared, group_list: list[_Group]) -> list[dict]:
    """How many answered (free text, positions): the answers themselves are never summarised."""
    rows = []
    for group in group_list:
        pos = group.positions
        n = int(prepared.done[pos].sum())
        rows.append({"question": prepared.question.name, "n": n, "base": n,
                     "missing": int((prepared.applies[pos] & ~prepared.done[pos]).sum())})
    return rows


def _rank_columns(table: pd.DataFrame) -> pd.DataFrame:
    """A rank question's cells with the option ranked and the position apart (``option`` is ``a@2``)."""
    keys = table["option"].astype(str).str.rpartition(RANK_MARK)  # keys are text: protect() blanks numbers
    return table.assign(ranked=keys[0].astype("str"), position=keys[2].astype("str"))


def _count_display(row: Mapping[str, object], lang: str) -> str:
    return format_number(row["n"], lang=lang)


def _choice_display(row: Mapping[str, object], lang: str) -> str:
    if pd.isna(row["percent"]):
        return format_number(row["n"], lang=lang)
    return f"{format_number(row['n'], lang=lang)} ({format_percent(row['percent'], lang=lang)})"


def _numeric_display(row: Mapping[str, object], lang: str) -> str:
    return format_number(row["mean"], decimals=1, lang=lang)


_DISPLAYS = {"numeric": _numeric_display, "answers": _count_display}


def _choices(prepared: Prepared, survey: Survey, group_list: list[_Group], w: np.ndarray | None,
             lang: str) -> pd.DataFrame:
    return _choice_table(_choice_rows(prepared, survey, group_list, w, lang))


def _choice_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=["question", "option", "label", "n", "base", "missing", "percent",
                                      "ci_low", "ci_high"])
    return _typed(table, ints=("n", "base", "missing"),
                  floats=("percent", "ci_low", "ci_high", "n_weighted", "percent_weighted"),
                  strings=("question", "option", "label"))


def _choice_rows(prepared: Prepared, survey: Survey, group_list: list[_Group], w: np.ndarray | None,
                 lang: str) -> list[dict]:
    q, applies, done = prepared.question, prepared.applies, prepared.done
    if prepared.labels is not None:
        labels = {option: prepared.labels(option, lang) for option in prepared.options}
    else:
        labels = survey.choice_labels(q.name, lang)
    names, chosen = prepared.options, prepared.chosen
    rows = []
    for group in group_list:
        pos = group.positions
        in_base = done[pos]
        base = int(in_base.sum())
        missing = int((applies[pos] & ~done[pos]).sum())
        counts = chosen[pos][in_base].sum(axis=0) if base else np.zeros(len(names), dtype=int)
        if w is not None:
            gw = w[pos][in_base]
            weighted = (chosen[pos][in_base] * gw[:, None]).sum(axis=0) if base else np.zeros(len(names))
            base_w = float(gw.sum())
            share = weighted / base_w if base_w > 0 else np.full(len(names), np.nan)
            low, high = wilson_interval(share * effective_n(gw), effective_n(gw))
        else:
            share = counts / base if base else np.full(len(names), np.nan)
            low, high = wilson_interval(counts, base)
        for i, option in enumerate(names):
            row = {"question": q.name, "option": option, "label": labels.get(option, option),
                   "n": int(counts[i]), "base": base, "missing": missing,
                   "percent": 100 * counts[i] / base if base else np.nan,
                   "ci_low": 100 * float(low[i]), "ci_high": 100 * float(high[i])}
            if w is not None:
                row["n_weighted"] = float(weighted[i])
                row["percent_weighted"] = 100 * float(share[i])
            rows.append(row)
    return rows


def _numeric(values: np.ndarray, name: str, group_list: list[_Group], applies: np.ndarray,
             done: np.ndarray, w: np.ndarray | None) -> pd.DataFrame:
    return _numeric_table(_numeric_rows(values, name, group_list, applies, done, w))


def _numeric_table(rows: list[dict]) -> pd.DataFrame:
    return _typed(pd.DataFrame(rows), ints=("n", "base", "missing"),
                  floats=("mean", "sd", "min", "q1", "median", "q3", "max", "total", "_abs_total",
                          "_largest", "mean_weighted"),
                  strings=("question",))


def _numeric_rows(values: np.ndarray, name: str, group_list: list[_Group], applies: np.ndarray,
                  done: np.ndarray, w: np.ndarray | None) -> list[dict]:
    rows = []
    for group in group_list:
        pos = group.positions
        x = values[pos][done[pos]]
        x = x[~np.isnan(x)]
        n = int(x.size)
        row = {"question": name, "n": n, "base": n, "missing": int((applies[pos] & ~done[pos]).sum())}
        if n:
            q1, median, q3 = np.percentile(x, [25, 50, 75])
            row.update(mean=float(x.mean()), sd=float(x.std(ddof=1)) if n > 1 else np.nan,
                       min=float(x.min()), q1=float(q1), median=float(median), q3=float(q3),
                       max=float(x.max()), total=float(x.sum()), _abs_total=float(np.abs(x).sum()),
                       _largest=float(np.abs(x).max()))
        else:
            row.update(mean=np.nan, sd=np.nan, min=np.nan, q1=np.nan, median=np.nan, q3=np.nan, max=np.nan,
                       total=np.nan, _abs_total=np.nan, _largest=np.nan)
        if w is not None:
            gw = w[pos][done[pos]][~np.isnan(values[pos][done[pos]])]
            row["mean_weighted"] = float((x * gw).sum() / gw.sum()) if gw.sum() > 0 else np.nan
        rows.append(row)
    return rows


def _typed(table: pd.DataFrame, *, ints: tuple[str, ...], floats: tuple[str, ...],
           strings: tuple[str, ...]) -> pd.DataFrame:
    for column in ints:
        if column in table.columns:
            table[column] = table[column].astype("Int64")
    for column in floats:
        if column in table.columns:
            table[column] = table[column].astype("Float64")
    for column in strings:
        if column in table.columns:
            table[column] = table[column].astype("str")
    return table
