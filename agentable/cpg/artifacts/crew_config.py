"""Names a CrewAI @CrewBase crew and its `config/agents.yaml` / `config/tasks.yaml` must agree on.

CrewAI (crewai.project.crew_base) loads both files into plain dicts with `yaml.safe_load` when the
crew class is instantiated, then, for *every* entry of tasks.yaml, looks up its `agent:` among the
class's `@agent` methods and each name of its `context:` among its `@task` methods, by method name
(`agents[agent_name]()`, `tasks[name]()`): a name that is not there raises KeyError before any
agent runs. The same is done for the names of every agent's (and task's) `tools:` list, looked up
among the class's `@tool` methods (`tool_functions[tool]()`). When the crew is built, every
`@agent` and `@task` method runs, so a method's `self.agents_config["researcher"]` whose key the
YAML lacks raises KeyError too. CrewAI does no
renaming: keys and names match exactly.

Only what is certain is reported: the YAML is the one the class names by a literal path (or the
default), parsed as a mapping, never changed in place by the class; the method names are judged
only when every base class of the crew is a project class (an external base may define more)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.artifacts.links import ArtifactLoad, artifact_links
from agentable.cpg.artifacts.model import Pos
from agentable.cpg.values import ExtRef

# The crewai.project decorators that make a method an agent or a task of the crew (by its name).
_DECORATOR_ROLES = {"agent": "agent", "task": "task", "tool": "tool"}
_CREWAI_ROOT = "crewai"
# entry key -> the decorator role the names it holds must have, for tasks.yaml and agents.yaml
_TASK_REFS = {"agent": "agent", "context": "task", "tools": "tool"}
_AGENT_REFS = {"tools": "tool"}


@dataclass(frozen=True)
class CrewConfigGap:
    kind: str  # key (a method reads a missing entry) | agent (a task's `agent:`) | context | tools (a name listed there)
    name: str  # the name that is not there
    path: str  # where it is written (a .py file for `key`, the tasks YAML otherwise)
    pos: Pos  # ir.Pos for a .py file; artifact Pos (0-based character columns) for a YAML file
    config: str  # the YAML file (for `key`: the one lacking the entry)
    crew_class: str
    known: tuple[str, ...]  # the names that do exist there
    entry: str = ""  # for agent/context/tools: the task (or agent) entry naming it
    entry_kind: str = "task"  # or "agent": an agents.yaml entry's `tools:`

    def suggestion(self) -> Optional[str]:
        close = difflib.get_close_matches(self.name, self.known, n=1, cutoff=0.68)
        return close[0] if close else None


def crew_config_gaps(g) -> list[CrewConfigGap]:
    """The config keys, task agents and task contexts of @CrewBase crews that do not exist;
    computed once per graph."""
    arts = getattr(g, "artifacts", None)
    if arts is None or not arts.paths:
        return []
    hit = getattr(arts, "crew_gaps", None)
    if hit is None:
        hit = arts.crew_gaps = _gaps(g)
    return hit


def _gaps(g) -> list[CrewConfigGap]:
    by_class: dict[str, dict[str, list[ArtifactLoad]]] = {}
    for ld in artifact_links(g).loads:
        if ld.how == "crew_config" and ld.owner is not None and ld.owner in g.classes and ld.config:
            by_class.setdefault(ld.owner, {}).setdefault(ld.config, []).append(ld)
    out: list[CrewConfigGap] = []
    for owner, configs in by_class.items():
        cls = g.classes[owner]
        data: dict[str, object] = {}
        for attr, loads in configs.items():
            if len(loads) != 1 or _changed(g, cls, attr):
                continue  # two candidate files, or entries added at run time
            art = g.artifacts.get(loads[0].artifact)
            if art is not None and isinstance(art.data, dict) and hasattr(art.data, "lc") and art.data:
                data[attr] = art
        if not data:
            continue
        methods = _crew_methods(g, cls)
        out += _key_gaps(g, cls, data, methods)
        roles = _roles(g, cls)
        if roles is None:
            continue
        if "tasks_config" in data:
            out += _reference_gaps(data["tasks_config"], owner, roles, _TASK_REFS, "task")
        if "agents_config" in data:
            out += _reference_gaps(data["agents_config"], owner, roles, _AGENT_REFS, "agent")
    return out


def _changed(g, cls, attr: str) -> bool:
    """Does the class or a project base set the config in a method or change its entries in place?"""
    pattern = re.compile(re.escape(attr) + r"\s*(?:\[[^\]\n]*\]\s*(?:=(?!=)|\|=)|\.(?:update|setdefault|__setitem__)\()")
    for c in g.mro(cls.qualname):
        if any(func is not None for _e, _s, func in c.attrs.get(attr, [])):
            return True
        if pattern.search("\n".join(c.module.ir.source.split("\n")[c.node.pos[0] - 1:c.node.pos[2]])):
            return True
    return False


def _crewai_role(g, func) -> Optional[str]:
    """"agent" or "task" when a decorator of the method is crewai.project's `@agent` / `@task`."""
    for d in func.node.decorators:
        for v in g.values(d, func.module.toplevel, None):
            if isinstance(v, ExtRef) and v.path.split(".")[0] == _CREWAI_ROOT:
                role = _DECORATOR_ROLES.get(v.path.rpartition(".")[2])
                if role is not None:
                    return role
        last = (ir.dotted(d) or "").rpartition(".")[2]
        if last in _DECORATOR_ROLES and _CREWAI_ROOT in func.module.ir.source:
            return _DECORATOR_ROLES[last]  # unresolved, but the module names crewai: count it
    return None


