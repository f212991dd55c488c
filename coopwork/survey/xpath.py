"""A small, safe evaluator of the XLSForm expressions that validation needs.

XLSForm ``constraint`` and ``relevant`` cells are XPath 1.0 expressions with two ODK
conveniences: ``${name}`` for another answer and ``.`` for the current answer. This module
parses the part of that language that real forms use for checks and evaluates it **once per
expression on whole columns** of a DataFrame (no Python loop over rows):

- literals: numbers (``18``, ``2.5``) and strings (``'yes'`` or ``"yes"``);
- references: ``.`` (the ``current`` column) and ``${other}``;
- comparisons ``= != < <= > >=``, ``and`` / ``or``, arithmetic ``+ - * div mod``, unary ``-``,
  parentheses;
- functions ``not()``, ``true()``, ``false()``, ``selected(x, 'v')``, ``count-selected(x)``,
  ``string-length(x)``, ``regex(x, 'pattern')``, ``contains()``, ``starts-with()``,
  ``ends-with()``, ``number()``, ``int()``, ``string()``, ``concat()``, ``if()``,
  ``coalesce()``, ``today()``, ``date()``.

Anything else (``position(..)``, ``indexed-repeat()``, ``jr:choice-name()``, paths) raises
:class:`XPathError`, which validation turns into one ``flagged`` issue ("not checked"):
an expression we cannot evaluate is never a crash and never a silent pass.

Semantics follow XPath 1.0 as ODK applies it: answers are strings, an empty answer is ``''``;
``=``/``!=`` compare as numbers when one side is a number, else as strings; ``<``, ``>`` …
compare as numbers (ISO dates count as days since 1970-01-01, as in ODK); a comparison with a
value that is not a number is false.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"age": ["17", "45", None], "role": ["a b", "b", "a"]})
>>> evaluate(". >= 18 and . < 120", frame, current="age").tolist()
[False, True, False]
>>> evaluate("selected(${role}, 'a')", frame).tolist()
[True, False, True]
>>> references("${age} > 3 or selected(${role}, 'x')")
['age', 'role']
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import CoopworkError
from ..i18n import normalise_lang

__all__ = ["Expr", "XPathError", "evaluate", "parse", "references", "uses_dot"]


class XPathError(CoopworkError, ValueError):
    """An expression this evaluator cannot parse or evaluate (reported as "not checked").

    Its text is in the user's language (``COOPWORK_LANG``), as is the issue that quotes it.
    """

    def __init__(self, code: str, /, **fields: object) -> None:
        super().__init__(code, lang=normalise_lang(os.environ.get("COOPWORK_LANG")), **fields)

    def __str__(self) -> str:
        return self.render_message()


# ----------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][\w.\-]*)\s*\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.(?![\.\w]))
  | (?P<name>[A-Za-z_][\w\-]*(?::[A-Za-z_][\w\-]*)?)
""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise XPathError("xpath.unexpected_character", character=repr(text[position]),
                             position=position + 1)
        position = match.end()
        kind = match.lastgroup
        if kind == "ws":
            continue
        if kind == "refname":  # pragma: no cover - the outer group is reported as 'ref'
            kind = "ref"
        if match.group("ref"):
            tokens.append(_Token("ref", match.group("refname")))
        elif kind == "string":
            tokens.append(_Token("string", match.group(kind)[1:-1]))
        elif kind == "name" and match.group(kind) in {"and", "or", "div", "mod"}:
            tokens.append(_Token("op", match.group(kind)))
        else:
            tokens.append(_Token(kind, match.group(kind)))
    return tokens


# ----------------------------------------------------------------------------- syntax tree

@dataclass(frozen=True)
class Expr:
    """A parsed expression: ``op`` is ``num``, ``str``, ``ref``, ``dot``, ``call`` or an operator."""

    op: str
    args: tuple = ()
    value: object = None


_BINARY_PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
                      "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}
_FUNCTIONS = {
    "not": (1, 1), "true": (0, 0), "false": (0, 0), "selected": (2, 2), "count-selected": (1, 1),
    "string-length": (0, 1), "regex": (2, 2), "contains": (2, 2), "starts-with": (2, 2),
    "ends-with": (2, 2), "number": (1, 1), "int": (1, 1), "string": (1, 1), "concat": (1, 99),
    "if": (3, 3), "coalesce": (2, 2), "today": (0, 0), "date": (1, 1), "boolean": (1, 1),
    "round": (1, 2), "abs": (1, 1),
}


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise XPathError("xpath.ends_early")
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        token = self.take()
        if token.kind != "op" or token.value != value:
            raise XPathError("xpath.expected", expected=repr(value), found=repr(token.value))

    def expression(self, min_precedence: int = 1) -> Expr:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token.kind != "op" or token.value not in _BINARY_PRECEDENCE:
                return left
            precedence = _BINARY_PRECEDENCE[token.value]
            if precedence < min_precedence:
                return left
            self.take()
            right = self.expression(precedence + 1)
            left = Expr(token.value, (left, right))

    def unary(self) -> Expr:
        token = self.peek()
        if token is not None and token.kind == "op" and token.value == "-":
            self.take()
            return Expr("neg", (self.unary(),))
        return self.primary()

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "number":
            return Expr("num", value=float(token.value))
        if token.kind == "string":
            return Expr("str", value=token.value)
        if token.kind == "ref":
            return Expr("ref", value=token.value)
        if token.kind == "dot":
            return Expr("dot")
        if token.kind == "op" and token.value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind == "name":
            following = self.peek()
            if following is None or following.value != "(":
                raise XPathError("xpath.no_paths", path=repr(token.value))
            if token.value not in _FUNCTIONS:
                raise XPathError("xpath.unsupported_function", function=token.value)
            self.take()
            args: list[Expr] = []
            if not (self.peek() and self.peek().value == ")"):
                args.append(self.expression())
                while self.peek() and self.peek().kind == "op" and self.peek().value == ",":
                    self.take()
                    args.append(self.expression())
            self.expect(")")
            low, high = _FUNCTIONS[token.value]
            if not low <= len(args) <= high:
                raise XPathError("xpath.arguments", function=token.value, low=low, high=high, n=len(args))
            return Expr("call", tuple(args), token.value)
        raise XPathError("xpath.unexpected", token=repr(token.value))


@lru_cache(maxsize=1024)
def parse(expression: str) -> Expr:
    """Parse an XLSForm expression into an :class:`Expr` tree.

    Raises
    ------
    XPathError
        When the expression uses syntax or functions this evaluator does not support.

    Examples
    --------
    >>> parse("${a} = 'x'").op
    '='
    """
    text = (expression or "").strip()
    if not text:
        raise XPathError("xpath.empty")
    parser = _Parser(_tokenise(text))
    tree = parser.expression()
    if parser.peek() is not None:
        raise XPathError("xpath.trailing", token=repr(parser.peek().value))
    return tree


def references(expression: str) -> list[str]:
    """Names referenced as ``${name}`` in ``expression``, in order, without repeats.

    Examples
    --------
    >>> references("${a} > ${b} and ${a} != ''")
    ['a', 'b']
    """
    seen: list[str] = []
    for name in re.findall(r"\$\{\s*([A-Za-z_][\w.\-]*)\s*\}", expression or ""):
        if name not in seen:
            seen.append(name)
    return seen


# ----------------------------------------------------------------------------- evaluation
# A value is a scalar (float, str, bool) or a Series aligned on the frame's index:
# strings are object Series with '' for missing answers, numbers float64 with NaN,
# booleans bool.

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_EPOCH = pd.Timestamp("1970-01-01")


class _Context:
    def __init__(self, frame: pd.DataFrame, current: str | None) -> None:
        self.frame = frame
        self.current = current
        self.index = frame.index
        self.cache: dict[str, pd.Series] = {}

    def column(self, name: str) -> pd.Series:
        if name not in self.cache:
            if name not in self.frame.columns:
                raise XPathError("xpath.no_column", name=name)
            values = self.frame[name]
            self.cache[name] = values.astype(object).where(values.notna(), "").astype(str)
        return self.cache[name]


def _is_series(value: object) -> bool:
    return isinstance(value, pd.Series)


def _kind(value: object) -> str:
    if _is_series(value):
        if value.dtype == bool:
            return "bool"
        return "num" if pd.api.types.is_float_dtype(value.dtype) else "str"
    if isinstance(value, bool):
        return "bool"
    return "num" if isinstance(value, float) else "str"


def _to_number(value: object, ctx: _Context) -> object:
    kind = _kind(value)
    if kind == "num":
        return value
    if kind == "bool":
        return value.astype(float) if _is_series(value) else float(value)
    if not _is_series(value):
        try:
            return float(value)
        except ValueError:
            if _DATE_RE.match(value):
                stamp = pd.to_datetime(value[:10], errors="coerce")
                return np.nan if pd.isna(stamp) else float((stamp - _EPOCH).days)
            return np.nan
    numbers = pd.to_numeric(value.str.strip().replace("", np.nan), errors="coerce").astype(float)
    dates = value.str.match(_DATE_RE.pattern) & numbers.isna()
    if dates.any():
        stamps = pd.to_datetime(value[dates].str.slice(0, 10), errors="coerce", format="%Y-%m-%d")
        numbers = numbers.copy()
        numbers[dates] = ((stamps - _EPOCH).dt.days).astype(float)
    return numbers


def _to_string(value: object, ctx: _Context) -> object:
    kind = _kind(value)
    if kind == "str":
        return value
    if kind == "bool":
        return value.map({True: "true", False: "false"}) if _is_series(value) else str(value).lower()
    if _is_series(value):
        return value.map(_number_text).astype(object)
    return _number_text(value)


def _number_text(number: float) -> str:
    if pd.isna(number):
        return "NaN"
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _to_bool(value: object, ctx: _Context) -> object:
    kind = _kind(value)
    if kind == "bool":
        return value
    if kind == "num":
        if _is_series(value):
            return (value.fillna(0) != 0)
        return bool(value) and not pd.isna(value)
    return value != ""


def _broadcast(value: object, ctx: _Context) -> pd.Series:
    if _is_series(value):
        return value
    return pd.Series([value] * len(ctx.index), index=ctx.index, dtype=object if isinstance(value, str)
                     else (bool if isinstance(value, bool) else float))


def _compare(op: str, left: object, right: object, ctx: _Context) -> object:
    kinds = {_kind(left), _kind(right)}
    if op in {"=", "!="} and "bool" in kinds:
        a, b = _to_bool(left, ctx), _to_bool(right, ctx)
    elif op in {"=", "!="} and "num" not in kinds:
        a, b = _to_string(left, ctx), _to_string(right, ctx)
    else:
        a, b = _to_number(left, ctx), _to_number(right, ctx)
    if op == "=":
        result = a == b
    elif op == "!=":
        result = a != b
    elif op == "<":
        result = a < b
    elif op == "<=":
        result = a <= b
    elif op == ">":
        result = a > b
    else:
        result = a >= b
    if _is_series(result):
        result = result.astype(bool)
        if op == "!=" and "num" in kinds:  # NaN != x is false in XPath, true in numpy
            result &= _broadcast(a, ctx).notna() & _broadcast(b, ctx).notna()
    elif op == "!=" and "num" in kinds and (pd.isna(a) or pd.isna(b)):
        result = False
    return bool(result) if not _is_series(result) else result


def _arith(op: str, left: object, right: object, ctx: _Context) -> object:
    a, b = _to_number(left, ctx), _to_number(right, ctx)
    with np.errstate(divide="ignore", invalid="ignore"):
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            if _is_series(a) or _is_series(b):
                return _broadcast(a, ctx).astype(float) / _broadcast(b, ctx).astype(float)
            return np.nan if b == 0 else a / b
        if _is_series(a) or _is_series(b):
            return np.fmod(_broadcast(a, ctx).astype(float), _broadcast(b, ctx).astype(float))
        return float(np.fmod(a, b)) if b != 0 else np.nan


def _tokens_of(value: object, ctx: _Context) -> pd.Series:
    text = _broadcast(_to_string(value, ctx), ctx).astype(str)
    return text.str.split()


def compile_regex(pattern: str):
    """``pattern`` compiled for matching in linear time (RE2), whatever the answer.

    Python's ``re`` backtracks: ``^(a+)+$`` against forty ``a`` and a ``!`` runs for hours, and an
    XLSForm's patterns are written for ODK's engines, not for ours. RE2 matches in time linear in
    the answer. What RE2 cannot match in linear time (a back-reference ``\\1``, a look-around
    ``(?=…)``) raises :class:`XPathError`: the constraint is then reported as not checked, once,
    never run with a backtracking engine.

    Examples
    --------
    >>> bool(compile_regex("^(a+)+$").search("a" * 40 + "!"))
    False
    >>> compile_regex("^(a)\\\\1$")
    Traceback (most recent call last):
    ...
    coopwork.survey.xpath.XPathError: ...RE2...
    """
    import re2

    options = re2.Options()
    options.log_errors = False       # RE2 would print its own message on stderr
    options.max_mem = 64 << 20
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        try:
            re.compile(pattern)  # compiling never backtracks: is the pattern itself valid?
        except re.error as invalid:
            raise XPathError("xpath.bad_regex", pattern=repr(pattern), error=str(invalid)) from None
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) \
            else str(exc)
        raise XPathError("xpath.regex_not_linear", pattern=repr(pattern), error=detail) from None


def _call(name: str, args: list[object], ctx: _Context) -> object:
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "not":
        value = _to_bool(args[0], ctx)
        return ~value if _is_series(value) else not value
    if name == "boolean":
        return _to_bool(args[0], ctx)
    if name == "selected":
        wanted = _to_string(args[1], ctx)
        if _is_series(wanted):
            raise XPathError("xpath.literal_option")
        text = _broadcast(_to_string(args[0], ctx), ctx).astype(str)
        padded = " " + text.str.replace(r"\s+", " ", regex=True) + " "
        return padded.str.contains(f" {wanted.strip()} ", regex=False).astype(bool)
    if name == "count-selected":
        return _tokens_of(args[0], ctx).str.len().astype(float)
    if name == "string-length":
        text = _to_string(args[0], ctx)
        return text.str.len().astype(float) if _is_series(text) else float(len(text))
    if name == "regex":
        pattern = _to_string(args[1], ctx)
        if _is_series(pattern):
            raise XPathError("xpath.literal_pattern")
        compiled = compile_regex(pattern)
        text = _broadcast(_to_string(args[0], ctx), ctx).astype(str)
        return text.map(lambda s: compiled.search(s) is not None).astype(bool)
    if name in {"contains", "starts-with", "ends-with"}:
        needle = _to_string(args[1], ctx)
        if _is_series(needle):
            raise XPathError("xpath.literal_argument", function=name)
        text = _broadcast(_to_string(args[0], ctx), ctx).astype(str)
        method = {"contains": lambda s: s.str.contains(needle, regex=False),
                  "starts-with": lambda s: s.str.startswith(needle),
                  "ends-with": lambda s: s.str.endswith(needle)}[name]
        return method(text).astype(bool)
    if name == "number":
        return _to_number(args[0], ctx)
    if name == "int":
        number = _to_number(args[0], ctx)
        return np.trunc(number)
    if name == "round":
        number = _to_number(args[0], ctx)
        digits = int(_to_number(args[1], ctx)) if len(args) > 1 else 0
        return number.round(digits) if _is_series(number) else round(number, digits)
    if name == "abs":
        return abs(_to_number(args[0], ctx))
    if name == "string":
        return _to_string(args[0], ctx)
    if name == "concat":
        parts = [_broadcast(_to_string(a, ctx), ctx).astype(str) for a in args]
        result = parts[0]
        for part in parts[1:]:
            result = result + part
        return result
    if name == "if":
        condition = _broadcast(_to_bool(args[0], ctx), ctx)
        yes, no = _broadcast(args[1], ctx), _broadcast(args[2], ctx)
        if _kind(yes) != _kind(no):
            yes, no = _broadcast(_to_string(yes, ctx), ctx), _broadcast(_to_string(no, ctx), ctx)
        return yes.where(condition, no)
    if name == "coalesce":
        first = _broadcast(_to_string(args[0], ctx), ctx).astype(str)
        second = _broadcast(_to_string(args[1], ctx), ctx).astype(str)
        return first.where(first != "", second)
    if name == "today":
        return float((pd.Timestamp.today().normalize() - _EPOCH).days)
    if name == "date":
        return _to_number(_to_string(args[0], ctx), ctx)
    raise XPathError("xpath.unsupported_function", function=name)  # pragma: no cover


def _eval(node: Expr, ctx: _Context) -> object:
    if node.op == "num":
        return node.value
    if node.op == "str":
        return node.value
    if node.op == "ref":
        return ctx.column(node.value)
    if node.op == "dot":
        if ctx.current is None:
            raise XPathError("xpath.no_current")
        return ctx.column(ctx.current)
    if node.op == "neg":
        return -_to_number(_eval(node.args[0], ctx), ctx)
    if node.op == "call":
        args = node.args or ((Expr("dot"),) if node.value == "string-length" else ())
        return _call(node.value, [_eval(a, ctx) for a in args], ctx)
    left, right = (_eval(a, ctx) for a in node.args)
    if node.op in {"and", "or"}:
        a, b = _to_bool(left, ctx), _to_bool(right, ctx)
        if node.op == "and":
            return (a & b) if (_is_series(a) or _is_series(b)) else (a and b)
        return (a | b) if (_is_series(a) or _is_series(b)) else (a or b)
    if node.op in {"=", "!=", "<", "<=", ">", ">="}:
        return _compare(node.op, left, right, ctx)
    return _arith(node.op, left, right, ctx)


def evaluate(expression: str, frame: pd.DataFrame, *, current: str | None = None) -> pd.Series:
    """Evaluate ``expression`` on every row of ``frame`` at once; return a boolean Series.

    Parameters
    ----------
    expression
        An XLSForm ``constraint`` or ``relevant`` expression.
    frame
        Answers as strings (missing = NA), one column per question name.
    current
        The column that ``.`` refers to (the question being checked).

    Returns
    -------
    pandas.Series
        ``bool`` values aligned on ``frame.index`` (XPath boolean of the result).

    Raises
    ------
    XPathError
        Unsupported syntax or function, or a ``${name}`` that is not a column of ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": ["3", "12", "x"], "email": ["a@b.fr", "nope", ""]})
    >>> evaluate(". mod 2 = 0 or . > 10", frame, current="n").tolist()
    [False, True, False]
    >>> evaluate("regex(${email}, '^[^@]+@[^@]+$')", frame).tolist()
    [True, False, False]
    >>> evaluate("count-selected(${email}) = 1 and string-length(${email}) > 4", frame).tolist()
    [True, False, False]
    """
    tree = parse(expression)
    columns = list(dict.fromkeys(
        [*references(expression), *([current] if current is not None and uses_dot(tree) else [])]))
    if len(frame) > 32 and all(c in frame.columns for c in columns):
        # evaluate once per distinct combination of the referenced answers, then spread back
        if not columns:
            small = _evaluate_tree(tree, frame.iloc[:1], current)
            return pd.Series(bool(small.iloc[0]) if len(small) else False, index=frame.index)
        groups = frame[columns].groupby(columns, dropna=False, sort=False).ngroup().to_numpy()
        _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
        if len(first) < len(frame):
            small = _evaluate_tree(tree, frame[columns].iloc[first].reset_index(drop=True), current)
            return pd.Series(small.to_numpy()[inverse.ravel()], index=frame.index, dtype=bool)
    return _evaluate_tree(tree, frame, current)


def uses_dot(node: Expr) -> bool:
    """True when the expression refers to the current answer (``.``)."""
    if node.op == "dot" or (node.op == "call" and node.value == "string-length" and not node.args):
        return True
    return any(uses_dot(a) for a in node.args)


def _evaluate_tree(tree: Expr, frame: pd.DataFrame, current: str | None) -> pd.Series:
    ctx = _Context(frame, current)
    result = _to_bool(_eval(tree, ctx), ctx)
    return _broadcast(result, ctx).astype(bool)
