"""The XLSForm expression evaluator, checked row by row against plain-Python references."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from coopwork.survey.xpath import XPathError, evaluate, parse, references


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "age": ["17", "18", "45", "", None, "abc", "120", "3.5"],
        "kind": ["scop", "scic", "autre", "scop", None, "", "scic", "autre"],
        "tools": ["web compta", "", "locaux", "web", None, "web  locaux", "compta", "x"],
        "email": ["a@b.fr", "nope", "", "c@d.org", None, "e@f", "", "g@h.io"],
        "day": ["2020-01-31", "2099-12-31", "", "1999-05-01", None, "31/01/2020", "2024-02-29", ""],
    }, dtype="string")


def _num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _rows(frame):
    return [{k: ("" if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def test_numeric_comparisons_match_a_python_reference(frame):
    got = evaluate(". >= 18 and . <= 100", frame, current="age").tolist()
    expected = [18 <= _num(r["age"]) <= 100 for r in _rows(frame)]
    assert got == expected
    got = evaluate(". < 18 or . > 100", frame, current="age").tolist()
    expected = [(_num(r["age"]) < 18) or (_num(r["age"]) > 100) for r in _rows(frame)]
    assert got == expected


def test_equality_is_string_or_numeric_by_operand_type(frame):
    assert evaluate("${kind} = 'scop'", frame).tolist() == [r["kind"] == "scop" for r in _rows(frame)]
    assert evaluate("${kind} != 'scop'", frame).tolist() == [r["kind"] != "scop" for r in _rows(frame)]
    # numeric: "18" = 18.0, and NaN is never equal nor unequal
    assert evaluate(". = 18", frame, current="age").tolist() == [_num(r["age"]) == 18 for r in _rows(frame)]
    expected = [(_num(r["age"]) == _num(r["age"])) and _num(r["age"]) != 18 for r in _rows(frame)]
    assert evaluate(". != 18", frame, current="age").tolist() == expected


def test_empty_string_test_and_not(frame):
    assert evaluate("${email} != ''", frame).tolist() == [r["email"] != "" for r in _rows(frame)]
    assert evaluate("not(${email} = '')", frame).tolist() == [r["email"] != "" for r in _rows(frame)]
    assert evaluate('${email} = ""', frame).tolist() == [r["email"] == "" for r in _rows(frame)]


def test_selected_and_count_selected(frame):
    got = evaluate("selected(${tools}, 'web')", frame).tolist()
    assert got == ["web" in r["tools"].split() for r in _rows(frame)]
    got = evaluate("count-selected(${tools}) >= 2", frame).tolist()
    assert got == [len(r["tools"].split()) >= 2 for r in _rows(frame)]
    # 'web' must be a whole option, not a substring of another one
    other = pd.DataFrame({"t": ["website", "web", "a web b"]}, dtype="string")
    assert evaluate("selected(${t}, 'web')", other).tolist() == [False, True, True]


def test_string_length_and_regex(frame):
    got = evaluate("string-length(.) > 3", frame, current="email").tolist()
    assert got == [len(r["email"]) > 3 for r in _rows(frame)]
    pattern = r"^[^@ ]+@[^@ ]+[.][a-z]{2,}$"
    got = evaluate(f"regex(., '{pattern}')", frame, current="email").tolist()
    assert got == [re.search(pattern, r["email"]) is not None for r in _rows(frame)]


def test_arithmetic_and_precedence(frame):
    got = evaluate(". * 2 + 1 > 40 div 2 - 3", frame, current="age").tolist()
    expected = [_num(r["age"]) * 2 + 1 > 40 / 2 - 3 for r in _rows(frame)]
    assert got == expected
    got = evaluate(". mod 2 = 1", frame, current="age").tolist()
    assert got == [_num(r["age"]) % 2 == 1 for r in _rows(frame)]
    got = evaluate("-(. - 20) > 0", frame, current="age").tolist()
    assert got == [-(_num(r["age"]) - 20) > 0 for r in _rows(frame)]
    assert evaluate("(1 or 0) and 0", frame).tolist() == [False] * len(frame)


def test_dates_compare_as_days(frame):
    got = evaluate(". <= today()", frame, current="day").tolist()
    today = pd.Timestamp.today().normalize()
    expected = []
    for r in _rows(frame):
        stamp = pd.to_datetime(r["day"], format="%Y-%m-%d", errors="coerce")
        expected.append(bool(pd.notna(stamp) and stamp <= today))
    assert got == expected
    assert evaluate(". > date('2000-01-01')", frame, current="day").tolist() == [
        True, True, False, False, False, False, True, False]


def test_if_coalesce_concat(frame):
    got = evaluate("if(${kind} = 'scop', 1, 0) = 1", frame).tolist()
    assert got == [r["kind"] == "scop" for r in _rows(frame)]
    got = evaluate("coalesce(${kind}, 'none') = 'none'", frame).tolist()
    assert got == [r["kind"] == "" for r in _rows(frame)]
    got = evaluate("concat(${kind}, '-', ${age}) = 'scop-17'", frame).tolist()
    assert got == [r["kind"] == "scop" and r["age"] == "17" for r in _rows(frame)]


@pytest.mark.parametrize("expression", [
    "position(..) > 1", "jr:choice-name(${kind}, '${kind}')", "indexed-repeat(${a}, ${b}, 1)",
    "${age} >", "(. > 1", "'unterminated", "../x = 1", ". ? 2", "", "selected(${tools})",
])
def test_unsupported_or_broken_expressions_raise_xpatherror(frame, expression):
    with pytest.raises(XPathError):
        evaluate(expression, frame, current="age")


def test_unknown_reference_raises(frame):
    with pytest.raises(XPathError) as info:
        evaluate("${missing} = 'x'", frame)
    assert info.value.code == "xpath.no_column" and info.value.fields == {"name": "missing"}
    assert info.value.render_message("en") == "${missing} is not a column of this table"


def test_dot_without_current_question_raises(frame):
    with pytest.raises(XPathError) as info:
        evaluate(". > 1", frame)
    assert info.value.code == "xpath.no_current" and "no current question" in info.value.render_message("en")


def test_references_and_parse_cache():
    assert references("${a} = ${b} or selected(${a}, 'x')") == ["a", "b"]
    assert parse("${a} = 1") is parse("${a} = 1")


def test_result_is_aligned_on_the_frame_index():
    frame = pd.DataFrame({"x": ["1", "5"]}, index=[10, 20], dtype="string")
    result = evaluate(". > 2", frame, current="x")
    assert result.index.tolist() == [10, 20]
    assert result.dtype == bool
    assert evaluate("true()", frame).tolist() == [True, True]


def test_real_world_constraints_and_relevance_never_crash(realworld):
    """Every constraint/relevant of a real field form either evaluates or raises XPathError."""
    path = realworld / "xlsform" / "reach_rcce_uganda_questions.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expressions = [row.get(column) for row in rows for column in ("constraint", "relevant")]
    expressions = [e for e in expressions if e and e.strip()]
    assert len(expressions) > 10
    names = {name for e in expressions for name in references(e)}
    frame = pd.DataFrame({name: ["", "yes", "1 2"] for name in names | {"current"}}, dtype="string")
    evaluated = 0
    for expression in expressions:
        try:
            result = evaluate(expression, frame, current="current")
        except XPathError:
            continue
        assert result.dtype == bool and len(result) == 3
        evaluated += 1
    # the form's expressions are plain selected()/comparisons/count-selected(): most are supported
    assert evaluated >= 0.9 * len(expressions)
