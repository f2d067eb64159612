"""SDK exception classes named in `except` and `raise` (LARD014), judged on the release a fresh
install of the file gets, from the API mined from the SDK's wheels (api_surface.json.gz: which
exported names are exception classes, which are plain classes or come from another library, and
each exception's `__init__`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.catalog.api_surface import ClassFacts
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.versions import VersionSource, installed_read_bits


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


def _sdk_class(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> Iterator[SdkClassUse]:
    index = g.catalog.api_surface
    paths = {v.path for v in g.values(e, func, stmt) if isinstance(v, ExtRef) and "(" not in v.path}
    if len(paths) != 1:
        return
    path = paths.pop()
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
    for func in g.functions.values():
        for stmt in func.stmts:
            if isinstance(stmt, ir.Try):
                for h in stmt.handlers:
                    for t in h.types:
                        for e in (t.elts if isinstance(t, ir.Seq) else [t]):
                            yield from _sdk_class(g, func, stmt, e)


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
