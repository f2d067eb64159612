"""CrewAI `{var}` placeholders in a @CrewBase crew's YAML and the `kickoff(inputs=...)` calls that
fill them in.

At kickoff with non-empty inputs, CrewAI interpolates every task's `description`,
`expected_output` and `output_file` and every agent's `role`, `goal` and `backstory`
(crewai.utilities.string_utils.interpolate_only): each `{name}` matching `[A-Za-z_][A-Za-z0-9_-]*`
must be a key of the inputs, else it raises (KeyError, wrapped in a ValueError for tasks). JSON
braces (`{"a": 1}`) and `{ spaced }` are left alone. `{{name}}` is still interpolated by current
CrewAI but was an escape in the `str.format` of older releases: it is not reported. Empty or
missing inputs interpolate nothing. Only the entries the crew class names (`self.tasks_config
["research"]`) become its tasks and agents, so only those are read.

A kickoff is linked when its receiver is the `Crew(...)` a @CrewBase class's method builds, and
its inputs are known keys: a dict literal, a name bound only to dict literals and never changed
in place or handed elsewhere, or a project function returning dict literals; a list of them for
`kickoff_for_each`. Anything else (user input, `**kwargs`, a dict filled in a loop) is unknown,
and no placeholder is judged against it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.artifacts.links import ArtifactLoad
from agentable.cpg.artifacts.model import Artifact, PromptTemplate, TemplateVar
from agentable.cpg.values import ExtRef, FuncRef

# What CrewAI interpolates, by the config attribute of the @CrewBase class.
CREW_FIELDS = {"tasks_config": ("description", "expected_output", "output_file"),
               "agents_config": ("role", "goal", "backstory")}
_KICKOFFS = frozenset({"kickoff", "kickoff_async", "kickoff_for_each", "kickoff_for_each_async"})
_CREW_CTOR = "crewai.Crew()"
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_\-]*)\}")
_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})


@dataclass(eq=False)
class CrewKickoff:
    call: ir.Call
    func: object  # FunctionInfo
    stmt: object
    method: str
    crew_class: str  # the @CrewBase class's qualname
    supplied: frozenset[str]  # the input keys every run of the call certainly has (non-empty)


def crew_template(art: Artifact, config_attr: str, class_src: str) -> Optional[PromptTemplate]:
    """The placeholders of the entries of a crew's tasks/agents YAML that the class names."""
    data = art.data
    fields = CREW_FIELDS.get(config_attr)
    if fields is None or not hasattr(data, "lc") or not isinstance(data, dict):
        return None
    tpl = PromptTemplate(art.path, "crewai")
    seen: set[str] = set()
    entries = list(data.items())
    for i, (name, entry) in enumerate(entries):
        if not isinstance(entry, dict) or not hasattr(entry, "lc") or not _named(str(name), class_src):
            continue
        keys = list(entry.keys())
        for j, key in enumerate(keys):
            value = entry[key]
            if key not in fields or not isinstance(value, str):
                continue
            start = _line_of(entry, key)
            end = _line_of(entry, keys[j + 1]) if j + 1 < len(keys) else (
                _line_of(data, entries[i + 1][0]) if i + 1 < len(entries) else len(art.lines))
            for var in _placeholders(value):
                if var not in seen:
                    seen.add(var)
                    tpl.variables.append(TemplateVar(var, _locate(art, var, start, end)))
    tpl.variables.sort(key=lambda v: v.pos)
    return tpl


def placeholders_in(text: str) -> frozenset[str]:
    """Every `{name}` in a file's text: a superset of its fields' placeholders (a name has no
    space, so YAML line folding never splits one), so a crew whose inputs hold all of them
    needs no parse."""
    return frozenset(_PLACEHOLDER_RE.findall(text))


def _named(entry: str, class_src: str) -> bool:
    return re.search(r"[\"']" + re.escape(entry) + r"[\"']", class_src) is not None


def _line_of(table, key) -> int:
    """The 0-based line a key is written on (its value may start on the same line)."""
    try:
        return int(table.lc.key(key)[0])
    except (KeyError, TypeError, AttributeError, IndexError):
        return 0


def _placeholders(text: str) -> list[str]:
    out: list[str] = []
    for m in _PLACEHOLDER_RE.finditer(text):
        doubled = m.start() > 0 and text[m.start() - 1] == "{" and text[m.end():m.end() + 1] == "}"
        if not doubled and m.group(1) not in out:
            out.append(m.group(1))
    return out


def _locate(art: Artifact, var: str, start: int, end: int) -> tuple[int, int, int, int]:
    needle = "{" + var + "}"
    for ln in range(start, min(max(end, start + 1), len(art.lines))):
        col = art.lines[ln].find(needle)
        if col >= 0:
            return (ln + 1, col + 1, ln + 1, col + 1 + len(var))
    return (start + 1, 0, start + 1, 0)


