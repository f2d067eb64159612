"""Generate a deterministic synthetic corpus of agent code for `bench_scan.py`.

    python benchmarks/gen_corpus.py [--out benchmarks/.corpus] [--files 320] [--lines 110000] [--seed 7]

The corpus is a package of modules mixing what real agent repositories hold: LLM wrappers over
several SDKs (openai, anthropic, google-genai, litellm, langchain), tools, agent loops, output
parsers and plain helper code, cross-importing each other. A seeded RNG picks the mix, names
and constants, so the same arguments always write the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path
from typing import Callable

DEFAULT_OUT = Path(__file__).parent / ".corpus"
WORDS = ("order", "invoice", "ticket", "weather", "search", "summary", "profile", "report", "refund", "shipment",
         "calendar", "email", "document", "query", "memory", "plan", "review", "note", "price", "account")
MODELS = ("gpt-4o-mini", "gpt-4.1", "o4-mini", "claude-sonnet-4-5", "claude-3-5-haiku-latest", "gemini-2.5-flash")


class Gen:
    def __init__(self, rng: random.Random, module: str, siblings: list[str]) -> None:
        self.rng = rng
        self.module = module
        self.siblings = siblings
        self.n = 0

    def name(self) -> str:
        self.n += 1
        return f"{self.rng.choice(WORDS)}_{self.rng.choice(WORDS)}_{self.n}"

    def model(self) -> str:
        return self.rng.choice(MODELS)


def openai_wrapper(g: Gen) -> str:
    fn, temp = g.name(), g.rng.choice(("0", "0.2", "0.7"))
    guarded = g.rng.random() < 0.5
    parse = (f"""    try:
        return json.loads(text)
    except json.JSONDecodeError:
        logger.warning("bad JSON from model for %s", {fn!r})
        return {{}}""" if guarded else "    return json.loads(text)")
    return f'''
def {fn}(prompt: str, history: list[dict] | None = None) -> dict:
    """Ask the model for a JSON answer about {fn.split("_")[0]}s."""
    messages = [{{"role": "system", "content": "Answer in JSON with keys 'answer' and 'confidence'."}}]
    messages.extend(history or [])
    messages.append({{"role": "user", "content": prompt}})
    response = client.chat.completions.create(
        model="{g.model()}",
        messages=messages,
        temperature={temp},
        timeout=30,
    )
    text = response.choices[0].message.content
{parse}
'''


def anthropic_wrapper(g: Gen) -> str:
    fn = g.name()
    return f'''
def {fn}(question: str, max_tokens: int = {g.rng.choice((256, 512, 1024))}) -> str:
    message = anthropic_client.messages.create(
        model="{g.model()}",
        max_tokens=max_tokens,
        system="You are a careful assistant. Reply with one short paragraph.",
        messages=[{{"role": "user", "content": question}}],
    )
    parts = [block.text for block in message.content if block.type == "text"]
    if not parts:
        raise RuntimeError("empty reply")
    return "".join(parts).strip()
'''


def gemini_wrapper(g: Gen) -> str:
    fn = g.name()
    return f'''
def {fn}(text: str) -> list[str]:
    result = genai_client.models.generate_content(
        model="{g.model()}",
        contents=f"List the key facts in this text, one per line:\\n{{text}}",
    )
    lines = [ln.strip("- ").strip() for ln in (result.text or "").splitlines()]
    return [ln for ln in lines if ln]
'''


def litellm_wrapper(g: Gen) -> str:
    fn = g.name()
    return f'''
async def {fn}(prompt: str, retries: int = {g.rng.randint(1, 4)}) -> str:
    last_error: Exception | None = None
    for attempt in range(retries):
        try:
            reply = await litellm.acompletion(
                model="{g.model()}",
                messages=[{{"role": "user", "content": prompt}}],
                timeout=20,
            )
            return reply.choices[0].message.content or ""
        except Exception as exc:  # provider errors are retried with backoff
            last_error = exc
            await asyncio.sleep(2 ** attempt)
    raise RuntimeError(f"model failed after {{retries}} attempts") from last_error
'''


def langchain_chain(g: Gen) -> str:
    fn = g.name()
    return f'''
def {fn}(topic: str) -> str:
    llm = ChatOpenAI(model="{g.model()}", temperature=0)
    prompt = ChatPromptTemplate.from_messages([
        ("system", "You write concise briefings."),
        ("human", "Write a briefing about {{topic}}."),
    ])
    chain = prompt | llm | StrOutputParser()
    return chain.invoke({{"topic": topic}})
'''


def tool_def(g: Gen) -> str:
    fn, word = g.name(), g.rng.choice(WORDS)
    documented = g.rng.random() < 0.7
    doc = f'    """Look up the {word} with the given id and return its fields as JSON."""\n' if documented else ""
    return f'''
@tool
def {fn}({word}_id: str, include_history: bool = False) -> str:
{doc}    record = DATABASE.get({word}_id)
    if record is None:
        return json.dumps({{"error": "not found", "id": {word}_id}})
    if not include_history:
        record = {{k: v for k, v in record.items() if k != "history"}}
    return json.dumps(record, default=str)
'''


def agent_loop(g: Gen) -> str:
    fn = g.name()
    bounded = g.rng.random() < 0.6
    header = f"    for step in range({g.rng.choice((5, 8, 10, 20))}):" if bounded else "    while True:"
    return f'''
def {fn}(task: str, tools: dict[str, Callable[..., str]]) -> str:
    messages: list[dict] = [{{"role": "user", "content": task}}]
    specs = [{{"type": "function", "function": {{"name": n, "parameters": {{"type": "object"}}}}}} for n in tools]
{header}
        response = client.chat.completions.create(model="{g.model()}", messages=messages, tools=specs)
        choice = response.choices[0]
        if choice.finish_reason == "stop":
            return choice.message.content or ""
        messages.append(choice.message.model_dump())
        for call in choice.message.tool_calls or []:
            handler = tools.get(call.function.name)
            if handler is None:
                output = f"unknown tool {{call.function.name}}"
            else:
                output = handler(**json.loads(call.function.arguments))
            messages.append({{"role": "tool", "tool_call_id": call.id, "content": output}})
    return "step limit reached"
'''


def parser(g: Gen) -> str:
    fn = g.name()
    return f'''
_{fn.upper()}_RE = re.compile(r"```(?:json)?\\s*(\\{{.*?\\}})\\s*```", re.S)


def {fn}(reply: str) -> dict[str, Any]:
    """Pull the first fenced JSON object out of a model reply."""
    match = _{fn.upper()}_RE.search(reply)
    candidate = match.group(1) if match else reply.strip()
    try:
        data = json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise ValueError(f"reply is not JSON: {{exc}}") from exc
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return {{str(k).lower(): v for k, v in data.items()}}
'''


def helper_class(g: Gen) -> str:
    cls = "".join(w.title() for w in g.name().split("_")[:2]) + str(g.n)
    fields = g.rng.sample(WORDS, g.rng.randint(3, 6))
    decl = "\n".join(f"    {f}: str = \"\"" for f in fields)
    checks = "\n".join(f"        if not self.{f}:\n            problems.append(\"{f} is empty\")" for f in fields)
    return f'''
@dataclass
class {cls}:
{decl}
    tags: list[str] = field(default_factory=list)

    def validate(self) -> list[str]:
        problems: list[str] = []
{checks}
        return problems

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "{cls}":
        known = {{k: v for k, v in data.items() if k in cls.__dataclass_fields__}}
        return cls(**known)
'''


def helper_funcs(g: Gen) -> str:
    a, b, c = g.name(), g.name(), g.name()
    k = g.rng.randint(2, 9)
    return f'''
def {a}(items: Iterable[str], width: int = {g.rng.randint(40, 120)}) -> list[str]:
    out: list[str] = []
    for item in items:
        item = item.strip()
        if len(item) > width:
            item = item[: width - 3] + "..."
        if item and item not in out:
            out.append(item)
    return out


def {b}(values: list[float]) -> dict[str, float]:
    if not values:
        return {{"mean": 0.0, "max": 0.0, "min": 0.0}}
    total = sum(values)
    return {{"mean": total / len(values), "max": max(values), "min": min(values)}}


def {c}(text: str, chunk: int = {k * 100}, overlap: int = {k * 10}) -> list[str]:
    chunks = []
    start = 0
    while start < len(text):
        end = min(len(text), start + chunk)
        chunks.append(text[start:end])
        if end == len(text):
            break
        start = end - overlap
    return chunks
'''


def cross_call(g: Gen) -> str:
    if not g.siblings:
        return helper_funcs(g)
    other = g.rng.choice(g.siblings)
    fn = g.name()
    return f'''
def {fn}(payload: dict[str, Any]) -> dict[str, Any]:
    from corpus import {other} as peer

    names = [n for n in dir(peer) if not n.startswith("_")]
    payload = dict(payload)
    payload["peer"] = peer.__name__
    payload["exports"] = len(names)
    return payload
'''


BLOCKS: list[tuple[Callable[[Gen], str], int]] = [
    (openai_wrapper, 5), (anthropic_wrapper, 3), (gemini_wrapper, 2), (litellm_wrapper, 2),
    (langchain_chain, 2), (tool_def, 5), (agent_loop, 2), (parser, 3), (helper_class, 4),
    (helper_funcs, 6), (cross_call, 2),
]

HEADER = '''"""{doc}"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

