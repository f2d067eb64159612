"""Prompts that tell the model to call a tool by name ("call the `refund_order` function") where the
project defines no such tool: a renamed or removed tool, or one copied from another agent's prompt.

Only a prompt that also names a tool the project does define is judged (its tools are the
project's own, not a library's or a server's loaded at run time), and a name is missing only when
it occurs nowhere in the project's files except in such instructions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph

# "call the change_intent function", "use `lookup_order` tool", "invoke the `search_docs` tool"
_INSTRUCTION = re.compile(
    r"\b(?:call|calling|use|using|invoke|invoking|run)\s+(?:the\s+)?[`'\"*]{0,2}"
    r"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)[`'\"*]{0,2}(?:\(\))?\s+(?:function|tool)\b", re.IGNORECASE)

# Import paths and names that bring tools defined outside the project.
_TOOL_PACKAGES = frozenset({"tools", "tool", "toolkits", "toolkit", "mcp", "agent_toolkits"})
_TOOL_CLASS_ENDINGS = ("Tool", "Tools", "Toolkit", "ToolSpec", "SearchResults", "Search", "Run")
_TOOL_LOADERS = frozenset({"load_tools", "get_tools", "load_mcp_tools", "MCPServerStdio", "MCPServerSse"})


@dataclass(frozen=True)
class MissingTool:
    name: str
    path: str
    pos: ir.Pos        # the prompt line that names it
    known: tuple[str, ...]  # tools the same prompt names that the project does define


def _mentions(text: str) -> list[tuple[str, int]]:
    return [(m.group(1), m.start(1)) for m in _INSTRUCTION.finditer(text)]


def _defined_names(g: ProjectGraph) -> set[str]:
    names = {f.name for f in g.functions.values()}
    names |= {t.name for t in g.agent.tools if t.name}
    return names


def _occurs_elsewhere(g: ProjectGraph, name: str, prompts: set[str]) -> bool:
    """Does `name` occur, as a word, anywhere in the project but in these instruction phrases?"""
    word = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")
    expected = sum(len(word.findall(p)) for p in prompts)  # the prompt literals themselves
    found = 0
    for mod in g.modules.values():
        found += len(word.findall(mod.ir.source))
        if found > expected:
            return True
    artifacts = g.artifacts  # None: the scan found no prompt, settings or spec files
    for rel in sorted(artifacts.paths) if artifacts is not None else ():  # prompts, settings, tool specs kept beside the code
        text = artifacts.text(rel) if artifacts is not None else None
        if text is not None and word.search(text):
            return True
    return False


def _library_tools_in_play(g: ProjectGraph) -> bool:
    """Does the project import tools from a library or a tool server (`TavilySearchResults`,
    `WebSearchTool`, `load_tools`, an MCP client)? Their names live outside the project, so a name
    the project lacks may be one of theirs."""
    own = {name.split(".")[0] for name in g.modules}
    for mod in g.modules.values():
        for target in mod.imports.values():
            parts = target.lstrip(".").split(".")
            if not parts or parts[0] in own or target.startswith("."):
                continue
            if g.find_module(target, mod) is not None or g.find_module(target.rpartition(".")[0], mod) is not None:
                continue  # the project's own module, imported by a path relative to a script's folder
            last = parts[-1]
            if any(p in _TOOL_PACKAGES for p in parts) or last.endswith(_TOOL_CLASS_ENDINGS) \
                    or last in _TOOL_LOADERS:
                return True
    return False


@per_graph
def prompts_naming_missing_tools(g: ProjectGraph) -> list[MissingTool]:
    if _library_tools_in_play(g):
        return []
    defined = _defined_names(g)
    by_text: dict[str, list[tuple[str, ir.Constant]]] = {}
    for func in g.agent.functions():
        if g.is_test_code(func.path):
            continue
        for e, _ in func.walk(ir.Constant):
            if isinstance(e, ir.Constant) and isinstance(e.value, str) and len(e.value) >= 40 \
                    and _INSTRUCTION.search(e.value):
                by_text.setdefault(e.value, []).append((func.path, e))
    candidates: dict[str, list[tuple[str, ir.Constant, tuple[str, ...]]]] = {}
    for text, sites in by_text.items():
        names = dict.fromkeys(n for n, _ in _mentions(text))
        known = tuple(n for n in names if n in defined)
        if not known:
            continue  # none of the named tools is the project's own: it may use a library's or a server's
        for name in names:
            if name not in defined:
                path, const = sites[0]
                candidates.setdefault(name, []).append((path, const, known))
    out: list[MissingTool] = []
    all_prompts = set(by_text)
    for name, hits in sorted(candidates.items()):
        if _occurs_elsewhere(g, name, {t for t in all_prompts if name in t}):
            continue
        for path, const, known in hits:
            text = str(const.value)
            offset = next(off for n, off in _mentions(text) if n == name)
            line = const.pos[0] + text.count("\n", 0, offset)
            out.append(MissingTool(name, path, (line, 0, line, 0), known))
    return out


def missing_tools(g: ProjectGraph) -> Iterator[MissingTool]:
    yield from prompts_naming_missing_tools(g)
