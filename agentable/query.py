"""The query library: reusable predicates over the project graph that keep rules short.

Rules ask questions such as "does this value come from an LLM call?" or "is this statement
protected by a handler, here or in every caller?"; the answers live here, once.
"""

from __future__ import annotations

import re
from functools import lru_cache, wraps
from typing import Callable, Iterable, Optional, TypeVar, Union

from agentable.cpg import ir
from agentable.cpg.flow import EXIT, locally_protected
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, LLMOutput, Parsed, Typed, Value
from agentable.findings import FlowStep

_F = TypeVar("_F", bound=Callable)


def per_graph(fn: _F) -> _F:
    """Memoise a query helper once per graph, by its (hashable) arguments: a fact several rules
    ask for is computed once per scan. The cache lives on the graph (`ProjectGraph.facts`)."""

    @wraps(fn)
    def cached(g: ProjectGraph, *args, **kwargs):
        key = (fn, args, tuple(kwargs.items()))
        facts = g.facts
        if key not in facts:
            facts[key] = fn(g, *args, **kwargs)
        return facts[key]

    return cached  # type: ignore[return-value]

# ----------------------------------------------------------------------------- LLM output


def llm_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, *, text_only: bool = True) -> list[LLMOutput]:
    """LLM outputs that `e` may evaluate to (the generated text, or also raw responses)."""
    out: list[LLMOutput] = []
    for v in g.values(e, func, stmt):
        if isinstance(v, LLMOutput) and (v.text or not text_only):
            out.append(v)
    return sorted(out, key=lambda v: (len(v.steps), v.site[0], v.site[1].pos))


def parsed_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[Parsed]:
    return [v for v in g.values(e, func, stmt) if isinstance(v, Parsed) and not v.validated]


def flow_steps(g: ProjectGraph, value: Union[LLMOutput, Parsed], last: Optional[tuple[str, ir.Pos, str]] = None) -> tuple[FlowStep, ...]:
    """A value's data-flow path as FlowSteps (for messages and SARIF codeFlows)."""
    src = value.source if isinstance(value, Parsed) else value
    steps = list(src.steps)
    if last is not None:
        steps.append(last)
    out: list[FlowStep] = []
    seen: set[tuple[str, int]] = set()
    for path, pos, msg in steps:
        key = (path, pos[0])
        if key in seen:
            continue
        seen.add(key)
        out.append(FlowStep(g.span(path, pos), msg))
    return tuple(out)


# ----------------------------------------------------------------------------- fault tolerance


# What a failing tool typically raises (I/O, network, bad arguments, conversions): a handler for any
# of them around the call shows the loop was written to survive a tool failure.
TOOL_FAILURES = ("Exception", "OSError", "ConnectionError", "TimeoutError", "ValueError", "TypeError", "KeyError",
                 "LookupError", "RuntimeError", "RequestException", "HTTPError", "HTTPStatusError")


def is_protected(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...], depth: int = 4,
                 _seen: Optional[set[str]] = None) -> bool:
    """Is `stmt` inside a try that catches one of `raised`, in this function or (for every call
    path) in its callers? Functions nobody in the project calls count as unprotected."""
    if locally_protected(func, stmt, raised) is not None:
        return True
    if depth <= 0 or func.is_module:
        return False
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return False
    seen.add(func.qualname)
    callers = g.callers(func)
    if not callers:
        return False
    return all(is_protected(g, site.func, site.stmt, raised, depth - 1, seen) for site in callers)


