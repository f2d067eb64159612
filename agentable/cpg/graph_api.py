"""What the layers built on the project graph ask of it, as Protocols.

Why: the resolver, the framework modelling, the agent layer, tool and state-graph discovery and
the artifact links are all handed the project graph, and `project.ProjectGraph` builds (or
reaches) every one of them. Typing them against `ProjectGraph` itself made each of those modules
import `project` back, a cycle even when the import was only for the type checker. They type
against these Protocols instead, which `ProjectGraph` and `resolve.Resolver` satisfy
structurally, so imports run one way: project -> agent -> tools -> ... -> graph_api.

Members are read-only properties where the graph holds plain attributes: an implementation may
then hold a more specific type (a `Resolver` for a `ValueResolver`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Protocol, TypeVar, Union, overload

from agentable.cpg import ir
from agentable.cpg.structure import CallSite, ClassInfo, DefSite, FunctionInfo, ModuleInfo
from agentable.cpg.values import VSet

if TYPE_CHECKING:
    from agentable.catalog import Catalog
    from agentable.catalog.specs import LLMCallSpec
    from agentable.cpg.artifacts.store import ArtifactSet
    from agentable.cpg.flow import ReachingDefs

# A literal with the scope to read it in: (expression, function, statement).
ScopedExpr = tuple[ir.Expr, FunctionInfo, object]
_E = TypeVar("_E", bound=ir.Expr)
Scoped = tuple[_E, FunctionInfo, object]  # the same, for one kind of expression
Kind = TypeVar("Kind", bound=ir.Expr)


class ValueResolver(Protocol):
    """What may an expression evaluate to (see `resolve.Resolver`)."""

    @property
    def g(self) -> CodeGraph: ...

    expand_params: bool  # parameters expand through the call graph (the full resolvers), or stay ParamRef

    def values(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: Optional[object] = None) -> VSet: ...

    def elements(self, container: VSet, expr: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> VSet: ...

    def module_global(self, name: str, top: FunctionInfo) -> VSet: ...

    def local_defs(self, func: FunctionInfo, name: str, stmt: Optional[object]) -> list[DefSite]: ...

    def class_attr(self, qualname: str, attr: str, instance: bool) -> VSet: ...

    def function_returns(self, qualname: str) -> VSet: ...

    def http_llm_spec(self, e: ir.Call, path: str, func: FunctionInfo, stmt: Optional[object]) -> Optional[LLMCallSpec]: ...


class CodeGraph(Protocol):
    """The project graph as its layers see it (see `project.ProjectGraph`)."""

    @property
    def catalog(self) -> Catalog: ...

    @property
    def artifacts(self) -> Optional[ArtifactSet]: ...

    @property
    def modules(self) -> dict[str, ModuleInfo]: ...

    @property
    def by_path(self) -> dict[str, ModuleInfo]: ...

    @property
    def functions(self) -> dict[str, FunctionInfo]: ...

    @property
    def classes(self) -> dict[str, ClassInfo]: ...

    @property
    def shallow(self) -> ValueResolver: ...

    @property
    def resolver(self) -> ValueResolver: ...

    # modules and symbols
    def find_module(self, name: str, importer: Optional[ModuleInfo] = None) -> Optional[ModuleInfo]: ...

    def imported_modules(self, mod: ModuleInfo) -> frozenset[str]: ...

    def lookup(self, dotted: str, importer: Optional[ModuleInfo] = None, depth: int = 0,
               from_import: bool = False) -> VSet: ...

    def injected_function(self, name: str) -> Optional[str]: ...

    def injected_users(self) -> dict[str, set[str]]: ...

    # classes
    def mro(self, qualname: str) -> tuple[ClassInfo, ...]: ...

    def external_bases(self, qualname: str) -> list[str]: ...

    def subclasses(self, qualname: str) -> set[str]: ...

    def is_field_class(self, cls: ClassInfo) -> bool: ...

    def field_names(self, cls: ClassInfo) -> list[str]: ...

    def field_constructions(self, cls_qualname: str) -> list[CallSite]: ...

    # data flow
    def reaching(self, func: FunctionInfo) -> ReachingDefs: ...

    def values(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: Optional[object] = None) -> VSet: ...

    def name_bindings(self, func: FunctionInfo, name: str, stmt: object) -> tuple[FunctionInfo, list]: ...

    # Without `kinds`: a dict or a list/tuple/set literal; with one kind, that kind (with several,
    # mypy infers their common base: narrow with isinstance)
    @overload
    def bound_literal(self, e: Optional[ir.Expr], func: FunctionInfo,
                      stmt: object) -> Optional[Scoped[Union[ir.Dict, ir.Seq]]]: ...

    @overload
    def bound_literal(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                      kinds: tuple[type[Kind], ...], depth: int = 3) -> Optional[Scoped[Kind]]: ...

    def _literal_defs(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[ScopedExpr]: ...

    def literal_mappings(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                         res: ValueResolver) -> list[dict[object, VSet]]: ...

    def literal_containers(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                           res: ValueResolver) -> list[list[VSet]]: ...

    # the call graph
    def callees(self, site: CallSite) -> frozenset[str]: ...

    def callers(self, func: FunctionInfo) -> list[CallSite]: ...

    def argument_sites(self, func: FunctionInfo) -> list[CallSite]: ...

    def sites_named(self, name: str) -> list[CallSite]: ...

    def functions_named(self, name: str) -> list[FunctionInfo]: ...

    def function_of(self, path: str, pos: ir.Pos) -> Optional[FunctionInfo]: ...
