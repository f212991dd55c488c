"""Answers to a generated form (:func:`submissions`) and the counts they imply (:func:`expected_counts`).

The answers are Python values, typed as the question asks:

======================  ==========================================================
select_one, text        ``str`` (a choice *name* for select_one)
select_multiple         ``frozenset[str]`` of choice names (never empty)
rank                    ``tuple[str, ...]``: every choice name, in the order given
integer, range          ``int``
decimal                 ``float`` with at most two decimals
calculate               ``int`` (computed as ODK would, see :class:`~.forms.Calculation`)
date / today            ``datetime.date``
datetime, start, end    ``datetime.datetime`` (naive, UTC)
time                    ``datetime.time``
geopoint                ``(latitude, longitude, altitude, accuracy)`` floats
acknowledge             ``"OK"``
deviceid                ``str``
======================  ==========================================================

``None`` is a blank answer: a question that is not relevant (its own condition or an enclosing
group's) is always blank, a required relevant one never is, an optional one sometimes is. Notes
and matrix header rows are always blank. Constraints hold by construction. A repeat holds 0–n
rows per parent; a repeat that is not relevant holds none.

:func:`expected_counts` computes, from these values only (never through coopwork), what any
correct reader must find: the oracle the tests compare coopwork's outputs with.

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(submissions(FormSpec.example(), min_records=3))
... def check(subs):
...     expected = expected_counts(subs)
...     assert expected.records >= 3 and sorted(expected.repeat_rows) == ["actions_4"]
...     assert expected.answered["effectif_1"] == expected.records  # required, always relevant
>>> check()
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from hypothesis import strategies as st

from .forms import Constraint, FormSpec, Group, Node, Question, number_bounds

__all__ = ["BLANK_LIKE_TEXTS", "TRICKY_TEXTS", "Expected", "Instance", "Record", "Submissions",
           "expected_counts", "submissions"]

_FIRST_DAY, _LAST_DAY = date(2020, 1, 1), date(2025, 12, 31)
# free text: letters of any script, digits, spaces and punctuation
_TEXT_ALPHABET = st.characters(categories=["L", "N", "Zs", "Pd", "Po", "Ps", "Pe", "Sc"],
                               exclude_characters="\u2028\u2029\u00a0")
#: text answers that spell a blank in some tools (R's ``NA``, Python's ``None``, SQL's ``null``…)
BLANK_LIKE_TEXTS = ("NA", "N/A", "n/a", "None", "null", "NULL", "nan", "NaN")
#: answers people do type, that a reader may take for something else (a blank, a formula, a number)
TRICKY_TEXTS = (*BLANK_LIKE_TEXTS, "-", "- tiret", "=SUM(A1)", "+ plus", "@équipe", "0042", "1e5", "TRUE",
                "ligne 1\nligne 2", "« guillemets » ; \"quotes\"")


@dataclass
class Instance:
    """One record or one repeat row: answers by question name, child rows by repeat name."""

    values: dict[str, object] = field(default_factory=dict)
    repeats: dict[str, list[Instance]] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """One submission: the platform's ids and the answers (``root``)."""

    id: int
    uuid: str
    submitted_at: datetime
    root: Instance


@dataclass(frozen=True)
class Submissions:
    """The records of one form."""

    form: FormSpec
    records: tuple[Record, ...]

    def rows(self, repeat: str) -> list[tuple[Record, Instance]]:
        """Every row of ``repeat`` with its record, in export order (depth first, record by record)."""
        out: list[tuple[Record, Instance]] = []

        def visit(record: Record, instance: Instance) -> None:
            for name, rows in instance.repeats.items():
                for row in rows:
                    if name == repeat:
                        out.append((record, row))
                    visit(record, row)

        for record in self.records:
            visit(record, record.root)
        return out


class _Scope(Mapping):
    """The answers a question can refer to: its own row's, then its parents' (innermost first)."""

    def __init__(self, *layers: dict[str, object]) -> None:
        self.layers = layers

    def __getitem__(self, key: str) -> object:
        for layer in self.layers:
            if key in layer:
                return layer[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter({k for layer in self.layers for k in layer})

    def __len__(self) -> int:
        return len(set(self))


def _text(draw: st.DrawFn, constraint: Constraint | None, tricky: Sequence[str]) -> str:
    """A text answer: any script, sometimes one of ``tricky``, never blank or padded."""
    if constraint is not None and constraint.kind == "code":  # "NA" is Namibia, and a blank-like text
        code = draw(st.text(string.ascii_uppercase, min_size=2, max_size=2))
        return code if code not in TRICKY_TEXTS or code in tricky else "FR"
    if tricky and draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(tricky))
    longest = 30 if constraint is not None and constraint.kind == "max_length" else 60
    words = draw(st.text(_TEXT_ALPHABET, min_size=1, max_size=longest)).strip()
    if not words or (words in TRICKY_TEXTS and words not in tricky):  # Hypothesis likes known constants
        words = draw(st.sampled_from(["oui", "Atelier vélo", "Réunion — 3 ans", "ăla öröm", "東京 2025"]))
    return words


