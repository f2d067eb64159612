"""The prompt one parsed reply answers.

`protocol.prompt_text` reads an LLM call's prompt on its own: behind a shared wrapper
(`def ask(prompt): ...create(messages=[..., prompt])`) that is the union of every caller's
prompt. Here the reply's parse is paired with the one call chain that produced it: from the
function that parses it (or, when the reply arrives as a parameter of a parse helper, from that
helper's single caller) down through project wrappers to the LLM call, each wrapper's parameters
bound to the arguments of that chain only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, cast

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.facts import EvalAt
from agentable.query.literals import PromptWalker, param_argument, param_named

_CHAIN_DEPTH = 4  # wrappers between the parsing function and the LLM call
_DEPTH = 5  # steps of text building followed from the call's prompt argument
# for a question the model reads: a prompt is often a constant behind a name, behind a helper's
# return, behind another name (`user_prompt = get_prompt()`, `prompt = PROMPT; return prompt`)
_DEEP_DEPTH = 9
_FILLERS = ("append", "extend", "insert")
_PROMPT_ROLES = ("messages", "prompt", "system", "input", "instructions")
_HELPER_CALLERS = 4  # callers of a parse helper looked at


@dataclass(frozen=True)
class ReplyPrompt:
    text: str
    complete: bool  # every parameter on the way was bound: no part of the prompt is unknown
    site: Optional[CallSite]  # the call that asks for this reply (the top of the chain), if not the LLM call


def reply_prompt(g: ProjectGraph, c: LLMCall, func: FunctionInfo, stmt: ir.Stmt,
                 deep: bool = False) -> Optional[ReplyPrompt]:
    """The prompt of the reply of `c` parsed at `stmt` in `func`, or None when no single chain
    from the parse to the call is found (several callers of a helper, no path in the call graph).
    `deep`: for a question put to the model, follow the text further (`_DEEP_DEPTH`) and into
    project helpers that fill the message list passed to them (`set_system(messages)` doing
    `messages[0] = {...}` or `messages.insert(0, ...)`); the offline checks keep the shallow walk
    their deterministic answers were measured with."""
    chain = _chain_before(g, func, stmt, c.func)
    if chain is None and func is not c.func:
        # the reply is a parameter of a parse helper: its caller asked for it (the one caller, or
        # the one in the helper's own module: an example script calling it too is not its pairing)
        found = [(s, ch) for s in g.argument_sites(func)[:_HELPER_CALLERS]
                 if (ch := _chain_before(g, s.func, s.stmt, c.func)) is not None]
        if len(found) > 1:
            found = [(s, ch) for s, ch in found if s.func.path == func.path]
        if len(found) != 1:
            return None
        chain = found[0][1]
    binds = {}
    for site in chain or ():
        for q in g.callees(site):
            binds[q] = site
    walker = _Walker(g, binds, deep)
    parts: list[str] = []
    exprs = [(s.expr, s.func, s.stmt) for role in _PROMPT_ROLES if (s := c.setting(role)) is not None]
    if not exprs and c.is_chat_model:  # a chat model's input: its first argument, or a keyword named for it
        first = c.call.args[0] if c.call.args else next(
            (kw.value for kw in c.call.keywords if kw.name in _PROMPT_ROLES), None)
        exprs = [(first, c.func, c.site.stmt)] if first is not None else []
    for e, f, st in exprs:
        walker.strings(e, f, cast(EvalAt, st), _DEEP_DEPTH if deep else _DEPTH, parts)
    text = "\n".join(dict.fromkeys(p for p in parts if p.strip()))
    return ReplyPrompt(text, walker.complete, chain[0] if chain else None)


def _chain_before(g: ProjectGraph, start: FunctionInfo, stmt: ir.Stmt, target: FunctionInfo) -> Optional[list[CallSite]]:
    """The call sites from `start` down to `target`: [] when `start` is `target`; else the chain of
    the last call in `start` at or before `stmt` that reaches it (the one whose reply is parsed)."""
    if start is target:
        return []
    line = stmt.pos[0]
    best: Optional[list[CallSite]] = None
    failed: set[tuple[str, int]] = set()  # (function, depth left) known not to reach `target`
    for site in start.calls:
        if site.call.pos[0] > line:
            continue
        rest = _chain_from(g, site, target, _CHAIN_DEPTH, failed)
        if rest is not None and (best is None or site.call.pos >= best[0].call.pos):
            best = rest
    return best


def _chain_from(g: ProjectGraph, site: CallSite, target: FunctionInfo, depth: int,
                failed: set[tuple[str, int]]) -> Optional[list[CallSite]]:
    for q in sorted(g.callees(site)):
        if q == target.qualname:
            return [site]
        f = g.functions.get(q)
        if f is None or depth <= 1 or (q, depth) in failed:
            continue
        for inner in f.calls:
            rest = _chain_from(g, inner, target, depth - 1, failed)
            if rest is not None:
                return [site, *rest]
        failed.add((q, depth))  # with more depth left it may still reach it
    return None


class _Walker(PromptWalker):
    """`literals.PromptWalker` with the parameters of the chain's functions bound to its arguments;
    a parameter of another function is followed only when that function has a single caller."""

    def __init__(self, g: ProjectGraph, binds: dict[str, CallSite], deep: bool = False) -> None:
        super().__init__(g)
        self.binds = binds
        self.complete = True
        self.deep = deep

    def name(self, e: ir.Name, func: FunctionInfo, stmt: EvalAt, depth: int, out: list[str]) -> None:
        if self.deep:
            for added, owner, at in helper_fills(self.g, func, e.id, stmt):
                if self.sent(added):
                    self.strings(added, owner, at, depth - 1, out)
        super().name(e, func, stmt, depth, out)

    def sent(self, added: ir.Expr) -> bool:
        return not _assistant_turn(added)  # the model's own earlier reply is no instruction

    def callers(self, owner: FunctionInfo, depth: int) -> Sequence[CallSite]:
        bound = self.binds.get(owner.qualname)
        sites = [bound] if bound is not None else self.g.argument_sites(owner)
        if len(sites) != 1:
            # several callers: one of their texts is this prompt's, which one is unknown
            # (no caller: an entry point's input, data rather than instructions)
            self.complete = self.complete and not sites
            return ()
        return sites

    def not_passed(self, owner: FunctionInfo, name: str, site: CallSite, depth: int, out: list[str]) -> None:
        found = param_named(owner, name)
        if found is None:
            return
        default = found[1].default
        if default is not None:  # not passed: the default is sent
            self.strings(default, owner, None, depth - 1, out)
        elif any(isinstance(a, ir.Starred) for a in site.call.args) or any(kw.name is None for kw in site.call.keywords):
            self.complete = False  # passed through *args / **kwargs
        # (else a parameter left out without a default is a call error, not text)


def helper_fills(g: ProjectGraph, func: FunctionInfo, name: str,
                 stmt: EvalAt) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """What project helpers called in `func` before `stmt` with the list `name` as an argument put
    into it through their parameter: `p.append(x)` / `extend` / `insert`, or `p[i] = x`."""
    line = stmt.pos[0] if isinstance(stmt, ir.Stmt) else 1 << 30
    out: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    for site in func.calls:
        if site.call.pos[0] > line or not any(
                isinstance(a, ir.Name) and a.id == name for a in (*site.call.args, *(k.value for k in site.call.keywords))):
            continue
        for q in sorted(g.callees(site)):
            helper = g.functions.get(q)
            if helper is None:
                continue
            for p in helper.params:
                arg = param_argument(site.call, helper, p.name)
                if not (isinstance(arg, ir.Name) and arg.id == name):
                    continue
                for h in helper.calls:
                    f = h.call.func
                    if isinstance(f, ir.Attribute) and f.attr in _FILLERS and ir.dotted(f.value) == p.name:
                        out += [(a, helper, h.stmt) for a in h.call.args]
                out += [(value, helper, at) for _key, value, at in helper.item_stores.get(p.name, ())]
    return out


def _assistant_turn(e: ir.Expr) -> bool:
    """A message literal of the assistant's role (`{"role": "assistant", "content": reply}`)."""
    if not isinstance(e, ir.Dict):
        return False
    return any(isinstance(k, ir.Constant) and k.value == "role" and isinstance(v, ir.Constant)
               and v.value == "assistant" for k, v in zip(e.keys, e.values, strict=False))
