"""Edges and agent-layer facts on small programs."""

from agentable.cpg import ir
from agentable.cpg.values import Const, ExtRef, FuncRef, LLMOutput, ParamRef, Parsed, Typed
from agentable.query.guards import is_protected
from agentable.query.llm_output import flow_steps, llm_outputs

from tests.conftest import graph_of

WRAPPER = {
    "app/llm.py": """
        from openai import OpenAI

        class LLM:
            def __init__(self, model: str = "gpt-4o-mini"):
                self.client = OpenAI(timeout=20)
                self.model = model

            def generate(self, prompt: str, stop=None) -> str:
                resp = self.client.chat.completions.create(
                    model=self.model, messages=[{"role": "user", "content": prompt}], stop=stop)
                return resp.choices[0].message.content
    """,
    "app/agent.py": """
        import json
        from .llm import LLM
        from .tools import search, calculator

        TOOLS = {"search": search, "calculator": calculator}

        class Agent:
            def __init__(self):
                self.llm = LLM()

            def step(self, prompt):
                text = self.llm.generate(prompt, stop=["Observation:"])
                data = json.loads(text)
                return TOOLS[data["tool"]](data["input"])

            def run(self, question):
                while True:
                    out = self.step(question)
                    if out.startswith("Final"):
                        return out

            def run_bounded(self, question, max_steps=5):
                for _ in range(max_steps):
                    self.step(question)
    """,
    "app/tools.py": """
        def search(q):
            return "results for " + q

        def calculator(expr):
            return str(eval(expr))
    """,
    "app/__init__.py": "",
}


def _site(g, qualname, callee):
    f = g.functions[qualname]
    return f, next(s for s in f.calls if ir.dotted(s.call.func) == callee)


def test_llm_output_of_wrapper_in_another_file_reaches_json_loads() -> None:
    g = graph_of(WRAPPER)
    f, site = _site(g, "app.agent.Agent.step", "json.loads")
    sources = llm_outputs(g, site.call.args[0], f, site.stmt)
    assert sources and sources[0].site[0] == "app/llm.py"
    parsed = [v for v in g.values(site.call, f, site.stmt) if isinstance(v, Parsed)]
    assert parsed and parsed[0].how == "json.loads"
    steps = flow_steps(g, sources[0])
    assert steps[0].span.path == "app/llm.py"


def test_call_graph_resolves_methods_across_files_and_dict_dispatch() -> None:
    g = graph_of(WRAPPER)
    _, gen = _site(g, "app.agent.Agent.step", "self.llm.generate")
    assert g.callees(gen) == {"app.llm.LLM.generate"}
    step = g.functions["app.agent.Agent.step"]
    dispatch = next(s for s in step.calls if isinstance(s.call.func, ir.Subscript))
    assert g.callees(dispatch) == {"app.tools.search", "app.tools.calculator"}
    assert [c.func.qualname for c in g.callers(g.functions["app.tools.search"])] == ["app.agent.Agent.step"]
    assert g.call_graph.has_edge("app.agent.Agent.run", "app.agent.Agent.step")


def test_llm_call_settings_come_from_call_and_client_and_params() -> None:
    g = graph_of(WRAPPER)
    [call] = g.agent.llm_calls
    assert call.provider == "openai" and call.func.qualname == "app.llm.LLM.generate"
    assert [m for m, _ in call.model_ids()] == ["gpt-4o-mini"]  # through self.model and the default
    timeout = call.setting("timeout")
    assert timeout is not None and timeout.where == "client"
    stop = call.setting("stop")
    stops = [v.value for v in g.values(stop.expr, stop.func, stop.stmt) if hasattr(v, "value")]
    assert stops == [None] or None in stops  # the parameter default; callers pass a list
    assert "app.agent.Agent.step" in g.agent.llm_functions  # calls the model through the wrapper


def test_agent_loops_know_their_bounds() -> None:
    g = graph_of(WRAPPER)
    loops = {loop.func.name: loop.info for loop in g.agent.loops}
    assert loops["run"].bounded is False and loops["run"].kind == "while-true"
    assert loops["run_bounded"].bounded is True


def test_reaching_definitions_pick_the_right_binding() -> None:
    g = graph_of({"m.py": """
        import json
        from openai import OpenAI
        client = OpenAI()

        def f(q):
            text = "{}"
            json.loads(text)
            text = client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
            return json.loads(text)
    """})
    f = g.functions["m.f"]
    first, second = [s for s in f.calls if ir.dotted(s.call.func) == "json.loads"]
    assert not llm_outputs(g, first.call.args[0], f, first.stmt)
    assert llm_outputs(g, second.call.args[0], f, second.stmt)


