"""Tools a prompt names by name, paired with where the code binds them (IETI006).

A prompt sent to a tool-calling model often lists its tools ("1. **web_search**: ..."). When the
prompt text is fixed but every reference to one listed tool's function sits inside an `if` branch
(one provider of several, a feature flag), the prompt names a tool that the other settings never
bind. Code alone answers this, so no checker question is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, cast

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall, ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.cpg.own_agent_tools import OwnAgentSite
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.tools import own_agent_constructions
from agentable.cpg.values import FuncRef
from agentable.query.facts import EvalAt, per_graph
from agentable.query.literals import source_text
from agentable.query.protocol import strings_reaching

_PROMPT_ROLES = ("messages", "prompt", "system", "input", "instructions")
# tests that do not choose a configuration: a script's entry point, imports for type checkers
_NOT_SETTINGS = ("__name__", "TYPE_CHECKING")


@dataclass(frozen=True)
class ToolMention:
    tool_name: str
    func_name: str
    prompt_path: str
    prompt_pos: ir.Pos  # the line of the prompt that names the tool
    call_path: str
    call_line: int
    condition: str  # source text of the `if` test the only references sit under
    ref_path: str
    ref_line: int


def _binds_tools(c: LLMCall) -> bool:
    if c.setting("tools") is not None:
        return True
    return any(isinstance(b.func, ir.Attribute) and "tool" in b.func.attr and (b.args or b.keywords)
               for _path, b in c.binds)


def _prompt_parts(g: ProjectGraph, c: LLMCall) -> list[str]:
    parts: list[str] = []
    for role in _PROMPT_ROLES:
        s = c.setting(role)
        if s is not None:
            parts += strings_reaching(g, s.expr, s.func, cast(EvalAt, s.stmt))
    if not parts and c.call.args:
        parts += strings_reaching(g, c.call.args[0], c.func, c.site.stmt)
    return parts


@lru_cache(maxsize=None)  # one per tool name: re's own cache (512 patterns) thrashed on projects with more tools
def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w(])")


def _conditions(func: FunctionInfo, stmt: ir.Stmt) -> list[ir.If]:
    return [a for a in func.ancestors(stmt) if isinstance(a, ir.If)]


def _sees(f: FunctionInfo, tool: FunctionInfo) -> bool:
    """Does `f`'s module define the tool function or import it by name from the tool's module?"""
    if f.module is tool.module:
        return True
    target = f.module.imports.get(tool.name, "")
    mod, _, last = target.rpartition(".")
    if last != tool.name or not mod:
        return False
    rest = mod.lstrip(".")
    if len(rest) < len(mod):  # relative: from the importing module's package, one level up per extra dot
        pkg = f.module.name.split(".")
        if not f.module.ir.is_package:
            pkg = pkg[:-1]
        up = len(mod) - len(rest) - 1
        pkg = pkg[:len(pkg) - up] if up else pkg
        mod = ".".join([*pkg, rest] if rest else pkg)
    return tool.module.name == mod or tool.module.name.endswith("." + mod)


def _tests_for_name(test: ir.Expr, name: str) -> bool:
    """Does the test compare something with the literal `name` (a dispatch on the tool's name)?"""
    return any(isinstance(x, ir.Compare) and any(ir.string_value(c) == name for c in (x.left, *x.comparators))
               for x in ir.walk_expr(test))


def _only_conditional(g: ProjectGraph, tool: FunctionInfo) -> Optional[tuple[FunctionInfo, ir.If]]:
    """The `if` the references to the tool function all sit under (the first found), or None
    when one reference is unconditional or there is none outside the tool's definition."""
    name = tool.name
    found: Optional[tuple[FunctionInfo, ir.If]] = None
    for f in g.functions.values():
        if g.is_test_code(f.path) or name not in f.module.ir.source or not _sees(f, tool):
            continue
        for e, stmt in f.walk(ir.Name, ir.Attribute):
            ref = e.id if isinstance(e, ir.Name) else cast(ir.Attribute, e).attr
            if ref != name:
                continue
            ifs = _conditions(f, stmt)
            if isinstance(stmt, ir.If) and any(x is e for x in ir.walk_expr(stmt.test)):
                continue  # a test of the tool itself, not a binding
            if any(_tests_for_name(i.test, name) for i in ifs):
                continue  # `if tool_name == "search": search(...)`: a dispatch runs it, nothing binds it here
            if not ifs:
                return None
            test = source_text(g, f.path, ifs[0].test)
            if any(s in test for s in _NOT_SETTINGS):
                return None
            found = found or (f, ifs[0])
    return found


@per_graph
def conditional_tool_mentions(g: ProjectGraph) -> list[ToolMention]:
    tools = {t.name: t for t in g.agent.tools
             if t.name and t.func is not None and re.fullmatch(r"[A-Za-z]\w*_\w+", t.name)}
    if not tools:
        return []
    out: list[ToolMention] = []
    seen: set[tuple[str, str]] = set()
    for c in g.agent.llm_calls:
        if not _binds_tools(c):
            continue
        parts = [p for p in dict.fromkeys(_prompt_parts(g, c)) if len(p) >= 40]
        for name, tool in sorted(tools.items()):
            pattern = _word(name)
            texts = [p for p in parts if pattern.search(p)]
            if not texts or tool.func is None:
                continue
            cond = _only_conditional(g, tool.func)
            if cond is None:
                continue
            ref_func, branch = cond
            test = source_text(g, ref_func.path, branch.test)
            if any(source_text(g, c.func.path, i.test) == test for i in _conditions(c.func, c.site.stmt)):
                continue  # the prompt is sent under the same condition
            where = _prompt_line(g, texts, pattern)
            if where is None or (where[0], name) in seen:
                continue
            seen.add((where[0], name))
            out.append(ToolMention(name, tool.func.name, where[0], where[1], c.func.path, c.call.pos[0], test,
                                   ref_func.path, branch.pos[0]))
    return out


def _prompt_line(g: ProjectGraph, texts: list[str], pattern: re.Pattern[str]) -> Optional[tuple[str, ir.Pos]]:
    """The line of the string literal that names the tool first."""
    wanted = set(texts)
    for f in g.functions.values():
        for e, _stmt in f.walk(ir.Constant):
            if not isinstance(e.value, str) or e.value not in wanted:
                continue
            m = pattern.search(e.value)
            if m is None:
                continue
            line = e.pos[0] + e.value.count("\n", 0, m.start())
            return f.path, (line, 0, line, 0)
    return None


@dataclass(frozen=True)
class UnboundMention:
    """A project tool that a call's prompt names while the tools passed to that call leave it out."""

    tool_name: str
    prompt_path: str
    prompt_pos: ir.Pos
    call_path: str
    call_line: int
    bound: tuple[str, ...]  # the tools the call does pass, by name
    agent: bool = False  # the prompt is an own agent's (`Agent(instructions=..., functions=[...])`), call_* its construction


def _bound_names(g: ProjectGraph, c: LLMCall) -> Optional[set[str]]:
    """The names of the tools a call passes, when `tools=` is a list literal whose every item is a
    tool schema the graph recognised (catalog tool schema forms) with a known name; else None."""
    s = c.setting("tools")
    if s is None or s.func is None:
        return None
    found = g.bound_literal(s.expr, s.func, s.stmt, (ir.Seq,))
    if found is None:
        return None
    seq, owner, at = found
    schemas = _schema_tools(g)
    names: set[str] = set()
    for el in seq.elts:
        lit = g.bound_literal(el, owner, at, (ir.Dict,))
        tool = schemas.get(id(lit[0])) if lit is not None else None
        if tool is None or not tool.name:
            return None
        names.add(tool.name)
    return names or None


@per_graph
def _schema_tools(g: ProjectGraph) -> dict[int, ToolDef]:
    """The project's schema tools, by the identity of their schema dict literal."""
    return {id(t.schema): t for t in g.agent.tools if t.schema is not None}


@dataclass(frozen=True)
class AgentPrompt:
    """The prompt of one of the project's own agent constructions (`Agent(instructions=...,
    functions=[f, g])`, cpg.own_agent_tools) whose tool list is written out in full: the
    literals of its other keyword arguments (a string, or a function that returns one)."""

    site: OwnAgentSite
    bound: frozenset[str]  # the tools the agent is given, by name
    literals: tuple[tuple[ir.Expr, FunctionInfo], ...]  # (string literal, the function it is in)


def _keyword_literals(g: ProjectGraph, site: OwnAgentSite) -> list[tuple[ir.Expr, FunctionInfo]]:
    """String literals of the construction's keywords other than its tool list: the literal
    itself, or the literals a function passed there returns (`instructions=instructions`)."""
    out: list[tuple[ir.Expr, FunctionInfo]] = []
    for kw in site.call.keywords:
        if kw.name == site.field:
            continue
        if isinstance(kw.value, (ir.Constant, ir.FString)):
            out.append((kw.value, site.func))
            continue
        for v in g.values(kw.value, site.func, site.stmt):
            fn = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
            if fn is None:
                continue
            for ret in fn.returns:
                if ret.value is not None:
                    out += [(e, fn) for e in ir.walk_expr(ret.value) if isinstance(e, (ir.Constant, ir.FString))]
    return out


@per_graph
def own_agent_prompts(g: ProjectGraph) -> list[AgentPrompt]:
    """The prompts of the project's own agents whose every listed tool is a project function."""
    out: list[AgentPrompt] = []
    for site in own_agent_constructions(g, g.agent):
        if not site.complete:
            continue
        bound = frozenset(g.functions[q].name for q in site.tools)
        out.append(AgentPrompt(site, bound, tuple(_keyword_literals(g, site))))
    return out


def _as_value(name: str, text: str) -> bool:
    """Is the name written as a string value in the prompt (`run_tool("vqa", ...)`): a name the
    model passes to another tool, not a tool it calls?"""
    return f'"{name}"' in text or f"'{name}'" in text


def _literal_text(e: ir.Expr) -> str:
    if isinstance(e, ir.Constant):
        return e.value if isinstance(e.value, str) else ""
    return e.literal_text() if isinstance(e, ir.FString) else ""


@per_graph
def unbound_tool_mentions(g: ProjectGraph) -> list[UnboundMention]:
    """Project tools (defined for another call or another script of the project) that a call's
    prompt lists beside tools the call does pass, while its written-out tool list leaves them out;
    likewise the prompt of one of the project's own agents beside the functions it lists."""
    tools = {t.name for t in g.agent.tools if t.name and re.fullmatch(r"[A-Za-z]\w*_\w+", t.name)}
    out: list[UnboundMention] = []
    seen: set[tuple[str, str]] = set()
    for c in g.agent.llm_calls:
        bound = _bound_names(g, c)
        if not bound:
            continue
        parts = [p for p in dict.fromkeys(_prompt_parts(g, c)) if len(p) >= 40]
        if not any(_word(n).search(p) for n in bound for p in parts):
            continue  # a prompt that names none of the call's tools is not its tool list
        for name in sorted(tools - bound):
            pattern = _word(name)
            texts = [p for p in parts if pattern.search(p)]
            where = _prompt_line(g, texts, pattern) if texts else None
            if where is None or (where[0], name) in seen:
                continue
            seen.add((where[0], name))
            out.append(UnboundMention(name, where[0], where[1], c.func.path, c.call.pos[0], tuple(sorted(bound))))
    for a in own_agent_prompts(g):
        lits = [(e, f, _literal_text(e)) for e, f in a.literals]
        lits = [(e, f, t) for e, f, t in lits if len(t) >= 40]
        if not any(_word(n).search(t) for n in a.bound for _e, _f, t in lits):
            continue
        for name in sorted(tools - a.bound):
            pattern = _word(name)
            hit = next(((e, f, m) for e, f, t in lits for m in [pattern.search(t)] if m is not None), None)
            if hit is None or any(_as_value(name, t) for _e, _f, t in lits):
                continue
            e, f, m = hit
            line = e.pos[0] + _literal_text(e).count("\n", 0, m.start())
            if (f.path, name) in seen:
                continue
            seen.add((f.path, name))
            out.append(UnboundMention(name, f.path, (line, 0, line, 0), a.site.func.path, a.site.call.pos[0],
                                      tuple(sorted(a.bound)), agent=True))
    return out
