"""Model text a framework passes to a method the project overrides (taint.toml `[[source.hooks]]`):
the `text` of `parse(self, text)` in a subclass of a LangChain output parser is the model's reply,
with no LLM call of the project's own in between. Such a parameter is a source of model text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.catalog import read_toml
from agentable.cpg import ir
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, LLMOutput


@dataclass(frozen=True)
class Hook:
    packages: frozenset[str]  # top-level packages the base class comes from
    bases: frozenset[str]  # the base classes' names
    methods: frozenset[str]  # the overridden methods
    param: int  # index of the text parameter (self is 0)
    what: str  # names the source in messages


HOOKS = tuple(Hook(frozenset(h["packages"]), frozenset(h["bases"]), frozenset(h["methods"]), int(h["param"]),
                   str(h["what"])) for h in read_toml("taint.toml").get("source", {}).get("hooks", ()))

# One stand-in call per hooked parameter (an LLMOutput names the call that produced it; here the
# framework's, which the project does not contain). Kept for the process: equal sources stay equal
# between resolvers and scans of the same graph.
_SITES: dict[int, tuple[ir.Param, ir.Call]] = {}


def _hook_of(g: CodeGraph, func: FunctionInfo, idx: int) -> Optional[tuple[Hook, str]]:
    """The hook `func`'s parameter `idx` is, with the framework base class's name."""
    if func.cls is None or not HOOKS:
        return None
    for hook in HOOKS:
        if func.name not in hook.methods or idx != hook.param:
            continue
        for base in external_bases_of(g, func.cls.qualname):
            name = base.rsplit(".", 1)[-1]
            if base.split(".", 1)[0] in hook.packages and name in hook.bases:
                return hook, name
    return None


def external_bases_of(g: CodeGraph, qualname: str) -> list[str]:
    """The external bases of a class and of its project bases, generic ones included
    (`BaseOutputParser[dict]` is `BaseOutputParser`)."""
    out = list(g.external_bases(qualname))
    for cls in g.mro(qualname):
        for b in cls.node.bases:
            if isinstance(b, ir.Subscript):
                out += [v.path for v in g.shallow.values(b.value, cls.module.toplevel, None) if isinstance(v, ExtRef)]
    return out


def hooked_text(g: CodeGraph, func: FunctionInfo, p: ir.Param) -> Optional[LLMOutput]:
    """The model text a framework passes as parameter `p` of `func`, or None."""
    idx = next((i for i, q in enumerate(func.params) if q is p), None)
    found = _hook_of(g, func, idx) if idx is not None else None
    if found is None:
        return None
    hook, base = found
    hit = _SITES.get(id(p))
    if hit is None:
        hit = _SITES[id(p)] = (p, ir.Call(p.pos, ir.Name(p.pos, f"{base}.{func.name}"), [], []))
    return LLMOutput((func.path, hit[1]), True, ((func.path, p.pos, f"`{p.name}`: {hook.what}"),))
