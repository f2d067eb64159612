"""LOPE003: a fixed position of split/findall results of model text is read without a length check."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.dataflow import Flow, flows as text_uses
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.text_ops import int_index, splits_on_whitespace
from agentable.rules.base import Rule, RuleContext, RuleMeta


class UncheckedSplitIndex(Rule):
    meta = RuleMeta(
        id="LOPE003",
        name="unchecked-index-into-split-llm-output",
        category="LOPE",
        severity=Severity.ERROR,
        short="A fixed index (or fixed-size unpacking) of `split()`/`findall()` results of model text, with no length check.",
        full=("`reply.split(\"Action:\")[1]`, `re.findall(pattern, reply)[0]` and `name, arg = reply.split(\":\")` "
              "assume the model wrote the separator or pattern exactly as many times as the code expects. When it "
              "does not, the index raises IndexError or the unpacking raises ValueError, and the agent crashes on "
              "one off-format reply. A list built item by item from the pieces (`[p.strip() for p in "
              "reply.split(\",\")]`, `list(map(str.strip, ...))`) has the same length and the same risk. "
              "Several fixed indexes of one result share one missing check: they are reported once, at the "
              "index that needs the most pieces."),
        bad_example='tool, arg = reply.split("Action Input:")',
        good_example=('parts = reply.split("Action Input:", 1)\nif len(parts) != 2:\n'
                      '    return ask_again()\ntool, arg = parts'),
        fix="Check the number of parts (or that the separator is in the text) before indexing, or catch IndexError/ValueError.",
        tags=("parsing",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        uses = [u for u in text_uses(graph) if u.kind in ("index", "unpack") and not u.guard]
        for use, positions in _one_per_result(uses):
            src = describe_llm_source(graph, use.llm)
            if use.kind == "index":
                err = ctx.catalog.python.lookup_errors["index"][0]
                what = f"indexes the result of `{use.op}` over model output ({src}) at a position that may not exist"
                if len(positions) > 1:
                    what += f" (it is read at positions {', '.join(map(str, positions))})"
            else:
                err = ctx.catalog.python.lookup_errors["unpack"][0]
                what = (f"unpacks the result of `{use.op}` over model output ({src}) into "
                        f"{len(use.expr.elts)} names")  # type: ignore[attr-defined]
            origin = getattr(use, "origin", None)
            when = ("when the reply is empty or blank it has no pieces at all and this raises" if use.kind == "index"
                    and isinstance(origin, ir.Call) and splits_on_whitespace(origin) else
                    "when the reply lacks the expected separator or pattern it raises")
            yield self.finding(
                ctx, use.path, use.expr.pos,
                f"This {what}; {when} {err}. Check "
                f"the length (or that the separator is present) first and re-prompt or fall back.",
                flow=flow_steps(graph, use.llm, (use.path, use.expr.pos, f"fixed position of {use.op}()")),
            )


def _position(use: Flow) -> int | None:
    """The fixed position an "index" use reads (its expr is the subscript), None when not a constant."""
    return int_index(use.expr.index) if isinstance(use.expr, ir.Subscript) else None


def _needed_length(use: Flow) -> int:
    """How many pieces the fixed index needs: `parts[3]` needs 4, `parts[-2]` needs 2."""
    i = _position(use)
    return 0 if i is None else (i + 1 if i >= 0 else -i)


def _one_per_result(uses: list[Flow]) -> list[tuple[Flow, list[int]]]:
    """One report per split/findall result bound to a name: several fixed indexes of the same
    pieces (`f[1]`, `f[2]`, `f[3]`) share one missing length check, reported at the index that
    needs the most pieces, with every position read."""
    out: list[tuple[Flow, list[int]]] = []
    groups: dict[tuple[str, int, str], list[Flow]] = {}
    for u in uses:
        if u.kind == "index" and u.name is not None and u.origin is not None:
            groups.setdefault((u.path, id(u.origin), u.name), []).append(u)
        else:
            out.append((u, []))
    for group in groups.values():
        worst = max(group, key=_needed_length)  # max keeps the first of equals: source order
        positions = sorted({i for u in group if (i := _position(u)) is not None}, key=lambda i: (i < 0, abs(i)))
        out.append((worst, positions))
    return sorted(out, key=lambda x: (x[0].path, x[0].expr.pos))