def _number(draw: st.DrawFn, q: Question) -> int | float:
    low, high = number_bounds(q)
    if q.type in {"integer", "range"}:
        return draw(st.integers(int(low), int(high)))
    cents = draw(st.integers(int(low * 100), int(high * 100)))
    return round(cents / 100, 2)


def _datetime(draw: st.DrawFn) -> datetime:
    return draw(st.datetimes(datetime(2020, 1, 1), datetime(2025, 12, 31))).replace(microsecond=0)


def _value(draw: st.DrawFn, form: FormSpec, q: Question, scope: _Scope, tricky: Sequence[str] = ()) -> object:
    """A valid, non-blank answer to ``q``."""
    kind = q.type
    if kind in {"select_one", "select_multiple", "rank"}:
        names = [c.name for c in form.choices_of(q)]
        if kind == "select_one":
            return draw(st.sampled_from(names))
        if kind == "rank":
            return tuple(draw(st.permutations(names)))
        most = int(q.constraint.high) if q.constraint and q.constraint.kind == "max_selected" else len(names)
        return frozenset(draw(st.lists(st.sampled_from(names), min_size=1, max_size=most, unique=True)))
    if kind in {"integer", "decimal", "range"}:
        return _number(draw, q)
    if kind == "text":
        return _text(draw, q.constraint, tricky)
    if kind in {"date", "today"}:
        return draw(st.dates(_FIRST_DAY, _LAST_DAY))
    if kind in {"datetime", "start", "end"}:
        return _datetime(draw)
    if kind == "time":
        return draw(st.times()).replace(microsecond=0)
    if kind == "geopoint":
        latitude = draw(st.integers(-89_999_999, 89_999_999)) / 1e6
        longitude = draw(st.integers(-179_999_999, 179_999_999)) / 1e6
        return latitude, longitude, draw(st.integers(-500, 30_000)) / 10, draw(st.integers(0, 500)) / 10
    if kind == "acknowledge":
        return "OK"
    if kind == "deviceid":
        return "collect:" + draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=16, max_size=16))
    if kind == "calculate":
        ref = q.calculation.ref if q.calculation else None
        return q.calculation.value(scope.get(ref) if ref else None)
    raise ValueError(f"no answer for type {kind!r}")


def _fill(draw: st.DrawFn, form: FormSpec, nodes: tuple[Node, ...], row: Instance, parents: tuple[dict, ...],
          *, relevant: bool, missing: bool, max_rows: int, tricky: Sequence[str]) -> None:
    """Answer ``nodes`` into ``row`` (groups share their row; a repeat adds child rows)."""
    scope = _Scope(row.values, *parents)
    for node in nodes:
        if isinstance(node, Group):
            here = relevant and (node.relevant is None or node.relevant.holds(scope.get(node.relevant.ref)))
            if not node.repeat:
                _fill(draw, form, node.children, row, parents, relevant=here, missing=missing,
                      max_rows=max_rows, tricky=tricky)
                continue
            children = row.repeats.setdefault(node.name, [])
            for _ in range(draw(st.integers(0, max_rows)) if here else 0):
                child = Instance()
                _fill(draw, form, node.children, child, (row.values, *parents), relevant=True,
                      missing=missing, max_rows=max_rows, tricky=tricky)
                children.append(child)
            continue
        q = node
        if q.is_metadata:
            row.values[q.name] = _value(draw, form, q, scope)
            continue
        here = relevant and (q.relevant is None or q.relevant.holds(scope.get(q.relevant.ref)))
        if not q.is_answer or not here:
            row.values[q.name] = None
        elif q.type == "calculate" or q.required or not missing or draw(st.integers(0, 4)) > 0:
            row.values[q.name] = _value(draw, form, q, scope, tricky)
        else:
            row.values[q.name] = None
    if "start" in row.values and "end" in row.values and row.values["end"] < row.values["start"]:
        row.values["start"], row.values["end"] = row.values["end"], row.values["start"]


@st.composite
def submissions(draw: st.DrawFn, form: FormSpec, *, min_records: int = 1, max_records: int = 8,
                max_rows: int = 3, missing: bool = True, tricky: Sequence[str] = TRICKY_TEXTS) -> Submissions:
    """Draw valid answers to ``form``: ``min_records``–``max_records`` records.

    Parameters
    ----------
    form
        The form (from :func:`~tests.strategies.forms.xlsforms` or hand-written).
    min_records, max_records
        How many records.
    max_rows
        Most rows of a repeat under one parent (0 is always possible).
    missing
        Leave some optional answers blank.
    tricky
        Text answers drawn now and then (default :data:`TRICKY_TEXTS`); ``()`` for none.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(submissions(FormSpec.example(), max_records=2))
    ... def check(subs):
    ...     assert all(isinstance(r.root.values["effectif_1"], int) for r in subs.records)
    >>> check()
    """
    n = draw(st.integers(min_records, max_records))
    uuids = draw(st.lists(st.uuids(), min_size=n, max_size=n, unique=True))
    first_id = draw(st.integers(1, 400_000_000))
    start = draw(st.datetimes(datetime(2023, 1, 1), datetime(2025, 6, 30))).replace(microsecond=0)
    records = []
    for i, uuid in enumerate(uuids):
        root = Instance()
        _fill(draw, form, form.children, root, (), relevant=True, missing=missing, max_rows=max_rows,
              tricky=tricky)
        records.append(Record(first_id + i, str(uuid), start + timedelta(minutes=7 * i), root))
    return Submissions(form, tuple(records))


