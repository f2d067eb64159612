"""The IETI checks of tool schemas kept in YAML/JSON files (query/tool_specs.py), shared by the
rules: the function that implements a file's schema, and how a file's schema is named in a message."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, Instance, ModuleRef
from agentable.query.facts import per_graph
from agentable.query.tool_specs import LoadedToolSpec
from agentable.rules.ieti.helpers import functions_registered_by_name


def spec_function(g: ProjectGraph, loaded: LoadedToolSpec) -> Optional[FunctionInfo]:
    """The function that runs when the model calls the file's tool, when exactly one is known:
    the one a dispatch dict stores under the tool's name (`{"get_weather": get_weather}`), a
    method or function looked up by name with `getattr(obj, name)`, a function of that name in
    the module that loads the file or calls the model, or the only project function so named."""
    name = loaded.spec.name
    if not name:
        return None
    for cands in (functions_registered_by_name(g).get(name, frozenset()), _getattr_targets(g).get(name, frozenset())):
        if cands:
            return g.functions[next(iter(cands))] if len(cands) == 1 else None
    mods = [loaded.load.func.module] + ([loaded.passed_to.func.module] if loaded.passed_to is not None else [])
    for mod in mods:
        if name in mod.functions:
            return mod.functions[name]
    named = g.functions_named(name)
    return named[0] if len(named) == 1 else None


@per_graph
def _getattr_targets(g: ProjectGraph) -> dict[str, frozenset[str]]:
    """Name -> the project functions a `getattr(obj, name)` with a computed name can return: the
    methods of obj's project class, or the functions of obj's project module."""
    out: dict[str, set[str]] = {}
    for site in g.sites_named("getattr"):
        call = site.call
        if ir.dotted(call.func) != "getattr" or len(call.args) < 2 or isinstance(call.args[1], ir.Constant):
            continue
        for v in g.values(call.args[0], site.func, site.stmt):
            if isinstance(v, (Instance, ClassRef)) and v.qualname in g.classes:
                methods: dict[str, FunctionInfo] = {}
                for c in reversed(g.mro(v.qualname)):  # bases first: a subclass overrides
                    methods.update(c.methods)
                for mname, m in methods.items():
                    out.setdefault(mname, set()).add(m.qualname)
            elif isinstance(v, ModuleRef):
                mod = next((m for m in g.by_path.values() if m.name == v.name), None)
                for fname, f in (mod.functions.items() if mod is not None else ()):
                    out.setdefault(fname, set()).add(f.qualname)
    return {k: frozenset(v) for k, v in out.items()}


def spec_label(loaded: LoadedToolSpec) -> str:
    spec = loaded.spec
    return f"Tool `{spec.name}`" if spec.name else "This tool schema"


def loaded_at(loaded: LoadedToolSpec) -> str:
    """`loaded at x.py:12 and given to the model at y.py:30`."""
    text = f"loaded at {loaded.where_loaded}"
    c = loaded.passed_to
    if c is not None:
        text += f" and given to the model at {c.func.path}:{c.call.pos[0]}"
    return text
