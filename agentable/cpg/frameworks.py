"""Framework modelling for the resolver: what calling an external symbol returns, decided by the
framework catalog (data). An LLM call, a POST to a model endpoint or an agent run returns model
output; a client or chat-model constructor an instance whose methods are looked up again; an
LCEL chain (`prompt | model | parser`) the model marked with its tail; a parser a `Parsed`
structure.

Why apart from `resolve`: the resolver is generic data flow over the IR; this is the knowledge
of frameworks it consults for external calls. It is handed the resolver (a `ValueResolver`) to
resolve arguments with, so it does not import `resolve` back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from agentable.catalog import python_facts, read_toml
from agentable.cpg import ir
from agentable.cpg.graph_api import CodeGraph, Scoped, ValueResolver
from agentable.cpg.http_endpoints import EndpointTexts, names_endpoint, shape_spec
from agentable.cpg.response_paths import ANY_FIELD, documented_paths
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import UNKNOWN, Const, ExtRef, FuncRef, LLMOutput, Parsed, Typed, VSet, ordered

if TYPE_CHECKING:
    from agentable.catalog.specs import AgentSpec, LLMCallSpec

EMPTY: VSet = frozenset()
BUILTIN_TYPES = python_facts().builtin_results
_VALIDATION_METHODS = python_facts().validation_methods  # `Model.model_validate_json(text)` & co.
_ITEM_KEEPERS = python_facts().item_keepers
_EXECUTOR_MAPS = frozenset(f"{c}().map" for c in python_facts().executor_classes)
_RUNNERS = python_facts().function_runners  # `asyncio.to_thread(fn, x)`: awaited, fn's return
_SUBMITS = frozenset(f"{c}().{m}" for c in python_facts().executor_classes for m in python_facts().future_submitters)
_FUTURE_RESULTS = python_facts().future_results
_PASSERS = python_facts().value_passers  # `typing.cast(T, x)` is `x` at run time

# Parsers whose result is a structure parsed from the text (a `Parsed` value): the sinks declared
# with `structure = true` in agentable/catalog/taint.toml.
PARSERS = {e["call"]: e["call"] for e in read_toml("taint.toml").get("sinks", ()) if e.get("structure")}
def _text_arguments(table: str) -> dict[str, tuple[int, str]]:
    """A taint.toml table of calls, each with the index and keyword of its text argument."""
    return {path: (int(p.get("arg", 0)), str(p.get("keyword", ""))) for path, p in read_toml("taint.toml").get(table, {}).items()}


# Calls whose result is one argument's text rewritten (`re.sub(p, r, text)`): taint.toml [propagators].
PROPAGATORS = _text_arguments("propagators")
# Readers of a regex match whose result is a piece of the matched text: taint.toml [match_readers].
MATCH_READERS = _text_arguments("match_readers")
MATCH_PIECE = "a piece taken with a regex match"  # the step it adds: the pattern shaped that text
# Calls whose result is the pieces of one argument's text (`re.findall`): taint.toml [piece_lists].
PIECE_LISTS = _text_arguments("piece_lists")
_PIECES_RAW = read_toml("taint.toml").get("piece_lists", {})
PIECES_FOUND = frozenset(p for p, e in _PIECES_RAW.items() if e.get("found"))  # the pattern shaped each piece
MATCH_ITERATORS = frozenset(p for p, e in _PIECES_RAW.items() if e.get("matches"))  # items are Match objects
MATCHES_FOUND = "matches found with a regex"  # their step: a reader of one (`m.group(1)`) is a MATCH_PIECE
MATCH_ITEM_READERS = frozenset(read_toml("taint.toml").get("kinds", {}).get("match", {}).get("readers", ()))
# Methods of a parsed structure whose result is it or one of its items: taint.toml [parsed_propagators].
PARSED_ITEM_METHODS = frozenset(read_toml("taint.toml").get("parsed_propagators", {}).get("methods", ()))
# Last steps of an LCEL chain that parse the reply as JSON (taint.toml [source.chain_parsers]): the
# chain's result is a `Parsed` structure, marked on the chain's model as the tail "parsed:<parser>".
CHAIN_PARSERS = frozenset(read_toml("taint.toml").get("source", {}).get("chain_parsers", {}))
PARSED_TAIL = "parsed:"
# Chains whose text methods hand back the model's reply (taint.toml [source.text_chains]: LLMChain.run).
_TEXT_CHAINS_RAW = read_toml("taint.toml").get("source", {}).get("text_chains", {})
TEXT_CHAINS = frozenset(_TEXT_CHAINS_RAW.get("classes", ()))
TEXT_CHAIN_METHODS = frozenset(_TEXT_CHAINS_RAW.get("text_methods", ()))
_TEXT_CHAIN_PARSERS = tuple(_TEXT_CHAINS_RAW.get("parser_params", ()))
# Streamers whose iteration yields a local model's text (taint.toml [source.text_streamers]).
TEXT_STREAMERS = frozenset(read_toml("taint.toml").get("source", {}).get("text_streamers", {}).get("classes", ()))


def streamed_text(v: object) -> Optional[LLMOutput]:
    """The model text iterating `v` yields when it is a text streamer built in the project
    (`TextIteratorStreamer(tokenizer)`, handed to generate()), else None."""
    if isinstance(v, ExtRef) and v.path.endswith("()") and v.path[:-2] in TEXT_STREAMERS and v.site is not None:
        return LLMOutput(v.site, True, ((v.site[0], v.site[1].pos, "text the model streams"),))
    return None
# The model of a chain whose model step the resolver cannot name (`prompt | self.llm | parser`, the
# model a constructor parameter): any chat model, which is what sits between a prompt and a parser.
_ANY_CHAT_MODEL = "langchain_core.language_models.BaseChatModel()"


def is_future(v: object) -> bool:
    """Is `v` the future an executor's submit returned (`executor.submit(fn, x)`)? A list of them
    holds them, so that `[f.result() for f in futures]` reaches what `fn` returns."""
    return isinstance(v, ExtRef) and v.path.endswith("()") and v.path[:-2] in _SUBMITS


class FrameworkCalls:
    """The framework modelling one resolver consults (one per resolver, like its memos)."""

    def __init__(self, res: ValueResolver) -> None:
        self.res = res
        self.g: CodeGraph = res.g
        self._http_specs: dict[int, Optional[LLMCallSpec]] = {}  # id(call) -> the model endpoint a POST addresses

    def external_call(self, v: ExtRef, e: ir.Call, func: FunctionInfo, stmt: Optional[object],
                      site: tuple[str, ir.Call]) -> VSet:
        """What calling an external symbol returns: model output for an LLM call, a POST to a model
        endpoint or an agent run; a client or chat model instance; a parsed or validated structure;
        otherwise an opaque instance of the symbol."""
        passed = _PASSERS.get(v.path)
        if passed is not None and passed < len(e.args):
            # only the constants pass (a model id, a limit): the casts of objects narrow a union by a
            # branch the resolver does not split (`return cast(Response, r)` under `if not stream:`),
            # so passing them on would give every caller the other branch's objects too
            given = self.res.values(e.args[passed], func, stmt)
            consts = frozenset(x for x in given if isinstance(x, Const))
            if consts:  # with the cast's opaque result for the rest, so that the value stays uncertain
                return consts | (self._library_call(v.path, e, func, stmt) if len(consts) < len(given) else EMPTY)
        found = self._model_call(v, e, func, stmt, site)
        if found is not None:
            return found
        ran = self._ran_function(v, e, func, stmt)
        if ran:
            return ran
        return self._library_call(v.path, e, func, stmt)

    def _ran_function(self, v: ExtRef, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """What the project function a runner call was handed returns: `await asyncio.to_thread(fn, x)`,
        `await loop.run_in_executor(None, fn, x)`, or `fut.result()` of `fut = executor.submit(fn, x)`
        (python.toml `function_runners`, `future_submitters`); empty for any other call."""
        path = v.path
        inst, _, method = path.rpartition("().")
        index = _RUNNERS.get(path, _RUNNERS.get(f"().{method}") if inst else None)
        handed: Optional[ir.Expr] = e.args[index] if index is not None and index < len(e.args) else None
        owner: Optional[FunctionInfo] = func
        if handed is None and method in _FUTURE_RESULTS and inst in _SUBMITS and v.site is not None:
            submit = v.site[1]  # the submit call that made the future
            owner = self.g.function_of(v.site[0], submit.pos)
            handed = submit.args[0] if submit.args else None
        if handed is None or owner is None:
            return EMPTY
        return frozenset(r for f in self.res.values(handed, owner, stmt if owner is func else None)
                         if isinstance(f, FuncRef) for r in self.res.function_returns(f.qualname))

    def _model_call(self, v: ExtRef, e: ir.Call, func: FunctionInfo, stmt: Optional[object],
                    site: tuple[str, ir.Call]) -> Optional[VSet]:
        """What a call the framework catalog knows returns (an LLM call, a POST to a model endpoint,
        a chat model's method, an agent run, a client or chat model constructor), or None."""
        cat = self.g.catalog
        path = v.path
        spec = cat.llm_call(path)
        if spec is not None and builds_for_generation(spec, v.site):
            return frozenset({LLMOutput(site, bool(spec.returns_text), ((func.path, e.pos, "model output"),),
                                        documented=documented_paths(spec))})
        if self.http_llm_spec(e, path, func, stmt) is not None:
            return frozenset({LLMOutput(site, False, ((func.path, e.pos, "model endpoint response"),), http=True)})
        inst, _, method = path.rpartition("().")
        if not inst and path.endswith("()"):  # an instance called: `llm(prompt)` is its __call__
            inst, method = path[:-2], "__call__"
        if inst and method:
            model = cat.chat_model(inst)
            if model is not None:
                if method in model.call_methods:
                    if v.tail == "validated":
                        return frozenset({Typed("validated")})
                    if v.tail == "unknown":
                        return frozenset({UNKNOWN})
                    if v.tail.startswith(PARSED_TAIL):
                        parser = v.tail[len(PARSED_TAIL):]
                        if method not in ("invoke", "ainvoke"):
                            return frozenset({UNKNOWN})  # batch, stream: lists and chunks of it
                        step = (func.path, e.pos, f"model output parsed by {parser.rpartition('.')[2]}")
                        return frozenset({Parsed(LLMOutput(site, True, (step,)), parser)})
                    text = method in model.returns_text_methods or v.tail == "text"
                    fields = ((ANY_FIELD,),) if model.fields_are_text else ()
                    return frozenset({LLMOutput(site, text, ((func.path, e.pos, "model output"),), documented=fields)})
                if method in model.binders:
                    tail = "validated" if method in model.structured_methods else v.tail
                    return frozenset({ExtRef(f"{inst}()", v.site, (*v.binds, (func.path, e)), tail)})
            if inst in TEXT_CHAINS and method in TEXT_CHAIN_METHODS:
                if v.site is not None and any(v.site[1].kwarg(k) is not None for k in _TEXT_CHAIN_PARSERS):
                    return frozenset({UNKNOWN})  # `LLMChain(..., output_parser=p).run()`: what p makes of it
                return frozenset({LLMOutput(site, True, ((func.path, e.pos, "the chain's model output"),))})
            agent = cat.agent_constructor(inst)
            if agent is not None and method in agent.run_methods:
                return self._agent_output(agent, v.site, method, e, func)
        runner = cat.agent_runner(path)
        if runner is not None:
            agent_arg = e.argument("starting_agent", 0)
            agent_site = next((a.site for a in ordered(self.res.values(agent_arg, func, stmt)) if isinstance(a, ExtRef)), None)
            return self._agent_output(runner, agent_site, "", e, func)
        if cat.llm_client(path) is not None or cat.chat_model(path) is not None:
            return frozenset({ExtRef(f"{path}()", (func.path, e))})
        factory = cat.chat_model_factory(path)
        if factory is not None:
            cls = factory.classes[0] if factory.classes else path
            return frozenset({ExtRef(f"{cls}()", (func.path, e))})
        return None

    def _library_call(self, path: str, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """What any other external call returns: a parser's structure, `str()` of model output, a
        builtin's or a data library's type, a validated model, else an opaque instance."""
        cat = self.g.catalog
        parser = PARSERS.get(path)
        if parser is not None and e.args:
            srcs = ordered(a for a in self.res.values(e.args[0], func, stmt) if isinstance(a, LLMOutput))
            if srcs and all(a.http and not a.text for a in srcs):  # json.loads(resp.text): the decoded envelope
                return frozenset(a.with_step((func.path, e.pos, f"decoded with {parser}")) for a in srcs)
            if srcs:
                return frozenset({Parsed(srcs[0].with_step((func.path, e.pos, f"parsed with {parser}")), parser)})
        prop = PROPAGATORS.get(path)
        if prop is not None:
            outs = self._text_argument(e, prop, func, stmt)
            if outs:
                return frozenset(o.with_step((func.path, e.pos, f"rewritten with {path}")) for o in outs)
        pieces = PIECE_LISTS.get(path)
        if pieces is not None:
            outs = self._text_argument(e, pieces, func, stmt)
            if outs:
                msg = MATCHES_FOUND if path in MATCH_ITERATORS else MATCH_PIECE if path in PIECES_FOUND \
                    else f"pieces cut with {path}"
                return frozenset(o.with_step((func.path, e.pos, msg)) for o in outs)
        reader = MATCH_READERS.get(path)
        if reader is not None and isinstance(e.func, ir.Attribute):
            outs = self._matched_text(e.func.value, reader, func, stmt)
            if outs:
                return frozenset(o.with_step((func.path, e.pos, MATCH_PIECE)) for o in outs)
        if path == "str" and e.args:
            outs = [a for a in self.res.values(e.args[0], func, stmt) if isinstance(a, LLMOutput)]
            if outs and all(self._str_is_envelope(o) for o in outs):  # json.loads(str(resp)): openai<1's JSON
                return frozenset({LLMOutput(o.site, False, (*o.steps, (func.path, e.pos, "its JSON envelope")),
                                            True, o.documented, o.read) for o in outs})
            if outs:  # str(result) of a model or agent result is its text
                return frozenset({o.with_step((func.path, e.pos, "converted to text"), text=True) for o in outs})
        items = self._items_kept(path, e, func, stmt)
        if items:
            return items
        if path in BUILTIN_TYPES:
            return frozenset({Typed(BUILTIN_TYPES[path])})
        data_kind = cat.data_returning.get(path)
        if data_kind is not None:
            return frozenset({Typed(data_kind)})
        if path.endswith(_VALIDATION_METHODS):
            return frozenset({Typed("validated")})
        return frozenset({ExtRef(f"{path}()", (func.path, e))})


    def _str_is_envelope(self, o: LLMOutput) -> bool:
        """Is `o` a raw response whose str() is the provider's JSON envelope, not the model's text
        (catalog `str_is_envelope`: openai<1's OpenAIObject prints as the response's JSON)?"""
        if o.text or o.http:
            return False
        owner = self.g.function_of(o.site[0], o.site[1].pos)
        return owner is not None and any(
            isinstance(v, ExtRef) and getattr(self.g.catalog.llm_call(v.path), "str_is_envelope", False)
            for v in self.res.values(o.site[1].func, owner, None))

    def _text_argument(self, e: ir.Call, where: tuple[int, str], func: FunctionInfo,
                       stmt: Optional[object]) -> list[LLMOutput]:
        """The model texts the call's text argument (`where`: its index and keyword) may be."""
        arg = e.kwarg(where[1]) if where[1] else None
        arg = arg if arg is not None else (e.args[where[0]] if where[0] < len(e.args) else None)
        return [a for a in self.res.values(arg, func, stmt) if isinstance(a, LLMOutput) and a.text] if arg is not None else []

    def _matched_text(self, match: ir.Expr, reader: tuple[int, str], func: FunctionInfo,
                      stmt: Optional[object]) -> list[LLMOutput]:
        """The model text a regex match was made on: the text argument of the `re.search(...)` call
        that `match` is, or that the name `match` is bound to."""
        made = [(match, func, stmt)] if isinstance(match, ir.Call) else self.g._literal_defs(match, func, stmt)
        out: list[LLMOutput] = []
        for call, owner, at in made:
            if not isinstance(call, ir.Call):
                continue
            arg = call.kwarg(reader[1]) if reader[1] else None
            arg = arg if arg is not None else (call.args[reader[0]] if reader[0] < len(call.args) else None)
            if arg is not None:
                out += [a for a in self.res.values(arg, owner, at) if isinstance(a, LLMOutput) and a.text]
        return out

    def _items_kept(self, path: str, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """The structures parsed from model output that `list(xs)`, `sorted(xs)` (python.toml
        `item_keepers`) hold, or that `map(f, xs)` / `executor.map(f, xs)` gives back from each call
        of `f` (its model text too); empty for anything else. (A Parsed value stands for its items too.)"""
        if path in _ITEM_KEEPERS and e.args:
            vals = self.res.values(e.args[0], func, stmt)
        elif (path == "map" or path in _EXECUTOR_MAPS) and len(e.args) > 1:
            vals = frozenset(v for f in self.res.values(e.args[0], func, stmt) if isinstance(f, FuncRef)
                             for v in self.res.function_returns(f.qualname))
            # each item is a call's return: the model's text too (`for reply in pool.map(ask, qs)`)
            return frozenset(v for v in vals if (isinstance(v, Parsed) and not v.validated)
                             or (isinstance(v, LLMOutput) and v.text))
        else:
            return EMPTY
        return frozenset(v for v in vals if isinstance(v, Parsed) and not v.validated)

    def http_llm_spec(self, e: ir.Call, path: str, func: FunctionInfo, stmt: Optional[object]) -> Optional[LLMCallSpec]:
        """The `[[http_llm_call]]` entry a POST through an HTTP client addresses, or None: decided by
        the literal text its URL is built from (`f"{BASE}/chat/completions"`, a URL a caller puts in
        the payload dict), else by a chat-format payload, else by the shape of the exchange (see
        `http_endpoints`)."""
        specs = self.g.catalog.http_llm_calls_for(path)
        if not specs:
            return None
        key = id(e)
        if key in self._http_specs:
            return self._http_specs[key]
        self._http_specs[key] = None
        url = e.kwarg(specs[0].url_param) if specs[0].url_param else None
        pos = specs[0].url_positional
        if url is None and pos is not None and pos < len(e.args):
            url = e.args[pos]
        texts = EndpointTexts(self.res).of(url, func, stmt) if url is not None else []
        found = next((s for s in specs if any(names_endpoint(t, p) for t in texts for p in s.url_contains)), None)
        if found is None:  # a configured URL: a payload in the chat wire format still says what it is
            found = next((s for s in specs if s.role_messages and _has_role_messages(self.g, s, e, func, stmt)), None)
        if found is None:
            found = shape_spec(self.g, specs, e, func, stmt)
        self._http_specs[key] = found
        return found

    def lcel_chain(self, e: ir.BinOp, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """`prompt | model | parser`: the chain is the model, marked with what its tail returns."""
        left = self.res.values(e.left, func, stmt)
        right = self.res.values(e.right, func, stmt)
        models = [v for v in left | right if isinstance(v, ExtRef) and self._is_chat_model_instance(v)]
        if not models and self._unnamed_model_chain(e, right, func, stmt):
            models = [ExtRef(_ANY_CHAT_MODEL)]
        if not models:
            return EMPTY
        tail = ""
        if not any(v in models for v in right):
            for v in right:
                if isinstance(v, ExtRef):
                    parser = v.path.removesuffix("()")
                    guard = self.g.catalog.output_guard(parser)
                    if parser in CHAIN_PARSERS:
                        tail = PARSED_TAIL + parser
                    elif guard is not None:
                        tail = "text" if guard.kind == "text" else (
                            "validated" if guard.kind in ("validating-parser", "structured-output") else "unknown")
        m = models[0]
        return frozenset({ExtRef(m.path, m.site, m.binds, tail or m.tail)})

    def _unnamed_model_chain(self, e: ir.BinOp, right: VSet, func: FunctionInfo, stmt: Optional[object]) -> bool:
        """`prompt | llm | parser` where `llm` resolves to nothing known: the chain ends in a
        framework output parser (a catalog output guard, or a JSON chain parser) after at least two
        steps that start with a framework object (the prompt template)."""
        if not (isinstance(e.left, ir.BinOp) and e.left.op == "|"):
            return False
        if not any(isinstance(v, ExtRef) and (v.path.removesuffix("()") in CHAIN_PARSERS or
                                              self.g.catalog.output_guard(v.path.removesuffix("()")) is not None)
                   for v in right):
            return False
        first: ir.Expr = e.left
        while isinstance(first, ir.BinOp) and first.op == "|":
            first = first.left
        return any(isinstance(v, ExtRef) and v.path.startswith("langchain") for v in self.res.values(first, func, stmt))

    def _is_chat_model_instance(self, v: ExtRef) -> bool:
        return v.path.endswith("()") and self.g.catalog.chat_model(v.path[:-2]) is not None

    def _agent_output(self, agent: AgentSpec, ctor_site: Optional[tuple[str, ir.Call]], method: str, e: ir.Call,
                      func: FunctionInfo) -> VSet:
        """What running a framework agent returns: its final model text (or a result object
        holding it), unless the agent was built with a structured output type."""
        if ctor_site is not None:
            _, ctor = ctor_site
            for kw in agent.structured_params:
                v = ctor.kwarg(kw)
                if v is not None and not (isinstance(v, ir.Name) and v.id == "str") and not (
                        isinstance(v, ir.Constant) and v.value is None):
                    return frozenset({Typed("validated")})
        text = method in agent.text_run_methods
        return frozenset({LLMOutput((func.path, e), text, ((func.path, e.pos, "the agent's final output"),))})


def builds_for_generation(spec, ctor_site: Optional[tuple[str, ir.Call]]) -> bool:
    """False when the called object was built for a task that does not generate text (an HF
    `pipeline("ner")`): the catalog lists the generative tasks; unknown tasks count as generative."""
    tasks = getattr(spec, "generative_tasks", ())
    if not tasks or ctor_site is None:
        return True
    ctor = ctor_site[1]
    task = ctor.kwarg(spec.task_param) if spec.task_param else None
    if task is None and spec.task_positional is not None and spec.task_positional < len(ctor.args):
        task = ctor.args[spec.task_positional]
    if isinstance(task, ir.Constant) and isinstance(task.value, str):
        return task.value in tasks
    return True


def http_payload(g: CodeGraph, spec: LLMCallSpec, call: ir.Call, func: FunctionInfo,
                 stmt: object) -> Optional[Scoped[ir.Dict]]:
    """The JSON payload literal of a raw HTTP request (`json={...}`, a name bound to a dict literal,
    or `data=json.dumps(payload)`), with its scope; None when it is not a known literal."""
    for kw in spec.payload_params:
        payload = call.kwarg(kw)
        if isinstance(payload, ir.Call) and ir.dotted(payload.func) == "json.dumps" and payload.args:
            payload = payload.args[0]
        found = g.bound_literal(payload, func, stmt, (ir.Dict,)) if payload is not None else None
        if found is not None:
            return found
    return None


def _has_role_messages(g: CodeGraph, spec: LLMCallSpec, call: ir.Call, func: FunctionInfo, stmt: object) -> bool:
    """Is the payload's `messages` a list literal of `{"role": ...}` dicts (the chat wire format)?"""
    found = http_payload(g, spec, call, func, stmt)
    messages = found[0].get("messages") if found is not None else None
    if isinstance(messages, ir.Name) and found is not None:
        # a name bound in each branch to a list literal (`messages = [{"role": "system", ...}]`,
        # else `[{"role": "user", ...}]`, then appended to): every binding must be one
        defs = g._literal_defs(messages, found[1], found[2])
        return bool(defs) and all(_role_list(x) for x, _o, _s in defs)
    return _role_list(messages)


def _role_list(messages: Optional[ir.Expr]) -> bool:
    """A list literal whose first item is a `{"role": ...}` dict."""
    return (isinstance(messages, ir.Seq) and bool(messages.elts) and isinstance(messages.elts[0], ir.Dict)
            and messages.elts[0].get("role") is not None)
