"""Abstract values: what an expression may evaluate to, as far as static analysis can tell.

The resolver (agentable.cpg.resolve) maps expressions to sets of these. They are small frozen
dataclasses so sets of them can be memoised and compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, TypeVar

from agentable.cpg import ir

# A step of a data-flow path: (module path, position, what happened there)
Step = tuple[str, ir.Pos, str]


@dataclass(frozen=True)
class Value:
    pass


@dataclass(frozen=True)
class ExtRef(Value):
    """A symbol outside the project: `path` as the catalog spells it, e.g. "openai.OpenAI()".

    `site` is the call that created an instance (a client or chat model constructor), `binds`
    the binder calls applied since (`.bind(stop=...)`, `.bind_tools(...)`), both with the
    module path they live in.
    """

    path: str
    site: Optional[tuple[str, ir.Call]] = None
    binds: tuple[tuple[str, ir.Call], ...] = ()
    # for an LCEL chain ending in this model: what the chain's last step makes of the reply
    # ("" the message itself, "text" plain text, "validated" a schema-checked object)
    tail: str = ""


@dataclass(frozen=True)
class FuncRef(Value):
    qualname: str


@dataclass(frozen=True)
class ClassRef(Value):
    qualname: str


@dataclass(frozen=True)
class Instance(Value):
    qualname: str  # a project class


@dataclass(frozen=True)
class ModuleRef(Value):
    name: str  # a project module


@dataclass(frozen=True)
class Const(Value):
    value: object  # str | int | float | bool | None

    # Python has False == 0 and True == 1.0 with equal hashes, so sets of constants (interned by
    # the resolver) would merge them: the type is part of a constant's identity.
    def __eq__(self, other: object) -> bool:
        return type(other) is Const and type(other.value) is type(self.value) and other.value == self.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True)
class Typed(Value):
    """A value whose Python type is known but not its content: str, dict, list, int, float,
    bool, bytes, none, generator, file, response, tuple, set."""

    kind: str


@dataclass(frozen=True)
class LLMOutput(Value):
    """The result of an LLM call. `text` is True once the generated text itself is reached
    (e.g. `.choices[0].message.content`), False for the raw response object."""

    site: tuple[str, ir.Call]  # (module path, the LLM call)
    text: bool
    steps: tuple[Step, ...] = ()
    # an HTTP response from a model endpoint: its `.text`/`.content` and `.json()` are the
    # provider's JSON envelope, not yet the generated text
    http: bool = False
    # the access paths the call's API documents as model-written (agentable.cpg.response_paths),
    # and the segments read from the response so far, while it is not yet the text
    documented: tuple[tuple[str, ...], ...] = ()
    read: tuple[str, ...] = ()

    def with_step(self, step: Step, text: Optional[bool] = None, segment: Optional[str] = None) -> "LLMOutput":
        steps = self.steps if len(self.steps) >= 12 else (*self.steps, step)
        read = (*self.read, segment) if segment is not None and not self.text else self.read
        return LLMOutput(self.site, self.text if text is None else text, steps, self.http, self.documented, read)

    def reading(self, segment: str) -> "LLMOutput":
        """The same response one segment further in (iterating it: `for choice in r.choices`)."""
        return LLMOutput(self.site, self.text, self.steps, self.http, self.documented, (*self.read, segment))


@dataclass(frozen=True)
class BuildSpec(Value):
    """A config dict naming the class to build under a type key (`dict(type=ChatAPI, model=m)`):
    a registry builder (`cls = cfg.pop("type"); return cls(**cfg)`) makes one of `classes`."""

    classes: frozenset[str]  # project class qualnames

    def class_refs(self) -> frozenset["ClassRef"]:
        return frozenset(ClassRef(c) for c in self.classes)


@dataclass(frozen=True)
class ParamRef(Value):
    func: str  # qualname
    name: str


@dataclass(frozen=True)
class Parsed(Value):
    """A structure parsed from model text (e.g. json.loads(llm_text)); indexing it can fail."""

    source: LLMOutput
    how: str  # the parsing call, e.g. "json.loads"
    validated: bool = False


@dataclass(frozen=True)
class Composed(Value):
    """A string the code builds from a known string and more text (`model += "-0613"`,
    `m + "-preview"`, `f"{m}-instruct"`): `value` the whole, `base` the known string it started
    from, `at` (module path, position) where it was built. A separate kind, not a Const, so that
    checks over written literals keep seeing what they saw before."""

    value: str
    base: str
    at: tuple[str, ir.Pos]


# How many composed strings one concatenation may give (each side's values multiply).
MAX_COMPOSED = 8


def compose(parts: list[frozenset[Value]], base: int, at: tuple[str, ir.Pos]) -> frozenset[Composed]:
    """The strings `parts` concatenate to, each with the string its part `base` contributed (the
    base of a part already composed); none unless every part is known to be strings, or past
    MAX_COMPOSED."""
    out: list[tuple[str, str]] = [("", "")]
    for i, vs in enumerate(parts):
        strs = [v for v in ordered(vs) if isinstance(v, (Const, Composed)) and isinstance(v.value, str)]
        # a parameter's own marker (callers outside the project) does not hide its known values
        if not strs or len(strs) != len([v for v in vs if not isinstance(v, ParamRef)]):
            return frozenset()
        step = []
        for whole, b in out:
            for v in strs:
                own = v.base if isinstance(v, Composed) else str(v.value)
                step.append((whole + str(v.value), own if i == base else b))
        out = list(dict.fromkeys(step))
        if len(out) > MAX_COMPOSED:
            return frozenset()
    return frozenset(Composed(w, b, at) for w, b in out if b and w != b)


def const_strs_of(values: Iterable[Value]) -> list[str]:
    """The string constants (and composed strings) among `values`, in a stable order."""
    return [v.value for v in ordered(values) if isinstance(v, (Const, Composed)) and isinstance(v.value, str)]


UNKNOWN = Typed("unknown")

# The values an expression may have: what every resolution returns.
VSet = frozenset[Value]


# ---------------------------------------------------------------- a stable order

_NO_POS: ir.Pos = (0, 0, 0, 0)


def _site_key(site: Optional[tuple[str, ir.Call]]) -> tuple:
    return (1, "", _NO_POS) if site is None else (0, site[0], site[1].pos)


def _llm_key(v: LLMOutput) -> tuple:
    # shortest data-flow path first, then by model call, then the path itself
    return (len(v.steps), _site_key(v.site), tuple((p, pos, m) for p, pos, m in v.steps), v.read, v.documented,
            v.text, v.http)


def value_key(v: Value) -> tuple:
    """A total order on values that depends on their content only. A value set is a frozenset,
    whose iteration order follows hashes (string hashes vary with PYTHONHASHSEED, IR nodes hash by
    address): where one value is chosen among several, choose the first in this order (a
    constructor's call site first in source order, a model output's shortest path first)."""
    name = v.__class__.__name__
    if isinstance(v, ExtRef):
        return (name, _site_key(v.site), v.path, tuple(_site_key(b) for b in v.binds), v.tail)
    if isinstance(v, LLMOutput):
        return (name, _llm_key(v))
    if isinstance(v, Parsed):
        return (name, _llm_key(v.source), v.how, v.validated)
    if isinstance(v, Const):
        return (name, type(v.value).__name__, repr(v.value))
    if isinstance(v, Composed):
        return (name, v.value, v.base, v.at)
    if isinstance(v, ParamRef):
        return (name, v.func, v.name)
    return (name, repr(v))


_V = TypeVar("_V", bound=Value)


def ordered(values: Iterable[_V]) -> list[_V]:
    """`values` in the stable order of `value_key`."""
    return sorted(values, key=value_key)
