"""SDK exception classes named in `except`, `isinstance` and `raise` (LARD014), judged on the
release a fresh install of the file gets, from the API mined from the SDK's wheels (api_surface.pack: which
exported names are exception classes, which are plain classes or come from another library, and
each exception's `__init__`)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterator, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from agentable.catalog.api_surface import ApiSurface, ClassFacts
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.versions import VersionSource, declared_requirement, installed_read_bits


@dataclass(frozen=True)
class SdkClassUse:
    """A name of a mined SDK in an `except` clause or a `raise` (`expr`, resolved to `path`), with
    what the data says of it in the release(s) a fresh install of the file gets."""

    func: FunctionInfo
    stmt: ir.Stmt
    expr: ir.Expr
    path: str
    dist: str
    facts: ClassFacts
    source: VersionSource
    installed: tuple[str, ...]
    bits: tuple[int, ...]


def _library_path(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> Optional[str]:
    """The one library name (`openai.APIError`) the expression can be, or None."""
    paths = {v.path for v in g.values(e, func, stmt) if isinstance(v, ExtRef) and "(" not in v.path}
    return paths.pop() if len(paths) == 1 else None


def _sdk_class(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> Iterator[SdkClassUse]:
    index = g.catalog.api_surface
    path = _library_path(g, e, func, stmt)
    if path is None:
        return
    for dist in index.dists_for(path.split(".", 1)[0]):
        surface = index.get(dist)
        facts = surface.class_facts(path) if surface is not None else None
        if surface is None or facts is None:
            continue
        fresh = installed_read_bits(g, func.path, dist, surface)
        if fresh is None:
            continue
        source, installed, bits = fresh
        yield SdkClassUse(func, stmt, e, path, dist, facts, source, tuple(str(v) for v in installed), tuple(bits))
        return


def caught_names(g: ProjectGraph) -> Iterator[SdkClassUse]:
    """Each mined SDK name in an `except` clause of the project."""
    for func, stmt, e in _except_types(g):
        yield from _sdk_class(g, func, stmt, e)


def _except_types(g: ProjectGraph) -> Iterator[tuple[FunctionInfo, ir.Stmt, ir.Expr]]:
    """The class expressions of the project's `except` clauses, a tuple's items one by one."""
    for func in g.functions.values():
        for stmt in func.stmts:
            if isinstance(stmt, ir.Try):
                for h in stmt.handlers:
                    for t in h.types:
                        for e in (t.elts if isinstance(t, ir.Seq) else [t]):
                            yield func, stmt, e


@dataclass(frozen=True)
class AbsentName:
    """An SDK name in an `except` clause or an `isinstance`/`issubclass` check that no read release
    of the SDK has, with the close names its module does have."""

    func: FunctionInfo
    expr: ir.Expr
    path: str
    dist: str
    close: tuple[str, ...]
    read: str  # the releases read, "1.98.0 to 1.103.0"


def absent_names(g: ProjectGraph) -> Iterator[AbsentName]:
    """Each SDK name that is checked against an error (`except X`, `isinstance(e, X)`) while no read
    release of its module binds it: evaluating it raises AttributeError, and only when an error
    reaches the check. Judged on every read release (a misspelling is not fixed by a release the
    data did not read); never when the module exports names lazily in some release, when the
    newest read release lacks the module, or when no exported name is close to it."""
    index = g.catalog.api_surface
    for func, stmt, e in _error_checks(g):
        if not isinstance(e, ir.Attribute):
            continue  # `sdk.Name` spelled out: a bare name comes from an import (that fails first) or a star
        path = _library_path(g, e, func, stmt)
        if path is None:
            continue
        for dist in index.dists_for(path.split(".", 1)[0]):
            surface = index.get(dist)
            if surface is None or not _installs_read_release(g, func.path, surface):
                continue
            close = _absent(surface, path)
            if close:
                yield AbsentName(func, e, path, surface.name, tuple(close),
                                 f"{surface.versions[-1]} to {surface.versions[0]}")
                break


def _error_checks(g: ProjectGraph) -> Iterator[tuple[FunctionInfo, ir.Stmt, ir.Expr]]:
    """The class expressions of `except` clauses and of `isinstance`/`issubclass` calls."""
    yield from _except_types(g)
    for func in g.functions.values():
        for site in func.calls:
            call = site.call
            if isinstance(call.func, ir.Name) and call.func.id in ("isinstance", "issubclass") and len(call.args) == 2:
                t = call.args[1]
                for e in (t.elts if isinstance(t, ir.Seq) else [t]):
                    yield func, site.stmt, e


def _installs_read_release(g: ProjectGraph, path: str, surface: ApiSurface) -> bool:
    """Does a fresh install of the file `path` get a release the data read (or a newer one): the
    declared range (or lock) must not pin the SDK below what was read (`openai==0.27.7` had names
    the 1.x releases read here dropped). An undeclared SDK is EPDD001's."""
    if installed_read_bits(g, path, surface.name, surface) is not None:
        return True
    found = declared_requirement(g, path, surface.name, pinned=False)
    if found is None or not surface.versions:
        return False
    try:
        return SpecifierSet(found[1]).contains(surface.versions[0], prereleases=True)
    except InvalidSpecifier:
        return False


