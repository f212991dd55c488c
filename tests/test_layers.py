"""The import graph of coopwork holds the layer order written in docs/architecture.md.

The graph is built from the source with :mod:`ast`: every ``import`` of a coopwork module, at
the top of a module or inside a function (those under ``if TYPE_CHECKING:`` never run and are
left out). The test fails on a cycle, on an import of a later layer, on an import between
sibling packages, and on an import of the package root. What still needs a move that waits for
other branches is in :data:`ALLOWED_CYCLES` and :data:`ALLOWED_CROSSINGS`, each with its reason;
an entry that is no longer needed fails too, so the lists only shrink.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "coopwork"

#: cycles that need a move of a whole module (strongly connected sets of modules)
ALLOWED_CYCLES: set[frozenset[str]] = set()
#: imports between sibling packages that wait for a move: (importer, imported)
ALLOWED_CROSSINGS: set[tuple[str, str]] = set()


def modules(package: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Dotted name → (file, is a package ``__init__``) of every module of ``package``."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden |= {id(n) for statement in node.body for n in ast.walk(statement)}
    return hidden


def imports_of(name: str, source: str, *, is_package: bool, known: set[str]) -> set[str]:
    """The coopwork modules that the module ``name`` (whose text is ``source``) imports.

    Examples
    --------
    >>> sorted(imports_of("coopwork.a.b", "def f():\\n    from ..c import d\\n", is_package=False,
    ...                   known={"coopwork.c", "coopwork.c.d"}))
    ['coopwork.c.d']
    """
    tree = ast.parse(source)
    hidden = _type_checking_nodes(tree)
    base = name.split(".") if is_package else name.split(".")[:-1]

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "coopwork":
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in known else resolve(target))
        elif isinstance(node, ast.Import):
            found |= {resolve(a.name) for a in node.names if a.name.split(".")[0] == "coopwork"}
    return {m for m in found if m and m != name}


def import_graph(package: Path = PACKAGE) -> nx.DiGraph:
    """The import graph of the modules of ``package``."""
    found = modules(package)
    graph = nx.DiGraph()
    graph.add_nodes_from(found)
    for name, (path, is_package) in found.items():
        for target in imports_of(name, path.read_text(encoding="utf-8"), is_package=is_package,
                                 known=set(found)):
            graph.add_edge(name, target)
    return graph


def layers(text: str | None = None) -> list[tuple[str, bool, list[str]]]:
    """``(layer, siblings, module prefixes)`` in order, from the table of docs/architecture.md."""
    text = text if text is not None else (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("### Layers", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in {"layer", "---"} or set(cells[0]) <= {"-"}:
            continue
        names = re.findall(r"`([\w.]+)`", cells[1])
        if names:
            rows.append((cells[0].split(" (")[0], "siblings" in cells[0], names))
    return rows


def layer_of(module: str, order: list[tuple[str, bool, list[str]]]) -> tuple[int, str]:
    """``(index of its layer, the prefix that placed it)``: the longest matching name wins."""
    best = None
    for index, (_, _, prefixes) in enumerate(order):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None
                                                                          or len(prefix) > len(best[1])):
                best = (index, prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer of docs/architecture.md: add it to the table")
    return best


def crossings(graph: nx.DiGraph, order: list[tuple[str, bool, list[str]]]) -> set[tuple[str, str]]:
    """Imports against the order: of a later layer, between siblings, or of the package root."""
    bad = set()
    for importer, imported in graph.edges:
        if imported == "coopwork":
            bad.add((importer, imported))
            continue
        (low, low_prefix), (high, high_prefix) = layer_of(importer, order), layer_of(imported, order)
        if high > low or (high == low and order[low][1] and low_prefix != high_prefix):
            bad.add((importer, imported))
    return bad


def cycles(graph: nx.DiGraph) -> set[frozenset[str]]:
    """The strongly connected sets of more than one module."""
    return {frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1}


def _grouped(edges: set[tuple[str, str]], allowed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The crossings that no allowed ``(importer package, imported)`` pair covers."""
    return {(a, b) for a, b in edges
            if not any((a == x or a.startswith(x + ".")) and b == y for x, y in allowed)}


def test_the_layer_table_is_read():
    order = layers()
    assert [name for name, _, _ in order][:3] == ["base", "survey", "ingest"]
    assert any(siblings for _, siblings, _ in order)


def test_every_module_has_a_layer():
    order = layers()
    for module in import_graph().nodes:
        layer_of(module, order)


def test_no_cycle_but_the_listed_ones():
    found = cycles(import_graph())
    assert found - ALLOWED_CYCLES == set(), "import cycles: " + "; ".join(
        " ↔ ".join(sorted(c)) for c in found - ALLOWED_CYCLES)
    gone = ALLOWED_CYCLES - found
    assert gone == set(), f"no longer a cycle, remove from ALLOWED_CYCLES: {gone}"


def test_no_import_against_the_layer_order_but_the_listed_ones():
    found = crossings(import_graph(), layers())
    assert _grouped(found, ALLOWED_CROSSINGS) == set(), "imports against docs/architecture.md: " + "; ".join(
        f"{a} → {b}" for a, b in sorted(_grouped(found, ALLOWED_CROSSINGS)))
    used = {(x, y) for x, y in ALLOWED_CROSSINGS
            if any((a == x or a.startswith(x + ".")) and b == y for a, b in found)}
    assert used == ALLOWED_CROSSINGS, f"no longer needed, remove: {ALLOWED_CROSSINGS - used}"


