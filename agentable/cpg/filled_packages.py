"""Packages that bind their names at run time: an `__init__` that imports its submodules and copies a
registry into its namespace (`globals().update(registry.tools)`). `from pkg import name` then reads
the one function or class of that name the package's submodules define."""

from __future__ import annotations

from typing import Mapping

from agentable.cpg import ir
from agentable.cpg.structure import ModuleInfo
from agentable.cpg.values import UNKNOWN, ClassRef, FuncRef, Value


def fills_namespace(mod: ModuleInfo) -> bool:
    """Does the module's top level call `globals().update(...)`?"""
    for site in mod.toplevel.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr == "update" and isinstance(f.value, ir.Call) \
                and isinstance(f.value.func, ir.Name) and f.value.func.id == "globals":
            return True
    return False


def filled_member(modules: Mapping[str, ModuleInfo], mod: ModuleInfo, name: str) -> frozenset[Value]:
    """The function or class `name` of a package that fills its namespace, when exactly one of its
    submodules defines it; UNKNOWN otherwise (a name the package does not bind statically)."""
    if not (mod.ir.is_package and fills_namespace(mod)):
        return frozenset({UNKNOWN})
    prefix = mod.name + "."
    found: list[Value] = [FuncRef(m.functions[name].qualname) if name in m.functions
                          else ClassRef(m.classes[name].qualname)
                          for n, m in modules.items() if n.startswith(prefix)
                          and (name in m.functions or name in m.classes)]
    return frozenset({found[0]}) if len(found) == 1 else frozenset({UNKNOWN})
