"""A project's own tool systems: tool base classes and function lists of the project's agent class."""

from tests.conftest import graph_of

AGENT = '''
import json
from openai import OpenAI
client = OpenAI()

def loop(tools, messages):
    reply = client.chat.completions.create(model="gpt-4.1", messages=messages,
                                           tools=[t.schema() for t in tools])
    return reply
'''

BASE = '''
class Tool:
    name: str
    description: str
    {params}

    def execute(self, **kwargs) -> str:
        raise NotImplementedError
'''

SUB = '''
from base import Tool

class {cls}(Tool):
    name = "{name}"
    description = "Does {name} for the user."

    def execute(self, text: str) -> str:
        return text
'''


def _class_tools(files: dict[str, str]) -> list[str]:
    g = graph_of({"agent.py": AGENT + "\nimport " + ", ".join(m[:-3] for m in files if m != "base.py") + "\n", **files})
    return sorted(t.name or "" for t in g.agent.tools if t.kind == "class")


def test_subclasses_of_a_tool_shaped_base_are_tools():
    files = {"base.py": BASE.format(params="parameters: dict = {}"),
             "upper.py": SUB.format(cls="Upper", name="upper"), "lower.py": SUB.format(cls="Lower", name="lower")}
    assert _class_tools(files) == ["lower", "upper"]


def test_one_implementation_is_a_hook_not_a_tool_system():
    files = {"base.py": BASE.format(params="parameters: dict = {}"), "upper.py": SUB.format(cls="Upper", name="upper")}
    assert _class_tools(files) == []


def test_a_base_without_a_parameter_schema_is_not_a_tool_base():
    files = {"base.py": BASE.format(params="version: int = 1"),
             "upper.py": SUB.format(cls="Upper", name="upper"), "lower.py": SUB.format(cls="Lower", name="lower")}
    assert _class_tools(files) == []


OWN_AGENT = '''
import inspect
from openai import OpenAI
from pydantic import BaseModel
client = OpenAI()

class Agent(BaseModel):
    functions: list = []

def to_schema(fn):
    return {{"name": fn.__name__, {doc}"parameters": list(inspect.signature(fn).parameters)}}

def run(agent, messages):
    return client.chat.completions.create(model="gpt-4.1", messages=messages,
                                          tools=[to_schema(f) for f in agent.functions])

def lookup(city: str) -> str:
    """Weather in a city."""
    return city

bot = Agent(functions=[lookup])
'''


def test_functions_listed_in_the_projects_agent_are_tools():
    g = graph_of({"agent.py": OWN_AGENT.format(doc='"description": fn.__doc__, ')})
    assert [(t.name, t.description) for t in g.agent.tools if t.kind == "function"] == [("lookup", "Weather in a city.")]


def test_a_generator_that_does_not_read_the_docstring_makes_no_tools():
    g = graph_of({"agent.py": OWN_AGENT.format(doc="")})
    assert [t.name for t in g.agent.tools if t.kind == "function"] == []
