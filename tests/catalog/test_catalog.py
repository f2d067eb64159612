"""Catalog data and loader: well-formedness and key facts."""

from __future__ import annotations

import re

import pytest
from packaging.specifiers import SpecifierSet

from agentable.catalog import Catalog, CatalogError, load_catalog, normalize_dist, python_facts, read_toml
from agentable.catalog.kinds import ENTRIES, FILES, RECORDS
from agentable.catalog.loader import build
from agentable.catalog.specs import LLMCallSpec

DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\(\))?(\.[A-Za-z_][A-Za-z0-9_]*(\(\))?)*$")


def _all_names(cat: Catalog):
    indexed = [(lookup, getattr(cat, kind.attr), key) for kind in ENTRIES for lookup, key in kind.index.items()]
    for kind, specs, attr in [*indexed, ("availability", cat.availability, "symbols")]:
        for spec in specs:
            for name in getattr(spec, attr):
                yield kind, name


def test_loads_and_is_cached(cat):
    assert load_catalog() is cat
    assert cat.llm_calls and cat.chat_models and cat.tool_decorators and cat.agents and cat.models


def test_loader_builds_a_fresh_catalog_from_the_files():
    fresh = Catalog({name: read_toml(name) for name in FILES})  # load time: benchmarks/bench_scan.py
    assert len(fresh.models) == len(load_catalog().models) and fresh.llm_call("openai.OpenAI().chat.completions.create")


def test_names_are_dotted_paths(cat):
    bad = [(k, n) for k, n in _all_names(cat) if not DOTTED.match(n)]
    assert not bad


def test_no_duplicates_within_a_kind(cat):
    seen: dict[tuple[str, str], int] = {}
    for kind, name in _all_names(cat):
        if kind == "availability":
            continue
        seen[(kind, name)] = seen.get((kind, name), 0) + 1
    assert [k for k, n in seen.items() if n > 1] == []


def test_specifiers_parse(cat):
    specs = [s.available for s in cat.llm_calls + cat.llm_clients + cat.chat_models + cat.agents if s.available]
    specs += [a.available for a in cat.availability]
    specs += [c.spec_a for c in cat.conflicts] + [c.spec_b for c in cat.conflicts]
    for s in specs:
        SpecifierSet(s)


def test_roles_are_known(cat):
    roles = {"model", "messages", "prompt", "system", "stop", "max_tokens", "tools", "tool_choice", "response_format",
             "timeout", "max_retries", "api_key", "temperature", "stream", "parallel_tool_calls"}
    apis = {"chat", "completion", "responses", "embedding", "image", "audio", "moderation", "generate", "assistants"}
    for spec in cat.llm_calls:
        assert spec.api in apis
        assert set(spec.params) <= roles, spec.callees[0]
        assert set(spec.positional) <= roles
        assert set(spec.required) <= roles, spec.callees[0]


def test_model_kinds_and_dates(cat):
    kinds = {"chat", "completion", "embedding", "moderation", "image", "audio", "tts", "transcription",
             "code-completion", "reasoning", "rerank", "encoder"}
    for m in cat.models:
        assert m.kind in kinds and m.match in {"exact", "prefix", "regex"}
        if m.retired:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.retired)
    assert cat.models_version == "2026-12"


def test_output_guard_kinds(cat):
    assert {g.kind for g in cat.output_guards} <= {"validating-parser", "structured-output", "lenient-parser", "text"}


def test_model_examples(cat):
    m = cat.model("openai/gpt-4o-2024-08-06")
    assert m is not None and m.kind == "chat" and m.tools
    assert cat.model("text-embedding-3-small").kind == "embedding"
    assert cat.model("gpt-3.5-turbo-instruct").kind == "completion"
    assert cat.model("gpt-4o-mini").id == "gpt-4o-mini"
    assert cat.model("o1-mini").tools is False
    assert cat.model("text-davinci-003").retired
    assert cat.model("llama3.1:8b").tools is True
    assert cat.model("ollama/llama3").tools is False
    assert cat.model("mistral:7b").id == "mistral"
    assert cat.model("models/gemini-1.5-flash").id == "gemini-1.5-flash"
    assert cat.model("anthropic.claude-3-5-sonnet-20240620-v1:0").id == "claude-3-5-sonnet"
    # Bedrock's first Claude generations: "-v2" is the model (Claude 2), not a revision suffix
    assert cat.model("anthropic.claude-v2").id == "claude-2" and cat.model("anthropic.claude-v2").retired
    assert cat.model("anthropic.claude-v2:1").id == "claude-2.1"
    assert cat.model("us.anthropic.claude-instant-v1").id == "claude-instant-1"
    assert cat.model("claude-sonnet-4-5-20250929").id == "claude-sonnet-4-5"
    assert cat.model("gpt-4o-2024-05-13").max_output_tokens == 4096
    assert cat.model("nomic-embed-text").kind == "embedding"
    assert cat.model("deepseek-r1:14b").kind == "reasoning"
    assert cat.model("no-such-model") is None
    assert cat.model("") is None


