"""guards.unreached_branch: a branch on a parameter that every caller leaves at its default."""

from agentable.cpg import ir
from agentable.query.guards import unreached_branch
from tests.conftest import graph_of

_HELPER = """
def parse(text, check=None):
    if check is not None:
        a = 1
    else:
        b = 2
    if not check:
        c = 3
"""


def _reached(callers: str, helper: str = _HELPER) -> dict[str, bool]:
    """Assigned name -> is its statement reachable, for the helper `parse` called by `callers`."""
    g = graph_of({"m.py": helper + callers})
    f = g.functions["m.parse"]
    out = {}
    for s in ir.walk_stmts(f.body):
        if isinstance(s, ir.Assign) and isinstance(s.targets[0], ir.Name):
            out[s.targets[0].id] = not unreached_branch(g, f, s)
    return out


def test_no_caller_passes_the_parameter():
    assert _reached("def go(t):\n    return parse(t)\n") == {"a": False, "b": True, "c": True}


def test_a_caller_passes_it_by_keyword_or_position():
    assert _reached("def go(t):\n    parse(t)\n    return parse(t, check=len)\n") == {"a": True, "b": True, "c": True}
    assert _reached("def go(t):\n    return parse(t, len)\n") == {"a": True, "b": True, "c": True}
    assert _reached("def go(t, **kw):\n    return parse(t, **kw)\n") == {"a": True, "b": True, "c": True}


def test_no_callers_or_a_callback_keeps_every_branch():
    assert _reached("") == {"a": True, "b": True, "c": True}
    assert _reached("def go(t, run):\n    parse(t)\n    return run(parse)\n") == {"a": True, "b": True, "c": True}


def test_a_rebound_parameter_keeps_its_branches():
    helper = _HELPER.replace("    if check is not None:", "    check = check or load()\n    if check is not None:")
    assert _reached("def go(t):\n    return parse(t)\n", helper) == {"check": True, "a": True, "b": True, "c": True}


def test_a_method_called_through_its_instance():
    src = """
class P:
    def parse(self, text, strict=False):
        if strict:
            a = 1
        return text

def go(p: P, t):
    return P().parse(t)
"""
    g = graph_of({"m.py": src})
    f = g.functions["m.P.parse"]
    s = next(s for s in ir.walk_stmts(f.body) if isinstance(s, ir.Assign))
    assert unreached_branch(g, f, s)
    g2 = graph_of({"m.py": src.replace("P().parse(t)", "P().parse(t, True)")})
    f2 = g2.functions["m.P.parse"]
    s2 = next(s for s in ir.walk_stmts(f2.body) if isinstance(s, ir.Assign))
    assert not unreached_branch(g2, f2, s2)