def protecting_handler_names(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> list[str]:
    from agentable.cpg.flow import enclosing_handlers, handler_type_names

    names: list[str] = []
    for h in enclosing_handlers(func, stmt):
        names.extend(handler_type_names(h) or ["<bare except>"])
    return names


# ----------------------------------------------------------------------------- checks before use


def _names_in(e: ir.Expr) -> set[str]:
    out: set[str] = set()
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            out.add(d)
    return out


def _exits(block: list[ir.Stmt]) -> bool:
    return bool(block) and (isinstance(block[-1], (ir.Return, ir.Raise)) or
                            (isinstance(block[-1], ir.Simple) and block[-1].kind in ("continue", "break")))


def checked_before(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Is `name` tested before `stmt` runs: an enclosing `if`/`while` whose test mentions it, an
    earlier `if not name: return/raise/continue`, an `assert name`, or a walrus in the test."""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, (ir.If, ir.While)) and name in _names_in(anc.test):
            return True
        block = _block_containing(anc, child)
        if block is not None and _guard_in_prefix(block, child, name):
            return True
        child = anc
    return _guard_in_prefix(func.body, child, name)


def _block_containing(anc: object, child: object) -> Optional[list[ir.Stmt]]:
    blocks: list[list[ir.Stmt]] = []
    if isinstance(anc, ir.Handler):
        blocks = [anc.body]
    elif isinstance(anc, ir.Stmt):
        blocks = ir.child_blocks(anc)
        if isinstance(anc, (ir.FunctionDef, ir.ClassDef)):
            blocks = [anc.body]
    for b in blocks:
        if any(s is child for s in b):
            return b
    return None


def _guard_in_prefix(block: list[ir.Stmt], child: object, name: str) -> bool:
    for s in block:
        if s is child:
            return False
        if isinstance(s, ir.If) and name in _names_in(s.test) and (_exits(s.body) or _exits(s.orelse)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and name in _names_in(s.exprs[0]):
            return True
    return False


# ----------------------------------------------------------------------------- returns


def implicit_none_exits(g: ProjectGraph, func: FunctionInfo) -> list[object]:
    """Statements after which control falls off the end of the function (returning None)."""
    if func.node is None:
        return []
    return [p for p in g.reaching(func).predecessors(EXIT) if not isinstance(p, (ir.Return, ir.Raise))]


def bare_returns(func: FunctionInfo) -> list[ir.Return]:
    return [r for r in func.returns if r.value is None or (isinstance(r.value, ir.Constant) and r.value.value is None)]


def value_kinds(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> set[str]:
    """Coarse Python types an expression may have: str, dict, list, none, int, generator, …"""
    kinds: set[str] = set()
    for v in g.values(e, func, stmt):
        kinds.add(value_kind(v))
    return kinds


def value_kind(v: Value) -> str:
    if isinstance(v, Const):
        if v.value is None:
            return "none"
        return type(v.value).__name__
    if isinstance(v, Typed):
        return v.kind
    if isinstance(v, LLMOutput):
        return "str" if v.text else "response"
    return "unknown"


# ----------------------------------------------------------------------------- misc


def call_sites(g: ProjectGraph, funcs: Iterable[FunctionInfo]) -> Iterable[CallSite]:
    for f in funcs:
        yield from f.calls


def strings_in(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int = 4) -> list[str]:
    """Literal text that flows into an expression: literals, f-string parts, `.format()`
    templates, `+` operands, list/dict literals and named constants (prompts, stop lists)."""
    out: list[str] = []
    _strings(g, e, func, stmt, depth, out, set())
    return out


def _strings(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int, out: list[str], seen: set[int]) -> None:
    if e is None or depth < 0 or id(e) in seen:
        return
    seen.add(id(e))
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        out.append(e.value)
    elif isinstance(e, ir.FString):
        out.append(e.literal_text())
        for p in e.parts:
            if not isinstance(p, str):
                _strings(g, p, func, stmt, depth - 1, out, seen)
    elif isinstance(e, (ir.Concat,)):
        for p in e.parts:
            _strings(g, p, func, stmt, depth, out, seen)
    elif isinstance(e, ir.BinOp):
        _strings(g, e.left, func, stmt, depth, out, seen)
        _strings(g, e.right, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Seq):
        for x in e.elts:
            _strings(g, x, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Dict):
        for k, v in zip(e.keys, e.values):
            if isinstance(k, ir.Constant) and k.value in ("role", "type", "name"):
                continue
            _strings(g, v, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Call):
        if isinstance(e.func, ir.Attribute) and e.func.attr in ("format", "join", "format_map", "strip", "replace"):
            _strings(g, e.func.value, func, stmt, depth - 1, out, seen)
        for a in e.args:
            _strings(g, a, func, stmt, depth - 1, out, seen)
        for kw in e.keywords:
            _strings(g, kw.value, func, stmt, depth - 1, out, seen)
        if depth > 0:  # a project function that builds the prompt: what it returns
            from agentable.cpg.values import FuncRef

            for v in g.shallow.values(e.func, func, stmt):
                target = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
                for r in (target.returns if target is not None else ()):
                    _strings(g, r.value, target, r, depth - 1, out, seen)
    elif isinstance(e, ir.Name):
        defs = g.resolver.local_defs(func, e.id, stmt)
        owner = func
        if not defs:
            owner = func.module.toplevel
            defs = owner.defs.get(e.id, [])
        for d in defs:
            if d.how in ("assign", "walrus") and d.value is not None:
                _strings(g, d.value, owner, d.stmt, depth - 1, out, seen)
            elif d.how == "import":
                for v in g.values(e, func, stmt):
                    if isinstance(v, Const) and isinstance(v.value, str):
                        out.append(v.value)
            elif d.how == "param" and depth > 0:  # a prompt passed into a project wrapper
                from agentable.cpg.resolve import argument_for

                params = owner.params
                idx = next((i for i, p in enumerate(params) if p.name == e.id), None)
                offset = 1 if owner.cls is not None else 0
                for site in (g.callers(owner)[:8] if idx is not None else ()):
                    arg = argument_for(site.call, params[idx], idx - offset)
                    _strings(g, arg, site.func, site.stmt, depth - 1, out, seen)
    elif isinstance(e, ir.Attribute):
        for v in g.values(e, func, stmt):
            if isinstance(v, Const) and isinstance(v.value, str):
                out.append(v.value)


# ----------------------------------------------------------------------------- models in use (ADAL, LARD)

from dataclasses import dataclass as _dataclass  # noqa: E402


@_dataclass(eq=False)
class ModelUse:
    """A model id given to a generative role: an LLM call (its own argument, a bound setting or the
    client), a framework chat-model construction, or a framework agent construction.

    `expr` is where the model is written at that use (the argument or constructor keyword); report
    there. `api` is what the model is asked to do: the LLM call's api (chat, completion, responses,
    embedding, …); "chat" for chat models and agents, "completion" for completion-style framework
    LLM classes. `owner` is the LLMCall, or the construction's (module path, call, spec).
    """

    model_id: str
    expr: ir.Expr
    func: FunctionInfo
    stmt: object
    where: str  # call | client | bind | chat_model | agent
    api: str
    spec: object
    call: Optional[ir.Call] = None  # the LLM call, or the chat-model / agent construction
    llm_call: object = None  # agentable.cpg.agent.LLMCall when the use is an LLM call

    literal: Optional[tuple[str, ir.Pos]] = None  # where the model id string itself is written
    literal_shared: bool = False  # the same literal also feeds a use of another kind (e.g. an embedding call)

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def pos(self) -> ir.Pos:
        return self.expr.pos

    @property
    def report_at(self) -> tuple[str, ir.Pos]:
        """Report where the id is written (the line to change) unless that literal also serves
        other kinds of use legitimately; then at this use."""
        if self.literal is not None and not self.literal_shared:
            return self.literal
        return (self.path, self.call.pos if self.call is not None and self.path == self.func.path else self.pos)

    def flow(self, g: ProjectGraph) -> tuple[FlowStep, ...]:
        if self.literal is None or self.literal == (self.path, self.pos):
            return ()
        return (FlowStep(g.span(*self.literal), f"model id `{self.model_id}` is set here"),
                FlowStep(g.span(self.path, self.pos), "and used here"))


def chat_model_api(spec: object) -> str:
    """"completion" for a framework LLM class whose calls return plain text (a completion-style
    LLM such as a text-completion wrapper), else "chat"."""
    text_methods = set(getattr(spec, "returns_text_methods", ()) or ())
    output_text = getattr(spec, "output_text", ()) or ()
    if not output_text and text_methods & {"invoke", "__call__"}:
        return "completion"
    return "chat"


def _const_strs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[str]:
    return [v.value for v in g.values(e, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]


def literal_of(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int = 3) -> Optional[tuple[ir.Expr, FunctionInfo, object]]:
    """The dict/list/tuple literal an expression is (directly, or through a local/global/`self.x`
    binding), with the scope to read its elements in; None when it is not a known literal."""
    for _ in range(depth):
        if isinstance(e, (ir.Dict, ir.Seq)):
            return e, func, stmt
        if not isinstance(e, (ir.Name, ir.Attribute)):
            return None
        defs = g._literal_defs(e, func, stmt)
        if len(defs) != 1:
            return None
        e, func, stmt = defs[0]
    return (e, func, stmt) if isinstance(e, (ir.Dict, ir.Seq)) else None


def dict_values_for_key(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, key: str,
                        depth: int = 4) -> list[tuple[ir.Expr, FunctionInfo, object]]:
    """Values stored under `key` in a dict literal, searched through nested literal dicts and lists
    (e.g. `{"config_list": [{"model": ...}]}`)."""
    out: list[tuple[ir.Expr, FunctionInfo, object]] = []
    if depth < 0:
        return out
    lit = literal_of(g, e, func, stmt)
    if lit is None:
        return out
    node, owner, s = lit
    if isinstance(node, ir.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ir.Constant) and k.value == key:
                out.append((v, owner, s))
            elif v is not None:
                out.extend(dict_values_for_key(g, v, owner, s, key, depth - 1))
    else:
        for elt in node.elts:
            out.extend(dict_values_for_key(g, elt, owner, s, key, depth - 1))
    return out


def construction_arg(call: ir.Call, names: Iterable[str], positional: Optional[int]) -> Optional[ir.Expr]:
    """The argument of a construction call given by keyword (first of `names`) or position."""
    for n in names:
        if n:
            v = call.kwarg(n)
            if v is not None:
                return v
    if positional is not None and positional < len(call.args) and not any(
            isinstance(a, ir.Starred) for a in call.args[: positional + 1]):
        return call.args[positional]
    return None


def _ext_paths(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object) -> list[str]:
    from agentable.cpg.values import ExtRef

    return [v.path for v in g.values(call.func, func, stmt) if isinstance(v, ExtRef)]


@per_graph
def chat_model_constructions(g: ProjectGraph) -> list[tuple[CallSite, object]]:
    """Calls that construct a framework chat model (its class or a factory), with its spec."""
    out: list[tuple[CallSite, object]] = []
    cat = g.catalog
    for func in g.agent.functions():
        for site in func.calls:
            for path in _ext_paths(g, site.call, func, site.stmt):
                spec = cat.chat_model(path) or cat.chat_model_factory(path)
                if spec is not None:
                    out.append((site, spec))
                    break
    return out


@_dataclass(eq=False)
class ModelSlot:
    """An expression that gives a model its id: an LLM call's effective `model` setting, a chat-model
    construction's model argument, or a framework agent's model/llm argument (or a `"model"` key in
    a literal config dict given there)."""

    expr: ir.Expr
    func: FunctionInfo
    stmt: object
    where: str  # call | client | bind | chat_model | agent
    api: str
    spec: object
    call: Optional[ir.Call] = None
    llm_call: object = None

    @property
    def path(self) -> str:
        return self.func.path


@per_graph
def model_slots(g: ProjectGraph) -> list[ModelSlot]:
    """Every place a model id is given to a generative or API role (see ModelSlot), once per
    expression."""
    out: list[ModelSlot] = []
    seen: set[int] = set()

    def add(slot: ModelSlot) -> None:
        if id(slot.expr) not in seen:
            seen.add(id(slot.expr))
            out.append(slot)

    for c in g.agent.llm_calls:
        s = c.setting("model")
        if s is not None:
            api = chat_model_api(c.spec) if c.is_chat_model else c.api
            add(ModelSlot(s.expr, s.func, s.stmt, s.where, api, c.spec, c.call, c))
    for site, spec in chat_model_constructions(g):
        e = construction_arg(site.call, getattr(spec, "model_params", ()) or (), getattr(spec, "model_positional", None))
        if e is not None:
            add(ModelSlot(e, site.func, site.stmt, "chat_model", chat_model_api(spec), spec, site.call))
    for ac in g.agent.agent_constructs:
        spec, call, func, stmt = ac.spec, ac.site.call, ac.site.func, ac.site.stmt
        for name, pos in ((getattr(spec, "model_param", None), getattr(spec, "model_positional", None)),
                          (getattr(spec, "llm_param", None), getattr(spec, "llm_positional", None))):
            e = construction_arg(call, [name] if name else [], pos)
            if e is None:
                continue
            add(ModelSlot(e, func, stmt, "agent", "chat", spec, call))
            for v, owner, s in dict_values_for_key(g, e, func, stmt, "model"):
                add(ModelSlot(v, owner, s, "agent", "chat", spec, call))
    return out


@per_graph
def model_uses(g: ProjectGraph) -> list[ModelUse]:
    """Every model id (string constant) that reaches a model slot (`model_slots`): LLM calls
    (argument, bound setting, client), chat-model constructions, and framework agents (`model=`, a
    model string given as the agent's `llm`, or `"model"` keys inside an `llm_config`-style dict).
    Each (model id, expression) pair appears once."""
    out: list[ModelUse] = []
    for slot in model_slots(g):
        for mid in dict.fromkeys(_const_strs(g, slot.expr, slot.func, slot.stmt)):
            out.append(ModelUse(mid, slot.expr, slot.func, slot.stmt, slot.where, slot.api, slot.spec, slot.call,
                                slot.llm_call, literal_site(g, slot.expr, slot.func, slot.stmt, mid)))
    apis_by_literal: dict[tuple[str, ir.Pos], set[str]] = {}
    for use in out:
        if use.literal is not None:
            apis_by_literal.setdefault(use.literal, set()).add(use.api)
    for use in out:
        if use.literal is not None and len(apis_by_literal[use.literal]) > 1:
            use.literal_shared = True
    return out


GENERATIVE_APIS = frozenset({"chat", "responses", "completion", "generate"})


def tools_requested(g: ProjectGraph, use: ModelUse) -> Optional[ir.Expr]:
    """Where tool calling is asked of the model at this use: a non-empty `tools`/`functions`
    argument of the LLM call, a tool-binding binder (`.bind_tools(...)`, `.bind(tools=...)`), or
    tools handed to an agent constructor whose framework drives them by native tool calling.
    Returns the expression to point at, or None."""
    from agentable.cpg.values import Const as _C

    def non_empty(e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> bool:
        if e is None:
            return False
        lit = literal_of(g, e, func, stmt)
        if lit is not None and isinstance(lit[0], ir.Seq) and not lit[0].elts:
            return False
        vals = g.values(e, func, stmt)
        return not (vals and all(isinstance(v, _C) and v.value in (None, False) for v in vals))

    c = use.llm_call
    if c is not None:
        s = c.setting("tools")
        if s is not None and non_empty(s.expr, s.func, s.stmt):
            return s.expr
        for path, bind in getattr(c, "binds", ()):
            func = g.function_of(path, bind.pos)
            name = bind.func.attr if isinstance(bind.func, ir.Attribute) else ""
            if "tool" in name and (bind.args or bind.keywords):
                return bind
            for kw in ("tools", "functions"):
                if func is not None and non_empty(bind.kwarg(kw), func, None):
                    return bind
        return None
    if use.where == "agent" and use.call is not None:
        spec = use.spec
        if not getattr(spec, "tool_calling", False):
            return None
        e = construction_arg(use.call, [spec.tools_param] if spec.tools_param else [], spec.tools_positional)
        if e is not None and non_empty(e, use.func, use.stmt):
            return e
    return None


def int_setting(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[int]:
    """The integer an expression certainly is (every resolved value the same int constant)."""
    vals = g.values(e, func, stmt)
    ints = {v.value for v in vals if isinstance(v, Const) and isinstance(v.value, int) and not isinstance(v.value, bool)}
    if len(ints) == 1 and len(vals) == 1:
        return ints.pop()
    return None


def mask_secret(s: str) -> str:
    """A secret shown safely in a message: its first 4 characters and its length."""
    return f"{s[:4]}… ({len(s)} chars)" if len(s) > 4 else "…"


# ----------------------------------------------------------------------------- declared versions (LARD, EPDD)


@lru_cache(maxsize=None)
def versions_disjoint(declared: str, available: str) -> bool:
    """True when no version admitted by the `declared` PEP 440 specifier set is in `available`
    (e.g. declared ">=1.30", available "<1.0"). Checked on every boundary version either set
    names, and the versions just around them."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        d, a = SpecifierSet(declared), SpecifierSet(available)
    except InvalidSpecifier:
        return False
    cands: set[str] = {"0", "0.0.1", "9999"}
    for spec in list(d) + list(a):
        v = spec.version.rstrip(".*")
        try:
            ver = Version(v)
        except InvalidVersion:
            return False
        rel = list(ver.release)
        cands.add(str(ver))
        for i in range(len(rel)):
            up = rel[: i + 1]
            up[-1] += 1
            cands.add(".".join(map(str, up)))
            if rel[i] > 0:
                down = rel[: i + 1]
                down[-1] -= 1
                cands.add(".".join(map(str, down)) + ".999")
        cands.add(".".join(map(str, rel + [1])))
        cands.add(".".join(map(str, rel + [0, 1])))
    if any(d.contains(c, prereleases=True) and a.contains(c, prereleases=True) for c in cands):
        return False
    # no candidate in both; require the declared range itself to be satisfiable by a candidate
    return any(d.contains(c, prereleases=True) for c in cands)


@per_graph
def api_unavailable(g: ProjectGraph, path: str, symbol: str):
    """Is `symbol` (a catalog path such as "openai.ChatCompletion.create" or
    "langchain.chat_models.ChatOpenAI") missing from EVERY version that the project's manifests for
    the file `path` admit? Returns (ApiAvailability, Requirement) for the most specific catalog
    `[[api_availability]]` entry whose distribution is declared with a range disjoint from the
    entry's `available` range, else None. The Requirement (agentable.cpg.manifests) is the
    declaration to cite (manifest path and line). Undeclared distributions, unpinned declarations
    and unparsable ranges give None (say nothing). Shared by LARD001 (LLM APIs) and EPDD (other
    libraries)."""
    for avail in g.catalog.api_availability(symbol):
        if any(declared_requirement(g, path, d, pinned=False) is not None for d in avail.unless_declared):
            continue
        found = declared_requirement(g, path, avail.dist)
        if found is not None and versions_disjoint(found[1], avail.available):
            return avail, found[0]
    return None


def is_framework_symbol(g: ProjectGraph, symbol: str) -> bool:
    """Does the symbol belong to an LLM SDK or agent framework (catalog framework roots)?"""
    return symbol.split(".", 1)[0].split("(", 1)[0] in g.catalog.known_framework_roots()


@lru_cache(maxsize=None)
def api_is_newer_than_declared(available: str, declared: str) -> bool:
    """Does the API need a newer release than any the declaration admits (the v1 client with
    openai==0.28.1: an EPDD dependency defect), rather than being removed in the declared releases
    (openai.ChatCompletion with openai>=1: a LARD API defect)?"""
    import re as _re

    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        avail, decl = SpecifierSet(available), SpecifierSet(declared)
    except InvalidSpecifier:
        return False
    points: set[Version] = {Version("0")}
    for text in _re.findall(r"\d+(?:\.\d+)*", available + " " + declared):
        try:
            v = Version(text)
        except InvalidVersion:
            continue
        parts = list(v.release) + [0, 0]
        points |= {v, Version(f"{parts[0]}.{parts[1]}.{parts[2] + 1}"), Version(f"{parts[0] + 1}.0")}
    admitted = [v for v in points if decl.contains(v, prereleases=True)]
    exists = [v for v in points if avail.contains(v, prereleases=True)]
    return bool(admitted and exists) and min(exists) > max(admitted)


@per_graph
def declared_requirement(g: ProjectGraph, path: str, dist: str, pinned: bool = True):
    """(Requirement, combined specifier text) that the manifests governing file `path` declare for
    `dist`, or None when it is undeclared or (with `pinned`) declared without a version range."""
    manifests = getattr(g, "manifests", None)
    if manifests is None:
        return None
    try:
        scope = manifests.for_path(path)
        reqs = scope.declared(dist)
        spec = scope.specifier_for(dist)
    except Exception:
        return None
    if not reqs or spec is None or (pinned and not str(spec)):
        return None
    main = [r for r in reqs if getattr(r, "group", "main") == "main"] or reqs
    return main[0], str(spec)


def declared_specifier(g: ProjectGraph, path: str, dist: str) -> Optional[str]:
    """The version specifier (PEP 440 text) the manifests for file `path` declare for `dist`, or
    None when undeclared or unpinned."""
    found = declared_requirement(g, path, dist)
    return found[1] if found is not None else None


def env_default_empty(v: object) -> bool:
    """Is this value an environment read (`os.getenv(NAME, "")`, `os.environ.get(NAME, "")`) whose
    fallback is the empty string?"""
    from agentable.cpg.values import ExtRef

    if not isinstance(v, ExtRef) or v.site is None:
        return False
    if v.path not in ("os.getenv()", "os.environ.get()"):
        return False
    call = v.site[1]
    default = call.args[1] if len(call.args) > 1 else call.kwarg("default")
    return isinstance(default, ir.Constant) and default.value == ""


# ----------------------------------------------------------------------------- model text consumers (LOPE, ALS)
#
# Where generated text is consumed by an operation that fails on text of the wrong shape: parsers,
# regex match objects, indexing into split results, key access on parsed structures. Shared by the
# LOPE rules (is the consumer guarded?) and ALS (what does the loop's parser read?).

# Parsers of text and what they raise on text that is not in the expected format; catching any one
# of these (or a parent such as ValueError / Exception) guards the parse.
TEXT_PARSERS: dict[str, tuple[str, ...]] = {
    "json.loads": ("JSONDecodeError",),
    "json.JSONDecoder().decode": ("JSONDecodeError",),
    "orjson.loads": ("JSONDecodeError",),
    "ujson.loads": ("ValueError", "JSONDecodeError"),
    "simplejson.loads": ("JSONDecodeError",),
    "ast.literal_eval": ("ValueError", "SyntaxError"),
    "eval": ("SyntaxError", "NameError", "ValueError"),
    "yaml.safe_load": ("YAMLError",),
    "yaml.load": ("YAMLError",),
    "yaml.full_load": ("YAMLError",),
    "tomllib.loads": ("TOMLDecodeError",),
    "toml.loads": ("TomlDecodeError",),
    "int": ("ValueError",),
    "float": ("ValueError",),
}
# Regex functions returning a Match or None: path -> index of the string argument.
REGEX_MATCHERS: dict[str, int] = {
    "re.search": 1, "re.match": 1, "re.fullmatch": 1,
    "re.compile().search": 0, "re.compile().match": 0, "re.compile().fullmatch": 0,
}
# Regex functions returning a (possibly empty) list: path -> index of the string argument.
REGEX_LISTS: dict[str, int] = {"re.findall": 1, "re.compile().findall": 0, "re.split": 1, "re.compile().split": 0}
MATCH_READERS = frozenset({"group", "groups", "groupdict", "start", "end", "span", "expand"})
# str methods returning a list of pieces; index 0 and -1 are treated as always present (an empty reply is
# rare and reported elsewhere), any other fixed index needs a check.
SPLITTERS = frozenset({"split", "rsplit", "splitlines"})
# Response fields that carry the provider's own structured data rather than free text: JSON tool-call
# arguments (generated under the provider's JSON constraint) and already-parsed structured output.
_STRUCTURED_FIELDS = ("`.arguments`", "`.parsed`", "`.output_parsed`", "`.tool_calls`", "`.function_call`")
_INDEX_ERRORS = ("IndexError", "ValueError", "TypeError")
_MATCH_ERRORS = ("AttributeError", "TypeError", "IndexError")
_KEY_ERRORS = ("KeyError", "TypeError", "IndexError")


@_dataclass(eq=False)
class TextUse:
    """One consumption of model text (or of a structure parsed from it) that can fail on text of
    an unexpected shape.

    kind: parse (json.loads, int, …), match (a regex Match read without a None check), index
    (`split(...)[1]`, `findall(...)[0]`), unpack (`a, b = text.split(":")`), key (`data["k"]` on
    a parsed structure). `expr` is where to report; `op` names the operation for messages;
    `raises` are the exceptions a handler must catch; `guard` says why the use is safe ("" when
    it is not): "try", "check", "structured-output", "retry", "suppress".
    """

    kind: str
    op: str
    func: FunctionInfo
    stmt: ir.Stmt
    expr: ir.Expr
    source: Union[LLMOutput, Parsed]
    raises: tuple[str, ...]
    guard: str = ""
    name: Optional[str] = None  # the variable holding the result, when the use goes through one
    origin: Optional[ir.Call] = None  # the consuming call (parser, regex function, split) when not `expr`

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def llm(self) -> LLMOutput:
        return self.source.source if isinstance(self.source, Parsed) else self.source


def model_text(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[LLMOutput]:
    """The generated free text `e` may be (shortest data-flow path first), or None. Tool-call
    arguments and parsed structured-output fields are not free text."""
    for v in llm_outputs(g, e, func, stmt):
        if any(any(f in msg for f in _STRUCTURED_FIELDS) for _, _, msg in v.steps):
            continue
        if _stops_short_of_text(g, v):
            continue
        return v
    return None


_ACCESS_SEG = re.compile(r"\.(\w+)|\[[^\]]*\]")


def _stops_short_of_text(g: ProjectGraph, v: LLMOutput) -> bool:
    """The response is read only part of the way to its text (e.g. Anthropic `msg.content`, a list
    of blocks, where the catalog says `.content[0].text`): a response-reading error (LARD), not
    model text, so the text consumers stay silent."""
    c = g.agent.llm_call_at(v.site[1])
    paths = list(getattr(c.spec, "output_text", ()) or ()) if c is not None else []
    if not paths:
        return False
    if not v.steps or not v.steps[-1][2].endswith("of the model's response"):
        return False  # the text was indexed or transformed after it was reached
    got: list[str] = []
    for _, _, msg in v.steps:
        if msg.endswith("of the model's response"):
            got.append(msg[2:msg.index("`", 2)] if msg.startswith("`.") else "[]")
    expected = [["[]" if m.group(0).startswith("[") else m.group(1) for m in _ACCESS_SEG.finditer(p)] for p in paths]
    if not got or any(got == exp for exp in expected):
        return False
    return any(len(got) < len(exp) and exp[:len(got)] == got for exp in expected)


def describe_llm_source(g: ProjectGraph, out: LLMOutput) -> str:
    """"`client.chat.completions.create` at agent.py:12" for messages."""
    path, call = out.site
    name = ir.dotted(call.func) or "the model call"
    return f"`{name}` at {path}:{call.pos[0]}"


@per_graph
def _structured_names(g: ProjectGraph) -> frozenset[str]:
    names: set[str] = set()
    for spec in g.catalog.llm_calls:
        names.update(spec.structured_params or ())
        rf = (spec.params or {}).get("response_format")
        if rf:
            names.add(rf)
    return frozenset(names)


def _requests_structure(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object) -> bool:
    """Does a structured-output argument ask for JSON / a schema (not plain text)?"""
    from agentable.cpg.values import ClassRef as _CR, ExtRef as _ER, Instance as _I

    node = literal_of(g, e, func, stmt)
    target = node[0] if node is not None else e
    owner, s = (node[1], node[2]) if node is not None else (func, stmt)
    if isinstance(target, ir.Call) and not target.keywords:
        return True  # e.g. format=Answer.model_json_schema()
    if isinstance(target, (ir.Dict, ir.Call)):
        keys: list[str] = []
        texts: list[str] = []
        for x in ir.walk_expr(target):
            if isinstance(x, ir.Dict):
                keys += [k.value for k in x.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)]
            elif isinstance(x, ir.Call):
                keys += [kw.name for kw in x.keywords if kw.name]
            elif isinstance(x, ir.Constant) and isinstance(x.value, str):
                texts.append(x.value.lower())
        if any("json" in t for t in texts):
            return True
        return any("schema" in k or "mime" in k for k in keys)
    vals = g.values(e, func, stmt)
    if not vals:
        return True
    if all(isinstance(v, Const) for v in vals):
        return any(isinstance(v.value, str) and ("json" in v.value.lower() or v.value.startswith("{")) for v in vals)  # type: ignore[union-attr]
    return any(isinstance(v, (_CR, _ER, _I, Typed)) or not isinstance(v, Const) for v in vals)


def structured_output(g: ProjectGraph, out: LLMOutput) -> Optional[str]:
    """The structured-output option (`response_format=…`, `format="json"`, a response schema in
    a generation config, …) of the LLM call that produced `out`, on the call itself, a bound
    setting or the client/model constructor; None when the call asks for free text."""
    c = g.agent.llm_call_at(out.site[1])
    if c is None:
        return None
    names = _structured_names(g)
    places: list[tuple[ir.Call, FunctionInfo, object]] = [(c.call, c.func, c.site.stmt)]
    for path, call in tuple(c.binds) + ((c.client_site,) if c.client_site else ()):
        f = g.function_of(path, call.pos)
        if f is not None:
            places.append((call, f, None))
    for call, f, s in places:
        for kw in call.keywords:
            if kw.name in names and _requests_structure(g, kw.value, f, s):
                return kw.name
            if kw.name is not None and kw.name not in names:  # e.g. model_kwargs={"response_format": …}
                for n in names:
                    for v, owner, s2 in dict_values_for_key(g, kw.value, f, s, n, depth=2):
                        if _requests_structure(g, v, owner, s2):
                            return n
    return None


def _decorated_with_retry(g: ProjectGraph, func: FunctionInfo) -> bool:
    from agentable.cpg.values import ExtRef as _ER

    if func.node is None:
        return False
    for d in func.node.decorators:
        target = d.func if isinstance(d, ir.Call) else d
        for v in g.values(target, func.module.toplevel, None):
            if isinstance(v, _ER) and v.path.rsplit(".", 1)[-1] in ("retry", "on_exception", "retry_async"):
                return True
    return False


def _suppressed_here(func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...]) -> bool:
    from agentable.cpg.flow import exception_catches

    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.With):
            for item in anc.items:
                c = item.context
                if isinstance(c, ir.Call) and (ir.dotted(c.func) or "").rsplit(".", 1)[-1] == "suppress":
                    for a in c.args:
                        t = ir.dotted(a) or ""
                        if any(exception_catches(t, r) for r in raised):
                            return True
    return False


