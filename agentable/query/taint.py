"""The taint configuration (agentable/catalog/taint.toml): the sinks where model text meets an
operation that fails on text of the wrong shape, and what each raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from agentable.catalog import read_toml


@dataclass(frozen=True)
class Sink:
    kind: str  # parse | match | pieces
    call: str = ""  # callee catalog path
    method: str = ""  # or: a str method on the text
    arg: int = 0
    keyword: str = ""
    raises: tuple[str, ...] = ()
    catch_all: bool = False
    structure: bool = False
    schema_guards: bool = True
    test_guards: bool = False
    marker_guards: bool = False  # (index/rindex) only a test that the text holds the marker guards it
    empty: bool = False
    code: bool = False  # runs the text as code (eval/exec): injection, whatever the handler
    unless_keyword: str = ""  # lenient (below) when the call passes this keyword
    lenient: bool = False  # never raises: the parse is safe, but what it returns may be any shape
    json_misread: bool = False  # reads Python literals: JSON's true/false/null in tool-call arguments raise
    prose: bool = False  # reads any prose as a plain string (YAML): a key read on it raises TypeError

    @property
    def name(self) -> str:
        return self.call or self.method


@dataclass(frozen=True)
class TaintConfig:
    structured_fields: frozenset[str]
    tool_arguments_for: frozenset[str]
    calls: dict[str, Sink]  # callee path -> sink
    methods: dict[str, Sink]  # str method -> sink
    kinds: dict[str, dict]
    barriers: dict[str, frozenset[str]]  # barrier -> sink kinds it applies to
    names: dict[str, frozenset[str]] = field(default_factory=dict)  # barrier options: callable names, …
    # LCEL chain parsers (`prompt | llm | JsonOutputParser()`) -> what the chain's invoke raises
    chain_parsers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def raises(self, kind: str) -> tuple[str, ...]:
        return tuple(self.kinds.get(kind, {}).get("raises", ()))

    def applies(self, barrier: str, kind: str) -> bool:
        return kind in self.barriers.get(barrier, ())


_CONFIG: Optional[TaintConfig] = None


def config() -> TaintConfig:
    """taint.toml, read once."""
    global _CONFIG
    if _CONFIG is None:
        raw = read_toml("taint.toml")
        calls: dict[str, Sink] = {}
        methods: dict[str, Sink] = {}
        fields = {f.name for f in Sink.__dataclass_fields__.values()}
        for entry in raw.get("sinks", []):
            unknown = set(entry) - fields
            if unknown:
                raise ValueError(f"taint.toml: unknown sink key(s) {sorted(unknown)} in {entry}")
            kwargs: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
            s = Sink(**kwargs)
            (calls if s.call else methods)[s.name] = s
        barriers = raw.get("barriers", {})
        # `<barrier>_<option>` keys (retry_names, object_text_openers) are a barrier's options, the
        # others the sink kinds a barrier applies to
        options = {k for k in barriers if any(k.startswith(b + "_") for b in barriers if b != k)}
        _CONFIG = TaintConfig(
            structured_fields=frozenset(raw.get("source", {}).get("structured_fields", ())),
            tool_arguments_for=frozenset(raw.get("source", {}).get("tool_arguments_for", ())),
            calls=calls, methods=methods, kinds=raw.get("kinds", {}),
            barriers={k: frozenset(v) for k, v in barriers.items() if k not in options},
            names={(k[:-len("_names")] if k.endswith("_names") else k): frozenset(v) for k, v in barriers.items()
                   if k in options},
            chain_parsers={p: tuple(e.get("raises", ())) for p, e in raw.get("source", {}).get("chain_parsers", {}).items()},
        )
    return _CONFIG


def structure_parsers() -> dict[str, str]:
    """Callee path -> parser name for the sinks whose result is a structure parsed from the text
    (the resolver makes such a result a `Parsed` value)."""
    return {p: p for p, s in config().calls.items() if s.structure}


@dataclass(frozen=True)
class CodeSink:
    """A place where model text is run or interpreted (taint.toml [code], LOPE012)."""

    kind: str  # shell | template | module
    call: str = ""
    method: str = ""
    arg: int = 0
    keyword: str = ""
    when_keyword: str = ""  # a sink only when the call passes this keyword as True (shell=True)

    @property
    def name(self) -> str:
        return self.call or self.method


@dataclass(frozen=True)
class CodeConfig:
    calls: dict[str, CodeSink]
    methods: dict[str, CodeSink]
    openers: frozenset[str]
    suffixes: tuple[str, ...]
    quoters: tuple[str, ...]
    fence: str
    checkers: frozenset[str]


_CODE: Optional[CodeConfig] = None


def code_config() -> CodeConfig:
    """taint.toml's [code] table, read once."""
    global _CODE
    if _CODE is None:
        raw = read_toml("taint.toml").get("code", {})
        fields = {f.name for f in CodeSink.__dataclass_fields__.values()}
        calls: dict[str, CodeSink] = {}
        methods: dict[str, CodeSink] = {}
        for entry in raw.get("sinks", []):
            unknown = set(entry) - fields
            if unknown:
                raise ValueError(f"taint.toml: unknown [code] sink key(s) {sorted(unknown)} in {entry}")
            s = CodeSink(**entry)
            (calls if s.call else methods)[s.name] = s
        _CODE = CodeConfig(calls, methods, frozenset(raw.get("openers", ())), tuple(raw.get("suffixes", ())),
                           tuple(raw.get("quoters", ())), str(raw.get("fence", "`")),
                           frozenset(raw.get("checkers", ())))
    return _CODE
