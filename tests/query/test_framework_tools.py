"""Which framework agent runs a tool, where it is run, and a tool's unhandled network I/O."""

from agentable.query.agent_runs import agent_run_sites
from agentable.rules.mnft.helpers import agents_running, unhandled_network_io
from tests.conftest import graph_of

_APP = '''
import httpx
import requests
from langchain.agents import AgentExecutor
from langchain_core.tools import StructuredTool
from pydantic_ai import Agent

bot = Agent("openai:gpt-4o")


def _get(url):
    return requests.get(url, timeout=5).text


def page(url: str) -> str:
    """Fetch a page."""
    return _get(url)


def safe_page(url: str) -> str:
    """Fetch a page, reporting failures."""
    try:
        return _get(url)
    except requests.RequestException as exc:
        return str(exc)


@bot.tool_plain
def status(code: str) -> str:
    """Status of a service."""
    resp = httpx.get("https://status.example/" + code)
    resp.raise_for_status()
    return resp.text


page_tool = StructuredTool.from_function(func=page)
executor = AgentExecutor(agent=None, tools=[page_tool])


def main():
    print(executor.invoke({"input": "x"}))
    print(bot.run_sync("y").output)
'''


def _tool(g, name):
    return next(t for t in g.agent.tools if t.name == name)


def test_network_io_found_through_helpers_and_not_under_a_try():
    g = graph_of({"app.py": _APP})
    hit = unhandled_network_io(g, g.functions["app.page"])
    assert hit is not None and hit.func.qualname == "app._get" and hit.what == "requests.get"
    assert unhandled_network_io(g, g.functions["app.safe_page"]) is None
    first = unhandled_network_io(g, g.functions["app.status"])
    assert first is not None and first.what == "httpx.get"


def test_agents_running_a_tool_and_their_runs():
    g = graph_of({"app.py": _APP})
    (executor,) = agents_running(g, _tool(g, "page"))
    assert executor.path == "langchain.agents.AgentExecutor"
    assert [s.call.pos[0] for s in agent_run_sites(g, executor)] == [41]
    (bot,) = agents_running(g, _tool(g, "status"))  # registered with @bot.tool_plain
    assert bot.path == "pydantic_ai.Agent"
    assert [s.call.pos[0] for s in agent_run_sites(g, bot)] == [42]
