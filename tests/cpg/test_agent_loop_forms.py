"""Agent loops written in forms other than a `while` around a model call: a base class's run loop
that reaches the model through an overridden step and a pydantic `default_factory` field, an
Assistants run polled until it is done, and recursion."""

from agentable.rules.mnft.recursion import recursive_agent_loops

from tests.conftest import graph_of

FIELD_AGENT = {
    "app/llm.py": """
        from openai import OpenAI

        class LLM:
            def __init__(self):
                self.client = OpenAI()

            def ask(self, messages):
                return self.client.chat.completions.create(model="gpt-4.1", messages=messages)
    """,
    "app/agent.py": """
        from abc import ABC, abstractmethod
        from pydantic import BaseModel, Field
        from app.llm import LLM

        class Base(BaseModel, ABC):
            llm: LLM = Field(default_factory=LLM)
            steps: int = 0

            def run(self):
                while self.steps < 10:
                    self.steps += 1
                    self.step()

            @abstractmethod
            def step(self): ...

        class Chat(Base):
            def step(self):
                return self.llm.ask([{"role": "user", "content": "hi"}])
    """,
}


def test_default_factory_field_and_overridden_step_make_the_run_loop_an_agent_loop() -> None:
    g = graph_of(FIELD_AGENT)
    assert "app.agent.Chat.step" in g.agent.llm_functions
    assert [(lp.func.qualname, lp.loop.pos[0]) for lp in g.agent.loops] == [("app.agent.Base.run", 11)]


def test_a_field_without_a_factory_gives_no_instance() -> None:
    src = dict(FIELD_AGENT)
    src["app/agent.py"] = src["app/agent.py"].replace("Field(default_factory=LLM)", "Field(default=None)")
    g = graph_of(src)
    assert "app.agent.Chat.step" not in g.agent.llm_functions


ASSISTANTS = {"runner.py": """
    import time
    from openai import OpenAI

    client = OpenAI()

    def wait(thread_id, run_id):
        while True:
            run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
            if run.status == "completed":
                return run
            time.sleep(1)

    def start(thread_id):
        return client.beta.threads.messages.create(thread_id=thread_id, role="user", content="hi")
"""}


def test_assistants_runs_are_model_calls_and_their_polling_loop_an_agent_loop() -> None:
    g = graph_of(ASSISTANTS)
    assert [(c.api, c.call.pos[0]) for c in g.agent.llm_calls] == [("assistants", 9)]  # not messages.create
    assert [lp.func.qualname for lp in g.agent.loops] == ["runner.wait"]
    spec = g.catalog.retired_api("openai.OpenAI().beta.threads.messages.create")
    assert spec is not None and spec.retired == "2026-08-26"
    assert g.catalog.retired_api("openai.OpenAI().responses.create") is None


RECURSION = """
    from openai import OpenAI

    client = OpenAI()

    def run_tool(call):
        return "ok"

    def chat(messages, depth=0):
        reply = client.chat.completions.create(model="gpt-4.1", messages=messages)
        msg = reply.choices[0].message
        if not msg.tool_calls:
            return msg.content
        for call in msg.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": run_tool(call)})
        return chat(messages{arg})
"""


def test_recursion_after_a_reply_test_is_an_agent_loop_unless_a_depth_is_passed_down() -> None:
    loops = recursive_agent_loops(graph_of({"agent.py": RECURSION.replace("{arg}", "")}))
    assert [(r.func.qualname, r.site.call.pos[0], r.decided_at.pos[0]) for r in loops] == [("agent.chat", 16, 12)]
    assert recursive_agent_loops(graph_of({"agent.py": RECURSION.replace("{arg}", ", depth + 1")})) == []
    # a keyword the function does not take (a decorator's) bounds nothing
    loops = recursive_agent_loops(graph_of({"agent.py": RECURSION.replace("{arg}", ", cache=False")}))
    assert len(loops) == 1
