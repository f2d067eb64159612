"""Interprocedural resolution: what a parameter holds, from every call site's argument, and what
a call returns when the callee passes one of its parameters through (bound to that call's
arguments).

`ExpandingResolver` is the full resolver of the project graph; `resolve.Resolver`, which it
extends, is the shallow one the call graph is built with (parameters stay ParamRef). Two narrowed
variants answer for one context: `BoundResolver` (one function's parameters bound to one call's
arguments) and `ReceiverResolver` (`self` restricted to some classes).

Why apart from `resolve`: the shallow resolver needs none of this, and this needs the call graph
the shallow one builds (`CodeGraph.argument_sites`); here it extends the resolver, one way.
"""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.callbacks import callback_sites
from agentable.cpg.binding import (argument_for, is_staticmethod, lookup_key_param, param_index, passes_through_param,
                                   self_param)
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.resolve import EMPTY, Resolver
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.super_calls import is_super_site
from agentable.cpg.typed_sources import callers_decide, response_type_at
from agentable.cpg.values import UNKNOWN, FuncRef, Instance, LLMOutput, ParamRef, Typed, Value, VSet


class ExpandingResolver(Resolver):
    """The full resolver: parameters expand through the call graph (see the module docstring)."""

    expand_params = True

    def __init__(self, graph: CodeGraph) -> None:
        super().__init__(graph)
        self.param_memo: dict[tuple[str, str], VSet] = {}
        self.bound_depth = 0  # how many BoundResolvers deep: bound at most twice
        self._receivers: dict[frozenset[str], ReceiverResolver] = {}
        self._dispatch_memo: dict[tuple[str, str], Optional[str]] = {}
        # (callee, bound depth, bindings) -> its bound returns: a BoundResolver starts from an empty
        # memo and re-resolves all the callee reaches, and the same call is often bound to the same
        # values again (openai-agents-python: 1,731 bindings, 817 distinct). Shared with the
        # BoundResolvers and ReceiverResolvers made from this one.
        self.bound_memo: dict[tuple[str, int, frozenset[tuple[str, VSet]]], VSet] = {}

    def param_values(self, func: FunctionInfo, name: str) -> VSet:
        """A parameter: what the shallow resolver says, plus its default and what every call site
        passes (test code does not feed code outside it: `argument_sites`)."""
        idx = param_index(func, name)
        if idx is None:
            return frozenset({UNKNOWN})
        own = self._receiver_values(func, idx)
        if own is not None:
            return own
        ref = ParamRef(func.qualname, name)
        p = func.params[idx]
        # a cycle reads the bare parameter meanwhile
        return self.memoized(self.param_memo, (func.qualname, name), frozenset({ref}),
                             lambda: self._param_values(func, p, idx, ref))

    def _param_values(self, func: FunctionInfo, p: ir.Param, idx: int, ref: ParamRef) -> VSet:
        out: set[Value] = {ref} | self._annotated_instance(p, func)
        if p.default is not None:
            out |= self.values(p.default, func, func.node)
        offset = 1 if func.cls is not None and not is_staticmethod(func) else 0
        for site in self.g.argument_sites(func):
            arg = argument_for(site.call, p, idx - offset)
            if arg is not None:
                out |= self._argument_values(arg, site, func)
        # what each subclass's `super().m(...)` passes (the call graph does not list those calls)
        supers = [self.values(arg, site.func, site.stmt) for site in self._super_sites(func)
                  if (arg := argument_for(site.call, p, idx - offset)) is not None]
        if supers and all(vs == supers[0] for vs in supers):
            # Subclasses that hand the base the same values (`super().__init__(name, llm)` with the
            # llm each was given): what the base stores on `self` is that, for every subclass. When
            # siblings pass different values, their union would mix them on one instance, so none
            # is taken (the attribute stays what the base's own code says).
            out |= supers[0]
        for inner, passing, passed in callback_sites(self.g, func):  # `on_reply(text)` with on_reply=func
            arg = argument_for(inner.call, p, idx - offset)
            if arg is not None and FuncRef(func.qualname) in self.values(passed, passing.func, passing.stmt):
                out |= self.values(arg, inner.func, inner.stmt)
        typed = [v for v in out if isinstance(v, LLMOutput) and response_type_at(v.site[1]) is not None]
        if typed and callers_decide(self.g, out):
            out.difference_update(typed)  # `result: ChatCompletion` given the call's own output: that decides
        return frozenset(out)

    def _super_sites(self, func: FunctionInfo) -> list[CallSite]:
        """The `super().m(...)` calls in methods of the subclasses of `func`'s class that reach `func`."""
        if func.cls is None or func.node is None:
            return []
        target = FuncRef(func.qualname)
        return [site for sub in sorted(self.g.subclasses(func.cls.qualname)) if sub in self.g.classes
                for method in self.g.classes[sub].methods.values() for site in method.calls
                if is_super_site(site.call) and isinstance(site.call.func, ir.Attribute)
                and site.call.func.attr == func.name and target in self.values(site.call.func, method, site.stmt)]

    def _argument_values(self, arg: ir.Expr, site: CallSite, callee: FunctionInfo) -> VSet:
        """What a call site passes for one of the callee's parameters. A `self.m(...)` call in a
        method reaches an override of `m` only when `self` is an instance of a class that
        dispatches `m` to it: the argument is then resolved for those receivers alone, so that in
        a base-class template method (`resp = self._call(); self.parse(resp)`) each override of
        `parse` sees the response of its own class's `_call`, not a sibling subclass's."""
        receivers = self._dispatching_receivers(site, callee)
        if receivers is None:
            return self.values(arg, site.func, site.stmt)
        if not receivers:
            return EMPTY
        return self.receiver(receivers).values(arg, site.func, site.stmt)

    def _dispatching_receivers(self, site: CallSite, callee: FunctionInfo) -> Optional[frozenset[str]]:
        """For a call on the caller's own `self` whose receiver classes do not all dispatch to
        `callee`, the classes that do; None when every receiver does (or the call is not on `self`)."""
        caller = site.func
        fn = site.call.func
        if (callee.cls is None or not isinstance(fn, ir.Attribute) or fn.attr != callee.name
                or not isinstance(fn.value, ir.Name) or self_param(caller) != fn.value.id
                or self_param(callee) is None):
            return None
        classes = [v.qualname for v in self.param_values(caller, fn.value.id) if isinstance(v, Instance)]
        # a class whose `self.m` is another method does not call this one; one where it is an
        # attribute (or nothing the project defines) may, and is kept
        hits = frozenset(c for c in classes if self.dispatch(c, fn.attr) in (callee.qualname, None))
        return None if len(hits) == len(classes) else hits

    def dispatch(self, cls_qualname: str, attr: str) -> Optional[str]:
        """The method `instance.attr` is on an instance of the class (first in its MRO; None when
        an attribute comes first or no project class defines it)."""
        key = (cls_qualname, attr)
        if key not in self._dispatch_memo:
            found: Optional[str] = None
            for cls in self.g.mro(cls_qualname):
                if attr in cls.methods:
                    found = cls.methods[attr].qualname
                    break
                if attr in cls.attrs:
                    break
            self._dispatch_memo[key] = found
        return self._dispatch_memo[key]

    def receiver(self, classes: Iterable[str]) -> ReceiverResolver:
        """This resolver, with `self` restricted to instances of `classes` (one per set, kept)."""
        key = frozenset(classes)
        hit = self._receivers.get(key)
        if hit is None:
            hit = self._receivers[key] = ReceiverResolver(self, key)
        return hit

    def returns_at(self, qualname: str, call: Optional[ir.Call], caller: Optional[FunctionInfo], stmt: Optional[object]) -> VSet:
        """Return values of a call. When the callee returns (the result of calling) one of its
        parameters, e.g. a retry helper `def retry(fn, *a): return fn(*a)`, the parameters are
        bound to this call's arguments (one level of context sensitivity) instead of the union
        over every caller, which would mix unrelated call sites."""
        target = self.g.functions.get(qualname)
        if call is None or caller is None or target is None or self.bound_depth >= 2:
            return self.function_returns(qualname)
        if passes_through_param(target):
            return self._bound_returns(target, call, caller, stmt, {})
        key = lookup_key_param(target)
        if key is not None:
            # `storage.get("tenant_id")`: the entry this call names, not every caller's; bound only for
            # a literal key (binding resolves every argument, which a computed key may loop back into)
            idx = param_index(target, key.name)
            offset = 1 if target.cls is not None and not is_staticmethod(target) else 0
            arg = argument_for(call, key, (idx or 0) - offset)
            if isinstance(arg, ir.Constant) and isinstance(arg.value, str):
                return self._bound_returns(target, call, caller, stmt, {})
        return self.function_returns(qualname)

    def _bound_returns(self, target: FunctionInfo, call: ir.Call, caller: FunctionInfo, stmt: Optional[object],
                       bindings: dict[str, VSet]) -> VSet:
        """The callee's return values with its parameters bound to this call's arguments."""
        qualname = target.qualname
        offset = 1 if target.cls is not None and not is_staticmethod(target) else 0
        for idx, p in enumerate(target.params):
            if idx < offset:
                continue
            arg = argument_for(call, p, idx - offset)
            if arg is not None:
                bindings[p.name] = self.values(arg, caller, stmt)
            elif p.kind == "vararg":
                bindings[p.name] = frozenset({Typed("tuple")})
            elif p.kind == "kwarg":
                bindings[p.name] = frozenset({Typed("dict")})
        key = (qualname, self.bound_depth, frozenset(bindings.items()))
        hit = self.bound_memo.get(key)
        if hit is None:
            bound = BoundResolver(self.g, target.qualname, bindings, self.bound_depth + 1)
            bound.bound_memo = self.bound_memo
            hit = self.bound_memo[key] = bound.function_returns(qualname)
        return hit