def test_protection_in_caller_counts() -> None:
    g = graph_of({"m.py": """
        import json

        def parse(text):
            return json.loads(text)

        def guarded(text):
            try:
                return parse(text)
            except json.JSONDecodeError:
                return None

        def unguarded(text):
            return parse(text)
    """})
    parse = g.functions["m.parse"]
    ret = parse.returns[0]
    assert is_protected(g, parse, ret, ("JSONDecodeError",)) is False  # one caller is unguarded
    g2 = graph_of({"m.py": """
        import json

        def parse(text):
            return json.loads(text)

        def guarded(text):
            try:
                return parse(text)
            except ValueError:
                return None
    """})
    parse2 = g2.functions["m.parse"]
    assert is_protected(g2, parse2, parse2.returns[0], ("JSONDecodeError",)) is True


def test_imports_aliases_and_reexports_resolve() -> None:
    g = graph_of({
        "pkg/__init__.py": "from .core import run as start\n",
        "pkg/core.py": "def run():\n    return 1\n",
        "main.py": "import pkg as p\nfrom pkg import start\np.start()\nstart()\n",
    })
    top = g.modules["main"].toplevel
    targets = [g.callees(s) for s in top.calls]
    assert targets == [{"pkg.core.run"}, {"pkg.core.run"}]
    assert ExtRef("os.path.join") in g.lookup("os.path.join")
    assert FuncRef("pkg.core.run") in g.lookup("pkg.start")


def test_a_package_binding_wins_over_a_submodule_of_the_same_name() -> None:
    # `from pkg import shell` reads pkg's attribute: what pkg/__init__ binds (the function
    # re-exported from pkg.repl), not the submodule pkg/shell.py; `import pkg.shell` names the
    # module, and so does `from pkg import tools` where pkg/__init__ binds no `tools`
    g = graph_of({
        "pkg/__init__.py": "from pkg.repl import shell\n",
        "pkg/repl.py": "def shell(agent):\n    return agent\n",
        "pkg/shell.py": "def main():\n    return 0\n",
        "pkg/tools.py": "def search():\n    return 0\n",
        "top/__init__.py": "from pkg import shell\n",
        "app.py": ("import pkg.shell\nfrom pkg import shell, tools\nfrom top import shell as again\n"
                   "shell(1)\npkg.shell.main()\ntools.search()\nagain(2)\n"),
    })
    targets = [g.callees(s) for s in g.modules["app"].toplevel.calls]
    assert targets == [{"pkg.repl.shell"}, {"pkg.shell.main"}, {"pkg.tools.search"}, {"pkg.repl.shell"}]


def test_llm_output_through_params_into_helper() -> None:
    g = graph_of({"m.py": """
        import re
        import anthropic

        def extract(answer):
            return re.search(r"Action: (.*)", answer).group(1)

        def main():
            client = anthropic.Anthropic()
            msg = client.messages.create(model="claude-sonnet-4-20250514", max_tokens=512, messages=[])
            return extract(msg.content[0].text)
    """})
    f = g.functions["m.extract"]
    site = next(s for s in f.calls if isinstance(s.call.func, ir.Attribute) and s.call.func.attr == "search")
    outs = llm_outputs(g, site.call.args[1], f, site.stmt)
    assert outs and outs[0].text
    assert isinstance(outs[0], LLMOutput)


def test_framework_agent_runs_produce_model_output_unless_structured() -> None:
    g = graph_of({"m.py": """
        import json
        from agents import Agent, Runner
        from crewai import Crew
        from pydantic import BaseModel

        class Plan(BaseModel):
            steps: list[str]

        free = Agent(name="planner", instructions="Plan.")
        typed = Agent(name="typed", instructions="Plan.", output_type=Plan)

        def a():
            return json.loads(Runner.run_sync(free, "go").final_output)

        def b():
            return Runner.run_sync(typed, "go").final_output

        def c(crew: Crew):
            return int(str(Crew(agents=[], tasks=[]).kickoff()))
    """})
    def arg_of(qualname, callee):
        f = g.functions[qualname]
        site = next(s for s in f.calls if ir.dotted(s.call.func) == callee)
        return f, site
    f, site = arg_of("m.a", "json.loads")
    assert llm_outputs(g, site.call.args[0], f, site.stmt)
    fb = g.functions["m.b"]
    assert not llm_outputs(g, fb.returns[0].value, fb, fb.returns[0])
    fc, sc = arg_of("m.c", "int")
    assert llm_outputs(g, sc.call.args[0], fc, sc.stmt)


