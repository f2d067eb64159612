"""Typed records of the framework catalog (one frozen dataclass per TOML entry kind)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True, eq=False)  # identity hash: holds dicts
class LLMCallSpec:
    """A function or method that sends a request to a model."""

    callees: tuple[str, ...]
    provider: str
    api: str  # chat | completion | responses | embedding | image | audio | moderation | generate | assistants
    framework: str
    params: dict[str, str] = field(default_factory=dict)  # role -> keyword name
    positional: dict[str, int] = field(default_factory=dict)  # role -> positional index
    required: tuple[str, ...] = ()
    output_text: tuple[str, ...] = ()  # access paths from the return value to the text
    # access paths to other model-written content: a tool call's JSON arguments, the text of one
    # output item (with output_text, what agentable.cpg.response_paths treats as the model's)
    output_content: tuple[str, ...] = ()
    returns_text: bool = False
    str_is_envelope: bool = False  # str() of the raw response is its JSON envelope (openai<1's OpenAIObject)
    structured_params: tuple[str, ...] = ()
    # Settings the SDK takes inside one config argument (google-genai's
    # `config=types.GenerateContentConfig(stop_sequences=…)` or `config={"stop_sequences": …}`):
    # `config_param` names that argument, `config_keys` maps roles to its keywords / dict keys.
    config_param: Optional[str] = None
    config_keys: dict[str, str] = field(default_factory=dict)
    config_classes: tuple[str, ...] = ()  # the SDK's constructors of that config object
    guards: dict[str, Any] = field(default_factory=dict)
    sdk: Optional[str] = None
    available: Optional[str] = None
    replacement: Optional[str] = None
    # For objects built for a task (HF `pipeline("ner", ...)`): the constructor argument naming the
    # task, and the tasks that generate text. A call on an object built for another task is not an
    # LLM call.
    task_param: Optional[str] = None
    task_positional: Optional[int] = None
    generative_tasks: tuple[str, ...] = ()
    # Raw HTTP requests (`[[http_llm_call]]`): a POST is this LLM call when its URL contains one of
    # `url_contains`; the settings are keys of the payload passed as one of `payload_params`.
    url_contains: tuple[str, ...] = ()
    url_param: Optional[str] = None
    url_positional: Optional[int] = None
    payload_params: tuple[str, ...] = ()
    role_messages: bool = False  # also when the URL is configured, if the payload has role messages
    # When the URL says nothing (configured, built at runtime): a POST whose JSON body has every
    # one of `payload_keys` and whose response is read along one of `reply_reads` (access paths
    # from the response, `.json()["choices"][0]`) is this call (cpg/http_endpoints.py).
    payload_keys: tuple[str, ...] = ()
    reply_reads: tuple[str, ...] = ()
    # plain functions in the `tools` argument become tools described by their docstring
    function_tools: bool = False
    # ... whose parameter descriptions are the docstring's Args: entries named like the signature's
    # parameters (the description is the text before that section; other entries are dropped)
    parse_docstring_params: bool = False
    # Tool calls whose `arguments` are a JSON string the model writes: is a function tool that omits
    # `strict` schema-constrained (true) or best effort (false)? None: not known / not applicable.
    tool_arguments_strict_default: Optional[bool] = None
    # A call keyword that, set to True, constrains every tool's arguments to its schema (Cohere's
    # `strict_tools`), where the API has no per-tool `strict`.
    tool_arguments_strict_param: Optional[str] = None
    # Keywords that continue server-side state from an earlier response (Responses API
    # `previous_response_id`): the server keeps the model's own output items, but what the client
    # produced since (tool outputs) must still be sent in the request.
    continuation_params: tuple[str, ...] = ()
    # A setting the API accepts only beside another one (role -> the role it needs: OpenAI chat
    # completions refuse `tool_choice` without `tools`, "'tool_choice' is only allowed when 'tools'
    # are specified"): a request that sends it alone fails with a 400.
    needs_with: dict[str, str] = field(default_factory=dict)
    notes: str = ""


@dataclass(frozen=True, eq=False)  # identity hash: holds dicts
class ClientSpec:
    """An SDK client class whose instances carry connection settings."""

    classes: tuple[str, ...]
    provider: str
    params: dict[str, str] = field(default_factory=dict)
    positional: dict[str, int] = field(default_factory=dict)  # role -> positional index in the constructor
    defaults: dict[str, Any] = field(default_factory=dict)
    # environment variable -> the constructor arguments that stand for it: with none of them given
    # and the variable unset, the constructor raises (LARD002)
    required_env: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sdk: Optional[str] = None
    available: Optional[str] = None
    framework: str = ""


@dataclass(frozen=True)
class ClientKindSpec:
    """An SDK factory that builds a different client per service name (`boto3.client("bedrock-runtime")`):
    `methods` maps a service to the model-call methods only its client has (LARD016)."""

    factories: tuple[str, ...]
    kind_param: str
    kind_positional: Optional[int] = None
    methods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # service -> {method: its parameter that takes one JSON object in the model's own format (LARD003)}
    object_bodies: dict[str, dict[str, str]] = field(default_factory=dict)
    body_encoders: tuple[str, ...] = ()  # the calls that serialise such a body (json.dumps)
    source: str = ""


@dataclass(frozen=True)
class RetryDefaultSpec:
    """How many times a model client re-sends a request that failed (rate limit, timeout, server
    error, dropped connection) before it raises, for calls under `modules` in the releases
    `versions` of `sdk` (None: every release)."""

    modules: tuple[str, ...]  # import roots of the calls (`openai`, `requests`)
    retries: int
    sdk: Optional[str] = None  # the distribution whose declared version picks the row
    versions: Optional[str] = None  # PEP 440 range
    param: Optional[str] = None  # the client or call keyword that changes it (`max_retries`)
    notes: str = ""


@dataclass(frozen=True)
class ModelErrorsSpec:
    """The exception classes of a model SDK (`modules`: its import roots), by their last name, split
    by what a handler that names one catches: `transient` are the classes (with their bases) of a
    rate limit, a dropped connection, a timeout or a server error, the failures that come and go;
    `narrow` are the classes of a request the provider refuses as such (a bad request, a context
    too long, a key refused, a model not found) or of a reply the SDK rejects, whose handler lets
    every transient failure through."""

    modules: tuple[str, ...]
    transient: tuple[str, ...] = ()
    narrow: tuple[str, ...] = ()
    # the transient classes a rate-limit error is an instance of (RateLimitError and its bases): a
    # handler naming only other transient classes (`APIConnectionError`, `Timeout`) lets a 429 through.
    # Empty: not known, not judged.
    rate_limit: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class RetryDecoratorSpec:
    """A library decorator that calls the function it wraps again when it raises (`on_predicate`:
    when it returns a falsy value), and what limits it: `bounds`, keywords any of which caps the
    attempts or the time (`positions`: the positional index of those that can be passed so); a
    bound whose literal value is in `unbounded_values` (an int, or "None") or names one of
    `unbounded_names` does not. With no bound the decorator stops only when `default_bounded`.
    `async_aware`: on an `async def` it awaits the coroutine inside its retry loop (a decorator that
    is not calls the function, gets the coroutine back without an error and returns it, so the
    error is raised at the caller's `await`, never retried). `retried`: the keyword (and position)
    naming what is retried, where a finding points."""

    callees: tuple[str, ...]
    package: str
    bounds: tuple[str, ...] = ()
    positions: dict[str, int] = field(default_factory=dict)
    unbounded_values: tuple[Any, ...] = ()
    unbounded_names: tuple[str, ...] = ()
    default_bounded: bool = False
    async_aware: bool = True
    retried: str = ""
    retried_position: Optional[int] = None
    notes: str = ""


@dataclass(frozen=True, eq=False)  # identity hash: holds dicts
class ChatModelSpec:
    """A framework model object whose methods call the model."""

    classes: tuple[str, ...]
    provider: str
    framework: str
    model_params: tuple[str, ...] = ()
    model_positional: Optional[int] = None
    default_model: Optional[str] = None
    # The model a construction without one sends, by the release installed: rows `{ modules = [...],
    # dist = "...", versions = "<PEP 440 range>", model = "..." }`, for the classes imported from one of
    # `modules` (or a sub-module); the first row whose `dist` a fresh install of the project gets at a
    # version in `versions` decides. Only releases read are listed (no guess for the others).
    version_defaults: tuple[dict[str, Any], ...] = ()
    param_names: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    call_methods: tuple[str, ...] = ()
    output_text: tuple[str, ...] = ()
    returns_text_methods: tuple[str, ...] = ()
    # method -> keyword of the one prompt string it takes (else its first argument); a list of
    # chat messages there raises or is sent as its repr (LARD003)
    text_inputs: dict[str, str] = field(default_factory=dict)
    binders: tuple[str, ...] = ()
    retry_binders: tuple[str, ...] = ()  # binders that re-send a failed request (`with_retry`)
    structured_methods: tuple[str, ...] = ()
    factories: tuple[str, ...] = ()  # functions returning an instance of this model
    # every attribute of what a call returns is a field the model wrote (a DSPy Prediction holds
    # the signature's output fields): no field-name test
    fields_are_text: bool = False
    sdk: Optional[str] = None
    available: Optional[str] = None
    notes: str = ""


@dataclass(frozen=True)
class ToolDecoratorSpec:
    callees: tuple[str, ...]
    framework: str
    name_from: tuple[str, ...] = ("function",)  # "arg0" | "kw:<name>" | "function"
    description_from: tuple[str, ...] = ("docstring",)  # "kw:<name>" | "docstring" | "docstring_first_paragraph"
    requires_param_docs: bool = False
    parse_docstring_params: bool = False
    requires_description: bool = False  # the framework refuses a tool without a description
    return_contract: Optional[str] = None  # "str" | "json-serializable" | None
    handles_errors: bool = False
    error_param: Optional[str] = None
    # the exceptions the error_param handling catches (LangChain: ToolException only); () = all
    error_param_catches: tuple[str, ...] = ()
    # what the framework's schema generator makes of the implementing function's `**kwargs` (VAR_KEYWORD):
    # "object_param" (one argument named after it, passed back as that keyword, so the function
    # receives {name: {...}}), "unpacked" (the values reach **kwargs), "dropped" (left out of the
    # schema); and of its `*args` (VAR_POSITIONAL): "keyword_param" (one argument named after it,
    # passed back as a keyword, which Python refuses for `*args`), "unpacked", "dropped". None: not known
    var_keyword: Optional[str] = None
    var_positional: Optional[str] = None
    variadic_required: bool = False  # that argument is required in the schema (the model must fill it)
    # what the generator refuses `*args` / `**kwargs` without, raising when the tool is defined:
    # "annotation" (a type hint), "docs" (an Args: entry under its bare name)
    variadic_requires: tuple[str, ...] = ()
    run_methods: tuple[str, ...] = ()  # methods of the tool object that run it when called by hand
    # a tool no agent of the scanned code runs (a tool library) is judged by the framework's usual
    # runner: True when that runner lets the tool's exception end the run (LangChain's AgentExecutor)
    unrun_errors_propagate: bool = False
    # the framework turns any result into text itself (json.dumps or str), whatever the return
    # annotation says, so a `-> str` tool returning a list is not a defect (TRE002)
    results_stringified: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ToolConstructorSpec:
    callees: tuple[str, ...]
    framework: str
    func_param: str
    func_positional: Optional[int] = None
    # the keyword that takes the tool's async implementation (LangChain `coroutine=`), run instead
    # of `func` by an async agent
    coroutine_param: Optional[str] = None
    name_param: Optional[str] = None
    name_positional: Optional[int] = None
    description_param: Optional[str] = None
    description_positional: Optional[int] = None
    description_fallback_docstring: bool = False
    name_fallback_function: bool = False
    requires_description: bool = False  # the framework refuses a tool without a description
    handles_errors: bool = False
    error_param: Optional[str] = None
    # the exceptions the error_param handling catches (LangChain: ToolException only); () = all
    error_param_catches: tuple[str, ...] = ()
    # what the framework's schema generator makes of the implementing function's `**kwargs` (VAR_KEYWORD):
    # "object_param" (one argument named after it, passed back as that keyword, so the function
    # receives {name: {...}}), "unpacked" (the values reach **kwargs), "dropped" (left out of the
    # schema); and of its `*args` (VAR_POSITIONAL): "keyword_param" (one argument named after it,
    # passed back as a keyword, which Python refuses for `*args`), "unpacked", "dropped". None: not known
    var_keyword: Optional[str] = None
    var_positional: Optional[str] = None
    variadic_required: bool = False  # that argument is required in the schema (the model must fill it)
    # what the generator refuses `*args` / `**kwargs` without, raising when the tool is defined:
    # "annotation" (a type hint), "docs" (an Args: entry under its bare name)
    variadic_requires: tuple[str, ...] = ()
    run_methods: tuple[str, ...] = ()  # methods of the tool object that run it when called by hand
    # run methods that check the model's arguments against the function's signature and raise on a
    # mismatch (a pydantic ValidationError), then let the function's own errors through
    validating_run_methods: tuple[str, ...] = ()
    # a tool no agent of the scanned code runs (a tool library) is judged by the framework's usual
    # runner: True when that runner lets the tool's exception end the run (LangChain's AgentExecutor)
    unrun_errors_propagate: bool = False
    # the framework turns any result into text itself (json.dumps or str), whatever the return
    # annotation says, so a `-> str` tool returning a list is not a defect (TRE002)
    results_stringified: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ToolBaseSpec:
    classes: tuple[str, ...]
    framework: str
    name_attr: Optional[str] = "name"
    name_from_class: bool = False  # the tool is named after its class (no name attribute)
    description_attr: Optional[str] = "description"
    params_attr: Optional[str] = None
    impl_methods: tuple[str, ...] = ()
    return_contract: Optional[str] = None
    # the class attribute declaring the result's type, and its type names -> Python kinds
    # (smolagents: output_type = "string")
    output_type_attr: Optional[str] = None
    output_types: dict[str, str] = field(default_factory=dict)
    handles_errors: bool = False
    error_param: Optional[str] = None
    # the exceptions the error_param handling catches (LangChain: ToolException only); () = all
    error_param_catches: tuple[str, ...] = ()
    description_fallback_docstring: bool = False  # class docstring used when no description attr
    requires_description: bool = False  # the framework refuses a tool class without a description
    requires_param_docs: bool = False  # every entry of params_attr needs a "description"
    run_methods: tuple[str, ...] = ()  # methods of the tool object that run it when called by hand
    # a tool no agent of the scanned code runs (a tool library) is judged by the framework's usual
    # runner: True when that runner lets the tool's exception end the run (LangChain's AgentExecutor)
    unrun_errors_propagate: bool = False
    # the framework turns any result into text itself (json.dumps or str), whatever the return
    # annotation says, so a `-> str` tool returning a list is not a defect (TRE002)
    results_stringified: bool = False
    notes: str = ""


@dataclass(frozen=True, eq=False)  # identity hash: holds dicts
class ToolResultFormatSpec:
    """The message a hand-written loop builds to hand a tool's result back to the model:
    a dict literal recognised by `match` (key -> value), whose `content_key` must not hold a value
    of one of the `rejects` kinds (coarse Python types, as query.value_kind names them)."""

    provider: str
    match: dict[str, str] = field(default_factory=dict)
    content_key: str = "content"
    accepts: str = ""  # for messages: what the API takes there
    rejects: tuple[str, ...] = ()
    apis: tuple[str, ...] = ()  # the LLM call APIs (catalog `api`) that take this shape
    sent_as: str = ""  # for messages: how a loop hands the result back in this shape
    notes: str = ""


@dataclass(frozen=True)
class ToolSchemaSpec:
    name: str
    provider: str
    wrapper_key: Optional[str] = None
    name_key: str = "name"
    description_key: str = "description"
    params_key: str = "parameters"
    param_description_key: str = "description"
    notes: str = ""


@dataclass(frozen=True)
class MarkerParserSpec:
    """A library parser that finds a tool call in the model's text by a begin marker and is built
    with the prompt template that teaches the model that marker (lagent's PluginParser: begin
    `<|action_start|><|plugin|>` and a newline, found with `begin in reply`). `template_*` and
    `begin_*` say where the constructor takes the template and the marker; `begin` is its default."""

    callees: tuple[str, ...]
    framework: str
    begin: str
    template_param: str = "template"
    template_positional: Optional[int] = None
    begin_param: str = "begin"
    begin_positional: Optional[int] = None


@dataclass(frozen=True, eq=False)  # identity hash: holds dicts
class AgentSpec:
    callees: tuple[str, ...]
    framework: str
    llm_param: Optional[str] = None
    llm_positional: Optional[int] = None
    model_param: Optional[str] = None
    model_positional: Optional[int] = None
    default_model: Optional[str] = None
    tools_param: Optional[str] = None
    tools_positional: Optional[int] = None
    params: dict[str, str] = field(default_factory=dict)
    # parameters without a default, by name -> position (`create_react_agent(llm, tools, prompt)`):
    # a call that passes one neither by keyword nor by position raises TypeError
    required_args: dict[str, int] = field(default_factory=dict)
    # limits given to each run call instead of the constructor (`Runner.run(agent, x, max_turns=...)`)
    run_params: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    bounded_by_default: bool = True
    # an agent whose loop has no step limit and no setting for one: what alone ends it (MNFT004
    # reports each run), e.g. "the model choosing the `finish` command"
    unbounded_until: str = ""
    text_protocol: bool = False
    tool_calling: bool = False
    parse_error_guard: Optional[str] = None
    run_methods: tuple[str, ...] = ()
    # run methods that return the final text itself (others return a result object whose text
    # attribute, e.g. `.final_output`, `.raw`, `.output`, `.summary`, holds it)
    text_run_methods: tuple[str, ...] = ()
    structured_params: tuple[str, ...] = ()  # keywords making the final output schema-validated (output_type)
    function_tools: bool = False  # plain functions in the tools argument are tools (docstring-described)
    # text parameters filled from session state before each run (google-adk `instruction`: `{key}` must
    # be a state key, `{key?}` may be missing), key prefixes, other-names prefix, reply-to-state parameter
    state_template_params: tuple[str, ...] = ()
    state_key_prefixes: tuple[str, ...] = ()
    state_other_prefix: str = ""
    state_output_param: str = ""
    # whatever such a tool returns reaches the model as text/JSON: its return annotation is no contract
    results_stringified: bool = False
    # the schema generator's handling of `**kwargs` / `*args` (tools.toml's header explains the values:
    # "object_param", "keyword_param", "unpacked", "dropped"; None: not known)
    var_keyword: Optional[str] = None
    var_positional: Optional[str] = None
    variadic_required: bool = False  # that argument is required in the schema (the model must fill it)
    # what the generator refuses `*args` / `**kwargs` without, raising when the tool is defined:
    # "annotation" (a type hint), "docs" (an Args: entry under its bare name)
    variadic_requires: tuple[str, ...] = ()
    handles_errors: bool = False  # the framework reports a tool's exception back to the model
    # documented: an exception raised by a tool propagates out of the agent's run (ends the run)
    tool_errors_propagate: bool = False
    # how a tool of this agent hands a failure to the model instead (for messages)
    tool_error_recovery: str = ""
    # methods of a run's result that give a state the runner resumes from (input = that state), with
    # the turn count kept across resumes: a loop of such resumes stays under the run's own limit
    resume_methods: tuple[str, ...] = ()
    # fields of a run's result that list what the run paused on for a person or a policy to decide
    # (tool approvals); a loop `while result.<field>:` that re-runs after each decision ends with them
    pause_fields: tuple[str, ...] = ()
    return_contract: Optional[str] = None
    sdk: Optional[str] = None
    available: Optional[str] = None
    notes: str = ""


@dataclass(frozen=True, eq=False)
class GraphBuilderSpec:
    """A framework object on which the program declares nodes (functions) and the edges between
    them, one call at a time; running it follows the edges, so a cycle of nodes repeats its
    functions the way a loop repeats its body (LangGraph's StateGraph)."""

    classes: tuple[str, ...]
    framework: str
    node_methods: tuple[str, ...] = ()  # (name, function) or (function,): the name defaults to the function's
    edge_methods: tuple[str, ...] = ()  # (source, target); a source may be a list of names
    branch_methods: tuple[str, ...] = ()  # (source, router, path_map=None): targets from the map or the router
    node_retry_params: tuple[str, ...] = ()  # node-method keywords giving the node a retry policy
    sdk: Optional[str] = None
    notes: str = ""


@dataclass(frozen=True)
class OutputGuardSpec:
    callees: tuple[str, ...]
    kind: str  # validating-parser | structured-output | lenient-parser | text (returns the model's text)
    framework: str
    notes: str = ""


@dataclass(frozen=True)
class FunctionRunnerSpec:
    """A decorator (`callees`: the decorator's path, called or not) whose result keeps the function
    and runs it through `methods` (`fn.remote(...)` returns what `fn` returns)."""

    callees: tuple[str, ...]
    methods: tuple[str, ...]
    framework: str
    notes: str = ""


@dataclass(frozen=True)
class ModelInfo:
    id: str
    match: str  # exact | prefix | regex
    provider: str
    # chat | completion | reasoning | code-completion | embedding | encoder | moderation | image | audio
    # | tts | transcription | rerank
    kind: str
    context_window: Optional[int] = None
    max_output_tokens: Optional[int] = None
    tools: Optional[bool] = None
    json_mode: Optional[bool] = None
    retired: Optional[str] = None  # ISO date the provider shut it down
    replacement: Optional[str] = None
    notes: str = ""


@dataclass(frozen=True)
class ApiAvailability:
    symbols: tuple[str, ...]
    dist: str
    available: str  # PEP 440 specifier of the versions where the symbols exist
    message: str
    # the symbols also exist, whatever the version, when one of these distributions is declared
    # (e.g. langchain's integration re-exports from 0.2 on need langchain-community)
    unless_declared: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnboundedDependency:
    """Releases of `dist` that call an API (`calls`) of `needs` that releases of it outside
    `needs_spec` removed, without bounding `needs` in their main requirements (versions.toml)."""

    dist: str
    releases: str  # PEP 440 specifier of the library's affected releases
    symbols: tuple[str, ...]  # import paths whose use reaches the API
    needs: str
    needs_spec: str
    calls: str
    fails: str  # what the first call does with a release outside needs_spec
    source: str
    when: str = "on its first model call"  # when it fails: "at import", "when the client is made"


@dataclass(frozen=True)
class DistConflict:
    dist_a: str
    spec_a: str
    dist_b: str
    spec_b: str
    message: str


@dataclass(frozen=True)
class CredentialEnvSpec:
    """A library that reads a provider's credential from the environment: the variable names it
    reads (`reads`), for the provider whose variables start with one of `prefixes`, when a module
    under one of `modules` is imported."""

    provider: str
    prefixes: tuple[str, ...]
    modules: tuple[str, ...]
    reads: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True)
class QueryProgramSpec:
    """A decorator that makes its function's docstring a program of a query language, which names
    the model it runs on (LMQL's `@lmql.query`: `argmax "..." from "openai/gpt-4o" where ...`)."""

    decorators: tuple[str, ...]
    framework: str
    # the keyword that starts a line of the program and is followed by the model's quoted id
    model_clause: str
    # keywords of the clauses that may follow the model's id on its line (`where`, `distribution`)
    next_clauses: tuple[str, ...] = ()
    # keywords of the decorator call that name the model instead (`@lmql.query(model="...")`)
    model_keywords: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class ParamUnitSpec:
    """A parameter an SDK reads in another unit than the one most APIs take for it (google-genai's
    `HttpOptions(timeout=...)` is in milliseconds, where HTTP clients and the other model SDKs take
    seconds)."""

    callees: tuple[str, ...]
    keyword: str
    unit: str  # what the SDK reads: "milliseconds"
    usual_unit: str  # what such a parameter usually is: "seconds"
    factor: int  # how many of `unit` make one `usual_unit`
    # a literal below this is plainly in the usual unit (a request cannot finish in under a second)
    below: float
    # words that end a name read as that value when it holds the usual unit (`timeout_seconds`, `TIMEOUT_S`)
    usual_names: tuple[str, ...]
    # constructors that take the same settings as a dict under one keyword (`Client(http_options={...})`)
    dict_callees: tuple[str, ...] = ()
    dict_param: str = ""
    framework: str = ""
    source: str = ""


@dataclass(frozen=True)
class PromptTemplateSpec:
    """A call that parses its text as a `{name}` template (LangChain's f-string prompt templates).
    Its path is one of `packages` + one of `callees` (`langchain_core.prompts.` +
    `ChatPromptTemplate.from_messages`). `text`: "arg" (the argument at `position` or `keyword`) or
    "messages" (each `(role, text)` tuple or bare string of the list there). `syntax_keyword`
    picks another syntax, which `syntax_default` names when it is left out."""

    packages: tuple[str, ...]
    callees: tuple[str, ...]
    text: str
    keyword: str
    position: int = 0
    syntax_keyword: str = ""
    syntax_default: str = "f-string"
    # message roles whose second item is not text to parse (`("placeholder", "{history}")`)
    skip_roles: tuple[str, ...] = ()
    # the keyword of a message object whose value is template text (llama-index's
    # `ChatMessage(content=...)` in a ChatPromptTemplate); "" when message objects are not parsed
    message_text_keyword: str = ""
    # methods that fill the template in with str.format, raising KeyError for a variable they
    # are not given; a template built with one of `partial_keywords` has variables given
    # beforehand, or under other names
    fill_methods: tuple[str, ...] = ()
    partial_keywords: tuple[str, ...] = ()
    framework: str = ""
    # what the framework does with a stray brace: the message's words
    effect: str = ""
    source: str = ""


@dataclass(frozen=True)
class ResponseTypeSpec:
    """An SDK class whose instances are what a model call returned (a chat completion, one message
    of it, a tool call): a parameter annotated with it receives model output, whoever the caller
    (a provider driver's `_to_message(self, result: ChatCompletion)`). The access paths are from
    a value of the class, as `LLMCallSpec.output_text` / `output_content` are from a call's result."""

    classes: tuple[str, ...]
    provider: str
    api: str  # the LLMCallSpec.api whose response this is
    output_text: tuple[str, ...] = ()
    output_content: tuple[str, ...] = ()
    # as LLMCallSpec's: is a function tool that omits `strict` schema-constrained?
    tool_arguments_strict_default: Optional[bool] = None
    notes: str = ""


@dataclass(frozen=True)
class RetiredApiSpec:
    """SDK methods whose endpoints the provider has shut down (`retired`, an ISO date): every
    request fails, whatever the model or the SDK version."""

    callees: tuple[str, ...]
    provider: str
    name: str
    retired: str
    replacement: str = ""
    source: str = ""


@dataclass(frozen=True)
class ServiceClientSpec:
    """A client of a server that projects run in a container (a vector store, a cache, a local model
    server): the constructors, the Docker images of the server, the container port the client
    speaks to and the port it connects to when none is given. `host_param` / `port_param` /
    `url_param` name the constructor's arguments (`*_positional`: their index); a `host` value with
    a scheme is read as a URL. `default_host`: the host used when none is given ("" when the
    constructor then does something else, such as an in-memory store). A call passing one of
    `other_ports` connects elsewhere (gRPC), so its port is not known."""

    service: str
    classes: tuple[str, ...]
    images: tuple[str, ...]
    port: int
    host_param: str = "host"
    port_param: str = "port"
    url_param: str = ""
    host_positional: Optional[int] = None
    port_positional: Optional[int] = None
    url_positional: Optional[int] = None
    default_host: str = ""
    other_ports: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class RejectedParamSpec:
    """A request parameter an API refuses for some models (llm_apis.toml `[[rejected_param]]`):
    OpenAI's chat.completions answers 400 to `max_tokens` and to a `temperature` other than 1 sent
    to its reasoning models."""

    callees: tuple[str, ...]
    models: tuple[str, ...]  # regexes, full match on the lower-cased id less its provider prefix
    param: str
    allowed: tuple[Any, ...] = ()  # values still accepted (temperature 1); empty: the parameter is refused
    use_instead: str = ""  # the parameter that carries the setting for these models
    error: str = ""  # the API's error message
    source: str = ""
