"""Keyword arguments that a call into a mined library passes and that the callee's signature, in
the release a fresh install gets, does not accept (catalog api_surface: parameters mined from the
wheels). Only what the data proves: a keyword one of the read releases named explicitly, a callee
whose installed signature is known and has no `**kwargs`, on an object whose class is known."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Optional

from packaging.version import Version

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite
from agentable.cpg.values import ExtRef
from agentable.query.facts import per_graph
from agentable.query.guards import is_protected
from agentable.query.versions import (VersionSource, callee_of, chain_form, installed_read_bits, is_framework_symbol,
                                      mined_ranges, shadowed_by_project)

_RECEIVERS = frozenset({"self", "cls"})
# names in a test that make a branch a check of the library's version or of the callee's signature
_VERSION_TESTS = frozenset({"__version__", "version", "VERSION", "version_info", "signature", "parameters",
                            "getfullargspec", "getargspec", "hasattr"})


@dataclass(frozen=True)
class Signature:
    """A mined parameter list ("self,a,*,b,**"): the names a keyword can bind, and `**kwargs`."""

    names: tuple[str, ...]
    var_kw: bool

    @classmethod
    def parse(cls, text: str) -> "Signature":
        parts = text.split(",") if text else []
        return cls(tuple(p for p in parts if p and not p.startswith("*")), "**" in parts)

    def accepts(self, keyword: str) -> bool:
        return self.var_kw or keyword in self.names

    def shown(self, most: int = 8) -> str:
        """`prompt, model, stop, …` (the first `most` names a keyword can bind)."""
        names = [n for n in self.names if n not in _RECEIVERS]
        return ", ".join(names[:most]) + (f", … ({len(names)} in all)" if len(names) > most else "")


@dataclass(frozen=True)
class Callee:
    """Where a callee's parameters are in the mined data: `key` in `params`, and for a member, the
    class (`mod:Class`) whose members must be known (closed) in the releases judged."""

    symbol: str  # how the project names it: `langchain_x.Chat.__init__`
    key: str
    owner: Optional[str]


@dataclass(frozen=True)
class RejectedKeyword:
    site: CallSite
    keyword: str
    callee: str
    dist: str
    source: VersionSource
    installed: tuple[str, ...]
    signature: Signature  # in the (first) installed release
    accepted: str  # the read releases that named the keyword, as ranges
    read: str  # `0.1.0 to 1.8.1`
    renamed_to: str = ""
    newer: bool = False  # only releases newer than the installed ones accept it (the pin is too old)
    # the call of a project wrapper that passes the keyword, which its `**kwargs` hand on to `site`
    via: Optional[CallSite] = None

    def installed_text(self) -> str:
        src = self.source
        if src.locked:
            return f"{src.versions()}, the version {src.path}:{src.line} pins{src.declared_note()}"
        return (f"{self.dist} {self.installed[0]}, the newest release that {src.path}:{src.line} admits "
                f"(`{src.versions()}`), which a fresh install gets")


@per_graph
def rejected_keywords(g: ProjectGraph, any_dist: bool = False) -> list[RejectedKeyword]:
    """Calls of the agent's code into a mined LLM SDK or framework (with `any_dist`, any mined
    library: httpx, pettingzoo) that pass a keyword the callee does not accept in the release a
    fresh install gets, while an older read release accepted it."""
    out: list[RejectedKeyword] = []
    for site, _ in g.agent.external_calls:
        names = [kw.name for kw in site.call.keywords if kw.name and kw.name not in _RECEIVERS]
        if not names:
            continue
        vals = g.values(site.call.func, site.func, site.stmt)
        if not vals or any(v.__class__ is not ExtRef for v in vals):
            continue  # the callee may be something else: unknown
        kws = list(dict.fromkeys(names))
        shimmed = 0  # the keywords before this index were tested for a compatibility shim: none is
        for i, kw in enumerate(kws):
            found = [_judge(g, site, v, kw, any_dist) for v in vals if isinstance(v, ExtRef)]
            if not found or any(f is None for f in found):
                continue
            # a shim for this keyword or an earlier one stops the call's keywords there; tested
            # only once one is rejected (the shim test reads the function's branches and handlers,
            # the judgement only the mined data, and most keywords are accepted)
            if any(_compat_shim(g, site, k) for k in kws[shimmed:i + 1]):
                break
            shimmed = i + 1
            out.append(found[0])  # type: ignore[arg-type]
    return out


@per_graph
def forwarded_rejections(g: ProjectGraph) -> list[RejectedKeyword]:
    """Keywords a call of a project wrapper passes that its `**kwargs` hand on, untouched, to a call
    into a mined LLM SDK or framework which does not accept them (`def ask(prompt, **kw):
    client.chat.completions.create(..., **kw)` called as `ask(q, old_name=1)`); `via` is the
    wrapper's call, where the keyword is written."""
    out: list[RejectedKeyword] = []
    for site, _ in g.agent.external_calls:
        passed = _forwarded_keywords(g, site)
        if not passed:
            continue
        vals = g.values(site.call.func, site.func, site.stmt)
        if not vals or any(v.__class__ is not ExtRef for v in vals):
            continue
        for via, kw in passed:
            found = [_judge(g, site, v, kw, False) for v in vals if isinstance(v, ExtRef)]
            first = found[0] if found else None
            if first is None or any(f is None for f in found) or _compat_shim(g, site, kw) or _compat_shim(g, via, kw):
                continue
            out.append(dataclasses.replace(first, via=via))
    return out


