"""Prompt templates a framework parses as `{field}` templates (catalog `prompt_template`), built in
code. Splices: text put into a template's text with an f-string, `+`, `%`, `.format` or `join`
from a value that can hold braces (the model's reply, JSON from `json.dumps`, a dict's repr, a
file's text), whose braces the framework reads as fields. Gaps: a field of a literal template
that the call filling it in does not give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.catalog.specs import PromptTemplateSpec
from agentable.cpg import ir
from agentable.cpg.artifacts.parse import format_fields
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, ExtRef, Parsed, Typed, ordered
from agentable.findings import FlowStep
from agentable.query.facts import EvalAt, per_graph
from agentable.query.literals import literal_site, param_argument
from agentable.query.llm_output import flow_steps
from agentable.query.model_derived import model_derived

# the str methods whose result is the receiver's text with other text put in (`t.format(x)`, `sep.join(xs)`)
_SPLICING_METHODS = frozenset({"format", "format_map", "join"})
# str methods whose result is the receiver's text, changed but with its braces kept
_KEEPING_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "expandtabs"})
_BRACES = ("{", "}")


@dataclass(frozen=True)
class Splice:
    """A value that can hold braces, put into the text of a template call."""

    site: CallSite
    spec: PromptTemplateSpec
    text: ir.Expr  # the template text argument (or a message's text)
    value: ir.Expr  # the spliced value
    func: FunctionInfo  # where `value` is
    what: str  # what it is, for the message: "the model's reply", "JSON text from `json.dumps`"
    steps: tuple[FlowStep, ...]


@per_graph
def template_splices(g: ProjectGraph) -> list[Splice]:
    """Each template call (one per call) whose text has a brace-holding value spliced into it."""
    specs = g.catalog.prompt_templates
    if not specs:
        return []
    names = frozenset(c.rsplit(".", 1)[-1] for s in specs for c in s.callees)
    out: list[Splice] = []
    for func in g.functions.values():
        if func.module.path and g.is_test_code(func.module.path):
            continue
        for site in func.calls:
            if _called_name(site.call) not in names:
                continue  # (a cheap test first: most calls are of other things)
            spec = _spec_of(g, site, specs)
            if spec is None or _other_syntax(g, site, spec):
                continue
            for text in _template_texts(g, site, spec):
                found = _SpliceWalk(g).first(text, site.func, site.stmt)
                if found is not None:
                    value, owner, what, steps = found
                    out.append(Splice(site, spec, text, value, owner, what, steps))
                    break
    return out


def _called_name(call: ir.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ir.Attribute) else f.id if isinstance(f, ir.Name) else ""


def _spec_of(g: ProjectGraph, site: CallSite, specs: list[PromptTemplateSpec]) -> Optional[PromptTemplateSpec]:
    for v in g.values(site.call.func, site.func, site.stmt):
        if not isinstance(v, ExtRef):
            continue
        for spec in specs:
            if any(v.path == f"{p}.{c}" for p in spec.packages for c in spec.callees):
                return spec
    return None


def _other_syntax(g: ProjectGraph, site: CallSite, spec: PromptTemplateSpec) -> bool:
    """Does the call pick a template syntax other than the default (`template_format="jinja2"`), or
    one not known here?"""
    kw = next((k for k in site.call.keywords if k.name == spec.syntax_keyword), None) if spec.syntax_keyword else None
    if kw is None:
        return any(k.name is None for k in site.call.keywords)  # **kwargs may pick it
    vals = g.values(kw.value, site.func, site.stmt)
    return not vals or any(getattr(v, "value", None) != spec.syntax_default for v in vals)


def _argument(site: CallSite, spec: PromptTemplateSpec) -> Optional[ir.Expr]:
    kw = next((k.value for k in site.call.keywords if k.name == spec.keyword), None)
    if kw is not None:
        return kw
    args = site.call.args
    if 0 <= spec.position < len(args) and not isinstance(args[spec.position], ir.Starred):
        return args[spec.position]
    return None


def _template_texts(g: ProjectGraph, site: CallSite, spec: PromptTemplateSpec) -> Iterator[ir.Expr]:
    """The expressions of a template call that hold template text: its argument, or each message's text."""
    arg = _argument(site, spec)
    if arg is None:
        return
    if spec.text != "messages":
        yield arg
        return
    bound = g.bound_literal(arg, site.func, site.stmt, (ir.Seq,))
    if bound is None or bound[1] is not site.func:
        return  # a list built elsewhere: its items are not read here
    for item in bound[0].elts:
        if isinstance(item, ir.Seq) and item.kind == "tuple" and len(item.elts) == 2:
            role = item.elts[0]
            if isinstance(role, ir.Constant) and role.value in spec.skip_roles:
                continue
            yield item.elts[1]
        elif isinstance(item, (ir.FString, ir.BinOp)):
            yield item  # a bare string is a human message template
        elif isinstance(item, ir.Call) and spec.message_text_keyword:
            content = next((k.value for k in item.keywords if k.name == spec.message_text_keyword), None)
            if content is not None:
                yield content


