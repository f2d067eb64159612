"""LOPE004: a key of a structure parsed from model text is read without a KeyError guard."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.cpg.values import Parsed
from agentable.query.dataflow import TextUse, flows as text_uses
from agentable.query.found_entries import FOUND_ONLY
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.guards import failure_guard
from agentable.query.parsed_paths import passing_functions, protected_where_passed
from agentable.query.taint import config
from agentable.rules.base import Rule, RuleContext, RuleMeta


class UncheckedParsedKey(Rule):
    meta = RuleMeta(
        id="LOPE004",
        name="unchecked-key-of-parsed-llm-output",
        category="LOPE",
        severity=Severity.WARNING,
        short=("A key of JSON parsed from model text is read with `[...]` (or the value is used as a dict) with no check, "
               "although the parse itself is guarded."),
        full=("Guarding `json.loads` only covers text that is not JSON. A model that returns valid JSON with a "
              "missing or renamed field (\"tool\" instead of \"action\"), or a list instead of an object, makes "
              "`data[\"action\"]` raise KeyError/TypeError outside the handler. Without a schema (pydantic, "
              "structured outputs) every field the code reads needs a check. Using the parsed value as a dict "
              "(`data.get(...)`, `**data`, `Model(**data)`) needs an `isinstance(data, dict)` "
              "check for the same reason: valid JSON that is not an object raises AttributeError/TypeError. "
              "`'k' in data` raises only for a bare number, boolean or null, which a prose reply can parse "
              "to; a field inside the reply tested with `in` is the code checking its keys."),
        bad_example=('try:\n    step = json.loads(reply)\nexcept json.JSONDecodeError:\n    return retry()\n'
                     'tool = step["action"]'),
        good_example=('try:\n    step = Step.model_validate_json(reply)\nexcept ValidationError:\n    return retry()\n'
                      'tool = step.action'),
        fix="Validate the parsed object with a schema (pydantic) or use `.get()` / catch KeyError and TypeError.",
        tags=("parsing", "json"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        # one finding per parsed value and function, at its first unchecked key (the others listed)
        groups: dict[tuple, list[TextUse]] = {}
        for use in text_uses(graph):
            if use.kind not in ("key", "shape") or use.guard:
                continue
            if protected_where_passed(graph, use.func, use.stmt, use.name, use.raises):
                continue  # a helper's parameter: the callers that pass it the parsed reply handle the error
            step = use.source.source.steps[-1] if use.source.source.steps else None  # type: ignore[union-attr]
            groups.setdefault((use.kind, use.func.qualname, step[0] if step else "", step[1] if step else None),
                              []).append(use)
        extra = _fold_into_callers(graph, groups)
        for (kind, *_), uses in groups.items():
            # reported at the first use that runs whenever the function does (one inside an `if`, a
            # verbose log say, fails only on that branch), in source order among equals
            uses.sort(key=lambda u: (_branch_depth(u), u.expr.pos))
            use = uses[0]
            if kind == "shape":
                # the same parsed value with an unchecked key is one missing check: reported once, as the key
                if ("key", *_) not in groups:
                    yield self._shape(ctx, use, uses, extra.get((kind, *_), []))
                continue
            ops = list(dict.fromkeys([*(u.op for u in uses), *extra.get((kind, *_), ())]))
            fields = f"its key {use.op} is" if len(ops) == 1 else f"its keys {', '.join(ops)} are"
            prose = use.sink is not None and use.sink.prose
            found = _found_only(use)
            fails = ("a reply that is prose, not a mapping, parses into a string (an empty one into None), and "
                     "reading a key of it raises TypeError" if prose else
                     f"`{use.source.how}` stores a key only when the reply holds it, so a reply that leaves out or "  # type: ignore[union-attr]
                     "misspells that part raises KeyError" if found else
                     "a reply without that field raises KeyError" if _json_mode(graph, use) else
                     "a reply without that field raises KeyError (TypeError if the JSON is not an object)")
            fix = ("Check `isinstance(..., dict)` first, catch TypeError too, or validate with a schema" if prose
                   else f"Use `.get({use.op})` with a fallback, check the key and re-prompt, or catch KeyError" if found
                   else f"Use `.get({use.op})`, check the key, or validate with a schema")
            yield self.finding(
                ctx, use.path, use.expr.pos,
                f"{_parsed(graph, use)} and {fields} read with no check: {fails} {_where(graph, use)}. {fix}.",
                flow=flow_steps(graph, use.source, (use.path, use.expr.pos, f"key {use.op} read")),
            )

    def _shape(self, ctx: RuleContext, use, uses, extra: list[str]) -> Finding:
        graph = ctx.graph
        ops = [*(u.op for u in uses), *extra]
        ways = ", ".join(dict.fromkeys(_how(op) for op in ops))
        return self.finding(
            ctx, use.path, use.expr.pos,
            f"{_parsed(graph, use)} and used as a dict ({ways}) with no type check: {_fails(ops)}, outside the "
            f"parse handler. Check "
            f"`isinstance({use.name or 'data'}, dict)` first or validate with a schema.",
            flow=flow_steps(graph, use.source, (use.path, use.expr.pos, f"used as a dict ({_how(use.op)})")),
        )


def _fold_into_callers(graph, groups: dict[tuple, list[TextUse]]) -> dict[tuple, list[str]]:
    """A helper reading fields of the parsed value its caller hands it (`_prune(thought)`) where the
    caller reads that value unchecked too: one missing check, reported once at the caller, which
    lists the helper's keys. Removes such groups; returns the keys each remaining group takes on."""
    into: dict[tuple, tuple] = {}
    for key, uses in groups.items():
        kind, _, *step = key
        roots = {u.name.split(".", 1)[0] if u.name else None for u in uses}
        if len(roots) != 1:
            continue
        callers = passing_functions(graph, uses[0].func, roots.pop())
        targets = [(kind, f.qualname, *step) for f in callers or ()]
        if targets and all(t in groups and t != key for t in targets):
            into[key] = targets[0]
    extra: dict[tuple, list[str]] = {}
    for key in list(into):
        root, seen = into[key], {key}
        while root in into and root not in seen:  # a helper's helper: to the outermost reader
            seen.add(root)
            root = into[root]
        if root in into:
            continue  # functions that only hand the value to each other: each keeps its finding
        extra.setdefault(root, []).extend(u.op for u in groups[key])
        groups.pop(key)
    return extra