# ====================================================================== the oracle

@dataclass(frozen=True)
class Expected:
    """What the generated records hold, counted directly from them.

    ``answered`` counts the non-blank answers of every answer question over all the rows of
    its table (main or repeat); ``options`` counts, for every select_one and select_multiple,
    how many rows chose each option (every option listed, 0 included); ``sums`` adds up the
    numbers (integer, decimal, range, calculate); ``territories`` counts records per territory
    (empty without a territory question); ``relations`` is the number of partner rows.
    """

    records: int
    repeat_rows: dict[str, int]
    records_with_rows: dict[str, int]
    answered: dict[str, int]
    options: dict[str, dict[str, int]]
    sums: dict[str, float]
    territories: dict[str, int]
    relations: int

    def main_only(self, form: FormSpec) -> Expected:
        """The counts of an export that drops the repeats (Kobo's CSV): no repeat row, no answer in one.

        Examples
        --------
        >>> e = Expected(1, {"r": 2}, {"r": 1}, {"a": 1, "b": 2}, {}, {"b": 3.0}, {}, 0)
        >>> form = FormSpec("f", "F", (), (Question("a", "text"), Group("r", {}, (Question("b", "integer"),),
        ...                                                            repeat=True)), {})
        >>> e.main_only(form).answered, e.main_only(form).repeat_rows
        ({'a': 1, 'b': 0}, {'r': 0})
        """
        inside = {q.name for q, place in form.questions() if place.repeat}
        return replace(
            self,
            repeat_rows=dict.fromkeys(self.repeat_rows, 0),
            records_with_rows=dict.fromkeys(self.records_with_rows, 0),
            answered={k: 0 if k in inside else v for k, v in self.answered.items()},
            options={k: dict.fromkeys(v, 0) if k in inside else v for k, v in self.options.items()},
            sums={k: 0 if k in inside else v for k, v in self.sums.items()},
            relations=0,
        )


def _tables(subs: Submissions) -> dict[str | None, list[tuple[Record, Instance]]]:
    """Rows of every table: ``None`` → records, repeat name → its rows."""
    tables: dict[str | None, list[tuple[Record, Instance]]] = {None: [(r, r.root) for r in subs.records]}
    for repeat, _ in subs.form.repeats():
        tables[repeat.name] = subs.rows(repeat.name)
    return tables


def expected_counts(subs: Submissions) -> Expected:
    """Count the generated data (see :class:`Expected`); nothing here uses coopwork.

    Examples
    --------
    >>> form = FormSpec.example()
    >>> root = Instance({"territoire": "cluj", "effectif_1": 4, "avis_2": "5", "avis_3": None},
    ...                 {"actions_4": [Instance({"duree_5": 1.5}), Instance({"duree_5": 2.25})]})
    >>> subs = Submissions(form, (Record(1, "u-1", datetime(2025, 1, 1), root),))
    >>> e = expected_counts(subs)
    >>> e.repeat_rows, e.sums["duree_5"], e.options["avis_2"]["5"], e.territories
    ({'actions_4': 2}, 3.75, 1, {'cluj': 1})
    """
    form = subs.form
    tables = _tables(subs)
    answered: dict[str, int] = {}
    options: dict[str, dict[str, int]] = {}
    sums: dict[str, float] = {}
    for q, place in form.questions():
        if not q.is_answer:
            continue
        values = [row.values.get(q.name) for _, row in tables[place.repeat]]
        given = [v for v in values if v is not None]
        answered[q.name] = len(given)
        if q.type in {"select_one", "select_multiple"}:
            counts = dict.fromkeys((c.name for c in form.choices_of(q)), 0)
            for value in given:
                for name in value if isinstance(value, frozenset) else (value,):
                    counts[name] += 1
            options[q.name] = counts
        if q.type in {"integer", "decimal", "range", "calculate"}:
            sums[q.name] = round(sum(given), 6)
    territories: dict[str, int] = {}
    if form.territory:
        for record in subs.records:
            value = record.root.values.get(form.territory)
            territories[value] = territories.get(value, 0) + 1
    partner = form.roles.get("partner")
    partner_repeat = next((p.repeat for q, p in form.questions() if q.name == partner), None)
    return Expected(
        records=len(subs.records),
        repeat_rows={name: len(rows) for name, rows in tables.items() if name is not None},
        records_with_rows={name: len({r.uuid for r, _ in rows}) for name, rows in tables.items()
                           if name is not None},
        answered=answered, options=options, sums=sums, territories=territories,
        relations=len(tables.get(partner_repeat, [])) if partner_repeat else 0,
    )
