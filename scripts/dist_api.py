"""Maintainer script: mine the public API of releases of LLM SDKs and agent frameworks from their
wheels into agentable/catalog/api_surface.pack (read by LARD001/EPDD002 to find an import or
call of a symbol that the version a fresh install gets no longer has). Never run during a scan.

For each distribution named (one a line in --list; `#` starts a comment; `name==1.2.3` also reads
that exact release, e.g. the last one with an API that an old range still admits):
- `pip index versions` gives its final releases (newest first);
- the first release of each of the newest --minors minor series, and the newest release, are
  downloaded with `pip download --no-deps --only-binary=:all:` (pip is the only network client);
  wheels over --max-mb are skipped and recorded as such;
- the wheel's .py files are read with `ast` only (never imported or run): every module path; per
  module its top-level names (defs, classes, assignments, imports, `__all__`, `from .x import *`
  followed within the wheel) and whether it defines a module-level `__getattr__` (lazy exports);
  per class its members and whether a base outside the wheel may add more; per function/method its
  parameters.

Output (a pack, data only: agentable/catalog/datapack.py): the header {"version": 2, "mined": date,
"roots": {import root: [names]}}, and one slice per distribution, read and decoded on first use:
    {"versions": [read releases, newest first], "releases": [all final releases], "skipped": {v: why},
     "modules": {mod: mask}, "lazy": {mod: mask}, "open": {"mod:Class": mask},
     "symbols": {"mod:Name" | "mod:Class.member": mask}, "params": {"mod:name": [[signature, mask]]}}
where bit i of a mask is versions[i], and a signature is "a,b,*,c,**" (`*x` varargs, `**` kwargs).

    python scripts/dist_api.py --list scripts/dist_api.txt -o agentable/catalog/api_surface.pack
"""

from __future__ import annotations

import argparse
import ast
import builtins
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from packaging.utils import canonicalize_name
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dist_requires import _ENV, _PIP, releases  # the same pip settings and release list

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agentable.catalog.datapack import API_SURFACE

_CLOSED_BASES = {"object", "ABC", "Generic", "Protocol", "NamedTuple", "TypedDict"}
# `__enter__`/`__aenter__`: `with DDGS() as d` needs a context manager, which early releases lack
_KEEP_DUNDER = {"__init__", "__call__", "__enter__", "__aenter__"}


def selected(versions: list[str], minors: int, ends: bool = False) -> list[str]:
    """The newest release and the first release of each of the newest `minors` minor series (with
    `ends`, the last one of each series too: a lower bound inside a series, `>=2.9.4`, then falls
    between two read releases of that series, and what it admits can be judged)."""
    series: dict[tuple[int, ...], list[str]] = {}
    for v in versions:
        rel = Version(v).release
        series.setdefault((rel[0], rel[1] if len(rel) > 1 else 0), []).append(v)
    keys = sorted(series, reverse=True)[:minors]
    picked = [min(series[k], key=Version) for k in keys] + ([max(series[k], key=Version) for k in keys] if ends else [])
    return sorted(set(picked + versions[:1]), key=Version, reverse=True)