def failure_guard(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...]) -> str:
    """Why a failing operation at `stmt` cannot crash the agent: "try" (a handler catching one of
    `raised` here or in every caller), "suppress" (`contextlib.suppress`), "retry" (the function
    or every caller is wrapped in a retry decorator that re-runs the model call); "" otherwise."""
    if is_protected(g, func, stmt, raised):
        return "try"
    if _suppressed_here(func, stmt, raised):
        return "suppress"
    if _decorated_with_retry(g, func):
        return "retry"
    return ""


def _expr_parents(stmt: ir.Stmt) -> dict[int, ir.Expr]:
    parents: dict[int, ir.Expr] = {}
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            for c in ir.iter_child_exprs(e):
                parents[id(c)] = e
    return parents


def _int_index(e: ir.Expr) -> Optional[int]:
    if isinstance(e, ir.Constant) and type(e.value) is int:
        return e.value  # type: ignore[return-value]
    if isinstance(e, ir.UnaryOp) and e.op == "-" and isinstance(e.operand, ir.Constant) and type(e.operand.value) is int:
        return -e.operand.value  # type: ignore[operator]
    return None


def _guard_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], names: set[str]) -> bool:
    """`x.group(1) if x else …`, `x and x.group(1)`, `[… for … if len(x) > 1]`: a test on one
    of `names` that must pass before `node` is evaluated, within the same expression."""
    child: ir.Expr = node
    cur = parents.get(id(node))
    while cur is not None:
        if isinstance(cur, ir.IfExp) and child is not cur.test and names & _names_in(cur.test):
            return True
        if isinstance(cur, ir.BoolOp):
            for v in cur.values:
                if v is child:
                    break
                if names & _names_in(v):
                    return True
        if isinstance(cur, ir.Comp) and any(names & _names_in(c) for c in cur.conds):
            return True
        child, cur = cur, parents.get(id(cur))
    return False


def _key_guard_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], names: set[str]) -> bool:
    """`d["k"] if "k" in d else …`, `"k" in d and d["k"]`: a membership test in the same expression."""
    child: ir.Expr = node
    cur = parents.get(id(node))
    while cur is not None:
        if isinstance(cur, ir.IfExp) and child is not cur.test and any(_membership_test(cur.test, n) for n in names):
            return True
        if isinstance(cur, ir.BoolOp):
            for v in cur.values:
                if v is child:
                    break
                if any(_membership_test(v, n) for n in names):
                    return True
        child, cur = cur, parents.get(id(cur))
    return False


def _checked(func: FunctionInfo, stmt: ir.Stmt, names: set[str]) -> bool:
    return any(checked_before(func, stmt, n) for n in names if n)


def _bound_name(stmt: ir.Stmt, call: ir.Expr) -> Optional[str]:
    """The name a statement binds to `call` (`m = re.search(...)`, `if (m := re.search(...))`)."""
    if isinstance(stmt, ir.Assign) and stmt.value is call and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name):
        return stmt.targets[0].id
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            if isinstance(e, ir.NamedExpr) and e.value is call and isinstance(e.target, ir.Name):
                return e.target.id
    return None


def _uses_of(g: ProjectGraph, func: FunctionInfo, def_stmt: ir.Stmt, name: str) -> list[tuple[ir.Stmt, ir.Name, dict[int, ir.Expr]]]:
    """Reads of `name` that the binding at `def_stmt` reaches, with each statement's expression parents."""
    out: list[tuple[ir.Stmt, ir.Name, dict[int, ir.Expr]]] = []
    rd = g.reaching(func)
    for s in ir.walk_stmts(func.body):
        names = [e for root in ir.stmt_exprs(s) for e in ir.walk_expr(root) if isinstance(e, ir.Name) and e.id == name]
        if not names:
            continue
        defs = rd.at(s, name)
        if s is def_stmt:
            # a walrus binds inside its own statement: `if (m := re.search(..)) and m.group(1)`
            if not any(isinstance(e, ir.NamedExpr) for root in ir.stmt_exprs(s) for e in ir.walk_expr(root)):
                continue
        elif not defs or not any(d.stmt is def_stmt for d in defs):
            continue
        parents = _expr_parents(s)
        for n in names:
            p = parents.get(id(n))
            if isinstance(p, ir.NamedExpr) and p.target is n:
                continue
            out.append((s, n, parents))
    return out