def test_lcel_chains_carry_model_output_and_structured_tails() -> None:
    g = graph_of({"m.py": """
        import json
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_openai import ChatOpenAI
        from pydantic import BaseModel

        class Answer(BaseModel):
            text: str

        prompt = ChatPromptTemplate.from_template("Summarize {doc}")
        llm = ChatOpenAI(model="gpt-4o-mini")

        def text_chain(doc):
            chain = prompt | llm | StrOutputParser()
            return json.loads(chain.invoke({"doc": doc}))

        def message_chain(doc):
            return (prompt | llm).invoke({"doc": doc}).content

        def structured(doc):
            return (prompt | llm.with_structured_output(Answer)).invoke({"doc": doc})
    """})
    f = g.functions["m.text_chain"]
    site = next(s for s in f.calls if ir.dotted(s.call.func) == "json.loads")
    assert llm_outputs(g, site.call.args[0], f, site.stmt)
    m = g.functions["m.message_chain"]
    assert llm_outputs(g, m.returns[0].value, m, m.returns[0])
    st = g.functions["m.structured"]
    assert not llm_outputs(g, st.returns[0].value, st, st.returns[0], text_only=False)
    assert {c.func.name for c in g.agent.llm_calls} >= {"text_chain", "message_chain"}


def test_properties_fields_and_tuple_returns_carry_values() -> None:
    g = graph_of({"m.py": """
        import re
        from openai import OpenAI
        from pydantic import BaseModel

        class Tool(BaseModel):
            name: str

            def use(self, arg):
                return arg

        class Agent(BaseModel):
            tools: list[Tool]

            @property
            def by_name(self):
                return {t.name: t for t in self.tools}

            def decide(self, prompt):
                text = OpenAI().chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
                m = re.search(r"Action: (.*)", text)
                return text, m.group(1)

            def run(self):
                raw, tool = self.decide("q")
                return self.by_name[tool].use(raw)

        Agent(tools=[Tool(name="search")]).run()
    """})
    run = g.functions["m.Agent.run"]
    dispatch = next(s for s in run.calls if isinstance(s.call.func, ir.Attribute) and s.call.func.attr == "use")
    assert g.callees(dispatch) == {"m.Tool.use"}  # property -> dict comprehension -> field from the construction
    assert llm_outputs(g, dispatch.call.args[0], run, dispatch.stmt)  # unpacked from a tuple return


def test_hf_pipelines_for_non_generative_tasks_are_not_llm_calls() -> None:
    g = graph_of({"m.py": """
        from transformers import pipeline

        ner = pipeline("ner", model="dslim/bert-base-NER")
        writer = pipeline("text-generation", model="gpt2")

        def tag(text):
            return ner(text)

        def write(text):
            return writer(text)[0]["generated_text"]
    """})
    assert [c.func.name for c in g.agent.llm_calls] == ["write"]
    tag = g.functions["m.tag"]
    assert not llm_outputs(g, tag.returns[0].value, tag, tag.returns[0], text_only=False)
    write = g.functions["m.write"]
    assert llm_outputs(g, write.returns[0].value, write, write.returns[0])


def test_imported_module_globals_each_resolve_to_their_own_value() -> None:
    # Each `from settings import X` is resolved without an expression node; many in a row must
    # not read one another's values (the resolver memo is keyed by node identity).
    names = [f"NAME_{i}" for i in range(40)]
    settings = "\n".join(f'{n} = "value-{i}"' for i, n in enumerate(names)) + "\n"
    user = "from settings import " + ", ".join(names) + "\n\n\ndef run():\n" + "".join(
        f"    print({n})\n" for n in names)
    g = graph_of({"settings.py": settings, "user.py": user})
    run = g.functions["user.run"]
    for site, (i, n) in zip(run.calls, enumerate(names), strict=False):
        arg = site.call.args[0]
        assert g.values(arg, run, site.stmt) == frozenset({Const(f"value-{i}")}), n


def test_instances_called_like_functions_find_their_call_sites() -> None:
    g = graph_of({
        "tools.py": """
            class Search:
                def __call__(self, query):
                    return query

            class Clock:
                def __call__(self):
                    return 0
        """,
        "agent.py": """
            from tools import Clock, Search

            search = Search()
            clock = Clock()


            def step(q):
                search(q)
                clock()
                return search(q + "!")
        """,
    })
    search_callers = g.callers(g.functions["tools.Search.__call__"])
    clock_callers = g.callers(g.functions["tools.Clock.__call__"])
    assert [c.call.pos[0] for c in search_callers] == [9, 11]
    assert [c.call.pos[0] for c in clock_callers] == [10]
    assert all(c.func.qualname == "agent.step" for c in search_callers + clock_callers)


