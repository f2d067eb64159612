"""The project graph: every module, class and function, symbol lookup across files, the call
graph, and lazily the agent layer. This is what rules query.
"""

from __future__ import annotations

import re
from collections import deque
from functools import cached_property
from typing import TYPE_CHECKING, Iterable, Optional, Union, overload

from agentable.catalog import python_facts
from agentable.cpg import ir, literal_values
from agentable.cpg.agent import AgentLayer
from agentable.cpg.filled_packages import filled_member
from agentable.cpg.flow import ReachingDefs, reaching_definitions
from agentable.cpg.graph_api import Kind, Scoped, ValueResolver
from agentable.cpg.interprocedural import ExpandingResolver
from agentable.cpg.resolve import Resolver, VSet
from agentable.cpg.shadowing import folder_module, library_candidates
from agentable.cpg.super_calls import is_super_site
from agentable.cpg.structure import CallSite, ClassInfo, FunctionInfo, ModuleInfo, build_module, is_property
from agentable.cpg.values import UNKNOWN, ClassRef, Const, ExtRef, FuncRef, ModuleRef, Value
from agentable.paths import is_test_path
from agentable.findings import Span

if TYPE_CHECKING:  # networkx is imported when the call graph is built (it costs ~90 ms at start-up)
    import networkx as nx

    from agentable.catalog import Catalog
    from agentable.cpg.artifacts import ArtifactSet
    from agentable.cpg.manifests import ManifestSet

_MAX_LOOKUP_DEPTH = 8
_STDLIB = python_facts().stdlib_modules

# `name(`: a call by a bare name, as the source spells it
_CALLED_NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")