def regex_patterns(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object) -> list[str]:
    """The pattern strings of a regex call: `re.search(P, …)` or `PAT.search(…)` with
    `PAT = re.compile(P)` (resolved through names, module constants and attributes)."""
    from agentable.cpg.values import ExtRef as _ER

    paths = [v.path for v in g.values(call.func, func, stmt) if isinstance(v, _ER)]
    pat_expr: Optional[ir.Expr] = None
    if any(p.startswith("re.") and not p.startswith("re.compile()") for p in paths) and call.args:
        pat_expr = call.args[0]
    elif isinstance(call.func, ir.Attribute):
        for v in g.values(call.func.value, func, stmt):
            site = getattr(v, "site", None)
            if isinstance(v, _ER) and site is not None and isinstance(site[1], ir.Call) and site[1].args:
                pat_expr = site[1].args[0]
                owner = g.function_of(site[0], site[1].pos)
                if owner is not None:
                    func, stmt = owner, None
                break
    if pat_expr is None:
        return []
    return [v.value for v in g.values(pat_expr, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]


def _regex_always_matches(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object, path: str) -> bool:
    """A pattern such as `r".*"` that matches every text (so the Match is never None)."""
    import re as _re

    pats = regex_patterns(g, call, func, stmt)
    if not pats:
        return False
    method = path.rsplit(".", 1)[-1]
    try:
        return all(all(getattr(_re.compile(p), method)(t) for t in ("", "zq\n#", "{}")) for p in pats)
    except _re.error:
        return False


@per_graph
def text_uses(g: ProjectGraph) -> list[TextUse]:
    """Every consumption of model text that fails on an unexpected shape (see TextUse), in the
    agent modules, with its guard. Memoised on the graph."""
    out: list[TextUse] = []
    from agentable.cpg.values import ExtRef as _ER

    for func in g.agent.functions():
        for site in func.calls:
            call, stmt = site.call, site.stmt
            paths = [v.path for v in g.values(call.func, func, stmt) if isinstance(v, _ER)]
            path = next((p for p in paths if p in TEXT_PARSERS or p in REGEX_MATCHERS or p in REGEX_LISTS), None)
            if path in TEXT_PARSERS:
                src = model_text(g, call.args[0], func, stmt) if call.args else None
                if src is not None:
                    guard = failure_guard(g, func, stmt, TEXT_PARSERS[path])
                    if not guard and structured_output(g, src) is not None and path not in ("int", "float"):
                        guard = "structured-output"
                    if not guard and path in ("int", "float"):
                        # `if reply.strip().isdigit(): int(reply)` / `int(x) if x.isdigit() else 0`
                        names = {d for x in ir.walk_expr(call.args[0]) if (d := ir.dotted(x))}
                        if _guard_in_expr(call, _expr_parents(stmt), names) or _checked(func, stmt, names):
                            guard = "check"
                    out.append(TextUse("parse", path, func, stmt, call, src, TEXT_PARSERS[path], guard, origin=call))
                continue
            if path in REGEX_MATCHERS:
                idx = REGEX_MATCHERS[path]
                arg = call.args[idx] if len(call.args) > idx else call.kwarg("string")
                src = model_text(g, arg, func, stmt)
                if src is not None and not _regex_always_matches(g, call, func, stmt, path):
                    out.extend(_match_uses(g, func, stmt, call, src, path))
                continue
            if path in REGEX_LISTS:
                idx = REGEX_LISTS[path]
                arg = call.args[idx] if len(call.args) > idx else call.kwarg("string")
                src = model_text(g, arg, func, stmt)
                if src is not None:
                    out.extend(_index_uses(g, func, stmt, call, src, path.rsplit(".", 1)[-1], any_index=path.endswith("findall")))
                continue
            f = call.func
            if isinstance(f, ir.Attribute) and f.attr in SPLITTERS:
                src = model_text(g, f.value, func, stmt)
                if src is not None:
                    out.extend(_index_uses(g, func, stmt, call, src, f"{f.attr}", any_index=False,
                                           receiver=ir.dotted(f.value)))
    out.extend(_key_uses(g, out))
    return out


def _match_uses(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, src: LLMOutput, path: str) -> list[TextUse]:
    out: list[TextUse] = []
    op = path.replace("re.compile()", "pattern")
    parents = _expr_parents(stmt)
    p = parents.get(id(call))
    if (isinstance(p, ir.Attribute) and p.attr in MATCH_READERS) or (isinstance(p, ir.Subscript) and p.value is call):
        guard = failure_guard(g, func, stmt, _MATCH_ERRORS)
        out.append(TextUse("match", op, func, stmt, p, src, _MATCH_ERRORS, guard, origin=call))
        return out
    name = _bound_name(stmt, call)
    if name is None:
        return out
    for s, n, ps in _uses_of(g, func, stmt, name):
        q = ps.get(id(n))
        if not ((isinstance(q, ir.Attribute) and q.attr in MATCH_READERS) or (isinstance(q, ir.Subscript) and q.value is n)):
            continue
        guard = ""
        if _guard_in_expr(q, ps, {name}) or _checked(func, s, {name}):
            guard = "check"
        else:
            guard = failure_guard(g, func, s, _MATCH_ERRORS)
        out.append(TextUse("match", op, func, s, q, src, _MATCH_ERRORS, guard, name, call))
    return out


def _index_uses(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, src: LLMOutput, op: str,
                any_index: bool, receiver: Optional[str] = None) -> list[TextUse]:
    """Fixed-position reads of a split/findall result: `r[i]` with an index that may not exist,
    or unpacking into a fixed number of names."""
    out: list[TextUse] = []
    maxsplit = None
    if not any_index:
        ms = call.kwarg("maxsplit") or (call.args[1] if len(call.args) > 1 else None)
        maxsplit = _int_index(ms) if ms is not None else None

    def risky(i: Optional[int]) -> bool:
        if i is None:
            return False
        return True if any_index else (i >= 1 or i <= -2)

    guards = {receiver} if receiver else set()
    parents = _expr_parents(stmt)
    p = parents.get(id(call))
    if isinstance(p, ir.Subscript) and p.value is call and risky(_int_index(p.index)):
        guard = "check" if (_guard_in_expr(p, parents, guards) or _checked(func, stmt, guards)) else \
            failure_guard(g, func, stmt, _INDEX_ERRORS)
        out.append(TextUse("index", op, func, stmt, p, src, _INDEX_ERRORS, guard, origin=call))
        return out
    whole: ir.Expr = p if isinstance(p, ir.Subscript) and p.value is call and isinstance(p.index, ir.Slice) else call
    if isinstance(stmt, ir.Assign) and stmt.value is whole and len(stmt.targets) == 1 and _fixed_unpack(stmt.targets[0], maxsplit, any_index):
        guard = "check" if _checked(func, stmt, guards) else failure_guard(g, func, stmt, _INDEX_ERRORS)
        out.append(TextUse("unpack", op, func, stmt, stmt.targets[0], src, _INDEX_ERRORS, guard, origin=call))
        return out
    name = _bound_name(stmt, call)
    if name is None:
        return out
    for s, n, ps in _uses_of(g, func, stmt, name):
        q = ps.get(id(n))
        if isinstance(q, ir.Subscript) and q.value is n and risky(_int_index(q.index)):
            use: ir.Expr = q
            kind = "index"
        elif isinstance(s, ir.Assign) and s.value is n and len(s.targets) == 1 and _fixed_unpack(s.targets[0], maxsplit, any_index):
            use, kind = s.targets[0], "unpack"
        else:
            continue
        names = guards | {name}
        guard = "check" if (_guard_in_expr(use, ps, names) or _checked(func, s, names)) else \
            failure_guard(g, func, s, _INDEX_ERRORS)
        out.append(TextUse(kind, op, func, s, use, src, _INDEX_ERRORS, guard, name, call))
    return out


def _fixed_unpack(target: ir.Expr, maxsplit: Optional[int], any_index: bool) -> bool:
    if not isinstance(target, ir.Seq) or len(target.elts) < 2:
        return False
    return not any(isinstance(e, ir.Starred) for e in target.elts)


def _membership_test(test: Optional[ir.Expr], name: str) -> bool:
    """Does the test check keys of `name`: `"k" in name`, `name.keys() >= {...}`, `name.get(...)`,
    `all(k in name for …)`? (A None/truthiness/isinstance test does not.)"""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare) and any(op in ("in", "not in") for op in x.ops) and \
                any(name in _names_in(c) for c in x.comparators):
            return True
        if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in ("get", "keys", "issubset", "issuperset") \
                and name in _names_in(x.func.value):
            return True
    return False