def test_comprehension_variables_and_joined_pieces_carry_model_text() -> None:
    g = graph_of({"m.py": """
        import json
        import os
        import anthropic
        import openai

        def ask(client, prompt):
            msg = client.messages.create(model="claude-sonnet-4-20250514", max_tokens=512, messages=[])
            text = "".join(block.text for block in msg.content if block.type == "text")
            path = os.path.join("out", "x.json")
            words = [w.upper() for w in ["a", "b"]]
            return json.loads(text), path, words

        def stream(client):
            chunks = client.chat.completions.create(model="gpt-4o-mini", messages=[], stream=True)
            return "\\n".join([c.choices[0].delta.content for c in chunks])

        def main():
            ask(anthropic.Anthropic(), "hi")
            stream(openai.OpenAI())
    """})
    f = g.functions["m.ask"]
    loads = next(s for s in f.calls if ir.dotted(s.call.func) == "json.loads")
    outs = llm_outputs(g, loads.call.args[0], f, loads.stmt)
    assert outs and outs[0].text and "joined" in outs[0].steps[-1][2]
    # the separator must be a string: os.path.join is not model text, nor a comprehension over literals
    join = next(s for s in f.calls if ir.dotted(s.call.func) == "os.path.join")
    assert not any(isinstance(v, LLMOutput) for v in g.values(join.call, f, join.stmt))
    comp = next(e for e, _ in f.walk(ir.Comp) if e.kind == "list")
    assert not any(isinstance(v, LLMOutput) for v in g.values(comp.elt, f, None))
    s = g.functions["m.stream"]
    ret = s.returns[0].value
    assert any(isinstance(v, LLMOutput) and v.text for v in g.values(ret, s, s.returns[0]))


def test_comprehension_binding_stays_inside_the_comprehension() -> None:
    g = graph_of({"m.py": """
        def f(items):
            x = "literal"
            names = [x.name for x in items]
            return x
    """})
    f = g.functions["m.f"]
    ret = f.returns[0]
    assert g.values(ret.value, f, ret) == frozenset({Const("literal")})


def test_methods_of_string_literals_have_result_types() -> None:
    g = graph_of({"m.py": """
        PROMPT = "Answer: {q}"

        def f(q):
            a = PROMPT.format(q=q)
            b = PROMPT.split(":")
            c = PROMPT.startswith("A")
            d = PROMPT.no_such_method()
            return a, b, c, d
    """})
    f = g.functions["m.f"]
    ret = f.returns[0]
    a, b, c, d = ret.value.elts
    assert g.values(a, f, ret) == frozenset({Typed("str")})
    assert g.values(b, f, ret) == frozenset({Typed("list")})
    assert g.values(c, f, ret) == frozenset({Typed("bool")})
    assert not any(isinstance(v, Typed) and v.kind in ("str", "list", "bool") for v in g.values(d, f, ret))


def test_posts_to_model_endpoints_are_llm_calls_with_payload_settings() -> None:
    g = graph_of({"m.py": """
        import json
        import httpx
        import requests

        BASE = "http://localhost:11434"
        PAYLOAD = {"model": "llama3.1", "prompt": "hi", "options": {"stop": ["Observation:"]}}

        def generate():
            r = requests.post(BASE + "/api/generate", data=json.dumps(PAYLOAD))
            return r.json()["response"]

        def chat(client: httpx.Client, msgs):
            body = {"model": "gpt-4o-mini", "messages": msgs, "stop": ["\\nObservation"]}
            return client.post(url=f"{BASE}/v1/chat/completions", json=body).json()["choices"][0]["message"]["content"]

        def forecast():
            return requests.post("https://weather.example/api/v2", json={"city": "Oslo"}).json()["forecast"]
    """})
    calls = {c.func.name: c for c in g.agent.llm_calls}
    assert set(calls) == {"generate", "chat"}
    assert (calls["generate"].provider, calls["generate"].api) == ("ollama", "generate")
    assert [m for m, _ in calls["generate"].model_ids()] == ["llama3.1"]
    assert calls["chat"].api == "chat" and [m for m, _ in calls["chat"].model_ids()] == ["gpt-4o-mini"]
    assert isinstance(calls["chat"].setting("stop").expr, ir.Seq)
    for name in ("generate", "chat"):
        f = g.functions[f"m.{name}"]
        ret = f.returns[0]
        assert any(isinstance(v, LLMOutput) and v.text for v in g.values(ret.value, f, ret))
    f = g.functions["m.forecast"]
    assert not any(isinstance(v, LLMOutput) for v in g.values(f.returns[0].value, f, f.returns[0]))


PROVIDERS = {"llm/base.py": """
    class BaseLLM:
        def complete(self, messages):
            resp = self._call(messages)
            return self.get_text(resp)

        def complete_logged(self, messages):
            raw = self._raw(messages)
            return self.get_text(raw)

        def _raw(self, messages):
            return self._call(messages)

        def get_text(self, resp):
            return resp.choices[0].message.content
    """,
    "llm/providers.py": """
    import json
    import anthropic
    import boto3
    from openai import OpenAI
    from .base import BaseLLM

    class OpenAILLM(BaseLLM):
        def __init__(self):
            self.client = OpenAI()

        def _call(self, messages):
            return self.client.chat.completions.create(model="gpt-4o", messages=messages)

    class AnthropicLLM(BaseLLM):
        def __init__(self):
            self.client = anthropic.Anthropic()

        def _call(self, messages):
            return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=100, messages=messages)

        def get_text(self, resp):
            return resp.content[0].text

    class ClaudeHaiku(AnthropicLLM):
        pass

    class BedrockLLM(BaseLLM):
        def __init__(self):
            self.client = boto3.client("bedrock-runtime")

        def _call(self, messages):
            r = self.client.invoke_model(modelId="x", body=json.dumps({"messages": messages}))
            return json.loads(r["body"].read())

        def get_text(self, resp):
            return resp["content"][0]["text"]

        def stream_fallback(self, messages):
            return self.get_text(self._call(messages))
    """,
    "llm/__init__.py": ""}


