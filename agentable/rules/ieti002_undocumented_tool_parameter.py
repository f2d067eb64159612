"""IETI002: a tool parameter the model is not told about where it needs to be."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.tool_specs import file_tool_specs
from agentable.query.tools import (
    documented_param_names,
    schema_properties,
    shown_params,
    tool_anchor,
    tool_function_param_names,
    tool_reads_docstring,
)
from agentable.rules.base import Rule, RuleContext, RuleMeta

# Parameter names that say nothing about what to pass: a JSON-schema property with such a name and
# no description, enum or mention in the tool description leaves the model guessing.
OPAQUE_PARAM_NAMES = frozenset({
    "input", "inp", "data", "value", "val", "arg", "args", "argument", "arguments", "param", "params",
    "payload", "obj", "object", "item", "thing", "x", "y", "s", "v", "p", "d", "input_data", "tool_input",
})


class UndocumentedToolParameter(Rule):
    meta = RuleMeta(
        id="IETI002",
        name="undocumented-tool-parameter",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool parameter is not documented where the model (or the framework) needs it.",
        full=("The model fills tool arguments from the parameter documentation it is shown. smolagents "
              "refuses a `@tool` whose docstring `Args:` section omits a parameter and a `Tool` whose `inputs` "
              "entry has no description; a docstring whose `Args:` section documents some parameters but not "
              "another leaves that one unexplained; a JSON tool schema property with an opaque name (`input`, "
              "`data`, `x`) and no description or enum gives the model nothing to go on. The model then "
              "guesses, passes the wrong thing, or the tool fails to load. "
              "A property of the tool alone: judged whether or not the scanned code builds the agent that "
              "runs it (a tool library is checked too)."),
        bad_example=('@tool\ndef convert(amount: float, currency: str) -> str:\n'
                     '    """Convert money.\n\n    Args:\n        amount: how much\n    """'),
        good_example=('@tool\ndef convert(amount: float, currency: str) -> str:\n'
                      '    """Convert money.\n\n    Args:\n        amount: how much\n'
                      '        currency: ISO 4217 code to convert to, e.g. EUR\n    """'),
        fix="Document every parameter: an `Args:` entry in the docstring, an `inputs` description, or a "
            "`description` in the JSON schema property.",
        tags=("tools", "parameters"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for tool in graph.agent.tools:
            if tool.kind in ("decorator", "constructor", "function"):
                yield from self._function_tool(ctx, tool)
            elif tool.kind == "class":
                yield from self._class_tool(ctx, tool)
            elif tool.kind == "schema":
                yield from self._schema_tool(ctx, tool)
        yield from self._file_specs(ctx)

    def _function_tool(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        func = tool.func
        if func is None or func.node is None or not func.node.docstring or not tool_reads_docstring(tool):
            return
        if getattr(tool.spec, "described_only", False):
            return  # the project writes the parameters into its own text (a signature with types and
            # choices, or none at all for some): which ones the model is told about is not known
        docs = documented_param_names(tool)
        required = bool(getattr(tool.spec, "requires_param_docs", False))
        if not docs and not required:
            return  # no parameter section at all: the description may explain them in prose
        names = tool_function_param_names(func)
        if not required and names is not None and any(d not in names for d in docs):
            return  # the section names a parameter the function lacks: a rename, reported by IETI003
        for p in shown_params(tool, ctx.graph):
            if p.name in docs:
                continue
            param = next((x for x in func.node.params if x.name == p.name), None)
            pos = param.pos if param is not None else tool_anchor(tool)
            if required:
                yield self.finding(
                    ctx, tool.path, pos,
                    f"Parameter `{p.name}` of tool `{tool.name}` has no entry in the docstring's `Args:` section; "
                    f"{tool.framework} requires one for every parameter and refuses to build the tool. "
                    f"Add `{p.name}: <what to pass>` under `Args:`.",
                    severity=Severity.ERROR)
            else:
                listed = ", ".join(f"`{n}`" for n in docs)
                yield self.finding(
                    ctx, tool.path, pos,
                    f"The docstring of tool `{tool.name}` documents {listed} but not parameter `{p.name}`, so the "
                    f"model is not told what to pass for it; add `{p.name}` to the parameter section.")

    def _class_tool(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        graph = ctx.graph
        spec = tool.spec
        attr = getattr(spec, "params_attr", None)
        if not attr or not getattr(spec, "requires_param_docs", False) or tool.cls is None:
            return
        lit = _class_attr_literal(graph, tool.cls, attr)
        if lit is None:
            return
        node, _owner = lit
        for k, v in zip(node.keys, node.values, strict=True):
            if not (isinstance(k, ir.Constant) and isinstance(k.value, str)) or not isinstance(v, ir.Dict):
                continue
            if any(key is None for key in v.keys):
                continue
            desc = v.get("description")
            text = ir.string_value(desc) if desc is not None else None
            if desc is None or (text is not None and not text.strip()):
                yield self.finding(
                    ctx, tool.path, k.pos,
                    f"Input `{k.value}` of tool `{tool.name}` has no description in `{attr}`; {tool.framework} "
                    f"requires a \"description\" for every input and refuses the tool. Say what the model should pass.",
                    severity=Severity.ERROR)

    def _schema_tool(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        props = schema_properties(tool)
        if not props:
            return
        tool_text = (tool.description or "").lower() if tool.description != "<dynamic>" else None
        if tool_text is None:
            return
        for name, key, prop in props:
            if not _opaque(name) or prop is None or any(k is None for k in prop.keys):
                continue
            if prop.get("description") is not None or prop.get("enum") is not None or prop.get("const") is not None:
                continue
            if name.lower() in tool_text.replace("`", " ").split() or f"`{name.lower()}`" in tool_text:
                continue
            yield self.finding(
                ctx, tool.path, key.pos,
                f"Parameter `{name}` of tool `{tool.name}` has an uninformative name and no description, so the "
                f"model has to guess what to pass; add a \"description\" (and an enum where the values are fixed).")


    def _file_specs(self, ctx: RuleContext) -> Iterable[Finding]:
        """A tool schema in a YAML/JSON file the code loads: the same test as a schema in code."""
        for loaded in file_tool_specs(ctx.graph):
            spec = loaded.spec
            if spec.description == "<dynamic>":
                continue
            tool_text = (spec.description or "").lower().replace("`", " ")
            for p in spec.params:
                if p.described or not _opaque(p.name) or p.name.lower() in tool_text.split():
                    continue
                yield self.finding(
                    ctx, spec.path, p.pos,
                    f"Parameter `{p.name}` of tool `{spec.name}` has an uninformative name and no description, so "
                    f"the model has to guess what to pass; add a \"description\" (and an enum where the values are "
                    f"fixed).")


def _opaque(name: str) -> bool:
    return name.lower() in OPAQUE_PARAM_NAMES or len(name) == 1  # `q`, `k`, `m`: a letter says nothing


def _class_attr_literal(graph, cls, attr: str):
    for c in graph.mro(cls.qualname):
        for value, _s, method in c.attrs.get(attr, []):
            if isinstance(value, ir.Dict):
                return value, method or c.module.toplevel
            return None
    return None
