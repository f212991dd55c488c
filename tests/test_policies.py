"""One place per decision: the source holds no second copy of a policy.

Each decision is made by one module (docs/architecture.md, "One place per decision"). This
test reads every module of coopwork with :mod:`ast` (docstrings, whose examples may show a
threshold, are left out) and fails on a stray copy:

- a literal disclosure threshold (a ``min_count`` given, defaulted or compared with a number, a
  second ``DEFAULT_MIN_COUNT``, a ``min_count = 3`` in generated code) outside
  :mod:`coopwork.threshold`, and a comparison that hides a count outside
  :mod:`coopwork.analysis.disclosure`;
- a wave chosen by position (``waves[-1]``, ``…["waves"][-1]``) outside :mod:`coopwork.waves`;
- a language fallback of its own (``or "fr"``, ``texts.get("en") or …``, a function ``_lang``
  or ``_pick``) outside :mod:`coopwork.i18n`, and a message of the catalogue asked for in a fixed
  language (``t(key, "fr")``) instead of the command's or the page's;
- a folder of the workspace or of an export typed as a path (``root / "data"``,
  ``site / "workbooks"``, ``Path(".coopwork")``) outside :mod:`coopwork.paths`;
- a list of the note kinds or of the dimensions outside :mod:`coopwork.vocabulary`, a set of
  bidi controls or a Markdown escaper outside :mod:`coopwork.words`.

Each rule is shown to fail on a planted violation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopwork.i18n import LANGS
from coopwork.paths import EXPORT_FOLDERS

PACKAGE = Path(__file__).resolve().parents[1] / "coopwork"

#: the module allowed to make each decision (paths relative to coopwork/)
HOMES = {
    "threshold": {"threshold.py"},
    "hiding": {"analysis/disclosure.py", "threshold.py"},
    "wave": {"waves.py"},
    "language": {"i18n.py"},
    "folder": {"paths.py"},
    "vocabulary": {"vocabulary.py"},
    "words": {"words.py"},
    "private": set(),
}
#: private names of other libraries that have a public door (pandas' Arrow data: the
#: ``__arrow_array__`` protocol; kaleido: start/stop_sync_server; argparse: the parsers we made)
PRIVATE = {"_pa_array", "_global_server", "_actions", "_SubParsersAction"}
#: folder names of the workspace and of an export
FOLDERS = {"surveys", "data", "raw", "processed", "reports", "exports", ".coopwork", *EXPORT_FOLDERS}
_KINDS = {"see", "means", "do"}
_DIMENSIONS = {"profile", "ties", "mutualisation", "governance", "trust", "effects", "transition",
               "culture", "trajectory"}
_BIDI_CHARS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _named(node: ast.AST, word: str) -> bool:
    """A name, attribute or string key that contains ``word`` (``min_count``, ``self.min_count``)."""
    if isinstance(node, ast.Name):
        return word in node.id
    if isinstance(node, ast.Attribute):
        return word in node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return isinstance(node.slice.value, str) and word in node.slice.value
    return False


def _number(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _catalogue_call(func: ast.AST) -> bool:
    """``t(…)`` or ``i18n.t(…)``: a message asked of the catalogue."""
    return ((isinstance(func, ast.Name) and func.id == "t")
            or (isinstance(func, ast.Attribute) and func.attr == "t"))


def _lang_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in LANGS


def violations(source: str, module: str) -> Iterator[tuple[str, int, str]]:
    """``(rule, line, what)`` of every stray policy in ``source`` (the module ``module``, a path
    relative to coopwork/).

    Examples
    --------
    >>> [v[0] for v in violations("wave = ws.waves[-1]\\n", "export/data.py")]
    ['wave']
    """
    tree = ast.parse(source)
    docstrings = _docstrings(tree)

    def away(rule: str) -> bool:
        return module not in HOMES[rule]

    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        # the threshold -------------------------------------------------------------------------
        if away("threshold"):
            if isinstance(node, ast.Call):  # pandas' own min_count (``.sum(min_count=1)``) is not ours
                pandas = isinstance(node.func, ast.Attribute) and node.func.attr in {"sum", "prod"}
                for keyword in node.keywords if not pandas else []:
                    if keyword.arg == "min_count" and _number(keyword.value):
                        yield "threshold", line, f"min_count={keyword.value.value}"
            if isinstance(node, ast.arguments):
                names = [a.arg for a in node.posonlyargs + node.args]
                for arg, default in zip(names[len(names) - len(node.defaults):], node.defaults, strict=True):
                    if arg == "min_count" and _number(default):
                        yield "threshold", line, f"def …(min_count={default.value})"
                for arg, default in zip(node.kwonlyargs, node.kw_defaults, strict=True):
                    if arg.arg == "min_count" and _number(default):
                        yield "threshold", line, f"def …(*, min_count={default.value})"
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "DEFAULT_MIN_COUNT" for t in targets) and _number(
                        node.value):
                    yield "threshold", line, "a second DEFAULT_MIN_COUNT"
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                    and len(node.args) == 3 and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value == "min_count" and _number(node.args[2])):
                yield "threshold", line, f'getattr(…, "min_count", {node.args[2].value})'
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and re.search(r"\bmin_count\s*=\s*\d", node.value)):
                yield "threshold", line, "min_count = <number> in generated text"
        if away("hiding") and isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_named(s, "min_count") for s in sides) and not all(
                    isinstance(op, ast.Eq | ast.NotEq | ast.Is | ast.IsNot) for op in node.ops):
                yield "hiding", line, "a count compared with min_count outside disclosure"
        if away("hiding") and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "max" and any(_named(a, "min_count") for a in node.args):
            yield "hiding", line, "max(min_count, …): the threshold's rule is check_min_count"
        # the wave --------------------------------------------------------------------------------
        if away("wave") and isinstance(node, ast.Subscript) and _named(node.value, "wave"):
            index = node.slice
            if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and _number(index.operand):
                yield "wave", line, "a wave chosen by position ([-1])"
        # the language ----------------------------------------------------------------------------
        if away("language"):
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                if any(_lang_text(v) for v in node.values[1:]):
                    yield "language", line, "a language fallback `or \"xx\"`"
                if any(isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "get"
                       and v.args and _lang_text(v.args[0]) for v in node.values):
                    yield "language", line, "a fallback chain `.get(\"xx\") or …`"
            if isinstance(node, ast.FunctionDef) and node.name in {"_lang", "_pick", "_language_of"}:
                yield "language", line, f"a function {node.name}() of its own"
            if isinstance(node, ast.Call) and _catalogue_call(node.func) and (
                    (len(node.args) > 1 and _lang_text(node.args[1]))
                    or any(k.arg == "lang" and _lang_text(k.value) for k in node.keywords)):
                yield "language", line, "a message in a fixed language `t(key, \"xx\")`"
        # the folders -----------------------------------------------------------------------------
        if away("folder"):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                for side in (node.left, node.right):
                    if isinstance(side, ast.Constant) and side.value in FOLDERS:
                        yield "folder", line, f"a typed folder / {side.value!r}"
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in {"Path", "PurePath"} and node.args
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value in FOLDERS):
                yield "folder", line, f"Path({node.args[0].value!r})"
        # private names of other libraries -------------------------------------------------------
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            yield "private", line, f"a private name of another library: .{node.attr}"
        # the vocabulary and the words ------------------------------------------------------------
        if away("vocabulary") and isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if values >= _KINDS:
                yield "vocabulary", line, "the note kinds listed again"
            if len(values & _DIMENSIONS) >= 5:
                yield "vocabulary", line, "the dimensions listed again"
        if away("words"):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and len(set(node.value) & _BIDI_CHARS) >= 3:
                yield "words", line, "a set of bidi controls of its own"
            if isinstance(node, ast.FunctionDef) and node.name in {"_md", "md_escape", "escape_markdown"}:
                yield "words", line, f"a Markdown escaper {node.name}() of its own"


def _sources() -> list[tuple[str, str]]:
    return [(p.relative_to(PACKAGE).as_posix(), p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))]


def test_no_stray_policy_in_coopwork():
    found = [f"coopwork/{module}:{line}: {rule}: {what}"
             for module, source in _sources() for rule, line, what in violations(source, module)]
    assert found == [], "a policy decided outside its module:\n" + "\n".join(found)


PLANTED = {
    "threshold": ["def export(*, min_count: int = 3): ...", "protect(t, min_count=5)",
                  "DEFAULT_MIN_COUNT = 3", 'k = getattr(args, "min_count", 3)',
                  'cell = "lang = \\"fr\\"\\nmin_count = 3"'],
    "hiding": ["if respondents < min_count:\n    pass", "ok = n >= max(min_count, 1)"],
    "wave": ["wave = wave or workspace.waves[-1]", 'last = index["waves"][-1]'],
    "language": ['lang = getattr(args, "lang", None) or "fr"',
                 'label = labels.get(lang) or labels.get("fr") or name',
                 "def _lang():\n    return 'fr'",
                 'say(t("dashboard.note_hidden", "fr", id=1))', 'note = i18n.t(key, lang="en")'],
    "folder": ['out = site / "workbooks" / "t.xlsx"', 'db = root / "data" / "journal.sqlite"',
               'KEY = Path(".coopwork") / "pseudonym.key"'],
    "vocabulary": ['for kind in ("see", "means", "do"): pass'],
    "words": ['_BIDI = frozenset("\\u202a\\u202b\\u202c\\u202d\\u202e")', "def _md(text):\n    return text"],
    "private": ['data = values.array._pa_array', "running = kaleido._global_server.is_running()"],
}


@pytest.mark.parametrize(("rule", "source"), [(r, s) for r, sources in PLANTED.items() for s in sources])
def test_a_planted_stray_policy_is_found(rule, source):
    assert rule in {r for r, _, _ in violations(source, "export/planted.py")}


@pytest.mark.parametrize(("rule", "source"), [(r, s) for r, sources in PLANTED.items() for s in sources
                                               if HOMES[r]])
def test_the_home_of_a_policy_may_decide_it(rule, source):
    home = sorted(HOMES[rule])[0]
    assert rule not in {r for r, _, _ in violations(source, home)}


def test_a_planted_violation_in_a_copy_of_the_package_fails_the_scan(tmp_path):
    module = "export/data.py"
    source = (PACKAGE / module).read_text(encoding="utf-8")
    planted = source.replace("workspace.current_wave(territories)", "workspace.waves[-1]")
    assert planted != source, "the planted line no longer matches export/data.py: update the test"
    assert [r for r, _, _ in violations(source, module)] == []
    assert [r for r, _, _ in violations(planted, module)] == ["wave"]


def test_docstring_examples_are_not_policies():
    source = '"""Example\n\n>>> protect(t, min_count=3)\n"""\n'
    assert list(violations(source, "export/planted.py")) == []
