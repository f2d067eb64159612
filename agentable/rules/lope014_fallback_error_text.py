"""LOPE014: a parsing helper returns an error text when the reply does not parse, and its callers
use what it returns as the parsed dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Parsed
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.guards import expr_parents, guarded_in_expr, is_protected, names_in, tested_before
from agentable.query.literals import param_argument
from agentable.query.taint import config
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lope.fallbacks import Fallback, parse_fallbacks


@dataclass(frozen=True)
class _Use:
    """A use of the helper's result as a dict: `expr` in `func` at `stmt`, which raises `raises`
    when the value is a str; `how` names it for messages."""
    func: FunctionInfo
    stmt: ir.Stmt
    expr: ir.Expr
    name: str  # the variable used (the helper's result, or the parameter it was handed to)
    how: str
    raises: str


class FallbackErrorText(Rule):
    meta = RuleMeta(
        id="LOPE014",
        name="parse-fallback-returns-error-text",
        category="LOPE",
        severity=Severity.ERROR,
        short="A parsing helper returns the parsed structure when the reply parses, but an error text when it does "
              "not, and a caller uses the result as a dict with no type check.",
        full=("A helper that parses the model's reply (`json.loads` of a fenced block) often reports a reply "
              "that does not parse or match by returning a message instead: `return f\"Error parsing JSON: {e}\"` "
              "in the `except` branch, `return \"No JSON found\"` in the `else` of `if matches:`. A caller that "
              "reads the result as the parsed dict (`data[\"plan\"]`, `data.items()`, `data.get(...)`, `**data`) "
              "then gets a str exactly when the model did not follow the format, and raises TypeError or "
              "AttributeError there: the fallback meant to handle an off-format reply crashes the run instead. "
              "A test of one of the messages (`if data != \"No JSON found\":`) lets the others through."),
        bad_example=('def parse(reply):\n    try:\n        return json.loads(reply)\n    except json.JSONDecodeError as e:\n'
                     '        return f"Error parsing JSON: {e}"\n\nplan = parse(reply)\nfor step in plan["steps"]:\n'
                     '    ...'),
        good_example=('plan = parse(reply)\nif not isinstance(plan, dict):\n    ...  # ask the model again\n'
                      'for step in plan["steps"]:\n    ...'),
        fix=("Test the result's type in the caller (`isinstance(data, dict)`) and ask the model again, or have the "
             "helper raise (or return None) and handle that."),
        tags=("parsing", "json", "control-flow"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for helper in graph.agent.functions():
            if helper.name == "<module>" or len(helper.returns) < 2:
                continue
            texts = [(fb, t) for fb in parse_fallbacks(graph, helper) if (t := _error_text(fb.ret.value)) is not None]
            if not texts or not _returns_parsed(graph, helper, {id(fb.ret) for fb, _ in texts}):
                continue
            for site in graph.callers(helper):
                name = _bound_name(site)
                if name is None or site.func is helper:
                    continue
                finding = self._at_site(ctx, helper, texts, site, name)
                if finding is not None:
                    yield finding

    def _at_site(self, ctx: RuleContext, helper: FunctionInfo, texts: list[tuple[Fallback, str]], site: CallSite,
                 name: str) -> Optional[Finding]:
        graph = ctx.graph
        uses = [u for u in _dict_uses(graph, site, name) if not _guarded(graph, u, site, name)]
        if not uses:
            return None
        partial = _partial_test(site, name, uses[0])
        missed = texts
        if partial is not None:
            tested = _compared_texts(partial.test, name)
            missed = [(fb, t) for fb, t in texts if not _literal(fb.ret.value) or t not in tested]
            if not missed:
                return None
        use = uses[0]
        fb, text = missed[0]
        when = "does not parse" if fb.why == "handler" else "lacks the pattern"
        where = f"{helper.path}:{fb.ret.pos[0]}"
        if partial is not None:
            at: tuple[str, ir.Pos] = (site.func.path, partial.test.pos)
            lead = (f"This test of `{name}` excludes only some of the texts `{helper.name}` returns instead of a "
                    f"parsed structure: when the reply {when} it returns {text} ({where}), which passes the test")
        else:
            at = (use.func.path, use.expr.pos) if use.func is site.func else (site.func.path, site.stmt.pos)
            lead = (f"`{helper.name}` returns {text} instead of a parsed structure when the reply {when} ({where}), "
                    f"and `{name}` from this call is used as a dict with no type check")
        here = "here" if at[0] == use.func.path and at[1] == use.expr.pos else \
            f"at {use.func.path}:{use.expr.pos[0]}"
        msg = (f"{lead}; `{use.how}` {here} then raises {use.raises} exactly when the model leaves the format, "
               f"so the fallback meant for that reply crashes the step instead. Test `isinstance({name}, dict)` "
               f"before using it and ask the model again, or have `{helper.name}` raise (or return None) and "
               f"handle that.")
        flow = (FlowStep(graph.span(helper.path, fb.ret.pos), f"fallback returns {text}"),
                FlowStep(graph.span(site.func.path, site.stmt.pos), f"`{name}` holds what `{helper.name}` returns"),
                FlowStep(graph.span(use.func.path, use.expr.pos), f"used as a dict ({use.how})"))
        return self.finding(ctx, at[0], at[1], msg, flow=flow)


def _error_text(e: Optional[ir.Expr]) -> Optional[str]:
    """How a message a fallback returns reads in a finding (`'No JSON found'`, `f"Error: {e}"`), or
    None when the return is not a str literal, f-string or concatenation of literals."""
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return repr(e.value) if len(e.value) <= 60 else repr(e.value[:57] + "...")
    if isinstance(e, ir.FString):
        text = "".join(p if isinstance(p, str) else "{...}" for p in e.parts)
        return f'the text "{text[:57] + "..." if len(text) > 60 else text}"'
    if isinstance(e, ir.Concat) and e.parts and all(_error_text(p) is not None for p in e.parts):
        return "a message"
    if isinstance(e, ir.BinOp) and e.op == "+" and (_error_text(e.left) is not None or _error_text(e.right) is not None):
        return "a message"
    return None


def _literal(e: Optional[ir.Expr]) -> bool:
    return isinstance(e, ir.Constant) and isinstance(e.value, str)


def _returns_parsed(g: ProjectGraph, helper: FunctionInfo, fallbacks: set[int]) -> bool:
    """Does another return of the helper give a structure parsed from model text?"""
    return any(isinstance(v, Parsed) and not v.validated for r in helper.returns
               if id(r) not in fallbacks and r.value is not None for v in g.values(r.value, helper, r))


def _bound_name(site: CallSite) -> Optional[str]:
    """`name` of `name = helper(...)` (awaited or not), else None."""
    s = site.stmt
    if not (isinstance(s, ir.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ir.Name)):
        return None
    value = s.value.value if isinstance(s.value, ir.Await) else s.value
    return s.targets[0].id if value is site.call else None


def _dict_uses(g: ProjectGraph, site: CallSite, name: str) -> list[_Use]:
    """Uses of `name` as a dict after the call, before it is bound again: in the caller, and in a
    project function the caller hands it to (through that function's parameter)."""
    out = list(_uses_in(site.func, name, site.stmt.pos, _rebound_at(site.func, name, site.stmt)))
    for callee_site in site.func.calls:
        if callee_site.stmt.pos <= site.stmt.pos or callee_site.call is site.call:
            continue
        if not any(isinstance(a, ir.Name) and a.id == name for a in callee_site.call.args) and \
                not any(isinstance(k.value, ir.Name) and k.value.id == name for k in callee_site.call.keywords):
            continue
        for q in sorted(g.callees(callee_site)):
            callee = g.functions.get(q)
            if callee is None or callee.node is None:
                continue
            for p in callee.params:
                arg = param_argument(callee_site.call, callee, p.name)
                if isinstance(arg, ir.Name) and arg.id == name:
                    out.extend(_uses_in(callee, p.name, (0, 0, 0, 0), _rebound_at(callee, p.name, None)))
    return out


def _rebound_at(func: FunctionInfo, name: str, after: Optional[ir.Stmt]) -> Optional[ir.Pos]:
    later = sorted(d.stmt.pos for d in func.defs.get(name, ()) if d.how != "param"
                   and d.stmt is not after and (after is None or d.stmt.pos > after.pos))
    return later[0] if later else None


def _uses_in(func: FunctionInfo, name: str, after: ir.Pos, end: Optional[ir.Pos]) -> Iterator[_Use]:
    methods = frozenset(config().kinds.get("shape", {}).get("dict_methods", ()))
    for e, s in sorted(func.walk(ir.Subscript, ir.Call), key=lambda p: p[0].pos):
        if s.pos <= after or (end is not None and s.pos >= end):
            continue
        if isinstance(s, ir.Assign) and any(t is e for t in s.targets):
            continue  # a store, not a read
        if isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name) and e.value.id == name \
                and isinstance(e.index, ir.Constant) and isinstance(e.index.value, str):
            yield _Use(func, s, e, name, f"{name}[{e.index.value!r}]", "TypeError")
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in methods \
                and isinstance(e.func.value, ir.Name) and e.func.value.id == name:
            yield _Use(func, s, e, name, f"{name}.{e.func.attr}()", "AttributeError")
        elif isinstance(e, ir.Call) and any(k.name is None and isinstance(k.value, ir.Name) and k.value.id == name
                                            for k in e.keywords):
            yield _Use(func, s, e, name, f"**{name}", "TypeError")