def _forwarded_keywords(g: ProjectGraph, site: CallSite) -> list[tuple[CallSite, str]]:
    """(wrapper call, keyword) for each keyword the callers of `site`'s function pass into the
    `**kwargs` that `site` splats. Only a `**kwargs` the function does nothing else with (no
    other read or splat, store or rebinding, here or in a nested function) hands on exactly what
    the callers passed; a keyword naming one of the function's own parameters binds that instead."""
    func = site.func
    if func.node is None:
        return []
    splatted = {k.value.id for k in site.call.keywords if k.name is None and isinstance(k.value, ir.Name)}
    var_kw = next((p.name for p in func.params if p.kind == "kwarg" and p.name in splatted), None)
    if var_kw is None or not _only_splatted(func, var_kw):
        return []
    own = {p.name for p in func.params if p.kind in ("normal", "kwonly")}
    explicit = {k.name for k in site.call.keywords if k.name}
    out: list[tuple[CallSite, str]] = []
    for caller in g.argument_sites(func):
        if any(k.name is None for k in caller.call.keywords):
            continue  # (what a caller's own `**options` holds is not known here)
        for k in caller.call.keywords:
            if k.name and k.name not in own and k.name not in explicit and k.name not in _RECEIVERS:
                out.append((caller, k.name))
    return out


def _only_splatted(func, name: str) -> bool:
    """Is `name` read in `func` only as the `**name` argument of one call, with no other binding?
    (A wrapper that splats it into two calls, one per provider, may mean a keyword for the other.)"""
    if any(d.how != "param" for d in func.defs.get(name, ())):
        return False
    splats = {id(k.value) for call, _ in func.walk(ir.Call) for k in call.keywords
              if k.name is None and isinstance(k.value, ir.Name) and k.value.id == name}
    if len(splats) != 1 or any(n.id == name and id(n) not in splats for n, _ in func.walk(ir.Name)):
        return False
    return not any(n.id == name for inner in func.nested.values() for n, _ in inner.walk(ir.Name))


def _compat_shim(g: ProjectGraph, site: CallSite, kw: str) -> bool:
    """Is the call written for several releases: under a branch that tests the library's version or
    the callee's signature, or inside a `try` whose handler takes the TypeError (here or in every
    caller)?"""
    if is_protected(g, site.func, site.stmt, ("TypeError",)):
        return True
    for anc in site.func.ancestors(site.stmt):
        if isinstance(anc, (ir.If, ir.While)) and _tests_version(site.func, anc.test, kw, 2):
            return True
    for top in ir.stmt_exprs(site.stmt):  # `f(new=x) if NEW_API else f(old=x)`
        for e in ir.walk_expr(top):
            if isinstance(e, ir.IfExp) and any(c is site.call for c in (*ir.walk_expr(e.body), *ir.walk_expr(e.orelse))) \
                    and _tests_version(site.func, e.test, kw, 2):
                return True
    return False


def under_version_test(func, stmt: ir.Stmt, memo: Optional[dict[int, bool]] = None) -> bool:
    """Does `stmt` run only under a branch that tests a library's version (`if metadata.version("openai")
    < "1.0": from openai.error import ...`): code written for the other releases too? `memo` (id of
    an `if` of `func` -> its verdict) serves a caller asking about many statements of one function."""
    if memo is None:
        return any(isinstance(anc, ir.If) and _tests_version(func, anc.test, None, 2) for anc in func.ancestors(stmt))
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If):
            hit = memo.get(id(anc))
            if hit is None:
                hit = memo[id(anc)] = _tests_version(func, anc.test, None, 2)
            if hit:
                return True
    return False


