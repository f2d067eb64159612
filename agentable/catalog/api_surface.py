"""The public API of releases of LLM SDKs and agent frameworks (modules, their top-level names,
class members, parameters), mined from their wheels by scripts/dist_api.py into
api_surface.pack (data only, `datapack.py`: the header read on first use, each distribution's
slice read and decoded when first asked)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Optional, TypeVar, Union, overload

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .datapack import API_SURFACE, Pack

_V = TypeVar("_V")
_D = TypeVar("_D")


@dataclass(frozen=True)
class Presence:
    """Which read releases have a dotted symbol: bit i of `have` is versions[i]; `module` is the
    longest prefix of the symbol that is a module in some read release, `module_mask` the releases
    that have that module or a package above it (where the symbol's absence is an ImportError or
    AttributeError, not a module the data does not cover)."""

    symbol: str
    module: str
    have: int
    module_mask: int
    # the releases counted as having it only because the data cannot tell (a lazy module, an open
    # class): no evidence that they have it
    unknown: int = 0


@dataclass
class ApiSurface:
    """One distribution's mined API."""

    name: str
    versions: tuple[Version, ...]  # the releases read, newest first
    releases: tuple[Version, ...]  # every final release known when mined, newest first
    mined: str
    modules: dict[str, int]
    lazy: dict[str, int]
    open_classes: dict[str, int]
    # `mod:Name` and `mod:Class.member` -> release mask, and `mod:function` -> [(params, mask)]:
    # read like dicts, held by module (see `ByModule`)
    symbols: "ByModule[int]"
    params: "ByModule[list]"
    skipped: dict[str, str] = field(default_factory=dict)
    # in modules that export an exception class: `mod:Name` -> the releases where it is an exception
    # class, a class that is not one, imported from another distribution ([[origin, mask]]), and
    # an exception's `__init__` with defaults marked ([["self,message,*,body=", mask]])
    exceptions: dict[str, int] = field(default_factory=dict)
    plain: dict[str, int] = field(default_factory=dict)
    foreign: dict[str, list] = field(default_factory=dict)
    exc_init: dict[str, list] = field(default_factory=dict)
    # `mod:Class.attr` -> [["mod:Class", mask]]: the class of a typed attribute (a property's return
    # annotation, `chat: Chat`), where the client reaches its resources (`client.chat.completions`)
    attrs: "ByModule[list]" = field(default_factory=lambda: ByModule({}))
    _classes: Optional[dict[str, int]] = field(default=None, repr=False)
    # symbol -> its presence: every file importing a symbol asks again (a Presence is immutable)
    _presence: dict[str, Optional[Presence]] = field(default_factory=dict, repr=False, compare=False)

    def presence(self, symbol: str) -> Optional[Presence]:
        """Which read releases have `symbol` (`pkg.mod`, `pkg.mod.Name`, `pkg.mod.Class.method`).
        A release counts as having it when it cannot be told (the module exports names lazily, or
        a class has bases outside the wheel). None when no prefix of it is a module in the data."""
        memo = self._presence
        if symbol not in memo:
            memo[symbol] = self._presence_of(symbol)
        return memo[symbol]

    def name_presence(self, symbol: str) -> Optional[Presence]:
        """`presence` of `symbol` as a name its parent module binds, leaving out the reading of it as
        a module: what a call of it finds (`pettingzoo.utils.agent_selector` was a class that
        `pettingzoo.utils` exported; from 1.25 only the submodule of that name is there, which is
        not callable). The same as `presence` for a name that is no module in any read release."""
        pres = self.presence(symbol)
        if pres is None or pres.module != symbol:
            return pres
        parent, _, name = symbol.rpartition(".")
        if parent not in self.modules:
            return None
        return Presence(symbol, parent, self._have(parent, [name]), self.modules[parent])

    def chain_presence(self, symbol: str) -> Optional[Presence]:
        """`presence` of a member reached through typed attributes of an instance of a class
        (`openai.OpenAI().chat.completions.create`): per read release, walked from the class along
        the attributes whose class the data records. A release where a class of the walk is open
        (members unknown), the class itself is missing or an attribute's class is not recorded is
        unknown (counted as having it, and in `unknown`); one where a closed class lacks the next
        name lacks it. None when the instance's class is not a class of the data."""
        head, _, tail = symbol.partition("().")
        if not tail or "(" in tail or "(" in head:
            return None
        cls = self.presence(head)
        if cls is None or cls.module == head or "." in head[len(cls.module) + 1:]:
            return None
        start = f"{cls.module}:{head[len(cls.module) + 1:]}"
        names = tail.split(".")
        have = judged = unknown = 0
        for i in range(len(self.versions)):
            bit = 1 << i
            verdict = self._walk(start, names, bit)
            if verdict is None:
                have |= bit
                unknown |= bit
            else:
                judged |= bit
                have |= bit if verdict else 0
        return Presence(symbol, cls.module, have, judged, unknown)

    def _walk(self, owner: str, names: list[str], bit: int) -> Optional[bool]:
        for k, name in enumerate(names):
            if not self.closed_class(owner) & bit:
                return None
            if not self.symbols.get(f"{owner}.{name}", 0) & bit:
                return False
            if k == len(names) - 1:
                return True
            targets = [t for t, m in self.attrs.get(f"{owner}.{name}", ()) if m & bit]
            if len(targets) != 1:
                return None
            owner = targets[0]
        return None

    def chain_owner(self, symbol: str, bit: int) -> Optional[str]:
        """The class (`mod:Class`) whose member the last name of `symbol` (`pkg.Class().a.b.meth`)
        is in the read release `bit`, when every step of the walk is known."""
        head, _, tail = symbol.partition("().")
        cls = self.presence(head) if tail and "(" not in tail and "(" not in head else None
        if cls is None or cls.module == head or "." in head[len(cls.module) + 1:]:
            return None
        owner = f"{cls.module}:{head[len(cls.module) + 1:]}"
        for name in tail.split(".")[:-1]:
            if not self.closed_class(owner) & bit or not self.symbols.get(f"{owner}.{name}", 0) & bit:
                return None
            targets = [t for t, m in self.attrs.get(f"{owner}.{name}", ()) if m & bit]
            if len(targets) != 1:
                return None
            owner = targets[0]
        return owner

    def _presence_of(self, symbol: str) -> Optional[Presence]:
        parts = symbol.split(".")
        splits = [i for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in self.modules]
        if not splits:
            return None
        # where the longest module is gone, its nearest package that is there decides (`langchain.llms`
        # is not a module of langchain 1.x, whose `langchain` package is); a namespace root has no entry
        mod_mask = 0
        for j in range(1, splits[0] + 1):
            mod_mask |= self.modules.get(".".join(parts[:j]), 0)
        # every reading counts: `pydantic.validate_call` was a module once and is a function now
        have = shown = 0
        for i in splits:
            have |= self._have(".".join(parts[:i]), parts[i:])
            shown |= self._have(".".join(parts[:i]), parts[i:], evidence=True)
        return Presence(symbol, ".".join(parts[:splits[0]]), have, mod_mask, have & ~shown)

    def _have(self, mod: str, rest: list[str], evidence: bool = False) -> int:
        """The releases having `mod` + `rest`; with `evidence`, only those where the data shows it
        (not a lazy module's or an open class's unknown)."""
        if not rest:
            return self.modules[mod]
        key = f"{mod}:{rest[0]}"
        names = self.symbols.by_module.get(mod, _NONE)
        lazy = 0 if evidence else self.lazy.get(mod, 0)
        have = names.get(rest[0], 0) | lazy
        if len(rest) >= 2:
            # a member: judged only in releases where the name is a class whose members are known
            classes = self._class_masks().get(key, 0) & ~self.open_classes.get(key, 0)
            have = (0 if evidence else have & ~classes) | (classes & names.get(f"{rest[0]}.{rest[1]}", 0)) | lazy
        return have

    def _class_masks(self) -> dict[str, int]:
        """`mod:Class` -> the releases where it has at least one member recorded."""
        cached = self._classes
        if cached is None:
            cached = {}
            for mod, names in self.symbols.by_module.items():
                for rest, m in names.items():
                    if "." in rest:
                        owner = f"{mod}:{rest.rsplit('.', 1)[0]}"
                        cached[owner] = cached.get(owner, 0) | m
            self._classes = cached
        return cached

    def closed_class(self, owner: str) -> int:
        """The read releases where `owner` (`mod:Class`) is a class whose members are all known: some
        recorded, and no base outside the wheel, metaclass or `__getattr__` that could add more."""
        return self._class_masks().get(owner, 0) & ~self.open_classes.get(owner, 0)

    def class_facts(self, symbol: str) -> Optional["ClassFacts"]:
        """What the data says about `pkg.mod.Name` as a class (see `ClassFacts`); None when its
        module exports no exception class in any read release (nothing recorded there)."""
        mod, _, name = symbol.rpartition(".")
        if mod not in self.modules or not name:
            return None
        key = f"{mod}:{name}"
        if not any(k.startswith(mod + ":") for k in self.exceptions):
            return None
        return ClassFacts(self.exceptions.get(key, 0), self.plain.get(key, 0),
                          tuple((str(o), int(m)) for o, m in self.foreign.get(key, ())),
                          tuple((str(sg), int(m)) for sg, m in self.exc_init.get(key, ())),
                          self.modules[mod], self.lazy.get(mod, 0))

    def versions_in(self, mask: int) -> list[Version]:
        return [v for i, v in enumerate(self.versions) if mask >> i & 1]

    def signatures(self, symbol: str) -> list[tuple[str, int]]:
        """The parameter lists ("a,b,*,c,**") of a function or method, each with its release mask."""
        pres = self.presence(symbol)
        if pres is None:
            return []
        key = pres.module + ":" + symbol[len(pres.module) + 1:]
        return [(s, m) for s, m in self.params.get(key, [])]