def _crew_methods(g, cls) -> list:
    """The `@agent` and `@task` methods of the class and its project bases (not overridden): all of
    them run when the crew is built."""
    out: dict[str, object] = {}
    for c in g.mro(cls.qualname):
        for name, m in c.methods.items():
            if name not in out:
                out[name] = m
    return [m for m in out.values() if _crewai_role(g, m) in ("agent", "task")]


def _roles(g, cls) -> Optional[dict[str, set[str]]]:
    """The method names by role over the class and its bases; None when a base is not a project
    class (it may define more)."""
    out: dict[str, set[str]] = {"agent": set(), "task": set(), "tool": set()}
    for c in g.mro(cls.qualname):
        written = [b for b in c.node.bases if ir.dotted(b) != "object"]
        bases = g.base_qualnames(c)
        if len(bases) < len(written) or any(b not in g.classes for b in bases):
            return None
        for m in c.methods.values():
            role = _crewai_role(g, m)
            if role is not None:
                out[role].add(m.name)
    return out


def _key_gaps(g, cls, data: dict[str, object], methods: list) -> list[CrewConfigGap]:
    out: list[CrewConfigGap] = []
    for func in methods:
        self_name = func.params[0].name if func.params else "self"
        for e, _stmt in func.exprs.get(ir.Subscript, ()):
            if not isinstance(e, ir.Subscript) or not isinstance(e.value, ir.Attribute):
                continue
            base = e.value
            if not isinstance(base.value, ir.Name) or base.value.id != self_name or base.attr not in data:
                continue
            if not isinstance(e.index, ir.Constant) or not isinstance(e.index.value, str):
                continue
            art = data[base.attr]
            keys = tuple(str(k) for k in art.data)  # type: ignore[attr-defined]
            if e.index.value not in keys:
                out.append(CrewConfigGap("key", e.index.value, func.path, e.index.pos, art.path,  # type: ignore[attr-defined]
                                         cls.qualname, keys))
    return out


def _reference_gaps(art, owner: str, roles: dict[str, set[str]], refs: dict[str, str],
                    entry_kind: str) -> list[CrewConfigGap]:
    out: list[CrewConfigGap] = []
    for entry, info in art.data.items():
        if not isinstance(info, dict) or not hasattr(info, "lc"):
            continue
        for key, role in refs.items():
            value = info.get(key)
            known = tuple(sorted(roles[role]))
            if isinstance(value, str) and value and key != "tools" and value not in roles[role]:
                at = _value_at(info, key)
                if at is not None:
                    out.append(CrewConfigGap(key, value, art.path, _span(art, at, value), art.path, owner, known,
                                             str(entry), entry_kind))
            elif isinstance(value, list) and hasattr(value, "lc") and all(isinstance(n, str) for n in value):
                # (a `tools:` list of anything but names is left as it is by CrewAI)
                for i, name in enumerate(value):
                    if name not in roles[role]:
                        try:
                            at = tuple(value.lc.item(i))
                        except (KeyError, TypeError, AttributeError, IndexError):
                            continue
                        out.append(CrewConfigGap(key, name, art.path, _span(art, at, name), art.path, owner, known,
                                                 str(entry), entry_kind))
    return out


def _value_at(table, key) -> Optional[tuple[int, int]]:
    try:
        line, col = table.lc.value(key)
    except (KeyError, TypeError, AttributeError):
        return None
    return int(line), int(col)


def _span(art, at: tuple, value: str) -> Pos:
    """The span of a scalar starting at (line, col) 0-based, quotes included."""
    line, col = int(at[0]), int(at[1])
    text = art.lines[line] if line < len(art.lines) else ""
    found = text.find(value, col)
    start = col
    end = (found if found >= 0 else col) + len(value)
    if col < len(text) and text[col] in "\"'":
        end += 1
    return (line + 1, start, line + 1, min(end, max(len(text), start + 1)))