def _guarded(g: ProjectGraph, use: _Use, site: CallSite, name: str) -> bool:
    """A handler for what the use raises (here or in every caller), or a test of the value before it
    that is not a comparison with one of the texts (that one is reported as incomplete)."""
    if is_protected(g, use.func, use.stmt, (use.raises,)):
        return True
    local = use.name

    def test(t: ir.Expr) -> bool:
        return local in names_in(t) and not _compared_texts(t, local)

    if guarded_in_expr(use.expr, expr_parents(use.stmt), test) or tested_before(use.func, use.stmt, test):
        return True
    if use.func is not site.func:  # handed on: a test in the caller before the hand-over counts too
        return tested_before(site.func, _hand_over(site, name, use) or site.stmt,
                             lambda t: name in names_in(t) and not _compared_texts(t, name))
    return False


def _hand_over(site: CallSite, name: str, use: _Use) -> Optional[ir.Stmt]:
    """The caller's statement that passes `name` to the function of `use`."""
    for s in site.func.calls:
        if s.stmt.pos > site.stmt.pos and any(isinstance(a, ir.Name) and a.id == name for a in s.call.args):
            return s.stmt
    return None


def _compared_texts(t: ir.Expr, name: str) -> set[str]:
    """The str literals `name` is compared with (`==`, `!=`, `in`/`not in` a tuple of them) in a test."""
    out: set[str] = set()
    for x in ir.walk_expr(t):
        if not (isinstance(x, ir.Compare) and isinstance(x.left, ir.Name) and x.left.id == name):
            continue
        for op, right in zip(x.ops, x.comparators, strict=False):
            if op in ("==", "!=", "is", "is not") and isinstance(right, ir.Constant) and isinstance(right.value, str):
                out.add(repr(right.value) if len(right.value) <= 60 else repr(right.value[:57] + "..."))
    return out


def _partial_test(site: CallSite, name: str, use: _Use) -> Optional[ir.If]:
    """An `if` of the caller, after the call and before the use (or the hand-over), that compares
    `name` with str literals."""
    limit = use.stmt.pos if use.func is site.func else (_hand_over(site, name, use) or use.stmt).pos
    for s in ir.walk_stmts(site.func.body):
        if isinstance(s, ir.If) and site.stmt.pos < s.pos <= limit and _compared_texts(s.test, name):
            return s
    return None
