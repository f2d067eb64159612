"""TRE012: a tool's catch-all handler tells the model its input is invalid, around a step that fails on
valid input too (the first item of a filtered list that may be empty)."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta

_BROAD = frozenset({"Exception", "BaseException"})


class ToolErrorBlamesInput(Rule):
    meta = RuleMeta(
        id="TRE012",
        name="tool-error-blames-input",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool catches every exception and answers that the model's input is invalid, but the code it "
               "guards also fails on valid input: it reads the first item of a filtered list that may be empty."),
        full=("A bare `except:` (or `except Exception`) that returns \"Wrong argument, please input a valid ...\" "
              "turns every failure into a complaint about the input. When the guarded code reads `matches[0]` of "
              "a list built by a filtering comprehension, a valid input that simply matches nothing raises "
              "IndexError, and the model is told its correct input is wrong: it rewrites the input, retries, and "
              "loops, or gives up on a tool that works. Judged in the tool's body: the handler's returned text "
              "holds a phrase that blames the input (catalog tools.toml [input_blame]), and the `try` reads a "
              "fixed index of a list bound in the tool to a comprehension with an `if`, with no test of that "
              "list that keeps the read from an empty one."),
        bad_example=('def _run(self, smiles: str) -> str:\n    try:\n'
                     '        groups = [n for n, p in PATTERNS.items() if matches(smiles, p)]\n'
                     '        return f"Contains {groups[0]}."\n    except:\n'
                     '        return "Wrong argument. Please input a valid SMILES."'),
        good_example=('def _run(self, smiles: str) -> str:\n    mol = parse(smiles)\n    if mol is None:\n'
                      '        return "Please input a valid SMILES."\n'
                      '    groups = [n for n, p in PATTERNS.items() if matches(mol, p)]\n'
                      '    return f"Contains {\', \'.join(groups)}." if groups else "No listed functional group found."'),
        fix=("Handle the empty case (say that nothing matched) and keep the \"invalid input\" message for the "
             "failure that means it; catch narrower exceptions."),
        tags=("tools", "errors"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        phrases = graph.catalog.input_blame_phrases
        if not phrases:
            return
        for func, _tool, label in tool_bodies(graph):
            for t in func.stmts:
                if not isinstance(t, ir.Try):
                    continue
                blame = _blaming_handler(t, phrases)
                if blame is None:
                    continue
                read = next(_empty_reads(func, t), None)
                if read is None:
                    continue
                sub, name, built = read
                text = source_text(graph, func.path, blame.value, 60)
                yield self.finding(
                    ctx, func.path, blame.pos,
                    f"Tool `{label}` answers {text} for any exception, but `{source_text(graph, func.path, sub, 40)}` "
                    f"in its `try` (line {sub.pos[0]}) also fails on valid input: `{name}` is a filtered list that is "
                    f"empty when nothing matches, and then the model is told its valid input is invalid. Handle the "
                    f"empty case with its own message, and catch narrower exceptions.",
                    flow=(FlowStep(graph.span(func.path, built.pos), f"`{name}` is filtered here and may be empty"),
                          FlowStep(graph.span(func.path, sub.pos), "IndexError when it is empty")))


def _blaming_handler(t: ir.Try, phrases: tuple[str, ...]) -> Optional[ir.Return]:
    """The `return` of a catch-all handler of `t` whose text blames the input."""
    for h in t.handlers:
        if h.types and not all(ir.dotted(x) in _BROAD for x in h.types):
            continue
        for s in ir.walk_stmts(h.body):
            if isinstance(s, ir.Return) and s.value is not None:
                text = _text(s.value).lower()
                if any(p in text for p in phrases):
                    return s
    return None


def _text(e: ir.Expr) -> str:
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return e.value
    if isinstance(e, ir.FString):
        return "".join(p for p in e.parts if isinstance(p, str))
    if isinstance(e, (ir.Concat, ir.BinOp)):
        parts = e.parts if isinstance(e, ir.Concat) else [e.left, e.right]
        return " ".join(_text(p) for p in parts)
    return ""


def _fixed_index(e: ir.Subscript) -> bool:
    i = e.index
    if isinstance(i, ir.UnaryOp) and i.op == "-":
        i = i.operand
    return isinstance(i, ir.Constant) and isinstance(i.value, int) and not isinstance(i.value, bool)


def _empty_reads(func: FunctionInfo, t: ir.Try) -> Iterator[tuple[ir.Subscript, str, ir.Stmt]]:
    """(read, list name, where the list is built) for `xs[0]` in the try body, `xs` bound only to a
    list comprehension with a condition, and no test of `xs` on the way that rules out an empty one."""
    for s in ir.walk_stmts(t.body):
        for root in ir.stmt_exprs(s):
            for e in ir.walk_expr(root):
                if not (isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name) and _fixed_index(e)):
                    continue
                name = e.value.id
                defs = func.defs.get(name, [])
                if len(defs) != 1 or not (isinstance(defs[0].value, ir.Comp) and defs[0].value.kind == "list"
                                          and defs[0].value.conds):
                    continue
                if _tested_non_empty(func, s, name):
                    continue
                built = defs[0].stmt
                yield e, name, built if isinstance(built, ir.Stmt) else s


def _tested_non_empty(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Is the read in the true branch of a test that implies `name` has an item (`if xs:`, `if len(xs) >
    0`, `if len(xs) >= 1`), or after a statement that tests `name` and leaves (`if not xs: return`)?"""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If) and any(child is b for b in anc.body) and _implies_item(anc.test, name):
            return True
        child = anc
    for s in func.stmts:
        if s.pos[0] >= stmt.pos[0]:
            break
        if isinstance(s, ir.If) and _implies_empty(s.test, name) and any(
                isinstance(x, (ir.Return, ir.Raise)) for x in ir.walk_stmts(s.body)):
            return True
    return False


def _implies_empty(test: ir.Expr, name: str) -> bool:
    """`not xs`, `len(xs) == 0`, `len(xs) < 1` (or one of them in an `or`)."""
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        return _implies_item(test.operand, name)
    if isinstance(test, ir.BoolOp) and test.op == "or":
        return any(_implies_empty(v, name) for v in test.values)
    n, op = _len_test(test, name)
    return n is not None and ((op == "==" and n == 0) or (op == "<" and n == 1) or (op == "<=" and n == 0))


def _len_test(test: ir.Expr, name: str) -> tuple[Optional[int], str]:
    """(N, op) for `len(xs) <op> N`."""
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and isinstance(test.left, ir.Call) \
            and ir.dotted(test.left.func) == "len" and test.left.args and _mentions(test.left.args[0], name):
        right = test.comparators[0]
        if isinstance(right, ir.Constant) and isinstance(right.value, int):
            return right.value, test.ops[0]
    return None, ""


def _mentions(e: ir.Expr, name: str) -> bool:
    return any(isinstance(x, ir.Name) and x.id == name for x in ir.walk_expr(e))


def _implies_item(test: ir.Expr, name: str) -> bool:
    if isinstance(test, ir.Name) and test.id == name:
        return True
    if isinstance(test, ir.BoolOp) and test.op == "and":
        return any(_implies_item(v, name) for v in test.values)
    n, op = _len_test(test, name)
    return n is not None and ((op == ">" and n >= 0) or (op == ">=" and n >= 1) or (op == "!=" and n == 0)
                              or (op == "==" and n >= 1))
