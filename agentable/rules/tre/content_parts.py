"""A tool result built from only the text parts of an SDK result made of typed content parts (an MCP
`CallToolResult`), with the result's error flag never read (catalog tools.toml [content_results])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef


@dataclass(frozen=True)
class TextOnly:
    """Where `func` keeps only the text parts of `result_type`'s `content` (`at`: the filter)."""

    func: FunctionInfo
    at: ir.Expr
    result_type: str
    spec: dict[str, Any]


def _type_paths(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> set[str]:
    parts = e.elts if isinstance(e, ir.Seq) else [e]
    return {v.path for p in parts for v in g.values(p, func, stmt) if isinstance(v, ExtRef)}


def _tested_types(g: ProjectGraph, test: ir.Expr, part: str, func: FunctionInfo, stmt: ir.Stmt) -> tuple[set[str], set[str]]:
    """The part classes (`isinstance(part, TextContent)`) and `type` tags (`part.type == "text"`,
    `getattr(part, "type", None) == "text"`) that `test` checks the loop variable `part` against."""
    classes: set[str] = set()
    tags: set[str] = set()
    for e in ir.walk_expr(test):
        if isinstance(e, ir.Call) and ir.dotted(e.func) == "isinstance" and len(e.args) == 2 \
                and isinstance(e.args[0], ir.Name) and e.args[0].id == part:
            classes |= _type_paths(g, e.args[1], func, stmt)
        elif isinstance(e, ir.Compare) and e.ops == ["=="] and len(e.comparators) == 1:
            for side, other in ((e.left, e.comparators[0]), (e.comparators[0], e.left)):
                tag = ir.string_value(other)
                if tag is not None and _reads_type(side, part):
                    tags.add(tag)
    return classes, tags


def _reads_type(e: ir.Expr, part: str) -> bool:
    if isinstance(e, ir.Attribute) and e.attr == "type" and isinstance(e.value, ir.Name):
        return e.value.id == part
    if isinstance(e, ir.Call) and ir.dotted(e.func) == "getattr" and len(e.args) >= 2:
        return isinstance(e.args[0], ir.Name) and e.args[0].id == part and ir.string_value(e.args[1]) == "type"
    return False


def _filters(func: FunctionInfo) -> Iterator[tuple[ir.Expr, str, list[ir.Expr], ir.Stmt]]:
    """(iterated expression, loop variable, tests of the elements, statement) per comprehension with
    a condition and per `for` loop over a name, with the `if` tests of its body."""
    for comp, stmt in func.walk(ir.Comp):
        if len(comp.iters) == 1 and isinstance(comp.targets[0], ir.Name) and comp.conds:
            yield comp.iters[0], comp.targets[0].id, list(comp.conds), stmt
    for s in func.stmts:
        if isinstance(s, ir.For) and isinstance(s.target, ir.Name):
            tests = [x.test for x in ir.walk_stmts(s.body) if isinstance(x, ir.If)]
            if tests:
                yield s.iter, s.target.id, tests, s


def _result_type(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> Optional[str]:
    """The catalogued result type `e` is the result of (a call of its `produced_by`)."""
    for v in g.values(e, func, stmt):
        if isinstance(v, ExtRef) and v.path.endswith("()"):
            for name, spec in g.catalog.content_results.items():
                if v.path[:-2] in spec.get("produced_by", ()):
                    return name
    return None


def _reads_attr(func: FunctionInfo, attr: str) -> bool:
    if any(a.attr == attr for a, _ in func.walk(ir.Attribute)):
        return True
    return any(ir.dotted(c.func) in ("getattr", "hasattr") and len(c.args) >= 2 and ir.string_value(c.args[1]) == attr
               for c, _ in func.walk(ir.Call))


def text_only_results(g: ProjectGraph, func: FunctionInfo) -> list[TextOnly]:
    """Loops and comprehensions in `func` over a typed-content result's `content` that test its
    parts only for the text kind (its text class, or its `type` tag when the result is known to come
    from a call of the type's producer), test no other part kind, and a function that never reads the
    result's error flag."""
    out: list[TextOnly] = []
    for it, part, tests, stmt in _filters(func):
        if not isinstance(it, ir.Attribute):
            continue
        for name, spec in g.catalog.content_results.items():
            if it.attr != spec.get("content"):
                continue
            classes: set[str] = set()
            tags: set[str] = set()
            anchor: ir.Expr = it
            for t in tests:
                c, tg = _tested_types(g, t, part, func, stmt)
                if (c or tg) and anchor is it:
                    anchor = t
                classes |= c
                tags |= tg
            text_classes = set(spec.get("text_types", ()))
            if classes - text_classes or tags - {spec.get("text_tag")}:
                continue  # another kind of part is handled
            if not classes and not (tags and _result_type(g, it.value, func, stmt) == name):
                continue
            if _reads_attr(func, spec.get("error_flag", "")):
                continue
            out.append(TextOnly(func, anchor, name, spec))
            break
    return out