def signature(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    a = fn.args
    parts = [p.arg for p in (*a.posonlyargs, *a.args)]
    if a.vararg is not None:
        parts.append("*" + a.vararg.arg)
    elif a.kwonlyargs:
        parts.append("*")
    parts += [p.arg for p in a.kwonlyargs]
    if a.kwarg is not None:
        parts.append("**")
    return ",".join(parts)


def signature_defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """`signature` with `=` after each parameter that has a default ("self,message,request,*,body",
    "self,message="): which arguments a call must pass."""
    a = fn.args
    pos = [*a.posonlyargs, *a.args]
    first_default = len(pos) - len(a.defaults)
    parts = [p.arg + ("=" if i >= first_default else "") for i, p in enumerate(pos)]
    if a.vararg is not None:
        parts.append("*" + a.vararg.arg)
    elif a.kwonlyargs:
        parts.append("*")
    parts += [p.arg + ("" if d is None else "=") for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    if a.kwarg is not None:
        parts.append("**")
    return ",".join(parts)


# builtin exception classes, which a base class of the wheel may name
_BUILTIN_EXCEPTIONS = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}


def _exception_facts(mods: dict[str, "Module"], m: "Module", cls: ast.ClassDef,
                     depth: int = 0) -> tuple[Optional[bool], Optional[str]]:
    """(is the class an exception: True, False, or None when a base outside the wheel leaves it
    unknown; the `signature_defaults` of the `__init__` it gets, None when not known)."""
    init = next((signature_defaults(s) for s in _toplevel(cls.body)
                 if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__init__"), None)
    if depth > 8 or any(k.arg == "metaclass" for k in cls.keywords):
        return None, init
    exc: Optional[bool] = False
    for base in cls.bases:
        b = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(b, ast.Name) and b.id in _CLOSED_BASES:
            continue
        if isinstance(b, ast.Name) and b.id in _BUILTIN_EXCEPTIONS and b.id not in m.names:
            exc = True
            init = init or "self,*args"  # BaseException takes any positional arguments
            continue
        found = _class_of(mods, m, b.id) if isinstance(b, ast.Name) else None
        if found is None:
            return (True if exc else None), None if init is None else init
        sub_exc, sub_init = _exception_facts(mods, *found, depth=depth + 1)
        if sub_exc is None:
            return (True if exc else None), init
        exc = exc or sub_exc
        init = init or sub_init
    return exc, init


def _origin(mods: dict[str, "Module"], m: "Module", name: str, depth: int = 0) -> Optional[str]:
    """`pkg.Name` when `name` in `m` is imported (through modules of the wheel) from outside the wheel."""
    src = m.imported.get(name)
    if src is None or depth > 8 or name in m.classes:
        return None
    t = mods.get(src[0])
    if t is None:
        return f"{src[0]}.{src[1]}"
    return _origin(mods, t, src[1], depth + 1)


def _toplevel(body: list[ast.stmt]):
    """Statements bound at module level, through `if`/`try`/`with` blocks."""
    for s in body:
        if isinstance(s, ast.If):
            yield from _toplevel(s.body)
            yield from _toplevel(s.orelse)
        elif isinstance(s, ast.Try):
            for part in (s.body, *[h.body for h in s.handlers], s.orelse, s.finalbody):
                yield from _toplevel(part)
        elif isinstance(s, ast.With):
            yield from _toplevel(s.body)
        else:
            yield s


def _resolve(mod: str, is_pkg: bool, level: int, target: Optional[str]) -> str:
    if not level:
        return target or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


class Module:
    def __init__(self, name: str, is_pkg: bool, tree: ast.Module) -> None:
        self.name, self.lazy, self.is_pkg = name, False, is_pkg
        self.names: dict[str, str] = {}  # name -> signature ("" for a non-function)
        self.classes: dict[str, ast.ClassDef] = {}
        self.imported: dict[str, tuple[str, str]] = {}  # name -> (module, name) it comes from
        self.stars: list[str] = []
        self.all: Optional[list[str]] = None
        getattr_fn: Optional[ast.FunctionDef | ast.AsyncFunctionDef] = None
        for s in _toplevel(tree.body):
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.names[s.name] = signature(s)
                if s.name == "__getattr__":
                    getattr_fn = s
            elif isinstance(s, ast.ClassDef):
                self.names[s.name] = ""
                self.classes[s.name] = s
            elif isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = s.targets if isinstance(s, ast.Assign) else [s.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            self.names.setdefault(n.id, "")
                        elif isinstance(n, ast.Subscript) and "sys.modules" in ast.unparse(n.value):
                            self.lazy = True  # sys.modules[__name__] = a lazy module object
                if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                    self._all(s.value, isinstance(s, ast.AugAssign))
            elif isinstance(s, ast.Import):
                for a in s.names:
                    self.names.setdefault(a.asname or a.name.split(".")[0], "")
            elif isinstance(s, ast.ImportFrom):
                src = _resolve(name, is_pkg, s.level, s.module)
                for a in s.names:
                    if a.name == "*":
                        self.stars.append(src)
                    else:
                        self.names.setdefault(a.asname or a.name, "")
                        self.imported[a.asname or a.name] = (src, a.name)

        if getattr_fn is not None:
            served = _served_names(getattr_fn, tree)
            if served is None:
                self.lazy = True  # any name may come from it
            else:
                for n in served:
                    self.names.setdefault(n, "")

    def _all(self, value: Optional[ast.expr], extend: bool) -> None:
        if isinstance(value, (ast.List, ast.Tuple)):
            items = [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            self.all = (self.all or []) + items if extend else items


def _served_names(fn: ast.FunctionDef | ast.AsyncFunctionDef, tree: ast.Module) -> Optional[set[str]]:
    """The names a module-level `__getattr__` can return, when it returns only under tests of its
    parameter against string literals (or a module-level literal dict/list of them) and ends by
    raising (swarms' `if name == "__version__": ...; raise AttributeError`); else None (lazy)."""
    if not fn.args.args or not fn.body or not isinstance(fn.body[-1], ast.Raise):
        return None
    param = fn.args.args[0].arg
    literals: dict[str, set[str]] = {}
    for s in tree.body:
        if isinstance(s, (ast.Assign, ast.AnnAssign)) and isinstance(s.value, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
            elts = s.value.keys if isinstance(s.value, ast.Dict) else s.value.elts
            strs = {e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            for t in (s.targets if isinstance(s, ast.Assign) else [s.target]):
                if isinstance(t, ast.Name):
                    literals[t.id] = strs
    served: set[str] = set()
    for s in fn.body:
        if isinstance(s, ast.Return) or not isinstance(s, (ast.If, ast.Raise, ast.Expr, ast.Assign, ast.AnnAssign)):
            return None
        if isinstance(s, ast.If):
            names = _compared(s.test, param, literals)
            if names is None:
                return None
            served |= names
    return served


def _compared(test: ast.expr, param: str, literals: dict[str, set[str]]) -> Optional[set[str]]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [_compared(v, param, literals) for v in test.values]
        return None if any(p is None for p in parts) else set().union(*[p for p in parts if p])
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)
            and test.left.id == param):
        return None
    op, right = test.ops[0], test.comparators[0]
    if isinstance(op, ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, str):
        return {right.value}
    if isinstance(op, ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in right.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    if isinstance(op, ast.In) and isinstance(right, ast.Name) and right.id in literals:
        return literals[right.id]
    return None


def read_wheel(path: Path, private: bool = False) -> dict:
    """{module: {"lazy": bool, "names": {name: sig}, "members": {Class: {member: sig}}, "open": [Class],
    "attrs": {Class: {attribute: "defining.module:Class"}}}}; with `private`, private modules too (an
    SDK whose resources are reached through client attributes: `client.chat` is a Chat defined in a
    module the public ones never re-export by name)."""
    mods: dict[str, Module] = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            parts = info.filename.split("/")
            if not info.filename.endswith(".py") or ".dist-info" in parts[0] or parts[0].endswith(".data"):
                continue
            is_pkg = parts[-1] == "__init__.py"
            name = ".".join(parts[:-1] if is_pkg else [*parts[:-1], parts[-1][:-3]])
            if not name or not all(p.isidentifier() for p in name.split(".")):
                continue
            try:
                tree = ast.parse(z.read(info).decode("utf-8", "replace"))
            except (SyntaxError, ValueError):
                continue
            mods[name] = Module(name, is_pkg, tree)
    _follow_stars(mods)
    out = {}
    for name, m in mods.items():
        if not private and any(p.startswith("_") for p in name.split(".")):
            continue  # private modules: their names reach the data through public re-exports
        public = {n: s for n, s in m.names.items() if not n.startswith("_") or n in (m.all or ())}
        members, opened, attrs = {}, [], {}
        exceptions: dict[str, str] = {}  # exception class -> its __init__ (`signature_defaults`, "" unknown)
        plain: list[str] = []  # classes that are not exceptions
        for n in public:
            found = _class_of(mods, m, n)
            if found is None:
                continue
            mem, is_open = _members(mods, *found, depth=0)
            members[n] = mem
            typed = _attr_types(mods, *found, depth=0)
            if typed:
                attrs[n] = typed
            if is_open:
                opened.append(n)
            exc, init = _exception_facts(mods, *found)
            if exc:
                exceptions[n] = init or ""
            elif exc is False:
                plain.append(n)
        foreign = {n: o for n in public if (o := _origin(mods, m, n)) is not None and not o.startswith("__future__.")}
        out[name] = {"lazy": m.lazy, "names": public, "members": members, "open": opened,
                     "exceptions": exceptions, "plain": plain, "foreign": foreign, "attrs": attrs}
    return out


def _follow_stars(mods: dict[str, Module]) -> None:
    for _ in range(8):  # star chains are short; a bound on rounds guards cycles
        changed = False
        for m in mods.values():
            for src in m.stars:
                t = mods.get(src)
                if t is None:
                    m.lazy = True  # `from another_package import *`: names the wheel cannot show
                    continue
                for n in (t.all if t.all is not None else [k for k in t.names if not k.startswith("_")]):
                    if n not in m.names:
                        m.names[n] = t.names.get(n, "")
                        m.imported.setdefault(n, (src, n))
                        changed = True
        if not changed:
            return


def _class_of(mods: dict[str, Module], m: Module, name: str, depth: int = 0) -> Optional[tuple[Module, ast.ClassDef]]:
    if name in m.classes:
        return m, m.classes[name]
    src = m.imported.get(name)
    if src is None or depth > 6:
        return None
    t = mods.get(src[0])
    return _class_of(mods, t, src[1], depth + 1) if t is not None else None


def _members(mods: dict[str, Module], m: Module, cls: ast.ClassDef, depth: int) -> tuple[dict[str, str], bool]:
    """A class's members (with those of bases defined in the wheel) and whether some base or a
    metaclass outside the wheel may add members the data cannot see."""
    out: dict[str, str] = {}
    is_open = depth > 8 or any(k.arg == "metaclass" for k in cls.keywords)
    for base in cls.bases:
        b = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(b, ast.Name) and b.id in _CLOSED_BASES:
            continue
        found = _class_of(mods, m, b.id) if isinstance(b, ast.Name) else None
        if found is None or depth > 8:
            is_open = True
            continue
        mem, sub_open = _members(mods, *found, depth=depth + 1)
        out.update(mem)
        is_open |= sub_open
    for s in _toplevel(cls.body):
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not s.name.startswith("_") or s.name in _KEEP_DUNDER:
                out[s.name] = signature(s)
            is_open |= s.name in ("__getattr__", "__getattribute__")
        elif isinstance(s, ast.ClassDef) and not s.name.startswith("_"):
            out[s.name] = ""
        elif isinstance(s, ast.Assign):  # class constants and aliases; annotated fields are per instance
            for t in s.targets:
                if isinstance(t, ast.Name) and not t.id.startswith("_"):
                    out[t.id] = ""
        elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and not s.target.id.startswith("_") \
                and _annotated_class(mods, m, s.annotation, []) is not None:
            out[s.target.id] = ""  # `chat: resources.Chat`, set in __init__: a resource attribute
    return out, is_open


_PROPERTY_DECORATORS = {"property", "cached_property"}


def _attr_types(mods: dict[str, Module], m: Module, cls: ast.ClassDef, depth: int) -> dict[str, str]:
    """A class's attributes whose type is a class of the wheel (with its bases'): a property or
    cached_property with a return annotation (`def chat(self) -> Chat`), or a class-level annotation
    (`chat: resources.Chat`, set in `__init__`), each as "defining.module:Class". This is how an SDK
    client reaches its resources (`client.chat.completions.create`)."""
    out: dict[str, str] = {}
    for base in cls.bases:
        b = base.value if isinstance(base, ast.Subscript) else base
        found = _class_of(mods, m, b.id) if isinstance(b, ast.Name) and b.id not in _CLOSED_BASES else None
        if found is not None and depth < 8:
            out.update(_attr_types(mods, *found, depth=depth + 1))
    for s in _toplevel(cls.body):
        target: Optional[str] = None
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.returns is not None and any(
                (d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")) in _PROPERTY_DECORATORS
                for d in s.decorator_list):
            target = _annotated_class(mods, m, s.returns, s.body)
            name = s.name
        elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is None:
            target = _annotated_class(mods, m, s.annotation, [])
            name = s.target.id
        if target is not None and not name.startswith("_"):
            out[name] = target
    return out


def _annotated_class(mods: dict[str, Module], m: Module, ann: ast.expr, body: list[ast.stmt]) -> Optional[str]:
    """"defining.module:Class" of an annotation naming one class of the wheel (`Chat`, `"Chat"`,
    `resources.Chat`), looked up in the function's own imports first (`from .resources.chat import
    Chat` inside a cached_property), then in the module's; None for anything else."""
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return None
    parts: list[str] = []
    while isinstance(ann, ast.Attribute):
        parts.insert(0, ann.attr)
        ann = ann.value
    if not isinstance(ann, ast.Name):
        return None
    head, owner = ann.id, m
    for s in body:  # a local `from .x import Name` names the class for this method
        if isinstance(s, ast.ImportFrom):
            for a in s.names:
                if (a.asname or a.name) == head:
                    src = mods.get(_resolve(m.name, m.is_pkg, s.level, s.module))
                    if src is not None:
                        owner, head = src, a.name
    for attr in parts:  # `resources.Chat`: `resources` a module of the wheel
        src = owner.imported.get(head)
        sub = mods.get(f"{src[0]}.{src[1]}") if src is not None else None
        if sub is None:
            return None
        owner, head = sub, attr
    found = _class_of(mods, owner, head)
    return f"{found[0].name}:{found[1].name}" if found is not None else None


# Where to look for a wheel: this interpreter's, then CPython wheels of other versions for
# manylinux x86_64 (a compiled library has none for this Python in old releases, numpy 1.21, or in
# new ones, numpy 2.5); only the .py files are read, the same in every wheel of a release.
_LINUX = [a for p in ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux2010_x86_64",
                      "manylinux1_x86_64") for a in ("--platform", p)]
_TARGETS: list[list[str]] = [[], *([*_LINUX, "--implementation", "cp", "--python-version", py]
                                    for py in ("3.12", "3.13", "3.10", "3.9", "3.8", "3.7"))]


def mine_one(dist: str, version: str, max_mb: float, private: bool = False,
             cache: Optional[Path] = None) -> tuple[str, str, object]:
    """(dist, version, the wheel's API or a reason it was skipped). With `cache`, a wheel of that
    release already there is read instead of downloaded, and a download is kept there."""
    stem = f"{str(canonicalize_name(dist)).replace('-', '_')}-{version}-"
    cached = sorted(cache.glob(stem + "*.whl")) if cache is not None else []
    if cached:
        return _read_one(dist, version, cached[0], max_mb, private)
    with tempfile.TemporaryDirectory() as tmp:
        wheels: list[Path] = []
        for target in _TARGETS:  # this interpreter's wheel, else one built for an older CPython
            r = subprocess.run([*_PIP, "download", "--no-deps", "--only-binary=:all:", "--ignore-requires-python",
                                "-q", "-d", tmp, *target, f"{dist}=={version}"],
                               capture_output=True, text=True, timeout=900, env=_ENV)
            wheels = list(Path(tmp).glob("*.whl"))
            if not r.returncode and wheels:
                break
        if not wheels:
            return dist, version, "no wheel"
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copy(wheels[0], cache / wheels[0].name)
        return _read_one(dist, version, wheels[0], max_mb, private)


def _read_one(dist: str, version: str, wheel: Path, max_mb: float, private: bool) -> tuple[str, str, object]:
    size = wheel.stat().st_size / 1e6
    if size > max_mb:
        return dist, version, f"wheel {size:.0f} MB over {max_mb:.0f} MB"
    try:
        return dist, version, read_wheel(wheel, private)
    except (zipfile.BadZipFile, OSError) as e:
        return dist, version, f"unreadable wheel: {e}"


def combine(versions: list[str], read: dict[str, dict]) -> dict:
    """Per symbol, the bitmask of the read versions that have it (bit i: versions[i])."""
    out: dict[str, dict] = {"modules": {}, "lazy": {}, "open": {}, "symbols": {}, "params": {},
                            "exceptions": {}, "plain": {}, "foreign": {}, "exc_init": {}, "attrs": {}}
    attrs: dict[str, dict[str, int]] = {}
    params: dict[str, dict[str, int]] = {}
    inits: dict[str, dict[str, int]] = {}
    foreign: dict[str, dict[str, int]] = {}

    def add(table: str, key: str, bit: int) -> None:
        out[table][key] = out[table].get(key, 0) | bit

    for i, v in enumerate(versions):
        bit = 1 << i
        for mod, info in read[v].items():
            add("modules", mod, bit)
            if info["lazy"]:
                add("lazy", mod, bit)
            for n, sig in info["names"].items():
                add("symbols", f"{mod}:{n}", bit)
                if sig:
                    params.setdefault(f"{mod}:{n}", {})
                    params[f"{mod}:{n}"][sig] = params[f"{mod}:{n}"].get(sig, 0) | bit
            # exceptions, plain classes and foreign names: only in modules that export an exception
            # (the SDK's error module and its package), which is where `except`/`raise` name them
            if info.get("exceptions"):
                for n, init in info["exceptions"].items():
                    add("exceptions", f"{mod}:{n}", bit)
                    if init:
                        inits.setdefault(f"{mod}:{n}", {})
                        inits[f"{mod}:{n}"][init] = inits[f"{mod}:{n}"].get(init, 0) | bit
                for n in info["plain"]:
                    add("plain", f"{mod}:{n}", bit)
                for n, origin in info["foreign"].items():
                    foreign.setdefault(f"{mod}:{n}", {})
                    foreign[f"{mod}:{n}"][origin] = foreign[f"{mod}:{n}"].get(origin, 0) | bit
            for cls, typed in info.get("attrs", {}).items():
                for n, target in typed.items():
                    attrs.setdefault(f"{mod}:{cls}.{n}", {})
                    attrs[f"{mod}:{cls}.{n}"][target] = attrs[f"{mod}:{cls}.{n}"].get(target, 0) | bit
            for cls, mem in info["members"].items():
                if cls in info["open"]:
                    add("open", f"{mod}:{cls}", bit)
                for n, sig in mem.items():
                    add("symbols", f"{mod}:{cls}.{n}", bit)
                    if sig:
                        key = f"{mod}:{cls}.{n}"
                        params.setdefault(key, {})
                        params[key][sig] = params[key].get(sig, 0) | bit
    out["params"] = {k: sorted(([s, m] for s, m in v.items()), key=lambda x: -x[1]) for k, v in params.items()}
    out["exc_init"] = {k: sorted(([s, m] for s, m in v.items()), key=lambda x: -x[1]) for k, v in inits.items()}
    out["foreign"] = {k: sorted(([o, m] for o, m in v.items()), key=lambda x: -x[1]) for k, v in foreign.items()}
    out["attrs"] = {k: sorted(([t, m] for t, m in v.items()), key=lambda x: -x[1]) for k, v in attrs.items()}
    return out


def compact(entry: dict) -> dict:
    """Keep a class's members (and their parameters) under one of its public paths only, the
    shortest (`anthropic.Anthropic`, not each module that re-exports it): the re-exported copies
    made the data ten times larger. A path without members is judged unknown, never missing."""
    owners: dict[str, set[str]] = {}  # "mod:Class" -> member names, for classes with members
    for key in entry["symbols"]:
        mod, rest = key.split(":", 1)
        if "." in rest:
            owners.setdefault(f"{mod}:{rest.split('.', 1)[0]}", set()).add(rest.split(".", 1)[1])
    raw_attrs: dict[str, list] = entry.get("attrs", {})
    typed: dict[str, set] = {}  # owner -> its typed attributes, as mined
    for k, v in raw_attrs.items():
        owner, _, name = k.rpartition(".")
        typed.setdefault(owner, set()).update((name, t, m) for t, m in v)
    reached = set(typed) | {t for v in raw_attrs.values() for t, _ in v}
    by_name: dict[tuple, list[str]] = {}
    for owner, members in owners.items():
        key: tuple = (owner.split(":", 1)[1], frozenset(members))
        if owner in reached:  # two classes of one name (the beta and the main `Chat`) stay apart
            key += (frozenset(typed.get(owner, ())), frozenset(
                (mem, tuple(map(tuple, entry["params"].get(f"{owner}.{mem}", ())))) for mem in members))
        by_name.setdefault(key, []).append(owner)
    # the shortest public path (a private module's re-export only when there is no public one)
    shortest = {o: min(group, key=lambda o: (any(p.startswith("_") for p in o.split(":")[0].split(".")),
                                             o.count("."), len(o), o))
                for group in by_name.values() for o in group}
    drop = {o for o, kept_as in shortest.items() if o != kept_as}
    # an attribute's class is named where its members are kept; the classes of a chain of typed
    # attributes (a client and its resources) keep all their members, however common
    attrs: dict[str, list] = {}
    for k, v in raw_attrs.items():
        if k.rpartition(".")[0] in drop:
            continue
        merged: dict[str, int] = {}
        for t, m in v:
            merged[shortest.get(t, t)] = merged.get(shortest.get(t, t), 0) | m
        attrs[k] = sorted(([t, m] for t, m in merged.items()), key=lambda x: -x[1])
    chained = {k.rpartition(".")[0] for k in attrs} | {t for v in attrs.values() for t, _ in v}
    # members that hundreds of classes inherit from one base of the wheel (a pydantic-style model's
    # model_dump, to_dict, ...): dropped, and the classes that had them marked open (members unknown)
    count: dict[str, int] = {}
    for owner, members in owners.items():
        if owner not in drop:
            for m in members:
                count[m] = count.get(m, 0) + 1
    common = {m for m, n in count.items() if n > 100}
    opened = dict(entry["open"])
    for owner, members in owners.items():
        if owner not in drop and owner not in chained and members & common:
            opened[owner] = opened.get(owner, 0) | entry["symbols"].get(owner, 0)

    def kept(key: str) -> bool:
        owner, _, member = key.rpartition(".")
        return "." not in key.split(":", 1)[1] or (owner not in drop and (member not in common or owner in chained))

    keep = {k: m for k, m in entry["symbols"].items() if kept(k)}
    out = {**entry, "symbols": keep, "open": {k: m for k, m in opened.items() if k not in drop},
           "params": {k: v for k, v in entry["params"].items() if k in keep}, "attrs": attrs}
    if not attrs:
        out.pop("attrs", None)  # the others' data as before
    return out


def history(versions: list[str], minors: int, count: int) -> list[str]:
    """The first release of `count` minor series spread evenly over those older than the newest
    `minors` (the oldest series always among them): a range's lower bound (`openai>=1.0.0`) then
    falls among read releases, and which of the old releases it admits lack an API can be judged."""
    series: dict[tuple[int, ...], list[str]] = {}
    for v in versions:
        rel = Version(v).release
        series.setdefault((rel[0], rel[1] if len(rel) > 1 else 0), []).append(v)
    older = sorted(series)[:-minors] if minors else sorted(series)
    if count <= 0 or not older:
        return []
    step = max(1.0, len(older) / count)
    keys = {older[min(len(older) - 1, int(i * step))] for i in range(count)}
    return [min(series[k], key=Version) for k in keys]


def picked(versions: list[str], minors: int, ends: bool, exact: list[str], older: int = 0) -> list[str]:
    """`selected`, `older` releases spread over the older history, and the exact releases asked
    for, newest first."""
    return sorted({*selected(versions, minors, ends), *history(versions, minors, older), *exact},
                  key=Version, reverse=True)


def read_list(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """The distributions of a --list text, in order, and the exact releases asked for per
    distribution (`name==1.2.3`: read beside the selection, e.g. an old API real code still uses)."""
    names: list[str] = []
    exact: dict[str, list[str]] = {}
    for line in text.splitlines():
        name, _, pin = line.split("#", 1)[0].strip().partition("==")
        if not name.strip():
            continue
        name = str(canonicalize_name(name.strip()))
        if pin.strip():
            exact.setdefault(name, []).append(pin.strip())
        if name not in names:
            names.append(name)
    return names, exact


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", type=Path, required=True)
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("--minors", type=int, default=12, help="Newest minor series per distribution (first release of each).")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--max-mb", type=float, default=30.0, help="Skip wheels larger than this.")
    ap.add_argument("--partial", type=Path, help="Resume file (default: next to the output).")
    ap.add_argument("--write-only", action="store_true", help="Write the output from what the resume file holds.")
    ap.add_argument("--series-ends", action="store_true", help="Read the last release of each minor series too.")
    ap.add_argument("--history", type=int, default=0,
                    help="Also read the first release of this many older minor series, spread over the history.")
    ap.add_argument("--private", action="store_true",
                    help="Read private modules too, and keep the members of classes reached through typed attributes "
                         "(an SDK client's resources: client.chat.completions.create).")
    ap.add_argument("--wheel-cache", type=Path, help="A folder of wheels to read instead of downloading (downloads kept there).")
    ap.add_argument("--keep", type=Path, help="An earlier output whose distributions not in --list are kept "
                                              "(re-mine a few distributions without re-reading the others).")
    args = ap.parse_args()
    names, exact = read_list(args.list.read_text(encoding="utf-8"))
    partial = args.partial or args.out.with_name(args.out.name + ".partial.jsonl")
    dists: dict[str, str] = {}  # a distribution's entry, once all its picked releases are read
    if partial.exists():
        for line in partial.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            dists[rec[0]] = rec[1]
    todo = [] if args.write_only else [n for n in names if n not in dists]
    with partial.open("a", encoding="utf-8") as log, ThreadPoolExecutor(args.jobs) as pool:
        all_releases = dict(zip(todo, pool.map(releases, todo), strict=True))
        picks = {d: picked(all_releases[d], args.minors, args.series_ends, exact.get(d, []), args.history)
                 for d in todo}
        jobs = [(d, v) for d in todo for v in picks[d]]
        got: dict[str, dict[str, object]] = {}
        for k, (d, v, res) in enumerate(pool.map(lambda j: mine_one(*j, args.max_mb, args.private, args.wheel_cache), jobs), 1):
            print(f"{k}/{len(jobs)} {d} {v}" + (f": {res}" if isinstance(res, str) else ""), file=sys.stderr)
            got.setdefault(d, {})[v] = res
            if len(got[d]) < len(picks[d]):
                continue
            results = got.pop(d)
            read = {u: r for u, r in results.items() if isinstance(r, dict)}
            if not read:
                continue
            versions = [u for u in picks[d] if u in read]
            entry = {"versions": versions, "releases": all_releases[d],
                     "skipped": {u: r for u, r in results.items() if isinstance(r, str)}, **combine(versions, read)}
            dists[d] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
            log.write(json.dumps([d, dists[d]]) + "\n")
            log.flush()
    dists = {d: json.dumps(compact(json.loads(dists[d])), sort_keys=True, separators=(",", ":"))
             for d in names if d in dists}
    if args.keep is not None:  # the earlier output's other distributions, as they were packed
        kept = API_SURFACE.read(args.keep)["dists"]
        dists = {d: (dists[d] if d in dists else json.dumps(kept[d], sort_keys=True, separators=(",", ":")))
                 for d in [*kept, *(d for d in dists if d not in kept)]}  # the earlier order: roots list dists in it
    roots: dict[str, list[str]] = {}  # import root -> the distributions whose modules start with it
    for d, text in dists.items():
        for r in sorted({m.split(".")[0] for m in json.loads(text)["modules"]}):
            roots.setdefault(r, []).append(d)
    # each distribution a slice of its own: a scan decodes only those it asks about
    API_SURFACE.write(args.out, {"version": 2, "mined": datetime.date.today().isoformat(), "roots": roots,
                                 "dists": {d: json.loads(t) for d, t in dists.items()}})
    print(f"{len(dists)} distributions, {sum(len(json.loads(t)['versions']) for t in dists.values())} releases "
          f"read -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
