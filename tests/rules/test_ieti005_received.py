"""IETI005 asks the checker only about tools something in the project can hand to a model: a
template tool no agent, crew or tool list is given is not asked about, a received one is, and a
project with no agent of its own (a library whose users pass its tools) keeps every tool."""

from __future__ import annotations

from collections.abc import Sequence

from agentable.nl_check.questions import Question, ToolDescriptionQuestion, Verdict
from agentable.rule_runner import run_rules
from agentable.rules import get_rule
from tests.conftest import graph_of

IETI005 = get_rule("IETI005")

TOOLS = '''
    import requests
    from crewai.tools import BaseTool
    from langchain_core.tools import tool
    from mcp.server.fastmcp import FastMCP

    server = FastMCP("ops")


    class FetchInvoice(BaseTool):
        name: str = "fetch_invoice"
        description: str = "Fetch one invoice by its number."

        def _run(self, number: str) -> str:
            return requests.get(f"https://billing.example.com/invoices/{number}", timeout=10).text


    class StarterTool(BaseTool):
        name: str = "Name of my tool"
        description: str = "Clear description for what this tool is useful for."

        def _run(self, argument: str) -> str:
            return "example output"


    @tool
    def unused_helper(text: str) -> str:
        """Count the words of a text."""
        return str(len(text.split()))


    @server.tool()
    def ping(host: str) -> str:
        """Check that a host answers."""
        return requests.get(f"https://{host}/health", timeout=5).text
'''

CREW = '''
    from crewai import Agent

    # from app.tools import StarterTool
    from app.tools import FetchInvoice

    clerk = Agent(role="Billing clerk", goal="Answer invoice questions", backstory="You keep the books.",
                  tools=[FetchInvoice()])
'''


class StubChecker:
    """The part of nl_check.Checker a rule uses: records the questions, answers each "consistent"."""

    llm_active = True

    def __init__(self) -> None:
        self.asked: list[Question] = []

    def ask_many(self, questions: Sequence[Question]) -> list[Verdict]:
        self.asked.extend(questions)
        return [Verdict("yes", 0.9, "Consistent.", "llm") for _q in questions]


def _asked(files: dict[str, str], include_tests: bool = False) -> list[str]:
    assert IETI005 is not None
    stub = StubChecker()
    findings, notes = run_rules(graph_of(files), [IETI005], stub, include_tests=include_tests)  # type: ignore[arg-type]
    assert findings == [] and notes == []
    return sorted(q.tool_name for q in stub.asked if isinstance(q, ToolDescriptionQuestion))


def test_tools_no_agent_receives_are_not_asked_about() -> None:
    asked = _asked({"app/__init__.py": "", "app/tools.py": TOOLS, "app/crew.py": CREW})
    # the template class is named only in a comment, the @tool function nowhere; the MCP server
    # registers `ping` by its decorator, and the clerk is given FetchInvoice
    assert asked == ["fetch_invoice", "ping"]


def test_a_library_without_agents_keeps_every_tool() -> None:
    asked = _asked({"app/__init__.py": "", "app/tools.py": TOOLS})
    assert asked == ["Name of my tool", "fetch_invoice", "ping", "unused_helper"]


def test_a_template_copied_into_two_folders_is_still_not_received() -> None:
    files = {"app/__init__.py": "", "app/tools.py": TOOLS, "app/crew.py": CREW,
             "other/__init__.py": "", "other/tools.py": TOOLS.replace("FetchInvoice", "FetchOrder")}
    # StarterTool and unused_helper are now defined twice and still used nowhere; FetchOrder (also
    # named "fetch_invoice") is given to no agent; the copy's MCP tool is registered like the first
    assert _asked(files) == ["fetch_invoice", "ping", "ping"]


TEST_TOOLS = '''
    from crewai import Agent
    from crewai.tools import BaseTool


    class CannedInvoice(BaseTool):
        name: str = "canned_invoice"
        description: str = "Return a fixed invoice for the tests."

        def _run(self, number: str) -> str:
            return "INV-1: 10 EUR"


    def test_clerk_reads_an_invoice():
        clerk = Agent(role="Clerk", goal="Read invoices", backstory="Test double.", tools=[CannedInvoice()])
        assert clerk.tools
'''


def test_tools_in_test_code_are_asked_about_only_when_test_findings_are_reported() -> None:
    files = {"app/__init__.py": "", "app/tools.py": TOOLS, "app/crew.py": CREW, "tests/test_clerk.py": TEST_TOOLS}
    assert _asked(files) == ["fetch_invoice", "ping"]
    assert _asked(files, include_tests=True) == ["canned_invoice", "fetch_invoice", "ping"]


class DoubtingChecker(StubChecker):
    """Answers every tool question "no" (a contradiction) with one confidence."""

    def __init__(self, confidence: float) -> None:
        super().__init__()
        self.confidence = confidence

    def ask_many(self, questions: Sequence[Question]) -> list[Verdict]:
        self.asked.extend(questions)
        return [Verdict("no", self.confidence, "It fetches a receipt, not an invoice.", "llm") for _q in questions]


def test_a_model_verdict_is_reported_only_from_the_shared_confidence_up() -> None:
    assert IETI005 is not None
    files = {"app/__init__.py": "", "app/tools.py": TOOLS, "app/crew.py": CREW}
    unsure, _ = run_rules(graph_of(files), [IETI005], DoubtingChecker(0.55))  # type: ignore[arg-type]
    sure, _ = run_rules(graph_of(files), [IETI005], DoubtingChecker(0.6))  # type: ignore[arg-type]
    assert unsure == []
    assert sorted(f.message.split("`")[1] for f in sure) == ["fetch_invoice", "ping"]
