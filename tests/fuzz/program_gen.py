"""Programs that stress the analyser: deeply nested or very long constructs, and byte-level
mutations of real files. Shared by the fuzz tests and `scripts/fuzz_scan.py`.

Every deep program starts with AGENT_HEAD, whose LOPE001 (a model reply parsed with no
handler) on DEFECT_LINE must still be reported when the rest of the file is pathological.
"""

from __future__ import annotations

import random
from typing import Callable

AGENT_HEAD = '''\
import json

from openai import OpenAI

client = OpenAI()


def extract(text: str) -> dict:
    return json.loads(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}]).choices[0].message.content)


'''  # noqa: E501 - a program whose lines are asserted
DEFECT_LINE = 9
DEFECT_RULE = "LOPE001"

CALL = 'client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])'
REPLY = CALL + ".choices[0].message.content"


def _indented(openers: list[str], body: str) -> str:
    """Each opener one level deeper than the last, `body` in the innermost."""
    lines = ["    " * i + op for i, op in enumerate(openers)]
    lines.append("    " * len(openers) + body)
    return "\n".join(lines) + "\n"


def elif_chain(d: int) -> str:
    arms = "".join(f"    elif x == {i}:\n        return {i}\n" for i in range(1, d))
    return f"def pick(x):\n    if x == 0:\n        return 0\n{arms}    else:\n        return json.loads({REPLY})\n"


def elif_module(d: int) -> str:
    arms = "".join(f"elif x == {i}:\n    y = {i}\n" for i in range(1, d))
    return f"x = 1\nif x == 0:\n    y = 0\n{arms}else:\n    y = json.loads({REPLY})\n"


def elif_model_choice(d: int) -> str:
    """One variable assigned in every arm, then used: many reaching definitions."""
    arms = "".join(f"    elif n == {i}:\n        model = 'gpt-{i}'\n" for i in range(1, d))
    return (f"def ask(n, text):\n    if n == 0:\n        model = 'gpt-4o'\n{arms}"
            f"    reply = client.chat.completions.create(model=model, messages=[{{'role': 'user', 'content': text}}])\n"
            f"    return json.loads(reply.choices[0].message.content)\n")


def parens(d: int) -> str:
    return "x = " + "(" * d + "1" + ")" * d + "\n"


def binop_chain(d: int) -> str:
    return "a = 1\nx = " + " + ".join(["a"] * d) + "\n"


def power_chain(d: int) -> str:  # right-associative
    return "x = " + "2 ** " * d + "2\n"


def str_concat(d: int) -> str:
    return "x = " + " + ".join(f"'part {i} '" for i in range(d)) + "\n"


def str_concat_prompt(d: int) -> str:
    """A long prompt built with +, sent to the model, the reply parsed."""
    prompt = " + ".join(f"'line {i}\\n'" for i in range(d))
    return (f"def ask():\n    prompt = {prompt}\n"
            f"    reply = client.chat.completions.create(model='gpt-4o', messages=[{{'role': 'user', 'content': prompt}}])\n"
            f"    return json.loads(reply.choices[0].message.content)\n")


def implicit_concat(d: int) -> str:
    return "x = (\n" + "".join(f"    'part {i} '\n" for i in range(d)) + ")\n"


def fstring_concat(d: int) -> str:
    return "a = 1\nx = " + " + ".join(f"f'{{a}} {i}'" for i in range(d)) + "\n"


