"""ALS004: the whole model reply is tested for equality with a word the prompt does not ask for in
that form, or with no tolerance for the case and spacing a model adds."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.reply_prompt import reply_prompt
from agentable.rules.als.exact_reply import exact_tests, prompt_has_word
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ReplyEqualsWord(Rule):
    meta = RuleMeta(
        id="ALS004",
        name="reply-compared-with-exact-word",
        category="ALS",
        severity=Severity.WARNING,
        short="The model's whole reply is compared with `==` to a word the prompt does not ask for in that form.",
        full=("`if reply == \"True\":` treats the reply as a marker only when the model wrote exactly that word "
              "and nothing else. When the prompt asks for another spelling (`'true'`, a list such as "
              "`['true', 'why']`) or for no such word at all, the test is never true for a well-behaved reply, "
              "and the branch it guards (a stop, an acceptance, a pass) never runs. When the prompt does ask for "
              "the word but the reply is compared as it came (no `strip()`, no `lower()`), a reply such as "
              "`Yes`, `yes.` or `yes\\n` is read as the other answer."),
        bad_example=('reply = ask("Did it work? Answer true or false.")\n'
                     'if reply == "True":\n    done()'),
        good_example=('reply = ask("Did it work? Answer true or false.")\n'
                      'if reply.strip().lower().startswith("true"):\n    done()'),
        fix=("Compare with the exact word the prompt asks for, after `strip()` and `lower()`, or ask for "
             "structured output (a boolean field) instead of a marker word."),
        tags=("markers", "prompt"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[tuple[str, int]] = set()
        for func in graph.functions.values():
            for t in exact_tests(graph, func):
                key = (func.path, t.compare.pos[0])
                if key in seen or len({v.site for v in t.outputs}) != 1:
                    continue
                out = t.outputs[0]
                c = graph.agent.llm_call_at(out.site[1])
                rp = reply_prompt(graph, c, func, t.stmt) if c is not None else None
                if rp is None or not rp.text.strip():
                    continue
                word, src = t.word, describe_llm_source(graph, out)
                said = source_text(graph, func.path, t.compare, 60)
                if prompt_has_word(rp.text, word, t.case):
                    if t.space or t.case:
                        continue
                    msg = (f"`{said}` compares the whole reply of {src} with `{word}` as it came: the prompt asks "
                           f"for the word, but a reply such as `{_variant(word)}` or `{word}.` or one with a "
                           f"trailing newline is read as the other answer. Strip and case-fold the reply "
                           f"before the test (or test the start of it).")
                    severity = Severity.NOTE
                elif prompt_has_word(rp.text, word, True):
                    msg = (f"`{said}` waits for `{word}`, but the prompt of this reply ({src}) writes the word "
                           f"with another case, so a reply that follows the prompt never passes the test. Compare "
                           f"with the word the prompt asks for, after `strip()` and `lower()`.")
                    severity = Severity.WARNING
                elif rp.complete:
                    msg = (f"`{said}` waits for the whole reply of {src} to be `{word}`, but its prompt never "
                           f"asks the model to write that word, so the test is true only by chance. Ask for the "
                           f"word in the prompt (or for structured output) and compare after `strip()`.")
                    severity = Severity.WARNING
                else:
                    continue  # the word may be in the part of the prompt built at run time
                seen.add(key)
                yield self.finding(ctx, func.path, t.compare.pos, msg, severity=severity,
                                   flow=flow_steps(graph, out, (func.path, t.compare.pos, f"compared with `{word}`")))


def _variant(word: str) -> str:
    """The same word in another case, as a model may write it."""
    return word.capitalize() if word != word.capitalize() else word.lower()
