"""Text protocols (Thought/Action/Observation), prompts and stop sequences (ALS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, cast

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.flow import enclosing_loops
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ParamRef
from agentable.query.facts import EvalAt, per_graph
from agentable.query.literals import PromptWalker, dict_values_for_key, list_additions, literal_of


def protocol_markers(g: ProjectGraph) -> dict[str, tuple[str, ...]]:
    """The catalog's text-protocol markers (agents.toml [text_protocol]): action, final, thought
    and observation markers, e.g. {"action_markers": ("Action:", "Action Input:"), …}."""
    return g.catalog.text_protocol


def strings_reaching(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> list[str]:
    """`strings_in`, also following a parameter to the arguments of every call site (prompts
    passed into project wrappers: two of them on a path without using up the depth) and messages
    appended to a list before the call."""
    out: list[str] = []
    PromptWalker(g, wrappers=2, depth=5).strings(e, func, stmt, 5, out)
    return out


@per_graph
def prompt_text(g: ProjectGraph, c: LLMCall) -> str:
    """Literal text of the prompt an LLM call sends (messages, prompt and system settings); asked
    by several rules for the same call, so kept per call."""
    parts: list[str] = []
    for role in ("messages", "prompt", "system"):
        s = c.setting(role)
        if s is not None:
            parts += strings_reaching(g, s.expr, s.func, cast(EvalAt, s.stmt))
    if not parts and c.call.args:
        parts += strings_reaching(g, c.call.args[0], c.func, c.site.stmt)
    return "\n".join(dict.fromkeys(parts))


@per_graph
def stop_names(g: ProjectGraph) -> frozenset[str]:
    """The keyword names a stop sequence goes by (`stop`, `stop_sequences`, …) in the catalog's calls."""
    names = {"stop"}
    for spec in list(g.catalog.llm_calls) + list(g.catalog.chat_models):
        p = getattr(spec, "params", None) or getattr(spec, "param_names", None) or {}
        if p.get("stop"):
            names.add(p["stop"])
    return frozenset(names)


@dataclass(eq=False)
class StopConfig:
    """The stop sequences an LLM call uses. state: "none" (no stop sequence anywhere), "set"
    (`stops` are all known), "unknown" (set from something we cannot read: a parameter, **kwargs).
    `expr`/`func`/`stmt` locate the setting (to report at)."""

    state: str
    stops: tuple[str, ...] = ()
    expr: Optional[ir.Expr] = None
    func: Optional[FunctionInfo] = None
    stmt: EvalAt = None


