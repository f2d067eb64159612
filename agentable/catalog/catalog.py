"""The Catalog: framework knowledge loaded from TOML, with dict-based lookups."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Optional

from .datapack import WHEELS, Pack
from .kinds import ENTRIES, RECORDS
from .loader import (CatalogError, build, dotted_prefixes, entries, index, normalize_dist,
                     read_toml, top_module)
from .models import ModelIndex
from .platforms import PlatformIndex, PlatformRetirement, PlatformSpec
from .api_surface import ApiSurfaceIndex
from .releases import ReleaseIndex
from .language_facts import PythonFacts
from .specs import (AgentSpec, ApiAvailability, ChatModelSpec, ClientKindSpec, ClientSpec, CredentialEnvSpec,
                    DistConflict, GraphBuilderSpec, LLMCallSpec, MarkerParserSpec, ModelErrorsSpec, ModelInfo,
                    OutputGuardSpec, ParamUnitSpec, PromptTemplateSpec, QueryProgramSpec, RejectedParamSpec, RetiredApiSpec,
                    RetryDecoratorSpec, RetryDefaultSpec, ServiceClientSpec, ToolBaseSpec, ToolConstructorSpec,
                    ToolDecoratorSpec, ToolResultFormatSpec, ToolSchemaSpec, UnboundedDependency)


class Catalog:
    """All framework facts; build with :func:`agentable.catalog.load_catalog`. The kinds of data
    and where they are kept are the rows of `kinds.py`."""

    # (set from kinds.ENTRIES and kinds.RECORDS; declared here for readers and type checkers)
    llm_calls: list[LLMCallSpec]
    http_llm_calls: list[LLMCallSpec]
    llm_clients: list[ClientSpec]
    client_kinds: list[ClientKindSpec]
    chat_models: list[ChatModelSpec]
    retry_defaults: list[RetryDefaultSpec]
    model_errors: list[ModelErrorsSpec]
    credential_envs: list[CredentialEnvSpec]
    retired_apis: list[RetiredApiSpec]
    query_programs: list[QueryProgramSpec]
    param_units: list[ParamUnitSpec]
    prompt_templates: list[PromptTemplateSpec]
    retry_decorators: list[RetryDecoratorSpec]
    tool_decorators: list[ToolDecoratorSpec]
    tool_constructors: list[ToolConstructorSpec]
    tool_bases: list[ToolBaseSpec]
    tool_schemas: list[ToolSchemaSpec]
    tool_result_formats: list[ToolResultFormatSpec]
    agents: list[AgentSpec]
    marker_parsers: list[MarkerParserSpec]
    output_guards: list[OutputGuardSpec]
    graph_builders: list[GraphBuilderSpec]
    models: list[ModelInfo]
    rejected_params: list[RejectedParamSpec]
    platform_specs: list[PlatformSpec]
    platform_retirements: list[PlatformRetirement]
    availability: list[ApiAvailability]
    unbounded_dependencies: list[UnboundedDependency]
    conflicts: list[DistConflict]
    service_clients: list[ServiceClientSpec]
    python: PythonFacts
    # the name indexes of kinds.ENTRIES (`_<lookup name>`: name -> spec), set the same way
    _llm_call: dict[str, LLMCallSpec]
    _llm_client: dict[str, ClientSpec]
    _chat_model: dict[str, ChatModelSpec]
    _factory: dict[str, ChatModelSpec]
    _tool_decorator: dict[str, ToolDecoratorSpec]
    _tool_constructor: dict[str, ToolConstructorSpec]
    _tool_base: dict[str, ToolBaseSpec]
    _agent: dict[str, AgentSpec]
    _marker_parser: dict[str, MarkerParserSpec]
    _output_guard: dict[str, OutputGuardSpec]
    _graph_builder: dict[str, GraphBuilderSpec]
    _retired_api: dict[str, RetiredApiSpec]
    _query_program: dict[str, QueryProgramSpec]
    _retry_decorator: dict[str, RetryDecoratorSpec]

    def __init__(self, files: dict[str, dict[str, Any]]) -> None:
        roots: set[str] = set()
        for kind in ENTRIES:
            specs: list[Any] = entries(files[kind.file], kind.table, kind.spec, kind.file)
            setattr(self, kind.attr, specs)
            for lookup, key in kind.index.items():
                names = index(specs, key, f"{kind.table}.{key}")
                setattr(self, f"_{lookup}", names)
                if kind.framework_roots:
                    roots.update(top_module(n) for n in names)
        for record in RECORDS:
            setattr(self, record.attr, build(record.spec, files[record.file], record.file))
        tools, models = files["tools.toml"], files["models.toml"]
        dists = files["distributions.toml"]

        # callee -> kind of handle it returns (response | file | process | connection | stream): objects
        # that are not text and that a tool must not hand to the model as its result
        self.handle_returning: dict[str, str] = dict(tools.get("handle_returning", {}))
        # callee -> the kind of data it returns (dict, list, json = dict or list), for calls whose
        # result tools often hand back as if it were text
        self.data_returning: dict[str, str] = dict(tools.get("data_returning", {}))
        # library calls whose result is always None, and model SDK response methods that return None
        # (by "provider.api"): a tool that returns their result hands the model "None"
        none_ret = tools.get("none_returning", {})
        self.none_returning_calls: frozenset[str] = frozenset(none_ret.get("calls", ()))
        self.none_returning_response_methods: dict[str, frozenset[str]] = {
            k: frozenset(v) for k, v in none_ret.get("response_methods", {}).items()}
        # keys under which a project function returns its failure in a dict (`{"error": ...}`)
        self.helper_error_keys: frozenset[str] = frozenset(tools.get("helper_errors", {}).get("keys", ()))
        # the fields and words of a project's success/failure tool results, and what error text opens with
        self.result_status: dict = dict(tools.get("result_status", {}))
        # modules whose calls do network I/O, and methods that raise on an HTTP error status
        net = tools.get("network_io", {})
        self.network_modules: tuple[str, ...] = tuple(net.get("modules", ()))
        self.raising_methods: frozenset[str] = frozenset(net.get("raising_methods", ()))
        # HTTP clients that return error statuses as responses, and the response attributes that read them
        self.status_clients: frozenset[str] = frozenset(net.get("status_clients", ()))
        self.status_attributes: frozenset[str] = frozenset(net.get("status_attributes", ()))
        # framework context type -> its attribute holding an object of the type argument (RunContext[D].deps)
        self.context_attributes: dict[str, str] = dict(net.get("context_attributes", {}))
        # child processes: wait call -> the keyword bounding it ("" none), calls that bound a wait from
        # outside, methods that end the process; how a started process keeps its error stream
        waits = tools.get("process_waits", {})
        self.process_waits: dict[str, str] = dict(waits.get("calls", {}))
        self.process_limiters: frozenset[str] = frozenset(waits.get("limiters", ()))
        self.process_enders: frozenset[str] = frozenset(waits.get("enders", ()))
        self.process_shell_calls: frozenset[str] = frozenset(waits.get("shell_calls", ()))
        self.process_shell_keyword: str = str(waits.get("shell_keyword", ""))
        self.process_interpreters: frozenset[str] = frozenset(waits.get("interpreters", ()))
        self.process_output: dict[str, Any] = dict(tools.get("process_output", {}))
        # web requests with no time limit by default: call -> the keyword bounding it
        self.request_waits: dict[str, str] = dict(tools.get("request_waits", {}).get("calls", {}))
        # run call -> the fields of its result holding the output and those holding the failure
        self.result_errors: dict[str, dict[str, tuple[str, ...]]] = {
            k: {f: tuple(v.get(f, ())) for f in ("output", "errors")}
            for k, v in tools.get("result_errors", {}).items()}
        # call that runs code -> the argument holding the code, as (keyword, position)
        self.code_runs: dict[str, tuple[str, int]] = {
            k: (v.partition(":")[0], int(v.partition(":")[2] or -1)) for k, v in tools.get("code_runs", {}).items()}
        # SDK result type -> its content field, error flag and part types (text and others)
        self.content_results: dict[str, dict[str, Any]] = {
            k: dict(v) for k, v in tools.get("content_results", {}).items()}
        # module -> exception classes its calls raise on ordinary failures; class -> base class;
        # other import paths of a class -> the path the catalog names it by
        self.library_errors: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in tools.get("library_errors", {}).items()}
        self.exception_bases: dict[str, str] = dict(tools.get("exception_bases", {}))
        self.exception_aliases: dict[str, str] = dict(tools.get("exception_aliases", {}))
        # classes of libraries the API data does not mine that SDKs re-export, and are not exceptions
        self.plain_classes: frozenset[str] = frozenset(tools.get("plain_classes", {}).get("classes", ()))
        # words of a tool's error message that blame the model's input (TRE012)
        self.input_blame_phrases: tuple[str, ...] = tuple(tools.get("input_blame", {}).get("phrases", ()))
        # "<framework>.<api>" -> access path read from an LLM call's response -> the SDK type there
        self.sdk_response_types: dict[str, dict[str, str]] = {
            k: dict(v) for k, v in tools.get("sdk_response_types", {}).items()}
        # what a loader that turns every module of a package into tools calls (cpg.module_tools)
        self.module_tool_loader: dict[str, list[str]] = dict(tools.get("module_tool_loader", {}))
        # SDK TypedDict classes whose call builds a tool schema dict from its keywords (cpg.tools)
        self.tool_schema_constructors: frozenset[str] = frozenset(
            tools.get("tool_schema_constructors", {}).get("callees", ()))
        # keys of a tool call read back from a reply, which no tool schema has (cpg.tools)
        self.tool_call_record_keys: frozenset[str] = frozenset(tools.get("tool_call_records", {}).get("keys", ()))
        # imports that bring tools defined outside the project (rules.ieti.prompt_names)
        self.external_tool_imports: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in tools.get("external_tool_imports", {}).items()}
        # the shape of a project's own tool base class (cpg.home_tools)
        self.home_made_tool_base: dict = dict(tools.get("home_made_tool_base", {}))
        # where a reply lists its tool calls and which field names the tool (query.tool_routes)
        self.tool_call_routing: dict = dict(tools.get("tool_call_routing", {}))
        # how a project's own schema generator reads a function it turns into a tool (cpg.own_agent_tools)
        self.own_function_tools: dict = dict(tools.get("own_function_tools", {}))
        # module -> the module whose public tool names it re-exports (checked against the mined API)
        self.reexports: dict[str, str] = dict(tools.get("reexports", {}))
        self._reexport_memo: dict[str, Optional[str]] = {}
        # the fields and settings of parallel tool calls in one model turn (llm_apis.toml [parallel_tool_calls])
        self.parallel_tool_calls: dict[str, Any] = dict(files["llm_apis.toml"].get("parallel_tool_calls", {}))
        # framework model bases a project subclasses, and the methods given the stop sequences (llm_apis.toml [model_subclasses])
        self.model_subclasses: dict[str, Any] = dict(files["llm_apis.toml"].get("model_subclasses", {}))
        self.models_version: str = str(models.get("version", ""))
        # api types under which a settings file's `model` names a deployment, not a model id
        self.deployment_api_types: frozenset[str] = frozenset(models.get("deployment_api_types", ()))
        self.fixed_window_providers: frozenset[str] = frozenset(models.get("fixed_window_providers", ()))
        # classes whose class-level fields are settings (dataclasses, pydantic models): `bases`, `decorators`
        self.settings_records: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in models.get("settings_records", {}).items()}
        # text-protocol markers (ReAct's Action:/Final Answer:/Observation:, the agent types that
        # parse no text): marker kind -> markers
        self.text_protocol: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in files["agents.toml"].get("text_protocol", {}).items()}
        # what each release of a distribution requires (mined; loaded on first use)
        self.releases = ReleaseIndex()
        # the public API of each read release of LLM SDKs and frameworks (mined; loaded on first use)
        self.api_surface = ApiSurfaceIndex()

        self._http_llm_calls: dict[str, list[LLMCallSpec]] = {}
        for spec in self.http_llm_calls:
            for callee in spec.callees:
                self._http_llm_calls.setdefault(callee, []).append(spec)
        # static runners written as full paths in run_methods, e.g. agents.Runner.run_sync
        self._agent_runner = {m: a for a in self.agents for m in a.run_methods if "." in m}
        self._models = ModelIndex(self.models)
        self.platforms = PlatformIndex(self.platform_specs, self.platform_retirements)
        self._availability: dict[str, list[ApiAvailability]] = {}
        for a in self.availability:
            for sym in a.symbols:
                self._availability.setdefault(sym, []).append(a)

        # import name -> acceptable distributions, written by hand; merged with the mined wheel table
        # on first use (see `_imports`)
        self._hand_imports: dict[str, tuple[str, ...]] = {
            k: tuple(v) if isinstance(v, list) else (v,) for k, v in dists.get("imports", {}).items()}
        # import name -> the declaration that still installs it (`pkg_resources` -> `setuptools<82`);
        # with those the mined releases show (see `removed_imports`)
        self._hand_removed: dict[str, str] = dict(dists.get("removed_imports", {}))
        # like the mined `optional` table: distribution -> {version, needs}, from the libraries' docs
        self._hand_optional: dict[str, Any] = dict(dists.get("optional_needs", {}))
        self._provides: dict[str, tuple[str, ...]] = {
            normalize_dist(k): tuple(v) for k, v in dists.get("provides", {}).items()}
        self._provided_memo: dict[str, frozenset[str]] = {}
        self._wheel_memo: dict[str, dict[str, Any]] = {}
        # distribution -> (import root, versions): releases that shipped every module under the root,
        # before its integrations moved to distributions of their own
        self._whole_namespace: dict[str, tuple[str, str]] = {
            normalize_dist(k): (str(v["root"]), str(v["versions"])) for k, v in dists.get("whole_namespace", {}).items()}
        # words of a distribution's name that say nothing about what it installs (`sdk`, `python`)
        unknown = dists.get("unknown_distributions", {})
        self.generic_dist_words: frozenset[str] = frozenset(unknown.get("generic_words", ()))
        self.development_extras: frozenset[str] = frozenset(unknown.get("development_extras", ()))
        # how many mined distributions must require a package for it to count as a common dependency
        self.common_dependency_min: int = int(unknown.get("common_dependency_min", 10))
        roots |= set(dists.get("framework", {}).get("roots", []))
        self._roots = frozenset(roots)

    # ------------------------------------------------------------------ name lookups
    def lookup(self, name: str, qualname: str) -> Optional[Any]:
        """The entry that the index `name` of kinds.ENTRIES (e.g. "tool_base") holds for `qualname`."""
        return getattr(self, f"_{name}").get(qualname)

    def llm_call(self, qualname: str) -> Optional[LLMCallSpec]:
        return self._llm_call.get(qualname)

    def retired_api(self, qualname: str) -> Optional[RetiredApiSpec]:
        return self._retired_api.get(qualname)

    def http_llm_roots(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """The HTTP clients' top-level modules, and every endpoint URL fragment."""
        roots = frozenset(top_module(c) for c in self._http_llm_calls)
        return roots, tuple(dict.fromkeys(p for s in self.http_llm_calls for p in s.url_contains))

    def http_payload_keys(self) -> tuple[tuple[str, ...], ...]:
        """The key sets of model request bodies (`payload_keys`: model and messages, model and prompt)."""
        return tuple(dict.fromkeys(s.payload_keys for s in self.http_llm_calls if s.payload_keys))

    def http_llm_calls_for(self, qualname: str) -> list[LLMCallSpec]:
        """The model endpoints a POST through this HTTP client function may address (the URL decides)."""
        return self._http_llm_calls.get(qualname, [])

    def llm_client(self, qualname: str) -> Optional[ClientSpec]:
        return self._llm_client.get(qualname)

    def chat_model(self, qualname: str) -> Optional[ChatModelSpec]:
        return self._chat_model.get(qualname)

    def chat_model_factory(self, qualname: str) -> Optional[ChatModelSpec]:
        return self._factory.get(qualname)

    def tool_decorator(self, qualname: str) -> Optional[ToolDecoratorSpec]:
        return self._tool_decorator.get(qualname) or self._tool_decorator.get(self.reexported(qualname) or "")

    def tool_constructor(self, qualname: str) -> Optional[ToolConstructorSpec]:
        return self._tool_constructor.get(qualname) or self._tool_constructor.get(self.reexported(qualname) or "")

    def tool_base(self, qualname: str) -> Optional[ToolBaseSpec]:
        return self._tool_base.get(qualname) or self._tool_base.get(self.reexported(qualname) or "")

    def reexported(self, qualname: str) -> Optional[str]:
        """The path a name imported through a re-exporting module ([reexports] of tools.toml) has in
        the module it comes from: `langchain_community.tools.BaseTool` ->
        `langchain_core.tools.BaseTool`, `langchain.agents.Tool.from_function` ->
        `langchain_core.tools.Tool.from_function`. None when no module of the path re-exports, or
        when the mined API surface covers that module and none of its read releases has the name."""
        if qualname in self._reexport_memo:
            return self._reexport_memo[qualname]
        out: Optional[str] = None
        parts = qualname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            target = self.reexports.get(module)
            if target is not None:
                name = parts[i].removesuffix("()")
                if self._module_exports(module, name):
                    out = ".".join([target, *parts[i:]])
                break
        self._reexport_memo[qualname] = out
        return out

    def _module_exports(self, module: str, name: str) -> bool:
        """Does some read release of a distribution shipping `module` define or import `name` at its
        top level (a lazily exporting release, which the wheel cannot show, does not count)? True
        when no mined surface has the module (the hand-written table is then the only word)."""
        covered = False
        for dist in self.api_surface.dists_for(top_module(module)):
            surface = self.api_surface.get(dist)
            if surface is None or module not in surface.modules:
                continue
            covered = True
            if surface.symbols.get(f"{module}:{name}", 0):
                return True
        return not covered

    def agent_constructor(self, qualname: str) -> Optional[AgentSpec]:
        return self._agent.get(qualname)

    def graph_builder(self, qualname: str) -> Optional[GraphBuilderSpec]:
        return self._graph_builder.get(qualname)

    def does_network_io(self, path: str) -> bool:
        """Is a call of the external symbol `path` (`requests.get`, `httpx.Client().get`,
        `urllib.request.urlopen`) network I/O? Constructing an object (`httpx.Client`) is not."""
        last = path.rsplit(".", 1)[-1]
        if not last or last[0].isupper() or "." not in path:
            return False
        # a method of a constructed client (`requests.Session().get`) is I/O; one of a call's result
        # (`requests.get().json`, reading the response already fetched) is not
        if any(not part.rsplit(".", 1)[-1][:1].isupper() for part in path.split("().")[:-1]):
            return False
        return any(path.startswith(m + ".") for m in self.network_modules)

    def errors_raised_by(self, path: str) -> tuple[str, ...]:
        """The exception classes a call of the external symbol `path` raises on ordinary failures,
        by the library it belongs to (the longest `library_errors` module that prefixes it)."""
        best = ""
        for m in self.library_errors:
            if len(m) > len(best) and (path == m or path.startswith(m + ".")):
                best = m
        return self.library_errors.get(best, ())

    def exception_lineage(self, cls: str) -> list[str]:
        """`cls` (under the name the catalog uses for it) and its base classes, nearest first."""
        cur: Optional[str] = self.exception_aliases.get(cls, cls)
        out: list[str] = []
        while cur is not None and cur not in out:
            out.append(cur)
            cur = self.exception_bases.get(cur)
        return out

    def agent_runner(self, qualname: str) -> Optional[AgentSpec]:
        """The agent spec of a static runner function (`agents.Runner.run_sync(agent, ...)`)."""
        return self._agent_runner.get(qualname)

    def output_guard(self, qualname: str) -> Optional[OutputGuardSpec]:
        return self._output_guard.get(qualname)

    def model(self, model_id: str) -> Optional[ModelInfo]:
        return self._models.lookup(model_id)

    def model_exact(self, model_id: str) -> Optional[ModelInfo]:
        """The entry naming `model_id` itself or a dated snapshot of it, not a longer id it starts."""
        return self._models.lookup_exact(model_id)

    def api_availability(self, qualname: str) -> list[ApiAvailability]:
        """Entries whose symbol is `qualname` or a dotted prefix of it (most specific first)."""
        out: list[ApiAvailability] = []
        for p in dotted_prefixes(qualname):
            for a in self._availability.get(p, ()):
                if a not in out:
                    out.append(a)
        return out

    # ------------------------------------------------------------------ distributions
    @cached_property
    def _wheel_pack(self) -> Pack:
        """wheels.pack (scripts/dist_metadata.py): its header read on the first distribution
        question, a distribution's slice (the version read, what each extra adds) when asked."""
        return WHEELS.open()

    @cached_property
    def _wheels(self) -> dict[str, dict[str, Any]]:
        """Distribution -> what its newest wheel says that questions over every distribution read:
        the import names it installs (and whether the wheel or its name gave them), its
        unconditional requirements (the header's `heads`)."""
        heads = self._wheel_pack.meta.get("heads", {})
        return {normalize_dist(k): v for k, v in heads.items()} if isinstance(heads, dict) else {}

    @cached_property
    def _wheel_names(self) -> dict[str, str]:
        """Normalised distribution name -> its name in the pack."""
        return {normalize_dist(k): k for k in self._wheel_pack.names()}

    def _wheel(self, dist: str) -> dict[str, Any]:
        """Everything the newest wheel of `dist` says ({} when it was not read), decoded once."""
        key = self._wheel_names.get(normalize_dist(dist))
        if key is None:
            return {}
        hit = self._wheel_memo.get(key)
        if hit is None:
            entry = self._wheel_pack.get(key)
            hit = self._wheel_memo[key] = entry if isinstance(entry, dict) else {}
        return hit

    @cached_property
    def _imports(self) -> dict[str, tuple[str, ...]]:
        """Import name -> acceptable distributions: the hand-written [imports] map of
        distributions.toml wins where it and the wheels both name an import."""
        mined: dict[str, list[str]] = {}
        for dist, w in self._wheels.items():
            for imp in w.get("imports", ()):
                mined.setdefault(imp, []).append(dist)  # firecrawl and firecrawl-py both install firecrawl
        out = dict(self._hand_imports)
        for imp, dists in mined.items():
            out.setdefault(imp, tuple(dists))
        # names only older releases install (dspy-ai <2.6 installs `dsp`): requires.pack
        for imp, older in self.releases.release_imports.items():
            out.setdefault(imp, older)
        return out

    @cached_property
    def removed_imports(self) -> dict[str, str]:
        """Import name -> the declaration that still installs it: [removed_imports] of
        distributions.toml, and the names whose last read releases stopped installing them
        (`dsp` -> `dspy-ai<2.6`), unless a newest wheel installs them."""
        in_wheels = {imp.split(".")[0] for w in self._wheels.values() for imp in w.get("imports", ())}
        out = {imp: f"{dist}<{bound}" for imp, (dist, bound) in self.releases.dropped_imports.items()
               if imp not in in_wheels and imp not in self._hand_imports}
        out.update(self._hand_removed)
        return out

    @cached_property
    def _own_imports(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for imp, ds in self._imports.items():
            for d in ds:
                out.setdefault(normalize_dist(d), set()).add(imp)
        return out

    @cached_property
    def _optional(self) -> dict[str, tuple[str, str, dict[str, tuple[str, ...]]]]:
        """Public name (and its re-exports) -> (distribution, version, {import: distributions
        that provide it}) for names of integration packages that need a package their
        distribution does not install (mined from the wheels' sources)."""
        out: dict[str, tuple[str, str, dict[str, tuple[str, ...]]]] = {}
        mined = self._wheel_pack.meta.get("optional", {})
        for dist, o in [*self._hand_optional.items(), *mined.items()]:  # the mined data wins
            needs = o.get("needs", {})
            for name, imports in needs.items():
                out[name] = (dist, str(o.get("version", "")), {k: tuple(v) for k, v in imports.items()})
            for alias, target in o.get("exports", {}).items():
                if target in out:
                    out.setdefault(alias, out[target])
        return out

    def optional_needs(self, dotted: str) -> Optional[tuple[str, str, dict[str, tuple[str, ...]]]]:
        """For an imported name of an integration package (`langchain_community.vectorstores.FAISS`
        or one of its modules), the distribution that ships it, the version mined, and the packages
        it imports on demand that its distribution does not install ({"faiss": ("faiss-gpu",
        "faiss-cpu")}); None when it needs nothing more, or is not known. A name imported from a module
        whose import itself is guarded at module level (`pydantic_ai.models.anthropic`, whose first
        lines raise ImportError('... pip install "pydantic-ai-slim[anthropic]"')) takes the module's
        needs: the longest dotted prefix that is a mined name (a class or function has no importable
        members, so a proper prefix that matches is such a module)."""
        name = self.optional_need_name(dotted)
        return None if name is None else self._optional[name]

    def optional_need_documented(self, name: str) -> bool:
        """Is what `optional_needs` gives for the name written by hand from the library's
        documentation (distributions.toml `optional_needs`), not read in its wheels?"""
        hit = self._optional.get(name)
        return hit is not None and name in self._hand_optional.get(hit[0], {}).get("needs", {})

    def optional_need_name(self, dotted: str) -> Optional[str]:
        """The mined name whose needs `optional_needs(dotted)` gives: `dotted` itself, or the module
        it is imported from when that module's import is guarded (None when neither is mined)."""
        return next((p for p in dotted_prefixes(dotted) if "." in p and p in self._optional), None)

    def distributions_for_import(self, dotted_module: str) -> tuple[str, ...]:
        """Distributions that provide `dotted_module` (longest dotted prefix in [imports])."""
        parts = dotted_module.split(".")
        for i in range(len(parts), 0, -1):
            hit = self._imports.get(".".join(parts[:i]))
            if hit is not None:
                return hit
        return (normalize_dist(parts[0]),)

    def most_specific_import(self, dotted_module: str) -> Optional[str]:
        """The longest dotted prefix of `dotted_module` that the [imports] table maps, or None."""
        parts = dotted_module.split(".")
        for i in range(len(parts), 0, -1):
            name = ".".join(parts[:i])
            if name in self._imports:
                return name
        return None

    def whole_namespace_versions(self, dist: str, import_name: str) -> Optional[str]:
        """The version range (PEP 440) in which `dist` shipped every module under the root of
        `import_name` (llama-index before 0.10 held llama_index.llms.anthropic itself), or None."""
        hit = self._whole_namespace.get(normalize_dist(dist))
        if hit is None or hit[0] != import_name.split(".")[0]:
            return None
        return hit[1]

    def knows_import(self, dotted_module: str) -> bool:
        """Does the [imports] table map `dotted_module` or a dotted prefix of it?"""
        parts = dotted_module.split(".")
        return any(".".join(parts[:i]) in self._imports for i in range(len(parts), 0, -1))

    def provided_imports(self, dist: str) -> frozenset[str]:
        """Import names available after installing `dist`: its own plus those of its dependencies,
        transitively (following the first distribution of each provided import)."""
        key = normalize_dist(dist)
        memo = self._provided_memo.get(key)
        if memo is not None:
            return memo
        seen_d: set[str] = set()
        out: set[str] = set()
        todo = [key]
        while todo:
            d = todo.pop()
            if d in seen_d:
                continue
            seen_d.add(d)
            own = self._own_imports.get(d)
            w = self._wheels.get(d)
            if d != key and w and w.get("imports") and w.get("imports_from", "wheel") == "wheel":
                # a dependency installs its newest release: a hand-written name under a root its
                # wheel no longer installs was an older release's (setuptools 81 dropped pkg_resources)
                roots = {i.split(".")[0] for i in w["imports"]}
                own = {i for i in own or () if i.split(".")[0] in roots} | set(w["imports"])
            # a dependency nothing maps installs the import named after it (most do)
            out |= own if own else ({d.replace("-", "_")} if d != key else set())
            for imp in self._provides.get(d, ()):
                out.add(imp)
                todo.append(normalize_dist(self.distributions_for_import(imp)[0]))
            todo.extend(normalize_dist(r) for r in self._wheels.get(d, {}).get("requires", ()))
        res = frozenset(out)
        self._provided_memo[key] = res
        return res

    def knows_distribution(self, dist: str) -> bool:
        """Does any table say what `dist` installs or requires: a mined wheel, mined releases, or a
        hand-written import or [provides] entry? When none does, what it brings is unknown."""
        key = normalize_dist(dist)
        return key in self._wheels or key in self._own_imports or key in self._provides \
            or self.releases.get(key) is not None

    @cached_property
    def _required_by(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for w in self._wheels.values():
            for r in set(w.get("requires", ())):
                out[normalize_dist(r)] = out.get(normalize_dist(r), 0) + 1
        return out

    def required_by(self, dist: str) -> int:
        """How many of the mined wheels require `dist` unconditionally: 0 for a package that
        projects install themselves and no library brings along (langchain-nomic, paddleocr)."""
        return self._required_by.get(normalize_dist(dist), 0)

    def wheel_requires(self, dist: str) -> Optional[tuple[str, ...]]:
        """The distributions the newest wheel of `dist` requires unconditionally (names only);
        None when the wheel was not read."""
        w = self._wheels.get(normalize_dist(dist))
        return None if w is None else tuple(normalize_dist(r) for r in w.get("requires", ()))

    def wheel_imports(self, dist: str) -> Optional[tuple[frozenset[str], str]]:
        """(the import names the newest wheel of `dist` installs, that wheel's version), or None
        when the wheel was not read (or its names were guessed from the distribution's name)."""
        w = self._wheels.get(normalize_dist(dist))
        if not w or not w.get("imports") or w.get("imports_from", "wheel") != "wheel":
            return None
        return frozenset(w["imports"]), str(self._wheel(dist).get("version", ""))

    def own_imports(self, dist: str) -> frozenset[str]:
        """The import names `dist` itself installs, by the import map (empty when not known)."""
        return frozenset(self._own_imports.get(normalize_dist(dist), ()))

    def extra_requires(self, dist: str, extra: str) -> tuple[str, ...]:
        """The distributions that the extra `extra` of `dist` adds, by its wheel (empty when not
        known): `pydantic-ai-slim[ag-ui]` brings ag-ui-protocol."""
        extras = self._wheel(dist).get("extras", {})
        return tuple(normalize_dist(d) for d in extras.get(normalize_dist(extra), ()))

    def known_framework_roots(self) -> frozenset[str]:
        return self._roots


__all__ = ["Catalog", "CatalogError", "build", "read_toml"]
