"""Minimal ReAct-style loop over a sandboxed workspace, using a local Ollama model."""
import re
from pathlib import Path

from llama_index.core.tools import FunctionTool
from llama_index.llms.ollama import Ollama

WORKSPACE = Path("./workspace").resolve()

HEADER = """You help the user inspect files in a workspace folder.
Available tools:
{tools}

Format:
Thought: ...
Action: <tool name>
Action Input: <single argument>
Observation: <tool output>
...
Final Answer: <answer>
"""


def list_files(pattern: str = "*") -> str:
    """List workspace files matching a glob pattern."""
    names = [str(p.relative_to(WORKSPACE)) for p in WORKSPACE.rglob(pattern) if p.is_file()]
    return "\n".join(sorted(names)) or "no files"


def read_workspace_file(path: str):
    """Open a file from the workspace so its contents can be read."""
    return open(WORKSPACE / path, encoding="utf-8")


def count_lines(path: str) -> str:
    """Count the lines of a workspace file."""
    target = WORKSPACE / path
    if not target.is_file():
        return f"{path} is not a file"
    return str(sum(1 for _ in target.open(encoding="utf-8")))


TOOLS = {t.metadata.name: t for t in map(FunctionTool.from_defaults, (list_files, read_workspace_file, count_lines))}
STEP = re.compile(r"Action:\s*(?P<name>[\w_]+)\s*\nAction Input:\s*(?P<arg>.*)")


def run(question: str) -> str:
    llm = Ollama(model="qwen2.5:7b", request_timeout=120.0)
    prompt = HEADER.format(tools="\n".join(f"- {n}: {t.metadata.description}" for n, t in TOOLS.items()))
    scratchpad = f"\nQuestion: {question}\n"
    while True:
        completion = llm.complete(prompt + scratchpad)
        text = completion.text
        if "Final Answer:" in text:
            return text.split("Final Answer:", 1)[1].strip()
        m = STEP.search(text)
        if m is None:
            scratchpad += text + "\nObservation: please use the Action format.\n"
            continue
        name, arg = m.group("name"), m.group("arg").strip()
        if name not in TOOLS:
            observation = f"unknown tool {name}; choose from {', '.join(TOOLS)}"
        else:
            observation = TOOLS[name].call(arg).content
        scratchpad += f"{text}\nObservation: {observation}\n"


if __name__ == "__main__":
    print(run("Which Python file in the workspace is the longest?"))
