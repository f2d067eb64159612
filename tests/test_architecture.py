"""The shape of the package: module size, import cycles and the layering of the code graph.

Imports are read with `ast` from the source, every one of them: at module level, inside
functions, and under `if TYPE_CHECKING:` (an import for the type checker only still ties the
two modules together: neither can be read, moved or tested without the other). Importing a
submodule also imports its parent packages; those implicit edges are not counted (a package's
`__init__` re-exporting its submodules is not a cycle).
"""

from __future__ import annotations

import ast
from itertools import islice
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "agentable"

MAX_LINES = 700


# What the code graph must not import: the layers built on it, and file discovery (the graph is
# handed its files; it does not find them).
CPG_FORBIDDEN = (
    "agentable.query",
    "agentable.rules",
    "agentable.report",
    "agentable.nl_check",
    "agentable.files",
    "agentable.scan",
    "agentable.cli",
)


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's __init__)."""
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


def _imported_names(module: str, is_package: bool, tree: ast.AST) -> list[tuple[str, int]]:
    """Every dotted name an import statement of the module may refer to (a module, or a name in
    one: `from a import b` gives `a` and `a.b`), with its line."""
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            out += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return out


def _import_graph() -> nx.DiGraph:
    """agentable module -> the agentable modules it imports; each edge keeps the first line."""
    modules = _modules()
    graph = nx.DiGraph()
    for module, (path, is_package) in modules.items():
        graph.add_node(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in _imported_names(module, is_package, tree):
            while name and name not in modules:  # a name inside a module: the module
                name = name.rpartition(".")[0]
            if name and name != module and not graph.has_edge(module, name):
                graph.add_edge(module, name, line=line)
    return graph


def _describe(graph: nx.DiGraph, group: set[str]) -> str:
    """The cycles of a strongly connected group, each as `a (line n) -> b -> ... -> a`."""
    cycles = []
    # short cycles first, and only some: a large group has exponentially many
    for cycle in sorted(islice(nx.simple_cycles(graph.subgraph(group), length_bound=6), 200), key=len)[:10]:
        steps = [f"{a} (line {graph.edges[a, b]['line']})" for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)]
        cycles.append("  " + " -> ".join([*steps, cycle[0]]))
    return "\n".join(cycles)


def test_no_module_over_the_line_limit() -> None:
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{rel}: {lines} lines")
    assert not too_long, f"modules over {MAX_LINES} lines (split them by question):\n" + "\n".join(too_long)


def test_no_import_cycles() -> None:
    graph = _import_graph()
    bad = []
    for group in nx.strongly_connected_components(graph):
        if len(group) < 2:
            continue
        bad.append(f"{sorted(group)}:\n{_describe(graph, group)}")
    assert not bad, "import cycles (counting imports inside functions and under TYPE_CHECKING):\n" + "\n".join(bad)


def test_code_graph_imports_no_higher_layer() -> None:
    graph = _import_graph()
    bad = [f"{src} (line {data['line']}) imports {dst}"
           for src, dst, data in graph.edges(data=True)
           if (src == "agentable.cpg" or src.startswith("agentable.cpg."))
           and any(dst == f or dst.startswith(f + ".") for f in CPG_FORBIDDEN)]
    assert not bad, "agentable.cpg must not import the layers above it or file discovery:\n" + "\n".join(sorted(bad))


def test_the_import_graph_sees_imports_inside_functions_and_type_checking_blocks() -> None:
    """The reader itself: an import inside a function and one under TYPE_CHECKING are edges."""
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from agentable.cpg.project import ProjectGraph\n"
              "def f():\n    from ..findings import Span\n")
    names = {n for n, _ in _imported_names("agentable.cpg.x", False, ast.parse(source))}
    assert {"agentable.cpg.project", "agentable.findings"} <= names