class ProjectGraph:
    def __init__(self, modules: Iterable[ir.Module], catalog: "Catalog", manifests: Optional["ManifestSet"] = None,
                 artifacts: Optional["ArtifactSet"] = None) -> None:
        self.catalog = catalog
        self.manifests = manifests
        self.artifacts = artifacts  # the non-Python files of the agent (prompts, settings), read on demand
        self.modules: dict[str, ModuleInfo] = {}
        self.by_path: dict[str, ModuleInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        for m in modules:
            info, funcs, classes = build_module(m)
            if m.name in self.modules:  # two files map to one dotted name (scripts in different dirs)
                m.name = m.path.removesuffix(".py").replace("/", ".")
                info, funcs, classes = build_module(m)
            self.modules[m.name] = info
            self.by_path[m.path] = info
            for f in funcs:
                self.functions[f.qualname] = f
            for c in classes:
                self.classes[c.qualname] = c
        self._suffix_index: dict[str, list[str]] = {}
        for name in self.modules:
            parts = name.split(".")
            for i in range(1, len(parts)):
                self._suffix_index.setdefault(".".join(parts[i:]), []).append(name)
        self._rd: dict[str, ReachingDefs] = {}
        self._top_functions: Optional[dict[str, list[str]]] = None
        self._subclasses: Optional[dict[str, set[str]]] = None
        self.shallow = Resolver(self)  # parameters stay ParamRef: builds the call graph
        self.resolver = ExpandingResolver(self)  # parameters through that call graph
        self._callers: Optional[dict[str, list[CallSite]]] = None
        self._callees: dict[ir.Call, frozenset[str]] = {}  # by node, one object per distinct set:
        self._callee_sets: dict[frozenset[str], frozenset[str]] = {}  # most are empty or one function
        self._constructions: dict[str, list[CallSite]] = {}
        self._callers_by_name: dict[str, dict[str, list[CallSite]]] = {}
        self._constructions_by_name: dict[str, dict[str, list[CallSite]]] = {}
        self._functions_by_path: Optional[dict[str, list[FunctionInfo]]] = None
        self._function_at: dict[tuple[str, int], Optional[FunctionInfo]] = {}
        self._test_paths: dict[str, bool] = {}
        self._nearest_index: dict[str, dict[str, str]] = {}  # suffix -> dotted prefix -> first candidate with it
        self._found: dict[tuple[str, Optional[ModuleInfo]], Optional[ModuleInfo]] = {}
        self._mro: dict[str, tuple[ClassInfo, ...]] = {}
        self._imported: dict[str, frozenset[str]] = {}
        self._argument_sites: dict[str, list[CallSite]] = {}
        self._field_constructions: dict[str, list[CallSite]] = {}
        self.facts: dict[object, object] = {}  # query facts memoised per graph (query.per_graph)

    # ------------------------------------------------------------------ functions injected by name

    def injected_function(self, name: str) -> Optional[str]:
        """The module-level function named `name`, when exactly one module of the project defines
        one: what a name that its module neither defines nor imports refers to at run time, in
        code whose framework injects functions by name (babyagi's functionz registers
        `dependencies=["gpt_call"]` and runs the body with `gpt_call` bound), or None."""
        found = self._top_function_names().get(name, ())
        return found[0] if len(found) == 1 else None

    def injected_users(self) -> dict[str, set[str]]:
        """Module -> the other modules that call one of its functions by a name they neither
        define nor import (see `injected_function`): users that no import statement shows."""
        unique = {n: qs[0] for n, qs in self._top_function_names().items() if len(qs) == 1}
        bound: dict[str, set[str]] = {}
        for f in self.functions.values():
            bound.setdefault(f.module.name, set()).update(f.defs)
        out: dict[str, set[str]] = {}
        for name, mod in self.modules.items():
            called = set(_CALLED_NAME.findall(mod.ir.source)) & unique.keys()
            for n in called - set(mod.toplevel.defs) - bound.get(name, set()):
                definer = self.functions[unique[n]].module.name
                if definer != name:
                    out.setdefault(definer, set()).add(name)
        return out

    def _top_function_names(self) -> dict[str, list[str]]:
        if self._top_functions is None:
            self._top_functions = {}
            for f in self.functions.values():
                if f.node is not None and f.qualname == f"{f.module.name}.{f.name}":
                    self._top_functions.setdefault(f.name, []).append(f.qualname)
        return self._top_functions

    # ------------------------------------------------------------------ positions

    def span(self, path: str, pos: ir.Pos) -> Span:
        mod = self.by_path.get(path)
        if mod is None:
            return Span(path, pos[0], pos[1] + 1, pos[2], pos[3] + 1)
        return mod.ir.span(pos)

    # ------------------------------------------------------------------ modules and symbols

    def find_module(self, name: str, importer: Optional[ModuleInfo] = None) -> Optional[ModuleInfo]:
        """The project module a dotted name (as imported by `importer`) refers to, if any: kept per
        (name, importer), as every symbol lookup asks it (in a monorepo of small apps, a name such
        as `tools` has a candidate in each app)."""
        if name in self.modules:
            return self.modules[name]
        key = (name, importer)
        if key in self._found:
            return self._found[key]
        found = self._found[key] = self._find_module(name, importer)
        return found

    def _find_module(self, name: str, importer: Optional[ModuleInfo]) -> Optional[ModuleInfo]:
        # imports are absolute: services/anthropic.py importing `anthropic` gets the library, not itself,
        # and a package's io/json.py is not every module's `json` (only a script folder's sibling shadows it)
        own, stdlib = (importer.name if importer is not None else None), name.partition(".")[0] in _STDLIB
        if importer is not None and importer.package and not (stdlib and importer.package in self.modules):
            sibling = f"{importer.package}.{name}"
            if sibling in self.modules and sibling != own:
                return self.modules[sibling]
        cands = [] if stdlib else library_candidates(self, name, self._suffix_index.get(name, []))
        if len(cands) - (own in cands) == 1:
            return self.modules[next(c for c in cands if c != own)]
        if importer is not None and cands:
            # prefer the candidate closest to the importer: the first sharing the longest leading part of its
            # dotted name (scanning every candidate per lookup was quadratic in a monorepo of apps with own `tools`)
            by_prefix = self._nearest_index.get(name)
            if by_prefix is None:
                by_prefix = self._nearest_index[name] = {}
                for c in cands:
                    parts = c.split(".")
                    for k in range(len(parts) + 1):
                        by_prefix.setdefault(".".join(parts[:k]), c)
            parts = importer.name.split(".")
            for k in range(len(parts), -1, -1):
                best = by_prefix.get(".".join(parts[:k]))
                if best is not None and best != own:
                    return self.modules[best]
        return folder_module(self, name, own)

    def imported_modules(self, mod: ModuleInfo) -> frozenset[str]:
        """The project modules `mod` imports (each import's longest prefix that is a project
        module; the package for `from pkg import name` that reads pkg's own binding), computed
        once per module."""
        hit = self._imported.get(mod.path)
        if hit is None:
            out: set[str] = set()
            for local, t in list(mod.imports.items()):
                parts = t.split(".")
                pkg = self._binding_package(parts, mod) if _imported_from(mod, local) else None
                for i in range(len(parts), 0, -1):
                    found = pkg or self.find_module(".".join(parts[:i]), mod)
                    if found is not None:
                        out.add(found.name)
                        break
            hit = self._imported[mod.path] = frozenset(out)
        return hit

    def _binding_package(self, parts: list[str], importer: Optional[ModuleInfo]) -> Optional[ModuleInfo]:
        """For `from pkg import name` (`parts`: pkg's and then name) where pkg/name.py exists: pkg,
        when its __init__ binds `name` itself, as Python reads the package's attribute first."""
        parent = self.find_module(".".join(parts[:-1]), importer) if len(parts) > 1 else None
        sub = self.find_module(".".join(parts), importer) if parent is not None else None
        if parent is None or sub is None or sub.name != f"{parent.name}.{parts[-1]}":
            return None
        return parent if _binds(parent, parts[-1]) else None

    def lookup(self, dotted: str, importer: Optional[ModuleInfo] = None, depth: int = 0,
               from_import: bool = False) -> VSet:
        """What a dotted name (as imported) refers to: a project entity or an external symbol.
        `from_import`: the name comes from `from pkg import name`, which reads the attribute of
        pkg: what pkg/__init__ binds to `name` comes before a submodule pkg/name.py (`import
        pkg.name` names the submodule)."""
        if depth > _MAX_LOOKUP_DEPTH:
            return frozenset({UNKNOWN})
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            mod = self.find_module(".".join(parts[:i]), importer)
            if mod is None:
                continue
            rest = parts[i:]
            if not rest:
                parent = self._binding_package(parts, importer) if from_import else None
                if parent is not None:
                    return self._member(parent, parts[-1:], depth)
                return frozenset({ModuleRef(mod.name)})
            return self._member(mod, rest, depth)
        return frozenset({ExtRef(dotted)})

    def _member(self, mod: ModuleInfo, rest: list[str], depth: int) -> VSet:
        head, tail = rest[0], rest[1:]
        found: VSet
        if head in mod.functions:
            found = frozenset({FuncRef(mod.functions[head].qualname)})
        elif head in mod.classes:
            found = frozenset({ClassRef(mod.classes[head].qualname)})
        elif head in mod.imports:
            found = self.lookup(mod.imports[head], mod, depth + 1, from_import=_imported_from(mod, head))
        elif head in mod.toplevel.defs:
            found = self.resolver.module_global(head, mod.toplevel)
        else:
            sub = self.find_module(f"{mod.name}.{head}")
            found = frozenset({ModuleRef(sub.name)}) if sub else filled_member(self.modules, mod, head)
        if not tail:
            return found
        out: set[Value] = set()
        for v in found:
            if isinstance(v, ModuleRef):
                out |= self._member(self.modules[v.name], tail, depth + 1)
            elif isinstance(v, ExtRef):
                out.add(ExtRef(v.path + "." + ".".join(tail)))
            elif isinstance(v, ClassRef) and len(tail) == 1:
                out |= self.resolver.class_attr(v.qualname, tail[0], instance=False)
        return frozenset(out) if out else frozenset({UNKNOWN})

    # ------------------------------------------------------------------ classes

    def mro(self, qualname: str) -> tuple[ClassInfo, ...]:
        """The class and its project base classes, breadth first; computed once per class (every
        attribute lookup on an instance asks it)."""
        hit = self._mro.get(qualname)
        if hit is None:
            out: list[ClassInfo] = []
            seen: set[str] = set()
            queue = deque([qualname])
            while queue:
                q = queue.popleft()
                if q in seen or q not in self.classes:
                    continue
                seen.add(q)
                cls = self.classes[q]
                out.append(cls)
                queue.extend(self.base_qualnames(cls))
            hit = self._mro[qualname] = tuple(out)
        return hit

    def base_qualnames(self, cls: ClassInfo) -> list[str]:
        """Qualified names of the bases: project classes by qualname, external ones by path."""
        if not cls.base_names and cls.node.bases:
            names: list[str] = []
            for b in cls.node.bases:
                for v in self.shallow.values(b, cls.module.toplevel, None):
                    if isinstance(v, ClassRef):
                        names.append(v.qualname)
                    elif isinstance(v, ExtRef):
                        names.append(v.path)
            cls.base_names = names or ["<unknown>"]
        return [b for b in cls.base_names if b != "<unknown>"]

    def external_bases(self, qualname: str) -> list[str]:
        out: list[str] = []
        for cls in self.mro(qualname):
            out.extend(b for b in self.base_qualnames(cls) if b not in self.classes)
        return out

    def subclasses(self, qualname: str) -> set[str]:
        if self._subclasses is None:
            index: dict[str, set[str]] = {}
            for q, cls in self.classes.items():
                for b in self.base_qualnames(cls):
                    index.setdefault(b, set()).add(q)
            self._subclasses = index
        out: set[str] = set()
        stack = [qualname]
        while stack:
            for sub in self._subclasses.get(stack.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    stack.append(sub)
        return out

    # ------------------------------------------------------------------ data flow helpers

    def reaching(self, func: FunctionInfo) -> ReachingDefs:
        rd = self._rd.get(func.qualname)
        if rd is None:
            rd = reaching_definitions(func)
            self._rd[func.qualname] = rd
        return rd

    def values(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: Optional[object] = None) -> VSet:
        return self.resolver.values(e, func, stmt)

    def name_bindings(self, func: FunctionInfo, name: str, stmt: object) -> tuple[FunctionInfo, list]:
        """The definitions of `name` that reach `stmt` in `func`, else the module's top-level
        ones, with the scope they belong to (syntactic, for rules that need the bound expression)."""
        defs = self.resolver.local_defs(func, name, stmt)
        if defs:
            return func, defs
        top = func.module.toplevel
        return top, top.defs.get(name, [])

    # Without `kinds`: a dict or a list/tuple/set literal; with one kind, that kind (with several,
    # mypy infers their common base: narrow with isinstance)
    @overload
    def bound_literal(self, e: Optional[ir.Expr], func: FunctionInfo,
                      stmt: object) -> Optional[Scoped[Union[ir.Dict, ir.Seq]]]: ...

    @overload
    def bound_literal(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                      kinds: tuple[type[Kind], ...], depth: int = 3) -> Optional[Scoped[Kind]]: ...

    def bound_literal(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                      kinds: tuple[type, ...] = (ir.Dict, ir.Seq),
                      depth: int = 3) -> Optional[tuple[ir.Expr, FunctionInfo, object]]:
        """The literal of one of `kinds` that `e` is, directly or through a single binding of a
        name or `self.x` (up to `depth` bindings), with the scope to read its elements in."""
        for _ in range(depth):
            if e is None:
                return None
            if isinstance(e, kinds):
                return e, func, stmt
            if not isinstance(e, (ir.Name, ir.Attribute)):
                return None
            defs = self._literal_defs(e, func, stmt)
            if len(defs) != 1:
                return None
            e, func, stmt = defs[0]
        return (e, func, stmt) if e is not None and isinstance(e, kinds) else None

    def _literal_defs(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[tuple[ir.Expr, FunctionInfo, object]]:
        """Expressions that `e` was bound to, for names, `self.x` and module globals."""
        out: list[tuple[ir.Expr, FunctionInfo, object]] = []
        if isinstance(e, ir.Name):
            owner, defs = self.name_bindings(func, e.id, stmt)
            for d in defs:
                if d.how in ("assign", "walrus") and d.value is not None:
                    out.append((d.value, d.scope or owner, d.stmt))
                elif d.how == "element" and isinstance(d.value, ir.Call):  # `headers, body = build(...)`
                    out.extend(literal_values.unpacked_return(self, d, d.scope or owner))
                elif d.how == "import" and isinstance(d.value, ir.Constant):  # `from tools import REGISTRY`
                    mod_name, _, attr = str(d.value.value).rpartition(".")
                    mod = self.find_module(mod_name, owner.module) if mod_name else None
                    if mod is not None:
                        out.extend((x.value, mod.toplevel, x.stmt) for x in mod.toplevel.defs.get(attr, [])
                                   if x.how == "assign" and x.value is not None)
        elif isinstance(e, ir.Attribute):
            for v in self.shallow.values(e.value, func, stmt):
                qual = getattr(v, "qualname", None)
                if qual in self.classes:
                    for cls in self.mro(qual):
                        for value, s, method in cls.attrs.get(e.attr, []):
                            if value is not None:
                                out.append((value, method or cls.module.toplevel, s))
                        prop = cls.methods.get(e.attr)
                        if prop is not None and is_property(prop):  # what the property returns
                            out.extend((r.value, prop, r) for r in prop.returns if r.value is not None)
                    if self.is_field_class(self.classes[qual]):  # a field set at construction
                        for site in self.field_constructions(qual):
                            arg = site.call.kwarg(e.attr)
                            if arg is not None:
                                out.append((arg, site.func, site.stmt))
        return out

    def literal_mappings(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                         res: ValueResolver) -> list[dict[object, VSet]]:
        """Dict literals (and `d[k] = v` stores) that `e` may be: key -> values."""
        return literal_values.literal_mappings(self, e, func, stmt, res)

    def literal_containers(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, res: ValueResolver) -> list[list[VSet]]:
        return literal_values.literal_containers(self, e, func, stmt, res)

    def expressions(self, kind: type,
                    functions: Optional[Iterable[FunctionInfo]] = None) -> Iterable[tuple[FunctionInfo, object, ir.Expr]]:
        """Every expression of an IR class (e.g. `ir.Subscript`), with its function and statement,
        from the index built once while the graph was constructed (no tree walks). By default over
        the agent-relevant functions."""
        for f in (functions if functions is not None else self.agent.functions()):
            for e, s in f.exprs.get(kind, ()):
                yield f, s, e

    # ------------------------------------------------------------------ call graph

    def callees(self, site: CallSite) -> frozenset[str]:
        """Project functions a call may invoke (direct, via self/cls, instances, dict dispatch)."""
        if (hit := self._callees.get(site.call)) is not None:
            return hit
        out: set[str] = set()
        values = self.shallow.values(site.call.func, site.func, site.stmt)
        if not is_super_site(site.call) and not any(
                isinstance(v, (FuncRef, ClassRef)) or getattr(v, "qualname", None) in self.classes for v in values):
            # an injected dependency (`self.llm = llm` from a parameter): follow the arguments (not `super()`'s)
            values = self.resolver.values(site.call.func, site.func, site.stmt)
        for v in values:
            if isinstance(v, FuncRef):
                out.add(v.qualname)
            elif isinstance(v, ClassRef):
                for cls in self.mro(v.qualname):
                    if "__init__" in cls.methods:
                        out.add(cls.methods["__init__"].qualname)
                        break
            elif (qual := getattr(v, "qualname", None)) in self.classes:  # calling an instance
                for cls in self.mro(qual):
                    if "__call__" in cls.methods:
                        out.add(cls.methods["__call__"].qualname)
                        break
        result = frozenset(out)
        result = self._callees[site.call] = self._callee_sets.setdefault(result, result)
        return result

    @cached_property
    def call_graph(self) -> nx.DiGraph:
        """The whole-project call graph (function qualname -> function qualname). Built on
        first use; rules normally ask `callers()`, which resolves only candidate call sites."""
        import networkx as nx  # deferred, not for a cycle: networkx costs ~90 ms at start-up and many scans never need it

        g: nx.DiGraph[str] = nx.DiGraph()
        for f in self.functions.values():
            g.add_node(f.qualname)
            for site in f.calls:
                for target in self.callees(site):
                    g.add_edge(f.qualname, target)
        return g

    @cached_property
    def _sites_by_name(self) -> dict[str, list[CallSite]]:
        """Call sites indexed by the name they call (`f()`, `x.f()` -> "f"; `d[k]()` -> "[]")."""
        index: dict[str, list[CallSite]] = {}
        for f in self.functions.values():
            for site in f.calls:
                fn = site.call.func
                key = fn.id if isinstance(fn, ir.Name) else fn.attr if isinstance(fn, ir.Attribute) else "[]"
                index.setdefault(key, []).append(site)
        return index

    def sites_named(self, name: str) -> list[CallSite]:
        """The call sites that call `name` (`name(...)`, `x.name(...)`; "[]" for `d[k](...)`), in
        the order of `functions` and their calls."""
        return self._sites_by_name.get(name, [])

    def functions_named(self, name: str) -> list[FunctionInfo]:
        """The functions (not methods, not module code) called `name`, in the order of `functions`."""
        return self._functions_by_name.get(name, [])

    @cached_property
    def _functions_by_name(self) -> dict[str, list[FunctionInfo]]:
        index: dict[str, list[FunctionInfo]] = {}
        for f in self.functions.values():
            if f.cls is None and not f.is_module:
                index.setdefault(f.name, []).append(f)
        return index

    @cached_property
    def _import_aliases(self) -> dict[str, set[str]]:
        """Imported name -> the other local names it is bound to (`from m import f as g`)."""
        aliases: dict[str, set[str]] = {}
        for mod in self.modules.values():
            for local, target in mod.imports.items():
                last = target.rsplit(".", 1)[-1]
                if local != last and not local.startswith("*"):
                    aliases.setdefault(last, set()).add(local)
        return aliases

    def is_field_class(self, cls: ClassInfo) -> bool:
        """A class whose instances get their attributes from constructor arguments by field name
        (dataclasses, pydantic models, attrs, NamedTuple, TypedDict): no hand-written __init__
        and annotated class-level fields."""
        if any("__init__" in c.methods for c in self.mro(cls.qualname)):
            return False
        return any(s.annotation is not None for c in self.mro(cls.qualname) for s in c.node.body
                   if isinstance(s, ir.Assign))

    def field_names(self, cls: ClassInfo) -> list[str]:
        names: list[str] = []
        for c in reversed(self.mro(cls.qualname)):
            for s in c.node.body:
                if isinstance(s, ir.Assign) and s.annotation is not None:
                    for t in s.targets:
                        if isinstance(t, ir.Name) and t.id not in names:
                            names.append(t.id)
        return names

    def constructions(self, cls_qualname: str) -> list[CallSite]:
        """Calls that instantiate the class: by name, alias, or `cls(...)` in its classmethods."""
        hit = self._constructions.get(cls_qualname)
        if hit is None:
            hit = self._constructions[cls_qualname] = self._find_constructions(cls_qualname)
        return hit

    def _find_constructions(self, cls_qualname: str) -> list[CallSite]:
        cls = self.classes[cls_qualname]
        names = {cls.name, "cls", *self._import_aliases.get(cls.name, ())}
        out: list[CallSite] = []
        for n in names:
            out.extend(self._classes_called(n).get(cls_qualname, ()))
        return out

    def _classes_called(self, name: str) -> dict[str, list[CallSite]]:
        """Class qualname -> the call sites by `name` whose callee may be that class, from one pass
        over those sites (the classes of many apps share a name, and each asked for all of them)."""
        index = self._constructions_by_name.get(name)
        if index is None:
            index = self._constructions_by_name[name] = {}
            for site in self._sites_by_name.get(name, ()):
                for q in dict.fromkeys(v.qualname for v in self.shallow.values(site.call.func, site.func, site.stmt)
                                       if isinstance(v, ClassRef)):
                    index.setdefault(q, []).append(site)
        return index

    # ------------------------------------------------------------------ values flowing in from call sites

    def is_test_code(self, path: str) -> bool:
        """A test module (paths.is_test_path): analysed as context, its findings not reported."""
        hit = self._test_paths.get(path)
        if hit is None:
            mod = self.by_path.get(path)  # a test-like name holding no tests is application code
            hit = self._test_paths[path] = is_test_path(path, mod.ir.source if mod is not None else None)
        return hit

    def argument_sites(self, func: FunctionInfo) -> list[CallSite]:
        """The call sites whose arguments are the values of `func`'s parameters: `callers(func)`,
        except that test code does not feed code outside it (see `_feeding`)."""
        hit = self._argument_sites.get(func.qualname)
        if hit is None:
            hit = self._argument_sites[func.qualname] = self._feeding(self.callers(func), func.path)
        return hit

    def field_constructions(self, cls_qualname: str) -> list[CallSite]:
        """The constructions whose arguments are the values of a field class's fields (dataclasses,
        pydantic models): `constructions`, except that test code does not feed code outside it."""
        hit = self._field_constructions.get(cls_qualname)
        if hit is None:
            hit = self._field_constructions[cls_qualname] = self._feeding(self.constructions(cls_qualname),
                                                                          self.classes[cls_qualname].module.path)
        return hit

    def _feeding(self, sites: list[CallSite], target_path: str) -> list[CallSite]:
        """The sites whose values flow into code defined in `target_path`. Not those in test code
        when the target is not test code: tests call library functions with the fake keys, models
        and responses they test with, and a finding those would cause lands in the library, where
        it is reported although test code is not. Test code still feeds test code, and the call
        graph (`callers`) keeps every site."""
        if self.is_test_code(target_path) or not any(self.is_test_code(s.func.path) for s in sites):
            return sites
        return [s for s in sites if not self.is_test_code(s.func.path)]

    def callers(self, func: FunctionInfo) -> list[CallSite]:
        """Call sites that may invoke `func`: candidates by name (and import alias, class name
        for `__init__`, dict dispatch), confirmed by resolving their callee."""
        if self._callers is None:
            self._callers = {}
        hit = self._callers.get(func.qualname)
        if hit is not None:
            return hit
        names = {func.name, *self._import_aliases.get(func.name, ())}
        if func.name == "__init__" and func.cls is not None:
            # `cls(...)` in an alternate constructor (`@classmethod def from_config(cls, ...)`)
            names |= {func.cls.name, "cls", *self._import_aliases.get(func.cls.name, ())}
            for sub in self.subclasses(func.cls.qualname):
                names.add(self.classes[sub].name)
        if func.name == "__call__":  # `obj(...)`: any call site may call an instance
            result = self._instance_call_sites.get(func.qualname, [])
        else:
            result = []
            for n in ("[]", *names):
                result.extend(self._sites_calling(n).get(func.qualname, ()))
        self._callers[func.qualname] = result
        return result

    def _sites_calling(self, name: str) -> dict[str, list[CallSite]]:
        """Function qualname -> the call sites by `name` that may call it, from one pass over
        those sites (many functions share a name such as `run` or `__init__`)."""
        index = self._callers_by_name.get(name)
        if index is None:
            index = {}
            for site in self._sites_by_name.get(name, ()):
                for q in self.callees(site):
                    index.setdefault(q, []).append(site)
            self._callers_by_name[name] = index
        return index

    @cached_property
    def _instance_call_sites(self) -> dict[str, list[CallSite]]:
        """`__call__` method -> the call sites that may run it: any site may call an instance, so
        the per-name indexes of every name (asking each `__call__` method to scan every site was
        quadratic in large projects)."""
        index: dict[str, list[CallSite]] = {}
        for name in self._sites_by_name:
            for q, sites in self._sites_calling(name).items():
                if q.endswith(".__call__"):
                    index.setdefault(q, []).extend(sites)
        return index

    def function_of(self, path: str, pos: ir.Pos) -> Optional[FunctionInfo]:
        """The innermost function whose definition spans `pos` in the file."""
        key = (path, pos[0])  # the answer depends on the line only; settings ask for it again and again
        if key not in self._function_at:
            self._function_at[key] = self._innermost_function(path, pos[0])
        return self._function_at[key]

    def _innermost_function(self, path: str, line: int) -> Optional[FunctionInfo]:
        best: Optional[FunctionInfo] = None
        if self._functions_by_path is None:  # built once: a scan of every function per call was quadratic
            self._functions_by_path = {}
            for fn in self.functions.values():
                self._functions_by_path.setdefault(fn.module.path, []).append(fn)
        for f in self._functions_by_path.get(path, ()):
            if f.node is None:
                best = best or f
                continue
            if f.node.pos[0] <= line <= f.node.pos[2]:
                if best is None or best.node is None or f.node.pos[0] >= best.node.pos[0]:
                    best = f
        return best

    # ------------------------------------------------------------------ agent layer

    @cached_property
    def agent(self) -> AgentLayer:
        return AgentLayer(self)

__all__ = ["Const", "ProjectGraph", "Union"]


def _binds(mod: ModuleInfo, name: str) -> bool:
    """Does the module's own code bind `name` to something other than its submodule of that name
    (a def, a class, an assignment, an import of something else)?"""
    target = mod.imports.get(name)
    if target is not None:
        return target != f"{mod.name}.{name}"
    return name in mod.functions or name in mod.classes or name in mod.toplevel.defs


def _imported_from(mod: ModuleInfo, name: str) -> bool:
    """Is the module's top-level `name` bound by `from ... import name` (a re-export)?"""
    return any(d.how == "import" and isinstance(d.stmt, ir.ImportFrom) for d in mod.toplevel.defs.get(name, ()))