def test_llm_call_examples(cat):
    spec = cat.llm_call("anthropic.Anthropic().messages.create")
    assert spec is not None and "max_tokens" in spec.required
    v1 = cat.llm_call("openai.AsyncAzureOpenAI().chat.completions.create")
    assert v1 is not None and v1.available == ">=1.0" and v1.guards["retries"] == 2
    v0 = cat.llm_call("openai.ChatCompletion.create")
    assert v0.available == "<1.0" and v0.replacement
    assert cat.llm_call("ollama.chat").positional["model"] == 0
    assert cat.llm_call("google.generativeai.GenerativeModel().generate_content").positional["prompt"] == 0
    assert cat.llm_call("openai.OpenAI().responses.create").output_text == (".output_text",)
    assert cat.llm_call("huggingface_hub.InferenceClient().text_generation").returns_text
    assert cat.llm_call("openai.OpenAI") is None
    assert cat.llm_client("openai.OpenAI").defaults == {"timeout": 600, "max_retries": 2}


def test_chat_model_examples(cat):
    for path in ("langchain_openai.ChatOpenAI", "langchain_community.chat_models.ChatOpenAI",
                 "langchain.chat_models.ChatOpenAI"):
        m = cat.chat_model(path)
        assert m is not None and "invoke" in m.call_methods and "with_structured_output" in m.binders
    llm = cat.chat_model("langchain_openai.OpenAI")
    assert "invoke" in llm.returns_text_methods
    f = cat.chat_model_factory("langchain.chat_models.init_chat_model")
    assert f is not None and cat.chat_model(f.classes[0]) is f
    assert cat.chat_model("crewai.LLM").model_positional == 0


def test_tool_and_agent_examples(cat):
    assert cat.tool_decorator("langchain_core.tools.tool").error_param == "handle_tool_error"
    assert cat.tool_decorator("smolagents.tool").requires_param_docs
    assert cat.tool_decorator("agents.function_tool").handles_errors
    assert cat.tool_decorator("mcp.server.fastmcp.FastMCP().tool") is not None
    assert cat.tool_decorator("pydantic_ai.Agent().tool_plain") is not None
    assert cat.tool_constructor("langchain.agents.Tool").func_positional == 1
    assert cat.tool_constructor("llama_index.core.tools.FunctionTool.from_defaults").func_param == "fn"
    assert cat.tool_base("crewai.tools.BaseTool").impl_methods == ("_run", "_arun")
    assert cat.tool_base("smolagents.Tool").params_attr == "inputs"
    assert {s.params_key for s in cat.tool_schemas} >= {"parameters", "input_schema"}
    ex = cat.agent_constructor("langchain.agents.AgentExecutor")
    assert ex.defaults["max_iterations"] == 15 and ex.parse_error_guard == "handle_parsing_errors"
    assert cat.agent_constructor("langgraph.prebuilt.create_react_agent").defaults["recursion_limit"] == 25
    assert cat.agent_constructor("smolagents.CodeAgent").defaults["max_iterations"] == 20
    assert cat.agent_constructor("agents.Agent").defaults["max_iterations"] == 10
    assert not cat.agent_constructor("autogen_agentchat.teams.RoundRobinGroupChat").bounded_by_default
    assert cat.output_guard("pydantic.BaseModel.model_validate_json").kind == "validating-parser"
    assert cat.output_guard("json_repair.loads").kind == "lenient-parser"


def test_api_availability(cat):
    hits = cat.api_availability("openai.ChatCompletion.create")
    assert hits and hits[0].available == "<1.0" and hits[0].dist == "openai"
    assert "1.0" not in SpecifierSet(hits[0].available)
    assert [a.available for a in cat.api_availability("openai.OpenAI().chat.completions.create")] == [">=1.0"]
    assert cat.api_availability("openai.error.RateLimitError")[0].available == "<1.0"
    assert cat.api_availability("pydantic.BaseModel().model_dump")[0].available == ">=2.0"
    assert cat.api_availability("pydantic.validator") == []
    assert cat.api_availability("langchain.chat_models.ChatOpenAI")[0].available == "<1.0"
    assert cat.api_availability("langchain_openai.ChatOpenAI") == []
    assert cat.conflicts and all(c.message for c in cat.conflicts)


