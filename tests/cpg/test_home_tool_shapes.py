"""The shapes of a project's own tool system that make its classes tools (cpg.home_tools): a base
class declaring name, description and parameter schema (class attributes, fields or abstract
properties) with a stub run method that several subclasses implement, the subclasses found at run
time (importlib over a package, `__subclasses__()`) or imported; and the near misses that are no
tool system (a name and a run method alone, no schema, a single implementation)."""

from __future__ import annotations

import pytest

from tests.conftest import graph_of

LOOP = """
    import importlib, pkgutil
    from openai import OpenAI
    import {pkg}
    from {pkg}.base import {base}

    client = OpenAI()

    def load():
        for info in pkgutil.iter_modules({pkg}.__path__):
            importlib.import_module(f"{pkg}.{{info.name}}")
        return {{c.name: c() for c in {base}.__subclasses__()}}

    def ask(q):
        return client.chat.completions.create(model="gpt-4.1", messages=[{{"role": "user", "content": q}}])
"""

PROPERTY_BASE = """
    from abc import ABC, abstractmethod

    class Plugin(ABC):
        @property
        @abstractmethod
        def name(self) -> str: ...

        @property
        @abstractmethod
        def description(self) -> str: ...

        @property
        @abstractmethod
        def input_schema(self) -> dict: ...

        @abstractmethod
        def execute(self, **kwargs) -> str: ...
"""

ATTRIBUTE_BASE = """
    class Plugin:
        name: str = ""
        description: str = ""
        parameters: dict = {}

        def run(self, **kwargs) -> str:
            raise NotImplementedError
"""

NAME_AND_RUN_ONLY = """
    class Plugin:
        name = "plugin"

        def run(self, **kwargs) -> str:
            raise NotImplementedError
"""

NO_SCHEMA = """
    class Plugin:
        name = "plugin"
        description = "does a thing"

        def execute(self, **kwargs) -> str:
            raise NotImplementedError
"""


def _plugin(method: str, name: str, by_property: bool = False) -> str:
    if by_property:
        head = (f"    @property\n    def name(self):\n        return {name!r}\n\n"
                f"    @property\n    def description(self):\n        return 'The {name} plugin.'\n\n"
                f"    input_schema = {{'type': 'object', 'properties': {{'x': {{'type': 'string'}}}}}}\n")
    else:
        head = (f"    name = {name!r}\n    description = 'The {name} plugin.'\n"
                f"    input_schema = {{'type': 'object', 'properties': {{'x': {{'type': 'string'}}}}}}\n"
                f"    parameters = input_schema\n")
    return (f"from plugins.base import Plugin\n\n\nclass {name.title()}(Plugin):\n{head}\n"
            f"    def {method}(self, **kwargs):\n        return str(kwargs.get('x'))\n")


def _project(base: str, method: str, names: tuple[str, ...] = ("alpha", "beta"), by_property: bool = False) -> dict:
    files = {"plugins/__init__.py": "", "plugins/base.py": base,
             "app.py": LOOP.format(pkg="plugins", base="Plugin")}
    for n in names:
        files[f"plugins/{n}.py"] = _plugin(method, n, by_property)
    return files


def _tools(files: dict) -> list[tuple[str, str, str]]:
    g = graph_of(files)
    return sorted((t.kind, t.name or "", t.func.name if t.func is not None else "") for t in g.agent.tools
                  if t.kind == "class")


@pytest.mark.parametrize("by_property", [False, True])
def test_abstract_property_base_with_subclasses_found_at_run_time(by_property: bool) -> None:
    # the subclasses' modules are imported by no agent module: importlib finds them
    assert _tools(_project(PROPERTY_BASE, "execute", by_property=by_property)) == [
        ("class", "alpha", "execute"), ("class", "beta", "execute")]


def test_attribute_base() -> None:
    assert _tools(_project(ATTRIBUTE_BASE, "run")) == [("class", "alpha", "run"), ("class", "beta", "run")]


@pytest.mark.parametrize("base,method", [(NAME_AND_RUN_ONLY, "run"), (NO_SCHEMA, "execute")])
def test_name_and_run_without_description_or_schema_is_no_tool_system(base: str, method: str) -> None:
    assert _tools(_project(base, method)) == []


def test_a_single_implementation_is_a_hook_not_a_tool_system() -> None:
    assert _tools(_project(PROPERTY_BASE, "execute", names=("alpha",))) == []


def test_a_base_outside_the_agent_code_keeps_its_subclasses_out() -> None:
    files = _project(PROPERTY_BASE, "execute")
    files["app.py"] = "def main():\n    return 1\n"  # no model is called anywhere
    assert _tools(files) == []
