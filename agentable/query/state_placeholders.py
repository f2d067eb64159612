"""State placeholders of a framework agent's instruction (google-adk's `{key}`, filled from the
session state before each run) whose key nothing in the project writes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.values import Const
from agentable.query.facts import code_strings, per_graph
from agentable.query.template_splices import literal_field_site

# google-adk's placeholder: braces around a name, `?` making it optional (instructions.py `{+[^{}]*}+`)
_PLACEHOLDER_RE = re.compile(r"\{+([^{}]*)\}+")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class UnwrittenStateKey:
    """`{key}` in the text an agent's `param` is given (written at `path`, `pos`), with no write
    of `key` anywhere in the project."""

    key: str
    param: str
    framework: str
    path: str
    pos: ir.Pos
    agent_path: str
    agent_pos: ir.Pos


@per_graph
def unwritten_state_keys(g: ProjectGraph) -> list[UnwrittenStateKey]:
    agents = [a for a in g.agent.agent_constructs if getattr(a.spec, "state_template_params", ())]
    if not agents or _dynamic_state_writes(g):
        return []
    written = _written_names(g)
    out: list[UnwrittenStateKey] = []
    seen: set[tuple[str, str, int]] = set()
    for a in agents:
        spec = a.spec
        site = a.site
        if site.func.module.path and g.is_test_code(site.func.module.path):
            continue
        for kw in site.call.keywords:
            if kw.name not in getattr(spec, "state_template_params", ()):
                continue
            vals = g.values(kw.value, site.func, site.stmt)
            if len(vals) != 1:
                continue
            (v,) = tuple(vals)
            if not isinstance(v, Const) or not isinstance(v.value, str):
                continue
            for key in _required_keys(v.value, spec):
                if key in written:
                    continue
                path, pos = literal_field_site(g, kw.value, site.func, site.stmt, key, v.value)
                if (key, path, pos[0]) in seen:
                    continue
                seen.add((key, path, pos[0]))
                out.append(UnwrittenStateKey(key, kw.name or "", getattr(spec, "framework", ""), path, pos,
                                             site.func.module.path, site.call.pos))
    return out


def _required_keys(text: str, spec: object) -> list[str]:
    """The state keys a text needs: each `{name}` (not `{name?}`) whose name is a state key,
    without its prefix (`user:`) checked as written separately."""
    prefixes: tuple[str, ...] = getattr(spec, "state_key_prefixes", ())
    other: str = getattr(spec, "state_other_prefix", "")
    out: list[str] = []
    for m in _PLACEHOLDER_RE.finditer(text):
        name = m.group(1).strip()
        if name.endswith("?") or (other and name.startswith(other)):
            continue
        bare = next((name[len(p):] for p in prefixes if name.startswith(p)), name)
        if _IDENT_RE.fullmatch(bare) and name not in out:
            out.append(name)
    return out


def _written_names(g: ProjectGraph) -> frozenset[str]:
    """Every name the project could write a state key under: a string constant of its code
    (`state["k"] = ...`, `output_key="k"`, `{"k": ...}`), a keyword argument's name
    (`state.update(k=...)`, `dict(k=...)`), and a quoted word or YAML key of its other files (an
    initial state JSON)."""
    names = set(code_strings(g))
    for func in g.functions.values():
        for site in func.calls:
            names.update(k.name for k in site.call.keywords if k.name)
    arts = g.artifacts
    if arts is not None:
        for p in sorted(arts.paths):
            text = arts.text(p) or ""
            names.update(re.findall(r"[\"']([A-Za-z_:][A-Za-z0-9_:]*)[\"']", text))
            names.update(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:", text, re.M))
    return frozenset(names)


def _dynamic_state_writes(g: ProjectGraph) -> bool:
    """Does the project write state keys it does not name: `state[key] = v` with a computed key,
    `state.update(mapping)` or `state=`/`state_delta=` given a mapping built elsewhere?"""
    for func in list(g.functions.values()) + [m.toplevel for m in g.modules.values()]:
        for stmt in ir.walk_stmts(func.body, into_defs=False):
            if isinstance(stmt, ir.Assign):
                for t in stmt.targets:
                    if isinstance(t, ir.Subscript) and _is_state(t.value) and not isinstance(t.index, ir.Constant):
                        return True
        for site in func.calls:
            f = site.call.func
            if isinstance(f, ir.Attribute) and f.attr == "update" and _is_state(f.value) and any(
                    not isinstance(a, ir.Dict) or None in a.keys for a in site.call.args):
                return True
            if any(k.name in ("state", "state_delta") and not (isinstance(k.value, ir.Dict) and None not in k.value.keys)
                   for k in site.call.keywords):
                return True
    return False


def _is_state(e: ir.Expr) -> bool:
    name = ir.dotted(e) or ""
    return name.split(".")[-1].endswith("state")