def test_distributions(cat):
    assert cat.distributions_for_import("bs4") == ("beautifulsoup4",)
    assert cat.distributions_for_import("bs4.element") == ("beautifulsoup4",)
    assert cat.distributions_for_import("google.generativeai") == ("google-generativeai",)
    assert cat.distributions_for_import("llama_index.core.tools") == ("llama-index-core", "llama-index")
    assert "faiss-cpu" in cat.distributions_for_import("faiss")
    assert cat.distributions_for_import("Some_Pkg.sub") == ("some-pkg",)
    assert "langchain_core" in cat.provided_imports("langchain-openai")
    assert "httpx" in cat.provided_imports("langchain_openai")  # via openai, transitively
    assert "openai" in cat.provided_imports("openai")
    assert cat.provided_imports("unknown-dist") == frozenset()
    assert normalize_dist("Foo_Bar.baz") == "foo-bar-baz"


def test_known_roots(cat):
    roots = cat.known_framework_roots()
    assert {"openai", "anthropic", "langchain", "langchain_openai", "crewai", "smolagents", "agents", "mcp"} <= roots
    assert "pydantic" not in roots


def test_expansion_and_unknown_keys():
    spec = build(LLMCallSpec, {"clients": ["a.A", "a.B"], "paths": ["x.y"], "provider": "p", "api": "chat",
                               "framework": "f"}, "t")
    assert spec.callees == ("a.A().x.y", "a.B().x.y")
    with pytest.raises(CatalogError):
        build(LLMCallSpec, {"callees": ["a"], "provider": "p", "api": "chat", "framework": "f", "typo": 1}, "t")


def test_network_io_calls(cat):
    for path in ("requests.get", "httpx.Client().get", "httpx.AsyncClient().post", "urllib.request.urlopen",
                 "aiohttp.ClientSession().get", "requests.Session().request"):
        assert cat.does_network_io(path), path
    # constructing a client, reading a response already fetched, and pure helpers do no I/O
    for path in ("httpx.Client", "requests.get().json", "urllib.request.urlopen().read", "urllib.parse.quote",
                 "json.loads", "requests"):
        assert not cat.does_network_io(path), path
    assert "raise_for_status" in cat.raising_methods


def test_agents_whose_tool_errors_end_the_run(cat):
    for path in ("langchain.agents.AgentExecutor", "langchain.agents.initialize_agent", "pydantic_ai.Agent"):
        spec = cat.agent_constructor(path)
        assert spec.tool_errors_propagate and spec.tool_error_recovery, path
    assert not cat.agent_constructor("langgraph.prebuilt.create_react_agent").tool_errors_propagate


def test_library_errors_have_a_lineage_to_a_builtin(cat):
    import builtins

    for module, classes in cat.library_errors.items():
        assert DOTTED.match(module) and classes, module
        for cls in classes:
            lineage = cat.exception_lineage(cls)
            assert cls in cat.exception_bases, cls  # every named class states its base
            assert isinstance(getattr(builtins, lineage[-1], None), type), lineage
    for alias, cls in cat.exception_aliases.items():
        assert cls in cat.exception_bases, alias


def test_errors_raised_by_a_library_call(cat):
    assert cat.errors_raised_by("sqlite3.connect().execute") == ("sqlite3.Error",)
    assert "botocore.exceptions.ClientError" in cat.errors_raised_by("boto3.client().get_object")
    assert cat.errors_raised_by("urllib.parse.quote") == ()
    assert cat.exception_lineage("requests.RequestException") == ["requests.exceptions.RequestException", "OSError"]


def test_every_kind_is_one_row(cat):
    """The Catalog keeps, indexes and looks up each row of kinds.py; the loader reads its file."""
    for kind in ENTRIES:
        assert kind.file in FILES and isinstance(getattr(cat, kind.attr), list), kind
        for lookup, key in kind.index.items():
            spec = next(spec for spec in getattr(cat, kind.attr) if getattr(spec, key))
            name = getattr(spec, key)[0]
            assert cat.lookup(lookup, name) is spec, (lookup, name)
    for record in RECORDS:
        assert record.file in FILES and isinstance(getattr(cat, record.attr), record.spec)


def test_a_new_kind_needs_only_its_row(tmp_path, monkeypatch):
    """A kind added as a row of kinds.ENTRIES (with its spec class) is read, built, indexed and
    looked up with no other edit to the loader or the Catalog."""
    from dataclasses import dataclass

    import agentable.catalog.catalog as catalog_module
    from agentable.catalog.kinds import Entries

    @dataclass(frozen=True)
    class RetrieverSpec:
        classes: tuple[str, ...]
        framework: str

    row = Entries("retrievers.toml", "retriever", RetrieverSpec, "retrievers", {"retriever": "classes"},
                  framework_roots=True)
    monkeypatch.setattr(catalog_module, "ENTRIES", (*ENTRIES, row))
    files = {name: read_toml(name) for name in FILES}
    files["retrievers.toml"] = {"retriever": [{"modules": ["vectorlib"], "names": ["Retriever"], "framework": "v"}]}
    cat = Catalog(files)
    assert [r.classes for r in cat.retrievers] == [("vectorlib.Retriever",)]
    assert cat.lookup("retriever", "vectorlib.Retriever") is cat.retrievers[0]
    assert "vectorlib" in cat.known_framework_roots()
    files["retrievers.toml"]["retriever"].append({"classes": ["vectorlib.Retriever"], "framework": "w"})
    with pytest.raises(CatalogError, match="listed twice"):
        Catalog(files)


