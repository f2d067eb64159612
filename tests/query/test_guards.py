"""guards.guarded_in_expr: tests that must pass, within one expression, before a part of it runs."""

from agentable.cpg import ir
from agentable.cpg.lower import lower_source
from agentable.query.guards import expr_parents, guarded_in_expr, names_in
from tests.conftest import graph_of


def _lookups(src: str) -> list[tuple[ir.Subscript, dict[int, ir.Expr]]]:
    mod = lower_source(src.encode(), "m.py", "m")
    out = []
    for s in ir.walk_stmts(mod.body):
        parents = expr_parents(s)
        for root in ir.stmt_exprs(s):
            out.extend((e, parents) for e in ir.walk_expr(root)
                       if isinstance(e, ir.Subscript) and ir.dotted(e.value) == "H")
    return out


def _membership(t: ir.Expr) -> bool:
    return any(isinstance(x, ir.Compare) and "in" in x.ops and "b.name" in names_in(x.left) for x in ir.walk_expr(t))


def _guarded(src: str) -> list[bool]:
    return [guarded_in_expr(e, parents, _membership) for e, parents in _lookups(src)]


def test_comprehension_condition_guards_the_element():
    assert _guarded("r = [H[b.name]() for b in blocks if b.kind == 't' and b.name in H]\n") == [True]
    assert _guarded("r = (H[b.name]() for b in blocks if b.kind == 't' if b.name in H)\n") == [True]
    assert _guarded("r = {b.id: H[b.name]() for b in blocks if b.name in H}\n") == [True]


def test_comprehension_condition_on_something_else_does_not():
    assert _guarded("r = [H[b.name]() for b in blocks if b.kind == 't']\n") == [False]


def test_a_later_condition_does_not_guard_an_earlier_clause():
    # the lookup in the first `if` runs before the membership test written after it
    assert _guarded("r = [b for b in blocks if H[b.name]() if b.name in H]\n") == [False]
    assert _guarded("r = [b for b in blocks if b.name in H if H[b.name]()]\n") == [True]


def test_conditional_expression_and_boolean_chain():
    assert _guarded("r = H[b.name]() if b.name in H else None\n") == [True]
    assert _guarded("r = b.name in H and H[b.name]()\n") == [True]
    assert _guarded("r = H[b.name]() and b.name in H\n") == [False]


_LIB = '''
import sqlite3

import boto3
import psycopg
from requests.exceptions import RequestException

s3 = boto3.client("s3")


def run(step):
    try:
        step()
    except sqlite3.Error:
        pass
    try:
        step()
    except (psycopg.Error, RequestException):
        pass
    try:
        step()
    except s3.exceptions.ClientError:
        pass
'''


def _tries(src: str):
    g = graph_of({"m.py": src})
    func = g.functions["m.run"]
    return g, func, [t.body[0] for t in func.body if isinstance(t, ir.Try)]


def test_handler_for_the_library_base_error_or_an_ancestor_counts():
    from agentable.query.guards import catches_library_errors

    g, func, (a, b, c) = _tries(_LIB)
    assert catches_library_errors(g, func, a, frozenset({"sqlite3.Error"}))
    # requests.exceptions.HTTPError derives from RequestException, imported from requests.exceptions
    assert catches_library_errors(g, func, b, frozenset({"requests.exceptions.HTTPError"}))
    # a boto3 client's `exceptions.ClientError` is botocore's ClientError
    assert catches_library_errors(g, func, c, frozenset({"botocore.exceptions.ClientError"}))


def test_handler_for_another_library_does_not_count():
    from agentable.query.guards import catches_library_errors

    g, func, (a, b, c) = _tries(_LIB)
    assert not catches_library_errors(g, func, b, frozenset({"sqlite3.Error"}))  # psycopg.Error has the same short name
    assert not catches_library_errors(g, func, a, frozenset({"redis.exceptions.RedisError"}))
    assert not catches_library_errors(g, func, c, frozenset())


_RERAISE = '''
class StepFailed(RuntimeError):
    pass


def step(call):
    try:
        call()
    except OSError as exc:
        raise exc
    except Exception as exc:
        raise StepFailed(str(exc)) from exc


def quiet(call):
    try:
        call()
    except OSError:
        print("failed")


def loop(call):
    for _ in range(3):
        try:
            step(call)
        except RuntimeError:
            continue
'''


def test_handler_raises_on_names_what_goes_on():
    from agentable.query.guards import handler_raises_on

    g = graph_of({"m.py": _RERAISE})
    (t,) = [s for s in g.functions["m.step"].body if isinstance(s, ir.Try)]
    assert [handler_raises_on(h) for h in t.handlers] == [("OSError",), ("StepFailed",)]
    (q,) = [s for s in g.functions["m.quiet"].body if isinstance(s, ir.Try)]
    assert handler_raises_on(q.handlers[0]) is None


def test_fault_handled_follows_what_a_handler_raises():
    from agentable.query.guards import fault_handled

    g = graph_of({"m.py": _RERAISE})
    func = g.functions["m.step"]
    call = func.calls[0].stmt
    # ValueError becomes StepFailed, a RuntimeError the loop catches
    assert fault_handled(g, func, call, "ValueError")
    # OSError is raised again as it is, and nothing catches it
    assert not fault_handled(g, func, call, "OSError")
