"""Can a tool (or a call of project code) raise? Failure-prone calls outside the project, and the
project functions that reach them, followed a few calls down (MNFT002, MNFT012)."""

from __future__ import annotations

from typing import Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import enclosing_handlers
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance, LLMOutput
from agentable.query.facts import per_graph
from agentable.query.tool_failures import handler_reraises

# Which calls outside the project can fail on ordinary use (used to decide whether a tool can raise):
# third-party code (HTTP clients, SDKs, databases, parsers) and, from catalog python.toml, the
# standard library's I/O, processes and network, and parsers/evaluators of text.
_RISKY_STDLIB_ROOTS = python_facts().failing_modules


_RISKY_STDLIB_CALLS = python_facts().failing_calls


_RISKY_PATH_METHODS = python_facts().failing_path_methods


@per_graph
def _imported_roots(g: ProjectGraph) -> frozenset[str]:
    return frozenset(t.split(".")[0] for m in g.modules.values() for t in m.imports.values())


# Accessors of a parsed XML tree (`ET.fromstring(text).findall("entry")`): parsing can fail, reading
# the tree it built does not.
_XML_TREE_READERS = python_facts().xml_tree_readers
_LOGGING_METHODS = python_facts().logging_methods
_STDLIB = python_facts().stdlib_modules


def _risky_external(path: str, imported: frozenset[str] = frozenset()) -> bool:
    if path in _RISKY_STDLIB_CALLS:
        return True
    if path.startswith("xml.") and "()." in path and path.rsplit(".", 1)[-1] in _XML_TREE_READERS:
        return False
    root = path.split(".")[0].split("(")[0]
    if root in ("builtins",) or (root in _STDLIB and root not in _RISKY_STDLIB_ROOTS):
        if root == "pathlib" or path.startswith("Path"):
            return path.rsplit(".", 1)[-1] in _RISKY_PATH_METHODS
        return any(path.startswith(r + ".") or path == r for r in _RISKY_STDLIB_ROOTS)
    if root in _RISKY_STDLIB_ROOTS or any(path.startswith(r + ".") for r in _RISKY_STDLIB_ROOTS):
        return True
    if "." not in path and "(" not in path:
        return False  # a builtin function (len, max, sorted, …) or an unresolved bare name
    return root not in _STDLIB and root in imported  # third-party code the project imports


def tool_can_fail(g: ProjectGraph, func: FunctionInfo, depth: int = 2, _seen: Optional[set[str]] = None,
                  off: frozenset[int] = frozenset()) -> Optional[str]:
    """Why the tool function `func` can raise, or None when it cannot be seen to: a `raise` or a
    failure-prone call (anything outside the project but pure builtins) that no try in the
    function encloses, directly or in a project function it calls (`depth` levels). The bodies of
    the `if`s in `off` (by id) are not run."""
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return None
    seen.add(func.qualname)

    def handled(stmt: object) -> bool:
        return any(not handler_reraises(h) for h in enclosing_handlers(func, stmt)) or (  # type: ignore[arg-type]
            bool(off) and _in_body_of(func, stmt, off))

    for r in func.raises:
        if not handled(r) and not any(isinstance(a, ir.Handler) for a in func.ancestors(r)):
            return f"it raises at line {r.pos[0]}"
    for site in func.calls:
        if handled(site.stmt) or _logs(site.call):
            continue
        for v in g.values(site.call.func, func, site.stmt):
            if isinstance(v, ExtRef):
                path = v.path
                if not _risky_external(path, _imported_roots(g)):
                    continue
                return f"it calls `{ir.dotted(site.call.func) or path}` at line {site.call.pos[0]}"
            if isinstance(v, (FuncRef, Instance, ClassRef)) and depth > 0:
                for q in g.callees(site):
                    callee = g.functions.get(q)
                    if callee is not None and callee.name != "__init__":
                        why = tool_can_fail(g, callee, depth - 1, seen)
                        if why:
                            return f"{why} in `{callee.name}`"
            elif isinstance(v, LLMOutput):
                continue
    return None


def _logs(call: ir.Call) -> bool:
    """`logger.error(...)`, `log.warning(...)`: a log line (python.toml logging_methods)."""
    f = call.func
    owner = ir.dotted(f.value) if isinstance(f, ir.Attribute) else None
    return isinstance(f, ir.Attribute) and f.attr in _LOGGING_METHODS and owner is not None \
        and "log" in owner.rsplit(".", 1)[-1].lower()  # (not `parser.error(...)`, which exits)


def _in_body_of(func: FunctionInfo, stmt: object, ifs: frozenset[int]) -> bool:
    """Is `stmt` in the body (not the else) of one of the `if`s `ifs` (by id)?"""
    child = stmt
    for anc in func.ancestors(stmt):  # type: ignore[arg-type]
        if id(anc) in ifs and isinstance(anc, ir.If) and any(c is child for c in anc.body):
            return True
        child = anc
    return False


def call_can_fail(g: ProjectGraph, func: FunctionInfo, site: CallSite, depth: int = 2) -> Optional[str]:
    """Why the call at `site` can raise, or None when it cannot be seen to: its arguments are names,
    attributes and literals, it calls only project functions, and each of them passes tool_can_fail
    without the branches the call's literal arguments switch off (`parse(text, block=None)` does not
    run `if block: ...`). A call that reaches code outside the project can fail."""
    call = site.call
    if any(not _plain_argument(a) for a in [*call.args, *(kw.value for kw in call.keywords)]):
        return "its arguments are computed"
    callees = [g.functions[q] for q in sorted(g.callees(site)) if q in g.functions]
    values = g.values(call.func, func, site.stmt)
    if not callees and values and all(isinstance(v, ExtRef) and _quiet_stdlib(v.path) for v in values) \
            and all(isinstance(a, ir.Constant) for a in [*call.args, *(kw.value for kw in call.keywords)]):
        return None  # `os.path.join("./", "out")`: a standard-library helper over literals
    if not callees or any(isinstance(v, ExtRef) for v in values):
        return "it calls code outside the project"
    for callee in callees:
        why = tool_can_fail(g, callee, depth, off=_switched_off(callee, call))
        if why:
            return why
    return None


def _quiet_stdlib(path: str) -> bool:
    """A function of a standard-library module that does no I/O and parses nothing (not in python.toml
    failing_modules / failing_calls): `os.path.join`, `datetime.datetime.now`. Bare builtins are
    left out (`int("x")` fails), as are methods of objects (`()` in the path)."""
    root = path.split(".")[0]
    return "." in path and "(" not in path and root in _STDLIB and root != "builtins" and not _risky_external(path)


def _plain_argument(e: ir.Expr) -> bool:
    return all(isinstance(x, (ir.Name, ir.Attribute, ir.Constant)) for x in ir.walk_expr(e))


def _switched_off(callee: FunctionInfo, call: ir.Call) -> frozenset[int]:
    """The `if p:` statements of `callee` whose body this call does not run: `p` passed by keyword
    as a false literal (None, "", 0, False)."""
    falsy = {kw.name for kw in call.keywords if kw.name and isinstance(kw.value, ir.Constant) and not kw.value.value}
    if not falsy or callee.node is None:
        return frozenset()
    params = {p.name for p in callee.node.params}
    rebound = {n for n in falsy if any(d.how != "param" for d in callee.defs.get(n, []))}
    names = (falsy & params) - rebound
    return frozenset(id(s) for s in ir.walk_stmts(callee.body)
                     if isinstance(s, ir.If) and isinstance(s.test, ir.Name) and s.test.id in names)