class _SpliceWalk:
    """Follows a template's text back through f-strings, `+`, `%`, `.format`, `join`, local
    assignments (`+=` too) and a project function's parameters (to its callers' arguments), and
    stops at the first value spliced into it that can hold braces."""

    def __init__(self, g: ProjectGraph) -> None:
        self.g = g
        self._seen: set[int] = set()

    def first(self, e: ir.Expr, func: FunctionInfo, stmt: EvalAt
              ) -> Optional[tuple[ir.Expr, FunctionInfo, str, tuple[FlowStep, ...]]]:
        return self._text(e, func, stmt, 4, spliced=False)

    def _text(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, depth: int, spliced: bool
              ) -> Optional[tuple[ir.Expr, FunctionInfo, str, tuple[FlowStep, ...]]]:
        if e is None or depth < 0 or id(e) in self._seen:
            return None
        self._seen.add(id(e))
        parts: list[tuple[ir.Expr, bool]] = []  # (part, whether it is spliced into other text)
        if isinstance(e, ir.Constant):
            return None
        if isinstance(e, ir.FString):
            parts = [(p, True) for p in e.parts if not isinstance(p, str)]
        elif isinstance(e, ir.Concat):
            parts = [(p, spliced) for p in e.parts]
        elif isinstance(e, ir.BinOp) and e.op == "+":
            parts = [(e.left, True), (e.right, True)]
        elif isinstance(e, ir.BinOp) and e.op == "%":
            right = e.right.elts if isinstance(e.right, ir.Seq) and e.right.kind == "tuple" else [e.right]
            parts = [(e.left, spliced)] + [(x, True) for x in right]
        elif isinstance(e, ir.IfExp):
            parts = [(e.body, spliced), (e.orelse, spliced)]
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute):
            method = e.func.attr
            if _escaped(e):
                return None
            if method in _SPLICING_METHODS:
                parts = [(e.func.value, spliced)] + [(a, True) for a in e.args] + [(k.value, True) for k in e.keywords]
            elif method in _KEEPING_METHODS:
                parts = [(e.func.value, spliced)]
        elif isinstance(e, ir.Name):
            return self._name(e, func, stmt, depth, spliced)
        for p, sp in parts:
            found = self._text(p, func, stmt, depth, sp)
            if found is not None:
                return found
        if spliced and not parts:
            what = self._holds_braces(e, func, stmt)
            if what is not None:
                return e, func, what[0], what[1]
        return None

    def _name(self, e: ir.Name, func: FunctionInfo, stmt: EvalAt, depth: int, spliced: bool
              ) -> Optional[tuple[ir.Expr, FunctionInfo, str, tuple[FlowStep, ...]]]:
        owner, defs = self.g.name_bindings(func, e.id, stmt)
        if defs and all(d.how == "assign" and _escaped(d.value) for d in defs):
            return None
        if spliced:
            what = self._holds_braces(e, func, stmt)
            if what is not None:
                return e, func, what[0], what[1]
        for d in defs:
            if d.how in ("assign", "walrus", "augassign") and d.value is not None:
                found = self._text(d.value, owner, d.stmt, depth - 1, spliced or d.how == "augassign")
                if found is None and d.how == "augassign" and id(d.stmt) not in self._seen:
                    self._seen.add(id(d.stmt))  # `text += part`: the text before it too
                    found = self._name(e, owner, d.stmt, depth - 1, spliced)
                if found is not None:
                    return found
            elif d.how == "param" and depth > 0:
                for site in self.g.argument_sites(owner)[:8]:
                    arg = param_argument(site.call, owner, e.id)
                    found = self._text(arg, site.func, site.stmt, depth - 1, spliced) if arg is not None else None
                    if found is not None:
                        return found
        return None

    def _holds_braces(self, e: ir.Expr, func: FunctionInfo, stmt: EvalAt
                      ) -> Optional[tuple[str, tuple[FlowStep, ...]]]:
        """What `e` is when its text can hold braces: the model's reply (or a structure parsed from
        it), JSON text, a dict, or a file's text."""
        g = self.g
        out = model_derived(g, e, func, stmt)
        if out is not None:
            src = out.source if isinstance(out, Parsed) else out
            return "the model's reply", flow_steps(g, src)
        vals = g.values(e, func, stmt)
        for v in vals:
            if isinstance(v, Typed) and v.kind == "dict":
                return "a dict, whose text always has braces", ()
        if isinstance(e, ir.Call):
            paths = [v.path for v in g.values(e.func, func, stmt) if isinstance(v, ExtRef)]
            if "json.dumps" in paths and not _str_argument(g, e, func, stmt):
                return "JSON text from `json.dumps`", ()
            if any(p in ("str", "repr") for p in paths) and e.args and any(
                    isinstance(v, Typed) and v.kind == "dict" for v in g.values(e.args[0], func, stmt)):
                return "the text of a dict, which always has braces", ()
            if _file_text(g, e, func, stmt):
                return "a file's text", ()
        return None


