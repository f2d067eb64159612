"""Imports that run only in a part of a project that a user turns on or runs by hand (EPDD001): a
component its own README says is off until enabled, the maintainers' scripts, a script that tells
its user to install its packages; and the test under which a lazy import runs."""

from __future__ import annotations

import posixpath
import re
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo, ModuleInfo
from agentable.cpg.values import ExtRef
from agentable.query.facts import per_graph
from agentable.query.dependencies import absolute_targets
from agentable.rules.epdd.documented import project_documents

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$|^(.+)\n[=-]{3,}\s*$", re.M)
_EMPHASIS = re.compile(r"[*`]+")


def opt_in_component(g: ProjectGraph, mod: ModuleInfo, lazy: bool) -> bool:
    """Does the import run only inside a component that the project ships turned off? The README
    beside the module says so (catalog `opt_in_phrases`: "to enable this role", "by default is not
    enabled") and describes a manual setup (it says "install"); no project module outside the
    module's folder imports it; and the import runs only when the component is used: it sits in a
    function (`lazy`), or its module is reached only through imports inside functions of the
    folder's modules (a loader that imports every component's entry module by name runs their
    module-level imports for everyone), or a section of that README about this very module (its
    heading names the file) says it is off (a plugin loaded only when enabled)."""
    folder = posixpath.dirname(mod.path)
    reach = _reach(g, mod.name, folder)
    if reach is None:
        return False
    text, specific = _component_doc(g, mod)
    if not text or "install" not in text:
        return False
    phrases = g.catalog.python.opt_in_phrases
    if not any(p in text for p in phrases):
        return False
    return lazy or reach == "deferred" or specific


def _reach(g: ProjectGraph, name: str, folder: str) -> Optional[str]:
    """How project code reaches the module `name`: None when a module outside `folder` imports it
    (directly or through modules that do), "deferred" when every path in runs an import inside a
    function, "entry" when nothing imports it (it is loaded by name or run as a file), "eager"
    otherwise (an entry module of the folder imports it at module level)."""
    importers = _importers(g)
    seen: set[str] = set()
    todo = [name]
    eager = False
    while todo:
        cur = todo.pop()
        if cur in seen:
            continue
        seen.add(cur)
        for other, lazy in importers.get(cur, ()):
            path = g.modules[other].path
            if posixpath.dirname(path) != folder and not path.startswith(folder + "/"):
                return None
            if not lazy:
                if not importers.get(other):
                    eager = True
                todo.append(other)
    if not importers.get(name):
        return "entry"
    return "eager" if eager else "deferred"


@per_graph
def _importers(g: ProjectGraph) -> dict[str, list[tuple[str, bool]]]:
    """Project module -> the project modules that import it, each with whether that import sits
    inside a function."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for name, m in g.modules.items():
        for stmt in m.import_stmts:
            lazy = (g.function_of(m.path, stmt.pos) or m.toplevel) is not m.toplevel
            for target in absolute_targets(m, stmt):
                parts = target.split(".")
                for i in range(len(parts), 0, -1):
                    hit = ".".join(parts[:i])
                    if hit in g.modules and hit != name:
                        out.setdefault(hit, []).append((name, lazy))
                        break
    return out


@per_graph
def _stems_by_folder(g: ProjectGraph) -> dict[str, frozenset[str]]:
    """Folder -> the file stems of the project's modules in it (built once, not per module)."""
    out: dict[str, set[str]] = {}
    for m in g.modules.values():
        out.setdefault(posixpath.dirname(m.path), set()).add(posixpath.basename(m.path).rsplit(".", 1)[0])
    return {folder: frozenset(stems) for folder, stems in out.items()}


