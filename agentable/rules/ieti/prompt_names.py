"""Prompts that tell the model to call a tool by name ("call the `refund_order` function") where the
project defines no such tool: a renamed or removed tool, or one copied from another agent's prompt.

Only a prompt that also names a tool the project does define is judged (its tools are the
project's own, not a library's or a server's loaded at run time), and a name is missing only when
it occurs nowhere in the project's files except in such instructions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph
from agentable.query.prompt_tool_mentions import own_agent_prompts

# "call the change_intent function", "use `lookup_order` tool", "invoke the `search_docs` tool"
_INSTRUCTION = re.compile(
    r"\b(?:call|calling|use|using|invoke|invoking|run)\s+(?:the\s+)?[`'\"*]{0,2}"
    r"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)[`'\"*]{0,2}(?:\(\))?\s+(?:function|tool)\b", re.IGNORECASE)

# "using function `get_tool_doc`", "call the tool 'lookup_order'": the word first, the name quoted
_INSTRUCTION_NAMED_AFTER = re.compile(
    r"\b(?:call|calling|use|using|invoke|invoking|run)\s+(?:the\s+)?(?:function|tool)\s+[`'\"]"
    r"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)[`'\"]", re.IGNORECASE)

@dataclass(frozen=True)
class MissingTool:
    name: str
    path: str
    pos: ir.Pos        # the prompt line that names it
    known: tuple[str, ...]  # tools the same prompt names that the project does define
    close: Optional[str] = None  # a tool or function of the project the name is a slip of
    own_text: bool = False  # the text is the `close` tool's own (its error message), naming no other tool
    given: bool = False  # `known` are the tools the agent this prompt instructs is given, not names in it


def _mentions(text: str) -> list[tuple[str, int]]:
    found = [(m.group(1), m.start(1)) for p in (_INSTRUCTION, _INSTRUCTION_NAMED_AFTER) for m in p.finditer(text)]
    return sorted(found, key=lambda hit: hit[1])


def _instructs(text: str) -> bool:
    return bool(_INSTRUCTION.search(text) or _INSTRUCTION_NAMED_AFTER.search(text))


def _literal(e: ir.Expr) -> Optional[str]:
    """The text of a string literal; an f-string's with `{}` for each value (error texts the tool
    returns are f-strings as often as not)."""
    if isinstance(e, ir.Constant):
        return e.value if isinstance(e.value, str) else None
    return e.literal_text() if isinstance(e, ir.FString) else None


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
    shapes = g.catalog.external_tool_imports
    packages = frozenset(shapes.get("packages", ()))
    endings, loaders = tuple(shapes.get("class_endings", ())), frozenset(shapes.get("loaders", ()))
    own = {name.split(".")[0] for name in g.modules}
    for mod in g.modules.values():
        for target in mod.imports.values():
            parts = target.lstrip(".").split(".")
            if not parts or parts[0] in own or target.startswith("."):
                continue
            if g.find_module(target, mod) is not None or g.find_module(target.rpartition(".")[0], mod) is not None:
                continue  # the project's own module, imported by a path relative to a script's folder
            last = parts[-1]
            if any(p in packages for p in parts) or (endings and last.endswith(endings)) or last in loaders:
                return True
    return False


@per_graph
def prompts_naming_missing_tools(g: ProjectGraph) -> list[MissingTool]:
    if _library_tools_in_play(g):
        return []
    defined = _defined_names(g)
    by_text: dict[str, list[tuple[str, ir.Expr, str]]] = {}
    for func in g.agent.functions():
        if g.is_test_code(func.path):
            continue
        for e, _ in func.walk(ir.Constant, ir.FString):
            text = _literal(e)
            if text is not None and len(text) >= 40 and _instructs(text):
                by_text.setdefault(text, []).append((func.path, e, func.name))
    candidates: dict[str, list[tuple[str, ir.Expr, tuple[str, ...], bool, bool]]] = {}
    given = _agent_tools_by_literal(g)
    for text, sites in by_text.items():
        names = dict.fromkeys(n for n, _ in _mentions(text))
        known = tuple(n for n in names if n in defined)
        path, const, owner = sites[0]
        from_agent = False
        if not known:  # the prompt of an agent whose tools are all written out: they are the known ones
            known = next((given[(p, c.pos)] for p, c, _ in sites if (p, c.pos) in given), ())
            from_agent = bool(known)
        for name in names:
            if name in defined:
                continue
            if known:
                candidates.setdefault(name, []).append((path, const, known, False, from_agent))
            elif _close_name(name, defined) == owner and not any(
                    o and c is not const and p == path for p, c, _, o, _a in candidates.get(name, ())):
                # a tool's own text (its error message) names it with a slip: "call the
                # `add_file_to_context` tool again" returned by add_files_to_context (once a file)
                candidates.setdefault(name, []).append((path, const, (owner,), True, False))
            # else none of the named tools is the project's own: it may use a library's or a server's
    out: list[MissingTool] = []
    all_prompts = set(by_text)
    for name, hits in sorted(candidates.items()):
        if _occurs_elsewhere(g, name, {t for t in all_prompts if name in t}):
            continue
        for path, const, known, own_text, from_agent in hits:
            text = _literal(const) or ""
            offset = next(off for n, off in _mentions(text) if n == name)
            line = const.pos[0] + text.count("\n", 0, offset)
            out.append(MissingTool(name, path, (line, 0, line, 0), known, _close_name(name, defined), own_text,
                                   from_agent))
    return out


def _agent_tools_by_literal(g: ProjectGraph) -> dict[tuple[str, ir.Pos], tuple[str, ...]]:
    """(path, position) of each literal of an own agent's prompt -> the tools that agent is given."""
    return {(f.path, e.pos): tuple(sorted(a.bound)) for a in own_agent_prompts(g) for e, f in a.literals}


_CLOSE = 0.85  # add_file_to_context / add_files_to_context: 0.98; search_web / web_search: 0.5


def _close_name(name: str, defined: set[str]) -> Optional[str]:
    """The project's name `name` most looks like a slip of (a letter dropped or added, a plural)."""
    best, score = None, _CLOSE
    for other in sorted(defined):
        r = SequenceMatcher(None, name, other).ratio()
        if r > score:
            best, score = other, r
    return best


def missing_tools(g: ProjectGraph) -> Iterator[MissingTool]:
    yield from prompts_naming_missing_tools(g)