def _planted(tmp_path: Path, files: dict[str, str]) -> nx.DiGraph:
    for name, text in files.items():
        path = tmp_path / "coopwork" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(tmp_path / "coopwork")


def test_a_planted_cycle_inside_a_function_is_found(tmp_path):
    graph = _planted(tmp_path, {
        "__init__.py": "",
        "errors.py": "def f():\n    from .survey import Survey\n",  # hidden inside a function
        "survey.py": "from .errors import CoopworkError\n",
    })
    assert cycles(graph) == {frozenset({"coopwork.errors", "coopwork.survey"})}


def test_a_planted_upward_import_is_found(tmp_path):
    order = layers()
    graph = _planted(tmp_path, {
        "__init__.py": "",
        "analysis/__init__.py": "",
        "analysis/summary.py": "def chart():\n    from ..figures.bars import bar_chart\n",
        "figures/__init__.py": "",
        "figures/bars.py": "from ..analysis import summary\n",
        "export/__init__.py": "from ..dashboard import app\n",  # siblings
        "dashboard/__init__.py": "",
        "dashboard/app.py": "from .. import __version__\n",  # the package root
    })
    assert crossings(graph, order) == {("coopwork.analysis.summary", "coopwork.figures.bars"),
                                       ("coopwork.export", "coopwork.dashboard.app"),
                                       ("coopwork.dashboard.app", "coopwork")}


def test_type_checking_imports_are_not_edges(tmp_path):
    graph = _planted(tmp_path, {
        "__init__.py": "",
        "errors.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .workspace import W\n",
        "workspace.py": "",
    })
    assert not graph.has_edge("coopwork.errors", "coopwork.workspace")


#: the packages that show results: they read what the results layer stored (docs/architecture.md,
#: "Results"), never an analysis function
DISPLAYS = ("coopwork.batch", "coopwork.dashboard", "coopwork.export")


def analysis_calls(graph: nx.DiGraph, displays: tuple[str, ...] = DISPLAYS) -> set[tuple[str, str]]:
    """The imports of ``coopwork.analysis`` (or one of its modules) by a module of ``displays``."""
    def inside(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    return {(a, b) for a, b in graph.edges
            if any(inside(a, d) for d in displays) and inside(b, "coopwork.analysis")}


def test_the_displays_call_no_analysis_function():
    found = analysis_calls(import_graph())
    assert found == set(), "displays importing coopwork.analysis (read the results instead): " + "; ".join(
        f"{a} → {b}" for a, b in sorted(found))


def test_a_planted_analysis_call_in_a_display_is_found(tmp_path):
    graph = _planted(tmp_path, {
        "__init__.py": "",
        "analysis/__init__.py": "",
        "analysis/disclosure.py": "",
        "results/__init__.py": "from ..analysis import disclosure\n",  # the results layer may
        "export/__init__.py": "",
        "export/site.py": "def legend():\n    from ..analysis.disclosure import hidden_legend\n",
        "dashboard/__init__.py": "from ..results import x\n",
        "batch/__init__.py": "import coopwork.analysis\n",
    })
    assert analysis_calls(graph) == {("coopwork.export.site", "coopwork.analysis.disclosure"),
                                     ("coopwork.batch", "coopwork.analysis")}


@pytest.mark.parametrize("module", ["coopwork.threshold", "coopwork.waves", "coopwork.words",
                                    "coopwork.vocabulary", "coopwork.i18n", "coopwork.paths",
                                    "coopwork.values"])
def test_the_policy_modules_are_in_the_base_layer(module):
    assert layers()[layer_of(module, layers())[0]][0] == "base"


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # load_survey imports the roles inside the function (they read pandas)
    assert graph.has_edge("coopwork.survey.load", "coopwork.survey.roles")
    hidden = defaultdict(int)
    for name, (path, _) in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                hidden[name] += sum(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(node))
    assert sum(hidden.values()) > 0


def in_function_imports(source: str, name: str, *, is_package: bool,
                        known: set[str]) -> list[tuple[int, str]]:
    """``(line, text)`` of each import of a coopwork module made inside a function of ``source``
    without a ``lazy:`` comment saying its start-up reason on its lines.

    Examples
    --------
    >>> code = "def f():\\n    from ..c import d\\n\\ndef g():\\n    from ..c import d  # lazy: why\\n"
    >>> in_function_imports(code, "coopwork.a.b", is_package=False, known={"coopwork.c"})
    [(2, 'from ..c import d')]
    """
    tree = ast.parse(source)
    hidden = _type_checking_nodes(tree)
    top = {id(node) for node in tree.body}
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if id(node) in top or id(node) in hidden or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        text = "\n".join(lines[node.lineno - 1:node.end_lineno])
        if not imports_of(name, text.strip(), is_package=is_package, known=known):
            continue  # not a coopwork module
        if "lazy:" not in text:
            found.append((node.lineno, text.strip()))
    return found


def test_imports_of_coopwork_sit_at_the_top_or_say_why_not():
    found = modules()
    bad = [f"{path.relative_to(ROOT)}:{line}: {text}"
           for name, (path, is_package) in found.items()
           for line, text in in_function_imports(path.read_text(encoding="utf-8"), name,
                                                 is_package=is_package, known=set(found))]
    assert bad == [], "imports inside functions without '# lazy: <start-up reason>':\n" + "\n".join(bad)
