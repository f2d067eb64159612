"""TRE005: agent code reads a module name that only the `if __name__ == "__main__":` block binds,
where the function has a parameter of the same name but for underscores (`arg` for `_arg`)."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.structure import DefSite, FunctionInfo, ModuleInfo
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta

_BUILTINS = python_facts().builtin_names


class ScriptGlobalForParameter(Rule):
    meta = RuleMeta(
        id="TRE005",
        name="script-global-read-for-parameter",
        category="TRE",
        severity=Severity.WARNING,
        short=("A function reads a name that only the `if __name__ == \"__main__\":` block binds, where it has a "
               "parameter of the same name but for underscores: a typo for the parameter."),
        full=("A parameter renamed with an underscore (`_arg`, to stop it shadowing the script's own `arg`) but "
              "still read by its old name somewhere in the body reads the module's variable instead. That variable "
              "exists only when the file runs as a script, where its value is whatever the main loop last stored "
              "there (the previous command's argument, a display string), so a tool built on the function works on "
              "the wrong value and returns an error or a wrong result every time; imported as a module, the "
              "function raises NameError."),
        bad_example=('def fetch(_url: str) -> str:\n    if url.startswith("http"):\n        return get(_url)\n'
                     '    return open(_url).read()\n\nif __name__ == "__main__":\n    url = input()\n'
                     '    print(fetch(url))'),
        good_example=('def fetch(_url: str) -> str:\n    if _url.startswith("http"):\n        return get(_url)\n'
                      '    return open(_url).read()'),
        fix="Read the parameter (`_arg`), not the script's variable.",
        precision="high",
        tags=("tools", "typo"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        by_module: dict[int, dict[str, DefSite]] = {}  # a module's script-only names, once per module
        for func in graph.agent.functions():
            if func.node is None or not func.params:
                continue
            script_only = by_module.get(id(func.module))
            if script_only is None:
                script_only = by_module[id(func.module)] = _script_only_names(func.module)
            if not script_only:
                continue
            params = {p.name for p in func.params}
            reported: set[str] = set()
            for x, _stmt in func.walk(ir.Name):
                name = x.id
                if name in reported or name not in script_only or name in params or _bound_around(func, name):
                    continue
                if id(x) in func.comp_names or name in _lambda_params(func):
                    continue
                param = _near_param(name, params)
                if param is None:
                    continue
                reported.add(name)
                line = script_only[name].stmt.pos[0]
                yield self.finding(
                    ctx, func.path, x.pos,
                    f"`{func.name}` reads `{name}`, which only the `if __name__ == \"__main__\":` block binds (line "
                    f"{line}), not its parameter `{param}`: run as a script it gets whatever the main code last "
                    f"stored in `{name}`, imported it raises NameError. Read `{param}`.",
                )


def _script_only_names(mod: ModuleInfo) -> dict[str, DefSite]:
    """Module names every binding of which is inside an `if __name__ == "__main__":` block (the
    first binding of each)."""
    top = mod.toplevel
    out: dict[str, DefSite] = {}
    for name, defs in top.defs.items():
        if name in _BUILTINS or name in mod.functions or name in mod.classes:
            continue
        if defs and all(any(isinstance(a, ir.If) and _is_main_test(a.test) for a in top.ancestors(d.stmt))
                        for d in defs):
            out[name] = defs[0]
    return out


def _is_main_test(test: ir.Expr) -> bool:
    if not (isinstance(test, ir.Compare) and test.ops == ["=="] and len(test.comparators) == 1):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(s, ir.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ir.Constant) and s.value == "__main__" for s in sides)


def _bound_around(func: FunctionInfo, name: str) -> bool:
    """Is the name bound in the function or an enclosing one (a local, a closure, `global`)?"""
    f: Optional[FunctionInfo] = func
    while f is not None and not f.is_module:
        if name in f.defs or name in f.globals_declared or name in {p.name for p in f.params}:
            return True
        f = f.parent
    return False


def _lambda_params(func: FunctionInfo) -> set[str]:
    return {p.name for x, _s in func.walk(ir.Lambda) for p in x.params}


def _near_param(name: str, params: set[str]) -> Optional[str]:
    """The parameter that differs from `name` only by leading or trailing underscores."""
    core = name.strip("_")
    if not core:
        return None
    return next((p for p in sorted(params) if p != name and p.strip("_") == core), None)
