"""IETI008: a tool's parameter schema, generated or written by hand, has a shape that misleads the
model or that the API refuses."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.ieti.schema_branches import branched_parameters
from agentable.rules.ieti.signature_receivers import receivers_in_schemas
from agentable.rules.ieti.schema_shape import (
    arrays_without_items,
    object_schemas,
    stray_dependencies,
    type_map_fallbacks,
)


class MalformedToolSchema(Rule):
    meta = RuleMeta(
        id="IETI008",
        name="malformed-tool-schema",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool's parameter schema tells the model the wrong types, or has a shape the API refuses.",
        full=("The model fills tool arguments from the JSON schema it is shown. A schema generator that looks "
              "each annotation up in a `{str: \"string\", int: \"integer\", list: \"array\", ...}` map with a "
              "fallback (`type_map.get(annotation, \"string\")`) offers every type the map lacks (`List[str]`, "
              "`Optional[int]`, a `Literal`, an enum, a class) as that fallback: the model sends a string and the "
              "function gets one where it expects a list, a number or an object. An array schema without "
              "`items` (written by hand, or what such a map gives a bare `list`) is refused by OpenAI's function "
              "calling as an invalid schema, so every request offering the tool fails. A `dependencies` keyword "
              "keyed by names that are not properties (action values, say) constrains nothing, so the "
              "per-case required parameters it was meant to state never reach the model. A generator that adds one "
              "kind of parameters (optional ones) only inside the branch taken for another kind (`if "
              "required_parameters:`) offers a tool with only the first kind with no parameters at all. A project "
              "decorator that builds the schema from `inspect.signature` of what it decorates, applied to a "
              "method, offers `self`."),
        bad_example=('type_map = {str: "string", int: "integer", list: "array"}\n'
                     'props[p.name] = {"type": type_map.get(p.annotation, "string")}'),
        good_example=('from pydantic import TypeAdapter\n'
                      'props[p.name] = TypeAdapter(p.annotation).json_schema()'),
        fix="Build parameter schemas with a library that handles generic types (pydantic `TypeAdapter`, the "
            "framework's own tool decorator), give every array its `items`, and key `dependencies` by property names.",
        tags=("tools", "parameters", "schema"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for fb in type_map_fallbacks(graph):
            msg = (f"`{fb.map_name}.get(..., \"{fb.default}\")` turns every type the map lacks (`List[str]`, "
                   f"`Optional[int]`, a `Literal`, an enum, a class) into `\"{fb.default}\"` in the tool schema "
                   f"the model is shown, so the model sends a {fb.default} where the function expects a list, a "
                   f"number or an object.")
            if fb.bare_array:
                msg += (" A bare `list` becomes `{\"type\": \"array\"}` without `items`, which OpenAI rejects as an "
                        "invalid function schema.")
            msg += " Map generic types too (`typing.get_origin`/`get_args`) or build the schema with pydantic."
            yield self.finding(ctx, fb.path, fb.pos, msg)
        seen: set[tuple[str, ir.Pos]] = set()
        for tool in graph.agent.tools:
            schema = getattr(tool, "schema", None)
            if tool.kind != "schema" or not isinstance(schema, ir.Dict):
                continue
            for key in arrays_without_items(schema):
                if (tool.path, key.pos) in seen:
                    continue
                seen.add((tool.path, key.pos))
                name = f"tool `{tool.name}`" if tool.name else "this tool"
                yield self.finding(
                    ctx, tool.path, key.pos,
                    f"An array in the parameter schema of {name} has no `items`: OpenAI rejects the function "
                    f"schema as invalid (\"array schema missing items\") and other providers leave the model to "
                    f"guess what the list holds. Add `\"items\": {{...}}` saying what each element is.")
        for r in receivers_in_schemas(graph):
            m = r.method
            yield self.finding(
                ctx, m.path, m.node.name_pos if m.node is not None else (0, 0, 0, 0),
                f"`{r.decorator.qualname}` builds the tool schema from the signature of the function it decorates, "
                f"keeping every parameter, and here it decorates the method `{m.qualname}`: in the class body the "
                f"function still has `{r.receiver}`, so the schema offers the model a `{r.receiver}` parameter it "
                f"must fill (and the bound call then receives twice). Skip the first parameter of methods, or "
                f"register the bound method (`obj.{m.name}`) instead.",
                flow=(FlowStep(graph.span(r.decorator.path, r.decorator.node.name_pos), "the schema is built here"),)
                if r.decorator.node is not None else ())
        for b in branched_parameters(graph):
            yield self.finding(
                ctx, b.path, b.branch.pos,
                f"The parameters under `{b.other}` are added to the schema's properties only inside this branch, "
                f"which tests `{b.tested}` (the loop at line {b.loop.pos[0]}): a tool with `{b.other}` and no "
                f"`{b.tested}` is offered with none of its parameters, so the model can never pass them. Move the "
                f"loop out of the branch.")
        for path, d in object_schemas(graph):
            found = stray_dependencies(d)
            if found is None or (path, found[0].pos) in seen:
                continue
            seen.add((path, found[0].pos))
            key, stray = found
            what = "which is not a property" if len(stray) == 1 else "which are not properties"
            listed = ", ".join(f"`{n}`" for n in stray[:4]) + (", ..." if len(stray) > 4 else "")
            yield self.finding(
                ctx, path, key.pos,
                f"`{ir.string_value(key)}` is keyed by {listed}, {what} of this schema; JSON "
                f"Schema applies an entry only when a property of that name is present, so these constrain "
                f"nothing and the model is never told which parameters each case needs. Key it by property names "
                f"(or state the per-case parameters in the descriptions, or use `oneOf`).")