def _llm_sites(g, qualname: str, param: str) -> set[str]:
    """The LLM calls (by their function) whose response reaches a parameter."""
    f = g.functions[qualname]
    return {g.function_of(v.site[0], v.site[1].pos).qualname
            for v in g.resolver.param_values(f, param) if isinstance(v, LLMOutput)}


def test_self_dispatch_in_a_base_method_does_not_mix_sibling_subclasses() -> None:
    g = graph_of(PROVIDERS)
    # BaseLLM.complete calls self._call and then self.get_text: an override of get_text gets the
    # response of its own class's _call only, never a sibling's
    assert _llm_sites(g, "llm.providers.AnthropicLLM.get_text", "resp") == {"llm.providers.AnthropicLLM._call"}
    assert _llm_sites(g, "llm.providers.BedrockLLM.get_text", "resp") == set()  # a json.loads'd dict
    # the base implementation serves the classes that do not override it (OpenAILLM, BaseLLM)
    assert _llm_sites(g, "llm.base.BaseLLM.get_text", "resp") == {"llm.providers.OpenAILLM._call"}
    # `complete_logged` reaches `_call` through a base helper (`self._raw`), which dispatches on the
    # same receiver: alone, it feeds each override its own class's response too
    g = graph_of({**PROVIDERS, "llm/base.py": PROVIDERS["llm/base.py"].replace("return self.get_text(resp)", "return resp")})
    assert _llm_sites(g, "llm.providers.AnthropicLLM.get_text", "resp") == {"llm.providers.AnthropicLLM._call"}
    assert _llm_sites(g, "llm.providers.BedrockLLM.get_text", "resp") == set()


def test_self_dispatch_keeps_flows_that_do_not_depend_on_the_receiver() -> None:
    g = graph_of({"m.py": """
        from openai import OpenAI

        class Step:
            def run(self, prompt):
                resp = OpenAI().chat.completions.create(model="gpt-4o", messages=[])
                return self.handle(resp, prompt)

            def handle(self, resp, prompt):
                return resp

        class Planner(Step):
            def handle(self, resp, prompt):
                return resp.choices[0].message.content

        class Critic(Step):
            def handle(self, resp, prompt):
                return resp.choices[0].message.content.strip()
    """})
    for q in ("m.Step.handle", "m.Planner.handle", "m.Critic.handle"):
        assert _llm_sites(g, q, "resp") == {"m.Step.run"}, q
    # a subclass without its own override still dispatches to the base one
    assert "m.Step.run" in {s.func.qualname for s in g.callers(g.functions["m.Planner.handle"])}


def test_self_dispatch_restriction_stays_on_the_same_object() -> None:
    # a wrapper backend delegates to another backend of the same hierarchy: that object's
    # `self` is not restricted to the wrapper's class
    g = graph_of({"m.py": """
        from openai import OpenAI

        class Backend:
            def answer(self, q):
                raw = self.send(q)
                return self.read(raw)

            def send_raw(self, q):
                return self.send(q)

            def read(self, raw):
                return raw.choices[0].message.content

        class OpenAIBackend(Backend):
            def send(self, q):
                return OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])

        class Retrying(Backend):
            def __init__(self, inner: Backend):
                self.inner = inner

            def send(self, q):
                return self.inner.send_raw(q)

            def read(self, raw):
                return raw.choices[0].message.content.strip()

        Retrying(OpenAIBackend()).answer("hi")
    """})
    assert _llm_sites(g, "m.Retrying.read", "raw") == {"m.OpenAIBackend.send"}
    assert _llm_sites(g, "m.Backend.read", "raw") == {"m.OpenAIBackend.send"}


