"""Model output a parameter receives by its annotation (llm_apis.toml `[[response_type]]`): in
`def _to_message(self, result: ChatCompletion)` the parameter holds what a chat completion call
returned, even when the project's call graph does not connect it to that call (the caller is a
framework, a lazily built client the graph cannot follow, or code outside the scanned folder).

The source is a raw response (`text=False`) whose documented paths come from the class's entry, so
reads of it reach the text (`result.choices[0].message.content`) or the tool-call arguments
(`result.choices[0].message.tool_calls[0].function.arguments`) as they do for a call's result. A
call site that passes a value the graph resolves (the call's own output, or an instance the
project builds) decides instead (`interprocedural.ExpandingResolver.param_values`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.response_paths import documented_paths
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, LLMOutput, Value

if TYPE_CHECKING:
    from agentable.catalog.specs import ResponseTypeSpec

# One stand-in call per annotated parameter (an LLMOutput names the call that produced it; here one
# the project does not contain), with the class's entry. Kept for the process, so that equal sources
# stay equal between resolvers and scans of the same graph; keyed by the stand-in's id.
_SITES: dict[int, tuple[ir.Param, ir.Call, "ResponseTypeSpec"]] = {}
_BY_PARAM: dict[int, ir.Call] = {}

# `Optional[X]`, `Union[X, None]`: the annotation's types are their arguments
_WRAPPERS = frozenset({"Optional", "typing.Optional", "Union", "typing.Union"})


def annotated_types(ann: Optional[ir.Expr]) -> list[ir.Expr]:
    """The types an annotation names: itself, or the members of `X | None`, `Optional[X]` and
    `Union[X, Y]` (a container's items, `list[X]`, are not the parameter)."""
    ann = ir.unwrap_type(ann)
    if isinstance(ann, ir.BinOp) and ann.op == "|":
        return annotated_types(ann.left) + annotated_types(ann.right)
    if isinstance(ann, ir.Subscript) and ir.dotted(ann.value) in _WRAPPERS:
        idx = ann.index
        parts = idx.elts if isinstance(idx, ir.Seq) else [idx]
        return [t for p in parts for t in annotated_types(p)]
    if isinstance(ann, ir.Other) and ann.kind == "generic_type" and len(ann.children) == 2 \
            and ir.dotted(ann.children[0]) in _WRAPPERS and isinstance(ann.children[1], ir.Other):
        return [t for p in ann.children[1].children for t in annotated_types(p)]  # the type_parameter's
    return [ann] if ann is not None else []


def _type_values(g: CodeGraph, t: ir.Expr, func: FunctionInfo) -> list[Value]:
    """What a type in an annotation names, resolved in the module's scope (a quoted name too)."""
    top = func.module.toplevel
    if isinstance(t, (ir.Name, ir.Attribute)):
        return list(g.shallow.values(t, top, None))
    name = t.value if isinstance(t, ir.Constant) and isinstance(t.value, str) else None
    if not name or not all(part.isidentifier() for part in name.split(".")):
        return []
    head, _, rest = name.partition(".")
    out: list[Value] = []
    for v in g.shallow.module_global(head, top):
        if isinstance(v, ExtRef):
            out.append(ExtRef(f"{v.path}.{rest}") if rest else v)
    return out


def response_type_of(g: CodeGraph, p: ir.Param, func: FunctionInfo) -> Optional[tuple["ResponseTypeSpec", str]]:
    """The `[[response_type]]` entry the annotation of `p` names, with the class's name; or None."""
    for t in annotated_types(p.annotation):
        for v in _type_values(g, t, func):
            if isinstance(v, ExtRef):
                spec = g.catalog.lookup("response_type", v.path)
                if spec is not None:
                    return spec, v.path.rsplit(".", 1)[-1]
    return None


def typed_response(g: CodeGraph, func: FunctionInfo, p: ir.Param) -> Optional[LLMOutput]:
    """The model response a parameter annotated with an SDK response class stands for, or None."""
    if p.annotation is None:
        return None
    found = response_type_of(g, p, func)
    if found is None:
        return None
    spec, name = found
    call = _BY_PARAM.get(id(p))
    if call is None:
        call = _BY_PARAM[id(p)] = ir.Call(p.pos, ir.Name(p.pos, name), [], [])
        _SITES[id(call)] = (p, call, spec)
    step = (func.path, p.pos, f"`{p.name}`: annotated `{name}`, a model response")
    return LLMOutput((func.path, call), False, (step,), documented=documented_paths(spec))


def response_type_at(call: ir.Call) -> Optional["ResponseTypeSpec"]:
    """The entry of a stand-in call `typed_response` made (the LLMOutput's site), or None."""
    hit = _SITES.get(id(call))
    return hit[2] if hit is not None and hit[1] is call else None


def callers_decide(g: CodeGraph, passed: Iterable[Value]) -> bool:
    """Do the values call sites pass for an annotated parameter say what it holds: a model call's
    output the graph follows, or an instance of a response class the project builds itself (a
    converter from another format, a test double)?"""
    for v in passed:
        if isinstance(v, LLMOutput) and response_type_at(v.site[1]) is None:
            return True
        if isinstance(v, ExtRef) and v.path.endswith("()") and g.catalog.lookup("response_type", v.path[:-2]):
            return True
    return False
