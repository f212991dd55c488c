"""Free-text answers: listed safely, and counted by theme with a researcher-editable codebook.

No NLP: a theme is a list of keywords and stems written by the research team (YAML, see
:func:`load_codebook`), matched without regard to case or accents. The codebook is part of
the research: edit it after reading the answers, rerun, compare.

Codebook format (``surveys/codebook_<survey_id>.yml``)::

    questions: [evolution_texte, attentes_texte]   # optional: the questions it was written for
    themes:
      mutualisation:
        label: {fr: "Mutualisation", en: "Pooling"}
        keywords: ["mutualis*", "partage de locaux", "pooling", "shar*"]

A keyword ending with ``*`` is a **stem** (matches words starting with it: ``mutualis*`` →
mutualiser, mutualisation, mutualisé); otherwise it matches the **whole word or phrase**
(``emploi`` matches "l'emploi" but not "emplois"; write ``emploi*`` for both). In a phrase,
each word may be a stem: ``projet* commun*`` matches "projets communs".

Examples
--------
>>> codebook = {"themes": {"jobs": {"label": {"fr": "Emploi", "en": "Jobs"},
...                                 "keywords": ["emploi*", "job*"]}}}
>>> matches_theme("Création d'EMPLOIS locaux", codebook["themes"]["jobs"]["keywords"])
True
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CoopworkError
from ..i18n import pick, t
from ..survey import Survey
from ..threshold import check_min_count
from .disclosure import DEFAULT_MIN_COUNT, format_number, format_percent, has_consent, protect
from .selection import answered, groups
from .yamlfile import read_yaml

__all__ = ["load_codebook", "matches_theme", "normalise_text", "text_answers", "theme_counts", "theme_hits"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{1,4}\)?[\s.-]?){3,6}\d{2,4}(?!\w)")
_PSEUDONYM = re.compile(r"\bpx_[0-9a-f]{8,}\b")
_URL = re.compile(r"https?://\S+")


def normalise_text(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes made plain, spaces collapsed.

    Examples
    --------
    >>> normalise_text("  Économie   SOCIALE’s ")
    "economie sociale's"
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("\u2019", "'").replace("\u02bc", "'")
    return re.sub(r"\s+", " ", plain).strip()


def _pattern(keywords: list[str]) -> re.Pattern[str]:
    parts = []
    for keyword in keywords:
        words = [w for w in normalise_text(keyword).split(" ") if w.strip("*")]
        if not words:
            continue
        # every word ending with * is a stem (phrases may mix: "projet* commun*")
        body = r"\s+".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words)
        parts.append(rf"(?<!\w){body}(?!\w)")
    return re.compile("|".join(parts) if parts else r"(?!x)x")


def matches_theme(text: str, keywords: list[str]) -> bool:
    """True when ``text`` contains one of ``keywords`` (stems end with ``*``), ignoring case and accents."""
    return bool(_pattern(list(keywords)).search(normalise_text(text)))


def load_codebook(path: str | Path) -> dict:
    """Read and check a YAML codebook (see the module docstring for the format).

    Returns
    -------
    dict
        ``{"questions": [...], "themes": {theme: {"label": {lang: text}, "keywords": [...]}}}``
        with themes in file order (and the optional keys of :func:`check_codebook`).

    Raises
    ------
    CoopworkError
        Unreadable file, no ``themes``, a theme without keywords (the message names it).

    Examples
    --------
    >>> from pathlib import Path
    >>> import coopwork
    >>> book = load_codebook(Path(coopwork.__file__).parents[1] / "surveys"
    ...                      / "codebook_cooperation_territoriale.yml")
    >>> "mutualisation" in book["themes"]
    True
    """
    return check_codebook(read_yaml(path, what="codebook"), file=Path(path))


def _texts(value: object) -> dict[str, str]:
    """Texts by language (a plain string is French, the default language of the codebooks)."""
    if isinstance(value, str):
        return {"fr": value}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _extras(spec: Mapping, name: str, file: object) -> dict:
    """The optional keys of a theme or category: description, color, guid, parent."""
    out: dict = {}
    if spec.get("description"):
        out["description"] = _texts(spec["description"])
    for key in ("color", "guid", "parent"):
        if spec.get(key):
            out[key] = str(spec[key])
    if "color" in out and not re.fullmatch(r"#[0-9A-Fa-f]{6}", out["color"]):
        raise CoopworkError("analysis.codebook_bad_color", theme=name, color=out["color"],
                            file=file, column=str(name), hint="analysis.codebook_bad_color_hint")
    return out


def check_codebook(data: object, *, file: object = None) -> dict:
    """Validate a codebook given as a dict (same rules as :func:`load_codebook`).

    Besides ``label`` and ``keywords``, a theme may have a ``description`` (by language), a
    ``color`` (``#RRGGBB``), a ``guid`` (its id in qualitative-analysis software, kept when the
    codebook goes through REFI-QDA, :mod:`coopwork.analysis.qdc`) and a ``parent`` (the theme or
    category it is nested in). ``categories`` (optional) group themes without being counted
    themselves: same keys, no ``keywords``.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("themes"), Mapping) or not data["themes"]:
        raise CoopworkError("analysis_errors.codebook_no_themes", file=file,
                            hint="analysis_errors.hint_codebook_themes")
    categories = {}
    for name, spec in (data.get("categories") or {}).items():
        spec = spec if isinstance(spec, Mapping) else {}
        categories[str(name)] = {"label": _texts(spec.get("label") or {}), **_extras(spec, name, file)}
    themes = {}
    for name, spec in data["themes"].items():
        keywords = spec.get("keywords") if isinstance(spec, Mapping) else None
        if not keywords or not isinstance(keywords, list | tuple):
            raise CoopworkError("analysis_errors.theme_no_keywords", name=name, file=file, column=str(name),
                                hint="analysis_errors.hint_theme_keywords")
        themes[str(name)] = {"label": _texts(spec.get("label") or {}),
                             "keywords": [str(k) for k in keywords], **_extras(spec, name, file)}
    entries = {**categories, **themes}
    for name, spec in entries.items():
        seen, parent = {name}, spec.get("parent")
        while parent is not None:  # every parent exists, and no theme is nested in itself
            if parent not in entries or parent in seen:
                raise CoopworkError("analysis.codebook_bad_parent", theme=name, parent=spec["parent"],
                                    file=file, column=name, hint="analysis.codebook_bad_parent_hint")
            seen.add(parent)
            parent = entries[parent].get("parent")
    book = {"questions": [str(q) for q in data.get("questions") or []], "themes": themes}
    if categories:
        book["categories"] = categories
    return book