LIBRARY_AND_TESTS = {
    "chatlib/__init__.py": "",
    "chatlib/client.py": """
        from dataclasses import dataclass
        from openai import OpenAI

        @dataclass
        class Settings:
            model: str = "gpt-4o-mini"
            temperature: float = 0.0

        class Chat:
            def __init__(self, model_name: str, settings: Settings = Settings()):
                self.model_name = model_name
                self.settings = settings
                self.client = OpenAI()

            def ask(self, prompt):
                return self.client.chat.completions.create(
                    model=self.model_name, messages=[{"role": "user", "content": prompt}])

            def ask_with_settings(self, prompt):
                return self.client.chat.completions.create(
                    model=self.settings.model, messages=[{"role": "user", "content": prompt}])
    """,
    "app.py": """
        from chatlib.client import Chat, Settings

        Chat("gpt-4o", Settings(model="gpt-4.1")).ask("hello")
    """,
    "tests/__init__.py": "",
    "tests/test_client.py": """
        from chatlib.client import Chat, Settings

        def make(model):
            return Chat(model, Settings(model="gpt-4-32k"))

        def test_reasoning_model():
            make("o1-mini").ask("hi")

        def test_audio_model():
            Chat("gpt-4o-audio-preview").ask_with_settings("hi")
    """,
}


def _models(g, func: str) -> set[str]:
    return {m for c in g.agent.llm_calls if c.func.qualname == func for m, _ in c.model_ids()}


def test_values_from_test_code_do_not_feed_library_code() -> None:
    g = graph_of(LIBRARY_AND_TESTS)
    # the library's model comes from the application, not from what the tests pass
    assert _models(g, "chatlib.client.Chat.ask") == {"gpt-4o"}
    assert _models(g, "chatlib.client.Chat.ask_with_settings") == {"gpt-4.1", "gpt-4o-mini"}  # field and default
    # the call graph still has the test callers; only their values stay in test code
    init = g.functions["chatlib.client.Chat.__init__"]
    assert {s.func.path for s in g.callers(init)} == {"app.py", "tests/test_client.py"}
    assert {s.func.path for s in g.argument_sites(init)} == {"app.py"}
    # test code still feeds test code
    make = g.functions["tests.test_client.make"]
    assert Const("o1-mini") in g.resolver.param_values(make, "model")


def test_library_code_called_only_from_tests_keeps_its_parameters_open() -> None:
    files = dict(LIBRARY_AND_TESTS)
    del files["app.py"]
    g = graph_of(files)
    assert _models(g, "chatlib.client.Chat.ask") == set()
    init = g.functions["chatlib.client.Chat.__init__"]
    assert any(isinstance(v, ParamRef) for v in g.resolver.param_values(init, "model_name"))


def test_a_field_default_is_not_certain_when_constructions_pass_unknown_values() -> None:
    from agentable.cpg.tools import const_str

    g = graph_of({"m.py": """
        from dataclasses import dataclass

        @dataclass
        class PluginSpec:
            name: str = ""
            description: str = ""

            @staticmethod
            def from_yaml(d):
                return PluginSpec(name=d["name"], description=d["description"])

            def tool_schema(self):
                return {"name": self.name, "description": self.description}
    """})
    f = g.functions["m.PluginSpec.tool_schema"]
    desc = f.returns[0].value.values[1]
    vals = g.values(desc, f, f.returns[0])
    assert Const("") in vals and any(not isinstance(v, Const) for v in vals)
    assert const_str(g, desc, f) is None


def test_settings_inside_a_config_argument() -> None:
    # google-genai takes system_instruction / stop_sequences inside config=, as a
    # GenerateContentConfig(...) or a dict, written in the call or bound to a name
    g = graph_of({"m.py": """
        from google import genai
        from google.genai import types

        client = genai.Client()
        CFG = {"system_instruction": "Be brief.", "max_output_tokens": 256}

        def bound(text):
            config = types.GenerateContentConfig(stop_sequences=["\\nObservation:"], temperature=0)
            return client.models.generate_content(model="gemini-2.5-flash", contents=text, config=config).text

        def module_dict(text):
            return client.models.generate_content(model="gemini-2.5-flash", contents=text, config=CFG).text

        def opaque(text, cfg):
            return client.models.generate_content(model="gemini-2.5-flash", contents=text, config=cfg).text
    """})
    calls = {c.func.name: c for c in g.agent.llm_calls}
    stop = calls["bound"].setting("stop")
    assert stop is not None and stop.where == "config" and isinstance(stop.expr, ir.Seq)
    assert calls["bound"].setting("system") is None
    system = calls["module_dict"].setting("system")
    assert system is not None and system.expr.value == "Be brief." and system.func.is_module
    assert calls["module_dict"].setting("stop") is None
    assert calls["opaque"].setting("stop") is None  # a parameter: nothing to read


