"""Module-convention tool sets: a loader in the scanned code imports every module of a package by
name (`importlib.import_module(f"pkg.tools.{name}")` over `pkgutil.iter_modules` or a folder
listing) and collects each module's functions (`inspect.getmembers(mod, inspect.isfunction)`), so
every public function defined in those modules is a tool described by its docstring. Without such
a loader in the scanned tree a folder of functions is not a tool set. What counts as an import by
name, a member listing and a function filter is catalog data (tools.toml [module_tool_loader])."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.agent_model import ToolDef
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef


def module_convention_tools(g: CodeGraph, loaders: Iterable[FunctionInfo], seen: set[str], params) -> list[ToolDef]:
    """The public functions of the modules a loader (one of `loaders`: the agent layer's functions)
    imports by name and turns into tools. `params` builds a function's ToolParams
    (cpg.tools.function_params)."""
    loader = g.catalog.module_tool_loader
    if not loader:
        return []
    prefixes: set[str] = set()
    for func in loaders:
        found = _imported_prefixes(g, func, loader)
        if found and _collects_functions(g, func, loader):
            prefixes |= found
    out: list[ToolDef] = []
    for mod in g.modules.values():
        if not any(mod.name.startswith(p) for p in prefixes):
            continue
        for impl in mod.functions.values():
            if impl.name.startswith("_") or impl.node is None or impl.qualname in seen:
                continue
            seen.add(impl.qualname)
            doc = impl.node.docstring
            out.append(ToolDef("function", "", mod, impl.node.pos, impl.name, doc, "docstring" if doc else None,
                               func=impl, params=params(impl),
                               description_pos=impl.node.body[0].pos if doc else None, name_pos=impl.node.name_pos))
    return out


def _resolves_to(g: CodeGraph, e: ir.Expr, func: FunctionInfo, stmt: object, paths: tuple[str, ...]) -> bool:
    return any(isinstance(v, ExtRef) and v.path in paths for v in g.values(e, func, stmt))


def _imported_prefixes(g: CodeGraph, func: FunctionInfo, loader: dict) -> set[str]:
    """The module-name prefixes (`pkg.tools.`) this function imports modules under by a name it
    builds at run time (an f-string or `"pkg." + name` with a fixed dotted head)."""
    importers = tuple(loader.get("importers", ()))
    last_names = {p.rsplit(".", 1)[-1] for p in importers}
    out: set[str] = set()
    for site in func.calls:
        f = site.call.func
        name = f.attr if isinstance(f, ir.Attribute) else f.id if isinstance(f, ir.Name) else None
        if name not in last_names or not site.call.args:
            continue
        if not _resolves_to(g, f, func, site.stmt, importers):
            continue
        head = _fixed_head(site.call.args[0])
        if head is None:
            continue
        if head.startswith("."):  # relative to `package=__name__`: the loader's own package
            mod = func.module
            head = (mod.name if mod.ir.is_package else mod.package) + head
        if head.endswith(".") and len(head) > 1:
            out.add(head)
    return out


def _fixed_head(e: ir.Expr) -> Optional[str]:
    """The constant text a module name built at run time starts with (`f"pkg.tools.{name}"`)."""
    if isinstance(e, ir.FString) and e.parts and isinstance(e.parts[0], str) and len(e.parts) > 1:
        return e.parts[0]
    if isinstance(e, ir.BinOp) and e.op == "+" and isinstance(e.left, ir.Constant) and isinstance(e.left.value, str):
        return e.left.value
    return None


def _collects_functions(g: CodeGraph, func: FunctionInfo, loader: dict) -> bool:
    """Does the function list a module's members keeping its functions: a member listing given a
    function filter (`inspect.getmembers(mod, inspect.isfunction)`), or a listing (`vars(mod)`,
    `dir(mod)`) next to a filter call (`inspect.isfunction(obj)`, `callable(obj)`)?"""
    listers = tuple(loader.get("member_listers", ()))
    filters = tuple(loader.get("function_filters", ()))
    listed = filtered = False
    for site in func.calls:
        call = site.call
        if _resolves_to(g, call.func, func, site.stmt, listers):
            if any(_resolves_to(g, a, func, site.stmt, filters) for a in call.args[1:]):
                return True
            listed = True
        elif _resolves_to(g, call.func, func, site.stmt, filters):
            filtered = True
    return listed and filtered
