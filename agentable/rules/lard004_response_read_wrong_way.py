"""LARD004: an LLM response read in a way its SDK does not support."""

from __future__ import annotations

import re
from collections.abc import Sequence  # for annotations
from functools import lru_cache
from typing import Iterable, Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall  # for annotations
from agentable.cpg.resolve import PARSERS, STR_METHODS
from agentable.cpg.structure import FunctionInfo  # for annotations
from agentable.cpg.values import ExtRef, LLMOutput
from agentable.findings import Finding, Severity
from agentable.query.llm_output import stable_order
from agentable.rules.base import Rule, RuleContext, RuleMeta

# A step of an access chain: ("attr", name), ("index", int or None), ("key", str), ("call", None)
# or ("root", None); a documented way to read the text is a tuple of them.
_Seg = tuple[str, object]
_Path = tuple[_Seg, ...]

_SEG = re.compile(r"""\.(\w+)(\(\))?|\[(-?\d+)\]|\[["'](\w+)["']\]""")


@lru_cache(maxsize=None)
def parse_path(path: str) -> _Path:
    """'.choices[0].message.content' -> [('attr','choices'),('index',0),('attr','message'),('attr','content')]"""
    out: list[_Seg] = []
    for m in _SEG.finditer(path):
        if m.group(1):
            out.append(("attr", m.group(1)))
            if m.group(2):
                out.append(("call", None))
        elif m.group(3) is not None:
            out.append(("index", int(m.group(3))))
        else:
            out.append(("key", m.group(4)))
    return tuple(out)


def _chain(e: ir.Expr) -> tuple[list[ir.Expr], list[_Seg]]:
    """Nodes of an access chain from the root outwards, and the segment each node adds."""
    nodes: list[ir.Expr] = []
    segs: list[_Seg] = []
    cur = e
    while True:
        if isinstance(cur, ir.Attribute):
            nodes.append(cur)
            segs.append(("attr", cur.attr))
            cur = cur.value
        elif isinstance(cur, ir.Subscript):
            idx = cur.index
            if isinstance(idx, ir.Constant) and isinstance(idx.value, str):
                segs.append(("key", idx.value))
            elif isinstance(idx, ir.Constant) and isinstance(idx.value, int):
                segs.append(("index", idx.value))
            elif isinstance(idx, ir.UnaryOp) and idx.op == "-" and isinstance(idx.operand, ir.Constant):
                segs.append(("index", -1))
            else:
                segs.append(("index", None))
            nodes.append(cur)
            cur = cur.value
        else:
            nodes.append(cur)
            segs.append(("root", None))
            break
    nodes.reverse()
    segs.reverse()
    return nodes, segs


def _may_read_response(e: ir.Expr, first_attrs: set[object]) -> bool:
    """Does some step of the chain below its root subscript or read one of `first_attrs`?"""
    cur = e
    while isinstance(cur, (ir.Attribute, ir.Subscript)):
        if isinstance(cur, ir.Subscript) or cur.attr in first_attrs:
            return True
        cur = cur.value
    return False


def _fmt(segs: Sequence[_Seg]) -> str:
    out = ""
    for kind, v in segs:
        out += {"attr": f".{v}", "index": f"[{v}]", "key": f'["{v}"]', "call": "()"}.get(kind, "")
    return out


def _same(a: _Seg, b: _Seg) -> bool:
    if a[0] == "index" and b[0] == "index":
        return a[1] is None or b[1] is None or a[1] == b[1] or (a[1] == -1 or b[1] == -1)
    return a == b


