"""query.tool_dispatch_registry: a registry of the project's tool objects filled by their names."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.query.tool_dispatch import lookup_shape
from agentable.query.tool_dispatch_registry import named_registry_targets
from tests.conftest import graph_of

_TOOLS = """
class Step:
    name = ""
    description = ""
    parameters = {}
    def execute(self, args):
        raise NotImplementedError
class Fetch(Step):
    name = "fetch"
    description = "Fetch a page."
    parameters = {"url": "string"}
    def execute(self, args):
        return open(args["url"]).read()
class Count(Step):
    name = "count"
    description = "Count words."
    parameters = {"text": "string"}
    def execute(self, args):
        return str(len(args["text"].split()))
class Probe:
    name = ""
    description = ""
    parameters = {}
    def execute(self, args):
        raise NotImplementedError
class Ping(Probe):
    name = "ping"
    description = "Ping a host."
    parameters = {"host": "string"}
    def execute(self, args):
        return "pong " + args["host"]
class Trace(Probe):
    name = "trace"
    description = "Trace a route."
    parameters = {"host": "string"}
    def execute(self, args):
        return "route " + args["host"]
"""


_RUNNER_HEAD = """
from openai import OpenAI
from steps import Step, Probe
client = OpenAI()
def ask(q):
    return client.chat.completions.create(model="gpt-4.1-mini", messages=[{"role": "user", "content": q}])
"""


def _targets(body: str, method: str = "execute") -> list[str]:
    g = graph_of({"steps.py": _TOOLS, "runner.py": _RUNNER_HEAD + body})
    func = g.functions["runner.Runner.use"]
    for e, _s in func.exprs.get(ir.Subscript, ()):
        _kind, key, container = lookup_shape(e)
        if key is not None:
            return sorted(f.qualname for f in named_registry_targets(g, func, container, method))
    raise AssertionError("no lookup")


def test_stored_by_name_through_a_helper_with_an_annotation() -> None:
    assert _targets("""
class Runner:
    def __init__(self, steps):
        self.table = {}
        for s in steps:
            self.add(s)
    def add(self, step: Step):
        key = step.name
        self.table[key] = step
    def use(self, name, args):
        return self.table[name].execute(args)
""") == ["steps.Count.execute", "steps.Fetch.execute"]


def test_untyped_objects_in_a_comprehension_are_every_tool_class() -> None:
    assert _targets("""
class Runner:
    def __init__(self, steps):
        self.table = {s.name: s for s in steps}
    def use(self, name, args):
        return self.table[name].execute(args)
""") == ["steps.Count.execute", "steps.Fetch.execute", "steps.Ping.execute", "steps.Trace.execute"]


def test_not_keyed_by_the_objects_name() -> None:
    assert _targets("""
class Runner:
    def __init__(self, steps):
        self.table = {}
        for i, s in enumerate(steps):
            self.table[str(i)] = s
    def use(self, name, args):
        return self.table[name].execute(args)
""") == []


def test_a_method_the_tools_do_not_have() -> None:
    assert _targets("""
class Runner:
    def __init__(self, steps):
        self.table = {s.name: s for s in steps}
    def use(self, name, args):
        return self.table[name].describe(args)
""", "describe") == []
