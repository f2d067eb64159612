"""Helpers of the LARD rules: what only one of them asks, and the environment writes that LARD006
(a key written in the code) and LARD008 (a key under a name its SDK does not read) both read."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Optional, Union

from agentable.cpg import ir
from agentable.cpg.artifacts import (ArtifactLoad, PromptTemplate, TemplateRender, TemplateVar, artifact_links,
                                     template_of)
from agentable.cpg.artifacts.crew_inputs import crew_kickoffs, crew_template, placeholders_in
from agentable.cpg.artifacts.sk_prompts import sk_runs, sk_template
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.findings import FlowStep
from agentable.query.facts import code_strings, per_graph


_ENV_SETTERS = frozenset({"os.environ.setdefault", "os.putenv"})


def env_set_by_call(g: ProjectGraph, site: CallSite) -> Optional[tuple[ir.Constant, ir.Expr]]:
    """(the variable's name, the value) for `os.environ.setdefault(NAME, value)` or
    `os.putenv(NAME, value)` with NAME a string literal."""
    args = site.call.args
    if len(args) < 2 or not isinstance(args[0], ir.Constant) or not isinstance(args[0].value, str):
        return None
    if any(isinstance(v, ExtRef) and v.path in _ENV_SETTERS for v in g.values(site.call.func, site.func, site.stmt)):
        return args[0], args[1]
    return None


def env_item_assigned(g: ProjectGraph, func: FunctionInfo, stmt: Union[ir.Stmt, object],
                      target: ir.Expr) -> Optional[ir.Constant]:
    """The variable's name when `target` is `os.environ[NAME]` with NAME a string literal."""
    if isinstance(target, ir.Subscript) and isinstance(target.index, ir.Constant) \
            and isinstance(target.index.value, str) \
            and any(isinstance(v, ExtRef) and v.path == "os.environ" for v in g.values(target.value, func, stmt)):
        return target.index
    return None


@dataclass(eq=False)
class MissingVariable:
    var: TemplateVar
    template: PromptTemplate
    render: TemplateRender

    def flow(self, g: ProjectGraph) -> tuple[FlowStep, ...]:
        r = self.render
        return (FlowStep(g.span(r.load.path, r.load.pos), f"the template `{self.template.path}` is loaded here"),
                FlowStep(g.span(r.func.path, r.call.pos), f"and filled in here without `{self.var.name}`"))


@per_graph
def missing_template_variables(g: ProjectGraph) -> list[MissingVariable]:
    """Variables of a loaded prompt template that a render/format/invoke call, whose supplied
    names are all known, does not supply."""
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    out: list[MissingVariable] = []
    for r in artifact_links(g).renders:
        if r.supplied is None:
            continue
        tpl = _template(g, r)
        if tpl is None:
            continue
        if tpl.syntax == "jinja" and ".globals" in (g.by_path[r.load.path].ir.source if r.load.path in g.by_path else ""):
            continue  # variables given to the environment's globals
        for v in tpl.needed():
            if v.name not in r.supplied:
                out.append(MissingVariable(v, tpl, r))
    return out + _crew_missing(g) + _sk_missing(g)


def _sk_missing(g: ProjectGraph) -> list[MissingVariable]:
    """`{{$var}}` variables of a Semantic Kernel skprompt.txt that a `kernel.invoke(...)` of its
    function does not pass."""
    arts = g.artifacts
    out: list[MissingVariable] = []
    for run in sk_runs(g, arts) if arts is not None else []:
        art = arts.get(run.load.artifact) if arts is not None else None
        if art is None or arts is None:
            continue
        if "sk" not in art.templates:
            config = posixpath.join(posixpath.dirname(art.path), "config.json")
            art.templates["sk"] = sk_template(art, arts.get(config) if config in arts else None)
        tpl = art.templates["sk"]
        if tpl is None:
            continue
        render = TemplateRender(run.load, run.call, run.func, run.stmt, run.method, run.supplied)  # type: ignore[arg-type]
        out += [MissingVariable(v, tpl, render) for v in tpl.needed() if v.name not in run.supplied]
    return out


def _crew_missing(g: ProjectGraph) -> list[MissingVariable]:
    """CrewAI `{var}` placeholders of a crew's tasks/agents YAML that a kickoff's inputs lack."""
    loads = [ld for ld in artifact_links(g).loads if ld.how == "crew_config" and ld.owner in g.classes]
    if not loads:
        return []
    out: list[MissingVariable] = []
    for k in crew_kickoffs(g, loads):
        for ld in loads:
            if ld.owner != k.crew_class:
                continue
            tpl = _crew_template(g, ld, k.supplied)
            if tpl is None:
                continue
            render = TemplateRender(ld, k.call, k.func, k.stmt, k.method, k.supplied)  # type: ignore[arg-type]
            out += [MissingVariable(v, tpl, render) for v in tpl.needed() if v.name not in k.supplied]
    return out


def _crew_template(g: ProjectGraph, ld: ArtifactLoad, supplied: frozenset[str]) -> Optional[PromptTemplate]:
    text = g.artifacts.text(ld.artifact) if g.artifacts is not None else None
    if text is None or placeholders_in(text) <= supplied:
        return None  # not parsed: every `{name}` anywhere in its text is supplied
    art = g.artifacts.get(ld.artifact) if g.artifacts is not None else None
    cls = g.classes.get(ld.owner or "")
    if art is None or cls is None or not ld.config:
        return None
    key = f"crewai:{ld.config}:{ld.owner}"  # the entries used depend on the class
    if key not in art.templates:
        lines = cls.module.ir.source.split("\n")[cls.node.pos[0] - 1:cls.node.pos[2]]
        art.templates[key] = crew_template(art, ld.config, "\n".join(lines))
    return art.templates[key]


def _template(g: ProjectGraph, r: TemplateRender) -> Optional[PromptTemplate]:
    art = g.artifacts.get(r.load.artifact) if g.artifacts is not None else None
    if art is None or art.kind in ("yaml", "json", "toml", "env", "ini"):
        return None
    return template_of(art, r.load.syntax)


def ext_paths(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object) -> list[str]:
    return [v.path for v in g.values(call.func, func, stmt) if isinstance(v, ExtRef)]


def mask_secret(s: str) -> str:
    """A secret shown safely in a message: its first 4 characters and its length."""
    return f"{s[:4]}… ({len(s)} chars)" if len(s) > 4 else "…"


@dataclass(frozen=True, eq=False)
class ResultRead:
    """`name.attr` where `name` holds the result of the agent run `run` (catalog path `symbol`:
    the run's path, called, then the attribute: `pydantic_ai.Agent().run_sync().data`)."""

    run: CallSite
    read: ir.Attribute
    func: FunctionInfo
    symbol: str


@per_graph
def run_result_reads(g: ProjectGraph) -> list[ResultRead]:
    """Attribute reads of a name bound, in the same function, to an agent run's result
    (`result = agent.run_sync(q)` or `result = await agent.run(q)`, then `result.data`), and of the
    run call itself (`agent.run_sync(q).data`)."""
    out: list[ResultRead] = []
    layer = g.agent
    for site in layer.agent_runs:
        path = layer.run_path(site)
        if not path:
            continue
        func = site.func
        bound = _names_bound_to(site.call, site.stmt)
        for e, _stmt in func.exprs.get(ir.Attribute, ()):
            if not isinstance(e, ir.Attribute):
                continue
            target = e.value.value if isinstance(e.value, ir.Await) else e.value
            if target is site.call or (isinstance(target, ir.Name) and target.id in bound
                                       and _only_binding(func, target.id, site.stmt)):
                out.append(ResultRead(site, e, func, f"{path}().{e.attr}"))
    return out


def _names_bound_to(call: ir.Call, stmt: object) -> set[str]:
    if not isinstance(stmt, ir.Assign):
        return set()
    value = stmt.value.value if isinstance(stmt.value, ir.Await) else stmt.value
    return {t.id for t in stmt.targets if isinstance(t, ir.Name)} if value is call else set()


def _only_binding(func: FunctionInfo, name: str, stmt: object) -> bool:
    """Is `stmt` the only statement of the function that binds `name` (so every read is its result)?"""
    return all(d.stmt is stmt for d in func.defs.get(name, ()))


def project_mentions(g: ProjectGraph, word: str) -> bool:
    """Does the project name `word` anywhere: a string of its code (`os.getenv("OPENAI_API_VERSION")`)
    or one of its other files (a `.env` example, a README, a settings file)?"""
    if any(word in s for s in code_strings(g)):
        return True
    arts = g.artifacts
    return arts is not None and any(word in (arts.text(p) or "") for p in sorted(arts.paths))




@per_graph
def strings_set_outside_tests(g: ProjectGraph) -> dict[str, list[tuple[str, ir.Pos, bool]]]:
    """Where each string constant is written in the project's non-test Python code (class bodies
    and field defaults included), other than as an operand of a comparison (`if model in
    ["o1-mini", ...]` tests an id, it does not choose it): (path, position, whether it is a dict
    key, `{"old-id": "new-id"}` maps an id rather than choosing it)."""
    out: dict[str, list[tuple[str, ir.Pos, bool]]] = {}
    for path, mod in g.by_path.items():
        if g.is_test_code(path):
            continue
        compared: set[int] = set()
        keys: set[int] = set()
        constants: list[ir.Constant] = []
        for stmt in ir.walk_stmts(mod.ir.body, into_defs=True):
            for root in ir.stmt_exprs(stmt):
                for x in ir.walk_expr(root):
                    if isinstance(x, ir.Compare):
                        compared.update(id(y) for side in [x.left, *x.comparators] for y in ir.walk_expr(side))
                    elif isinstance(x, ir.Dict):
                        keys.update(id(k) for k in x.keys if k is not None)
                    elif isinstance(x, ir.Constant) and isinstance(x.value, str):
                        constants.append(x)
        for c in constants:
            if id(c) not in compared:
                out.setdefault(str(c.value), []).append((path, c.pos, id(c) in keys))
    return out
