"""A loop that walks down a tree: each pass that goes on moves a cursor to one of its own children
(`for child in node.children: if child.name == choice: node = child; break`), and the other passes
return or raise. However the model chooses, the walk ends within the tree's depth."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir


def descends_tree(loop: ir.While) -> bool:
    """Does every pass of `loop` that does not leave it move a cursor to a child of itself?"""
    cursor = _cursor(loop.body)
    return cursor is not None and _every_pass_descends(loop.body, cursor)


def _cursor(body: list[ir.Stmt]) -> Optional[str]:
    """The name all of whose assignments in `body` are `x = c` with `c` the variable of an enclosing
    `for c in x.<attr>` (x's children)."""
    found: Optional[str] = None
    descents: set[int] = set()
    for loop in ir.walk_stmts(body):
        if not (isinstance(loop, ir.For) and isinstance(loop.target, ir.Name) and isinstance(loop.iter, ir.Attribute)
                and isinstance(loop.iter.value, ir.Name)):
            continue
        x, c = loop.iter.value.id, loop.target.id
        for s in ir.walk_stmts(loop.body):
            if isinstance(s, ir.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ir.Name) \
                    and s.targets[0].id == x and isinstance(s.value, ir.Name) and s.value.id == c:
                if found not in (None, x):
                    return None  # two cursors: not judged
                found = x
                descents.add(id(s))
    if found is None:
        return None
    for s in ir.walk_stmts(body):  # no other assignment of the cursor
        targets = s.targets if isinstance(s, ir.Assign) else [s.target] if isinstance(s, (ir.AugAssign, ir.For)) else []
        if id(s) not in descents and any(isinstance(n, ir.Name) and n.id == found for t in targets for n in ir.walk_expr(t)):
            return None
    return found


def _every_pass_descends(body: list[ir.Stmt], x: str) -> bool:
    """The last statement of `body` is a branch whose arms each leave (return/raise) or descend."""
    if not body or any(isinstance(s, ir.Simple) and s.kind == "continue" for s in ir.walk_stmts(body)):
        return False
    last = body[-1]
    if _leaves(last):
        return True
    if isinstance(last, ir.If):
        return _every_pass_descends(last.body, x) and _every_pass_descends(last.orelse, x)
    if isinstance(last, ir.For) and isinstance(last.iter, ir.Attribute) and isinstance(last.iter.value, ir.Name) \
            and last.iter.value.id == x:
        return bool(last.orelse) and _leaves(last.orelse[-1])  # found: descended and broke; else raised
    return False


def _leaves(s: ir.Stmt) -> bool:
    return isinstance(s, (ir.Return, ir.Raise))
