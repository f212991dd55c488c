"""Draft an XLSForm from an export, for surveys that were not made in XLSForm.

LimeSurvey and Google Forms surveys (and hand-made spreadsheets) have no XLSForm, but
coopwork validates every answer against one. ``coopwork survey draft EXPORT`` writes a
**draft** the researcher completes (dimensions, roles, better names and labels): the export
read again with the draft maps every answer column and its rows are accepted.

How the draft is inferred, column by column (metadata columns of the platform are left out):

- **name**: the code or header made XLSForm-safe (``Q2[SQ001]`` → ``q2_sq001``, ``Votre
  structure ?`` → ``votre_structure``; Kobo/ODK group paths keep their last part), unique;
- **label**: the header as written (readers match headers to labels, so the round trip is exact);
- **type**, from the values: an ordered ``select_one`` with ``appearance = likert`` for
  Likert-like answers (``Eher wichtig``, ``Un poco falso``: :func:`likert_order`); ``integer``;
  ``decimal`` (``1,5`` too: a decimal comma, whatever the separator, as French Google Sheets
  write it); ``date`` / ``datetime`` (ISO); ``geopoint``; ``select_one`` with a choice list when few distinct
  values repeat (small integer scales such as 1..7 too); ``select_multiple`` when answers are
  joined in a way consistent with a multiple choice (``", "``, ``;``, Kobo/ODK space-separated
  names; never for LimeSurvey or Qualtrics, which write one column per option; a label that
  holds the separator stays whole, see :func:`_joined`) or split over per-option columns
  (``q/option`` 0/1/True/False, LimeSurvey ``Q[SQ]`` = ``Y``); ``text`` otherwise — codes
  with leading zeros stay text;
- choice **names** are the values when they are answer codes (``AO01``, ``3``, ``Y``), else
  their slug (``Pays de Bray`` → ``pays_de_bray``); choice **labels** are the values as written;
- flattened Kobo repeats (``children[1]/name``) become a ``begin_repeat`` group;
- columns that look like names, e-mails or phone numbers get ``coopwork::identifier = yes``
  and a column about the territory ``coopwork::role = territory``;
- a ``settings`` sheet (``form_id`` from the file name, ``version`` = today).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> export = folder / "reponses.csv"
>>> _ = export.write_text("Horodateur,Type de structure,Salariés,Jours\\n"
...     "01/03/2025 10:00:00,Association,12,\\"Lundi, Mardi\\"\\n"
...     "02/03/2025 11:00:00,SCOP,3,Mardi\\n03/03/2025 12:00:00,Association,40,Lundi\\n"
...     "04/03/2025 12:00:00,SCOP,7,Lundi\\n", encoding="utf-8")
>>> survey, choices, settings = infer_draft(export)
>>> survey["type"].tolist()
['select_one type_de_structure', 'integer', 'select_multiple jours']
>>> survey["label"].tolist()
['Type de structure', 'Salariés', 'Jours']
>>> path = draft_survey(export, output=folder / "draft.xlsx")
>>> path.name
'draft.xlsx'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from ..errors import IngestError
from ..paths import surveys_dir
from .detect import RESPONSE_WORDS, TableSample, read_csv_strings, sniff_table
from .readers import generic, googleforms, kobo, limesurvey, odk, qualtrics, surveycto, surveymonkey
from .readers.common import TRUE_VALUES, load_table, normalise_text, slugify
from .registry import reader_for

__all__ = ["draft_path", "draft_survey", "infer_draft", "likert_order"]

_INTEGER = re.compile(r"^[-+]?(0|[1-9]\d{0,14})$")
_DECIMAL = re.compile(r"^[-+]?\d{1,15}[.,]\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_GEOPOINT = re.compile(r"^-?\d+(\.\d+)? -?\d+(\.\d+)?( -?\d+(\.\d+)?){0,2}$")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
#: answer codes kept as choice names (``3``, ``AO01``, ``SQ001``, ``Y``, ``CHOICE_1``); words are slugified
_CODE = re.compile(r"^(-?\d+|[A-Za-z]{0,4}\d+|[A-Z0-9_\-]{1,12})$")
_BRACKET = re.compile(r"^(?P<q>[^\[\]]+)\[(?P<opt>[^\[\]]+)\]$")
_FLAT_REPEAT = re.compile(r"^(?:.*/)?(?P<repeat>[^/\[\]]+)\[(?P<index>\d+)\]/(?P<rest>.+)$")
_GEO_SPLIT = re.compile(r"^(?P<q>.+?)[-_](?P<part>Latitude|Longitude|Altitude|Accuracy)$", re.IGNORECASE)
_IDENTIFIER = re.compile(r"(^|[^a-z])(nom|name|prenom|e_?mail|courriel|telephone|phone|tel|"
                         r"portable|mobile|adresse_postale)([^a-z]|$)")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d .()-]{8,}$")
_MISSING = {"", "n/a", "N/A"}
_OPTION_VALUES = TRUE_VALUES | {"0", "false", "", "n/a", "n", "no", "non", "faux"}
MAX_CHOICES = 30
SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "relevant", "constraint", "appearance",
                  "coopwork::dimension", "coopwork::role", "coopwork::identifier"]


@dataclass
class _Question:
    name: str
    label: str
    type: str = "text"
    choices: list[tuple[str, str]] = field(default_factory=list)
    identifier: bool = False
    role: str = ""
    appearance: str = ""


def _values(series: pd.Series) -> list[str]:
    return [v for v in series.tolist() if isinstance(v, str) and v.strip() not in _MISSING]


# Likert-like answers: a polarity (negation words, un-/in- antonyms) and an intensity per value
_NEGATIVE = {"nicht", "not", "no", "pas", "ne", "non", "nein", "falso", "false", "faux", "selten", "rarely",
             "rarement", "nie", "never", "jamais", "nunca", "rara", "disagree", "desacuerdo", "bad", "mal",
             "schlecht", "poor", "unlikely", "unwahrscheinlich", "unsatisfied", "dissatisfied", "insatisfait",
             "unzufrieden", "low", "faible", "bajo", "aucun", "aucune", "nada", "peu"}
_STRONG = {"sehr", "vollstandig", "vollig", "voll", "gar", "uberhaupt", "totalmente", "muy", "very",
           "strongly", "completely", "totally", "tres", "tout", "absolument", "extremely", "fully",
           "entierement", "completamente", "always", "toujours", "immer", "siempre", "du"}
_MILD = {"eher", "ziemlich", "poco", "algo", "rather", "somewhat", "fairly", "plutot", "assez", "slightly",
         "partly", "teilweise", "bastante", "moderately", "little"}
_ANTONYM_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "des", "de", "non", "mal")
_MIDDLE = {"neutral", "neutre", "weder", "ni", "neither", "teils", "mittel", "indiferente", "indifferent",
           "moyen", "medio", "average"}
_DONT_KNOW = {"no lo se", "no se", "ne sais pas", "je ne sais pas", "ne sait pas", "nsp", "don't know",
              "dont know", "do not know", "weiss nicht", "weiß nicht", "keine angabe", "k.a.", "sans avis",
              "sans opinion", "prefer not to say", "ns/nr", "no sabe", "not applicable", "non concerne",
              "non concerné", "ne se prononce pas"}


def _scale_score(value: str, stems: set[str]) -> float | None:
    """Position of a Likert-like answer on its scale (negative → positive), None when it has none."""
    words = slugify(value).split("_")
    if set(words) & _MIDDLE:
        return 0.0
    negative = bool(set(words) & _NEGATIVE) or any(  # an antonym: un-wichtig, dés-agréable, in-utile
        w.startswith(prefix) and w[len(prefix):] in stems for w in words for prefix in _ANTONYM_PREFIXES)
    strong = bool(set(words) & _STRONG) or (negative and "gar" in words)
    mild = bool(set(words) & _MILD)
    intensity = 3 if strong else 1 if mild else 2
    if not (negative or strong or mild):
        return None
    return -intensity if negative else intensity


def likert_order(values: list[str]) -> list[str] | None:
    """The distinct ``values`` in scale order when they read as a Likert scale, else None.

    "Don't know" answers go last. A scale has 3 to 9 distinct answers, at least 3 of them on
    distinct positions, and every answer on the scale or a "don't know".

    Examples
    --------
    >>> likert_order(["Eher wichtig", "Sehr wichtig", "Nicht wichtig", "Eher unwichtig", "Sehr wichtig"])
    ['Nicht wichtig', 'Eher unwichtig', 'Eher wichtig', 'Sehr wichtig']
    >>> likert_order(["Un poco falso", "Totalmente verdadero", "No lo sé", "Totalmente falso"])
    ['Totalmente falso', 'Un poco falso', 'Totalmente verdadero', 'No lo sé']
    >>> likert_order(["Lundi", "Mardi", "Mercredi"]) is None
    True
    """
    distinct: dict[str, str] = {}
    for value in values:
        distinct.setdefault(normalise_text(value), value.strip())
    if not 3 <= len(distinct) <= 9 or any(len(v.split()) > 6 for v in distinct.values()):
        return None
    stems = {w for v in distinct.values() for w in slugify(v).split("_")}
    scored, unknown = [], []
    for key, value in distinct.items():
        if key in _DONT_KNOW or normalise_text(slugify(value).replace("_", " ")) in _DONT_KNOW:
            unknown.append(value)
            continue
        score = _scale_score(value, stems)
        if score is None:
            return None
        scored.append((score, value))
    if len({s for s, _ in scored}) < 3 or len({s for s, _ in scored}) < len(scored):
        return None
    return [v for _, v in sorted(scored, key=lambda item: item[0])] + unknown


def _choice_list(values: list[str], *, ordered: bool = False) -> list[tuple[str, str]]:
    """``[(name, label)]`` for distinct values (first-seen order, or as given when ``ordered``;
    numbers sorted)."""
    seen: dict[str, str] = {}
    for value in values:
        key = normalise_text(value)
        if key not in seen:
            seen[key] = value.strip()
    labels = list(seen.values())
    if not ordered and all(_INTEGER.match(v) for v in labels):
        labels.sort(key=int)
    names: list[str] = []
    out = []
    for label in labels:
        name = label if _CODE.match(label) else slugify(label, max_length=40)
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
        out.append((name, label))
    return out


def _joined(values: list[str], separators: tuple[str, ...]) -> tuple[str, list[str]] | None:
    """The separator and options when ``values`` are consistent with joined multiple answers.

    An answer stays whole when none of its parts is seen elsewhere (alone or with other parts),
    or when a part seen nowhere else goes on a sentence (lower case after the separator): a
    choice whose label holds the separator (``Formar una familia, pues …``) is one option. A
    column is multiple choice when some answers remain joined after that, in few distinct
    options that repeat.
    """
    for sep in separators:
        if not any(sep in v for v in values):
            continue
        split = {v: tuple(tok.strip() for tok in v.split(sep) if tok.strip()) for v in set(values)}
        seen_in: dict[str, set[str]] = {}
        for value, parts in split.items():
            for part in parts:
                seen_in.setdefault(normalise_text(part), set()).add(value)
        options: dict[str, tuple[str, ...]] = {}
        for value, parts in split.items():
            alone = [len(seen_in[normalise_text(p)]) < 2 for p in parts]
            # a sentence goes on after the comma: "Estar soltero, muy enfocado …"
            continued = any(a and p[:1].islower() for a, p in zip(alone[1:], parts[1:], strict=True)) \
                and parts[0][:1].isupper()
            whole = len(parts) > 1 and (all(alone) or continued)
            options[value] = (value.strip(),) if whole else parts
        if not any(len(parts) > 1 for parts in options.values()):
            continue
        tokens = [tok for v in values for tok in options[v]]
        distinct = {normalise_text(tok) for tok in tokens}
        if len(distinct) <= MAX_CHOICES and len(tokens) >= 2 * len(distinct) and \
                all(len(tok) <= 120 for tok in tokens):
            return sep, tokens
    return None


def _infer_type(values: list[str], *, separators: tuple[str, ...], q: _Question) -> None:
    if not values:
        return
    counts: dict[str, int] = {}
    for value in values:  # every rule below looks at each distinct answer once
        counts[value] = counts.get(value, 0) + 1
    distinct_values = list(counts)
    stripped = [v.strip() for v in distinct_values]
    distinct = {normalise_text(v) for v in distinct_values}
    if all(_INTEGER.match(v) for v in stripped):
        numbers = sorted({int(v) for v in stripped})
        if len(numbers) <= 11 and numbers[0] >= 0 and numbers[-1] <= 10 and len(values) > len(numbers):
            q.type, q.choices = "select_one", _choice_list([str(n) for n in numbers])
            if len(numbers) >= 3:
                q.appearance = "likert"
        else:
            q.type = "integer"
        return
    if all(_INTEGER.match(v) or _DECIMAL.match(v) for v in stripped):
        q.type = "decimal"
        return
    if all(_DATE.match(v) for v in stripped):
        q.type = "date"
        return
    if all(_DATETIME.match(v) for v in stripped):
        q.type = "datetime"
        return
    if all(_GEOPOINT.match(v) for v in stripped):
        q.type = "geopoint"
        return
    if any(_EMAIL.match(v) or (_PHONE.match(v) and sum(c.isdigit() for c in v) >= 9) for v in stripped):
        q.identifier = True
        return
    if len(distinct) > MAX_CHOICES and len(distinct) * 2 > len(values) and \
            not any(sep in v for v in distinct_values for sep in separators):
        return  # free text: many distinct answers, none joined
    scale = likert_order(distinct_values)
    if scale is not None:  # an ordered scale: a select_one whose choices keep the scale's order
        q.type, q.choices, q.appearance = "select_one", _choice_list(scale, ordered=True), "likert"
        return
    joined = _joined(values, separators)
    if joined is not None:
        sep, tokens = joined
        if sep != " " or all(_NAME.match(tok) for tok in tokens):
            q.type, q.choices = "select_multiple", _choice_list(tokens)
            return
    if len(distinct) <= MAX_CHOICES and len(values) >= 2 * len(distinct) and \
            all(len(v) <= 120 for v in distinct_values):
        q.type, q.choices = "select_one", _choice_list(distinct_values)


def _unique_name(name: str, used: set[str]) -> str:
    base, n = name, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _is_option_column(series: pd.Series) -> bool:
    values = {v.strip().casefold() for v in series.tolist() if isinstance(v, str)}
    return values <= _OPTION_VALUES


def _meta(fmt: str, frame: pd.DataFrame) -> set[str]:
    modules = {"kobo": kobo, "odk": odk, "limesurvey": limesurvey, "googleforms": googleforms,
               "qualtrics": qualtrics, "surveycto": surveycto}
    if fmt == "surveymonkey":
        return set(frame.columns)
    module = modules.get(fmt, generic)
    return module.meta_columns(frame)


def _short_name(header: str, fmt: str, headers: list[str]) -> str:
    """Kobo/ODK group paths keep their last part when it is unique."""
    seps = {"kobo": "/", "odk": "-", "surveycto": "-"}.get(fmt, "")
    for sep in seps:
        if sep in header:
            last = header.rsplit(sep, 1)[1]
            if sum(h.rsplit(sep, 1)[-1] == last for h in headers) == 1:
                return last
    return header


def _odk_repeats(path: Path, repeats: dict[str, list[_Question]], add) -> None:
    """Sibling repeat CSVs ``<stem>-<repeat>.csv`` of an ODK main CSV → repeat groups."""
    siblings = sorted(path.parent.glob(f"{path.stem}-*{path.suffix}"))
    suffixes = [p.stem[len(path.stem) + 1:] for p in siblings]
    for sibling, suffix in zip(siblings, suffixes, strict=True):
        if any(suffix.startswith(other + "-") for other in suffixes):
            continue  # a nested repeat: kept out of the draft (ODK links it to its parent repeat)
        frame = read_csv_strings(sniff_table(sibling))
        for header in [c for c in frame.columns if c not in odk.meta_columns(frame)]:
            add(header, header, _values(frame[header]), repeats.setdefault(suffix, []))


def _surveymonkey_questions(sample: TableSample, frame: pd.DataFrame, used: set[str],
                            separators: tuple[str, ...]) -> list[_Question]:
    """The questions of a SurveyMonkey export, from its two header rows and its values.

    One column: a question labelled with its text. Option columns (each holds its option's text
    or nothing): a ``select_multiple``. ``Response`` + ``Other (please specify)``: a
    ``select_one``. Either with an "Other" column: the choice ``other`` and a text question
    ``<name>_other``. Rows of a matrix, fields of a contact question, ranks: one question each,
    ``<question>_<row>`` labelled ``Question [Row]``.
    """
    sub = sample.header_rows[0] if sample.header_rows else []
    header = sample.header + [""] * (frame.shape[1] - len(sample.header))
    pairs = surveymonkey.columns(header, sub)[:frame.shape[1]]
    out: list[_Question] = []

    def values(i: int) -> list[str]:
        return _values(frame.iloc[:, i])

    for top, positions in surveymonkey.groups(pairs):
        kinds = [pairs[i][1] for i in positions]
        base = slugify(top, max_length=40)
        if len(positions) == 1 and (not kinds[0] or normalise_text(kinds[0]) in RESPONSE_WORDS):
            q = _Question(name=_unique_name(base, used), label=top)
            _infer_type(values(positions[0]), separators=separators, q=q)
            out.append(q)
            continue
        other = [i for i in positions if normalise_text(pairs[i][1]) in surveymonkey.OTHER_WORDS]
        rest = [i for i in positions if i not in other]
        options = all(set(map(normalise_text, values(i))) <= {normalise_text(pairs[i][1])} for i in rest)
        single = len(rest) == 1 and normalise_text(pairs[rest[0]][1]) in RESPONSE_WORDS
        if rest and (options or single):
            q = _Question(name=_unique_name(base, used), label=top)
            if single:
                _infer_type(values(rest[0]), separators=(), q=q)
                if q.type != "select_one":
                    q.type, q.choices = "select_one", _choice_list(values(rest[0]))
            else:
                q.type, q.choices = "select_multiple", _choice_list([pairs[i][1] for i in rest])
            if other:
                q.choices.append(("other", pairs[other[0]][1]))
            out.append(q)
            if other:
                out.append(_Question(name=_unique_name(f"{q.name}_other", used),
                                     label=f"{top} [{pairs[other[0]][1]}]"))
            continue
        for i in positions:  # a matrix, a ranking, a contact question: one question per row
            q = _Question(name=_unique_name(f"{base}_{slugify(pairs[i][1], max_length=40)}", used),
                          label=f"{top} [{pairs[i][1]}]")
            _infer_type(values(i), separators=(), q=q)
            out.append(q)
    return out


def infer_draft(export_path: str | Path, *, fmt: str = "auto"
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Infer the ``survey``, ``choices`` and ``settings`` sheets of a draft XLSForm from an export.

    Parameters
    ----------
    export_path
        The export (CSV or XLSX) of a LimeSurvey, Google Forms, Kobo, ODK or hand-made survey.
    fmt
        ``"auto"`` or a format name (see :func:`coopwork.ingest.registry.reader_names`).

    Returns
    -------
    tuple of DataFrame
        ``survey`` (columns ``type, name, label, hint, required, relevant, constraint,
        appearance, coopwork::dimension, coopwork::role, coopwork::identifier``), ``choices``
        (``list_name, name, label``) and ``settings`` (``form_title, form_id, version``).

    Raises
    ------
    IngestError
        When the file cannot be read or holds no answer column.
    """
    sample: TableSample = sniff_table(export_path)
    fmt = reader_for(sample) if fmt in ("auto", "", None) else fmt
    frame, _, _ = load_table(sample)
    meta = _meta(fmt, frame)
    headers = [c for c in frame.columns if c not in meta]
    # the question texts under the codes (Qualtrics) are the labels
    texts = dict(zip(sample.header, sample.labels, strict=False)) if sample.labels else {}
    # how each platform joins the options of a multiple answer (LimeSurvey and Qualtrics never do:
    # they write one column per option)
    separators = (", ", ";") if fmt == "googleforms" else (" ", ";") if fmt in ("kobo", "odk", "surveycto") \
        else () if fmt in ("limesurvey", "qualtrics") else (", ", ";", " ")
    used: set[str] = set()
    questions: list[_Question] = []
    repeats: dict[str, list[_Question]] = {}
    done: set[str] = set()

    def add(header: str, label: str, values: list[str], into: list[_Question]) -> _Question:
        name = _unique_name(slugify(_short_name(header, fmt, headers), max_length=40), used)
        q = _Question(name=name, label=label)
        _infer_type(values, separators=separators, q=q)
        into.append(q)
        return q

    if fmt == "surveymonkey":  # two header rows: the questions are read from both
        questions = _surveymonkey_questions(sample, frame, used, separators)
        headers = []
    # 1. split select_multiple: "q/option" (Kobo, ODK) or "Q[SQ]" (LimeSurvey) option columns
    groups: dict[str, list[tuple[str, str]]] = {}
    for header in headers:
        match = _BRACKET.match(header)
        head, option = (match["q"], match["opt"]) if match else header.rpartition("/")[::2]
        if head and option and _is_option_column(frame[header]):
            groups.setdefault(head, []).append((option, header))
    split_of: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for head, options in groups.items():
        if len(options) >= 2 or head in frame.columns:
            for _, header in options:
                split_of[header] = (head, options)
    # 2. geopoints split in parts, flattened repeats
    geo: dict[str, list[str]] = {}
    for header in headers:
        match = _GEO_SPLIT.match(header)
        if match and header not in split_of:
            geo.setdefault(match["q"], []).append(header)
    flat: dict[str, dict[str, list[str]]] = {}
    for header in headers:
        match = _FLAT_REPEAT.match(header)
        if match:
            flat.setdefault(match["repeat"], {}).setdefault(match["rest"], []).append(header)

    for header in headers:
        if header in done:
            continue
        if header in split_of or (header in groups and header in {h for h, _ in split_of.values()}):
            head, options = split_of.get(header) or (header, groups[header])
            names = [h for _, h in options] + ([head] if head in frame.columns else [])
            done.update(names)
            label = head.rsplit("/", 1)[-1] if fmt in ("kobo", "odk") else head
            name = _unique_name(slugify(_short_name(head, fmt, headers), max_length=40), used)
            questions.append(_Question(name=name, label=label, type="select_multiple",
                                       choices=_choice_list([opt for opt, _ in options])))
            continue
        match = _GEO_SPLIT.match(header)
        if match and match["q"] in geo and len(geo[match["q"]]) >= 2:
            done.update(geo[match["q"]])
            name = _unique_name(slugify(_short_name(match["q"], fmt, headers), max_length=40), used)
            questions.append(_Question(name=name, label=match["q"], type="geopoint"))
            continue
        match = _FLAT_REPEAT.match(header)
        if match and match["repeat"] in flat:
            for rest, columns in flat.pop(match["repeat"]).items():
                values = [v for c in columns for v in _values(frame[c])]
                add(rest, rest, values, repeats.setdefault(match["repeat"], []))
                done.update(columns)
            continue
        if header in done:
            continue
        done.add(header)
        add(header, texts.get(header) or header, _values(frame[header]), questions)

    if fmt in ("odk", "surveycto") and sample.kind == "csv" and "PARENT_KEY" not in frame.columns:
        _odk_repeats(sample.path, repeats, add)
    if not questions and not repeats:
        raise IngestError("ingest_readers.draft_nothing", file=sample.path.name,
                          hint="ingest_readers.hint_export_csv")
    territory = next((q for q in questions if re.search(r"territo", q.name)), None)
    if territory is not None:
        territory.role = "territory"
    for q in questions + [q for qs in repeats.values() for q in qs]:
        if _IDENTIFIER.search(q.name) and q.type == "text":
            q.identifier = True
    return _sheets(questions, repeats, sample.path, used)