class ResponseReadWrongWay(Rule):
    meta = RuleMeta(
        id="LARD004",
        name="llm-response-read-wrong-way",
        category="LARD",
        severity=Severity.ERROR,
        short="The model's response is read in a way its SDK does not support.",
        full=("Each SDK version returns its own response shape: openai>=1 returns typed objects (not dicts), chat "
              "completions carry `.choices[0].message.content` while completions carry `.choices[0].text`, and "
              "Anthropic's `.content` is a list of blocks, not a string. Reading the response the wrong way raises "
              "TypeError/AttributeError on every call, or feeds the agent a list repr instead of the text."),
        bad_example='resp = client.chat.completions.create(...)\ntext = resp["choices"][0]["message"]["content"]',
        good_example='resp = client.chat.completions.create(...)\ntext = resp.choices[0].message.content',
        fix="Read the text the way the SDK documents it (the path is named in the message).",
        tags=("api", "version"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        all_paths: list[_Path] = []
        for spec in list(graph.catalog.llm_calls) + list(graph.catalog.chat_models):
            all_paths.extend(parse_path(p) for p in (getattr(spec, "output_text", ()) or ()))
        # Every finding needs the first segment read after the response to start a catalog path
        # (or be a subscript): chains without such a segment are skipped before any resolution.
        first_attrs = {p[0][1] for p in all_paths if p and p[0][0] == "attr"}
        seen: set[tuple[str, int]] = set()
        for func in graph.agent.functions():
            for e, stmt in func.walk(ir.Attribute, ir.Subscript):
                if not _may_read_response(e, first_attrs):
                    continue
                f = self._check_expr(ctx, func, stmt, e, all_paths)
                if f is not None and (f.span.path, f.span.line) not in seen:
                    seen.add((f.span.path, f.span.line))
                    yield f

    def _check_expr(self, ctx: RuleContext, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr,
                    all_paths: list[_Path]) -> Optional[Finding]:
        graph = ctx.graph
        # only maximal chains: e must not be the base of a larger access
        nodes, segs = _chain(e)
        if len(nodes) < 2:
            return None
        root = _response_root(graph, func, stmt, nodes)
        if root is None:
            return None
        root_i, call = root
        if call.setting("stream") is not None:
            return None
        expected = [parse_path(p) for p in (getattr(call.spec, "output_text", ()) or ())]
        if not expected:
            return None
        acc = segs[root_i + 1:]
        if acc and acc[-1][0] == "attr" and acc[-1][1] in STR_METHODS:
            return None  # a method of the text; the chain below it is checked on its own
        if _parent_extends(stmt, e):
            return None
        api = call.path.split("().")[-1]
        message = _wrong_read(graph, func, stmt, e, acc, expected, all_paths, api)
        return self.finding(ctx, func.path, e.pos, message) if message is not None else None


def _response_root(graph, func: FunctionInfo, stmt: ir.Stmt, nodes: list[ir.Expr]) -> Optional[tuple[int, LLMCall]]:
    """The first node of the chain (but its last) that is a whole SDK response, with the LLM call
    (not a framework chat model) that made it. An HTTP response is read as JSON by design: its
    envelope is not an SDK object's shape."""
    for i, n in enumerate(nodes[:-1]):
        responses = [v for v in graph.values(n, func, stmt)
                     if isinstance(v, LLMOutput) and not v.text and not v.http and _is_whole_response(v)]
        for v in (stable_order(responses) if len(responses) > 1 else responses):
            call = graph.agent.llm_call_at(v.site[1])
            if call is not None and not call.is_chat_model:
                return i, call
    return None


def _wrong_read(graph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr, acc: list[_Seg], expected: list[_Path],
                all_paths: list[_Path], api: str) -> Optional[str]:
    """What is wrong with reading `acc` from the response of `api`, whose text is read as the
    `expected` paths; None when nothing is."""
    # position of first divergence against every expected path
    best = max(_common(acc, exp) for exp in expected)
    if best == len(acc):
        # a prefix of a documented path: wrong only when used as text while the path goes on into a list
        nxt = [exp[best] for exp in expected if len(exp) > best and _common(acc, exp) == best]
        if nxt and all(s[0] == "index" for s in nxt) and _used_as_text(graph, func, stmt, e):
            return (f"`{_fmt(acc)}` of the `{api}` response is a list of content blocks, not text; read "
                    f"`{_fmt(expected[0])}` (and check the block type).")
        return None
    seg = acc[best]
    exp_here = [exp[best] for exp in expected if len(exp) > best and _common(acc, exp) == best]
    any_key_style = any(s[0] == "key" for exp in expected for s in exp)
    if seg[0] == "key" and not any_key_style and exp_here and all(s[0] == "attr" for s in exp_here):
        return (f"The `{api}` response is an object, not a dict: `{_fmt(acc)}` raises TypeError. Read "
                f"`{_fmt(expected[0])}` instead.")
    if seg[0] != "attr":
        return None
    for other in all_paths:
        if other in expected or len(other) != len(acc):
            continue
        if all(_same(a, b) for a, b in zip(acc, other, strict=True)):
            return (f"The `{api}` response has no `{_fmt(acc)}` (that is another API's response shape); read "
                    f"`{_fmt(expected[0])}` instead.")
    return None


def _common(acc: Sequence[_Seg], exp: Sequence[_Seg]) -> int:
    n = 0
    for a, b in zip(acc, exp, strict=False):  # the length of the common prefix
        if not _same(a, b):
            break
        n += 1
    return n


def _stmt_nodes(stmt: ir.Stmt) -> Iterator[ir.Expr]:
    """Every expression the statement evaluates (the parent of `e` is among them)."""
    for root in ir.stmt_exprs(stmt):
        yield from ir.walk_expr(root)


def _parent_extends(stmt: ir.Stmt, e: ir.Expr) -> bool:
    """Is `e` the base of a longer access (other than a str method such as `.strip`)?"""
    for x in _stmt_nodes(stmt):
        if isinstance(x, ir.Subscript) and x.value is e:
            return True
        if isinstance(x, ir.Attribute) and x.value is e and x.attr not in STR_METHODS:
            return True
    return False


def _used_as_text(graph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> bool:
    for x in _stmt_nodes(stmt):
        if isinstance(x, ir.Call):
            if isinstance(x.func, ir.Attribute) and x.func.value is e and x.func.attr in STR_METHODS:
                return True
            if x.args and x.args[0] is e:
                for v in graph.values(x.func, func, stmt):
                    if isinstance(v, ExtRef) and v.path in PARSERS:
                        return True
        if isinstance(x, ir.BinOp) and x.op == "+" and (x.left is e or x.right is e):
            other = x.right if x.left is e else x.left
            if isinstance(other, (ir.Constant, ir.FString)) and isinstance(getattr(other, "value", ""), str):
                return True
    return False


def _is_whole_response(v: LLMOutput) -> bool:
    """The value is the call's response object itself, not a part of it (`resp.choices[0]`)."""
    return not any("of the model's response" in msg for _, _, msg in v.steps[1:])