def membership_checked(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Are keys of `name` tested before `stmt`: an enclosing if/while with a membership test, or an
    earlier `if "k" not in name: return/raise/continue` (see `_membership_test`)."""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, (ir.If, ir.While)) and _membership_test(anc.test, name):
            return True
        block = _block_containing(anc, child)
        if block is not None and _membership_prefix(block, child, name):
            return True
        child = anc
    return _membership_prefix(func.body, child, name)


def _membership_prefix(block: list[ir.Stmt], child: object, name: str) -> bool:
    for s in block:
        if s is child:
            return False
        if isinstance(s, ir.If) and _membership_test(s.test, name) and (_exits(s.body) or _exits(s.orelse)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and _membership_test(s.exprs[0], name):
            return True
    return False


def _key_uses(g: ProjectGraph, parses: list[TextUse]) -> list[TextUse]:
    """`data["action"]` / `data[0]` on a structure parsed from model text, for parses that are
    themselves guarded by a handler (an unguarded parse is the root cause to report instead)."""
    by_pos = {(u.path, u.expr.pos): u for u in parses if u.kind == "parse"}
    out: list[TextUse] = []
    if not any(u.guard in ("try", "suppress") for u in by_pos.values()):
        return out  # no guarded parse: no key use to report (and nothing to resolve)
    seen: set[int] = set()
    for func in g.agent.functions():
        for e, s in func.walk(ir.Subscript):
            if id(e) in seen:
                continue
            idx = e.index
            if not (isinstance(idx, ir.Constant) and isinstance(idx.value, (str, int)) and not isinstance(idx.value, bool)):
                continue
            parsed = [v for v in g.values(e.value, func, s) if isinstance(v, Parsed) and not v.validated]
            if not parsed:
                continue
            pv = parsed[0]
            step = pv.source.steps[-1] if pv.source.steps else None
            parse = by_pos.get((step[0], step[1])) if step else None
            if parse is None or parse.guard not in ("try", "suppress"):
                continue
            # a store (`data["k"] = v`) is not a read
            if isinstance(s, ir.Assign) and any(t is e for t in s.targets):
                continue
            seen.add(id(e))
            names = {n for n in [ir.dotted(e.value)] if n}
            if _key_guard_in_expr(e, _expr_parents(s), names) or any(membership_checked(func, s, n) for n in names):
                guard = "check"
            else:
                guard = failure_guard(g, func, s, _KEY_ERRORS)
            out.append(TextUse("key", repr(idx.value), func, s, e, pv, _KEY_ERRORS, guard, ir.dotted(e.value)))
    return out


# ----------------------------------------------------------------------------- text protocols and stop sequences (ALS)


def protocol_markers() -> dict[str, tuple[str, ...]]:
    """The catalog's text-protocol markers (agents.toml [text_protocol]): action, final, thought
    and observation markers, e.g. {"action_markers": ("Action:", "Action Input:"), …}."""
    global _PROTOCOL
    if _PROTOCOL is None:
        from agentable.catalog import read_toml

        raw = read_toml("agents.toml").get("text_protocol", {})
        _PROTOCOL = {k: tuple(v) for k, v in raw.items()}
    return _PROTOCOL


_PROTOCOL: Optional[dict[str, tuple[str, ...]]] = None


def control_markers() -> tuple[str, ...]:
    """Every marker a text protocol's parser reacts to."""
    m = protocol_markers()
    return tuple(dict.fromkeys(m.get("final_markers", ()) + m.get("action_markers", ()) +
                               m.get("observation_markers", ()) + m.get("thought_markers", ())))


def strings_reaching(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int = 2) -> list[str]:
    """`strings_in`, also following a parameter to the arguments of every call site (prompts
    passed into project wrappers) and messages appended to a list before the call."""
    out = strings_in(g, e, func, stmt)
    if depth <= 0 or e is None:
        return out
    if isinstance(e, ir.Name):
        from agentable.cpg.resolve import argument_for

        for d in func.defs.get(e.id, []):
            if d.how == "param":
                params = func.params
                idx = next((i for i, p in enumerate(params) if p.name == e.id), None)
                if idx is None:
                    continue
                offset = 1 if func.cls is not None else 0
                for site in g.callers(func)[:8]:
                    arg = argument_for(site.call, params[idx], idx - offset)
                    if arg is not None:
                        out += strings_reaching(g, arg, site.func, site.stmt, depth - 1)
        # messages.append({...}) / messages += [...] in the same function
        for site in func.calls:
            f = site.call.func
            if isinstance(f, ir.Attribute) and f.attr in ("append", "extend", "insert") and ir.dotted(f.value) == e.id:
                for a in site.call.args:
                    out += strings_in(g, a, func, site.stmt)
    elif isinstance(e, ir.Attribute):
        for v in g.values(e, func, stmt):
            if isinstance(v, Const) and isinstance(v.value, str) and v.value not in out:
                out.append(v.value)
    return out


def prompt_text(g: ProjectGraph, c: object) -> str:
    """Literal text of the prompt an LLM call sends (messages, prompt and system settings)."""
    parts: list[str] = []
    for role in ("messages", "prompt", "system"):
        s = c.setting(role)  # type: ignore[attr-defined]
        if s is not None:
            parts += strings_reaching(g, s.expr, s.func, s.stmt)
    if not parts and c.call.args:  # type: ignore[attr-defined]
        parts += strings_reaching(g, c.call.args[0], c.func, c.site.stmt)  # type: ignore[attr-defined]
    return "\n".join(dict.fromkeys(parts))


@per_graph
def _stop_names(g: ProjectGraph) -> frozenset[str]:
    names = {"stop"}
    for spec in list(g.catalog.llm_calls) + list(g.catalog.chat_models):
        p = getattr(spec, "params", None) or getattr(spec, "param_names", None) or {}
        if p.get("stop"):
            names.add(p["stop"])
    return frozenset(names)


@_dataclass(eq=False)
class StopConfig:
    """The stop sequences an LLM call uses. state: "none" (no stop sequence anywhere), "set"
    (`stops` are all known), "unknown" (set from something we cannot read: a parameter, **kwargs).
    `expr`/`func`/`stmt` locate the setting (to report at)."""

    state: str
    stops: tuple[str, ...] = ()
    expr: Optional[ir.Expr] = None
    func: Optional[FunctionInfo] = None
    stmt: object = None


def concrete_values(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> frozenset:
    """`g.values` without the symbolic parameter marker of functions the project calls: their
    parameters take exactly what those callers pass (or the default)."""
    from agentable.cpg.values import ParamRef

    vals = g.values(e, func, stmt)
    return frozenset(v for v in vals if not (isinstance(v, ParamRef) and v.func in g.functions
                                              and g.callers(g.functions[v.func])))


def stop_config(g: ProjectGraph, c: object) -> StopConfig:
    """Where and what the stop sequences of an LLM call are: its own argument, a bound setting,
    the client/model constructor, or a `stop`/`stop_sequences` key in an options/config dict."""
    exprs: list[tuple[ir.Expr, FunctionInfo, object]] = []
    s = c.setting("stop")  # type: ignore[attr-defined]
    if s is not None:
        exprs.append((s.expr, s.func, s.stmt))
    else:
        names = _stop_names(g)
        places: list[tuple[ir.Call, FunctionInfo, object]] = [(c.call, c.func, c.site.stmt)]  # type: ignore[attr-defined]
        for path, call in tuple(c.binds) + ((c.client_site,) if c.client_site else ()):  # type: ignore[attr-defined]
            f = g.function_of(path, call.pos)
            if f is not None:
                places.append((call, f, None))
        for call, f, st in places:
            for kw in call.keywords:
                if kw.name is None:
                    return StopConfig("unknown")
                if kw.name in names:
                    exprs.append((kw.value, f, st))
                    continue
                for n in names:
                    exprs.extend(dict_values_for_key(g, kw.value, f, st, n, depth=2))
                lit = literal_of(g, kw.value, f, st)
                if lit is None and isinstance(kw.value, ir.Call):
                    for kw2 in kw.value.keywords:
                        if kw2.name in names:
                            exprs.append((kw2.value, f, st))
    if not exprs:
        return StopConfig("unknown" if c.has_kwarg_splat() else "none")  # type: ignore[attr-defined]
    stops: list[str] = []
    known = True
    for e, f, st in exprs:
        lit = literal_of(g, e, f, st)
        elems = lit[0].elts if lit is not None and isinstance(lit[0], ir.Seq) else [e]
        owner, s2 = (lit[1], lit[2]) if lit is not None else (f, st)
        for x in elems:
            vals = concrete_values(g, x, owner, s2)
            strs = [v.value for v in vals if isinstance(v, Const) and isinstance(v.value, str)]
            nones = [v for v in vals if isinstance(v, Const) and v.value in (None, False)]
            if strs and len(strs) + len(nones) == len(vals):
                stops += strs
            elif vals and len(nones) == len(vals):
                continue
            else:
                known = False
    e0, f0, s0 = exprs[0]
    if stops or not known:
        return StopConfig("set" if known else "unknown", tuple(dict.fromkeys(stops)), e0, f0, s0)
    return StopConfig("none", (), e0, f0, s0)


def ask_checker(g: ProjectGraph, question: object):
    """The NL checker's verdict (the scan's `graph.checker`, else the deterministic answer)."""
    checker = getattr(g, "checker", None)
    if checker is not None:
        try:
            return checker.ask(question)
        except Exception:
            pass
    from agentable.nl_check.offline import answer_offline

    return answer_offline(question, None)  # type: ignore[arg-type]


def asks_text_protocol(prompt: str) -> bool:
    """Does the prompt describe a Thought/Action/Observation-style protocol: an action (or final
    answer) marker the model writes AND an observation marker the environment fills in?"""
    m = protocol_markers()
    model = m.get("action_markers", ()) + m.get("final_markers", ())
    return any(x in prompt for x in model) and any(x in prompt for x in m.get("observation_markers", ()))


_MARKER_READERS = frozenset({"split", "rsplit", "partition", "rpartition", "startswith", "endswith", "find", "rfind",
                             "index", "rindex", "search", "match", "fullmatch", "findall", "finditer", "compile",
                             "removeprefix", "replace", "count"})


def marker_reads(g: ProjectGraph, funcs: Iterable[FunctionInfo]) -> set[str]:
    """Protocol markers (catalog [text_protocol], compared without their colon) that the code of
    `funcs` (and module-level compiled patterns of their modules) reads: string arguments of
    split/partition/startswith/find/re.* calls and left operands of `in` tests."""
    m = protocol_markers()
    stems = {x.rstrip(":").strip(): x for x in m.get("action_markers", ()) + m.get("final_markers", ())}
    texts: list[str] = []
    seen_mods: set[str] = set()
    todo = list(funcs)
    for f in list(todo):
        if f.module.name not in seen_mods:
            seen_mods.add(f.module.name)
            todo.append(f.module.toplevel)
    for f in todo:
        for e, _ in f.walk(ir.Call, ir.Compare):
            if isinstance(e, ir.Call):
                name = e.func.attr if isinstance(e.func, ir.Attribute) else (ir.dotted(e.func) or "")
                if name.rsplit(".", 1)[-1] in _MARKER_READERS:
                    texts += [t for a in e.args if (t := ir.string_value(a)) is not None]
            elif any(op in ("in", "not in") for op in e.ops):
                t = ir.string_value(e.left)
                if t is not None:
                    texts.append(t)
    found: set[str] = set()
    for t in texts:
        for stem, marker in stems.items():
            if stem and stem in t:
                found.add(marker)
    return found


@_dataclass(eq=False)
class ProtocolCall:
    """An LLM call that drives a hand-written text-protocol loop: it runs inside a loop (its own
    function's, or a caller's around a call that reaches it), its prompt asks for the protocol,
    and the loop's code reads the protocol's markers from the reply."""

    llm_call: object
    loop_func: FunctionInfo
    loop: ir.Stmt
    prompt: str
    markers_read: frozenset[str]


@per_graph
def protocol_calls(g: ProjectGraph) -> list[ProtocolCall]:
    from agentable.cpg.flow import enclosing_loops

    out: list[ProtocolCall] = []
    for c in g.agent.llm_calls:
        prompt = prompt_text(g, c)
        if not asks_text_protocol(prompt):
            continue
        found = None
        # the loop around the call: in its own function, or around a call chain reaching it (depth 3)
        frontier: list[tuple[FunctionInfo, ir.Stmt]] = [(c.func, c.site.stmt)]
        seen: set[str] = set()
        for _ in range(4):
            nxt: list[tuple[FunctionInfo, ir.Stmt]] = []
            for f, s in frontier:
                loops = enclosing_loops(f, s)
                if loops:
                    found = (f, loops[0])
                    break
                if f.qualname in seen or f.is_module:
                    continue
                seen.add(f.qualname)
                nxt += [(site.func, site.stmt) for site in g.callers(f)[:8]]
            if found or not nxt:
                break
            frontier = nxt
        if found is None:
            continue
        loop_func, loop = found
        funcs = [loop_func, c.func]
        for site in loop_func.calls:
            if any(a is loop for a in loop_func.ancestors(site.stmt)) or site.stmt is loop:
                funcs += [g.functions[q] for q in g.callees(site) if q in g.functions]
        read = marker_reads(g, dict.fromkeys(funcs))
        if read:
            out.append(ProtocolCall(c, loop_func, loop, prompt, frozenset(read)))
    return out


def literal_site(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, value: object,
                 depth: int = 6) -> Optional[tuple[str, ir.Pos]]:
    """Where the literal `value` that `e` evaluates to is written: follows local and module
    bindings, parameters (defaults and every call site's argument), `self.x` assignments and
    imported constants. None when it cannot be found (e.g. it comes from a config file)."""
    seen: set[int] = set()

    def find(x: Optional[ir.Expr], f: FunctionInfo, st: object, d: int) -> Optional[tuple[str, ir.Pos]]:
        if x is None or d < 0 or id(x) in seen:
            return None
        seen.add(id(x))
        if isinstance(x, ir.Constant):
            return (f.path, x.pos) if x.value == value else None
        if isinstance(x, (ir.IfExp, ir.BoolOp, ir.Seq)):
            parts = [x.body, x.orelse] if isinstance(x, ir.IfExp) else (x.values if isinstance(x, ir.BoolOp) else x.elts)
            for part in parts:
                hit = find(part, f, st, d)
                if hit:
                    return hit
            return None
        if isinstance(x, ir.Call):  # os.getenv("MODEL", "gpt-4o") and similar: the default
            for a in list(x.args[1:]) + [kw.value for kw in x.keywords if kw.name in ("default",)]:
                hit = find(a, f, st, d - 1)
                if hit:
                    return hit
            return None
        if isinstance(x, ir.Name):
            defs = g.resolver.local_defs(f, x.id, st)
            owner = f
            if not defs:
                owner = f.module.toplevel
                defs = owner.defs.get(x.id, [])
            for dfn in defs:
                if dfn.how in ("assign", "walrus"):
                    hit = find(dfn.value, owner, dfn.stmt, d - 1)
                elif dfn.how == "param":
                    hit = _param_literal(owner, x.id, find, d - 1)
                elif dfn.how == "import":
                    hit = _imported_literal(g, dfn, find, d - 1)
                else:
                    hit = None
                if hit:
                    return hit
            return None
        if isinstance(x, ir.Attribute):
            for v in g.shallow.values(x.value, f, st):
                q = getattr(v, "qualname", None)
                if q in g.classes:
                    for cls in g.mro(q):
                        for val, s2, method in cls.attrs.get(x.attr, []):
                            hit = find(val, method or cls.module.toplevel, s2, d - 1)
                            if hit:
                                return hit
                elif getattr(v, "name", None) in g.modules:
                    top = g.modules[v.name].toplevel  # type: ignore[union-attr]
                    for dfn in top.defs.get(x.attr, []):
                        if dfn.how == "assign":
                            hit = find(dfn.value, top, dfn.stmt, d - 1)
                            if hit:
                                return hit
            return None
        return None

    def _param_literal(f: FunctionInfo, name: str, finder, d: int):
        params = f.params
        idx = next((i for i, p in enumerate(params) if p.name == name), None)
        if idx is None:
            return None
        p = params[idx]
        offset = 1 if f.cls is not None else 0
        for site in g.callers(f):
            from agentable.cpg.resolve import argument_for

            arg = argument_for(site.call, p, idx - offset)
            hit = finder(arg, site.func, site.stmt, d)
            if hit:
                return hit
        return finder(p.default, f, f.node, d) if p.default is not None else None

    def _imported_literal(graph: ProjectGraph, dfn, finder, d: int):
        target = dfn.value.value if isinstance(dfn.value, ir.Constant) else None
        if not target or "." not in str(target):
            return None
        mod_name, _, attr = str(target).rpartition(".")
        mod = graph.find_module(mod_name)
        if mod is None:
            return None
        for inner in mod.toplevel.defs.get(attr, []):
            if inner.how == "assign":
                hit = finder(inner.value, mod.toplevel, inner.stmt, d)
                if hit:
                    return hit
        return None

    return find(e, func, stmt, depth)


@per_graph
def _protocol_modules(g: ProjectGraph) -> set[str]:
    mods = {ac.site.func.module.name for ac in g.agent.agent_constructs if getattr(ac.spec, "text_protocol", False)}
    return mods | {c.func.module.name for c in g.agent.llm_calls if asks_text_protocol(prompt_text(g, c))}


def uses_text_protocol(g: ProjectGraph, near: Optional[object] = None) -> bool:
    """Does the project run a text-protocol agent: a framework agent whose catalog entry says it
    parses tool calls from text, or an LLM call whose prompt asks for the Action/Observation
    protocol? With `near` (a ModuleInfo), only evidence in that module, its directory, or a module
    it imports or that imports it counts (so unrelated programs scanned together do not mix)."""
    mods = _protocol_modules(g)
    if near is None or not mods:
        return bool(mods)
    name = near.name  # type: ignore[attr-defined]
    folder = near.path.rpartition("/")[0]  # type: ignore[attr-defined]
    for m in mods:
        other = g.modules.get(m)
        if other is None:
            continue
        if m == name or other.path.rpartition("/")[0] == folder:
            return True
        if _imports_module(g, other, name) or _imports_module(g, near, m):
            return True
    return False


def _imports_module(g: ProjectGraph, importer: object, target: str) -> bool:
    for t in list(importer.imports.values()):  # type: ignore[attr-defined]
        parts = t.split(".")
        for i in range(len(parts), 0, -1):
            found = g.find_module(".".join(parts[:i]), importer)  # type: ignore[arg-type]
            if found is not None:
                if found.name == target:
                    return True
                break
    return False


@per_graph
def tool_functions(g: ProjectGraph) -> list[tuple[FunctionInfo, Optional[object]]]:
    """Functions that run as tools: implementations of framework tools (graph.agent.tools, with the
    ToolDef) and functions an LLM-driven function dispatches by a computed name (`TOOLS[name](arg)`,
    `self.tools[name].run(arg)`), with None for the ToolDef."""
    out: dict[str, tuple[FunctionInfo, Optional[object]]] = {}
    for t in g.agent.tools:
        funcs: list[FunctionInfo] = [t.func] if t.func is not None else []
        if t.cls is not None:
            for m in getattr(t.spec, "impl_methods", ()) or ():
                for cls in g.mro(t.cls.qualname):
                    if m in cls.methods:
                        funcs.append(cls.methods[m])
                        break
        for f in funcs:
            out.setdefault(f.qualname, (f, t))
    llm_funcs = g.agent.llm_functions
    for func in g.agent.functions():
        if func.qualname not in llm_funcs:
            continue
        for site in func.calls:
            f = site.call.func
            chain = f
            while isinstance(chain, ir.Attribute):
                chain = chain.value
            targets = g.callees(site)
            if isinstance(chain, ir.Subscript) or len(targets) >= 2:
                for q in targets:
                    tf = g.functions.get(q)
                    if tf is not None and q not in llm_funcs and tf.name != "__init__":
                        out.setdefault(q, (tf, None))
    result = list(out.values())
    return result


# ----------------------------------------------------------------------------- tools (IETI)


def tool_description_problem(g: ProjectGraph, tool: object) -> Optional[str]:
    """What is wrong with a tool's description as the model will see it: "missing" (none at all),
    "empty" (blank text), or None (present, dynamic, or not decidable statically: a `**kwargs`
    splat at the definition, a constructor whose implementing function is unknown and whose
    framework would fall back to its docstring, a class tool that is only a base for other project
    classes, defines its description as a property, or receives it at construction)."""
    desc = getattr(tool, "description", None)
    if desc == "<dynamic>":
        return None
    if isinstance(desc, str):
        return "empty" if not desc.strip() else None
    spec = getattr(tool, "spec", None)
    kind = getattr(tool, "kind", "")
    func = getattr(tool, "func", None)
    if func is not None and func.node is not None and func.node.docstring and kind == "decorator":
        return None
    if kind == "function":  # a plain function handed to an agent: its docstring is the description
        return "missing"
    if kind in ("decorator", "constructor"):
        call = _tool_definition_call(g, tool)
        if call is not None and call.has_kwargs_splat():
            return None
        if kind == "constructor" and func is None and getattr(spec, "description_fallback_docstring", False):
            return None
        return "missing"
    if kind == "class":
        cls = getattr(tool, "cls", None)
        attr = getattr(spec, "description_attr", None)
        if cls is None or not attr:
            return None
        if g.subclasses(cls.qualname):
            return None  # a project base class: its subclasses say what they do
        for c in g.mro(cls.qualname):
            if attr in c.methods:
                return None  # a property or method computes it
            for m in c.methods.values():
                if any(site.call.kwarg(attr) is not None or site.call.has_kwargs_splat() for site in m.calls):
                    return None  # passed to super().__init__(...) or similar
        if class_constructed_with(g, cls.qualname, attr):
            return None
        return "missing"
    if kind == "schema":
        schema = getattr(tool, "schema", None)
        if schema is not None and any(k is None for k in schema.keys):
            return None
        body = schema
        wrapper = getattr(spec, "wrapper_key", None)
        if schema is not None and wrapper and isinstance(schema.get(wrapper), ir.Dict):
            body = schema.get(wrapper)
        if body is not None and any(k is None for k in body.keys):
            return None
        return "missing"
    return None


def _tool_definition_call(g: ProjectGraph, tool: object) -> Optional[ir.Call]:
    """The decorator call (`@tool(...)`) or constructor call that defines a tool, if any."""
    kind = getattr(tool, "kind", "")
    func = getattr(tool, "func", None)
    if kind == "decorator" and func is not None and func.node is not None:
        for d in func.node.decorators:
            if isinstance(d, ir.Call):
                return d
        return None
    if kind == "constructor":
        mod = getattr(tool, "module", None)
        pos = getattr(tool, "pos", None)
        if mod is None or pos is None:
            return None
        owner = g.function_of(mod.path, pos)
        for f in ([owner] if owner is not None else []) + [mod.toplevel]:
            for site in f.calls:
                if site.call.pos == pos:
                    return site.call
    return None


def class_constructed_with(g: ProjectGraph, qualname: str, kwarg: str) -> bool:
    """Is the project class `qualname` (or a subclass) instantiated anywhere with keyword `kwarg`
    (or a `**kwargs` splat)?"""
    from agentable.cpg.values import ClassRef

    targets = {qualname} | g.subclasses(qualname)
    for f in g.functions.values():
        for site in f.calls:
            call = site.call
            if call.kwarg(kwarg) is None and not call.has_kwargs_splat():
                continue
            d = ir.dotted(call.func) or ""
            if d.rpartition(".")[2] not in {q.rpartition(".")[2] for q in targets}:
                continue
            if any(isinstance(v, ClassRef) and v.qualname in targets for v in g.shallow.values(call.func, f, site.stmt)):
                return True
    return False


def tool_function_param_names(func: Optional[FunctionInfo]) -> Optional[set[str]]:
    """Every parameter name of a tool's implementing function (self and injected context
    included), or None when the function accepts `**kwargs` (any documented name may be valid)
    or is unknown."""
    if func is None or func.node is None:
        return None
    if any(p.kind == "kwarg" for p in func.node.params):
        return None
    return {p.name for p in func.node.params}


def tool_reads_docstring(tool: object) -> bool:
    """Does the model see the implementing function's docstring (as the description, or as parsed
    parameter documentation)?"""
    spec = getattr(tool, "spec", None)
    return getattr(tool, "description_source", None) == "docstring" or bool(
        getattr(spec, "parse_docstring_params", False) or getattr(spec, "requires_param_docs", False))


def documented_param_names(tool: object) -> dict[str, str]:
    """Parameter documentation in the implementing function's docstring (Google, Sphinx or NumPy
    sections): name -> text. Empty when there is no such section."""
    from agentable.cpg.tools import parse_param_docs

    func = getattr(tool, "func", None)
    if func is None or func.node is None or not func.node.docstring:
        return {}
    return parse_param_docs(func.node.docstring)


def schema_body(tool: object) -> Optional[ir.Dict]:
    """The dict of a JSON tool schema that holds name/description/parameters (inside the
    wrapper key when the schema has one)."""
    schema = getattr(tool, "schema", None)
    if schema is None:
        return None
    wrapper = getattr(getattr(tool, "spec", None), "wrapper_key", None)
    if wrapper:
        inner = schema.get(wrapper)
        return inner if isinstance(inner, ir.Dict) else None
    return schema


def schema_properties(tool: object) -> Optional[list[tuple[str, ir.Expr, Optional[ir.Dict]]]]:
    """(name, key expression, property dict) for each property of a JSON tool schema's
    parameters, or None when the parameters are not a literal `{"properties": {...}}`."""
    body = schema_body(tool)
    if body is None:
        return None
    params = body.get(getattr(getattr(tool, "spec", None), "params_key", "parameters"))
    if not isinstance(params, ir.Dict) or any(k is None for k in params.keys):
        return None
    props = params.get("properties")
    if not isinstance(props, ir.Dict) or any(k is None for k in props.keys):
        return None
    out: list[tuple[str, ir.Expr, Optional[ir.Dict]]] = []
    for k, v in zip(props.keys, props.values):
        if isinstance(k, ir.Constant) and isinstance(k.value, str):
            out.append((k.value, k, v if isinstance(v, ir.Dict) else None))
    return out


def schema_required(tool: object) -> Optional[set[str]]:
    """Names listed in a JSON tool schema's `required` list, or None when not a literal list."""
    body = schema_body(tool)
    if body is None:
        return None
    params = body.get(getattr(getattr(tool, "spec", None), "params_key", "parameters"))
    req = params.get("required") if isinstance(params, ir.Dict) else None
    if not isinstance(req, ir.Seq):
        return None
    return {e.value for e in req.elts if isinstance(e, ir.Constant) and isinstance(e.value, str)}


def tool_anchor(tool: object) -> ir.Pos:
    """Where to report a finding about a tool as a whole: the `def` or `class` name line for
    decorated functions and tool classes (not the whole body), else the constructor call or
    schema name."""
    kind = getattr(tool, "kind", "")
    func = getattr(tool, "func", None)
    cls = getattr(tool, "cls", None)
    if kind == "decorator" and func is not None and func.node is not None:
        return func.node.name_pos
    if kind == "class" and cls is not None:
        return cls.node.name_pos
    pos = getattr(tool, "pos")
    return (pos[0], pos[1], pos[0], pos[3] if pos[2] == pos[0] else pos[1] + 1)


@per_graph
def tools_offered_together(g: ProjectGraph) -> list[list[tuple[object, str, ir.Pos]]]:
    """Groups of tools offered to one model together: the tools of each list/tuple literal (each
    element resolved to its ToolDef through names, instances and constructor calls), and the
    decorator tools registered on the same object (`@server.tool()`, `@agent.tool`) in one module.
    Each entry is (ToolDef, path, position to report at: the list element or the definition)."""
    from agentable.cpg.values import ClassRef, FuncRef, Instance

    tools = g.agent.tools
    by_func = {t.func.qualname: t for t in tools if t.kind == "decorator" and t.func is not None}
    by_cls = {t.cls.qualname: t for t in tools if t.kind == "class" and t.cls is not None}
    by_node: dict[tuple[str, ir.Pos], object] = {}
    for t in tools:
        if t.kind == "constructor":
            by_node[(t.path, t.pos)] = t
        elif t.kind == "schema" and t.schema is not None:
            by_node[(t.path, t.schema.pos)] = t

    def resolve(e: ir.Expr, func: FunctionInfo, stmt: object, depth: int = 2) -> Optional[object]:
        if isinstance(e, (ir.Dict, ir.Call)):
            hit = by_node.get((func.path, e.pos))
            if hit is not None:
                return hit
        if isinstance(e, (ir.Name, ir.Attribute, ir.Call)):
            for v in g.values(e if not isinstance(e, ir.Call) else e.func, func, stmt):
                if isinstance(v, FuncRef) and v.qualname in by_func and not isinstance(e, ir.Call):
                    return by_func[v.qualname]
                if isinstance(v, ClassRef) and isinstance(e, ir.Call) and v.qualname in by_cls:
                    return by_cls[v.qualname]
                if isinstance(v, Instance) and v.qualname in by_cls and not isinstance(e, ir.Call):
                    return by_cls[v.qualname]
        if depth > 0 and isinstance(e, (ir.Name, ir.Attribute)):
            defs = g._literal_defs(e, func, stmt)
            if len(defs) == 1:
                value, owner, s = defs[0]
                return resolve(value, owner, s, depth - 1)
        return None

    groups: list[list[tuple[object, str, ir.Pos]]] = []
    for func in g.agent.functions():
        for e, s in func.walk(ir.Seq):
            if len(e.elts) < 2:
                continue
            group = []
            for elt in e.elts:
                t = resolve(elt, func, s)
                if t is not None:
                    group.append((t, func.path, elt.pos))
            if len(group) >= 2:
                groups.append(group)
    registries: dict[tuple[str, str], list[tuple[object, str, ir.Pos]]] = {}
    for t in tools:
        if t.kind != "decorator" or t.func is None or t.func.node is None:
            continue
        for d in t.func.node.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            if isinstance(target, ir.Attribute):
                receiver = ir.dotted(target.value)
                if receiver:
                    registries.setdefault((t.path, receiver), []).append((t, t.path, tool_anchor(t)))
                break
    groups.extend(grp for grp in registries.values() if len(grp) >= 2)
    return groups


# ----------------------------------------------------------------------------- dependencies (EPDD)


def versions_within(declared: str, allowed: str) -> bool:
    """True when the `declared` specifier set admits at least one version and every version it
    admits is in `allowed` (checked on the boundary versions either set names and the versions
    around them, as `versions_disjoint` does). An empty `declared` (unpinned) is never within."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not declared.strip():
        return False
    try:
        d, a = SpecifierSet(declared), SpecifierSet(allowed)
    except InvalidSpecifier:
        return False
    cands = _boundary_versions(list(d) + list(a))
    if cands is None:
        return False
    inside = [c for c in cands if d.contains(c, prereleases=True)]
    return bool(inside) and all(a.contains(c, prereleases=True) for c in inside)


def _boundary_versions(specs) -> Optional[set[str]]:
    from packaging.version import InvalidVersion, Version

    cands: set[str] = {"0", "0.0.1", "9999"}
    for spec in specs:
        v = spec.version.rstrip(".*")
        try:
            ver = Version(v)
        except InvalidVersion:
            return None
        rel = list(ver.release)
        cands.add(str(ver))
        for i in range(len(rel)):
            up = rel[: i + 1]
            up[-1] += 1
            cands.add(".".join(map(str, up)))
            if rel[i] > 0:
                down = rel[: i + 1]
                down[-1] -= 1
                cands.add(".".join(map(str, down)) + ".999")
        cands.add(".".join(map(str, rel + [1])))
        cands.add(".".join(map(str, rel + [0, 1])))
    return cands


def import_targets(stmt: object) -> list[str]:
    """Absolute dotted names an import statement brings in: `import a.b` -> a.b, `from a import b`
    -> a.b (relative imports give nothing)."""
    out: list[str] = []
    if isinstance(stmt, ir.Import):
        out.extend(a.name for a in stmt.names)
    elif isinstance(stmt, ir.ImportFrom) and stmt.level == 0 and stmt.module:
        out.extend(f"{stmt.module}.{a.name}" if a.name != "*" else stmt.module for a in stmt.names)
    return out


def import_is_optional(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is an import guarded so that a missing package does not break the program: inside a `try`
    whose handlers catch ImportError/ModuleNotFoundError (or everything), or under
    `if TYPE_CHECKING:`?"""
    from agentable.cpg.flow import handler_type_names

    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try):
            for h in anc.handlers:
                names = handler_type_names(h)
                if not names or any(n.rpartition(".")[2] in ("ImportError", "ModuleNotFoundError", "Exception",
                                                                 "BaseException") for n in names):
                    return True
        if isinstance(anc, ir.If) and "TYPE_CHECKING" in (ir.dotted(anc.test) or ""):
            return True
    return False


@per_graph
def is_project_module(g: ProjectGraph, top: str) -> bool:
    """Is `top` (a top-level import name) a module or package of the scanned project?"""
    if top in g.modules or g.find_module(top) is not None:
        return True
    return any(name.split(".")[0] == top or f".{top}." in f".{name}." for name in g.modules)


def import_declared(g: ProjectGraph, scope: object, dotted: str) -> bool:
    """Is the import `dotted` covered by the requirements in `scope` (a ManifestSet): one of the
    distributions that provide it is declared (any group), or a declared distribution brings it
    in as a dependency (catalog `provides`, transitively)."""
    from agentable.cpg.manifests import normalize_dist

    cat = g.catalog
    declared = {r.dist for r in scope.requirements}
    if any(normalize_dist(d) in declared for d in cat.distributions_for_import(dotted)):
        return True
    parts = dotted.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return any(prefixes & cat.provided_imports(d) for d in declared)


def import_name_known(g: ProjectGraph, dotted: str) -> bool:
    """False for an import under a namespace root whose catalog entries all name subpackages
    (e.g. `google.colab` when only `google.genai`, `google.auth`… are known): which distribution
    provides it cannot be guessed from its name."""
    imports = getattr(g.catalog, "_imports", {})
    parts = dotted.split(".")
    if any(".".join(parts[:i]) in imports for i in range(1, len(parts) + 1)):
        return True
    return not any(k.startswith(parts[0] + ".") for k in imports)


# ----------------------------------------------------------------------------- tool dispatch, fault tolerance, tool results (MNFT/TRE)

from dataclasses import field as _field  # noqa: E402


def stmt_of(func: FunctionInfo, expr: ir.Expr) -> Optional[ir.Stmt]:
    """The statement of `func` (not of a nested def) whose own expressions contain `expr`."""
    for e, s in func.walk(expr.__class__):
        if e is expr:
            return s
    return None


def model_derived(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                  depth: int = 3) -> Optional[Union[LLMOutput, Parsed]]:
    """The model output that `e` is computed from, or None: the response or its text (any field,
    e.g. `tool_call.function.name`, `block.name`), a structure parsed from it, or text extracted from
    it by a regex or string operation (`re.search(r"Action: (.*)", text).group(1).strip()`).
    Values validated by a schema (structured output, pydantic) do not count."""
    from agentable.cpg.values import ExtRef

    if e is None:
        return None
    vals = g.values(e, func, stmt)
    for v in vals:
        if isinstance(v, LLMOutput):
            return v
        if isinstance(v, Parsed) and not v.validated:
            return v
    if depth <= 0:
        return None
    for v in vals:
        if isinstance(v, ExtRef) and v.site is not None:
            path, call = v.site
            owner = g.function_of(path, call.pos)
            if owner is None:
                continue
            st = stmt_of(owner, call)
            subs: list[ir.Expr] = list(call.args) + [kw.value for kw in call.keywords]
            if isinstance(call.func, ir.Attribute):
                subs.insert(0, call.func.value)
            for sub in subs:
                hit = model_derived(g, sub, owner, st, depth - 1)
                if hit is not None:
                    return hit
    return None


def _callee_position(stmt: ir.Stmt, e: ir.Expr) -> Optional[ir.Call]:
    """The call that `e` is the callee of: `e(...)`, or `e.m(...)` (a method of what `e` is)."""
    for root in ir.stmt_exprs(stmt):
        for x in ir.walk_expr(root):
            if isinstance(x, ir.Call):
                f = x.func
                if f is e or (isinstance(f, ir.Attribute) and f.value is e):
                    return x
    return None


def _bound_to(stmt: ir.Stmt, e: ir.Expr) -> Optional[str]:
    if isinstance(stmt, ir.Assign) and stmt.value is e and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name):
        return stmt.targets[0].id
    for root in ir.stmt_exprs(stmt):
        for x in ir.walk_expr(root):
            if isinstance(x, ir.NamedExpr) and x.value is e and isinstance(x.target, ir.Name):
                return x.target.id
    return None