import anthropic
import litellm
from google import genai
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from openai import OpenAI

logger = logging.getLogger(__name__)
client = OpenAI()
anthropic_client = anthropic.Anthropic()
genai_client = genai.Client()
DATABASE: dict[str, dict[str, Any]] = {{}}
'''


def gen_module(rng: random.Random, name: str, siblings: list[str], target_lines: int) -> str:
    g = Gen(rng, name, siblings)
    parts = [HEADER.format(doc=f"Synthetic agent module {name}.")]
    lines = parts[0].count("\n")
    funcs, weights = zip(*BLOCKS, strict=True)
    while lines < target_lines:
        block = rng.choices(funcs, weights)[0](g)
        parts.append(block)
        lines += block.count("\n") + 1
    return "\n".join(parts)


def generate(out: Path = DEFAULT_OUT, files: int = 320, lines: int = 110_000, seed: int = 7) -> tuple[int, int]:
    """Write the corpus (replacing an old one); return (files, lines)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    pkg = out / "corpus"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Synthetic agent corpus."""\n', encoding="utf-8")
    (out / "requirements.txt").write_text("openai>=1.40\nanthropic>=0.40\nlitellm\nlangchain-openai\ngoogle-genai\n")
    names = [f"mod_{i:03d}" for i in range(files - 1)]
    per_file = lines // len(names)
    total = 1
    for i, name in enumerate(names):
        target = rng.randint(int(per_file * 0.4), int(per_file * 1.6))
        text = gen_module(rng, name, names[:i][-20:], target)
        (pkg / f"{name}.py").write_text(text, encoding="utf-8")
        total += text.count("\n")
    return files, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--files", type=int, default=320)
    ap.add_argument("--lines", type=int, default=110_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    n, total = generate(args.out, args.files, args.lines, args.seed)
    print(f"wrote {n} files, {total} lines to {args.out}")


if __name__ == "__main__":
    main()
