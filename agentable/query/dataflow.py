"""One data-flow engine for model output reaching operations that fail on text of the wrong shape.

Sources, sinks and barriers are declared in agentable/catalog/taint.toml (see its comments); this
module reads them and answers, for every sink in the agent modules: which model output reaches it
(the graph's value resolution, agentable/cpg/resolve.py, follows helpers, wrappers, returns,
`self.x` and imports), and which barrier (if any) makes it safe. Each answer is a `Flow` (the
historical name `TextUse` is kept as an alias) carrying the source value, whose `.steps` are the
path for messages and SARIF codeFlows (`llm_output.flow_steps`). The configuration is read by
`taint.py`; the barriers' tests live in `guards.py`, the text operations' in `text_ops.py`.

Adding a sink is one line in taint.toml when its kind exists (parse, match, pieces); a new kind is
one handler in `_SINK_KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Callable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import locally_protected
from agentable.cpg.frameworks import MATCH_PIECE
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, LLMOutput, Parsed, value_key
from agentable.query.facts import EvalAt, per_graph
from agentable.query.guards import (
    any_checked_before,
    checked_before,
    expr_parents,
    failure_guard,
    guarded_in_expr,
    is_protected,
    keys_tested_in_expr,
    membership_checked,
    names_in,
    names_tested_in_expr,
    tested_before,
    unreached_branch,
)
from agentable.query.asserted_replies import asserted_replies
from agentable.query.found_entries import found_entries, has_filling_helpers
from agentable.query.literals import bound_name
from agentable.query.parsed_fields import key_path, same_field
from agentable.query.llm_output import llm_outputs
from agentable.query.object_text import starts_with_opener
from agentable.query.structured_output import json_mode_only, structured_output
from agentable.query.taint import Sink, config
from agentable.query.text_ops import (
    cut_from_marker,
    fixed_unpack,
    holds_marker,
    marker_keyed,
    split_separator,
    tests_separator,
    text_kept_on_parse_failure,
    int_index,
    regex_always_matches,
    same_length_view,
    splits_on_whitespace,
    uses_of,
)
from agentable.query.tool_arguments import model_written_arguments, unconstrained_tool_arguments


# ---------------------------------------------------------------- flows

@dataclass(eq=False)
class Flow:
    """Model output (or a structure parsed from it) reaching a sink that can fail on text of an
    unexpected shape.

    kind: parse (json.loads, int, …), match (a regex Match read without a None check), index
    (`split(...)[1]`, `findall(...)[0]`), unpack (`a, b = text.split(":")`), key (`data["k"]` on
    a parsed structure). `expr` is where to report; `op` names the operation for messages;
    `raises` are the exceptions a handler must catch; `guard` names the barrier that makes the
    flow safe ("" when none does): "try", "check", "structured-output", "retry", "suppress", or
    "lenient" for a parser that never raises (json_repair), whose result may still be any shape.
    """

    kind: str
    op: str
    func: FunctionInfo
    stmt: ir.Stmt
    expr: ir.Expr
    source: Union[LLMOutput, Parsed]
    raises: tuple[str, ...]
    guard: str = ""
    name: Optional[str] = None  # the variable holding the result, when the use goes through one
    origin: Optional[ir.Call] = None  # the consuming call (parser, regex function, split) when not `expr`
    tool_arguments: bool = False  # the parsed text is a tool call's arguments from a non-strict tool
    misread: bool = False  # tool-call arguments (JSON) parsed as a Python literal (sink json_misread)
    sink: Optional[Sink] = None

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def llm(self) -> LLMOutput:
        return self.source.source if isinstance(self.source, Parsed) else self.source


TextUse = Flow


# ---------------------------------------------------------------- sources

def model_text(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> Optional[LLMOutput]:
    """The generated free text `e` may be (shortest data-flow path first), or None. Tool-call
    arguments and parsed structured-output fields are not free text. A response read only part of
    the way to its text (Anthropic `msg.content`, a list of blocks), or through a field other than
    its API's text paths (the Responses API's `response.output` items), is not text at all: the
    resolver decides that from the catalog's paths (agentable.cpg.response_paths)."""
    fields = config().structured_fields
    for v in llm_outputs(g, e, func, stmt):
        if fields.intersection(v.read):
            continue
        return v
    return None


