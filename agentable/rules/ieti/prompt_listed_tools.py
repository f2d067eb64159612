"""Tools a hand-written agent lists in its prompt as text (`- search(query): look the query up on
the web`) and the function its dispatch runs for that name (`TOOLS[name](arg)`,
`getattr(self, name)(arg)`), for IETI005: the prompt's lines are the description the model reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import FuncRef, Parsed
from agentable.query.protocol import prompt_text
from agentable.query.reply_prompt import reply_prompt
from agentable.query.tool_dispatch import ToolDispatch, dispatch_container, getattr_methods, tool_dispatches

_MAX_LINES = 3  # lines of the prompt kept per mention: the listing line and its continuation
_MAX_CHARS = 600


@dataclass(frozen=True)
class PromptListedTool:
    name: str  # the name the model writes
    func: FunctionInfo  # what the dispatch runs for it
    description: str  # the prompt's lines that name it
    dispatch: ToolDispatch


def _named_targets(g: ProjectGraph, d: ToolDispatch) -> dict[str, FunctionInfo]:
    """Name the model writes -> project function run for it: the string keys of the dispatch's dict
    literal, or the public methods of the object `getattr` reads."""
    if d.kind == "getattr":
        return getattr_methods(g, d)
    out: dict[str, FunctionInfo] = {}
    container = dispatch_container(d)
    if container is None:
        return out
    for mapping in g.literal_mappings(container, d.func, d.stmt, g.resolver):
        for key, vs in mapping.items():
            if not isinstance(key, str):
                continue
            for v in vs:
                if isinstance(v, FuncRef) and v.qualname in g.functions:
                    out.setdefault(key, g.functions[v.qualname])
    return out


def _lines_naming(prompt: str, name: str) -> str:
    """The prompt's lines that name the tool as a word (with a more indented line after each: the
    listing's continuation), or ""."""
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")
    lines = prompt.splitlines()
    kept: list[str] = []
    for i, line in enumerate(lines):
        if word.search(line):
            kept += [line] if line not in kept else []
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt.strip() and _indent(nxt) > _indent(line) and nxt not in kept:
                kept.append(nxt)
        if len(kept) >= _MAX_LINES:
            break
    return "\n".join(kept[:_MAX_LINES])[:_MAX_CHARS]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _prompt_of(g: ProjectGraph, d: ToolDispatch) -> Optional[str]:
    src = d.source.source if isinstance(d.source, Parsed) else d.source
    c = g.agent.llm_call_at(src.site[1])
    if c is None:
        return None
    rp = reply_prompt(g, c, d.func, d.stmt)
    return rp.text if rp is not None else prompt_text(g, c)


def prompt_listed_tools(g: ProjectGraph) -> list[PromptListedTool]:
    """Each (name, function) a model-chosen dispatch runs whose name the reply's prompt lists."""
    out: list[PromptListedTool] = []
    seen: set[tuple[str, str]] = set()
    for d in tool_dispatches(g):
        targets = _named_targets(g, d)
        if not targets:
            continue
        prompt = _prompt_of(g, d)
        if not prompt:
            continue
        for name, func in targets.items():
            if len(name) < 3 or (name, func.qualname) in seen or func.node is None:
                continue
            text = _lines_naming(prompt, name)
            if text:
                seen.add((name, func.qualname))
                out.append(PromptListedTool(name, func, text, d))
    return out