class BoundResolver(ExpandingResolver):
    """A resolver in which one function's parameters are bound to one call site's arguments."""

    def __init__(self, graph: CodeGraph, qualname: str, bindings: dict[str, VSet], bound_depth: int) -> None:
        super().__init__(graph)
        self.target = qualname
        self.bindings = bindings
        self.bound_depth = bound_depth

    def param_values(self, func: FunctionInfo, name: str) -> VSet:
        if func.qualname == self.target and name in self.bindings:
            return self.bindings[name]
        return super().param_values(func, name)

    def bound_param(self, func: FunctionInfo, name: str) -> Optional[VSet]:
        if func.qualname == self.target and len(func.defs.get(name, ())) == 1:
            return self.bindings.get(name)
        return None


class ReceiverResolver(ExpandingResolver):
    """The outer resolver's answers for one set of receiver classes: in the methods of those
    classes and of their bases, `self` is an instance of one of them. It covers what runs on the
    same object: the method a call site is in, the methods it calls on `self` (transitively) and
    `self.x` attributes; anything else (other objects, other parameters, module code) is asked of
    the outer resolver, so that its memo is shared and no unrelated value is narrowed.

    This is what keeps sibling subclasses apart in a base-class template method: resolved for
    `BedrockLLM`, `resp = self._call(...)` in `BaseLLM.complete` is `BedrockLLM._call`'s return
    only."""

    def __init__(self, outer: ExpandingResolver, classes: frozenset[str]) -> None:
        self.outer = outer
        depth = outer.depth
        super().__init__(outer.g)
        outer.depth = depth  # the counter is shared (see `depth`): __init__ must not reset it
        self.classes = classes
        self.bound_depth = outer.bound_depth
        self.bound_memo = outer.bound_memo
        self._self_memo: dict[str, Optional[VSet]] = {}

    # One recursion budget for the outer resolver and this one, which call each other.
    depth = property(lambda self: self.outer.depth, lambda self, v: setattr(self.outer, "depth", v))

    def self_values(self, func: FunctionInfo) -> Optional[VSet]:
        """`self` in a method of one of the receiver classes or of their bases; None elsewhere."""
        q = func.qualname
        if q not in self._self_memo:
            out: Optional[VSet] = None
            if func.cls is not None and self_param(func) is not None:
                related = self.classes & ({func.cls.qualname} | self.g.subclasses(func.cls.qualname))
                if related:
                    out = frozenset(Instance(c) for c in related)
            self._self_memo[q] = out
        return self._self_memo[q]

    def values(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: Optional[object] = None) -> VSet:
        if self.self_values(func) is None:
            return self.outer.values(e, func, stmt)
        return super().values(e, func, stmt)

    def param_values(self, func: FunctionInfo, name: str) -> VSet:
        own = self.self_values(func)
        if own is not None and self_param(func) == name:
            return own
        return self.outer.param_values(func, name)

    def function_returns(self, qualname: str) -> VSet:
        target = self.g.functions.get(qualname)
        if target is None or self.self_values(target) is None:
            return self.outer.function_returns(qualname)
        return super().function_returns(qualname)

    def returns_at(self, qualname: str, call: Optional[ir.Call], caller: Optional[FunctionInfo],
                   stmt: Optional[object]) -> VSet:
        target = self.g.functions.get(qualname)
        own = self.self_values(target) if target is not None else None
        if (own is None or call is None or caller is None or self.self_values(caller) is None
                or not isinstance(call.func, ir.Attribute) or not isinstance(call.func.value, ir.Name)
                or call.func.value.id != self_param(caller)):
            return self.outer.returns_at(qualname, call, caller, stmt)  # not a call on the same object
        assert target is not None
        if self.bound_depth < 2 and passes_through_param(target):
            return self._bound_returns(target, call, caller, stmt, {str(self_param(target)): own})
        return self.function_returns(qualname)

    def class_attr(self, qualname: str, attr: str, instance: bool) -> VSet:
        if instance and qualname in self.classes:
            return super().class_attr(qualname, attr, instance)
        return self.outer.class_attr(qualname, attr, instance)

    def receiver(self, classes: Iterable[str]) -> ReceiverResolver:
        return self.outer.receiver(classes)