def _calls_of_name(func: FunctionInfo, name: str, after: ir.Stmt) -> list[CallSite]:
    """Calls in `func` that call `name` or a method of it (`name(...)`, `name.run(...)`), at or after `after`."""
    line = after.pos[0]
    out: list[CallSite] = []
    for site in func.calls:
        f = site.call.func
        base = f.value if isinstance(f, ir.Attribute) else f
        if isinstance(base, ir.Name) and base.id == name and site.call.pos[0] >= line:
            out.append(site)
    return out


def _callable_values(vs: Iterable[Value]) -> bool:
    from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance

    return any(isinstance(v, (FuncRef, ClassRef, Instance)) or (isinstance(v, ExtRef) and not v.path.startswith(("str", "dict", "list")))
               for v in vs)


@_dataclass(eq=False)
class ToolDispatch:
    """A tool looked up by a name the model chose: `TOOLS[name]`, `self.tools[name].run(...)`,
    `getattr(obj, name)(...)`, `registry.get(name)(...)`.

    kind: subscript | getattr | get. `lookup` is the lookup expression (where to report), `key` the
    name expression, `source` the model output it comes from, `calls` the calls that run the
    looked-up tool (the same statement or through the name it is bound to), `bound` that name."""

    kind: str
    func: FunctionInfo
    stmt: ir.Stmt
    lookup: ir.Expr
    key: ir.Expr
    source: Union[LLMOutput, Parsed]
    calls: list[CallSite] = _field(default_factory=list)
    bound: Optional[str] = None

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def raises(self) -> tuple[str, ...]:
        return {"subscript": ("KeyError",), "getattr": ("AttributeError",), "get": ("TypeError",)}[self.kind]