def _escaped(e: Optional[ir.Expr]) -> bool:
    """Is `e` text whose braces are doubled or removed (`.replace("{", "{{")`, maybe chained)?"""
    while isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute):
        if e.func.attr == "replace" and e.args and isinstance(e.args[0], ir.Constant) and e.args[0].value in _BRACES:
            return True
        e = e.func.value if e.func.attr in _KEEPING_METHODS or e.func.attr == "replace" else None
    return False


def _str_argument(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> bool:
    """Is `json.dumps`' argument known to be a string or a number (JSON text without braces)?"""
    if not call.args:
        return True
    vals = g.values(call.args[0], func, stmt)
    return bool(vals) and all((isinstance(v, Typed) and v.kind in ("str", "int", "float", "bool"))
                              or (isinstance(v, Const) and type(v.value) in (str, int, float, bool)) for v in vals)


def _file_text(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> bool:
    """Is `call` the text of a file: `Path(p).read_text()`, or `.read()` of a file opened in text mode?"""
    facts = g.catalog.python
    paths = [v.path for v in g.values(call.func, func, stmt) if isinstance(v, ExtRef)]
    if any(p in facts.text_read_methods for p in paths):
        return True
    if not (isinstance(call.func, ir.Attribute) and call.func.attr == "read" and not call.args):
        return False
    return any(isinstance(v, Typed) and v.kind == "file" for v in g.values(call.func.value, func, stmt))


@dataclass(frozen=True)
class TemplateGap:
    """A variable of a template built in code from literal text that a call filling it in
    (`fill`, with keyword arguments only) does not give."""

    fill: CallSite
    method: str
    spec: PromptTemplateSpec
    name: str
    path: str  # where the variable is written (the template's text)
    pos: ir.Pos
    build_path: str
    build_pos: ir.Pos


@per_graph
def template_gaps(g: ProjectGraph) -> list[TemplateGap]:
    """Variables missing from the keyword arguments of a `format_messages(...)` (or another of a
    template's catalog `fill_methods`) on a template whose texts are all literal."""
    specs = [s for s in g.catalog.prompt_templates if s.fill_methods]
    methods = frozenset(m for s in specs for m in s.fill_methods)
    out: list[TemplateGap] = []
    for func in g.functions.values():
        if func.module.path and g.is_test_code(func.module.path):
            continue
        for site in func.calls:
            f = site.call.func
            if not isinstance(f, ir.Attribute) or f.attr not in methods or site.call.args \
                    or any(k.name is None for k in site.call.keywords):
                continue
            supplied = frozenset(k.name for k in site.call.keywords if k.name)
            gaps: list[list[TemplateGap]] = []
            # Every template the receiver may hold, in a fixed order (a value set's order changes
            # from run to run). One that the call fills in completely means the others may be
            # imprecision (a subclass that overrides the filling method): report only when none is.
            for v in ordered(g.values(f.value, func, site.stmt)):
                spec = _built_by(v, specs)
                if spec is None or f.attr not in spec.fill_methods or not isinstance(v, ExtRef) or v.site is None:
                    continue
                build = _site_of(g, v.site[0], v.site[1])
                if build is None or _other_syntax(g, build, spec) or any(
                        k.name in spec.partial_keywords for k in build.call.keywords):
                    continue
                fields = _literal_fields(g, build, spec)
                # a keyword of the constructor may be a partial variable (llama-index's **kwargs)
                given = supplied | {k.name for k in build.call.keywords if k.name}
                gaps.append([TemplateGap(site, f.attr, spec, name, *(fields[name] if fields else ("", build.call.pos)),
                                         v.site[0], build.call.pos)
                             for name in sorted(set(fields or {}) - given)])
            if gaps and all(gaps):
                out.extend(gap for found in gaps for gap in found)
    return out


def _built_by(v: object, specs: list[PromptTemplateSpec]) -> Optional[PromptTemplateSpec]:
    """The template spec whose call made the instance `v` (`llama_index.core.ChatPromptTemplate()`)."""
    if not isinstance(v, ExtRef) or not v.path.endswith("()"):
        return None
    made = v.path[:-2]
    return next((s for s in specs if any(made == f"{p}.{c}" for p in s.packages for c in s.callees)), None)


def _site_of(g: ProjectGraph, path: str, call: ir.Call) -> Optional[CallSite]:
    func = g.function_of(path, call.pos) or (g.by_path[path].toplevel if path in g.by_path else None)
    if func is None:
        return None
    return next((s for s in func.calls if s.call is call), None)


def _literal_fields(g: ProjectGraph, build: CallSite, spec: PromptTemplateSpec
                    ) -> Optional[dict[str, tuple[str, ir.Pos]]]:
    """Each `{field}` of the template's texts with where it is written, when every text is one
    literal of plain `{name}` fields and every message of a message list is understood."""
    if spec.text == "messages" and not _messages_understood(g, build, spec):
        return None
    texts = list(_template_texts(g, build, spec))
    if not texts:
        return None
    out: dict[str, tuple[str, ir.Pos]] = {}
    for text in texts:
        vals = list(g.values(text, build.func, build.stmt))
        if len(vals) != 1 or not isinstance(vals[0], Const) or not isinstance(vals[0].value, str):
            return None
        fields = format_fields(vals[0].value)
        if fields is None:
            return None
        for name, _off in fields:
            out.setdefault(name, literal_field_site(g, text, build.func, build.stmt, name))
    return out


def _messages_understood(g: ProjectGraph, build: CallSite, spec: PromptTemplateSpec) -> bool:
    """Is every item of the message list a `(role, text)` tuple, a string or a message object with
    its text keyword (no placeholder or nested template whose variables are not read here)?"""
    arg = _argument(build, spec)
    bound = g.bound_literal(arg, build.func, build.stmt, (ir.Seq,)) if arg is not None else None
    if bound is None or bound[1] is not build.func:
        return False
    for item in bound[0].elts:
        if isinstance(item, ir.Seq) and item.kind == "tuple" and len(item.elts) == 2:
            if isinstance(item.elts[0], ir.Constant) and item.elts[0].value in spec.skip_roles:
                return False
        elif isinstance(item, ir.Call) and spec.message_text_keyword:
            if not any(k.name == spec.message_text_keyword for k in item.keywords):
                return False
        elif not isinstance(item, ir.Constant):
            return False
    return True


def literal_field_site(g: ProjectGraph, text: ir.Expr, func: FunctionInfo, stmt: EvalAt, name: str,
                       value: Optional[str] = None) -> tuple[str, ir.Pos]:
    """Where `{name}` is written in the literal text `text` reaches: the line of the string literal
    holding it (followed through names bound to it, and, given the text's `value`, through imported
    constants), else the text expression itself."""
    needle = "{" + name + "}"
    e: Optional[ir.Expr] = text
    owner, at = func, stmt
    for _ in range(4):
        if not isinstance(e, ir.Name):
            break
        owner, defs = g.name_bindings(owner, e.id, at)
        d = next((d for d in defs if d.how == "assign" and d.value is not None), None)
        if d is None:
            break
        e, at = d.value, d.stmt
    if e is not None:
        for x in ir.walk_expr(e):
            if isinstance(x, ir.Constant) and isinstance(x.value, str) and needle in x.value:
                return owner.module.path, _line_of(g, owner.module.path, x.pos, needle)
    site = literal_site(g, text, func, stmt, value) if value is not None else None
    if site is not None:
        return site[0], _line_of(g, site[0], site[1], needle)
    return func.module.path, text.pos


def _line_of(g: ProjectGraph, path: str, pos: ir.Pos, needle: str) -> ir.Pos:
    """The part of `pos` on the source line that holds `needle` (implicitly joined literals over
    several lines are one constant)."""
    mod = g.by_path.get(path)
    if mod is None:
        return pos
    for line in range(pos[0], pos[2] + 1):
        text = mod.ir.line_text(line)
        col = text.find(needle)
        if col >= 0:
            start = len(text[:col].encode("utf-8"))
            return (line, start, line, start + len(needle.encode("utf-8")))
    return pos
