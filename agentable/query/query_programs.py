"""Model ids written in query programs: the docstring of a function a query-language decorator
wraps (catalog llm_apis.toml `[[query_program]]`, LMQL's `@lmql.query`), whose `from "<model>"`
clause names the model the program runs on, or the decorator's own `model=` keyword."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentable.catalog.specs import QueryProgramSpec
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.facts import per_graph
from agentable.query.guards import decorator_uses


@dataclass(frozen=True)
class ProgramModel:
    func: FunctionInfo
    spec: QueryProgramSpec
    model_id: str
    pos: ir.Pos  # the quoted id
    how: str  # "clause" (in the program) | "keyword" (the decorator's argument)

    @property
    def path(self) -> str:
        return self.func.path


@per_graph
def program_models(g: ProjectGraph) -> list[ProgramModel]:
    """Every model id written in a query program or its decorator, once per place. A program whose
    function some call gives one of the model keywords (`query(x, model=...)`) runs on that model
    there: its own ids are left out."""
    out: list[ProgramModel] = []
    for func in g.functions.values():
        node = func.node
        if not isinstance(node, ir.FunctionDef) or not node.decorators:
            continue
        for deco, values in decorator_uses(g, func):
            spec = next((s for v in values if isinstance(v, ExtRef)
                         and (s := g.catalog.lookup("query_program", v.path.removesuffix("()"))) is not None), None)
            if spec is None or any(site.call.kwarg(k) is not None for site in g.callers(func) for k in spec.model_keywords):
                continue
            if isinstance(deco, ir.Call):
                for k in spec.model_keywords:
                    arg = deco.kwarg(k)
                    if isinstance(arg, ir.Constant) and isinstance(arg.value, str):
                        out.append(ProgramModel(func, spec, arg.value, arg.pos, "keyword"))
            out.extend(_clause_ids(g, func, spec))
            break
    return out


def _clause_ids(g: ProjectGraph, func: FunctionInfo, spec: QueryProgramSpec) -> list[ProgramModel]:
    """The quoted ids after the model clause keyword at the start of a line of the docstring, read
    from the source (a docstring's escapes, `\\n`, would shift lines in its value)."""
    node = func.node
    assert isinstance(node, ir.FunctionDef)
    first = node.body[0] if node.body else None
    if not (isinstance(first, ir.ExprStmt) and isinstance(first.value, ir.Constant)
            and isinstance(first.value.value, str)):
        return []
    line0, _, line1, _ = first.value.pos
    lines = g.by_path[func.path].ir.line_range(line0, line1)
    text = "\n".join(lines)
    # comments may stand between the keyword and the id; the quoted id ends its line or is followed
    # by the program's next clause keyword (`where`): a line of the prompt text that happens to
    # start with the word is not the clause
    rx = re.compile(r"^[ \t]*%s(?:\s|#[^\n]*)+(['\"])([^'\"\n]+)\1[ \t]*(?:$|(?:%s)\b)"
                    % (re.escape(spec.model_clause), "|".join(map(re.escape, spec.next_clauses)) or "(?!)"),
                    re.MULTILINE)
    out: list[ProgramModel] = []
    for m in rx.finditer(text):
        start = m.start(2) - 1  # the opening quote
        line = line0 + text.count("\n", 0, start)
        line_start = text.rfind("\n", 0, start) + 1
        col = len(text[line_start:start].encode())
        end = col + len(text[start:m.end()].encode())
        out.append(ProgramModel(func, spec, m.group(2), (line, col, line, end), "clause"))
    return out