def _masker(responses: pd.DataFrame, survey: Survey) -> re.Pattern[str] | None:
    """Names of respondent organisations that refused to be named (to mask them in texts)."""
    organisation, consent = survey.role("organisation"), survey.role("name_consent")
    if organisation is None or organisation.name not in responses.columns:
        return None
    names = responses[organisation.name].astype("string")
    if consent is not None and consent.name in responses.columns:
        refused = ~responses[consent.name].map(has_consent).astype(bool)
    else:
        refused = pd.Series(True, index=responses.index)
    hidden = sorted({n.strip() for n in names[refused].dropna() if len(n.strip()) >= 3},
                    key=len, reverse=True)
    if not hidden:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in hidden), re.IGNORECASE)


def _scrub(text: str, names: re.Pattern[str] | None) -> str:
    text = _EMAIL.sub("[…]", text)
    text = _URL.sub("[…]", text)
    text = _PSEUDONYM.sub("[…]", text)
    text = _PHONE.sub(lambda m: "[…]" if sum(c.isdigit() for c in m.group()) >= 8 else m.group(), text)
    if names is not None:
        text = names.sub("[…]", text)
    return text


def text_answers(
    responses: pd.DataFrame,
    survey: Survey,
    question: str,
    *,
    territory: str | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    lang: str = "fr",
) -> pd.DataFrame:
    """The answers to a text question, safe to show in a report or a workshop.

    Safety measures:

    - no identifier column is returned (no submission id, no organisation), and answers are
      sorted alphabetically within each territory, so they cannot be linked to the answers of
      the same respondent to another question by their order;
    - e-mail addresses, URLs, phone numbers, coopwork pseudonyms and the names of respondent
      organisations that did not agree to be named are replaced by ``[…]``;
    - ``html`` is escaped with :func:`html.escape` (safe to insert in a page);
    - a territory with fewer than ``min_count`` answers shows none: a single row with
      ``suppressed=True`` and ``display="< 3"``.

    Parameters
    ----------
    responses
        Processed responses table.
    survey
        The survey.
    question
        A text question.
    territory
        Keep one territory (``None``: all, grouped by territory).
    min_count
        Disclosure threshold on the number of answers per territory.
    lang
        Language of the display.

    Returns
    -------
    pandas.DataFrame
        ``_territory``, ``question``, ``n`` (answers in the territory), ``answer`` (scrubbed
        plain text), ``html`` (escaped), ``suppressed``, ``display`` (= ``answer``, or ``"< 3"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Question, Survey
    >>> survey = Survey("d", "D", None, ["fr"], "fr", {"avis": Question("avis", "text")}, {})
    >>> df = pd.DataFrame({"_territory": ["t1"] * 3 + ["t2"],
    ...                    "avis": ["<b>Très bien</b>", "Écrire à a.b@ex.org", "Utile", "Seul"]})
    >>> text_answers(df, survey, "avis")[["_territory", "html", "display"]]
      _territory                          html           display
    0         t1  &lt;b&gt;Très bien&lt;/b&gt;  <b>Très bien</b>
    1         t1                  Écrire à […]      Écrire à […]
    2         t1                         Utile             Utile
    3         t2                          <NA>               < 3
    """
    q = survey.question(question)
    if q.type != "text":
        raise CoopworkError("analysis_errors.not_text", name=question, type=q.type, column=question,
                            hint="analysis_errors.hint_not_text")
    if q.identifier:
        raise CoopworkError("analysis_errors.identifier", name=question, column=question,
                            hint="analysis_errors.hint_identifier")
    data = responses
    if territory is not None:
        data = data[(data["_territory"] == territory).fillna(False).to_numpy(dtype=bool)]
    done = answered(data, survey, question).to_numpy(dtype=bool)
    names = _masker(responses, survey)
    texts = data.loc[done, question].astype(str).str.strip().map(lambda v: _scrub(v, names))
    places = (data.loc[done, "_territory"].astype("string").fillna("") if "_territory" in data.columns
              else pd.Series("", index=texts.index, dtype="string"))
    frame = pd.DataFrame({"_territory": places.to_numpy(), "answer": texts.to_numpy()})
    if territory is not None and frame.empty:
        frame = pd.DataFrame({"_territory": [territory], "answer": [pd.NA]})
    frame["n"] = frame.groupby("_territory")["answer"].transform("count").astype("Int64")
    frame["_key"] = frame["answer"].map(normalise_text, na_action="ignore")
    frame = frame.sort_values(["_territory", "_key"], kind="stable").drop(columns="_key")
    small = frame["n"].lt(check_min_count(min_count)).fillna(True).to_numpy(dtype=bool)
    # one row per hidden territory: the number of rows must not reveal the number of answers
    frame = pd.concat([frame[~small], frame[small].drop_duplicates("_territory")]).sort_values(
        "_territory", kind="stable").reset_index(drop=True)
    frame["answer"] = frame["answer"].astype("string")
    frame["html"] = frame["answer"].map(html.escape, na_action="ignore").astype("string")
    frame.insert(1, "question", pd.array([question] * len(frame), dtype="str"))
    frame = frame[["_territory", "question", "n", "answer", "html"]]
    out = protect(frame, count="n", min_count=min_count, lang=lang,
                  value_columns=["n", "answer", "html"], display=lambda row, lang: str(row["answer"]))
    out.attrs.update(question=question, question_label=survey.label(question, lang), territory=territory,
                     min_count=min_count, lang=lang)
    return out


