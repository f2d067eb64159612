"""What an expression resolves to must not depend on which expressions were asked first.

The resolver memoizes every answer, and a cycle (a recursive function, a parameter fed by its own
callee) reads a partial answer while it is being resolved. Those partial answers, and everything
built on them, used to be kept as final, so a rule that asked about a caller first saw less than a
rule that asked about the callee first (`--select` and a whole scan reported different findings).
Constants were also merged across types (False == 0 in Python), in whichever order they came."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.cpg import ir
from agentable.cpg.values import Const
from tests.conftest import graph_of

FIXTURES = Path(__file__).resolve().parents[1] / "rules" / "fixtures"
# each gave different answers in the two orders before cycle reads were made provisional
CASES = ["mnft003/recursive_stream_generator", "mnft006/ok_counted_or_tree_recursion",
         "ieti001/own_agent_function_undocumented", "mnft002/plugin_registry_built_from_config",
         "adal004/local_weights_loaded_past_trained_context"]


def _answers(files: dict[str, str], reverse: bool) -> dict[tuple, list[str]]:
    g = graph_of(files)
    asked = [(q, site, e) for q in sorted(g.functions) for site in g.functions[q].calls
             for e in ir.walk_expr(site.call)]
    out: dict[tuple, list[str]] = {}
    for q, site, e in reversed(asked) if reverse else asked:
        key = (q, site.call.pos, e.pos, type(e).__name__)
        out[key] = sorted(map(repr, g.values(e, g.functions[q], site.stmt)))
    return out


@pytest.mark.parametrize("case", CASES)
def test_answers_do_not_depend_on_question_order(case: str) -> None:
    root = FIXTURES / case
    files = {str(p.relative_to(root)): p.read_text() for p in root.rglob("*.py")}
    forward, backward = _answers(files, False), _answers(files, True)
    assert forward.keys() == backward.keys()
    differ = [k for k in forward if forward[k] != backward[k]]
    assert not differ, differ[:3]


def test_constants_of_different_types_stay_apart() -> None:
    assert Const(False) != Const(0) and Const(True) != Const(1.0)
    assert len({Const(False), Const(0), Const(0.0), Const(None)}) == 4
    assert Const("a") == Const("a") and hash(Const(1)) == hash(Const(1))