@per_graph
def tool_dispatches(g: ProjectGraph) -> list[ToolDispatch]:
    """Every lookup of a tool (a callable: function, tool object, method) by a model-chosen name."""
    out: list[ToolDispatch] = []
    for func in g.agent.functions():
        for e, s in func.walk(ir.Subscript, ir.Call):
            d = _dispatch_at(g, func, s, e)
            if d is not None:
                out.append(d)
    return out


def _dispatch_at(g: ProjectGraph, func: FunctionInfo, s: ir.Stmt, e: ir.Expr) -> Optional[ToolDispatch]:
    from agentable.cpg.values import ExtRef

    kind = ""
    key: Optional[ir.Expr] = None
    container: Optional[ir.Expr] = None
    if isinstance(e, ir.Subscript) and not isinstance(e.index, (ir.Constant, ir.Slice)):
        kind, key, container = "subscript", e.index, e.value
    elif isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id == "getattr" and len(e.args) == 2 and not e.keywords:
        if any(isinstance(v, ExtRef) and v.path == "getattr" for v in g.values(e.func, func, s)):
            kind, key, container = "getattr", e.args[1], e.args[0]
    elif (isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get" and len(e.args) == 1
          and not e.keywords):
        kind, key, container = "get", e.args[0], e.func.value
    if not kind or key is None or isinstance(key, ir.Constant):
        return None
    call = _callee_position(s, e)
    bound = _bound_to(s, e) if call is None else None
    calls: list[CallSite] = []
    if call is not None:
        calls = [site for site in func.calls if site.call is call]
    elif bound is not None:
        calls = _calls_of_name(func, bound, s)
    if not calls:
        # a lookup whose result is not called here counts only when the container holds callables
        if kind != "subscript" or bound is None:
            return None
        mappings = g.literal_mappings(container, func, s, g.resolver)
        if not any(_callable_values(vs) for m in mappings for vs in m.values()):
            return None
    elif kind == "get":
        mappings = g.literal_mappings(container, func, s, g.resolver)
        if not any(_callable_values(vs) for m in mappings for vs in m.values()):
            return None
    src = model_derived(g, key, func, s)
    if src is None:
        return None
    return ToolDispatch(kind, func, s, e, key, src, calls, bound)


def _key_guard(test: ir.Expr, names: set[str]) -> bool:
    """A test that validates a looked-up name: a membership test (`name in TOOLS`,
    `name not in registry.keys()`), a call given the name (`hasattr(obj, name)`, `is_known(name)`),
    or a None test on the looked-up value."""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare):
            if any(op in ("in", "not in") for op in x.ops) and names & _names_in(x.left):
                if not all(isinstance(c, ir.Constant) and isinstance(c.value, str) for c in x.comparators):
                    return True
            if any(op in ("is", "is not") for op in x.ops) and names & _names_in(x.left):
                return True
        elif isinstance(x, ir.Call) and any(names & _names_in(a) for a in x.args):
            return True
    if names & {ir.dotted(test) or ""}:
        return True  # `if tool:` / `if not tool:` on the looked-up value
    if isinstance(test, ir.UnaryOp) and test.op == "not" and names & {ir.dotted(test.operand) or ""}:
        return True
    return False


def name_validated_before(func: FunctionInfo, stmt: ir.Stmt, names: set[str], expr: Optional[ir.Expr] = None) -> bool:
    """Is one of `names` validated (see _key_guard) before `stmt` runs: in the test of an enclosing
    if/while, an earlier `if …: return/raise/continue/break`, an assert, or within the expression
    (`TOOLS[n] if n in TOOLS else …`)?"""
    names = {n for n in names if n}
    if not names:
        return False
    if expr is not None and _guard_in_expr(expr, _expr_parents(stmt), names) and _expr_guard_is_key_test(stmt, expr, names):
        return True
    child: object = stmt
    chain = list(func.ancestors(stmt))
    for anc in chain:
        if isinstance(anc, (ir.If, ir.While)) and _key_guard(anc.test, names):
            return True
        block = _block_containing(anc, child)
        if block is not None and _key_guard_in_prefix(block, child, names):
            return True
        child = anc
    return _key_guard_in_prefix(func.body, child, names)


def _expr_guard_is_key_test(stmt: ir.Stmt, expr: ir.Expr, names: set[str]) -> bool:
    parents = _expr_parents(stmt)
    child, cur = expr, parents.get(id(expr))
    while cur is not None:
        if isinstance(cur, ir.IfExp) and child is not cur.test and _key_guard(cur.test, names):
            return True
        if isinstance(cur, ir.BoolOp):
            for v in cur.values:
                if v is child:
                    break
                if _key_guard(v, names):
                    return True
        child, cur = cur, parents.get(id(cur))
    return False


def _key_guard_in_prefix(block: list[ir.Stmt], child: object, names: set[str]) -> bool:
    for s in block:
        if s is child:
            return False
        if isinstance(s, ir.If) and _key_guard(s.test, names) and (_exits(s.body) or _exits(s.orelse)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and _key_guard(s.exprs[0], names):
            return True
    return False


def dispatch_guard(g: ProjectGraph, d: ToolDispatch) -> str:
    """Why an unknown name cannot crash this dispatch: "check" (validated before), "try" (a handler
    for the lookup's error here or in every caller), "suppress"; "" when nothing handles it."""
    names = {_key_name(d.key)}
    if d.bound:
        names_bound = {d.bound}
        if d.kind == "get" and all(name_validated_before(d.func, site.stmt, names_bound, site.call) for site in d.calls):
            return "check"
    if name_validated_before(d.func, d.stmt, names, d.lookup):
        return "check"
    raised = d.raises + ("LookupError",) if d.kind == "subscript" else d.raises
    guard = failure_guard(g, d.func, d.stmt, raised)
    if guard:
        return guard
    if d.kind == "get":
        if all(failure_guard(g, d.func, site.stmt, d.raises) for site in d.calls):
            return "try"
    return ""


def _key_name(e: ir.Expr) -> str:
    d = ir.dotted(e)
    if d:
        return d
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            return d
    return ""


# Which calls outside the project can fail on ordinary use (used to decide whether a tool can raise):
# third-party code (HTTP clients, SDKs, databases, parsers), the standard library's I/O, processes and
# network, and parsers/evaluators of text. Pure standard-library helpers (datetime arithmetic,
# hashlib, re, string methods, math) and number conversions of the model's typed arguments
# (int, float, Decimal) are not counted: they rarely fail, and flagging them would bury the real cases.
_RISKY_STDLIB_ROOTS = frozenset({"subprocess", "socket", "urllib", "http", "sqlite3", "shutil", "smtplib", "ftplib",
                                 "io", "ssl", "asyncio.subprocess", "tarfile", "zipfile", "csv", "pickle", "shelve",
                                 "xml", "imaplib", "poplib", "telnetlib", "webbrowser"})
_RISKY_STDLIB_CALLS = frozenset({
    "open", "eval", "exec", "compile", "__import__", "json.loads", "json.load", "ast.literal_eval",
    "datetime.datetime.strptime", "datetime.strptime", "datetime.datetime.fromisoformat", "datetime.fromisoformat",
    "datetime.date.fromisoformat", "os.listdir", "os.remove", "os.unlink", "os.rename", "os.stat", "os.makedirs",
    "os.mkdir", "os.rmdir", "os.scandir", "os.system", "os.popen", "os.path.getsize", "os.path.getmtime",
    "zoneinfo.ZoneInfo", "importlib.import_module",
})
_RISKY_PATH_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "mkdir",
                                 "rename", "stat", "iterdir", "rmdir", "touch", "resolve"})


@per_graph
def _imported_roots(g: ProjectGraph) -> frozenset[str]:
    return frozenset(t.split(".")[0] for m in g.modules.values() for t in m.imports.values())


def _risky_external(path: str, imported: frozenset[str] = frozenset()) -> bool:
    import sys as _sys

    if path in _RISKY_STDLIB_CALLS:
        return True
    root = path.split(".")[0].split("(")[0]
    stdlib = getattr(_sys, "stdlib_module_names", frozenset())
    if root in ("builtins",) or (root in stdlib and root not in _RISKY_STDLIB_ROOTS):
        if root == "pathlib" or path.startswith("Path"):
            return path.rsplit(".", 1)[-1] in _RISKY_PATH_METHODS
        return any(path.startswith(r + ".") or path == r for r in _RISKY_STDLIB_ROOTS)
    if root in _RISKY_STDLIB_ROOTS or any(path.startswith(r + ".") for r in _RISKY_STDLIB_ROOTS):
        return True
    if "." not in path and "(" not in path:
        return False  # a builtin function (len, max, sorted, …) or an unresolved bare name
    return root not in stdlib and root in imported  # third-party code the project imports


def tool_can_fail(g: ProjectGraph, func: FunctionInfo, depth: int = 2, _seen: Optional[set[str]] = None) -> Optional[str]:
    """Why the tool function `func` can raise, or None when it cannot be seen to: a `raise` or a
    failure-prone call (anything outside the project but pure builtins) that no try in the
    function encloses, directly or in a project function it calls (`depth` levels)."""
    from agentable.cpg.flow import enclosing_handlers
    from agentable.cpg.values import ExtRef, FuncRef, Instance, ClassRef

    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return None
    seen.add(func.qualname)

    def handled(stmt: object) -> bool:
        return any(not _handler_reraises(h) for h in enclosing_handlers(func, stmt))  # type: ignore[arg-type]

    for r in func.raises:
        if not handled(r) and not any(isinstance(a, ir.Handler) for a in func.ancestors(r)):
            return f"it raises at line {r.pos[0]}"
    for site in func.calls:
        if handled(site.stmt):
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


def _handler_reraises(h: ir.Handler) -> bool:
    from agentable.cpg.flow import handler_reraises_only

    return handler_reraises_only(h) or any(isinstance(s, ir.Raise) for s in h.body)


@per_graph
def tool_defs_by_function(g: ProjectGraph) -> dict[str, object]:
    """Implementing function qualname -> its ToolDef (framework tools and schema-matched functions)."""
    out: dict[str, object] = {}
    for t in g.agent.tools:
        funcs = [t.func] if t.func is not None else []
        if t.cls is not None:
            for m in getattr(t.spec, "impl_methods", ()) or ():
                for cls in g.mro(t.cls.qualname):
                    if m in cls.methods:
                        funcs.append(cls.methods[m])
                        break
        for f in funcs:
            out.setdefault(f.qualname, t)
    return out


@per_graph
def tool_implementations(g: ProjectGraph) -> list[tuple[FunctionInfo, Optional[object]]]:
    """Functions whose return value is a tool's result for the model: implementations of framework
    and schema tools (with their ToolDef) and project functions a loop dispatches by a model-chosen
    name (ToolDef None)."""
    out: dict[str, tuple[FunctionInfo, Optional[object]]] = {}
    for q, t in tool_defs_by_function(g).items():
        f = g.functions.get(q)
        if f is not None:
            out.setdefault(q, (f, t))
    for d in tool_dispatches(g):
        for site in d.calls:
            funcs = [g.functions[q] for q in g.callees(site) if q in g.functions]
            if not funcs and d.kind != "getattr":
                funcs = _dispatch_targets(g, d, site)
            for f in funcs:
                if f.name != "__init__" and f.qualname not in g.agent.llm_functions:
                    out.setdefault(f.qualname, (f, None))
    result = list(out.values())
    return result


def is_stub(func: FunctionInfo) -> bool:
    """A body of only a docstring, `pass`, `...` or `raise` (abstract methods, protocols)."""
    body = list(func.body)
    if body and isinstance(body[0], ir.ExprStmt) and isinstance(body[0].value, ir.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    return all(isinstance(s, ir.Raise) or (isinstance(s, ir.Simple) and s.kind == "pass")
               or (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant)) for s in body)