def _component_doc(g: ProjectGraph, mod: ModuleInfo) -> tuple[str, bool]:
    """The text (lower-cased, no Markdown emphasis) of the documents in the module's folder that
    speak of it, and whether one speaks of it alone: a document whose headings name the folder's
    modules gives only its sections about this one; a document named after the module counts whole."""
    folder = posixpath.dirname(mod.path)
    stem = posixpath.basename(mod.path).rsplit(".", 1)[0]
    siblings = _stems_by_folder(g).get(folder, frozenset()) - {"__init__"}
    parts: list[str] = []
    specific = False
    for rel, text in project_documents(g):
        if posixpath.dirname(rel) != folder:
            continue
        text = _EMPHASIS.sub("", text).lower()
        if posixpath.basename(rel).rsplit(".", 1)[0].lower() == stem.lower():
            parts.append(text)
            specific = True
            continue
        sections = _sections(text)
        named = [(head, body) for head, body in sections if any(_word(s, head) for s in siblings)]
        if not named:
            parts.append(text)
            continue
        own = [body for head, body in named if _word(stem, head)]
        parts.extend(own)
        specific = specific or bool(own)
    return "\n".join(parts), specific


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, heading and body) for each part of a document that starts at a heading."""
    marks = [(m.start(), (m.group(1) or m.group(2) or "").strip()) for m in _HEADING.finditer(text)]
    out = [("", text[: marks[0][0]])] if marks else [("", text)]
    for i, (start, head) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        out.append((head, text[start:end]))
    return out


def _word(name: str, text: str) -> bool:
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", text) is not None


def maintainer_script(g: ProjectGraph, mod: ModuleInfo) -> bool:
    """Does the file (outside the installed package: the caller checks) work on the repository's
    own development tree (catalog `development_tree_names`): a string literal that is one of its
    files (`open("requirements.txt")`), or a path through one of its folders (`"tests/assets"`,
    `Path(__file__).parent.parent / "tests" / "assets"`)? Such a script runs in a maintainer's
    development checkout. A bare folder name elsewhere is no evidence (`get_gt("test")`)."""
    names = g.catalog.python.development_tree_names
    for e in _module_exprs(mod):
        if isinstance(e, ir.BinOp) and e.op == "/":
            if any(isinstance(x, ir.Constant) and x.value in names for x in (e.left, e.right)):
                return True
        elif isinstance(e, ir.Constant) and isinstance(e.value, str) and len(e.value) < 200:
            text = e.value.strip()
            parts = re.split(r"[/\\]", text)
            if ("." in text and text in names) or (len(parts) > 1 and any(p in names for p in parts)):
                return True
    return False


def asks_for_install(mod: ModuleInfo) -> bool:
    """Does the file tell its user to install its packages by hand: a handler of ImportError
    (or ModuleNotFoundError) whose message says "install" (`raise ImportError("Please install the
    dependencies first.")`)?"""
    for stmt in ir.walk_stmts(mod.ir.body, into_defs=True):
        if not isinstance(stmt, ir.Try):
            continue
        for h in stmt.handlers:
            if not any(n.rpartition(".")[2] in ("ImportError", "ModuleNotFoundError") for n in handler_type_names(h)):
                continue
            for inner in ir.walk_stmts(h.body, into_defs=False):
                for root in ir.stmt_exprs(inner):
                    if any(isinstance(e, ir.Constant) and isinstance(e.value, str) and "install" in e.value.lower()
                           for e in ir.walk_expr(root)):
                        return True
    return False


def _module_exprs(mod: ModuleInfo):
    for stmt in ir.walk_stmts(mod.ir.body, into_defs=True):
        for root in ir.stmt_exprs(stmt):
            yield from ir.walk_expr(root)


def run_condition(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> Optional[str]:
    """The test a lazy import runs under, in words, or None: the nearest `if` of its function that
    encloses it (only when `extension in ("html", "htm")`), or an earlier `if` of the function's
    body whose branch returns or raises before it (only when `config.remote is not True` is false)."""
    test = _run_test(func, stmt)
    if test is None:
        return None
    words = _text(g, func.module.path, test[0])
    return f"only when `{words}`" if test[1] else f"only when `{words}` is false"


def behind_a_setting(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Does a lazy import run only under a test of a setting the user turns on (`run_condition`'s
    test reads the environment, `os.getenv("OCR")`, or a configuration object, `config.remote`,
    `args.ocr`: python.toml `environment_reads` and `setting_words`, directly or through names bound
    in the function or its module, three bindings deep)? Only those who turn it on need the package."""
    test = _run_test(func, stmt)
    if test is None:
        return False
    facts = g.catalog.python
    scopes = (func, func.module.toplevel)
    todo: list[tuple[ir.Expr, int]] = [(test[0], 0)]
    while todo:
        root, depth = todo.pop()
        for e in ir.walk_expr(root):
            name = ir.dotted(e) if isinstance(e, (ir.Name, ir.Attribute)) else None
            if not name:
                continue
            if name in facts.environment_reads:
                return True
            if isinstance(e, ir.Attribute) and any(w in facts.setting_words for part in name.split(".")[:-1]
                                                   for w in part.lower().strip("_").split("_")):
                return True
            if isinstance(e, ir.Name) and depth < 3:
                todo.extend((d.value, depth + 1) for scope in scopes for d in scope.defs.get(e.id, ())
                            if d.value is not None)
                if depth == 0 and _environment_value(g, e, func, stmt, facts.environment_reads):
                    return True  # a constant another module reads from the environment
    return False


def _environment_value(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt,
                       reads: frozenset[str]) -> bool:
    """Does the value resolution give `e` an environment read (`OCR_LANGUAGE`, imported from a
    settings module that binds it to `os.getenv("OCR_LANGUAGE", "")`)?"""
    return any(isinstance(v, ExtRef) and v.path.removesuffix("()").split("[")[0] in reads
               for v in g.values(e, func, stmt))


def _run_test(func: FunctionInfo, stmt: ir.Stmt) -> Optional[tuple[ir.Expr, bool]]:
    """(the test, whether the import runs when it holds) of `run_condition`, or None."""
    if func.node is None:
        return None
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If):
            return anc.test, any(s is stmt or _contains(s, stmt) for s in anc.body)
    for s in func.body:
        if s is stmt or _contains(s, stmt):
            break
        if isinstance(s, ir.If) and not s.orelse and s.body and isinstance(s.body[-1], (ir.Return, ir.Raise)):
            return s.test, False
    return None


def _contains(outer: ir.Stmt, stmt: ir.Stmt) -> bool:
    return any(s is stmt for s in ir.walk_stmts([outer], into_defs=True))


def _text(g: ProjectGraph, path: str, e: ir.Expr) -> str:
    """The source text of `e`, on one line and at most 60 characters."""
    mod = g.by_path.get(path)
    if mod is None:
        return "the test"
    line, col, end_line, end_col = e.pos
    lines = [ln.encode("utf-8") for ln in mod.ir.line_range(line, end_line)]
    if not lines:
        return "the test"
    lines[-1] = lines[-1][:end_col]
    lines[0] = lines[0][col:]
    text = " ".join(b"\n".join(lines).decode("utf-8", "ignore").split())
    return text if len(text) <= 60 else text[:57] + "..."