@dataclass(frozen=True)
class ClassFacts:
    """Release masks for one exported name of a module that exports exception classes: `exception`
    (an exception class), `plain` (a class of the wheel that is not one), `foreign` (imported from
    another distribution, by origin), `inits` (an exception's `__init__` parameters, `=` after those
    with a default), `module` (the releases having the module) and `lazy` (names it cannot show)."""

    exception: int
    plain: int
    foreign: tuple[tuple[str, int], ...]
    inits: tuple[tuple[str, int], ...]
    module: int
    lazy: int


class ApiSurfaceIndex:
    """Distribution name -> its mined API; import root -> the distributions that ship it."""

    def __init__(self, pack: Optional[Pack] = None) -> None:
        self._built: dict[str, Optional[ApiSurface]] = {}
        self._given = pack

    @cached_property
    def _pack(self) -> Pack:
        return self._given if self._given is not None else API_SURFACE.open()

    @property
    def mined(self) -> str:
        return str(self._pack.meta.get("mined", ""))

    def names(self) -> tuple[str, ...]:
        """The distributions mined."""
        return self._pack.names()

    def dists_for(self, root: str) -> tuple[str, ...]:
        """The distributions whose read releases have modules under the import root `root`."""
        roots = self._pack.meta.get("roots", {})
        return tuple(roots.get(root, ())) if isinstance(roots, dict) else ()

    def get(self, dist: str) -> Optional[ApiSurface]:
        if dist in self._built:  # the keys are canonical names: `dist` is one
            return self._built[dist]
        name = str(canonicalize_name(dist))
        if name not in self._built:
            entry = self._pack.get(name)
            self._built[name] = _surface(name, entry, self.mined) if isinstance(entry, dict) else None
        return self._built[name]