def test_chat_settings_come_from_the_config_of_the_chat_unless_the_message_has_one() -> None:
    # google-genai chats.py: send_message(config=...) replaces the config given to chats.create
    g = graph_of({"m.py": """
        from google import genai
        from google.genai import types

        def lookup(city: str) -> str:
            \"\"\"Look up a city.\"\"\"
            return city

        client = genai.Client()
        chat = client.chats.create(model="gemini-2.5-flash", config=types.GenerateContentConfig(tools=[lookup]))

        def inherited(text):
            return chat.send_message(text).text

        def replaced(text):
            return chat.send_message(text, config={"temperature": 0}).text
    """})
    calls = {c.func.name: c for c in g.agent.llm_calls}
    tools = calls["inherited"].setting("tools")
    assert tools is not None and tools.where == "config" and tools.func.is_module and isinstance(tools.expr, ir.Seq)
    assert calls["replaced"].setting("tools") is None
    assert calls["replaced"].setting("temperature") is not None
    found = {t.name: t for t in g.agent.tools}
    assert found["lookup"].kind == "function" and found["lookup"].framework == "google-genai"


def test_tool_constructor_mapped_over_functions() -> None:
    # map(Ctor, functions) builds one tool per function of the literal collection
    g = graph_of({"m.py": """
        from llama_index.core.tools import FunctionTool

        def search(q: str) -> str:
            \"\"\"Search the wiki.\"\"\"
            return q

        def fetch(url: str) -> str:
            \"\"\"Fetch a page.\"\"\"
            return url

        FUNCS = [search, fetch]
        inline = list(map(FunctionTool.from_defaults, (search,)))
        bound = {t.metadata.name: t for t in map(FunctionTool.from_defaults, FUNCS)}
        other = list(map(str, FUNCS))
    """})
    tools = sorted((t.name, t.pos[0], t.description_source) for t in g.agent.tools)
    assert tools == [("fetch", 14, "docstring"), ("search", 13, "docstring"), ("search", 14, "docstring")]


def test_state_graph_cycles_from_nodes_edges_and_routes() -> None:
    g = graph_of({"flow.py": """
        from langgraph.graph import END, StateGraph

        def plan(s): return s
        def act(s): return s
        def check(s): return s
        def report(s): return s
        def again(s):
            return "plan" if s["todo"] else END
        def pick(s):
            return s["next"]

        loop = StateGraph(dict)
        loop.add_node(plan)
        loop.add_node("act", act)
        loop.add_node("check", check)
        loop.add_edge("plan", "act")
        loop.add_edge(["act"], "check")
        loop.add_conditional_edges("check", again)

        line = StateGraph(dict)
        line.add_node("plan", plan)
        line.add_node("report", report)
        line.add_edge("plan", "report")
        line.add_conditional_edges("report", pick)
        line.add_edge("report", END)
    """})
    cycles = g.agent.graph_cycles
    members = frozenset({"flow.plan", "flow.act", "flow.check", "flow.again"})
    assert cycles["flow.act"] == members and cycles["flow.again"] == members
    assert cycles["flow.plan"] == members  # the node of the cyclic graph, not the linear one
    assert "flow.report" not in cycles and "flow.pick" not in cycles  # a computed route adds no edge


def test_functions_given_as_tools_to_an_llm_call_are_function_tools() -> None:
    g = graph_of({"m.py": """
        import ollama

        def lookup(city: str) -> str:
            \"\"\"Look up a city.\"\"\"
            return city

        def undocumented(x):
            return x

        def not_a_tool(y):
            return y

        TOOLS = {"lookup": lookup, "undocumented": undocumented}

        def run(q):
            ollama.chat(model="llama3.1", messages=[{"role": "user", "content": q}], tools=list(TOOLS.values()))
            return not_a_tool(q)
    """})
    tools = {t.name: t for t in g.agent.tools}
    assert set(tools) == {"lookup", "undocumented"}
    assert tools["lookup"].kind == "function" and tools["lookup"].framework == "ollama"
    assert tools["lookup"].description == "Look up a city." and tools["undocumented"].description is None


def test_functions_whose_docstrings_the_prompt_lists_are_function_tools() -> None:
    g = graph_of({"m.py": """
        from openai import OpenAI

        def add(q):
            \"\"\"Add two numbers: 'a + b'.\"\"\"

        def sub(q):
            pass

        def helper(q):
            pass

        def shown(q):
            pass

        TOOLS = {"plus": add, "minus": sub}
        EXTRA = {"helper": helper}
        FALLBACK = {"helper": "Helps."}

        def run(question):
            listing = "\\n".join(f"{name}: {fn.__doc__}" for name, fn in TOOLS.items())
            other = "\\n".join(f"{n}: {f.__doc__ or FALLBACK[n]}" for n, f in EXTRA.items())
            print(shown.__doc__)
            prompt = f"Tools:\\n{listing}\\n{other}\\nQuestion: {question}"
            return OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    """})
    tools = {t.name: t for t in g.agent.tools}
    assert set(tools) == {"plus", "minus"}
    assert tools["plus"].func.name == "add" and tools["plus"].description_source == "docstring"
    assert tools["minus"].description is None and tools["minus"].framework == ""


def _returned(g, qualname):
    f = g.functions[qualname]
    r = f.returns[0]
    return [v for v in g.values(r.value, f, r) if isinstance(v, LLMOutput)]


