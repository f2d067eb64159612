"""A tool description that names, in code quotes, a parameter the implementing function lacks:
"Load the `split` of dataset `dataset_name`" over `def load(path, split)`. The description quotes
real parameters the same way, so the quoted name reads to the model as one more argument."""

from __future__ import annotations

import re
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.tools import tool_function_param_names

_QUOTED = re.compile(r"`([a-z][a-z0-9_]*)`")
# the parameter section and what follows it: only the summary is judged (the sections describe values)
_SECTION = re.compile(r"^\s*(?:(?:Args|Arguments|Parameters|Params|Returns?|Raises|Examples?|Notes?)\s*:"
                      r"|:param\b|(?:Parameters|Returns)\s*\n\s*-{3,})", re.MULTILINE)


def _summary(doc: str) -> str:
    m = _SECTION.search(doc)
    return doc[:m.start()] if m else doc


def _code_names(func: FunctionInfo) -> set[str]:
    names = {e.id for e, _ in func.walk(ir.Name) if isinstance(e, ir.Name)}
    names |= {e.attr for e, _ in func.walk(ir.Attribute) if isinstance(e, ir.Attribute)}
    names |= {e.value for e, _ in func.walk(ir.Constant) if isinstance(e, ir.Constant) and isinstance(e.value, str)}
    return names


def quoted_missing_params(g: ProjectGraph, tool: object) -> Optional[tuple[list[str], list[str]]]:
    """(quoted names that are no parameter, quoted names that are) for a docstring tool whose
    summary quotes both, or None. A quoted name the function's code uses, that its module defines
    or imports, or that names a tool, is something else the description talks about."""
    func = getattr(tool, "func", None)
    if func is None or func.node is None or not func.node.docstring:
        return None
    params = tool_function_param_names(func)
    if params is None:
        return None
    quoted = list(dict.fromkeys(_QUOTED.findall(_summary(func.node.docstring))))
    real = [q for q in quoted if q in params]
    if not real:
        return None
    mod = func.module  # what the tool's own module defines or imports (a helper, a class the text names)
    known = {f.name for f in g.functions.values() if f.module is mod} | set(mod.imports) \
        | {c.rpartition(".")[2] for c, info in g.classes.items() if info.module is mod} \
        | {t.name for t in g.agent.tools if t.name} | _code_names(func)
    # a quoted plain word may be a value (`train`); a snake_case one reads as an argument name
    missing = [q for q in quoted if q not in params and q not in known and "_" in q.strip("_")]
    return (missing, real) if missing else None