def theme_hits(texts: pd.Series,
               codebook: Mapping) -> tuple[list[str], np.ndarray, Callable[[str, str], str]]:
    """Which themes of the codebook each text mentions.

    Returns
    -------
    tuple
        The theme names in codebook order then ``_none`` (a text that matches no theme), a boolean
        matrix (texts × themes; an empty text matches nothing, not even ``_none``), and
        ``(theme, lang) -> label``.

    Examples
    --------
    >>> import pandas as pd
    >>> book = {"themes": {"jobs": {"label": {"fr": "Emploi", "en": "Jobs"}, "keywords": ["emploi*"]}}}
    >>> names, hits, label = theme_hits(pd.Series(["Des emplois", "Rien", None]), book)
    >>> names, hits.tolist(), label("jobs", "en"), label("_none", "en")
    (['jobs', '_none'], [[True, False], [False, True], [False, False]], 'Jobs', 'No codebook theme')
    """
    themes = check_codebook(codebook)["themes"]
    normal = texts.astype("string").fillna("").map(normalise_text).to_numpy(dtype=object)
    hits = np.zeros((len(normal), len(themes) + 1), dtype=bool)
    for j, spec in enumerate(themes.values()):
        pattern = _pattern(spec["keywords"])
        hits[:, j] = [bool(pattern.search(text)) for text in normal]
    hits[:, -1] = ~hits[:, :-1].any(axis=1) & np.array([bool(text.strip()) for text in normal], dtype=bool)

    def label(name: str, lang: str) -> str:
        if name == "_none":
            return t("analysis.theme_none", lang)
        return pick(dict(themes[name]["label"]), lang) or name  # codebooks are French by default

    return [*themes, "_none"], hits, label


