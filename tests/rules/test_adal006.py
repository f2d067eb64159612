"""ADAL006's own logic, with a stand-in for the LLM checker: no server, no `openai` package.

The rule reports only when an LLM checker is configured (tests/integration/test_llm_scan.py runs it
end to end with the real openai client against a loopback server); here the checker is a stub that
answers the rule's questions, so what the rule asks and what it makes of the answers is tested
whether or not the optional `openai` extra is installed."""

from __future__ import annotations

from collections.abc import Sequence

from agentable.nl_check.questions import ModelSuitabilityQuestion, Question, Verdict
from agentable.rule_runner import run_rules
from agentable.rules import get_rule
from tests.conftest import graph_of

ADAL006 = get_rule("ADAL006")

AGENT = {"agent.py": '''
    from langchain_core.tools import tool
    from langchain_ollama import ChatOllama
    from langgraph.prebuilt import create_react_agent


    @tool
    def find_flights(origin: str, destination: str) -> str:
        """Find flights between two airports and list departure times."""
        return f"{origin} -> {destination}: 08:15, 13:40"


    pixel = ChatOllama(model="acme-pixelgen-2b")
    agent = create_react_agent(pixel, [find_flights])
    again = create_react_agent(ChatOllama(model="acme-pixelgen-2b"), [find_flights])
    coder = ChatOllama(model="acme-coder-1b").bind_tools([find_flights])
    known = ChatOllama(model="llama3.1").bind_tools([find_flights])


    def answer(question: str) -> str:
        return coder.invoke(question).content + known.invoke(question).content
'''}


class StubChecker:
    """The part of nl_check.Checker a rule uses, answering every question with `verdicts[model_id]`."""

    def __init__(self, verdicts: dict[str, Verdict], llm_active: bool = True) -> None:
        self.verdicts = verdicts
        self.llm_active = llm_active
        self.asked: list[Question] = []

    def ask_many(self, questions: Sequence[Question]) -> list[Verdict]:
        self.asked.extend(questions)
        return [self.verdicts.get(q.model_id, Verdict.unknown("no answer")) for q in questions]  # type: ignore[union-attr]


def _run(checker: StubChecker | None) -> list:
    assert ADAL006 is not None
    findings, notes = run_rules(graph_of(AGENT), [ADAL006], checker)  # type: ignore[arg-type]
    assert notes == []
    return findings


def test_offline_the_rule_is_silent_and_asks_nothing() -> None:
    assert _run(None) == []
    stub = StubChecker({"acme-pixelgen-2b": Verdict("no", 0.9, "An image model.", "llm")}, llm_active=False)
    assert _run(stub) == [] and stub.asked == []


def test_models_missing_from_the_table_are_asked_once_per_role() -> None:
    stub = StubChecker({})
    assert _run(stub) == []
    asked = [(q.model_id, q.role, q.provider) for q in stub.asked if isinstance(q, ModelSuitabilityQuestion)]
    # llama3.1 is in the model table; the second agent on acme-pixelgen-2b is the same question again
    assert sorted(asked) == [("acme-coder-1b", "tool-calling-agent", "ollama"),
                             ("acme-pixelgen-2b", "chat-agent", "ollama")]
    assert len(stub.asked) == 2


def test_a_confident_unsuitable_verdict_is_a_finding_with_its_reason() -> None:
    reason = "It is an image-generation model, not a chat model."
    stub = StubChecker({"acme-pixelgen-2b": Verdict("no", 0.9, reason, "llm"),
                        "acme-coder-1b": Verdict("yes", 0.95, "A small model that calls tools.", "llm")})
    (finding,) = _run(stub)
    assert (finding.rule_id, finding.span.path, finding.span.line) == ("ADAL006", "agent.py", 13)
    assert finding.checker_reason == reason
    assert "`acme-pixelgen-2b`" in finding.message and "as a chat agent" in finding.message
    assert reason in finding.message


def test_unsure_or_unknown_verdicts_are_not_findings() -> None:
    stub = StubChecker({"acme-pixelgen-2b": Verdict("no", 0.59, "Probably an image model.", "llm"),
                        "acme-coder-1b": Verdict("unknown", 0.0, "Not enough information.", "llm")})
    assert _run(stub) == []


def test_the_role_is_named_and_a_confidence_of_0_6_is_enough() -> None:
    stub = StubChecker({"acme-coder-1b": Verdict("no", 0.6, "A code-completion model without tool calls.", "llm")})
    (finding,) = _run(stub)
    assert (finding.span.line, finding.extra.get("model")) == (16, "acme-coder-1b")
    assert "judges it unfit as a tool-calling agent: A code-completion model without tool calls." in finding.message


def test_a_path_to_local_weights_is_not_asked():
    files = {"agent.py": '''
        from llama_cpp import Llama
        from langchain_ollama import ChatOllama

        local = Llama(model_path="/srv/models/support-7b.Q4_K_M.gguf", n_ctx=4096)
        named = ChatOllama(model="acme-support-7b")


        def reply(text: str) -> str:
            out = local.create_chat_completion(messages=[{"role": "user", "content": text}])
            return out["choices"][0]["message"]["content"] + named.invoke(text).content
    '''}
    checker = StubChecker({})
    assert ADAL006 is not None
    run_rules(graph_of(files), [ADAL006], checker)  # type: ignore[arg-type]
    asked = [q.model_id for q in checker.asked]  # type: ignore[union-attr]
    assert "acme-support-7b" in asked
    assert not any(m.startswith("/") or m.endswith(".gguf") for m in asked)
