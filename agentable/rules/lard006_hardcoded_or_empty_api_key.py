"""LARD006: an LLM API key written in the code, or given as an empty string."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import (
    Iterable,
    Iterator,  # for annotations
    Optional,
)

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo  # for annotations
from agentable.cpg.values import Const, ExtRef
from agentable.findings import Finding, Severity
from agentable.query.guards import checked_before
from agentable.query.literals import param_argument
from agentable.query.model_forwarding import feeding_sites
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lard.helpers import env_item_assigned, env_set_by_call, mask_secret

_KEY_NAME = re.compile(r"(?:^|_)api_?key$", re.I)
_SETTER_NAME = re.compile(r"^set_\w*key$", re.I)  # set_default_openai_key(...), set_api_key(...)
_ENV_KEY_NAME = re.compile(r"(?:API_KEY|API_TOKEN|_KEY)$", re.I)
# the public half of a key pair (tracing, payments) is meant to ship with the client: not a secret
_PUBLIC_KEY_NAME = re.compile(r"(?:PUBLIC|PUBLISHABLE)_KEY$", re.I)
_PLACEHOLDER = re.compile(r"your|xxx|\.\.\.|<|>|\{|\}|here|example|placeholder|dummy|fake|insert|replace|changeme|"
                          r"redacted|api_?key|secret|not[-_ ]?needed|none|null|empty|test[-_]?key|sample", re.I)
_BASE_URL_KW = re.compile(r"base_url|api_base|endpoint|host|base_path|openai_api_base", re.I)


def looks_like_key(s: str) -> bool:
    """A literal shaped like a real credential: long, no spaces, letters and digits, high entropy,
    and not a placeholder."""
    if len(s) < 20 or any(ch.isspace() for ch in s) or _PLACEHOLDER.search(s):
        return False
    if not (any(ch.isdigit() for ch in s) and any(ch.isalpha() for ch in s)):
        return False
    counts = Counter(s)
    entropy = -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())
    return entropy >= 3.5


class HardcodedOrEmptyApiKey(Rule):
    meta = RuleMeta(
        id="LARD006",
        name="hardcoded-or-empty-api-key",
        category="LARD",
        severity=Severity.ERROR,
        short="An LLM API key is hard-coded in the source, or set to an empty string.",
        full=("A key written into the code leaks with every copy of the repository and is used by whoever "
              "finds it; providers revoke leaked keys, after which the agent stops working. An empty key "
              "overrides the environment variable the SDK would otherwise read, so every request fails with "
              "an authentication error. A key parameter whose default is None written into `os.environ` raises "
              "TypeError whenever the caller leaves it out."),
        bad_example='client = OpenAI(api_key="sk-proj-9fQ2…")',
        good_example='client = OpenAI()  # reads OPENAI_API_KEY from the environment',
        fix="Read the key from the environment or a secret store (and rotate a key that was committed); drop an empty `api_key`.",
        tags=("api", "security"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        roots = graph.catalog.known_framework_roots()
        seen: set[tuple[str, int]] = set()
        for func in graph.agent.functions():
            for keys in (_keys_passed(graph, func, roots), _keys_assigned(graph, func, roots)):
                for stmt, value, name, allow_empty, line in keys:
                    f = self._judge(ctx, func, stmt, value, name, allow_empty=allow_empty)
                    if f is not None and (func.path, line) not in seen:
                        seen.add((func.path, line))
                        yield f

    def _judge(self, ctx: RuleContext, func: FunctionInfo, stmt: ir.Stmt, value: ir.Expr, name: str,
               allow_empty: bool) -> Optional[Finding]:
        graph = ctx.graph
        if name.startswith("os.environ[") and _none_default_kept(graph, func, stmt, value):
            return self.finding(
                ctx, func.path, value.pos,
                f"`{name}` is assigned `{ir.dotted(value)}`, whose default is None; the environment takes only "
                f"strings, so a call that leaves it out raises TypeError instead of using the key already in the "
                f"environment. Assign it only when a key is given (`if {ir.dotted(value)}:`).")
        vals = graph.values(value, func, stmt)
        strs = [v.value for v in vals if isinstance(v, Const) and isinstance(v.value, str)]
        if not vals or len(strs) != len(vals):
            return None
        keys = [s for s in strs if looks_like_key(s)]
        if keys:
            return self.finding(
                ctx, func.path, value.pos,
                f"`{name}` is a hard-coded API key (`{mask_secret(keys[0])}`); anyone with the code can use "
                f"it. Read it from the environment or a secret store, and revoke this key.")
        if allow_empty and all(s == "" for s in strs):
            return self.finding(
                ctx, func.path, value.pos,
                f"`{name}` is set to an empty string, which overrides the key from the environment; every request "
                f"fails authentication. Remove it or read the key from the environment.",
                severity=Severity.WARNING)
        return None


# A value given as an API key: (its statement, the expression, the name it is given under, whether
# an empty string is a defect there, the line its finding is kept once for).
_KeyValue = tuple[ir.Stmt, ir.Expr, str, bool, int]


def _keys_passed(graph, func: FunctionInfo, roots: frozenset[str]) -> Iterator[_KeyValue]:
    """Keys given to calls: put into the environment, passed to a framework's key setter or as a
    key keyword of a framework call."""
    for site in func.calls:
        env = _env_key_set(graph, site)
        if env is not None:  # os.environ.setdefault("OPENAI_API_KEY", "sk-...")
            name, value = env
            yield site.stmt, value, name, False, value.pos[0]
            continue
        setter = _callee_name(site.call)
        is_setter = _SETTER_NAME.search(setter) is not None
        if not is_setter and not any(kw.name and _KEY_NAME.search(kw.name) for kw in site.call.keywords):
            continue  # no key passed: nothing to judge, whatever the callee
        if not _calls_framework(graph, site, roots):
            continue
        has_base_url = any(kw.name and _BASE_URL_KW.search(kw.name) for kw in site.call.keywords)
        if is_setter:  # e.g. set_default_openai_key("sk-...")
            for arg in site.call.args[:1]:
                yield site.stmt, arg, setter, False, arg.pos[0]
        for kw in site.call.keywords:
            if kw.name and _KEY_NAME.search(kw.name):
                yield site.stmt, kw.value, kw.name, not has_base_url, kw.value.pos[0]


def _keys_assigned(graph, func: FunctionInfo, roots: frozenset[str]) -> Iterator[_KeyValue]:
    """Keys assigned to an SDK's key attribute or a key variable of the environment, and values of
    key-named entries of dict literals."""
    dicts: dict[int, list[ir.Dict]] = {}  # id(statement) -> its dict literals, in walk order
    for d, s in func.walk(ir.Dict):
        if isinstance(d, ir.Dict):  # (walk gives only dicts; this tells the type checker)
            dicts.setdefault(id(s), []).append(d)
    for stmt in func.stmts:
        if isinstance(stmt, ir.Assign) and stmt.value is not None:
            for t in stmt.targets:
                key_name = _assigned_key_name(graph, func, stmt, t, roots)
                if key_name is not None:
                    yield stmt, stmt.value, key_name, key_name.endswith("api_key"), stmt.pos[0]
        for d in dicts.get(id(stmt), ()):
            for k, v in zip(d.keys, d.values, strict=True):
                if isinstance(k, ir.Constant) and isinstance(k.value, str) and _KEY_NAME.search(k.value):
                    yield stmt, v, k.value, False, v.pos[0]


def _none_default_kept(graph, func: FunctionInfo, stmt: ir.Stmt, value: ir.Expr) -> bool:
    """Is `value` a parameter whose default is None, not tested before `stmt`, that some call in
    the project leaves out (or that nothing in the project passes: a public constructor)?"""
    if not isinstance(value, ir.Name) or checked_before(func, stmt, value.id) \
            or any(d.how != "param" for d in func.defs.get(value.id, [])):
        return False
    p = next((p for p in func.params if p.name == value.id), None)
    if p is None or not (isinstance(p.default, ir.Constant) and p.default.value is None):
        return False
    sites = feeding_sites(graph, func)
    return not sites or any(param_argument(site.call, func, value.id) is None for site in sites)


def _callee_name(call: ir.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ir.Attribute) else f.id if isinstance(f, ir.Name) else ""


def _calls_framework(graph, site, roots) -> bool:
    for v in graph.values(site.call.func, site.func, site.stmt):
        if isinstance(v, ExtRef) and v.path.split(".", 1)[0].split("(", 1)[0] in roots:
            return True
    return False


def _env_key_set(graph, site) -> Optional[tuple[str, ir.Expr]]:
    """(`os.environ["X_API_KEY"]`, the value) for a call that puts a key variable into the
    environment: `os.environ.setdefault(NAME, value)`, `os.putenv(NAME, value)`."""
    env = env_set_by_call(graph, site)
    if env is None or not _ENV_KEY_NAME.search(str(env[0].value)) or _PUBLIC_KEY_NAME.search(str(env[0].value)):
        return None
    return f'os.environ["{env[0].value}"]', env[1]


def _assigned_key_name(graph, func: FunctionInfo, stmt: ir.Stmt, target: ir.Expr, roots: frozenset[str]) -> Optional[str]:
    """`openai.api_key = ...` (an SDK module attribute) or `os.environ["X_API_KEY"] = ...`."""
    if isinstance(target, ir.Attribute) and _KEY_NAME.search(target.attr):
        for v in graph.values(target.value, func, stmt):
            if isinstance(v, ExtRef) and v.path.split(".", 1)[0] in roots:
                return ir.dotted(target) or target.attr
    name = env_item_assigned(graph, func, stmt, target)
    if name is not None and _ENV_KEY_NAME.search(str(name.value)) and not _PUBLIC_KEY_NAME.search(str(name.value)):
        return f'os.environ["{name.value}"]'
    return None