def test_python_facts_are_one_record_read_through_the_loader(cat):
    facts = python_facts()
    assert facts is python_facts()  # read once
    assert facts.exception_bases == cat.python.exception_bases and facts.builtin_names == cat.python.builtin_names
    with pytest.raises(CatalogError):  # its keys are checked like every entry's
        build(type(facts), {**read_toml("python.toml"), "typo": []}, "python.toml")


def test_python_exception_hierarchy_is_pythons():
    import builtins

    import json
    import zoneinfo

    facts = python_facts()
    defined_elsewhere = {"JSONDecodeError": json.JSONDecodeError,  # (and two libraries' parse errors)
                         "ZoneInfoNotFoundError": zoneinfo.ZoneInfoNotFoundError}
    for cls, base in facts.exception_bases.items():
        if cls in ("ValidationError", "OutputParserException"):
            continue
        real = defined_elsewhere.get(cls) or getattr(builtins, cls)
        assert issubclass(real, getattr(builtins, base)), cls
    for alias, cls in facts.exception_aliases.items():
        module, _, name = alias.rpartition(".")
        real = getattr(__import__(module) if module else builtins, name)
        assert real is getattr(builtins, cls), alias


def test_python_facts_name_real_builtins_and_str_methods():
    import builtins

    facts = python_facts()
    assert all(hasattr(builtins, name) for name in facts.builtin_names)
    assert all(hasattr(builtins, name) for name in facts.builtin_results if "." not in name)
    assert all(hasattr(str, m) for m in facts.str_method_results) and facts.str_method_results["encode"] == "bytes"
    assert all(hasattr(str, m) for m in facts.text_methods if m != "decode")  # decode: of bytes, back to text
    assert facts.lookup_errors["subscript"] == ("KeyError",) and facts.lookup_errors["unpack"] == ("ValueError",)
    for errors in facts.lookup_errors.values():
        assert all(isinstance(getattr(builtins, e), type) for e in errors)


def test_variadic_parameter_handling_uses_known_words(cat):
    specs = [*cat.tool_decorators, *cat.tool_constructors, *cat.agents]
    assert {s.var_keyword for s in specs} <= {None, "object_param", "unpacked", "dropped"}
    assert {s.var_positional for s in specs} <= {None, "keyword_param", "unpacked", "dropped"}
    assert {r for s in specs for r in s.variadic_requires} <= {"annotation", "docs"}
    # a spec that says what happens to **kwargs also says what happens to *args
    assert all((s.var_keyword is None) == (s.var_positional is None) for s in specs)
    assert cat.tool_constructor("llama_index.core.tools.FunctionTool.from_defaults").var_keyword == "object_param"
    assert cat.tool_decorator("agents.function_tool").var_keyword == "unpacked"


def test_reexporting_modules_resolve_to_the_defining_module(cat):
    # langchain_community.tools and langchain.tools import BaseTool/Tool/tool from langchain_core.tools
    assert cat.reexported("langchain_community.tools.BaseTool") == "langchain_core.tools.BaseTool"
    assert cat.tool_base("langchain_community.tools.BaseTool") is cat.tool_base("langchain_core.tools.BaseTool")
    assert cat.tool_decorator("langchain_community.tools.tool") is cat.tool_decorator("langchain_core.tools.tool")
    assert cat.tool_constructor("langchain_community.tools.StructuredTool.from_function") is \
        cat.tool_constructor("langchain_core.tools.StructuredTool.from_function")
    # a name the mined API surface never saw in the re-exporting module is not re-exported
    assert cat.reexported("langchain_community.tools.NoSuchToolBase") is None
    assert cat.tool_base("langchain_community.tools.NoSuchToolBase") is None
    # a module that is not in the table re-exports nothing
    assert cat.reexported("plugin_kit.base.BaseTool") is None
    for module, target in cat.reexports.items():
        assert DOTTED.match(module) and DOTTED.match(target)


def test_stdlib_modules_do_not_depend_on_the_running_interpreter():
    import sys

    stdlib = python_facts().stdlib_modules
    assert set(sys.stdlib_module_names) <= stdlib
    # removed in 3.12 / 3.13, added in 3.11 / 3.14: every interpreter agentable runs on sees all of them
    assert {"distutils", "imp", "asyncore", "telnetlib", "cgi", "tomllib", "annotationlib"} <= stdlib
    assert not stdlib & {"yaml", "requests", "openai", "setuptools"}