def _branch_depth(use: TextUse) -> int:
    """How many conditional statements (if, for, while) enclose the use in its function."""
    return sum(1 for a in use.func.ancestors(use.stmt) if isinstance(a, (ir.If, ir.For, ir.While)))


def _found_only(use: TextUse) -> bool:
    """Is the value a dict a project helper fills only with the parts it finds in the reply?"""
    steps = use.source.source.steps if isinstance(use.source, Parsed) else ()
    return bool(steps) and steps[-1][2] == FOUND_ONLY


def _parse_of(graph, use: TextUse) -> Optional[TextUse]:
    """The parse flow the parsed value `use` reads comes from."""
    step = use.source.source.steps[-1] if use.source.source.steps else None  # type: ignore[union-attr]
    return next((f for f in text_uses(graph) if f.kind == "parse" and step is not None
                 and (f.path, f.expr.pos) == (step[0], step[1])), None)


def _json_mode(graph, use: TextUse) -> bool:
    """Was the value parsed from a reply that JSON mode alone made safe to parse?"""
    parse = _parse_of(graph, use)
    return parse is not None and parse.guard == "structured-output"


def _where(graph, use: TextUse) -> str:
    """Where the error escapes: outside the parse's handler, or (a caller of an unguarded parsing
    helper) in a function that does not handle it either."""
    if use.sink is not None and use.sink.prose and \
            failure_guard(graph, use.func, use.stmt, config().raises("key"), "key") == "try":
        return "that the handler around it (for KeyError) does not catch"
    if _found_only(use):
        return "where nothing handles it"
    parse = _parse_of(graph, use)
    if parse is not None and parse.guard == "structured-output":
        return ("where nothing handles it (JSON mode makes the reply valid JSON, but which keys it holds is "
                "still the model's choice)")
    return "where nothing handles it" if parse is not None and not parse.guard else "outside the parse handler"


def _fails(ops: list[str]) -> str:
    """What a valid reply that is not an object does to these dict uses: `in` raises only on a
    number, a boolean or null (on a string or a list it answers, wrongly)."""
    if all(op == "in" for op in ops):
        return ("a reply that is a bare number, true/false or null raises TypeError here (a string or a list "
                "gives a wrong answer)")
    return "a reply that is valid but not an object (a list, a string, a number, null) raises AttributeError/TypeError here"


def _how(op: str) -> str:
    return {"**": "`**` unpacking", "in": "an `in` test"}.get(op, f"`{op}`")


def _parsed(graph, use) -> str:
    """The start of both messages: what was parsed, with which parser, from which model call."""
    var = f"`{use.name}`" if use.name else "the parsed value"
    how = getattr(use.source, "how", "a parser")
    if _found_only(use):
        return f"{var} holds the parts `{how}` found in model output ({describe_llm_source(graph, use.llm)})"
    return f"{var} is parsed from model output with `{how}` ({describe_llm_source(graph, use.llm)})"