def crew_kickoffs(g, loads: list[ArtifactLoad]) -> list[CrewKickoff]:
    """The kickoffs of the @CrewBase crews `loads` configure whose input keys are all known."""
    crews = {ld.owner for ld in loads if ld.how == "crew_config" and ld.owner}
    if not crews:
        return []
    out: list[CrewKickoff] = []
    for func in g.functions.values():
        if "kickoff" not in func.module.ir.source:
            continue
        for site in func.calls:
            f = site.call.func
            if not isinstance(f, ir.Attribute) or f.attr not in _KICKOFFS:
                continue
            owners = {_crew_class(g, v, func.path, crews) for v in g.values(f.value, func, site.stmt)}
            if len(owners) != 1:
                continue
            owner = owners.pop()
            if owner not in crews:
                continue
            arg = site.call.kwarg("inputs")
            if arg is None and site.call.args and not isinstance(site.call.args[0], ir.Starred):
                arg = site.call.args[0]
            keys = _input_keys(g, arg, func, site.stmt, f.attr.startswith("kickoff_for_each"), site.call)
            if keys:  # empty inputs interpolate nothing
                out.append(CrewKickoff(site.call, func, site.stmt, f.attr, owner, keys))
    return out


def _crew_class(g, v, caller: str, crews: set[str]) -> Optional[str]:
    """The @CrewBase class whose method builds the `Crew(...)` value `v`; or, for an import the
    resolver did not find (`from crew import ResearchCrew` run from the package's own folder:
    `crew.ResearchCrew().crew()`), the crew class of that name in the module the dotted path names
    from a folder holding the caller, else the only such class in the project."""
    if isinstance(v, ExtRef) and v.path.endswith("().crew()"):
        mod, _, name = v.path[: -len("().crew()")].rpartition(".")
        rel = mod.replace(".", "/") + ".py"
        cands = [c for c in crews if c in g.classes and g.classes[c].name == name
                 and ("/" + g.classes[c].module.path).endswith("/" + rel)]
        # beside: the module's folder, less the dotted path, holds the caller (an import root)
        beside = [c for c in cands if ("/" + caller).startswith("/" + g.classes[c].module.path[: -len(rel)])]
        pick = beside or cands
        return pick[0] if len(pick) == 1 else None
    if not isinstance(v, ExtRef) or v.path != _CREW_CTOR or v.site is None:
        return None
    owner = g.function_of(v.site[0], v.site[1].pos)
    cls = getattr(owner, "cls", None)
    return cls.qualname if cls is not None else None


def _input_keys(g, e: Optional[ir.Expr], func, stmt, many: bool, kickoff: ir.Call,
                depth: int = 3) -> Optional[frozenset[str]]:
    """The keys the inputs certainly have on every path (union over alternative bindings, as
    a key missing from all of them is missing on each); a list's elements all run, so for
    `kickoff_for_each` the keys of the list are those every element has."""
    if e is None or depth < 0:
        return None
    if many:
        if isinstance(e, ir.Seq) and e.elts:
            parts = [_input_keys(g, x, func, stmt, False, kickoff, depth - 1) for x in e.elts]
            if any(p is None for p in parts):
                return None
            return frozenset.intersection(*[p for p in parts if p is not None])
        return _bound_keys(g, e, func, stmt, True, kickoff, depth)
    if isinstance(e, ir.Dict):
        keys = [k.value if isinstance(k, ir.Constant) and isinstance(k.value, str) else None for k in e.keys]
        return None if any(k is None for k in keys) else frozenset(k for k in keys if k is not None)
    return _bound_keys(g, e, func, stmt, False, kickoff, depth)


def _bound_keys(g, e: ir.Expr, func, stmt, many: bool, kickoff: ir.Call, depth: int) -> Optional[frozenset[str]]:
    if isinstance(e, ir.Name):
        owner, defs = g.name_bindings(func, e.id, stmt)
        if not defs or any(d.how != "assign" or d.value is None for d in defs):
            return None
        added = added_keys(owner, e.id, kickoff)
        parts = [_input_keys(g, d.value, owner, d.stmt, many, kickoff, depth - 1) for d in defs]
        if added is None or any(p is None for p in parts):
            return None
        return frozenset().union(added, *[p for p in parts if p is not None])
    if isinstance(e, ir.Call):  # `inputs=build_inputs(topic)`: the keys a returned literal has
        targets = [v for v in g.values(e.func, func, stmt) if isinstance(v, FuncRef)]
        fn = g.functions.get(targets[0].qualname) if len(targets) == 1 else None
        if fn is None or not fn.returns:
            return None
        parts = [_input_keys(g, r.value, fn, r, many, kickoff, depth - 1) for r in fn.returns]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*[p for p in parts if p is not None])
    return None


def added_keys(func, name: str, kickoff: ir.Call) -> Optional[frozenset[str]]:
    """The literal keys `name[key] = ...` stores in the dict bound to `name`; None when it is
    stored under a computed key, changed in place, or handed to another call (unknown)."""
    added: set[str] = set()
    for key, _value, _stmt in func.item_stores.get(name, []):
        if not (isinstance(key, ir.Constant) and isinstance(key.value, str)):
            return None
        added.add(key.value)
    for site in func.calls:
        if site.call is kickoff:
            continue
        f = site.call.func
        if isinstance(f, ir.Attribute) and isinstance(f.value, ir.Name) and f.value.id == name \
                and f.attr in _MUTATORS:
            return None
        if any(isinstance(a, ir.Name) and a.id == name for a in site.call.args) or any(
                isinstance(kw.value, ir.Name) and kw.value.id == name for kw in site.call.keywords):
            return None
    return frozenset(added)