def _tests_version(func, test: Optional[ir.Expr], kw: Optional[str], depth: int) -> bool:
    """Does the test read a version or a signature (itself, or through a variable assigned here or
    at module level from one: `NEW_API = Version(lib.__version__) >= ...`), or name the keyword?"""
    for e in ir.walk_expr(test):
        if (isinstance(e, ir.Name) and e.id in _VERSION_TESTS) or \
                (isinstance(e, ir.Attribute) and e.attr in _VERSION_TESTS) or \
                (kw is not None and isinstance(e, ir.Constant) and e.value == kw):
            return True
        if isinstance(e, ir.Name) and depth > 0:
            for scope in (func, func.module.toplevel):
                if any(d.value is not None and _tests_version(scope, d.value, kw, depth - 1)
                       for d in scope.defs.get(e.id, ())):
                    return True
    return False


def _judge(g: ProjectGraph, site: CallSite, ext: ExtRef, kw: str, any_dist: bool) -> Optional[RejectedKeyword]:
    if ext.binds or ext.tail:
        return None  # a bound or chained object is another class's instance
    target = callee_of(ext.path)
    if target is None and chain_form(ext.path) and ext.site is not None and is_framework_symbol(g, ext.path):
        return _judge_chain(g, site, ext.path, kw)  # `client.chat.completions.create(...)`
    if target is None or not (any_dist or is_framework_symbol(g, target[0])):
        return None
    if target[1] and ext.site is None:
        return None  # a receiver known by annotation or inheritance only: a subclass may widen it
    root = target[0].split(".", 1)[0]
    if shadowed_by_project(g, root):
        return None
    index = g.catalog.api_surface
    verdicts: list[Optional[RejectedKeyword]] = []
    for dist in index.dists_for(root):
        surface = index.get(dist)
        if surface is None or surface.presence(target[0]) is None:
            continue
        fresh = installed_read_bits(g, site.func.path, dist, surface)
        if fresh is None:
            continue
        verdicts.append(_judge_in(site, surface, fresh, target, kw))
    return verdicts[0] if verdicts and all(v is not None for v in verdicts) else None


def _judge_chain(g: ProjectGraph, site: CallSite, path: str, kw: str) -> Optional[RejectedKeyword]:
    """A method reached through typed attributes of an instance the project made
    (`openai.OpenAI().chat.completions.create`): its signature in the releases a fresh install gets,
    each found by walking the client's attributes in that release (the resource classes move
    between modules across releases)."""
    root = path.split(".", 1)[0]
    if shadowed_by_project(g, root):
        return None
    index = g.catalog.api_surface
    verdicts: list[Optional[RejectedKeyword]] = []
    member = path.rpartition(".")[2]
    for dist in index.dists_for(root):
        surface = index.get(dist)
        if surface is None or surface.chain_presence(path) is None:
            continue
        fresh = installed_read_bits(g, site.func.path, dist, surface)
        if fresh is None:
            continue
        callees = {}
        for i in range(len(surface.versions)):
            owner = surface.chain_owner(path, 1 << i)
            if owner is not None:
                callees[i] = Callee(path, f"{owner}.{member}", owner)
        verdicts.append(_judge_callees(site, surface, fresh, callees, kw, newer_too=True))
    return verdicts[0] if verdicts and all(v is not None for v in verdicts) else None


def _locate(surface, name: str, member: str, bit: int) -> Optional[Callee]:
    """The callee in one read release (bit), or None when the data cannot tell."""
    pres = surface.presence(name)
    if pres is None or pres.module == name or surface.lazy.get(pres.module, 0) & bit:
        return None
    rest = name[len(pres.module) + 1:]
    top, _, attr = rest.partition(".")
    if attr and member:
        return None
    member = attr or member
    if not member:
        home = _home(surface, pres.module, top, "function")
        if home is not None and any(m & bit for _, m in surface.params.get(f"{home}:{top}", ())):
            return Callee(name, f"{home}:{top}", None)  # a module-level function
    home = _home(surface, pres.module, top, "class")
    if home is None:
        return None
    owner = f"{home}:{top}"
    shown = name if attr else f"{name}.{member or '__init__'}"
    return Callee(shown, f"{owner}.{member or '__init__'}", owner)


_HOMES: dict[tuple[str, str, str, str], Optional[str]] = {}


