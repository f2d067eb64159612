"""Chat messages given where a model takes one prompt string: a list of `{"role": ..., "content":
...}` dicts (or one such dict) passed as the prompt of a completion-style API. Found on the way
back from the argument through its bindings, the lists it is appended to, an item read from such
a list (`history[-1]`) and the arguments the callers pass for a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import EvalAt
from agentable.query.literals import list_additions, literal_of
from agentable.query.model_forwarding import caller_arguments


@dataclass(frozen=True)
class RoleMessages:
    """Where a chat message given as text is written, and whether the text is the whole list of
    messages or one message dict."""

    path: str
    pos: ir.Pos
    whole_list: bool


def role_messages(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                  depth: int = 3) -> Optional[RoleMessages]:
    """The role-message dict `e` is, or that the list `e` is made of (see the module), or None."""
    if e is None or depth < 0:
        return None
    if isinstance(e, ir.Subscript) and _int_index(e.index):  # `history[-1]`: one item of a message list
        found = role_messages(g, e.value, func, stmt, depth)
        return RoleMessages(found.path, found.pos, False) if found is not None and found.whole_list else None
    if isinstance(e, ir.BinOp) and e.op == "+":  # `[system] + history`: a list made of both
        return role_messages(g, e.left, func, stmt, depth) or role_messages(g, e.right, func, stmt, depth)
    if isinstance(e, ir.Name):  # `conversation = [system] + self.turns`
        defs = func.defs.get(e.id, [])
        for d in defs if len(defs) == 1 and defs[0].how == "assign" and isinstance(defs[0].value, ir.BinOp) else []:
            return role_messages(g, d.value, func, d.stmt, depth - 1)
    lit = literal_of(g, e, func, stmt)
    if lit is not None:
        node, owner, _at = lit
        if isinstance(node, ir.Dict):
            return RoleMessages(owner.path, node.pos, False) if _is_role_dict(node) else None
        if isinstance(node, ir.Seq):
            first = next((x for x in node.elts if isinstance(x, ir.Dict)), None)
            if first is not None:
                return RoleMessages(owner.path, first.pos, True) if _is_role_dict(first) else None
            if node.elts or not isinstance(e, ir.Name):
                return None
            for added, at in list_additions(owner, e.id):  # `messages = []` then `.append({"role": ...})`
                item = literal_of(g, added, owner, at)
                if item is not None and isinstance(item[0], ir.Dict) and _is_role_dict(item[0]):
                    return RoleMessages(item[1].path, item[0].pos, True)
            return None
    for arg, site in caller_arguments(g, func, e):
        found = role_messages(g, arg, site.func, site.stmt, depth - 1)
        if found is not None:
            return found
    return None


def _int_index(x: ir.Expr) -> bool:
    if isinstance(x, ir.UnaryOp) and x.op == "-":
        x = x.operand
    return isinstance(x, ir.Constant) and isinstance(x.value, int) and not isinstance(x.value, bool)


def _is_role_dict(d: ir.Dict) -> bool:
    """A chat message: a dict literal with constant `role` and `content` keys."""
    keys = {k.value for k in d.keys if isinstance(k, ir.Constant)}
    return {"role", "content"} <= keys