def _versions(items: list) -> tuple[Version, ...]:
    out = []
    for v in items:
        try:
            out.append(Version(v))
        except InvalidVersion:
            continue
    return tuple(out)


def _surface(name: str, entry: dict, mined: str) -> ApiSurface:
    return ApiSurface(name, _versions(entry.get("versions", [])),
                      tuple(sorted(_versions(entry.get("releases", [])), reverse=True)), mined,
                      entry.get("modules", {}), entry.get("lazy", {}), entry.get("open", {}),
                      ByModule(entry.get("symbols", {})), ByModule(entry.get("params", {})),
                      entry.get("skipped", {}), entry.get("exceptions", {}), entry.get("plain", {}),
                      entry.get("foreign", {}), entry.get("exc_init", {}), ByModule(entry.get("attrs", {})))


_NONE: dict = {}
# One object per distinct value of the mined data: release masks above 256 (not cached by Python)
# and parameter lists ([["self,a,**", mask]], as JSON lists) recur across symbols and distributions.
_SHARED: dict[object, object] = {}


def _shared(value: Any) -> Any:
    """`value` (read only once built) with its lists as tuples, strings interned, equal parts shared."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        value = tuple(_shared(v) for v in value)
    elif not isinstance(value, int) or -5 <= value <= 256:
        return value
    try:
        return _SHARED.setdefault(value, value)
    except TypeError:  # a dict inside: kept as it is
        return value


class ByModule(Generic[_V]):
    """A read-only `{"mod:rest": value}` mapping held as `{"mod": {"rest": value}}`, the strings
    interned: an SDK's mined data has ~10^5 keys, and the module prefix repeated in every one was
    half their memory (`__init__`, `model_config`, ... recur across modules and distributions)."""

    __slots__ = ("by_module",)

    def __init__(self, flat: dict[str, _V]) -> None:
        self.by_module: dict[str, dict[str, _V]] = {}
        for key, value in flat.items():
            mod, _, rest = key.partition(":")
            names = self.by_module.get(mod)
            if names is None:
                names = self.by_module[sys.intern(mod)] = {}
            names[sys.intern(rest)] = _shared(value)

    @overload
    def get(self, key: str) -> Optional[_V]: ...

    @overload
    def get(self, key: str, default: _D) -> Union[_V, _D]: ...

    def get(self, key: str, default: object = None) -> object:
        mod, _, rest = key.partition(":")
        return self.by_module.get(mod, _NONE).get(rest, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        mod, _, rest = key.partition(":")
        return rest in self.by_module.get(mod, _NONE)
