"""ALS005: the code waits for a marker in the reply that the prompt asks for in other wording
(judged by the LLM checker; silent offline)."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.nl_check.questions import MarkerPromptQuestion
from agentable.query.literals import source_text
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.reply_prompt import ReplyPrompt, reply_prompt
from agentable.rules.als.exact_reply import exact_tests, prompt_has_word
from agentable.rules.als.marker_tests import MarkerTest, marker_tests
from agentable.rules.base import Rule, RuleContext, RuleMeta

_MIN_PROMPT = 40  # shorter literal text is too little of the prompt to judge its wording


class MarkerPromptWording(Rule):
    meta = RuleMeta(
        id="ALS005",
        name="awaited-marker-worded-otherwise-in-prompt",
        category="ALS",
        severity=Severity.WARNING,
        short=("The code waits for a marker in the reply that, according to the LLM checker, the prompt asks for in "
               "other wording."),
        full=("A loop that ends on `\"TERMINATE\" in reply`, or a branch taken when the reply starts with "
              "`FINAL ANSWER:`, works only when the prompt makes the model write exactly that text. A prompt "
              "that asks for `Final Answer:`, `TASK_COMPLETE` or `[DONE]` instead, or puts the marker at the end "
              "of the reply the code reads with `startswith`, leaves the test false on every well-behaved reply: "
              "the loop never ends on its own, or the answer is never taken. Whether the prompt's wording gives "
              "the marker the test needs is a judgement on the prompt, so this rule asks the natural-language "
              "checker and stays silent offline (`agentable scan --llm`)."),
        bad_example=('reply = ask("Work on the task. When it is finished, say Task complete.")\n'
                     'if "TASK_COMPLETE" in reply:\n    break'),
        good_example=('reply = ask("Work on the task. When it is finished, write TASK_COMPLETE on its own line.")\n'
                      'if "TASK_COMPLETE" in reply:\n    break'),
        fix="Ask for the marker in the prompt exactly as the code tests it, or case-fold both sides of the test.",
        tags=("markers", "prompt", "nl-check"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        if not ctx.checker.llm_active:
            return  # only the model can judge whether other wording is the same marker
        graph = ctx.graph
        todo: list[tuple[MarkerTest, str, MarkerPromptQuestion]] = []
        seen: set[tuple[str, int, str]] = set()
        for func in graph.functions.values():
            for t in marker_tests(graph, func):
                key = (func.path, t.expr.pos[0], t.marker)
                if key in seen or len({v.site for v in t.outputs}) != 1:
                    continue
                c = graph.agent.llm_call_at(t.outputs[0].site[1])
                rp = reply_prompt(graph, c, func, t.stmt, deep=True) if c is not None else None
                if rp is None or len(rp.text.strip()) < _MIN_PROMPT:
                    continue
                seen.add(key)
                todo.append((t, func.path, _question(graph, func, t, rp)))
        for func in graph.functions.values():
            for x in exact_tests(graph, func):
                key = (func.path, x.compare.pos[0], x.word)
                if key in seen or len({v.site for v in x.outputs}) != 1:
                    continue
                c = graph.agent.llm_call_at(x.outputs[0].site[1])
                rp = reply_prompt(graph, c, func, x.stmt, deep=True) if c is not None else None
                # ALS004 reports the word missing from the prompt, or a reply compared unstripped
                if rp is None or len(rp.text.strip()) < _MIN_PROMPT or not prompt_has_word(rp.text, x.word, x.case) \
                        or not (x.space or x.case):
                    continue
                seen.add(key)
                t = MarkerTest(x.compare, x.stmt, x.word, x.outputs, x.case)
                todo.append((t, func.path, _question(graph, func, t, rp)))
        if not todo:
            return
        verdicts = ctx.checker.ask_many([q for _t, _p, q in todo])
        for (t, path, q), verdict in zip(todo, verdicts, strict=True):
            if not verdict.reportable or verdict.source == "deterministic":
                continue
            out = t.outputs[0]
            f = self.finding(
                ctx, path, t.expr.pos,
                f"`{q.test}` waits for `{t.marker}` in the reply of {describe_llm_source(graph, out)}, but the LLM "
                f"checker judges that its prompt asks for other wording: {verdict.reason.rstrip('.')}. Ask for "
                f"the marker exactly as the code tests it (or case-fold both sides).",
                severity=Severity.WARNING if verdict.confidence >= 0.8 else Severity.NOTE,
                flow=flow_steps(graph, out, (path, t.expr.pos, f"waits for `{t.marker}`")))
            f.checker_reason = verdict.reason
            yield f


def _question(graph, func, t: MarkerTest, rp: ReplyPrompt) -> MarkerPromptQuestion:
    prompt = rp.text if rp.complete else rp.text + "\n[Parts of the prompt are built at run time and are not shown.]"
    test = source_text(graph, func.path, t.expr, 200)
    return MarkerPromptQuestion(t.marker, test, prompt, _code_around(func, t), t.case_folded)


def _code_around(func, t: MarkerTest, before: int = 8, after: int = 6) -> str:
    """The lines around the test: the loop it ends, what the branch does."""
    mod = func.module.ir
    node = func.node
    lo, hi = (node.pos[0] - 1, node.pos[2]) if node is not None else (0, mod.line_count())
    at = t.expr.pos[0] - 1
    return "\n".join(mod.line_range(max(lo, at - before) + 1, min(hi, at + after + 1)))