def tool_arguments_source(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                          sink: Sink) -> Optional[LLMOutput]:
    """Tool-call arguments of a non-strict function tool, for the sinks that declare it."""
    if not config().tool_arguments_for.intersection(sink.raises):
        return None
    return unconstrained_tool_arguments(g, e, func, stmt)


# ---------------------------------------------------------------- barriers


def _value_tested(func: FunctionInfo, stmt: ir.Stmt, node: Optional[ir.Expr], parents: dict[int, ir.Expr],
                  names: set[str]) -> bool:
    """A test of one of `names` before `node` in its expression, or before `stmt`."""
    return (node is not None and names_tested_in_expr(node, parents, names)) or any_checked_before(func, stmt, names)


# ---------------------------------------------------------------- the engine

def sink_of(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> Optional[Sink]:
    """The declared sink `call` is, by its callee's path (or, for none, by a str method name)."""
    cfg = config()
    for v in g.values(call.func, func, stmt):
        if v.__class__ is ExtRef and v.path in cfg.calls:
            return cfg.calls[v.path]
    f = call.func
    if isinstance(f, ir.Attribute) and f.attr in cfg.methods:
        return cfg.methods[f.attr]
    return None


def text_argument(call: ir.Call, sink: Sink) -> Optional[ir.Expr]:
    if sink.method:
        return call.func.value if isinstance(call.func, ir.Attribute) else None
    if len(call.args) > sink.arg:
        return call.args[sink.arg]
    return call.kwarg(sink.keyword) if sink.keyword else None


@per_graph
def flows(g: ProjectGraph) -> list[Flow]:
    """Every flow of model output into a declared sink, in the agent modules, with its barrier.
    Memoised on the graph."""
    out: list[Flow] = []
    for func in g.agent.functions():
        for site in func.calls:
            call, stmt = site.call, site.stmt
            sink = sink_of(g, call, func, stmt)
            if sink is None:
                out.extend(_chain_parse_flows(g, func, stmt, call))
                continue
            arg = text_argument(call, sink)
            if sink.kind == "parse" and not call.args:
                continue
            found = _SINK_KINDS[sink.kind](g, func, stmt, call, sink, arg)
            if sink.lenient or (sink.unless_keyword and call.kwarg(sink.unless_keyword) is not None):
                # parse_json_markdown(parser=json_repair.loads), json_repair.loads: nothing to catch,
                # but the structure it returns still needs a shape check
                found = [replace(f, guard="lenient") for f in found if f.kind == "parse"]
            out.extend(found)
    for func in g.agent.functions():  # `assert "verdict" in reply`: AssertionError on a reply off the format
        for s, test, src in asserted_replies(g, func, model_text):
            out.append(Flow("assert", "assert", func, s, test, src, ("AssertionError",),
                            failure_guard(g, func, s, ("AssertionError",), "parse")))
    out.extend(_key_flows(g, out))
    out.extend(_shape_flows(g, out))
    # a branch guarded by a parameter every caller leaves at its default never runs
    return [f for f in out if not unreached_branch(g, f.func, f.stmt)]


def _chain_parse_flows(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call) -> list[Flow]:
    """`chain.invoke(...)` of an LCEL chain whose last step parses the reply as JSON (taint.toml
    [source.chain_parsers]): the call is the parse, and raises for a reply that is not JSON."""
    if not (isinstance(call.func, ir.Attribute) and call.func.attr in ("invoke", "ainvoke")):
        return []
    parsers = config().chain_parsers
    for v in g.values(call, func, stmt):
        if isinstance(v, Parsed) and v.source.site[1] is call and v.how in parsers:
            raises = parsers[v.how]
            guard = failure_guard(g, func, stmt, raises, "parse")
            return [Flow("parse", v.how.rpartition(".")[2], func, stmt, call, v.source, raises, guard, origin=call)]
    return []


def _parse_flows(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, sink: Sink,
                 arg: Optional[ir.Expr]) -> list[Flow]:
    src = model_text(g, arg, func, stmt)
    if src is None and sink.json_misread:
        json_args = model_written_arguments(g, arg, func, stmt)
        if json_args is not None:  # wrong for valid arguments too: no handler makes it right
            return [Flow("parse", sink.name, func, stmt, call, json_args, ("ValueError",), "", origin=call,
                         tool_arguments=True, misread=True, sink=sink)]
    if src is None:
        args_src = tool_arguments_source(g, arg, func, stmt, sink)
        if args_src is not None:
            guard = failure_guard(g, func, stmt, sink.raises, "parse", sink.catch_all)
            return [Flow("parse", sink.name, func, stmt, call, args_src, sink.raises, guard, origin=call,
                         tool_arguments=True, sink=sink)]
        return []
    if not sink.schema_guards and any(st[2] == MATCH_PIECE for st in src.steps):
        return []  # `int(m.group(1))`: the pattern (`\d+`) shaped the piece; the match itself is LOPE002's
    cfg = config()
    guard = failure_guard(g, func, stmt, sink.raises, "parse", sink.catch_all)
    if not guard and cfg.applies("handler", "parse"):
        # credit the model output whose call path has no handler; none such: every path catches it
        uncaught = _uncaught_source(g, func, stmt, arg, sink)
        if uncaught is None:
            guard = "try"
        else:
            src = uncaught
    if not guard and sink.schema_guards and cfg.applies("structured_output", "parse") \
            and structured_output(g, src) is not None:
        guard = "structured-output"
    if not guard and sink.test_guards and arg is not None:
        marker = call.args[0] if sink.marker_guards and call.args else None
        if marker is not None and marker_keyed(arg, marker):
            # `if "Answer:" in reply: reply.index("Answer:")`; not `if "answer:" in reply.lower()`
            test = partial(holds_marker, text=arg, marker=marker)
            if guarded_in_expr(call, expr_parents(stmt), test) or tested_before(func, stmt, test):
                guard = "check"
        else:
            # `if reply.strip().isdigit(): int(reply)` / `int(x) if x.isdigit() else 0`
            names = {d for x in ir.walk_expr(arg) if (d := ir.dotted(x))}
            if _value_tested(func, stmt, call, expr_parents(stmt), names):
                guard = "check"
    return [Flow("parse", sink.name, func, stmt, call, src, sink.raises, guard, origin=call, sink=sink)]


def _uncaught_source(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, arg: Optional[ir.Expr],
                     sink: Sink) -> Optional[LLMOutput]:
    """A model output that reaches the parse on a call path with no handler, or None when every
    path catches it. Text made in a caller (passed down as an argument) travels only the chains
    from that caller down to here, and up that caller's own callers: a call path that passes other
    text (a file, a cached value) cannot raise on model output. A source not found up the callers
    (returned by a helper, made here) counts as uncaught."""
    fields = config().structured_fields
    errors = [(r,) for r in sink.raises] if sink.catch_all else [sink.raises]
    unknown: Optional[LLMOutput] = None
    for src in llm_outputs(g, arg, func, stmt):
        if fields.intersection(src.read):
            continue
        home = _function_of(g, *src.site)
        caught = [_chain_caught(g, func, stmt, home, raised, 4, frozenset()) if home is not None and home is not func
                  else None for raised in errors]
        if False in caught:
            return src  # a path seen to have no handler says most
        if None in caught and unknown is None:
            unknown = src
    return unknown


def _chain_caught(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, home: FunctionInfo,
                  raised: tuple[str, ...], depth: int, seen: frozenset[str]) -> Optional[bool]:
    """Caught on every chain of callers from `func` up to `home` (then as `is_protected` from the
    call in `home`); None when no chain reaches `home` within `depth` calls."""
    if func is home:
        return is_protected(g, func, stmt, raised)
    if depth <= 0 or func.is_module or func.qualname in seen:
        return None
    results = [_chain_caught(g, site.func, site.stmt, home, raised, depth - 1, seen | {func.qualname})
               for site in g.callers(func) if site.func is not func]
    reached = [r for r in results if r is not None]
    if not reached:
        return None
    return all(reached) or locally_protected(func, stmt, raised) is not None


def _function_of(g: ProjectGraph, path: str, call: ir.Call) -> Optional[FunctionInfo]:
    mod = g.by_path.get(path)
    if mod is None:
        return None
    return next((f for f in _functions_calling(g).get(call, ()) if f.module is mod), None)


@per_graph
def _functions_calling(g: ProjectGraph) -> dict[ir.Call, tuple[FunctionInfo, ...]]:
    """call -> the functions whose call sites hold that call, in `g.functions` order: built
    once, not a scan of every function's calls per model output (quadratic on large projects).
    Keyed by the node, with a tuple (nearly always of one function): one entry per call of the
    project, where an id() key and a list cost ~70 bytes more each."""
    out: dict[ir.Call, tuple[FunctionInfo, ...]] = {}
    for f in g.functions.values():
        for c in f.calls:
            have = out.get(c.call)
            if have is None:
                out[c.call] = (f,)
            elif have[-1] is not f:
                out[c.call] = (*have, f)
    return out


def _reads_match(parent: object, value: ir.Expr, readers) -> bool:
    """Does `parent` read a match object `value` (`m.group(...)`, `m[1]`)?"""
    return (isinstance(parent, ir.Attribute) and parent.attr in readers) or \
        (isinstance(parent, ir.Subscript) and parent.value is value)


def _match_flows(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, sink: Sink,
                 arg: Optional[ir.Expr]) -> list[Flow]:
    src = model_text(g, arg, func, stmt)
    cfg = config()
    if src is None or (cfg.applies("always_matches", "match") and regex_always_matches(g, call, func, stmt, sink.call)):
        return []
    raises = cfg.raises("match")
    readers = frozenset(cfg.kinds.get("match", {}).get("readers", ()))
    out: list[Flow] = []
    op = sink.call.replace("re.compile()", "pattern")
    parents = expr_parents(stmt)
    p = parents.get(id(call))
    if p is not None and _reads_match(p, call, readers):
        guard = failure_guard(g, func, stmt, raises, "match")
        out.append(Flow("match", op, func, stmt, p, src, raises, guard, origin=call, sink=sink))
        return out
    name = bound_name(stmt, call)
    if name is None:
        return out
    for s, n, ps in uses_of(g, func, stmt, name):
        q = ps.get(id(n))
        if q is None or not _reads_match(q, n, readers):
            continue
        if cfg.applies("value_test", "match") and _value_tested(func, s, q, ps, {name}):
            guard = "check"
        else:
            guard = failure_guard(g, func, s, raises, "match")
        out.append(Flow("match", op, func, s, q, src, raises, guard, name, call, sink=sink))
    return out


def _pieces_flows(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, sink: Sink,
                  arg: Optional[ir.Expr]) -> list[Flow]:
    """Fixed-position reads of a split/findall result: `r[i]` with an index that may not exist,
    or unpacking into a fixed number of names."""
    src = model_text(g, arg, func, stmt)
    if src is None:
        return []
    cfg = config()
    raises = cfg.raises("pieces")
    tests = cfg.applies("value_test", "pieces")
    any_index = sink.empty
    op = sink.method or sink.call.rsplit(".", 1)[-1]
    receiver = ir.dotted(arg) if sink.method and arg is not None else None
    out: list[Flow] = []
    maxsplit = None
    if not any_index:
        ms = call.argument("maxsplit", 1)
        maxsplit = int_index(ms) if ms is not None else None
    # split() on whitespace and splitlines() give [] for an empty reply: even [0] can fail there,
    # while split(sep) always gives at least one piece
    may_be_empty = any_index or splits_on_whitespace(call)

    # `rest = reply[reply.find("SCORES:"):]`: `rest.split(":")` has two pieces at least (LOPE010 has the find)
    two = bool(receiver and (sep := split_separator(call)) and cut_from_marker(g, func, stmt, arg, sep))

    def risky(i: Optional[int]) -> bool:
        if i is None:
            return False
        if two:
            return i >= 2 or i <= -3
        return True if may_be_empty else (i >= 1 or i <= -2)

    def unpacks(target: ir.Expr) -> bool:
        return fixed_unpack(target, maxsplit, any_index) and not (two and isinstance(target, ir.Seq)
                                                                  and len(target.elts) == 2)

    # with a literal separator, a test of the text counts only if it can tell whether the text holds
    # it (`"Answer:" in reply`), not `reply.startswith("Action")` before `splitlines()[1]`
    sep = split_separator(call) if receiver else None

    def tested(s: ir.Stmt, node: Optional[ir.Expr], ps: dict[int, ir.Expr], names: set[str]) -> bool:
        strict = {receiver} if receiver and sep else set()
        if names - strict and _value_tested(func, s, node, ps, names - strict):
            return True
        if not (strict and receiver and sep):
            return False
        text, separator = receiver, sep

        def holds(t: ir.Expr) -> bool:
            return tests_separator(t, text, separator)
        return (node is not None and guarded_in_expr(node, ps, holds)) or tested_before(func, s, holds)

    def guard_of(s: ir.Stmt, node: Optional[ir.Expr], ps: dict[int, ir.Expr], names: set[str]) -> str:
        if tests and tested(s, node, ps, names):
            return "check"
        return failure_guard(g, func, s, raises, "pieces")


    guards = {receiver} if receiver else set()
    parents = expr_parents(stmt)
    pieces = same_length_view(g, func, stmt, call, parents)
    p = parents.get(id(pieces))
    if isinstance(p, ir.Subscript) and p.value is pieces and risky(int_index(p.index)):
        out.append(Flow("index", op, func, stmt, p, src, raises, guard_of(stmt, p, parents, guards), origin=call,
                        sink=sink))
        return out
    whole: ir.Expr = p if isinstance(p, ir.Subscript) and p.value is pieces and isinstance(p.index, ir.Slice) else pieces
    if isinstance(stmt, ir.Assign) and stmt.value is whole and len(stmt.targets) == 1 \
            and unpacks(stmt.targets[0]):
        out.append(Flow("unpack", op, func, stmt, stmt.targets[0], src, raises, guard_of(stmt, None, parents, guards),
                        origin=call, sink=sink))
        return out
    name = bound_name(stmt, pieces)
    if name is None:
        return out
    for s, n, ps in uses_of(g, func, stmt, name):
        q = ps.get(id(n))
        if isinstance(q, ir.Subscript) and q.value is n and risky(int_index(q.index)):
            use: ir.Expr = q
            kind = "index"
        elif isinstance(s, ir.Assign) and s.value is n and len(s.targets) == 1 \
                and unpacks(s.targets[0]):
            use, kind = s.targets[0], "unpack"
        else:
            continue
        out.append(Flow(kind, op, func, s, use, src, raises, guard_of(s, use, ps, guards | {name}), name, call,
                        sink=sink))
    return out


_SINK_KINDS: dict[str, Callable[..., list[Flow]]] = {
    "parse": _parse_flows,
    "match": _match_flows,
    "pieces": _pieces_flows,
}


def _parsed_values(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, s: EvalAt) -> list[Parsed]:
    """The unvalidated structures parsed from model text `e` may be, in a stable order (shortest
    path first, then by model call and parse): value sets are frozensets, whose order varies
    between runs."""
    vals = [v for v in g.values(e, func, s) if isinstance(v, Parsed) and not v.validated]

    def key(v: Parsed) -> tuple:
        src = v.source
        last = src.steps[-1] if src.steps else ("", (0, 0, 0, 0), "")
        return (len(src.steps), src.site[0], src.site[1].pos, last[0], last[1], v.how)

    return sorted(vals, key=lambda v: (key(v), value_key(v)))


def _key_flows(g: ProjectGraph, parses: list[Flow]) -> list[Flow]:
    """`data["action"]` / `data[0]` on a structure parsed from model text, for parses that are
    themselves guarded by a handler (an unguarded parse is the root cause to report instead), and
    in the callers of a parsing helper that only returns what an unguarded parse gave: they, not
    the helper, assume its fields, and guarding the parse leaves them reading fields a valid reply
    may lack."""
    # tool-call arguments: which keys they carry is the tool schema's business (IETI), not the reply's
    by_pos = {(u.path, u.expr.pos): u for u in parses if u.kind == "parse" and not u.tool_arguments}
    out: list[Flow] = []
    filling = has_filling_helpers(g)
    if not by_pos and not filling:
        return out  # no parse a key read may follow (and nothing to resolve)
    cfg = config()
    raises = cfg.raises("key")
    tests = cfg.applies("membership_test", "key")
    seen: set[int] = set()
    read_where_parsed: set[int] = set()  # unguarded parses whose own function reads their keys
    elsewhere: list[tuple[Flow, Flow]] = []  # (read, unguarded parse) in another function
    for func in g.agent.functions():
        for e, s in func.walk(ir.Subscript):
            if id(e) in seen or not isinstance(e, ir.Subscript):
                continue
            idx = e.index
            if not (isinstance(idx, ir.Constant) and isinstance(idx.value, (str, int)) and not isinstance(idx.value, bool)):
                continue
            parsed = _parsed_values(g, e.value, func, s)
            if not parsed:
                found = found_entries(g, e.value, func, s, idx.value) if filling else None
                if found is not None and not (isinstance(s, ir.Assign) and any(t is e for t in s.targets)):
                    seen.add(id(e))
                    out.append(_found_key_flow(g, func, s, e, found, cfg.raises("key"), tests))
                continue
            pv = parsed[0]
            step = pv.source.steps[-1] if pv.source.steps else None
            parse = by_pos.get((step[0], step[1])) if step else None
            if parse is None or (parse.guard not in ("try", "suppress", "") and not _json_mode_parse(g, parse)):
                continue
            # a store (`data["k"] = v`) is not a read
            if isinstance(s, ir.Assign) and any(t is e for t in s.targets):
                continue
            if parse.guard == "" and parse.func is func:
                read_where_parsed.add(id(parse))
                continue
            seen.add(id(e))
            names = {n for n in [ir.dotted(e.value)] if n}
            # YAML reads prose as a string (a key read raises TypeError): a KeyError handler does not cover it
            need = cfg.raises("prose_key") if parse.sink is not None and parse.sink.prose else raises
            if tests and (keys_tested_in_expr(e, expr_parents(s), names) or any(membership_checked(func, s, n) for n in names)):
                guard = "check"
            elif parse.func is not func and tested_before_return(parse):
                guard = "check"
            elif need is not raises and names and _type_tested(g, func, s, e, expr_parents(s), e.value, min(names)):
                guard = "check"  # `isinstance(data, dict)` before a key of what YAML gave
            else:
                guard = failure_guard(g, func, s, need, "key")
            flow = Flow("key", repr(idx.value), func, s, e, pv, need, guard, ir.dotted(e.value), sink=parse.sink)
            if parse.guard:
                out.append(flow)
            else:
                elsewhere.append((flow, parse))
    out.extend(flow for flow, parse in elsewhere if id(parse) not in read_where_parsed)
    return out


def _found_key_flow(g: ProjectGraph, func: FunctionInfo, s: ir.Stmt, e: ir.Subscript, found: Parsed,
                    raises: tuple[str, ...], tests: bool) -> Flow:
    """`d["result"]` on the dict a helper fills only with the tags it finds in the reply."""
    names = {n for n in [ir.dotted(e.value)] if n}
    if tests and (keys_tested_in_expr(e, expr_parents(s), names) or any(membership_checked(func, s, n) for n in names)):
        guard = "check"
    else:
        guard = failure_guard(g, func, s, raises, "key")
    assert isinstance(e.index, ir.Constant)
    return Flow("key", repr(e.index.value), func, s, e, found, raises, guard, ir.dotted(e.value))


def _json_mode_parse(g: ProjectGraph, parse: Flow) -> bool:
    """A parse made safe only by JSON mode: the reply is valid JSON, but its keys are the model's
    choice (a schema would fix them)."""
    return parse.guard == "structured-output" and json_mode_only(g, parse.llm)


def tested_before_return(parse: Flow) -> bool:
    """Does the function of `parse` test what it parsed before it returns it (`if "name" in data:
    return data`, `if isinstance(data, dict): return data["args"]`)? Then its callers get a checked
    structure (precision first: any test of the name counts)."""
    if not isinstance(parse.origin, ir.Call):
        return False
    name = bound_name(parse.stmt, parse.origin)
    if name is None:
        return False
    rets = [r for r in parse.func.returns if r.value is not None and name in names_in(r.value)]
    return bool(rets) and all(checked_before(parse.func, r, name) for r in rets)


def _tested_in_parsing_helper(pv: Parsed, func: FunctionInfo, by_pos: dict[tuple, Flow]) -> bool:
    step = pv.source.steps[-1] if pv.source.steps else None
    parse = by_pos.get((step[0], step[1])) if step is not None else None
    return parse is not None and parse.func is not func and tested_before_return(parse)


def _guarded_parses(parses: list[Flow]) -> dict[tuple, Flow]:
    """The parses of model text (not tool-call arguments) by (path, position) whose parse error
    is handled: what a parsed structure is read after."""
    return {(u.path, u.expr.pos): u for u in parses
            if u.kind == "parse" and not u.tool_arguments and u.guard in ("try", "suppress", "lenient")}


def _prose_allowed(pv: Parsed, by_pos: dict[tuple, Flow]) -> bool:
    """An `in` test fails on a parsed number, boolean or null, which comes from a reply that may be
    prose: one whose parse handler keeps the unparsed text (see text_kept_on_parse_failure)."""
    step = pv.source.steps[-1] if pv.source.steps else None
    parse = by_pos.get((step[0], step[1])) if step is not None else None
    return (parse is not None and isinstance(parse.origin, ir.Call)
            and text_kept_on_parse_failure(parse.func, parse.stmt, parse.origin, parse.raises))


def _parsed_from_guarded(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, s: ir.Stmt,
                         by_pos: dict[tuple, Flow]) -> Optional[Parsed]:
    for pv in _parsed_values(g, e, func, s):
        step = pv.source.steps[-1] if pv.source.steps else None
        if step is not None and (step[0], step[1]) in by_pos:
            return pv
        return None
    return None


def _type_tested(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, node: ir.Expr, parents: dict[int, ir.Expr],
                  value: ir.Expr, name: str) -> bool:
    """`isinstance(name, dict)` / `type(name) is dict` tested before `node` (in its expression or
    before `stmt`), or the same test of another name for the same field of the same reply
    (`command = reply["command"]` tested, `agent.pending`, stored from `reply["command"]`, used)."""
    names = config().names.get("type_test", frozenset())

    def test(t: Optional[ir.Expr]) -> bool:
        for x in ir.walk_expr(t):
            if isinstance(x, ir.Call) and ir.dotted(x.func) in names and x.args and (
                    ir.dotted(x.args[0]) == name or same_field(g, x.args[0], value, func, stmt)):
                return True
        return False

    return guarded_in_expr(node, parents, test) or tested_before(func, stmt, test)


def _shape_flows(g: ProjectGraph, parses: list[Flow]) -> list[Flow]:
    """A structure parsed from model text used as a dict (`data.get(...)`, `**data`, `"k" in data`)
    after a guarded parse, with no type test: valid JSON that is not an object fails there."""
    by_pos = _guarded_parses(parses)
    if not by_pos:
        return []
    cfg = config()
    raises = cfg.raises("shape")
    methods = frozenset(cfg.kinds.get("shape", {}).get("dict_methods", ()))
    tests = cfg.applies("type_test", "shape")
    membership = bool(cfg.kinds.get("shape", {}).get("membership", False))
    keys_tested = cfg.applies("membership_test", "shape")
    schema = cfg.applies("structured_output", "shape")
    objects = cfg.applies("object_text", "shape")
    out: list[Flow] = []
    for func in g.agent.functions():
        parents: Optional[dict[int, ir.Expr]] = None
        at_stmt: Optional[ir.Stmt] = None
        # the function's own expressions of these classes, in walk order (the graph's index)
        for x, s in func.walk(ir.Call, ir.Dict, ir.Compare):
            if s is not at_stmt:
                at_stmt, parents = s, None
            used: list[tuple[ir.Expr, ir.Expr, str]] = []  # (report at, the parsed value, how)
            if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in methods:
                used.append((x, x.func.value, f".{x.func.attr}()"))
            elif isinstance(x, ir.Call):
                used += [(x, kw.value, "**") for kw in x.keywords if kw.name is None]
            elif isinstance(x, ir.Dict):
                used += [(v, v, "**") for k, v in zip(x.keys, x.values, strict=False) if k is None]
            elif membership and isinstance(x, ir.Compare) and x.ops and x.ops[0] in ("in", "not in"):
                used.append((x, x.comparators[0], "in"))
            for at, value, how in used:
                name = ir.dotted(value)
                if name is None:
                    continue
                pv = _parsed_from_guarded(g, value, func, s, by_pos)
                if pv is None:
                    continue
                if isinstance(s, ir.Assign) and any(t is value for t in s.targets):
                    continue
                if how == "in" and (not _prose_allowed(pv, by_pos) or key_path(g, value, func, s)):
                    # only a bare number/true/null reply makes `in` raise; a field inside the
                    # reply tested with `in` is the code checking its keys
                    continue
                parents = parents if parents is not None else expr_parents(s)
                if tests and _type_tested(g, func, s, at, parents, value, name):
                    guard = "check"
                elif keys_tested and (keys_tested_in_expr(at, parents, {name}) or membership_checked(func, s, name)):
                    guard = "check"
                else:
                    guard = failure_guard(g, func, s, raises, "shape")
                if not guard and schema and structured_output(g, pv.source) is not None:
                    guard = "structured-output"
                if not guard and objects and _parses_object_text(g, pv, by_pos):
                    guard = "check"
                if not guard and _tested_in_parsing_helper(pv, func, by_pos):
                    guard = "check"
                out.append(Flow("shape", how, func, s, at, pv, raises, guard, name))
    return out


def _parses_object_text(g: ProjectGraph, pv: Parsed, by_pos: dict[tuple, Flow]) -> bool:
    """Is the text `pv` was parsed from cut to start at an opening brace (taint.toml `object_text`)?"""
    step = pv.source.steps[-1] if pv.source.steps else None
    parse = by_pos.get((step[0], step[1])) if step is not None else None
    if parse is None or parse.origin is None or not parse.origin.args:
        return False
    return starts_with_opener(g, parse.origin.args[0], parse.func, parse.stmt, 2)