def test_text_paths_follow_the_api_the_response_came_from() -> None:
    # the catalog's output_text / output_content paths decide what is text, per API: the
    # Responses API's `.output` is the list of output items, its items' fields are not text,
    # a function_call item's `.arguments` and a message item's text part are model-written
    g = graph_of({"m.py": """
        from anthropic import Anthropic
        from openai import OpenAI

        client = OpenAI()
        claude = Anthropic()

        def items(q):
            return client.responses.create(model="gpt-4.1", input=q).output

        def item_type(q):
            return client.responses.create(model="gpt-4.1", input=q).output[0].type

        def arguments(q):
            return client.responses.create(model="gpt-4.1", input=q).output[0].arguments

        def message_text(q):
            r = client.responses.create(model="gpt-4.1", input=q)
            for item in r.output:
                for part in item.content:
                    return part.text

        def output_text(q):
            return client.responses.create(model="gpt-4.1", input=q).output_text

        def chat_text(q):
            return client.chat.completions.create(model="gpt-4o", messages=q).choices[0].message.content

        def chat_arguments(q):
            r = client.chat.completions.create(model="gpt-4o", messages=q)
            for call in r.choices[0].message.tool_calls:
                return call.function.arguments

        def chat_role(q):
            return client.chat.completions.create(model="gpt-4o", messages=q).choices[0].message.role

        def streamed(q):
            for chunk in client.chat.completions.create(model="gpt-4o", messages=q, stream=True):
                return chunk.choices[0].delta.content

        def blocks(q):
            return claude.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=q).content

        def block_text(q):
            return claude.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=q).content[0].text
    """})
    text = {name: [v.text for v in _returned(g, f"m.{name}")] for name in (
        "items", "item_type", "arguments", "message_text", "output_text", "chat_text", "chat_arguments",
        "chat_role", "streamed", "blocks", "block_text")}
    assert text["items"] == [False] and text["item_type"] == [False] and text["chat_role"] == [False]
    assert text["blocks"] == [False]
    for name in ("arguments", "message_text", "output_text", "chat_text", "chat_arguments", "block_text"):
        assert text[name] == [True], name
    assert text["streamed"] == [True]  # chunks of a stream: the paths do not describe them
    (args,) = _returned(g, "m.arguments")
    assert args.read == ("output", "[]", "arguments") and "`.arguments`" in args.steps[-1][2]


def test_config_literal_of_an_llm_call() -> None:
    g = graph_of({"m.py": """
        from google import genai
        from google.genai import types

        client = genai.Client()
        PLAIN = types.GenerateContentConfig(temperature=0.2)

        def bound(text):
            return client.models.generate_content(model="gemini-2.5-flash", contents=text, config=PLAIN)

        def opaque(text, cfg):
            return client.models.generate_content(model="gemini-2.5-flash", contents=text, config=cfg)

        def none(text):
            return client.models.generate_content(model="gemini-2.5-flash", contents=text)
    """})
    calls = {c.func.name: c for c in g.agent.llm_calls}
    found = calls["bound"].config_literal()
    assert found is not None and isinstance(found[0], ir.Call) and found[1].is_module
    assert calls["opaque"].config_literal() is None and calls["none"].config_literal() is None


def test_find_module_prefers_the_candidate_nearest_the_importer_among_many() -> None:
    # a monorepo where every app has its own `tools`: the nearest by leading dotted names wins,
    # the first of equally near ones otherwise (as a scan of every candidate would pick)
    files = {f"apps.app{i}.tools.py".replace(".", "/", 2): "X = 1\n" for i in range(6)}
    files.update({"apps/app3/agents/runner.py": "import tools\n", "lib/tools.py": "Y = 2\n",
                  "other/deep/main.py": "import tools\n", "apps/app5/main.py": "from tools import X\n"})
    g = graph_of(files)
    runner, main, app5 = g.modules["apps.app3.agents.runner"], g.modules["other.deep.main"], g.modules["apps.app5.main"]
    assert g.find_module("tools", runner).name == "apps.app3.tools"
    assert g.find_module("tools", app5).name == "apps.app5.tools"  # the sibling
    first = next(n for n in g.modules if n.endswith(".tools"))
    assert g.find_module("tools", main).name == first  # nothing nearer: the first candidate
    assert g.find_module("tools") is None  # ambiguous without an importer
    assert g.imported_modules(runner) == {"apps.app3.tools"}
    assert g.imported_modules(app5) == {"apps.app5.tools"}


def test_mro_is_breadth_first_and_kept() -> None:
    g = graph_of({"m.py": """
        class A: pass
        class B(A): pass
        class C(A): pass
        class D(B, C): pass
    """})
    assert [c.name for c in g.mro("m.D")] == ["D", "B", "C", "A"]
    assert g.mro("m.D") is g.mro("m.D")
