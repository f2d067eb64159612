"""Semantic Kernel prompt folders: the `{{$var}}` variables of a plugin function's `skprompt.txt`
and the `kernel.invoke(...)` calls that run it with their arguments.

A folder `<parent>/<Plugin>/<Function>/skprompt.txt` (with `config.json` beside it) is loaded by
`kernel.add_plugin(parent_directory=<parent>, plugin_name=<Plugin>)` (or
`import_plugin_from_prompt_directory(<parent>, <Plugin>)`). A run is `kernel.invoke(plugin[
"Function"], ...)` (the function also through one name), or `kernel.invoke(plugin_name=...,
function_name=...)`. Its arguments are the keyword arguments of the call (but `arguments`,
`function`, `plugin_name`, `function_name`, `metadata`) plus those of `arguments=KernelArguments(
...)`, when all of them are known. Semantic Kernel renders a variable missing from the arguments
as an empty string (with a log warning); an input variable with a `default` in `config.json` is
filled in from it, so it is optional."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.artifacts.crew_inputs import added_keys
from agentable.cpg.artifacts.links import ArtifactLoad, _const_str, _Linker
from agentable.cpg.artifacts.model import Artifact, PromptTemplate, TemplateVar
from agentable.cpg.values import ExtRef

_SK = "semantic_kernel."
# loader -> (folder keyword, its position, plugin name keyword, its position)
_LOADERS = {"add_plugin": ("parent_directory", 2, "plugin_name", 1),
            "import_plugin_from_prompt_directory": ("parent_directory", 0, "plugin_directory_name", 1)}
_RUNS = frozenset({"invoke", "invoke_stream"})
_RESERVED = frozenset({"function", "arguments", "function_name", "plugin_name", "metadata"})
_VAR_RE = re.compile(r"\{\{\s*\$([A-Za-z_]\w*)\s*\}\}")
_PROMPT = "skprompt.txt"


@dataclass(eq=False)
class SkRun:
    load: ArtifactLoad  # the plugin load, for the function's skprompt.txt
    call: ir.Call
    func: object  # FunctionInfo
    stmt: object
    method: str
    supplied: frozenset[str]


def sk_runs(g, arts) -> list[SkRun]:
    prompts = [p for p in arts.paths if posixpath.basename(p) == _PROMPT]
    if not prompts:
        return []
    linker = _Linker(g, arts)
    plugins: dict[int, tuple[str, dict[str, ArtifactLoad]]] = {}  # id(load call) -> (plugin, {function: load})
    runs: list = []
    for func in g.functions.values():
        src = func.module.ir.source
        if "semantic_kernel" not in src and "invoke" not in src:  # a run may sit in another module
            continue
        for site in func.calls:
            f = site.call.func
            if not isinstance(f, ir.Attribute) or (f.attr not in _LOADERS and f.attr not in _RUNS):
                continue
            exts = [v.path for v in g.values(f, func, site.stmt) if isinstance(v, ExtRef)]
            # a kernel the values do not reach (a parameter): the module imports Semantic Kernel
            if not any(p.startswith(_SK) for p in exts) and (exts or "semantic_kernel" not in src):
                continue
            if f.attr in _LOADERS:
                found = _plugin(linker, site, f.attr, prompts)
                if found is not None:
                    plugins[id(site.call)] = found
            else:
                runs.append(site)
    out: list[SkRun] = []
    for site in runs:
        load = _target(linker, site, plugins)
        supplied = _supplied(g, linker, site) if load is not None else None
        if load is not None and supplied is not None:
            out.append(SkRun(load, site.call, site.func, site.stmt, site.call.func.attr, supplied))
    return out


def _plugin(linker: _Linker, site, attr: str, prompts: list[str]) -> Optional[tuple[str, dict[str, ArtifactLoad]]]:
    call, func = site.call, site.func
    dir_kw, dir_at, name_kw, name_at = _LOADERS[attr]
    parent = call.kwarg(dir_kw) or (call.args[dir_at] if len(call.args) > dir_at else None)
    name_e = call.kwarg(name_kw) or (call.args[name_at] if len(call.args) > name_at else None)
    name = _const_str(name_e)
    if parent is None or name is None:
        return None
    dirs = linker._paths(parent, func, site.stmt, 4)
    loads: dict[str, ArtifactLoad] = {}
    for p in prompts:
        parts = p.split("/")
        if len(parts) < 3 or parts[-3] != name:
            continue
        fn = parts[-2]
        cands = [(a, posixpath.join(d, name, fn, _PROMPT)) for a, d in dirs]
        if p in linker._existing(cands, func):
            loads[fn] = ArtifactLoad(p, "sk_plugin", "sk", func, site.stmt, call, call.pos)
    return (name, loads) if loads else None


def _target(linker: _Linker, site, plugins: dict[int, tuple[str, dict[str, ArtifactLoad]]]) -> Optional[ArtifactLoad]:
    call, func = site.call, site.func
    fn_e = call.argument("function", 0)
    if fn_e is None:  # `invoke(plugin_name="Writer", function_name="Summarize")`
        pname, fname = _const_str(call.kwarg("plugin_name")), _const_str(call.kwarg("function_name"))
        hits = [loads[fname] for name, loads in plugins.values() if name == pname and fname in loads]
        return hits[0] if len(hits) == 1 else None
    if isinstance(fn_e, ir.Name):  # `fn = plugin["Summarize"]`
        owner, defs = linker.g.name_bindings(func, fn_e.id, site.stmt)
        if len(defs) != 1 or defs[0].how != "assign" or defs[0].value is None:
            return None
        fn_e, func, stmt = defs[0].value, owner, defs[0].stmt
    else:
        stmt = site.stmt
    if not isinstance(fn_e, ir.Subscript):
        return None
    fname = _const_str(fn_e.index)
    loader = linker._bound_call(fn_e.value, func, stmt)
    found = plugins.get(id(loader)) if loader is not None else None
    return found[1].get(fname or "") if found is not None else None


def _supplied(g, linker: _Linker, site) -> Optional[frozenset[str]]:
    call = site.call
    if call.has_kwargs_splat() or len(call.args) > 2:
        return None
    names = {kw.name for kw in call.keywords if kw.name and kw.name not in _RESERVED}
    args_e = call.kwarg("arguments") or (call.args[1] if len(call.args) == 2 else None)
    if args_e is None:
        return frozenset(names)
    func, stmt = site.func, site.stmt
    if isinstance(args_e, ir.Name):
        owner, defs = g.name_bindings(func, args_e.id, stmt)
        if len(defs) != 1 or defs[0].how != "assign" or not isinstance(defs[0].value, ir.Call):
            return None
        added = added_keys(owner, args_e.id, call)
        if added is None:
            return None
        names |= added
        args_e, func, stmt = defs[0].value, owner, defs[0].stmt
    if not isinstance(args_e, ir.Call) or args_e.args or args_e.has_kwargs_splat():
        return None
    if not any(isinstance(v, ExtRef) and v.path.endswith("KernelArguments") for v in g.values(args_e.func, func, stmt)):
        return None
    return frozenset(names | {kw.name for kw in args_e.keywords if kw.name and kw.name != "settings"})


def sk_template(art: Artifact, config: Optional[Artifact]) -> PromptTemplate:
    """The `{{$var}}` variables of a skprompt.txt; those with a `default` in its config.json are optional."""
    tpl = PromptTemplate(art.path, "sk", optional=_defaults(config))
    seen: set[str] = set()
    for i, line in enumerate(art.lines):
        for m in _VAR_RE.finditer(line):
            if m.group(1) not in seen:
                seen.add(m.group(1))
                tpl.variables.append(TemplateVar(m.group(1), (i + 1, m.start(1), i + 1, m.end(1))))
    return tpl


def _defaults(config: Optional[Artifact]) -> frozenset[str]:
    if config is None:
        return frozenset()
    data = config.data
    if data is None:
        try:
            data = json.loads(config.text)
        except ValueError:
            return frozenset()
    inputs = data.get("input_variables") if isinstance(data, dict) else None
    if not isinstance(inputs, list):
        return frozenset()
    return frozenset(str(v.get("name")) for v in inputs if isinstance(v, dict) and "default" in v)
