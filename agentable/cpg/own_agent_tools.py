"""Functions handed to an agent class of the project's own framework: `Agent(functions=[f, g])`
where the project's code turns each element of that field into a tool schema with a generator of
its own that reads the function's name, docstring and signature (`[function_to_json(f) for f in
agent.functions]`, `function_to_json` reading `func.__name__`, `func.__doc__`,
`inspect.signature(func)`). Each function listed is a tool described by its docstring, with its
signature as parameters, less those the project hides from the model: a name the generator skips
(`if param.name == "context_variables": continue`) or pops from every schema's properties
(`params["properties"].pop(CTX_VARS, None)`); the agent loop passes those itself. Without such a
generator in the scanned code a `functions=` list is not a tool set. The project may also describe
the functions where it iterates the field, with no generator: `f"{signature_of(fn)}: {fn.__doc__}"
for fn in self.functions` (a helper it hands the element to read one call deep). Such a list is a
tool set whose descriptions are known, but not how the model runs the functions (often from code it
writes in a Python REPL, where what they print is the observation): `described_only`. What counts as
reading a function's name, docstring or signature is catalog data (tools.toml [own_function_tools])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from agentable.cpg import ir
from agentable.cpg.agent_model import AgentView, ToolDef
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef, FuncRef, const_strs_of


@dataclass(frozen=True)
class OwnAgentToolSpec:
    """How a function became a tool: listed in `<agent>(<field>=[...])`, a project class.
    `hidden_params`: parameters the project leaves out of every schema (see the module doc).
    `described_only`: the project describes the field's functions to the model where it iterates
    the field (no schema generator): what the model reads is known, how it runs them and what
    it observes of their results is not (a prompt listing functions for the model to call in a
    Python REPL, where the printed output is the observation), so only the description counts."""

    own_agent: str
    field: str
    hidden_params: frozenset[str] = frozenset()
    described_only: bool = False


def _reads(g: CodeGraph, func: FunctionInfo, var: str, spec: dict, depth: int = 1) -> tuple[set[str], bool]:
    """The attributes `func` reads on its variable `var` (`var.__doc__`), and whether it reads its
    signature (a catalog signature reader called on it). A project function `var` is handed to
    as first argument counts as reading what it reads on its first parameter, one call deep
    (`callable_signature(func)` reading `func.__name__` and its annotations)."""
    attrs: set[str] = set()
    signature = False
    readers = tuple(spec.get("signature_readers", ()))
    for e, s in func.expr_walk:
        if isinstance(e, ir.Attribute) and isinstance(e.value, ir.Name) and e.value.id == var:
            attrs.add(e.attr)
        elif isinstance(e, ir.Call) and e.args and isinstance(e.args[0], ir.Name) and e.args[0].id == var:
            for v in g.values(e.func, func, s):
                if isinstance(v, ExtRef) and v.path in readers:
                    signature = True
                elif depth > 0 and isinstance(v, FuncRef) and v.qualname in g.functions:
                    callee = g.functions[v.qualname]
                    first = _first_param(callee)
                    if first is not None:
                        more, sig = _reads(g, callee, first, spec, depth - 1)
                        attrs |= more
                        signature = signature or sig
    return attrs, signature


def _first_param(func: FunctionInfo) -> Optional[str]:
    params = [p.name for p in func.node.params if p.name not in ("self", "cls")] if func.node is not None else []
    return params[0] if params else None


def _introspects(g: CodeGraph, func: FunctionInfo, var: str, spec: dict, depth: int = 0) -> bool:
    """Does `func` read its variable's docstring and its name or signature (itself, or with the
    helpers it hands the variable to when `depth` > 0)?"""
    attrs, signature = _reads(g, func, var, spec, depth)
    doc = bool(attrs & set(spec.get("doc_attrs", ())))
    return doc and (signature or bool(attrs & set(spec.get("name_attrs", ()))))


def _generators(g: CodeGraph, spec: dict) -> set[str]:
    """Project functions whose first parameter they introspect as a tool (see _introspects)."""
    out: set[str] = set()
    for q, f in g.functions.items():
        first = _first_param(f)
        if first is not None and _introspects(g, f, first, spec):
            out.add(q)
    return out


def _skipped_names(func: FunctionInfo) -> set[str]:
    """Names a generator skips while it walks a signature: `if p.name == "x": continue` (or
    `in ("x", "y")`)."""
    out: set[str] = set()
    for st in ir.walk_stmts(func.node.body if func.node is not None else []):
        if not (isinstance(st, ir.If) and len(st.body) == 1 and isinstance(st.body[0], ir.Simple)
                and st.body[0].kind == "continue" and isinstance(st.test, ir.Compare)):
            continue
        test = st.test
        if not (isinstance(test.left, ir.Attribute) and test.left.attr == "name" and len(test.ops) == 1
                and test.ops[0] in ("==", "in")):
            continue
        right = test.comparators[0]
        items = right.elts if isinstance(right, ir.Seq) else [right]
        out.update(t for t in (ir.string_value(e) for e in items) if t is not None)
    return out


def _popped_properties(g: CodeGraph) -> set[str]:
    """Names removed from a schema's properties anywhere in the project:
    `schema["properties"].pop(NAME, None)`."""
    out: set[str] = set()
    for func in g.functions.values():
        for site in func.calls:
            f = site.call.func
            if not (isinstance(f, ir.Attribute) and f.attr == "pop" and isinstance(f.value, ir.Subscript)
                    and ir.string_value(f.value.index) == "properties" and site.call.args):
                continue
            out.update(const_strs_of(g.values(site.call.args[0], func, site.stmt)))
    return out


def _tool_fields(g: CodeGraph, gens: set[str], spec: dict) -> dict[str, bool]:
    """Attribute names whose elements are handed to a generator: `function_to_json(f) for f in
    agent.functions` (a comprehension or a for loop over `<x>.<field>`), or described where they
    are iterated: `f"{signature_of(f)}: {f.__doc__}" for f in self.functions` (the loop's
    function reads the element's docstring and its name or signature, itself or through the
    helper it hands the element to). Each field maps to True when only such an inline description
    was found (no generator), see OwnAgentToolSpec.described_only."""
    out: dict[str, bool] = {}
    for func in g.functions.values():
        loops: dict[str, str] = {}  # loop variable -> field iterated
        for c, _s in func.exprs.get(ir.Comp, ()):
            assert isinstance(c, ir.Comp)
            for t, it in zip(c.targets, c.iters, strict=False):
                if isinstance(t, ir.Name) and isinstance(it, ir.Attribute):
                    loops[t.id] = it.attr
        for st in func.stmts:
            if isinstance(st, ir.For) and isinstance(st.target, ir.Name) and isinstance(st.iter, ir.Attribute):
                loops[st.target.id] = st.iter.attr
        if not loops:
            continue
        for var, field in loops.items():
            if field not in out and _introspects(g, func, var, spec, depth=1):
                out[field] = True
        for site in func.calls:
            arg = site.call.args[0] if site.call.args else None
            if not isinstance(arg, ir.Name) or arg.id not in loops:
                continue
            if any(isinstance(v, FuncRef) and v.qualname in gens for v in g.values(site.call.func, func, site.stmt)):
                out[loops[arg.id]] = False
    return out


@dataclass(frozen=True)
class OwnAgentSite:
    """One construction `<ProjectAgent>(<field>=[...], ...)` whose field a generator of the project
    turns into tool schemas: `tools` are the project functions the list holds (qualnames, in
    order), `complete` whether every element is one (no element unresolved or of another kind)."""

    func: FunctionInfo
    stmt: ir.Stmt
    call: ir.Call
    owner: str          # the project agent class (its qualname)
    field: str
    tools: tuple[str, ...]
    complete: bool
    hidden_params: frozenset[str]
    described_only: bool = False  # see OwnAgentToolSpec


def own_agent_sites(g: CodeGraph, layer: AgentView, element_values: Callable) -> list[OwnAgentSite]:
    """The `<ProjectAgent>(<field>=[...])` constructions in the agent layer, where <field> is a
    class-level field of that project class whose elements a generator of the project turns into
    tool schemas. `element_values` is cpg.tools' helper."""
    shape = g.catalog.own_function_tools
    if not shape:
        return []
    gens = _generators(g, shape)
    fields = _tool_fields(g, gens, shape)
    if not fields:
        return []
    owners = {cls.qualname: f for cls in g.classes.values() for f in fields
              if any(m is None for _v, _s, m in cls.attrs.get(f, []))}
    hidden = frozenset(_popped_properties(g).union(*(_skipped_names(g.functions[q]) for q in gens)))
    out: list[OwnAgentSite] = []
    for func in layer.functions():
        for site in func.calls:
            kws = [k for k in site.call.keywords if k.name in fields]
            if not kws:
                continue
            classes = {v.qualname for v in g.values(site.call.func, func, site.stmt) if isinstance(v, ClassRef)}
            for kw in kws:
                owner = next((q for q in sorted(classes) if any(owners.get(c.qualname) == kw.name for c in g.mro(q))), None)
                if owner is None:
                    continue
                tools: list[str] = []
                complete = True
                for vs in element_values(g, kw.value, func, site.stmt):
                    refs = [v.qualname for v in vs if isinstance(v, FuncRef) and v.qualname in g.functions]
                    complete = complete and bool(refs) and len(refs) == len(vs)
                    tools.extend(q for q in refs if q not in tools)
                out.append(OwnAgentSite(func, site.stmt, site.call, owner, kw.name or "", tuple(tools),
                                        complete and bool(tools), hidden, fields[kw.name or ""]))
    return out


def own_agent_function_tools(g: CodeGraph, layer: AgentView, seen: set[str], element_values: Callable,
                             params: Callable) -> list[ToolDef]:
    """The functions listed in the project's own agent constructions (`own_agent_sites`), each a
    tool described by its docstring. `element_values` and `params` are cpg.tools' helpers."""
    out: list[ToolDef] = []
    for site in own_agent_sites(g, layer, element_values):
        spec = OwnAgentToolSpec(site.owner.rsplit(".", 1)[-1], site.field, site.hidden_params, site.described_only)
        for q in site.tools:
            impl = g.functions[q]
            if q in seen or impl.node is None:
                continue
            seen.add(q)
            doc = impl.node.docstring
            out.append(ToolDef("function", "", impl.module, impl.node.pos, impl.name, doc,
                               "docstring" if doc else None, func=impl, spec=spec,
                               params=[p for p in params(impl) if p.name not in site.hidden_params],
                               description_pos=impl.node.body[0].pos if doc else None,
                               name_pos=impl.node.name_pos))
    return out
