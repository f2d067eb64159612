"""LOPE016: model text stripped of a multi-character marker with strip/lstrip/rstrip, which removes a
set of characters, not the marker."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Parsed
from agentable.findings import Finding, Severity
from agentable.query.literals import const_strs
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.model_derived import model_derived
from agentable.query.taint import config
from agentable.rules.base import Rule, RuleContext, RuleMeta


class StripEatsCharacters(Rule):
    meta = RuleMeta(
        id="LOPE016",
        name="llm-output-strip-eats-characters",
        category="LOPE",
        severity=Severity.WARNING,
        short="Model text is stripped of a multi-character marker with strip/lstrip/rstrip, which removes any of "
              "its characters, not the marker.",
        full=("`reply.strip(\"<|im_end|>\")` or `reply.lstrip(\"Answer:\")` reads like removing a marker, but the "
              "argument of strip, lstrip and rstrip is a set of characters: every leading or trailing character "
              "that is in the set goes, in any order and any number. The model's own text goes with the marker "
              "whenever its first or last word starts or ends with one of those letters (`rstrip(\"</s>\")` turns "
              "'pages' into 'page', `strip(\"Answer:\")` turns 'the answer' into 'the a'), so the agent shows, "
              "stores or parses a silently cut reply (pylint E1310, ruff B005)."),
        bad_example='answer = reply.lstrip("Answer:").rstrip("</s>")',
        good_example='answer = reply.removeprefix("Answer:").removesuffix("</s>").strip()',
        fix="Use removeprefix/removesuffix (Python 3.9+), or test startswith/endswith and slice the marker off.",
        tags=("parsing",),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        table = config().kinds.get("char_set_strip", {})
        methods = frozenset(table.get("methods", ()))
        skip_lead = tuple(table.get("skip_lead", ()))
        for func in graph.agent.functions():
            for call, stmt in func.walk(ir.Call):
                f = call.func
                if not (isinstance(f, ir.Attribute) and f.attr in methods and len(call.args) == 1 and not call.keywords):
                    continue
                chars = _marker(graph, func, stmt, call.args[0])
                if chars is None or chars.startswith(skip_lead) or not _word_like(chars):
                    continue
                derived = model_derived(graph, f.value, func, stmt)
                if derived is None:
                    continue
                out = derived.source if isinstance(derived, Parsed) else derived
                yield self.finding(
                    ctx, func.path, call.pos,
                    f"Model output ({describe_llm_source(graph, out)}) is stripped with "
                    f"`{f.attr}({chars!r})`, which removes any of the characters "
                    f"{_char_list(chars)} from {_ends(f.attr)}, not the string {chars!r}: "
                    f"{_example(f.attr, chars)} Use removeprefix/removesuffix, or test "
                    f"startswith/endswith and slice the marker off.",
                    flow=flow_steps(graph, out, (func.path, call.pos, f"{f.attr}({chars!r})")))


def _marker(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, arg: ir.Expr) -> Optional[str]:
    """The characters stripped: a string literal, or a name bound to one string only."""
    if isinstance(arg, ir.Constant):
        return arg.value if isinstance(arg.value, str) else None
    if isinstance(arg, (ir.Name, ir.Attribute)):
        values = set(const_strs(g, arg, func, stmt))
        return values.pop() if len(values) == 1 else None
    return None


def _word_like(chars: str) -> bool:
    """Does the argument read as a marker whose letters the reply's own words start and end with: a
    word in it (`"Answer:"`, `"python"`) or a tag (`"</s>"`, `"<|end|>"`)? Punctuation, whitespace
    and digits (`" \\n"`, `"[]"`, `"0123456789.) "`, a list number) are sets on purpose."""
    return len(set(chars)) > 1 and (_WORD.search(chars) is not None or _TAG.fullmatch(chars) is not None)


_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row
_TAG = re.compile(r"<[^<>]*[^\W\d_][^<>]*>")  # a special token or tag with a letter in it


def _char_list(chars: str) -> str:
    return ", ".join(repr(c) for c in sorted(set(chars)))


def _ends(method: str) -> str:
    return {"lstrip": "the start", "rstrip": "the end"}.get(method, "both ends")


def _example(method: str, chars: str) -> str:
    """What the strip eats of an ordinary reply, for the message."""
    letters = [c for c in chars if c.isalnum()]
    c = letters[-1] if method == "rstrip" else letters[0]
    if method == "rstrip":
        return f"a reply whose last word ends in {c!r} loses that {c!r} as well."
    return f"a reply whose first word starts with {c!r} loses that {c!r} as well."
