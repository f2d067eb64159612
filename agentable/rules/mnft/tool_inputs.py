"""Tool parameters the model fills, reaching calls that raise on a bad value (MNFT005).

The data is the `[tool_inputs]` table of catalog/taint.toml: the calls (SQL execution, ZoneInfo,
strptime, open(), ...), what a bad value makes them raise, the calls and str methods that hand a
value on, and the parameter annotations that let the framework reject a bad value itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from agentable.catalog import read_toml
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef, ParamRef
from agentable.query.guards import failure_guard, names_in, tested_before
from agentable.rules.mnft.text_reads import strict_decoding


@dataclass(frozen=True)
class ArgSink:
    call: str
    what: str
    raises: tuple[str, ...]
    arg: int = 0
    keyword: str = ""
    catch_all: bool = False
    text_only: bool = False
    binary_raises: tuple[str, ...] = ()


@dataclass(frozen=True)
class InputsConfig:
    sinks: dict[str, ArgSink]
    carriers: frozenset[str]
    carrier_methods: frozenset[str]
    closed_annotations: frozenset[str]
    constraint_keywords: frozenset[str]
    validators: frozenset[str]
    text_annotations: frozenset[str]


@lru_cache(maxsize=1)
def inputs_config() -> InputsConfig:
    raw = read_toml("taint.toml").get("tool_inputs", {})
    sinks = {}
    fields = set(ArgSink.__dataclass_fields__)
    for entry in raw.get("sinks", []):
        if set(entry) - fields:
            raise ValueError(f"taint.toml [tool_inputs]: unknown sink key(s) {sorted(set(entry) - fields)} in {entry}")
        kwargs: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
        s = ArgSink(**kwargs)
        sinks[s.call] = s
    return InputsConfig(sinks, *(frozenset(raw.get(k, ())) for k in (
        "carriers", "carrier_methods", "closed_annotations", "constraint_keywords", "validators", "text_annotations")))


@dataclass(frozen=True)
class ArgumentHit:
    func: FunctionInfo
    site: CallSite
    sink: ArgSink
    param: str  # the tool parameter whose value reaches the call
    raises: tuple[str, ...]


def _closed(ann: Optional[ir.Expr], cfg: InputsConfig, g: ProjectGraph, func: FunctionInfo) -> bool:
    """Does the annotation limit the values the framework accepts: Literal[...], an enum, or
    Annotated metadata with a constraint (Field(pattern=...), AfterValidator(...))?"""
    if ann is None:
        return False
    for x in ir.walk_expr(ann):
        d = ir.dotted(x.value if isinstance(x, ir.Subscript) else x) or ""
        if d in cfg.closed_annotations or d.rsplit(".", 1)[-1] in cfg.validators:
            return True
        if isinstance(x, ir.Call) and any(k.name in cfg.constraint_keywords for k in x.keywords):
            return True
        if isinstance(x, ir.Name):
            for v in g.values(x, func.module.toplevel, None):
                if isinstance(v, ExtRef) and v.path.rsplit(".", 1)[-1] in cfg.closed_annotations:
                    return True
                qual = getattr(v, "qualname", None)
                if qual and any(b.rsplit(".", 1)[-1] in _ENUMS for c in g.mro(qual) for b in _base_names(c)):
                    return True
    return False


_ENUMS = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})


def _base_names(cls: object) -> list[str]:
    node = getattr(cls, "node", None)
    return [ir.dotted(b) or "" for b in getattr(node, "bases", ())]


def model_params(g: ProjectGraph, func: FunctionInfo, visible: set[str]) -> dict[str, Optional[ir.Expr]]:
    """The parameters of `func` the model fills (`visible`: the tool's parameter names; all but
    self/cls when empty), with their annotations, leaving out those whose annotation the framework
    validates to a closed set of values."""
    cfg = inputs_config()
    out: dict[str, Optional[ir.Expr]] = {}
    if func.node is None:
        return out
    for p in func.node.params:
        if p.kind in ("vararg", "kwarg") or p.name in ("self", "cls"):
            continue
        if visible and p.name not in visible:
            continue
        ann_text = ir.dotted(p.annotation) if p.annotation is not None else None
        if ann_text and ann_text.rsplit(".", 1)[-1] in ("RunContext", "Context"):
            continue
        if p.annotation is not None and any((ir.dotted(x) or "").endswith("RunContext") for x in ir.walk_expr(p.annotation)):
            continue  # RunContext[Deps]: filled by the framework
        if _closed(p.annotation, cfg, g, func):
            continue
        out[p.name] = p.annotation
    return out


def _is_text(ann: Optional[ir.Expr]) -> bool:
    """Is the annotation plain text (`str`, `Optional[str]`, `str | None`)?"""
    return ann is not None and _annotation_text(ann) in inputs_config().text_annotations


def _annotation_text(e: ir.Expr) -> str:
    if isinstance(e, ir.Other) and len(e.children) == 1:
        return _annotation_text(e.children[0])  # the `type` node around an annotation
    if isinstance(e, ir.Subscript):
        return f"{ir.dotted(e.value)}[{_annotation_text(e.index)}]"
    if isinstance(e, ir.BinOp):
        return f"{_annotation_text(e.left)} {e.op} {_annotation_text(e.right)}"
    if isinstance(e, ir.Constant):
        return "None" if e.value is None else repr(e.value)
    return ir.dotted(e) or ""


def carried_param(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, params: set[str],
                  depth: int = 4) -> Optional[str]:
    """The model-filled parameter whose text `e` carries: the parameter itself, a local assigned
    from it, an f-string or concatenation with it, a carrier call (`text(sql)`, `os.path.join(d,
    name)`) or a str method (`sql.strip()`) of it; None otherwise."""
    if e is None or depth < 0:
        return None
    cfg = inputs_config()
    if isinstance(e, ir.Name):
        for v in g.values(e, func, stmt):
            if isinstance(v, ParamRef) and v.func == func.qualname and v.name in params:
                return v.name
        for d in func.defs.get(e.id, ()):
            if d.how == "param" and e.id in params:
                return e.id
            if d.how == "assign" and d.value is not None and d.stmt is not stmt:
                hit = carried_param(g, d.value, func, d.stmt, params, depth - 1)
                if hit:
                    return hit
        return None
    if isinstance(e, ir.FString):
        parts: list[ir.Expr] = [p for p in e.parts if not isinstance(p, str)]
    elif isinstance(e, ir.Concat):
        parts = list(e.parts)
    elif isinstance(e, ir.BinOp) and e.op in ("+", "%"):
        parts = [e.left, e.right]
    elif isinstance(e, ir.Call):
        f = e.func
        if isinstance(f, ir.Attribute) and f.attr in cfg.carrier_methods:
            parts = [f.value, *e.args] if f.attr == "format" else [f.value]
        elif any(isinstance(v, ExtRef) and v.path in cfg.carriers for v in g.values(f, func, stmt)):
            parts = list(e.args)
        else:
            return None
    else:
        return None
    for p in parts:
        hit = carried_param(g, p, func, stmt, params, depth - 1)
        if hit:
            return hit
    return None


def _argument(call: ir.Call, sink: ArgSink) -> Optional[ir.Expr]:
    if sink.keyword:
        kw = call.kwarg(sink.keyword)
        if kw is not None:
            return kw
    return call.args[sink.arg] if len(call.args) > sink.arg and not isinstance(call.args[sink.arg], ir.Starred) else None


def _binary_mode(call: ir.Call) -> bool:
    mode = call.argument("mode", 1)
    return isinstance(mode, ir.Constant) and isinstance(mode.value, str) and "b" in mode.value


def _sink_at(g: ProjectGraph, site: CallSite, func: FunctionInfo) -> Optional[ArgSink]:
    sinks = inputs_config().sinks
    for v in g.values(site.call.func, func, site.stmt):
        if isinstance(v, ExtRef) and v.path in sinks:
            return sinks[v.path]
    return None


def unhandled_model_argument(g: ProjectGraph, func: FunctionInfo, params: dict[str, Optional[ir.Expr]],
                             depth: int = 1) -> Optional[ArgumentHit]:
    """The first call in `func` (or, `depth` levels down, in a project function the value is
    passed to) that raises on a bad value of one of `params`, with no handler for what it raises
    (here or in every caller), no test of the value before it, and no retry decorator."""
    names = set(params)
    if not names:
        return None
    for site in func.calls:
        sink = _sink_at(g, site, func)
        if sink is None:
            if depth > 0:
                hit = _in_callee(g, func, site, params, depth)
                if hit is not None:
                    return hit
            continue
        param = carried_param(g, _argument(site.call, sink), func, site.stmt, names)
        if param is None:
            continue
        if sink.text_only and not _is_text(params[param]):
            continue  # a number (or an unknown type) the framework validated: int() of it cannot fail
        # binary mode, `errors="replace"` or a byte-transparent encoding: reading cannot fail to decode
        lenient = _binary_mode(site.call) or not strict_decoding(site.call)
        raises = sink.binary_raises if sink.binary_raises and lenient else sink.raises
        if failure_guard(g, func, site.stmt, raises, catch_all=sink.catch_all and len(raises) > 1):
            continue
        if _validated(func, site.stmt, param):
            continue
        return ArgumentHit(func, site, sink, param, raises)
    return None


def _validated(func: FunctionInfo, stmt: ir.Stmt, param: str) -> bool:
    """A test of the value (or a local derived from it) before the call: `if tz not in
    available_timezones(): return ...`, `if not path.exists(): ...`, `assert sql.lower().startswith("select")`."""
    related = {param} | {n for n, ds in func.defs.items()
                         if any(d.how == "assign" and d.value is not None and param in names_in(d.value) for d in ds)}
    return tested_before(func, stmt, lambda t: bool(related & {n.split(".")[0] for n in names_in(t)}))


def _in_callee(g: ProjectGraph, func: FunctionInfo, site: CallSite, params: dict[str, Optional[ir.Expr]],
               depth: int) -> Optional[ArgumentHit]:
    if not any(isinstance(v, FuncRef) for v in g.values(site.call.func, func, site.stmt)):
        return None
    for q in sorted(g.callees(site)):
        callee = g.functions.get(q)
        if callee is None or callee.node is None:
            continue
        cparams = [p for p in callee.node.params if p.name not in ("self", "cls")]
        passed: dict[str, Optional[ir.Expr]] = {}
        bound = list(zip(cparams, site.call.args, strict=False)) + [
            (p, k.value) for k in site.call.keywords for p in cparams if p.name == k.name]
        for p, a in bound:
            src = carried_param(g, a, func, site.stmt, set(params))
            # a value tested here before it is handed down (`if table not in tables(): return`) is checked
            if src is not None and not isinstance(a, ir.Starred) and not _validated(func, site.stmt, src):
                passed[p.name] = p.annotation if p.annotation is not None else params[src]
        hit = unhandled_model_argument(g, callee, passed, depth - 1) if passed else None
        if hit is not None:
            return hit
    return None


def agent_handed_to(g: ProjectGraph, ac: object) -> list[CallSite]:
    """Library calls given the agent object built at `ac` as an argument (an adapter or server
    that runs it: `AGUIAdapter.dispatch_request(request, agent=agent)`): where it runs when the
    project never calls its run methods itself."""
    site = getattr(ac, "site", None)
    call = getattr(site, "call", None)
    out: list[CallSite] = []
    if call is None:
        return out
    for func in g.functions.values():
        for s in func.calls:
            args = [*s.call.args, *(k.value for k in s.call.keywords)]
            if not any(isinstance(a, (ir.Name, ir.Attribute)) for a in args):
                continue
            if not any(isinstance(v, ExtRef) for v in g.values(s.call.func, func, s.stmt)):
                continue
            if any(isinstance(v, ExtRef) and v.site is not None and v.site[1] is call
                   for a in args if isinstance(a, (ir.Name, ir.Attribute)) for v in g.values(a, func, s.stmt)):
                out.append(s)
    return out