def theme_counts(responses: pd.DataFrame, survey: Survey, question: str, *, codebook: Mapping | str | Path,
                 by: str | None = None, min_count: int = DEFAULT_MIN_COUNT, lang: str = "fr") -> pd.DataFrame:
    """How many answers to a text question mention each theme of the codebook.

    Parameters
    ----------
    responses
        Processed responses table (filtered as wanted).
    survey
        The survey.
    question
        A text question.
    codebook
        A codebook dict (:func:`load_codebook`'s shape) or the path of its YAML file.
    by
        Optional grouping (as in :func:`~coopwork.analysis.summary.summarise`).
    min_count
        Disclosure threshold.
    lang
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        One row per (group ×) theme in codebook order, then ``_none`` (answers matching no
        theme: read them to improve the codebook): ``<by>``, ``<by>_label`` (with ``by``),
        ``theme``, ``label``, ``n`` (answers mentioning the theme), ``base`` (non-empty
        answers), ``percent`` (``100 * n / base``; an answer may mention several themes, so
        totals may exceed 100 %), ``suppressed``, ``display``.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Question, Survey
    >>> survey = Survey("d", "D", None, ["fr"], "fr", {"avis": Question("avis", "text")}, {})
    >>> book = {"themes": {"jobs": {"label": {"fr": "Emploi"}, "keywords": ["emploi*"]},
    ...                    "place": {"label": {"fr": "Lieux"}, "keywords": ["local", "locaux"]}}}
    >>> df = pd.DataFrame({"avis": ["Des emplois créés", "Un local partagé", "EMPLOI et locaux",
    ...                             "Rien", "l'emploi d'abord"]})
    >>> theme_counts(df, survey, "avis", codebook=book, lang="en")[["theme", "n", "base", "display"]]
       theme     n  base    display
    0   jobs     3     5   3 (60%)
    1  place  <NA>  <NA>        < 3
    2  _none  <NA>  <NA>        < 3
    """
    book = check_codebook(codebook) if isinstance(codebook, Mapping) else load_codebook(codebook)
    q = survey.question(question)
    if q.type != "text":
        raise CoopworkError("analysis_errors.not_text", name=question, type=q.type, column=question,
                            hint="analysis_errors.hint_theme_counts")
    done = answered(responses, survey, question).to_numpy(dtype=bool)
    names, hits, label = theme_hits(responses[question], book)
    hits &= done[:, None]
    labels = [label(name, lang) for name in names]
    if by is None:
        members = [(None, None, np.arange(len(responses)))]
    else:
        found = groups(responses, survey, by, lang=lang)
        positions = found.members.groupby("group")["position"].agg(lambda s: s.to_numpy())
        members = [(code, label, positions.get(code, np.array([], dtype=int)))
                   for code, label in found.labels.items()]
    rows = []
    for code, group_label, pos in members:
        base = int(done[pos].sum())
        counts = hits[pos].sum(axis=0)
        for name, label, n in zip(names, labels, counts, strict=True):
            row = {} if by is None else {by: code, f"{by}_label": group_label}
            row.update(theme=name, label=label, n=int(n), base=base,
                       percent=100 * n / base if base else np.nan)
            rows.append(row)
    table = pd.DataFrame(rows).astype({"n": "Int64", "base": "Int64", "percent": "Float64",
                                       "theme": "str", "label": "str"})
    out = protect(table, count="n", min_count=min_count, base="base",
                  margins=["theme"] if by is not None else None, lang=lang,
                  display=_display)
    out.attrs.update(question=question, question_label=survey.label(question, lang), by=by,
                     min_count=min_count, lang=lang, note=t("analysis.note_themes", lang))
    return out


def _display(row: Mapping[str, object], lang: str) -> str:
    if pd.isna(row["percent"]):
        return format_number(row["n"], lang=lang)
    return f"{format_number(row['n'], lang=lang)} ({format_percent(row['percent'], lang=lang)})"