def _absent(surface: ApiSurface, path: str) -> Optional[list[str]]:
    mod, _, name = path.rpartition(".")
    if not surface.modules.get(mod, 0) & 1 or surface.lazy.get(mod, 0) & 1 or path in surface.modules:
        return None  # bit 0 is the newest read release
    names = surface.symbols.by_module.get(mod, {})
    if name in names:
        return None
    exported = sorted(n for n in names if "." not in n)
    return difflib.get_close_matches(name, exported, n=2, cutoff=0.6) or [n for n in exported if n.startswith(name)][:2]


def raised_classes(g: ProjectGraph) -> Iterator[tuple[SdkClassUse, Optional[ir.Call]]]:
    """Each mined SDK class raised in the project (`raise X`, `raise X(...)`), with the call."""
    for func in g.functions.values():
        for r in func.raises:
            exc = r.exc
            call = exc if isinstance(exc, ir.Call) else None
            target = call.func if call is not None else exc
            if target is None or not isinstance(target, (ir.Name, ir.Attribute)):
                continue
            for use in _sdk_class(g, func, r, target):
                yield use, call


def _other_library_plain(g: ProjectGraph, origin: str) -> bool:
    """Is `origin` (`httpx.Timeout`) a class of another library that is not an exception: catalog
    tools.toml `[plain_classes]`, or the mined data of that library."""
    if origin in g.catalog.plain_classes:
        return True
    index = g.catalog.api_surface
    for dist in index.dists_for(origin.split(".", 1)[0]):
        surface = index.get(dist)
        facts = surface.class_facts(origin) if surface is not None else None
        if facts is not None and facts.plain and not facts.exception:
            return True
    return False


def not_an_exception(g: ProjectGraph, use: SdkClassUse) -> Optional[str]:
    """Why the name is not an exception class in every judged release ("a class that is not an
    exception", "`httpx.Timeout`, which is not an exception"); None when it is one in some release,
    or when a release cannot tell."""
    f = use.facts
    why = ""
    for i in use.bits:
        bit = 1 << i
        if f.exception & bit or f.lazy & bit or not f.module & bit:
            return None
        if f.plain & bit:
            why = why or "a class that is not an exception"
            continue
        origin = next((o for o, m in f.foreign if m & bit), None)
        if origin is None or not _other_library_plain(g, origin):
            return None
        why = why or f"`{origin}`, a class that is not an exception"
    return why or None


def missing_arguments(use: SdkClassUse, call: Optional[ir.Call]) -> Optional[tuple[str, str]]:
    """The required `__init__` arguments a `raise` leaves out, or a positional argument too many,
    in every judged release: (what is wrong, the signature of the newest judged release); None
    when the call fits some release or a release's `__init__` is not known."""
    if call is not None and (any(isinstance(a, ir.Starred) for a in call.args) or
                             any(k.name is None for k in call.keywords)):
        return None
    npos = len(call.args) if call is not None else 0
    kws = {k.name for k in call.keywords if k.name} if call is not None else set()
    first: Optional[tuple[str, str]] = None
    for i in sorted(use.bits):
        sig = next((s for s, m in use.facts.inits if m >> i & 1), None)
        if sig is None:
            return None
        wrong = _misfit(sig, npos, kws)
        if not wrong:
            return None
        first = first or (wrong, sig)
    return first


def _misfit(sig: str, npos: int, kws: set[str]) -> str:
    """What a call with `npos` positional arguments and keywords `kws` gets wrong against the
    `__init__` parameters `sig` ("self,message,request,*,body"; `=` marks a default); "" if none."""
    parts = [p for p in sig.split(",") if p][1:]  # without self
    positional: list[str] = []
    kwonly: list[str] = []
    varargs = star = False
    for p in parts:
        if p == "**":
            continue
        if p.startswith("*"):
            star = True
            varargs = varargs or len(p) > 1
        elif star:
            kwonly.append(p)
        else:
            positional.append(p)
    if npos > len(positional) and not varargs:
        return f"{npos} positional arguments where `__init__` takes {len(positional)}"
    missing = [p for p in positional[npos:] if not p.endswith("=") and p not in kws]
    missing += [p for p in kwonly if not p.endswith("=") and p not in kws]
    return ("no `" + "`, `".join(missing) + "`") if missing else ""
