"""ADAL007: a configuration read that is None unless the user sets it (`args.model` of an
argparse option with no default, `os.getenv("MODEL")`) is passed explicitly as the model, over
the default model of the parameter it fills, so the default never applies and an unset option
sends the request with no model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, ParamRef
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.config import unset_option
from agentable.query.models import ModelSlot, model_slots
from agentable.rules.adal.helpers import passed_model_fails_on_none, value_tested
from agentable.rules.base import Rule, RuleContext, RuleMeta


class UnsetOptionOverridesModel(Rule):
    meta = RuleMeta(
        id="ADAL007",
        name="unset-option-overrides-default-model",
        category="ADAL",
        severity=Severity.WARNING,
        short=("A model option that is None unless set (an argparse option with no default, an environment "
               "variable read with none) is passed over a parameter's default model."),
        full=("`Policy(model=args.model)`, where `--model` has no `default=`, passes None whenever the option is "
              "left out: the parameter's own default (`def __init__(self, model=\"gpt-4o-mini\")`) never applies, "
              "and the request goes to the API with no model, which rejects it. The same holds for "
              "`os.getenv(\"MODEL\")` with no fallback. The default the developer wrote shows the option was meant "
              "to be optional; only an explicit None defeats it."),
        bad_example=('parser.add_argument("--model", type=str)\nargs = parser.parse_args()\n'
                     'def ask(msgs, model="gpt-4o-mini"):\n'
                     '    return client.chat.completions.create(model=model, messages=msgs)\n'
                     'ask(msgs, model=args.model)'),
        good_example=('parser.add_argument("--model", type=str, default="gpt-4o-mini")\nargs = parser.parse_args()\n'
                      'def ask(msgs, model="gpt-4o-mini"):\n'
                      '    return client.chat.completions.create(model=model, messages=msgs)\n'
                      'ask(msgs, model=args.model)'),
        fix="Give the option (or the environment read) the same default, or pass the argument only when it is set.",
        tags=("model", "configuration"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        slots = [s for s in model_slots(graph) if passed_model_fails_on_none(s)]
        # per declaration of the option (the line to give a default): the calls it overrides
        found: dict[tuple[str, ir.Pos], list[_Override]] = {}
        for slot in slots:
            vals = graph.values(slot.expr, slot.func, slot.stmt)
            if not any(unset_option(graph, v) is not None for v in vals) or _slot_tested(slot):
                continue
            for p in (v for v in vals if isinstance(v, ParamRef)):
                owner = graph.functions.get(p.func)
                default = _str_default(owner, p.name) if owner is not None else None
                if owner is None or default is None or Const(default) not in vals or _param_tested(owner, p.name):
                    continue
                for site, arg in _explicit_arguments(graph, owner, p.name):
                    arg_vals = graph.values(arg, site.func, site.stmt)
                    reads = [unset_option(graph, v) for v in arg_vals]
                    if not reads or None in reads or len(set(reads)) != 1:
                        continue
                    what, decl_path, decl_pos = reads[0]  # type: ignore[misc]
                    calls = found.setdefault((decl_path, decl_pos), [])
                    if all(o.arg is not arg for o in calls):
                        calls.append(_Override(what, site, arg, owner, p.name, default, slot))
        for (decl_path, decl_pos), calls in found.items():
            calls.sort(key=lambda o: (o.site.func.path, o.arg.pos))
            first = calls[0]
            env = first.what.startswith("environment")
            target = f"`{first.owner.cls.name}`" if first.owner.name == "__init__" and first.owner.cls is not None \
                else f"`{first.owner.name}`"
            remedy = (f"read it with a default (`os.getenv(..., \"{first.default}\")`)" if env
                      else f"give the option `default=\"{first.default}\"`")
            more = f" ({len(calls) - 1} more call{'s' if len(calls) > 2 else ''} likewise)" if len(calls) > 1 else ""
            flow = [FlowStep(graph.span(o.site.func.path, o.arg.pos),
                             f"passed as `{o.param}` here, over its default `{o.default}`") for o in calls]
            flow.append(FlowStep(graph.span(first.slot.path, first.slot.expr.pos), "the model the request is sent with"))
            yield self.finding(
                ctx, decl_path, decl_pos,
                f"{first.what[0].upper()}{first.what[1:]} is None when it is not set, and the code passes it as "
                f"`{first.param}` (line {first.site.call.pos[0]}){more}: that None overrides the default "
                f"`{first.default}` of {target}'s `{first.param}`, so the request goes out with no model. "
                f"To fix it, {remedy}, or pass `{first.param}` only when it is set.",
                flow=flow)


@dataclass(frozen=True)
class _Override:
    """A call that passes an unset configuration read (`what`) as `param` of `owner`, whose default
    model is `default`, on its way to the model slot `slot`."""

    what: str
    site: CallSite
    arg: ir.Expr
    owner: FunctionInfo
    param: str
    default: str
    slot: ModelSlot


def _slot_tested(slot: ModelSlot) -> bool:
    """Is the slot's own expression (`model`, `self.model`) tested or given a fallback where it is
    used, or its attribute anywhere in the class (`self.model = model or DEFAULT`)?"""
    e = slot.expr
    if isinstance(e, ir.Name):
        return value_tested(slot.func, e.id, None)
    if isinstance(e, ir.Attribute) and isinstance(e.value, ir.Name) and e.value.id == "self":
        cls = slot.func.cls
        return any(value_tested(m, None, e.attr) for m in (cls.methods.values() if cls is not None else [slot.func]))
    return True  # another shape: its fallbacks are not followed


def _param_tested(func: FunctionInfo, name: str) -> bool:
    """Is the parameter tested or given a fallback in its function, or, when the function stores it
    on `self`, is that attribute tested anywhere in the class?"""
    if value_tested(func, name, None):
        return True
    attrs = {t.attr for st in func.stmts if isinstance(st, ir.Assign) and isinstance(st.value, ir.Name)
             and st.value.id == name for t in st.targets
             if isinstance(t, ir.Attribute) and isinstance(t.value, ir.Name) and t.value.id == "self"}
    cls = func.cls
    return bool(attrs) and cls is not None and any(value_tested(m, None, a) for m in cls.methods.values() for a in attrs)


def _str_default(func: FunctionInfo, name: str) -> Optional[str]:
    """The parameter's default when it is a non-empty string literal."""
    p = next((p for p in func.params if p.name == name), None)
    d = p.default if p is not None else None
    return d.value if isinstance(d, ir.Constant) and isinstance(d.value, str) and d.value else None


def _explicit_arguments(graph, func: FunctionInfo, name: str) -> list[tuple[CallSite, ir.Expr]]:
    """The arguments the project's calls of `func` pass for its parameter `name` (by keyword, or by
    position before any starred argument)."""
    params = func.params
    idx = next((i for i, p in enumerate(params) if p.name == name), None)
    if idx is None:
        return []
    first = idx - 1 if func.cls is not None and params and params[0].name in ("self", "cls") else idx
    out: list[tuple[CallSite, ir.Expr]] = []
    sites = list(graph.callers(func))
    if func.name == "__init__" and func.cls is not None:
        sites += [s for s in graph.constructions(func.cls.qualname) if s not in sites]
    for site in sites:
        arg = site.call.kwarg(name)
        if arg is None and params[idx].kind in ("normal", "posonly") and 0 <= first < len(site.call.args) \
                and not any(isinstance(a, ir.Starred) for a in site.call.args[: first + 1]):
            arg = site.call.args[first]
        if arg is not None:
            out.append((site, arg))
    return out