def concrete_values(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> frozenset:
    """`g.values` without the symbolic parameter marker of functions the project calls: their
    parameters take exactly what those callers pass (or the default)."""
    vals = g.values(e, func, stmt)
    return frozenset(v for v in vals if not (isinstance(v, ParamRef) and v.func in g.functions
                                              and g.argument_sites(g.functions[v.func])))


def stop_config(g: ProjectGraph, c: LLMCall) -> StopConfig:
    """Where and what the stop sequences of an LLM call are: its own argument, a bound setting,
    the client/model constructor, or a `stop`/`stop_sequences` key in an options/config dict."""
    exprs: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    s = c.setting("stop")
    if s is not None:
        exprs.append((s.expr, s.func, cast(EvalAt, s.stmt)))
    else:
        names = stop_names(g)
        places: list[tuple[ir.Call, FunctionInfo, EvalAt]] = [(c.call, c.func, c.site.stmt)]
        for path, call in tuple(c.binds) + ((c.client_site,) if c.client_site else ()):
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
                value = _passed_value(g, kw.value, f, st)
                for n in names:
                    exprs.extend(dict_values_for_key(g, value, f, st, n, depth=2))
                exprs.extend(_dict_updates(value, f, names, st))
                lit = literal_of(g, kw.value, f, st)
                if lit is None and isinstance(kw.value, ir.Call):
                    for kw2 in kw.value.keywords:
                        if kw2.name in names:
                            exprs.append((kw2.value, f, st))
    if not exprs:
        return StopConfig("unknown" if c.has_kwarg_splat() else "none")
    stops: list[str] = []
    known = True
    for e, f, st in exprs:
        for x, owner, s2 in _list_items(g, e, f, st):
            rep = repeated_text(x)
            vals = frozenset({Const(rep)}) if rep is not None else concrete_values(g, x, owner, s2)
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


def repeated_text(e: ir.Expr) -> Optional[str]:
    """`" " * 10` written in a stop list: the text it makes (short repeats only)."""
    if not (isinstance(e, ir.BinOp) and e.op == "*"):
        return None
    text, n = (e.left, e.right) if isinstance(e.left, ir.Constant) and isinstance(e.left.value, str) else (e.right, e.left)
    if isinstance(text, ir.Constant) and isinstance(text.value, str) and isinstance(n, ir.Constant) \
            and type(n.value) is int and 0 < n.value <= 64:
        return text.value * n.value
    return None


def _passed_value(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt) -> ir.Expr:
    """`e` without a call that gives back its argument unchanged (`cast(Options, options)`)."""
    passers = g.catalog.python.value_passers
    while isinstance(e, ir.Call):
        paths = {getattr(v, "path", None) for v in g.shallow.values(e.func, func, stmt)}
        idx = next((passers[p] for p in paths if p in passers), None)
        if idx is None or idx >= len(e.args):
            break
        e = e.args[idx]
    return e


def _blocks(func: FunctionInfo, stmt: ir.Stmt) -> set[tuple[int, bool]]:
    """The statements `stmt` is nested in, with whether it is in the `else` branch of each."""
    out: set[tuple[int, bool]] = set()
    child: object = stmt
    node = func.parents.get(id(stmt))
    while node is not None and len(out) < 50:
        out.add((id(node), isinstance(node, ir.If) and any(x is child for x in node.orelse)))
        child, node = node, func.parents.get(id(node))
    return out


def _dict_updates(e: ir.Expr, func: FunctionInfo, names: frozenset[str],
                  at: EvalAt) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """Values a settings dict held by a local name gets under a stop key after it is built:
    `options.update({"stop": words})`, `options.update(stop=words)`, `options["stop"] = words`;
    with `at` (the call's statement), only those in a block that holds it (not the other branch
    of an `if`)."""
    if not isinstance(e, ir.Name):
        return []
    out: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    if isinstance(at, ir.Stmt):
        outer = _blocks(func, at)
        return [x for x in _dict_updates(e, func, names, None)
                if isinstance(x[2], ir.Stmt) and _blocks(func, x[2]) <= outer]
    for site in func.calls:
        c = site.call
        if isinstance(c.func, ir.Attribute) and c.func.attr == "update" and ir.dotted(c.func.value) == e.id:
            out += [(kw.value, func, site.stmt) for kw in c.keywords if kw.name in names]
            out += [(v, func, site.stmt) for a in c.args if isinstance(a, ir.Dict)
                    for k, v in zip(a.keys, a.values, strict=False)
                    if isinstance(k, ir.Constant) and k.value in names and v is not None]
    out += [(v, func, st) for k, v, st in func.item_stores.get(e.id, ())
            if isinstance(k, ir.Constant) and k.value in names]
    return out


def _list_items(g: ProjectGraph, e: ir.Expr, func: FunctionInfo,
                stmt: EvalAt, depth: int = 2) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """The items of a stop list: a list literal (or a name bound to one, or to a copy of one:
    `deepcopy(stop_words)`) with what `.append(...)` adds to that name; `[e]` when not a list."""
    lit = literal_of(g, e, func, stmt)
    if lit is not None and isinstance(lit[0], ir.Seq):
        items = [(x, lit[1], lit[2]) for x in lit[0].elts]
    elif isinstance(e, ir.Name) and depth > 0:
        _owner, defs = g.name_bindings(func, e.id, stmt)
        src = [d.value for d in defs if d.how == "assign" and isinstance(d.value, ir.Call) and len(d.value.args) == 1]
        copiers = g.catalog.python.container_copiers
        if len(defs) != 1 or len(src) != 1 or not any(
                getattr(v, "path", None) in copiers or getattr(v, "name", None) in copiers
                for v in g.shallow.values(src[0].func, func, defs[0].stmt)):
            return [(e, func, stmt)]
        items = _list_items(g, src[0].args[0], func, defs[0].stmt, depth - 1)
    else:
        return [(e, func, stmt)]
    if isinstance(e, ir.Name):
        items += [(a, func, at) for a, at in list_additions(func, e.id)]
    return items


def asks_text_protocol(g: ProjectGraph, prompt: str) -> bool:
    """Does the prompt describe a Thought/Action/Observation-style protocol: an action (or final
    answer) marker the model writes AND an observation marker the environment fills in?"""
    m = protocol_markers(g)
    model = m.get("action_markers", ()) + m.get("final_markers", ())
    return any(x in prompt for x in model) and any(x in prompt for x in m.get("observation_markers", ()))


_MARKER_READERS = frozenset({"split", "rsplit", "partition", "rpartition", "startswith", "endswith", "find", "rfind",
                             "index", "rindex", "search", "match", "fullmatch", "findall", "finditer", "compile",
                             "removeprefix", "replace", "count"})


def _call_name(e: ir.Call) -> str:
    return e.func.attr if isinstance(e.func, ir.Attribute) else (ir.dotted(e.func) or "")


def marker_reads(g: ProjectGraph, funcs: Iterable[FunctionInfo]) -> set[str]:
    """Protocol markers (catalog [text_protocol], compared without their colon) that the code of
    `funcs` (and module-level compiled patterns of their modules) reads: string arguments of
    split/partition/startswith/find/re.* calls and left operands of `in` tests."""
    m = protocol_markers(g)
    stems = {x.rstrip(":").strip(): x for x in m.get("action_markers", ()) + m.get("final_markers", ())}
    texts: list[str] = []
    seen_mods: set[str] = set()
    todo = list(funcs)
    for f in list(todo):
        if f.module.name not in seen_mods:
            seen_mods.add(f.module.name)
            todo.append(f.module.toplevel)
    # patterns compiled in a class body (`action_re = re.compile(r"^Action: (.*)$")`), which the
    # module's top level does not walk
    for mod in {f.module.name: f.module for f in todo}.values():
        for cls in mod.classes.values():
            for values in cls.attrs.values():
                texts += [t for v, _s, owner in values if owner is None and isinstance(v, ir.Call)
                          and _call_name(v).rsplit(".", 1)[-1] in _MARKER_READERS
                          for a in v.args if (t := ir.string_value(a)) is not None]
    for f in todo:
        for e, _ in f.walk(ir.Call, ir.Compare):
            if isinstance(e, ir.Call):
                if _call_name(e).rsplit(".", 1)[-1] in _MARKER_READERS:
                    texts += [t for a in e.args if (t := ir.string_value(a)) is not None]
            elif isinstance(e, ir.Compare) and any(op in ("in", "not in") for op in e.ops):
                t = ir.string_value(e.left)
                if t is not None:
                    texts.append(t)
    found: set[str] = set()
    for t in texts:
        for stem, marker in stems.items():
            if stem and stem in t:
                found.add(marker)
    return found


@dataclass(eq=False)
class ProtocolCall:
    """An LLM call that drives a hand-written text-protocol loop: it runs inside a loop (its own
    function's, or a caller's around a call that reaches it; or a cycle of a framework state
    graph whose node reaches it, `loop` None then), its prompt asks for the protocol, and the
    loop's code reads the protocol's markers from the reply."""

    llm_call: LLMCall
    loop_func: FunctionInfo
    loop: Optional[ir.Stmt]
    prompt: str
    markers_read: frozenset[str]


@per_graph
def protocol_calls(g: ProjectGraph) -> list[ProtocolCall]:
    out: list[ProtocolCall] = []
    for c in g.agent.llm_calls:
        prompt = prompt_text(g, c)
        if not asks_text_protocol(g, prompt):
            continue
        found: Optional[tuple[FunctionInfo, Optional[ir.Stmt]]] = None
        cycles = g.agent.graph_cycles
        # the loop around the call: in its own function, or around a call chain reaching it (depth
        # 3); or a state-graph cycle one of those functions runs in as a node
        frontier: list[tuple[FunctionInfo, ir.Stmt]] = [(c.func, c.site.stmt)]
        seen: set[str] = set()
        for _ in range(4):
            nxt: list[tuple[FunctionInfo, ir.Stmt]] = []
            for f, s in frontier:
                loops = enclosing_loops(f, s)
                if loops:
                    found = (f, loops[0])
                    break
                if f.qualname in cycles:
                    found = (f, None)
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
        if loop is None:  # the functions of the graph cycle and what they call
            members = [g.functions[q] for q in sorted(cycles[loop_func.qualname]) if q in g.functions]
            funcs += members
            for m in members:
                funcs += [g.functions[q] for site in m.calls for q in g.callees(site) if q in g.functions]
        else:
            for site in loop_func.calls:
                if loop_func.inside(site.stmt, loop) or site.stmt is loop:
                    funcs += [g.functions[q] for q in g.callees(site) if q in g.functions]
        read = marker_reads(g, dict.fromkeys(funcs))
        if read:
            out.append(ProtocolCall(c, loop_func, loop, prompt, frozenset(read)))
    return out


def _imports_module(g: ProjectGraph, importer: object, target: str) -> bool:
    """Does `importer` (a ModuleInfo) import the project module named `target`?"""
    return target in g.imported_modules(importer)  # type: ignore[arg-type]
