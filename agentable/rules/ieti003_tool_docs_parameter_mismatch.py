"""IETI003: tool documentation and the implementing function disagree on the parameters."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.tools import function_params
from agentable.findings import Finding, Severity
from agentable.query.tool_specs import file_tool_specs
from agentable.query.tools import (
    class_schema_properties,
    documented_param_names,
    kwargs_key_reads,
    schema_properties,
    shown_params,
    tool_anchor,
    tool_function_param_names,
    tool_reads_docstring,
)
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.ieti.description_params import quoted_missing_params
from agentable.rules.ieti.file_specs import loaded_at, spec_function
from agentable.rules.ieti.helpers import (
    dispatcher_supplied_params,
    functions_registered_by_name,
    misplaced_required,
    schema_class_fields,
)


class ToolDocsParameterMismatch(Rule):
    meta = RuleMeta(
        id="IETI003",
        name="tool-docs-parameter-mismatch",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool's documentation or schema names parameters that its function does not have (or omits one it needs).",
        full=("The model builds tool calls from the documented parameters. When the docstring's `Args:` "
              "section, the JSON schema's `properties` or a smolagents `inputs` table names a parameter the "
              "implementing function does not take, the model sends it and the call fails with an unexpected "
              "keyword argument (or the argument is silently lost); when the schema omits a parameter the "
              "function requires (or declares no parameters for a function the code dispatches under the "
              "tool's name), every call fails with a missing argument. Where the framework builds the "
              "schema from the signature and takes each parameter's description from the docstring entry of "
              "the same name (functions passed as `tools=[fn]` to ollama), a renamed entry is dropped and the "
              "parameter reaches the model undescribed. This usually follows a rename that updated the code "
              "but not the tool's documentation. The same holds for a schema kept in a YAML/JSON file the code "
              "loads (a required property the function does not take, a required parameter the schema lacks). "
              "A `required` list written beside `parameters` (or `input_schema`) instead of inside that JSON "
              "schema is not part of it: the schema then requires nothing and the model may omit any argument. "
              "A tool class whose method takes `**kwargs` and reads each argument by name is compared key by key "
              "with the class's literal schema: a key it reads that the schema lacks is never sent, and a property "
              "it never reads is filled in by the model for nothing."),
        bad_example=('def get_weather(city: str) -> str: ...\n'
                     'schema = {"name": "get_weather", "parameters": {"type": "object",\n'
                     '          "properties": {"location": {"type": "string"}}}}'),
        good_example=('def get_weather(city: str) -> str: ...\n'
                      'schema = {"name": "get_weather", "parameters": {"type": "object",\n'
                      '          "properties": {"city": {"type": "string"}}}}'),
        fix="Make the documented parameter names match the function's signature (rename one side).",
        tags=("tools", "parameters"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for tool in graph.agent.tools:
            if tool.kind in ("decorator", "constructor", "function"):
                yield from self._docstring(ctx, tool)
            elif tool.kind == "schema":
                yield from self._schema(ctx, tool)
                yield from self._required_beside(ctx, tool)
            elif tool.kind == "class":
                yield from self._inputs(ctx, tool)
                yield from self._schema_class(ctx, tool)
                yield from self._kwargs_reads(ctx, tool)
        yield from self._file_specs(ctx)

    def _required_beside(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        """`required` written beside the parameters of a hand-written schema, not inside them."""
        found = misplaced_required(tool)
        if found is not None:
            key, names = found
            yield self.finding(ctx, tool.path, key.pos, _beside_message(tool.name, names,
                                                                        getattr(tool.spec, "params_key", "parameters")))

    def _file_specs(self, ctx: RuleContext) -> Iterable[Finding]:
        """Tool schemas in a YAML/JSON file the code loads, against the function that implements them."""
        graph = ctx.graph
        for loaded in file_tool_specs(graph):
            spec = loaded.spec
            if spec.misplaced_required is not None:
                yield self.finding(ctx, spec.path, spec.misplaced_required,
                                   _beside_message(spec.name, spec.misplaced_names, spec.params_key))
            func = spec_function(graph, loaded)
            names = tool_function_param_names(func)
            if func is None or names is None or _takes_a_mapping(func):
                continue
            params = function_params(func, g=graph)
            props = {p.name for p in spec.params}
            if not props & {p.name for p in params} and len(props) != len(params):
                continue  # nothing in common: the schema may describe something else
            real = ", ".join(f"`{p.name}`" for p in params) or "no parameters"
            where = f"`{func.name}` ({func.path}:{func.name_pos[0]})"
            supplied = dispatcher_supplied_params(graph).get(func.qualname, frozenset())
            missing = [p.name for p in params if p.name not in props and p.name not in supplied
                       and _required(func, p.name)]
            unknown = [p for p in spec.params if (p.required or p.name in spec.misplaced_names) and p.name not in names]
            for p in unknown:  # a rename: one finding, at the schema's side of it
                hint = _requires_hint(missing)
                yield self.finding(
                    ctx, spec.path, p.pos,
                    f"Tool `{spec.name}` in `{spec.path}` ({loaded_at(loaded)}) requires parameter `{p.name}`, "
                    f"but {where} takes {real}{hint}; the model always sends `{p.name}` and the call fails with an "
                    f"unexpected keyword. Rename the property or the parameter.")
            for name in [] if unknown else missing:
                yield self.finding(
                    ctx, spec.path, spec.pos,
                    f"{where} requires parameter `{name}`, but the schema of tool `{spec.name}` in `{spec.path}` "
                    f"({loaded_at(loaded)}) does not declare it, so the model never supplies it and every call "
                    f"fails; add `{name}` to its properties (and `required`).")


    def _docstring(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        if not tool_reads_docstring(tool):
            return
        yield from self._quoted_in_description(ctx, tool)
        names = tool_function_param_names(tool.func)
        docs = documented_param_names(tool)
        if names is None or not docs:
            return
        real = ", ".join(f"`{p.name}`" for p in shown_params(tool, ctx.graph)) or "no parameters"
        unknown = [d for d in docs if d not in names]
        if unknown and _descriptions_matched_by_name(tool):
            yield from self._renamed_params(ctx, tool, docs, unknown)
            return
        for doc_name in docs:
            if doc_name in names:
                continue
            pos = _docstring_line_pos(tool.func, doc_name) or tool_anchor(tool)
            yield self.finding(
                ctx, tool.path, pos,
                f"The docstring of tool `{tool.name}` documents a parameter `{doc_name}` that "
                f"`{tool.func.name}` does not have (it takes {real}); the model will send `{doc_name}` and the "
                f"call fails. Rename the docstring entry or the parameter so they match.")

    def _quoted_in_description(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        """The description's summary quotes a parameter name the function does not have."""
        found = quoted_missing_params(ctx.graph, tool)
        if found is None or getattr(tool, "description_source", None) != "docstring":
            return
        missing, real = found
        params = ", ".join(f"`{p.name}`" for p in shown_params(tool, ctx.graph)) or "no parameters"
        for name in missing:
            yield self.finding(
                ctx, tool.path, _docstring_summary_pos(tool.func, name) or tool_anchor(tool),
                f"The description of tool `{tool.name}` names `{name}` the way it names the parameter "
                f"`{real[0]}`, but `{tool.func.name}` has no parameter `{name}` (it takes {params}); the model "
                f"may send `{name}` and the call fails, or it cannot tell which argument carries that value. "
                f"Use the parameter's real name in the description.")

    def _renamed_params(self, ctx: RuleContext, tool, docs: dict[str, str], unknown: list[str]) -> Iterable[Finding]:
        """A framework that builds the schema from the signature and takes each parameter's
        description from the docstring entry of the same name drops the entries named otherwise:
        the parameters they were meant for reach the model undescribed."""
        func = tool.func
        listed = ", ".join(f"`{n}`" for n in unknown)
        undocumented = [p for p in shown_params(tool, ctx.graph) if p.name not in docs]
        for p in undocumented:
            param = next((x for x in func.node.params if x.name == p.name), None)
            yield self.finding(
                ctx, tool.path, param.pos if param is not None else tool_anchor(tool),
                f"Parameter `{p.name}` of tool `{tool.name}` reaches the model without a description: the "
                f"docstring documents {listed}, which `{func.name}` does not have, and {tool.framework} takes "
                f"each parameter's description from the docstring entry of the same name. Rename the docstring "
                f"entries to match the signature.")
        if undocumented:
            return
        for doc_name in unknown:
            yield self.finding(
                ctx, tool.path, _docstring_line_pos(func, doc_name) or tool_anchor(tool),
                f"The docstring of tool `{tool.name}` documents a parameter `{doc_name}` that `{func.name}` does "
                f"not have; {tool.framework} drops that entry, so what it says never reaches the model. Remove it "
                f"or rename it to the parameter it describes.")

    def _schema(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        graph = ctx.graph
        func = tool.func
        props = schema_properties(tool)
        names = tool_function_param_names(func)
        if func is None or props is None or names is None or _takes_a_mapping(func):
            return
        params = shown_params(tool, ctx.graph)
        prop_names = [n for n, _k, _p in props]
        real = ", ".join(f"`{p.name}`" for p in params) or "no parameters"
        if not set(prop_names) & {p.name for p in params} and len(prop_names) != len(params):
            # nothing in common and different arity: the schema may describe something else, unless
            # it declares no parameters at all for a function the code dispatches under its name
            if prop_names or func.qualname not in functions_registered_by_name(graph).get(tool.name, ()):
                return
        missing = []
        supplied = dispatcher_supplied_params(graph).get(func.qualname, frozenset())
        for p in params:
            param = next((x for x in func.node.params if x.name == p.name), None)
            if p.name in prop_names or p.name in supplied or param is None or param.default is not None \
                    or param.kind in ("vararg", "kwarg"):
                continue
            missing.append(p.name)
        unknown = [(name, key) for name, key, _prop in props if name not in names]
        for name, key in unknown:
            hint = _requires_hint(missing)
            yield self.finding(
                ctx, tool.path, key.pos,
                f"Schema of tool `{tool.name}` declares parameter `{name}`, but `{func.name}` "
                f"({func.path}:{func.name_pos[0]}) takes {real}{hint}; calling it with the model's arguments "
                f"fails with an unexpected keyword. Rename the property or the parameter.")
        if unknown:
            return
        for pname in missing:
            p = next(x for x in params if x.name == pname)
            yield self.finding(
                ctx, tool.path, tool_anchor(tool),
                f"`{func.name}` requires parameter `{p.name}`, but the schema of tool `{tool.name}` does not "
                f"declare it, so the model never supplies it and every call fails; add `{p.name}` to the "
                f"schema's properties (and `required`).")

    def _inputs(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        graph = ctx.graph
        spec = tool.spec
        attr = getattr(spec, "params_attr", None)
        if not attr or not getattr(spec, "requires_param_docs", False) or tool.cls is None or tool.func is None:
            return
        names = tool_function_param_names(tool.func)
        if names is None:
            return
        lit, owner = None, None
        for c in graph.mro(tool.cls.qualname):
            entries = c.attrs.get(attr, [])
            if entries:
                lit = entries[0][0] if isinstance(entries[0][0], ir.Dict) else None
                owner = c
                break
        if lit is None or owner is None or any(k is None for k in lit.keys):
            return
        keys = {k.value: k for k in lit.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)}
        keys.update(_keys_added_in_class_body(owner.node.body, attr))
        method = tool.func.name
        for name, k in keys.items():
            if name not in names:
                yield self.finding(
                    ctx, tool.path, k.pos,
                    f"`{attr}` of tool `{tool.name}` declares `{name}`, but `{method}` has no such parameter; "
                    f"{tool.framework} rejects the tool (and the model's argument would be lost). Rename one side.",
                    severity=Severity.ERROR)
        for p in shown_params(tool, ctx.graph):
            if p.name not in keys:
                param = next((x for x in tool.func.node.params if x.name == p.name), None)
                yield self.finding(
                    ctx, tool.path, param.pos if param is not None else tool_anchor(tool),
                    f"Parameter `{p.name}` of `{method}` in tool `{tool.name}` is missing from `{attr}`, so the "
                    f"model is never told to pass it; {tool.framework} rejects the tool. Declare it in `{attr}`.",
                    severity=Severity.ERROR)


    def _kwargs_reads(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        """A tool class whose method takes `**kwargs` and reads each argument by name from it,
        against the literal JSON schema the class gives as its parameters: a key it reads that the
        schema lacks is never sent (the read gets its default or raises), and a property it never
        reads is an argument the model fills in for nothing."""
        reads = kwargs_key_reads(tool.func)
        props = class_schema_properties(ctx.graph, tool) if reads is not None else None
        if reads is None or props is None or not reads or not props or not set(reads) & set(props):
            return  # nothing in common: the schema may describe something else
        attr, method = tool.spec.params_attr, tool.func.name
        for name, e in reads.items():
            if name not in props:
                yield self.finding(
                    ctx, tool.path, e.pos,
                    f"`{method}` of tool `{tool.name}` reads `{name}` from its keyword arguments, but `{attr}` "
                    f"declares no property `{name}`, so the model never sends it and this read always "
                    f"{'raises KeyError' if isinstance(e, ir.Subscript) else 'gets its default'}. Declare "
                    f"`{name}` in `{attr}`, or stop reading it.")
        for name, k in props.items():
            if name not in reads:
                yield self.finding(
                    ctx, tool.path, k.pos,
                    f"`{attr}` of tool `{tool.name}` offers `{name}`, but `{method}` never reads it from its "
                    f"keyword arguments: what the model sends there is ignored without a word. Use it, or drop "
                    f"it from `{attr}`.")

    def _schema_class(self, ctx: RuleContext, tool) -> Iterable[Finding]:
        """A model class given as the tool's schema (`args_schema = PeerInput`) whose fields are not
        the implementing method's parameters: the framework validates the model's arguments
        against the class, then calls the method with them as keywords."""
        graph = ctx.graph
        if getattr(tool.spec, "requires_param_docs", False) or tool.func is None:
            return
        names = tool_function_param_names(tool.func)
        found = schema_class_fields(graph, tool)
        if names is None or found is None:
            return
        fields, where = found
        extra = [n for n in fields if n not in names]
        missing = [p.name for p in shown_params(tool, ctx.graph)
                   if p.name not in fields and _required(tool.func, p.name)]
        if not extra and not missing:
            return
        attr, method = tool.spec.params_attr, tool.func.name
        real = ", ".join(f"`{p.name}`" for p in shown_params(tool, ctx.graph)) or "no parameters"
        parts = []
        if extra:
            parts.append(f"declares {', '.join(f'`{n}`' for n in extra)}, which `{method}` does not take "
                         f"(it takes {real}): the call fails with an unexpected keyword")
        if missing:
            parts.append(f"lacks {', '.join(f'`{n}`' for n in missing)}, which `{method}` requires: the model "
                         f"never supplies it")
        yield self.finding(
            ctx, tool.path, where,
            f"`{attr}` of tool `{tool.name}` {'; and it '.join(parts)}. Make the schema's fields the "
            f"parameters of `{method}`.")


def _beside_message(name, names, params_key: str) -> str:
    listed = ", ".join(f"`{n}`" for n in names) or "its required parameters"
    tool = f"tool `{name}`" if name else "this tool"
    return (f"The schema of {tool} lists {listed} in a `required` written beside `{params_key}` instead of "
            f"inside it: there it is not part of the parameters' JSON schema, which then requires nothing, so the "
            f"model may leave those arguments out and the call fails. Move `required` into `{params_key}`.")


def _keys_added_in_class_body(body: list, attr: str) -> dict:
    """Entries the class body adds to the dict after its literal: `inputs["year"] = {...}`."""
    out = {}
    for st in body:
        if isinstance(st, ir.Assign):
            for t in st.targets:
                if isinstance(t, ir.Subscript) and isinstance(t.value, ir.Name) and t.value.id == attr \
                        and isinstance(t.index, ir.Constant) and isinstance(t.index.value, str):
                    out[t.index.value] = t.index
    return out


def _required(func, name: str) -> bool:
    param = next((x for x in func.node.params if x.name == name), None)
    return param is not None and param.default is None and param.kind in ("normal", "kwonly", "posonly")


def _descriptions_matched_by_name(tool) -> bool:
    """Does the framework describe the parameters of this plain-function tool with the docstring
    entries named like them (catalog `parse_docstring_params`), showing the model the signature's
    names rather than the docstring's?"""
    return tool.kind == "function" and bool(getattr(tool.spec, "parse_docstring_params", False))


def _docstring_summary_pos(func, name: str):
    """The position of the first docstring line that quotes `name`."""
    return _docstring_line_where(func, lambda text: f"`{name}`" in text)


def _docstring_line_pos(func, name: str):
    """The position of the docstring line that documents `name`."""
    def documents(text: str) -> bool:
        stripped = text.lstrip().lstrip("*")
        if stripped.startswith(name) and stripped[len(name):].lstrip()[:1] in (":", "("):
            return True
        return f":param {name}:" in text or (f" {name}:" in text and ":param" in text)
    return _docstring_line_where(func, documents)


def _docstring_line_where(func, wanted):
    """The position of the first line of the function's docstring that `wanted(text)` accepts."""
    node = func.node
    if node is None or not node.body:
        return None
    first = node.body[0].pos
    lines = func.module.ir.line_range(first[0], first[2])
    for ln, text in enumerate(lines, first[0]):
        if wanted(text):
            col = len(text) - len(text.lstrip())
            return (ln, col, ln, len(text.encode("utf-8")))
    return None


def _takes_a_mapping(func) -> bool:
    """Does the function take the arguments as one mapping (reads `param["key"]` or `param.get(...)`)?"""
    params = [p for p in func.node.params if p.name not in ("self", "cls")]
    if len(params) != 1:
        return False
    name = params[0].name
    for e, _ in func.walk(ir.Subscript, ir.Attribute):
        if isinstance(e.value, ir.Name) and e.value.id == name:
            if isinstance(e, ir.Subscript) or e.attr in ("get", "keys", "items"):
                return True
    return False


def _requires_hint(missing: Iterable[str]) -> str:
    """` (it requires `a`, `b`, which the schema lacks)` for the function's required parameters the schema lacks."""
    names = list(missing)
    return f" (it requires {', '.join(f'`{m}`' for m in names)}, which the schema lacks)" if names else ""