def bool_chain(d: int) -> str:
    return "a = 1\nx = " + " and ".join(["a"] * (d // 2)) + " or " + " or ".join(["a"] * (d - d // 2)) + "\n"


def compare_chain(d: int) -> str:
    return "a = 1\nx = " + " < ".join(["a"] * d) + "\n"


def not_chain(d: int) -> str:
    return "x = " + "not " * d + "1\n"


def unary_chain(d: int) -> str:
    return "x = " + "-" * d + "1\n"


def ifexp_chain(d: int) -> str:
    return "a = 1\nx = " + "a if a else " * d + "a\n"


def lists(d: int) -> str:
    return "x = " + "[" * d + "]" * d + "\n"


def dicts(d: int) -> str:
    return "x = " + "{'k': " * d + "1" + "}" * d + "\n"


def tuples(d: int) -> str:
    return "x = " + "(1, " * d + "1" + ")" * d + "\n"


def sets(d: int) -> str:
    return "x = " + "{frozenset(" * d + ")}" * d + "\n"


def calls(d: int) -> str:
    return "x = " + "f(" * d + "1" + ")" * d + "\n"


def calls_around_llm(d: int) -> str:
    """The model call at the bottom of a deep call nest."""
    return "def ask():\n    return json.loads(" + "str(" * d + REPLY + ")" * d + ")\n"


def kwargs_nest(d: int) -> str:
    return "x = " + "f(a=" * d + "1" + ")" * d + "\n"


def messages_nest(d: int) -> str:
    content = "[" * d + "'hi'" + "]" * d
    return (f"def ask():\n    reply = client.chat.completions.create(model='gpt-4o', "
            f"messages=[{{'role': 'user', 'content': {content}}}])\n"
            f"    return json.loads(reply.choices[0].message.content)\n")


def attr_chain(d: int) -> str:
    return "x = a" + ".b" * d + "\n"


def method_chain(d: int) -> str:
    return "x = a" + ".b()" * d + "\n"


def subscript_chain(d: int) -> str:
    return "x = a" + "[0]" * d + "\n"


def subscript_nest(d: int) -> str:
    return "x = a[" + "b[" * d + "0" + "]" * d + "]\n"


def slice_nest(d: int) -> str:
    return "x = a[" + "b[1:" * d + "2" + "]" * d + "]\n"


def lambdas(d: int) -> str:
    return "x = " + "lambda: " * d + "1\n"


def lambdas_with_params(d: int) -> str:
    return "x = " + "".join(f"lambda a{i}=None: " for i in range(d)) + "1\n"


def awaits(d: int) -> str:
    return "async def f():\n    return " + "await (" * d + "g()" + ")" * d + "\n"


def walrus(d: int) -> str:
    return "x = " + "(a := " * d + "1" + ")" * d + "\n"


def yields(d: int) -> str:
    return "def g():\n    x = " + "(yield " * d + "1" + ")" * d + "\n"


def starred(d: int) -> str:
    return "x = [" + "*[" * d + "1" + "]" * d + "]\n"


def comprehension_nest(d: int) -> str:
    return "x = " + "[" * d + "1" + " for a in b]" * d + "\n"


def comprehension_clauses(d: int) -> str:
    return "x = [a0 " + " ".join(f"for a{i + 1} in a{i}" for i in range(d)) + "]\n"


def fstring_nest(d: int) -> str:  # f-strings nest only as deep as their quotes allow (PEP 701: any)
    return "x = " + "f'{" * min(d, 200) + "1" + "}'" * min(d, 200) + "\n"


def nested_defs(d: int) -> str:
    return _indented([f"def f{i}():" for i in range(d)], f"return json.loads({REPLY})")


def nested_async_defs(d: int) -> str:
    return _indented([f"async def f{i}():" for i in range(d)], "pass")


def nested_classes(d: int) -> str:
    return _indented([f"class C{i}:" for i in range(d)], "pass")


def nested_ifs(d: int) -> str:
    return _indented([f"if x{i}:" for i in range(d)], f"y = json.loads({REPLY})")


def nested_fors(d: int) -> str:
    return _indented([f"for i{i} in x:" for i in range(d)], "pass")


def nested_whiles(d: int) -> str:
    return _indented([f"while x{i}:" for i in range(d)], f"y = {CALL}")


def nested_withs(d: int) -> str:
    return _indented([f"with x{i} as y{i}:" for i in range(d)], "pass")


def nested_trys(d: int) -> str:
    lines = ["    " * i + "try:" for i in range(d)]
    lines.append("    " * d + f"y = json.loads({REPLY})")
    for i in reversed(range(d)):
        lines += ["    " * i + "except ValueError:", "    " * (i + 1) + "pass"]
    return "\n".join(lines) + "\n"


def nested_matches(d: int) -> str:
    openers = []
    for i in range(d):
        openers += [f"match x{i}:", "case 1:"]
    return _indented(openers, "pass")


def try_finally_chain(d: int) -> str:
    return "".join(f"try:\n    x{i} = 1\nexcept E{i}:\n    pass\nfinally:\n    y = {i}\n" for i in range(d))


def except_types_nest(d: int) -> str:
    return "try:\n    pass\nexcept " + "(" * d + "ValueError, KeyError" + ")" * d + ":\n    pass\n"


def decorators(d: int) -> str:
    return "".join(f"@d{i}\n" for i in range(d)) + "def f():\n    pass\n"


def assign_chain(d: int) -> str:
    return "x = " + " = ".join(f"a{i}" for i in range(d)) + " = 1\n"


def many_params(d: int) -> str:
    return "def f(" + ", ".join(f"a{i}=None" for i in range(d)) + "):\n    return a0\n"


def many_args(d: int) -> str:
    return "x = f(" + ", ".join(f"a{i}" for i in range(d)) + ")\n"


def alias_chain(d: int) -> str:
    """A value passed through d names before its reply is parsed."""
    lines = ["c0 = client"] + [f"c{i + 1} = c{i}" for i in range(d)]
    lines.append(f"r = c{d}.chat.completions.create(model='gpt-4o', messages=[])")
    lines.append("json.loads(r.choices[0].message.content)")
    return "\n".join(lines) + "\n"


def reassign_chain(d: int) -> str:
    """One name redefined d times from itself: a long def-use chain."""
    return ("text = 'x'\n" + "text = text + 'y'\n" * d
            + "reply = client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', 'content': text}])\n")


def call_chain(d: int) -> str:
    """f0 calls f1 ... the last one calls the model; its reply flows back up to a parse."""
    defs = "".join(f"def f{i}(x):\n    return f{i + 1}(x)\n\n\n" for i in range(d))
    return (defs + f"def f{d}(x):\n"
            "    return client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', 'content': x}])\n\n\n"
            "def top():\n    return json.loads(f0('hi').choices[0].message.content)\n")


def recursion_ring(d: int) -> str:
    return "".join(f"def f{i}(x):\n    return f{(i + 1) % d}(x)\n\n\n" for i in range(d))


def self_recursion(d: int) -> str:
    return "def f(x):\n    return f(f(x))\n\n\ny = " + "f(" * d + "1" + ")" * d + "\n"


def class_chain(d: int) -> str:
    return "class C0:\n    pass\n" + "".join(f"class C{i + 1}(C{i}):\n    pass\n" for i in range(d))


def method_self_chain(d: int) -> str:
    """Methods calling the next through self, the last one calling the model."""
    meths = "".join(f"    def m{i}(self, x):\n        return self.m{i + 1}(x)\n\n" for i in range(d))
    return (f"class Agent:\n{meths}    def m{d}(self, x):\n        return {CALL}\n\n\n"
            "def top():\n    return json.loads(Agent().m0('hi').choices[0].message.content)\n")


def attr_assign_chain(d: int) -> str:
    return "class C:\n    pass\n\n\nc = C()\nc" + ".a" * d + " = 1\n"


def tool_dict_nest(d: int) -> str:
    """A deeply nested JSON schema in a tool definition."""
    schema = "{'type': 'object', 'properties': {'p': " * d + "{'type': 'string'}" + "}}" * d
    return (f"TOOLS = [{{'type': 'function', 'function': {{'name': 'look', 'description': 'Look.', 'parameters': {schema}}}}}]\n"
            f"reply = client.chat.completions.create(model='gpt-4o', messages=[], tools=TOOLS)\n")


def long_line(d: int) -> str:
    return "x = '" + "a" * (d * 100) + "'\n"


def many_statements(d: int) -> str:
    return "".join(f"x{i} = x{i - 1} if {i} else {CALL}\n" for i in range(1, d))


DEEP_SHAPES: dict[str, Callable[[int], str]] = {
    f.__name__: f for f in (
        elif_chain, elif_module, elif_model_choice, parens, binop_chain, power_chain, str_concat, str_concat_prompt,
        implicit_concat, fstring_concat, bool_chain, compare_chain, not_chain, unary_chain, ifexp_chain, lists, dicts,
        tuples, sets, calls, calls_around_llm, kwargs_nest, messages_nest, attr_chain, method_chain, subscript_chain,
        subscript_nest, slice_nest, lambdas, lambdas_with_params, awaits, walrus, yields, starred, comprehension_nest,
        comprehension_clauses, fstring_nest, nested_defs, nested_async_defs, nested_classes, nested_ifs, nested_fors,
        nested_whiles, nested_withs, nested_trys, nested_matches, try_finally_chain, except_types_nest, decorators,
        assign_chain, many_params, many_args, alias_chain, reassign_chain, call_chain, recursion_ring, self_recursion,
        class_chain, method_self_chain, attr_assign_chain, tool_dict_nest, long_line, many_statements,
    )
}


def deep_program(shape: str, depth: int) -> str:
    if shape.startswith("nested_"):  # indentation grows as depth squared: past the 2 MB file limit soon
        depth = min(depth, 1_000)
    return AGENT_HEAD + DEEP_SHAPES[shape](depth)


# ----------------------------------------------------------------------------- mutations


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    del lines[start:start + rng.randint(1, 5)]
    return b"\n".join(lines)


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    chunk = lines[start:start + rng.randint(1, 5)]
    at = rng.randrange(len(lines) + 1)
    return b"\n".join(lines[:at] + chunk + lines[at:])


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    junk = rng.choice([
        b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3\x28", b"\xed\xa0\x80", b"\r", b"\r\n", b"\t", b"\x0c",
        b"\\", b"'", b'"""', b"(", b")", b"[", b"{", b":", b"\n    ", b"\n\t", b"#", b"@", b"lambda", b"elif",
        bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))),
    ])
    at = rng.randrange(len(data) + 1)
    return data[:at] + junk + data[at:]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def nest_deeply(data: bytes, rng: random.Random) -> bytes:
    """Wrap a line's expression in deep brackets, or indent a block far."""
    lines = _lines(data)
    i = rng.randrange(len(lines))
    depth = rng.choice([50, 300, 1000])
    line = lines[i]
    if b"=" in line and not line.lstrip().startswith((b"def", b"class", b"if", b"for", b"while")):
        head, _, tail = line.partition(b"=")
        opener = rng.choice([b"(", b"[", b"f(", b"{1: "])
        closer = {b"(": b")", b"[": b"]", b"f(": b")", b"{1: ": b"}"}[opener]
        lines[i] = head + b"= " + opener * depth + tail.strip() + closer * depth
    else:  # 600 levels: past what tree-sitter-python survives (see lower.MAX_INDENT_LEVELS)
        levels = rng.choice([5, 30, 100, 600])
        indent = len(line) - len(line.lstrip())
        pad = line[:indent]
        lines[i:i + 1] = [pad + b"    " * k + b"if x:" for k in range(levels)] + [pad + b"    " * levels + line.lstrip()]
    return b"\n".join(lines)


def elif_insert(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines) + 1)
    arms = [b"if x == 0:", b"    pass"] + [b"elif x == %d:\n    pass" % k for k in range(rng.choice([10, 500, 1500]))]
    return b"\n".join(lines[:at] + arms + lines[at:])


MUTATIONS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    delete_lines, duplicate_lines, swap_lines, truncate, insert_bytes, flip_bytes, nest_deeply, elif_insert,
)


def mutate(data: bytes, rng: random.Random, rounds: int = 3) -> bytes:
    for _ in range(rounds):
        data = rng.choice(MUTATIONS)(data or b"\n", rng)
    return data