def _home(surface, mod: str, name: str, kind: str) -> Optional[str]:
    """The module whose entry holds `name`'s parameters (a function) or members (a class): `mod`
    itself, or the one module reached through a chain of packages that each re-export the name
    (`pkg` -> `pkg.sub` -> `pkg.sub.impl`; the data keeps a class's members under its shortest
    path only, and a re-exported function's parameters where it is defined)."""
    key = (surface.name, mod, name, kind)
    if key not in _HOMES:
        found = [m for m in surface.modules if (m == mod or m.startswith(mod + ".") or mod.startswith(m + "."))
                 and _holds(surface, f"{m}:{name}", kind) and _chained(surface, mod, m, name)]
        _HOMES[key] = mod if mod in found else (found[0] if len(found) == 1 else None)
    return _HOMES[key]


def _holds(surface, key: str, kind: str) -> bool:
    if kind == "function":
        return bool(surface.params.get(key))
    return bool(surface.closed_class(key) | surface.open_classes.get(key, 0))


def _chained(surface, a: str, b: str, name: str) -> bool:
    """Does every package between modules `a` and `b` (one inside the other) bind `name`?"""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    parts = long.split(".")
    return all(f"{'.'.join(parts[:i])}:{name}" in surface.symbols for i in range(short.count(".") + 1, len(parts) + 1))


def _signature(surface, callee: Callee, bit: int) -> Optional[Signature]:
    """The callee's parameters in one read release, when known: its members are all visible (no
    base outside the wheel, no metaclass, no `__getattr__`) and its signature was recorded."""
    if callee.owner is not None:
        if not surface.closed_class(callee.owner) & bit:
            return None
        if not surface.symbols.get(callee.key, 0) & bit:
            return None  # an `__init__` the data does not show (a dataclass, attrs, `object`)
    sigs = [s for s, m in surface.params.get(callee.key, ()) if m & bit]
    return Signature.parse(sigs[0]) if len(sigs) == 1 else None


def _judge_in(site: CallSite, surface, fresh, target: tuple[str, str], kw: str) -> Optional[RejectedKeyword]:
    callees = {}
    for i in range(len(surface.versions)):
        c = _locate(surface, target[0], target[1], 1 << i)
        if c is not None:
            callees[i] = c
    installed_keys = {callees[i].key for i in fresh[2] if i in callees}
    # (a module-level name is one callee: the releases where it is another are not its history)
    return _judge_callees(site, surface, fresh, {i: c for i, c in callees.items() if c.key in installed_keys}, kw)


def _judge_callees(site: CallSite, surface, fresh, callees: dict[int, Callee], kw: str,
                   newer_too: bool = False) -> Optional[RejectedKeyword]:
    """`kw` rejected by the callee in every installed read release (`fresh`), while other read
    releases (`callees`: the callee in each read release) named it. With `newer_too`, also when
    only releases newer than the installed ones name it (the declaration pins a release too old)."""
    source, installed, bits = fresh
    sig: Optional[Signature] = None
    callee: Optional[Callee] = None
    for i in bits:
        callee = callees.get(i)
        s = _signature(surface, callee, 1 << i) if callee is not None else None
        if s is None or s.accepts(kw):
            return None
        sig = sig or s
    if callee is None or sig is None:
        return None
    accepted = 0
    for i, c in callees.items():
        old = [Signature.parse(s) for s, m in surface.params.get(c.key, ()) if m >> i & 1]
        if any(kw in o.names for o in old):
            accepted |= 1 << i
    has = surface.versions_in(accepted)
    newer = bool(has) and min(has) > max(installed)
    if not has or (newer and not newer_too):
        return None  # never named (no evidence), or only newer releases name it
    older = max(v for v in has if v < max(installed)) if any(v < max(installed) for v in has) else None
    return RejectedKeyword(site, kw, callee.symbol, surface.name, source, tuple(str(v) for v in installed), sig,
                           mined_ranges(surface.versions, accepted), f"{surface.versions[-1]} to {surface.versions[0]}",
                           _renamed(surface, callee.key, older, sig, kw) if older is not None else "", newer)


def _renamed(surface, key: str, older: Version, new: Signature, kw: str) -> str:
    """The parameter that took the keyword's place: new in the installed signature and at the
    keyword's position in the older one, or the one closest in spelling."""
    i = surface.versions.index(older)
    olds = [Signature.parse(s) for s, m in surface.params.get(key, ()) if m >> i & 1]
    if not olds:
        return ""
    old = olds[0]
    fresh = [n for n in new.names if n not in old.names]
    if not fresh:
        return ""
    pos = old.names.index(kw)
    if pos < len(new.names) and new.names[pos] in fresh and len(new.names) == len(old.names):
        return new.names[pos]
    close = difflib.get_close_matches(kw, fresh, n=1, cutoff=0.6)
    return close[0] if close else ""
