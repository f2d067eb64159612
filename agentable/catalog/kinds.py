"""What the catalog is made of, one row per kind of data. Adding a kind is adding its row here (and
its record class in specs.py, or in language_facts.py for facts of the language): the loader reads
its file, and the Catalog builds it, keeps it in `attr`, indexes it and looks names up in it
(`catalog.lookup(name, qualname)`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .language_facts import PythonFacts, ToolParamFacts
from .platforms import PlatformRetirement, PlatformSpec
from .specs import (AgentSpec, ApiAvailability, ChatModelSpec, ClientKindSpec, ClientSpec, CredentialEnvSpec,
                    DistConflict, FunctionRunnerSpec, GraphBuilderSpec, LLMCallSpec, MarkerParserSpec,
                    ModelErrorsSpec, ModelInfo, OutputGuardSpec, ParamUnitSpec, PromptTemplateSpec,
                    QueryProgramSpec, RejectedParamSpec, ResponseTypeSpec, RetiredApiSpec, RetryDecoratorSpec,
                    RetryDefaultSpec, ServiceClientSpec, ToolBaseSpec, ToolConstructorSpec, ToolDecoratorSpec,
                    ToolResultFormatSpec, ToolSchemaSpec,
                    UnboundedDependency)


@dataclass(frozen=True)
class Entries:
    """The `[[table]]` entries of `file`, each built into a `spec`, kept as a list in `attr`.
    `index`: lookup name -> the spec field whose names it indexes (a name twice is an error); the
    Catalog keeps each index as `_<lookup name>`. `framework_roots`: the top modules of the indexed
    names are frameworks."""

    file: str
    table: str
    spec: type
    attr: str
    index: dict[str, str] = field(default_factory=dict)
    framework_roots: bool = False


@dataclass(frozen=True)
class Record:
    """The whole of `file`, built into one `spec`, kept in `attr` (unknown keys are an error)."""

    file: str
    spec: type
    attr: str


ENTRIES: tuple[Entries, ...] = (
    Entries("llm_apis.toml", "llm_call", LLMCallSpec, "llm_calls", {"llm_call": "callees"}, framework_roots=True),
    # POSTs to model endpoints: several entries share the HTTP clients' callees (indexed by the Catalog)
    Entries("llm_apis.toml", "http_llm_call", LLMCallSpec, "http_llm_calls"),
    Entries("llm_apis.toml", "llm_client", ClientSpec, "llm_clients", {"llm_client": "classes"},
            framework_roots=True),
    Entries("llm_apis.toml", "chat_model", ChatModelSpec, "chat_models",
            {"chat_model": "classes", "factory": "factories"}, framework_roots=True),
    # factories whose client (and its methods) depends on a service name: boto3.client("bedrock-runtime")
    Entries("llm_apis.toml", "client_kind", ClientKindSpec, "client_kinds"),
    # how many times a model client retries a failed request by itself, per SDK release range
    Entries("llm_apis.toml", "retry_default", RetryDefaultSpec, "retry_defaults"),
    # a model SDK's exception classes: those of transient failures, and the narrow ones of a refused request
    Entries("llm_apis.toml", "model_errors", ModelErrorsSpec, "model_errors"),
    # library decorators that re-run the function they wrap: what bounds them, whether they await coroutines
    Entries("retry.toml", "retry_decorator", RetryDecoratorSpec, "retry_decorators", {"retry_decorator": "callees"}),
    # which environment variables the SDKs read a provider's credential from
    Entries("llm_apis.toml", "credential_env", CredentialEnvSpec, "credential_envs"),
    # SDK classes of what a model call returns: a parameter annotated with one receives model output
    Entries("llm_apis.toml", "response_type", ResponseTypeSpec, "response_types", {"response_type": "classes"}),
    # endpoints the provider has shut down (the OpenAI Assistants API)
    Entries("llm_apis.toml", "retired_api", RetiredApiSpec, "retired_apis", {"retired_api": "callees"}),
    # request parameters an API refuses for some models (max_tokens to OpenAI's reasoning models)
    Entries("llm_apis.toml", "rejected_param", RejectedParamSpec, "rejected_params"),
    # parameters an SDK reads in another unit than usual (google-genai's timeout in milliseconds)
    Entries("llm_apis.toml", "param_unit", ParamUnitSpec, "param_units"),
    # calls that parse their text as a `{field}` template (LangChain's f-string prompt templates)
    Entries("llm_apis.toml", "prompt_template", PromptTemplateSpec, "prompt_templates"),
    # decorators whose function's docstring is a query program that names its model (LMQL)
    Entries("llm_apis.toml", "query_program", QueryProgramSpec, "query_programs", {"query_program": "decorators"}),
    Entries("tools.toml", "tool_decorator", ToolDecoratorSpec, "tool_decorators", {"tool_decorator": "callees"},
            framework_roots=True),
    Entries("tools.toml", "tool_constructor", ToolConstructorSpec, "tool_constructors",
            {"tool_constructor": "callees"}, framework_roots=True),
    # parsers that find a tool call in the reply by a begin marker, built with the prompt that teaches it
    Entries("agents.toml", "marker_parser", MarkerParserSpec, "marker_parsers", {"marker_parser": "callees"}),
    Entries("tools.toml", "tool_base", ToolBaseSpec, "tool_bases", {"tool_base": "classes"}, framework_roots=True),
    Entries("tools.toml", "tool_schema", ToolSchemaSpec, "tool_schemas"),
    Entries("tools.toml", "tool_result_format", ToolResultFormatSpec, "tool_result_formats"),
    Entries("agents.toml", "agent_constructor", AgentSpec, "agents", {"agent": "callees"}, framework_roots=True),
    Entries("agents.toml", "output_guard", OutputGuardSpec, "output_guards", {"output_guard": "callees"}),
    Entries("agents.toml", "graph_builder", GraphBuilderSpec, "graph_builders", {"graph_builder": "classes"}),
    Entries("agents.toml", "function_runner", FunctionRunnerSpec, "function_runners", {"function_runner": "callees"}),
    # looked up by exact id, longest prefix or pattern (catalog/models.py)
    Entries("models.toml", "model", ModelInfo, "models"),
    # platforms that host other providers' models on their own retirement schedules (catalog/platforms.py)
    Entries("platform_models.toml", "platform", PlatformSpec, "platform_specs"),
    Entries("platform_models.toml", "platform_retirement", PlatformRetirement, "platform_retirements"),
    # several entries may name one symbol (indexed by the Catalog)
    Entries("versions.toml", "api_availability", ApiAvailability, "availability"),
    Entries("versions.toml", "conflict", DistConflict, "conflicts"),
    Entries("versions.toml", "unbounded_dependency", UnboundedDependency, "unbounded_dependencies"),
    # clients of servers run in containers (vector stores, caches, local model servers), by image
    Entries("services.toml", "service_client", ServiceClientSpec, "service_clients"),
)

RECORDS: tuple[Record, ...] = (
    Record("python.toml", PythonFacts, "python"),
    Record("tool_params.toml", ToolParamFacts, "tool_params"),
)

# Every TOML file the catalog reads: those of the kinds above, and the one the Catalog reads as plain
# tables (the hand-written import names of distributions).
FILES: tuple[str, ...] = tuple(dict.fromkeys(
    [*(k.file for k in ENTRIES), *(r.file for r in RECORDS), "distributions.toml"]))

# Mined by scripts/dist_metadata.py into wheels.pack (datapack.WHEELS): what each distribution's
# wheel installs, requires and adds per extra, and the public names of integration packages that
# need a package they do not install. Read on the first distribution question, not with the TOML files.
