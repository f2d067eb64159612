"""Which LLM calls ask for structured output (JSON mode, a response schema, a pydantic model),
so that parsing their reply needs no guard."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, Const, ExtRef, Instance, LLMOutput, Typed
from agentable.query.facts import EvalAt, per_graph
from agentable.query.literals import dict_values_for_key, literal_of


@per_graph
def _structured_names(g: ProjectGraph) -> frozenset[str]:
    names: set[str] = set()
    for spec in g.catalog.llm_calls:
        names.update(spec.structured_params or ())
        rf = (spec.params or {}).get("response_format")
        if rf:
            names.add(rf)
    return frozenset(names)


def _requests_structure(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt) -> bool:
    """Does a structured-output argument ask for JSON / a schema (not plain text)?"""
    node = literal_of(g, e, func, stmt)
    target = node[0] if node is not None else e
    if isinstance(target, ir.Call) and not target.keywords:
        return True  # e.g. format=Answer.model_json_schema()
    if isinstance(target, (ir.Dict, ir.Call)):
        keys: list[str] = []
        texts: list[str] = []
        for x in ir.walk_expr(target):
            if isinstance(x, ir.Dict):
                keys += [k.value for k in x.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)]
            elif isinstance(x, ir.Call):
                keys += [kw.name for kw in x.keywords if kw.name]
            elif isinstance(x, ir.Constant) and isinstance(x.value, str):
                texts.append(x.value.lower())
        if any("json" in t for t in texts):
            return True
        return any("schema" in k or "mime" in k for k in keys)
    vals = g.values(e, func, stmt)
    if not vals:
        return True
    if all(isinstance(v, Const) for v in vals):
        return any(isinstance(v, Const) and isinstance(v.value, str) and ("json" in v.value.lower() or v.value.startswith("{"))
                   for v in vals)
    return any(isinstance(v, (ClassRef, ExtRef, Instance, Typed)) or not isinstance(v, Const) for v in vals)


def structured_output(g: ProjectGraph, out: LLMOutput) -> Optional[str]:
    """The structured-output option (`response_format=…`, `format="json"`, a response schema in
    a generation config, …) of the LLM call that produced `out`, on the call itself, a bound
    setting or the client/model constructor; None when the call asks for free text."""
    found = _structured_argument(g, out)
    return found[0] if found is not None else None


def json_mode_only(g: ProjectGraph, out: LLMOutput) -> bool:
    """Does the call that produced `out` ask only for JSON syntax (JSON mode:
    `response_format={"type": "json_object"}`, `format="json"`), with no schema? Then its reply
    parses, but which keys it holds is still the model's choice. False for a schema, a model class
    or an option read at run time (precision first: those may constrain the keys)."""
    found = _structured_argument(g, out)
    if found is None or found[1] is None:
        return False
    _, value, func, stmt = found
    node = literal_of(g, value, func, stmt)
    target = node[0] if node is not None else value
    if isinstance(target, ir.Constant):
        return isinstance(target.value, str) and target.value.lower() in _JSON_MODE_WORDS
    if isinstance(target, ir.Dict):
        pairs = [(k.value if isinstance(k, ir.Constant) else None, v) for k, v in zip(target.keys, target.values, strict=True)]
        return len(pairs) == 1 and pairs[0][0] == "type" and isinstance(pairs[0][1], ir.Constant) \
            and str(pairs[0][1].value).lower() in _JSON_MODE_WORDS
    return False


# the values of a structured-output option that ask for JSON syntax only (OpenAI's `json_object`,
# Ollama's `format="json"`)
_JSON_MODE_WORDS = ("json", "json_object")


def _structured_argument(g: ProjectGraph, out: LLMOutput
                         ) -> Optional[tuple[str, Optional[ir.Expr], FunctionInfo, EvalAt]]:
    """(option name, its value, where it is written) of the structured-output option of the call
    that produced `out` (see `structured_output`); the value is None for a config argument judged
    as a whole."""
    c = g.agent.llm_call_at(out.site[1])
    if c is None:
        return None
    names = _structured_names(g)
    places: list[tuple[ir.Call, FunctionInfo, EvalAt]] = [(c.call, c.func, c.site.stmt)]
    for path, call in tuple(c.binds) + _client_sites(g, c):
        f = g.function_of(path, call.pos)
        if f is not None:
            places.append((call, f, None))
    config = _config_requests_structure(g, c)
    for call, f, s in places:
        for kw in call.keywords:
            if call is c.call and config is not None and kw.name == getattr(c.spec, "config_param", None):
                if config and kw.name:
                    return kw.name, None, f, s
                continue
            if kw.name and kw.name in names and _requests_structure(g, kw.value, f, s):
                return kw.name, kw.value, f, s
            if kw.name not in names:  # model_kwargs={"response_format": …}, or `**params` holding it
                for n in names:
                    for v, owner, s2 in dict_values_for_key(g, kw.value, f, s, n, depth=2):
                        if _requests_structure(g, v, owner, s2):
                            return n, v, owner, s2
    return None


def _client_sites(g: ProjectGraph, c: LLMCall) -> tuple[tuple[str, ir.Call], ...]:
    """Every constructor the called client may come from, the LLMCall's own first. A helper that
    builds the client per configuration (`ChatOllama(format="json")` in one branch, a plain one
    for tool calling in another) reaches the call with each: the code that parses this reply as
    JSON was written for the one that asks for it."""
    sites: list[tuple[str, ir.Call]] = [c.client_site] if c.client_site else []
    for v in g.values(c.call.func, c.func, c.site.stmt):
        if isinstance(v, ExtRef) and v.path == c.path and v.site is not None and v.site not in sites:
            sites.append(v.site)
    return tuple(sites)


# Settings inside a config argument (catalog `config_keys` roles) that constrain the reply to a
# schema, and the one naming the reply's MIME type: google-genai's GenerateContentConfig documents
# response_schema / response_json_schema, and response_mime_type "application/json" for JSON
# (the default "text/plain" is free text, "text/x.enum" one enum value).
_CONFIG_SCHEMA_ROLES = ("response_schema", "response_json_schema")


_CONFIG_MIME_ROLE = "response_mime_type"


def _config_requests_structure(g: ProjectGraph, c: LLMCall) -> Optional[bool]:
    """For an SDK that takes the structured-output settings inside one config argument
    (`config=types.GenerateContentConfig(...)`, a dict, or a name bound to either): does the
    config ask for JSON or a schema (True also when keys are splatted in and may)? None when the
    call has no such argument or it is not a literal (the caller then judges the argument as a
    whole, and an unreadable one counts as asking)."""
    spec = c.spec
    param = getattr(spec, "config_param", None)
    roles = getattr(spec, "config_keys", None) or {}
    if not param or param not in (getattr(spec, "structured_params", ()) or ()) or _CONFIG_MIME_ROLE not in roles:
        return None
    found = c.config_literal()
    if found is None:
        return None
    node, owner, s = found
    if isinstance(node, ir.Call) and not any(
            isinstance(v, ExtRef) and v.path in (getattr(spec, "config_classes", ()) or ())
            for v in g.values(node.func, owner, s)):
        return None  # built by a helper (`config=make_config()`): not readable here
    if any(kw.name is None for kw in node.keywords) if isinstance(node, ir.Call) else any(k is None for k in node.keys):
        return True  # `GenerateContentConfig(**settings)`: the settings may ask for JSON
    for role in _CONFIG_SCHEMA_ROLES:
        st = c.setting(role) if role in roles else None
        if st is not None and st.where == "config" and not (isinstance(st.expr, ir.Constant) and st.expr.value is None):
            return True
    st = c.setting(_CONFIG_MIME_ROLE)
    if st is None or st.where != "config":
        return False
    vals = g.values(st.expr, st.func, st.stmt)
    if vals and all(isinstance(v, Const) for v in vals):
        return any(isinstance(v, Const) and isinstance(v.value, str) and "json" in v.value.lower() for v in vals)
    return True  # a MIME type computed at run time: may be JSON