def tool_label(func: FunctionInfo, tool: Optional[object]) -> str:
    name = getattr(tool, "name", None) if tool is not None else None
    if not name and tool is not None and getattr(tool, "cls", None) is not None:
        name = tool.cls.name  # type: ignore[union-attr]
    return name or func.name


def handle_kind(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[tuple[str, str]]:
    """(kind, callee) when `e` may be a handle rather than data: a generator, an HTTP response, a
    file, a process or connection (catalog `handle_returning`)."""
    from agentable.cpg.values import ExtRef

    if e is None:
        return None
    if isinstance(e, ir.Comp) and e.kind == "generator":
        return ("generator", "a generator expression")
    handles = g.catalog.handle_returning
    for v in g.values(e, func, stmt):
        if isinstance(v, Typed) and v.kind in ("generator", "file"):
            return (v.kind, "")
        if isinstance(v, ExtRef) and v.path.endswith("()"):
            kind = handles.get(v.path[:-2])
            if kind is not None and kind != "bytes":
                return (kind, v.path[:-2])
    return None


@_dataclass(eq=False)
class ToolInvocation:
    """A call that runs a tool in a hand-written agent loop. `targets` are the project functions it
    runs (empty when the implementation is not in the project); `tool` the ToolDef when known;
    `dispatch` the model-chosen lookup it goes through, if any."""

    site: CallSite
    targets: list[FunctionInfo]
    tool: Optional[object] = None
    dispatch: Optional[ToolDispatch] = None

    @property
    def func(self) -> FunctionInfo:
        return self.site.func

    @property
    def path(self) -> str:
        return self.site.func.path


def _in_agent_loop_code(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Code of a hand-written agent: a function that reaches a model call, or one called by such a function."""
    llm = g.agent.llm_functions
    if func.qualname in llm:
        return True
    return any(site.func.qualname in llm for site in g.callers(func))


def tool_error_handling_configured(g: ProjectGraph, tool: Optional[object]) -> bool:
    """Does the tool's definition turn on its framework's error handling (catalog `error_param`,
    e.g. `handle_tool_error=True`)?"""
    spec = getattr(tool, "spec", None)
    param = getattr(spec, "error_param", None)
    if tool is None or not param:
        return False
    call = _tool_definition_call(g, tool)
    if call is not None:
        v = call.kwarg(param)
        if v is not None and not (isinstance(v, ir.Constant) and v.value in (None, False)):
            return True
    cls = getattr(tool, "cls", None)
    if cls is not None:
        for c in g.mro(cls.qualname):
            for value, _s, _m in c.attrs.get(param, []):
                if value is not None and not (isinstance(value, ir.Constant) and value.value in (None, False)):
                    return True
    return False


def _run_method_tool(g: ProjectGraph, site: CallSite) -> Optional[object]:
    """The ToolDef whose framework object this call runs by hand (`search.invoke(args)`,
    `tool.run(x)` on a framework tool object), from the catalog's `run_methods`."""
    from agentable.cpg.values import ExtRef, FuncRef, Instance

    f = site.call.func
    if not isinstance(f, ir.Attribute):
        return None
    by_func = tool_defs_by_function(g)
    for v in g.values(f.value, site.func, site.stmt):
        tool = None
        if isinstance(v, FuncRef):
            tool = by_func.get(v.qualname)
        elif isinstance(v, Instance):
            for t in g.agent.tools:
                if t.cls is not None and (t.cls.qualname == v.qualname or v.qualname in g.subclasses(t.cls.qualname)):
                    tool = t
                    break
        elif isinstance(v, ExtRef) and v.path.endswith("()"):
            spec = g.catalog.tool_constructor(v.path[:-2])
            if spec is not None and f.attr in spec.run_methods:
                return spec
        if tool is not None and f.attr in (getattr(tool.spec, "run_methods", ()) or ()):
            return tool
    return None


def _dispatch_targets(g: ProjectGraph, d: ToolDispatch, site: CallSite) -> list[FunctionInfo]:
    """Project functions a dispatch may run, from the callables stored in its container: functions,
    or the called method of stored tool objects (`tools[name].run(x)`)."""
    from agentable.cpg.values import FuncRef, Instance

    e = d.lookup
    out: dict[str, FunctionInfo] = {}
    if d.kind == "getattr" and isinstance(e, ir.Call):
        for v in g.values(e.args[0], d.func, d.stmt):
            if isinstance(v, Instance):
                for cls in g.mro(v.qualname):
                    for name, m in cls.methods.items():
                        if not name.startswith("_"):
                            out.setdefault(name, m)
        return list(out.values())
    container = e.value if isinstance(e, ir.Subscript) else (
        e.func.value if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) else None)
    if container is None:
        return []
    method = site.call.func.attr if isinstance(site.call.func, ir.Attribute) else "__call__"
    by_func = tool_defs_by_function(g)
    for m in g.literal_mappings(container, d.func, d.stmt, g.resolver):
        for vs in m.values():
            for v in vs:
                if isinstance(v, FuncRef) and v.qualname in g.functions and (
                        method == "__call__" or method in (getattr(getattr(by_func.get(v.qualname), "spec", None), "run_methods", ()) or ())):
                    out[v.qualname] = g.functions[v.qualname]
                elif isinstance(v, Instance):
                    for cls in g.mro(v.qualname):
                        if method in cls.methods:
                            out[cls.methods[method].qualname] = cls.methods[method]
                            break
    return list(out.values())


@per_graph
def tool_invocations(g: ProjectGraph) -> list[ToolInvocation]:
    """Calls that run a tool by hand in agent code: through a model-chosen lookup
    (tool_dispatches), a direct call of a tool's implementing function, or a framework tool
    object's run method (`tool.invoke(...)`)."""
    out: list[ToolInvocation] = []
    seen: set[int] = set()
    by_func = tool_defs_by_function(g)
    for d in tool_dispatches(g):
        for site in d.calls:
            if id(site.call) in seen:
                continue
            seen.add(id(site.call))
            targets = [g.functions[q] for q in sorted(g.callees(site)) if q in g.functions and g.functions[q].name != "__init__"]
            if not targets:
                targets = _dispatch_targets(g, d, site)
            tool = next((by_func[t.qualname] for t in targets if t.qualname in by_func), None) or _run_method_tool(g, site)
            out.append(ToolInvocation(site, targets, tool, d))
    tool_funcs = set(by_func)
    for func in g.agent.functions():
        if func.qualname in tool_funcs:
            continue
        for site in func.calls:
            if id(site.call) in seen:
                continue
            targets = [g.functions[q] for q in sorted(g.callees(site)) if q in tool_funcs]
            tool = by_func[targets[0].qualname] if targets else _run_method_tool(g, site)
            if tool is None:
                continue
            if not _in_agent_loop_code(g, func):
                continue
            seen.add(id(site.call))
            if not targets and getattr(tool, "func", None) is not None:
                targets = [tool.func]  # type: ignore[union-attr]
            out.append(ToolInvocation(site, targets, tool if hasattr(tool, "kind") else None, None))
    return out


def source_text(g: ProjectGraph, path: str, e: Optional[ir.Expr], limit: int = 60) -> str:
    """The source text of a one-line expression (shortened), for messages; "the value" otherwise."""
    mod = g.by_path.get(path)
    if mod is None or e is None:
        return "the value"
    line, col, end_line, end_col = e.pos
    if line != end_line:
        return "the value"
    text = mod.ir.line_text(line).encode("utf-8")[col:end_col].decode("utf-8", "ignore")
    return text if len(text) <= limit else text[: limit - 3] + "..."



# ----------------------------------------------------------------------------- agent loop bounds (MNFT)

# Calls that block on a person: a loop that waits for them each turn is a REPL, bounded by the user.
_HUMAN_INPUT = frozenset({"input", "sys.stdin.readline", "sys.stdin.read", "getpass.getpass", "click.prompt",
                          "typer.prompt", "rich.prompt.Prompt.ask", "Prompt.ask", "prompt_toolkit.prompt"})
_HUMAN_METHODS = frozenset({"receive_text", "receive_json", "receive", "recv", "receive_bytes", "iter_text"})
_CLOCKS = frozenset({"time.time", "time.monotonic", "time.perf_counter", "datetime.datetime.now", "datetime.now",
                     "loop.time", "asyncio.get_event_loop().time"})


def waits_for_human(g: ProjectGraph, func: FunctionInfo, body: list[ir.Stmt], depth: int = 2) -> bool:
    """Does this block (or a project function it calls, `depth` levels) read a person's input each
    time it runs: `input()`, stdin, a prompt library or a websocket receive?"""
    from agentable.cpg.values import ExtRef

    stmts = set(id(s) for s in ir.walk_stmts(body))
    for site in func.calls:
        if id(site.stmt) not in stmts:
            continue
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr in _HUMAN_METHODS:
            return True
        for v in g.values(f, func, site.stmt):
            if isinstance(v, ExtRef) and (v.path in _HUMAN_INPUT or v.path.rsplit(".", 1)[-1] in ("input", "prompt", "ask") and v.path.split(".")[0] in ("builtins", "click", "typer", "rich", "questionary", "prompt_toolkit", "inquirer")):
                return True
        if depth > 0:
            for q in g.callees(site):
                callee = g.functions.get(q)
                if callee is not None and callee is not func and waits_for_human(g, callee, callee.body, depth - 1):
                    return True
    for s in ir.walk_stmts(body):
        if isinstance(s, ir.For):  # `for line in sys.stdin`
            d = ir.dotted(s.iter) or ""
            if d in ("sys.stdin",) or d.endswith(".stdin"):
                return True
    return False


def _compares_clock(g: ProjectGraph, func: FunctionInfo, test: ir.Expr) -> bool:
    from agentable.cpg.values import ExtRef

    for x in ir.walk_expr(test):
        if isinstance(x, ir.Call):
            for v in g.values(x.func, func, None):
                if isinstance(v, ExtRef) and v.path in _CLOCKS:
                    return True
    return False


def _flag_assignments(loop: ir.Stmt, names: set[str]) -> list[tuple[ir.Stmt, list[ir.Expr]]]:
    """Assignments in the loop body to one of `names`, with the if-tests guarding each."""
    out: list[tuple[ir.Stmt, list[ir.Expr]]] = []

    def visit(block: list[ir.Stmt], tests: list[ir.Expr]) -> None:
        for s in block:
            if isinstance(s, (ir.Assign, ir.AugAssign)):
                targets = s.targets if isinstance(s, ir.Assign) else [s.target]
                if any(ir.dotted(t) in names for t in targets):
                    out.append((s, tests))
            if isinstance(s, ir.If):
                visit(s.body, tests + [s.test])
                visit(s.orelse, tests + [s.test])
            else:
                for b in ir.child_blocks(s):
                    visit(b, tests)

    visit(loop.body, [])  # type: ignore[attr-defined]
    return out


def loop_unbounded(g: ProjectGraph, loop: object) -> Optional[str]:
    """Why an agent loop (graph.agent.loops item) has no iteration bound, or None when it has one:
    a `for` over a finite iterable, a counter or step limit in the condition or guarding an exit
    (or guarding the assignment that ends a `while not done` loop), a time limit, or a person in the
    loop (each iteration waits for their input)."""
    from agentable.cpg.flow import _assigned_names, _is_counter_test

    info = loop.info  # type: ignore[attr-defined]
    stmt = loop.loop  # type: ignore[attr-defined]
    func = loop.func  # type: ignore[attr-defined]
    if waits_for_human(g, func, stmt.body) or (isinstance(stmt, ir.While) and waits_for_human_in_test(g, func, stmt)):
        return None
    if isinstance(stmt, ir.For):
        return None if info.bounded else info.reason
    changed = _assigned_names(stmt.body)
    exits = info.exits
    # an exit guarded by a counter or clock bounds the loop
    from agentable.cpg.flow import _exits_of

    for e, tests in _exits_of(stmt):
        if any(_is_counter_test(t, changed) or _compares_clock(g, func, t) for t in tests):
            return None
        if not tests and isinstance(e, ir.Return) and ir_is_true(stmt.test):
            return None  # returns on the first pass that gets there: a retry loop, not an agent loop
    if ir_is_true(stmt.test):
        return None if info.bounded else "`while True` whose only exits depend on what the model returns, not on a step limit"
    test = stmt.test
    if _is_counter_test(test, changed) or _compares_clock(g, func, test):
        return None
    mentioned = {n for n in changed if _mentions_name(test, n)}
    if not mentioned:
        return "the loop condition does not change in the body, so only the model's output can end it"
    # `while not done:` / `while resp.stop_reason == "tool_use":` — bounded only if a counter decides
    for s, tests in _flag_assignments(stmt, mentioned):
        if any(_is_counter_test(t, changed) or _compares_clock(g, func, t) for t in tests):
            return None
        if isinstance(s, ir.AugAssign) and _is_counter_test(test, changed | mentioned):
            return None
    return "the loop condition depends only on what the model returns, with no step limit"


def waits_for_human_in_test(g: ProjectGraph, func: FunctionInfo, loop: ir.While) -> bool:
    """`while (q := input()) != "quit":`"""
    from agentable.cpg.values import ExtRef

    for x in ir.walk_expr(loop.test):
        if isinstance(x, ir.Call):
            for v in g.values(x.func, func, None):
                if isinstance(v, ExtRef) and v.path in _HUMAN_INPUT:
                    return True
    return False


def ir_is_true(test: ir.Expr) -> bool:
    from agentable.cpg.flow import is_always_true

    return is_always_true(test)


def _mentions_name(e: ir.Expr, name: str) -> bool:
    return any(ir.dotted(x) == name for x in ir.walk_expr(e))


def annotation_name(e: Optional[ir.Expr]) -> Optional[str]:
    """`str` for an annotation `str` (the lowering wraps annotations in a `type` node); the dotted
    name for `typing.List`; None for subscripted or other annotations."""
    while isinstance(e, ir.Other) and e.kind == "type" and len(e.children) == 1:
        e = e.children[0]
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return e.value
    return ir.dotted(e)
