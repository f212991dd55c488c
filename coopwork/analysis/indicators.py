"""Composite indicators by dimension (governance, trust, mutualisation…), compared and followed over waves.

Formula (documented, configurable with :class:`DimensionScore`)
----------------------------------------------------------------
For each respondent and dimension:

1. each item (a Likert or numeric question of the dimension) is **rescaled to 0–100**:
   ``100 * (value - low) / (high - low)`` where ``low``/``high`` are the smallest and largest
   numeric choice names of a Likert item (1 and 5 on a 1–5 scale) or the ``scale`` given in the
   configuration for a numeric item; choices that are not numbers ("ne sait pas") count as
   missing; a **reverse-coded** item becomes ``100 - rescaled``;
2. the **score** is the mean of the rescaled items the respondent answered, **if** they answered
   at least ``min_items`` of them (default: half of the items, rounded up), else missing.

With ``rescale=False`` the score is the mean of the raw values (reverse-coded items as
``low + high - value``).

Tables
------
- :func:`dimension_scores` → respondent level (not for publication): ``_submission_id``,
  ``_territory``, ``_wave``, ``organisation``, ``dimension``, ``score``, ``items_answered``.
- :func:`compare_scores` → a territory against the others and all (protected).
- :func:`score_change` → wave-over-wave change with a Welch interval (protected).

Examples
--------
>>> import pandas as pd
>>> from coopwork.survey import Choice, Question, Survey
>>> scale = tuple(Choice(str(i), {"fr": str(i)}) for i in range(1, 6))
>>> qs = {name: Question(name, "select_one", {"fr": name}, appearance="likert", dimension="trust",
...                      choices=scale) for name in ("engagements", "conflits")}
>>> survey = Survey("demo", "Démo", None, ["fr"], "fr", qs, {})
>>> df = pd.DataFrame({"_submission_id": ["a", "b"], "_territory": "t1", "_wave": "2025",
...                    "engagements": ["5", "3"], "conflits": ["4", None]})
>>> config = {"trust": DimensionScore("trust", ("engagements", "conflits"), min_items=1)}
>>> dimension_scores(df, survey, config=config)[["_submission_id", "score", "items_answered"]]
  _submission_id  score  items_answered
0              a   87.5               2
1              b   50.0               1
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import vocabulary
from ..errors import CoopworkError
from ..i18n import t
from ..survey import Question, Survey
from .disclosure import DEFAULT_MIN_COUNT, format_number, protect
from .stats import mean_interval, welch_interval
from .yamlfile import read_yaml

__all__ = [
    "DimensionScore",
    "compare_scores",
    "default_config",
    "dimension_label",
    "dimension_scores",
    "load_config",
    "score_change",
]


@dataclass(frozen=True)
class DimensionScore:
    """How the score of one dimension is computed.

    Attributes
    ----------
    dimension
        Dimension name (``governance``, ``trust``…).
    items
        Question names (Likert or numeric) averaged into the score.
    reverse
        Items coded the other way round (agreement means *less* of the dimension).
    min_items
        Fewest answered items for a score; ``None``: half of the items, rounded up.
    rescale
        Rescale every item to 0–100 before averaging (default) or average raw values.
    scale
        ``{item: (low, high)}`` for numeric items (Likert items take their choice range).
    labels
        ``{lang: label}`` of the dimension (defaults to coopwork's own dimension names).
    """

    dimension: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    min_items: int | None = None
    rescale: bool = True
    scale: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def required(self) -> int:
        """The effective minimum number of answered items."""
        return self.min_items if self.min_items is not None else max(1, math.ceil(len(self.items) / 2))


def default_config(survey: Survey) -> dict[str, DimensionScore]:
    """One :class:`DimensionScore` per dimension holding Likert questions (top level), in form order.

    Examples
    --------
    >>> from coopwork.demo import sample_survey_path
    >>> from coopwork.survey import load_survey
    >>> config = default_config(load_survey(sample_survey_path()))
    >>> "trust" in config and config["trust"].required >= 1
    True
    """
    config: dict[str, DimensionScore] = {}
    for dimension, questions in survey.dimensions.items():
        items = tuple(q.name for q in questions if q.is_likert and q.repeat is None)
        if items:
            config[dimension] = DimensionScore(dimension, items)
    return config


def load_config(path: str | Path, survey: Survey | None = None) -> dict[str, DimensionScore]:
    """Read a researcher-editable YAML configuration of the scores.

    Format::

        governance:
          items: [gouv_decisions_partagees, gouv_habitants, gouv_collectivite]
          reverse: []
          min_items: 2
          rescale: true
          labels: {fr: Gouvernance partagée, en: Shared governance}

    With ``survey``, every item is checked (it must be a Likert or numeric question).

    Raises
    ------
    CoopworkError
        Unreadable file, wrong structure, unknown item (the message names it).
    """
    path = Path(path)
    data = read_yaml(path, what="scores")
    if not isinstance(data, dict):
        raise CoopworkError("analysis_errors.config_not_mapping", file=path,
                            hint="analysis_errors.hint_config_mapping")
    config = {}
    for dimension, spec in data.items():
        if not isinstance(spec, dict) or not spec.get("items"):
            raise CoopworkError("analysis_errors.dimension_no_items", dimension=dimension, file=path,
                                column=str(dimension), hint="analysis_errors.hint_dimension_items")
        scale = {k: (float(v[0]), float(v[1])) for k, v in (spec.get("scale") or {}).items()}
        config[str(dimension)] = DimensionScore(
            str(dimension), tuple(map(str, spec["items"])), tuple(map(str, spec.get("reverse") or ())),
            spec.get("min_items"), bool(spec.get("rescale", True)), scale,
            {str(k): str(v) for k, v in (spec.get("labels") or {}).items()})
    if survey is not None:
        for score in config.values():
            _check(score, survey, path)
    return config


def _check(score: DimensionScore, survey: Survey, file: object = None) -> None:
    for item in (*score.items, *score.reverse):
        if item not in survey.questions:
            survey.question(item)  # SurveyError with close names
        question = survey.questions[item]
        if not (question.is_likert or question.is_numeric):
            raise CoopworkError("analysis_errors.item_not_scorable", name=item, dimension=score.dimension,
                                type=question.type, file=file, column=item,
                                hint="analysis_errors.hint_item_not_scorable")
    unknown = set(score.reverse) - set(score.items)
    if unknown:
        raise CoopworkError("analysis_errors.reverse_unknown", name=sorted(unknown)[0],
                            dimension=score.dimension, file=file, hint="analysis_errors.hint_reverse_unknown")
    if score.required > len(score.items) or score.required < 1:
        raise CoopworkError("analysis_errors.min_items", dimension=score.dimension, n=len(score.items),
                            file=file, value=score.min_items)


def dimension_label(dimension: str, lang: str = "fr",
                    config: Mapping[str, DimensionScore] | None = None) -> str:
    """Label of a dimension: from the configuration, else coopwork's catalogue, else the name.

    Examples
    --------
    >>> dimension_label("governance", "fr"), dimension_label("governance", "en")
    ('Gouvernance', 'Governance')
    """
    labels = config[dimension].labels if config and dimension in config else None
    return vocabulary.dimension_label(dimension, lang, labels=labels)


def _item_range(question: Question, score: DimensionScore) -> tuple[float, float]:
    if question.name in score.scale:
        return score.scale[question.name]
    numbers = [float(c.name) for c in question.choices if _is_number(c.name)]
    if question.is_likert and len(numbers) >= 2:
        return min(numbers), max(numbers)
    raise CoopworkError("analysis_errors.needs_scale", name=question.name, dimension=score.dimension,
                        column=question.name, hint="analysis_errors.hint_needs_scale")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def dimension_scores(
    responses: pd.DataFrame,
    survey: Survey,
    *,
    config: Mapping[str, DimensionScore] | None = None,
) -> pd.DataFrame:
    """Score every respondent on every dimension (see the module docstring for the formula).

    Parameters
    ----------
    responses
        Processed responses table (all territories and waves you want to compare).
    survey
        The survey.
    config
        ``{dimension: DimensionScore}``; default :func:`default_config` (Likert questions of
        each dimension, rescaled 0–100, half of the items needed).

    Returns
    -------
    pandas.DataFrame
        One row per respondent × dimension, dimensions in configuration order:
        ``_submission_id``, ``_territory``, ``_wave``, ``organisation`` (answer to the
        ``organisation`` role question when there is one, used to detect panels; NA otherwise),
        ``dimension``, ``score`` (Float64, NA when fewer than ``min_items`` items were answered),
        ``items_answered`` (Int64). Respondent-level: **not for publication** — publish
        :func:`compare_scores` or :func:`score_change`.
    """
    config = dict(config) if config is not None else default_config(survey)
    organisation = survey.role("organisation")
    meta = pd.DataFrame({
        column: (responses[column].astype("string") if column in responses.columns
                 else pd.array([pd.NA] * len(responses), dtype="string"))
        for column in ("_submission_id", "_territory", "_wave")}, index=responses.index)
    if organisation is not None and organisation.name in responses.columns:
        meta["organisation"] = responses[organisation.name].astype("string").str.strip().str.casefold()
    else:
        meta["organisation"] = pd.array([pd.NA] * len(responses), dtype="string")
    frames = []
    for dimension, score in config.items():
        _check(score, survey)
        rescaled = []
        for item in score.items:
            question = survey.questions[item]
            if item not in responses.columns:
                raise CoopworkError("analysis_errors.no_column", name=item, column=item,
                                    hint="analysis_errors.hint_check_config")
            values = pd.to_numeric(responses[item].astype("string"), errors="coerce").astype(float)
            low, high = _item_range(question, score)
            values = values.where((values >= low) & (values <= high))
            if score.rescale:
                value = 100 * (values - low) / (high - low)
                value = 100 - value if item in score.reverse else value
            else:
                value = low + high - values if item in score.reverse else values
            rescaled.append(value.to_numpy(dtype=float))
        matrix = np.column_stack(rescaled) if rescaled else np.empty((len(responses), 0))
        counts = (~np.isnan(matrix)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            means = np.where(counts > 0, np.nansum(matrix, axis=1) / np.maximum(counts, 1), np.nan)
        means = np.where(counts >= score.required, means, np.nan)
        frame = meta.copy()
        frame["dimension"] = pd.array([dimension] * len(frame), dtype="str")
        frame["score"] = pd.array(means, dtype="Float64")
        frame["items_answered"] = pd.array(counts, dtype="Int64")
        frames.append(frame)
    if not frames:
        raise CoopworkError("analysis_errors.no_dimension", hint="analysis_errors.hint_no_dimension")
    return pd.concat(frames, ignore_index=True)


def _select_wave(scores: pd.DataFrame, wave: str | None) -> pd.DataFrame:
    if wave is None:
        return scores
    known = sorted(scores["_wave"].dropna().unique().tolist())
    if wave not in known:
        raise CoopworkError("analysis_errors.no_score_wave", wave=wave, value=wave,
                            hint="analysis_errors.hint_choose", choices=", ".join(known))
    return scores[scores["_wave"] == wave]


def compare_scores(scores: pd.DataFrame, *, territory: str, wave: str | None = None,
                   min_count: int = DEFAULT_MIN_COUNT, lang: str = "fr",
                   config: Mapping[str, DimensionScore] | None = None) -> pd.DataFrame:
    """Where a territory stands against the others, dimension by dimension.

    Parameters
    ----------
    scores
        Output of :func:`dimension_scores`.
    territory
        The territory of interest.
    wave
        Keep one wave (recommended: otherwise an organisation that answered two waves counts twice).
    min_count
        Disclosure threshold on the number of scored respondents.
    lang
        Language of the labels and display.
    config
        To take dimension labels from the score configuration.

    Returns
    -------
    pandas.DataFrame
        Three rows per dimension: ``dimension``, ``dimension_label``, ``group`` (``"territory"``,
        ``"others"`` — every other territory pooled —, ``"all"``), ``group_label``, ``n``
        (respondents with a score), ``mean`` (0–100), ``sd``, ``ci_low``, ``ci_high`` (95 %
        Student-t interval of the mean), ``suppressed``, ``display`` (the rounded mean).
        Disclosure: a group of fewer than ``min_count`` scored respondents is suppressed, and
        then a second group of the dimension too, since "all" = "territory" + "others".

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"_submission_id": list("abcdefg"), "_wave": "2025",
    ...                        "_territory": ["t1"] * 3 + ["t2"] * 4, "dimension": "trust",
    ...                        "score": [50.0, 75.0, 100.0, 25.0, 50.0, 50.0, 75.0]})
    >>> compare_scores(scores, territory="t1", lang="en")[["group", "n", "mean", "display"]]
           group  n       mean display
    0  territory  3       75.0      75
    1     others  4       50.0      50
    2        all  7  60.714286      61
    """
    scores = _select_wave(scores, wave)
    territories = scores["_territory"].dropna().unique().tolist()
    if territory not in territories:
        raise CoopworkError("analysis_errors.no_score_territory", territory=territory, value=territory,
                            hint="analysis_errors.hint_choose", choices=", ".join(sorted(territories)))
    rows = []
    here = (scores["_territory"] == territory).fillna(False).to_numpy(dtype=bool)
    for dimension in scores["dimension"].drop_duplicates():
        in_dim = (scores["dimension"] == dimension).to_numpy(dtype=bool)
        values = scores["score"].astype(float).to_numpy(dtype=float, na_value=np.nan)
        for group, mask in (("territory", in_dim & here), ("others", in_dim & ~here), ("all", in_dim)):
            n, mean, sd, low, high = mean_interval(values[mask])
            rows.append({"dimension": dimension, "dimension_label": dimension_label(dimension, lang, config),
                         "group": group,
                         "group_label": t(f"analysis.group_{group}", lang, territory=territory),
                         "n": n, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high})
    table = pd.DataFrame(rows).astype({"n": "Int64", "mean": "Float64", "sd": "Float64", "ci_low": "Float64",
                                       "ci_high": "Float64", "dimension": "str", "dimension_label": "str",
                                       "group": "str", "group_label": "str"})
    out = protect(table, count="n", min_count=min_count, margins=["dimension"], lang=lang,
                  display=lambda row, lang: format_number(row["mean"], lang=lang))
    out.attrs.update(territory=territory, wave=wave, min_count=min_count, lang=lang)
    return out


def score_change(scores: pd.DataFrame, *, territory: str | None = None, wave_from: str, wave_to: str,
                 min_count: int = DEFAULT_MIN_COUNT, lang: str = "fr",
                 config: Mapping[str, DimensionScore] | None = None) -> pd.DataFrame:
    """Change of the mean score between two waves, with its uncertainty.

    Parameters
    ----------
    scores
        Output of :func:`dimension_scores` covering both waves.
    territory
        One territory, or ``None`` for one row per territory.
    wave_from, wave_to
        The earlier and the later wave.
    min_count
        Disclosure threshold, applied to the respondents of each wave.

    Returns
    -------
    pandas.DataFrame
        One row per (territory ×) dimension: ``_territory``, ``dimension``, ``dimension_label``,
        ``wave_from``, ``wave_to``, ``n_from``, ``n_to``, ``mean_from``, ``mean_to``, ``change``
        (``mean_to - mean_from``, points on the 0–100 scale), ``ci_low``, ``ci_high`` (95 %
        Welch interval of the difference of two independent means), ``panel`` (organisations,
        from the ``organisation`` column, that answered both waves), ``suppressed``, ``display``
        (signed change, e.g. ``"+5"``). When ``panel`` > 0 the two samples are not independent:
        ``attrs["note"]`` says so (the Welch interval is then conservative when answers of the
        same organisation are positively correlated).

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"_submission_id": list("abcdef"), "_territory": "t1",
    ...                        "_wave": ["2025"] * 3 + ["2026"] * 3, "dimension": "trust",
    ...                        "organisation": list("xyzuvw"),
    ...                        "score": [40.0, 50.0, 60.0, 55.0, 65.0, 75.0]})
    >>> score_change(scores, wave_from="2025", wave_to="2026")[["n_from", "n_to", "change", "display"]]
       n_from  n_to  change display
    0       3     3    15.0     +15
    """
    for wave in (wave_from, wave_to):
        _select_wave(scores, wave)
    if territory is not None:
        territories = scores["_territory"].dropna().unique().tolist()
        if territory not in territories:
            raise CoopworkError("analysis_errors.no_score_territory", territory=territory, value=territory,
                                hint="analysis_errors.hint_choose", choices=", ".join(sorted(territories)))
        scores = scores[scores["_territory"] == territory]
    organisation = scores["organisation"] if "organisation" in scores.columns else pd.Series(
        pd.NA, index=scores.index, dtype="string")
    rows = []
    for (place, dimension), part in scores.groupby(["_territory", "dimension"], sort=False):
        before = part[part["_wave"] == wave_from]
        after = part[part["_wave"] == wave_to]
        a = before["score"].astype(float).to_numpy(dtype=float, na_value=np.nan)
        b = after["score"].astype(float).to_numpy(dtype=float, na_value=np.nan)
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        change, low, high, _ = welch_interval(a, b)
        orgs = organisation.loc[part.index]
        common = set(orgs[part["_wave"] == wave_from].dropna()) & set(orgs[part["_wave"] == wave_to].dropna())
        rows.append({"_territory": place, "dimension": dimension,
                     "dimension_label": dimension_label(dimension, lang, config),
                     "wave_from": wave_from, "wave_to": wave_to, "n_from": a.size, "n_to": b.size,
                     "mean_from": a.mean() if a.size else np.nan, "mean_to": b.mean() if b.size else np.nan,
                     "change": change, "ci_low": low, "ci_high": high, "panel": len(common)})
    columns = ["_territory", "dimension", "dimension_label", "wave_from", "wave_to", "n_from", "n_to",
               "mean_from", "mean_to", "change", "ci_low", "ci_high", "panel"]
    table = pd.DataFrame(rows, columns=columns).astype(
        {"n_from": "Int64", "n_to": "Int64", "panel": "Int64", "mean_from": "Float64", "mean_to": "Float64",
         "change": "Float64", "ci_low": "Float64", "ci_high": "Float64", "_territory": "str",
         "dimension": "str", "dimension_label": "str", "wave_from": "str", "wave_to": "str"})
    first = protect(table, count="n_from", min_count=min_count, lang=lang)
    out = protect(first.drop(columns="display"), count="n_to", min_count=min_count, lang=lang,
                  display=lambda row, lang: _signed(row["change"], lang))
    panel = int(table["panel"].sum()) if len(table) else 0
    out.attrs.update(wave_from=wave_from, wave_to=wave_to, territory=territory, min_count=min_count,
                     lang=lang,
                     note=t("analysis.note_panel", lang) if panel else "")
    return out


def _signed(value: object, lang: str) -> str:
    text = format_number(value, lang=lang)
    if text and not text.startswith("-") and float(value) > 0:  # type: ignore[arg-type]
        return f"+{text}"
    return text