def _sheets(questions: list[_Question], repeats: dict[str, list[_Question]], path: Path, used: set[str]
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    survey_rows: list[dict[str, str]] = []
    choice_rows: list[dict[str, str]] = []

    def row(q: _Question) -> None:
        kind = q.type
        if q.choices:
            kind = f"{q.type} {q.name}"
            choice_rows.extend({"list_name": q.name, "name": n, "label": label} for n, label in q.choices)
        survey_rows.append({"type": kind, "name": q.name, "label": q.label, "appearance": q.appearance,
                            "coopwork::role": q.role, "coopwork::identifier": "yes" if q.identifier else ""})

    for q in questions:
        row(q)
    for repeat, inner in repeats.items():
        name = _unique_name(slugify(repeat, max_length=40), used)
        survey_rows.append({"type": "begin_repeat", "name": name, "label": repeat})
        for q in inner:
            row(q)
        survey_rows.append({"type": "end_repeat", "name": ""})
    survey = pd.DataFrame(survey_rows, columns=SURVEY_COLUMNS, dtype=object).fillna("")
    choices = pd.DataFrame(choice_rows, columns=["list_name", "name", "label"])
    settings = pd.DataFrame([{"form_title": path.stem, "form_id": slugify(path.stem),
                              "version": dt.date.today().strftime("%Y%m%d")}])
    return survey, choices, settings


def draft_path(export_path: str | Path, workspace: str | Path = ".") -> Path:
    """Default place of the draft: ``<workspace>/surveys/<export stem>_draft.xlsx``.

    Examples
    --------
    >>> draft_path("data/raw/Réponses 2025.csv").as_posix()
    'surveys/reponses_2025_draft.xlsx'
    """
    return surveys_dir(workspace) / f"{slugify(Path(export_path).stem)}_draft.xlsx"


def draft_survey(export_path: str | Path, *, fmt: str = "auto", output: str | Path | None = None,
                 overwrite: bool = False) -> Path:
    """Write a draft XLSForm inferred from an export and return its path.

    Parameters
    ----------
    export_path
        The export to learn from.
    fmt
        ``"auto"`` or a format name.
    output
        Where to write the ``.xlsx`` (default :func:`draft_path` in the current folder).
    overwrite
        Replace an existing file (by default an existing draft is never overwritten).

    Raises
    ------
    IngestError
        When the export cannot be read, or ``output`` exists and ``overwrite`` is false.
    """
    output = Path(output) if output is not None else draft_path(export_path)
    if output.exists() and not overwrite:
        raise IngestError("ingest_readers.draft_exists", file=output, hint="ingest_readers.hint_draft_exists")
    survey, choices, settings = infer_draft(export_path, fmt=fmt)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = workbook.create_sheet(title)
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for record in table.itertuples(index=False):
            sheet.append([str(v) for v in record])
        sheet.freeze_panes = "A2"
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.tmp")
    workbook.save(temp)
    temp.replace(output)
    return output
