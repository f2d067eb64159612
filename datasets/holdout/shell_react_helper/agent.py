import re
import shlex
import subprocess

from openai import OpenAI

PROMPT = """You are a careful Linux assistant. You can use these tools:

list_dir: list the files in a directory. Input: a path.
disk_usage: show disk usage of a path. Input: a path.
read_head: show the first 40 lines of a text file. Input: a path.

Use this format:

Question: the input question
Thought: think about what to do
Action: one of [list_dir, disk_usage, read_head]
Action Input: the input to the action
Observation: the result of the action
... (Thought/Action/Action Input/Observation can repeat)
Thought: I know the answer
Final Answer: the answer to the question

Question: {question}
"""

ACTION_RE = re.compile(r"Action:\s*(\w+)\s*\nAction Input:\s*(.+)")


def _run(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        return "command timed out"
    return (out.stdout or out.stderr)[:2000]


TOOLS = {
    "list_dir": lambda p: _run(["ls", "-la", p]),
    "disk_usage": lambda p: _run(["du", "-sh", p]),
    "read_head": lambda p: _run(["head", "-n", "40", p]),
}


class ShellHelper:
    def __init__(self, model: str = "gpt-4.1", max_steps: int = 8):
        self.client = OpenAI()
        self.model = model
        self.max_steps = max_steps

    def _complete(self, transcript: str) -> str:
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": transcript}],
            temperature=0,
        )
        return resp.choices[0].message.content or ""

    def ask(self, question: str) -> str:
        transcript = PROMPT.format(question=question)
        for _ in range(self.max_steps):
            text = self._complete(transcript)
            if "Final Answer:" in text:
                return text.split("Final Answer:", 1)[1].strip()
            match = ACTION_RE.search(text)
            tool_name = match.group(1)
            tool_input = shlex.split(match.group(2).strip())[0]
            handler = TOOLS.get(tool_name)
            if handler is None:
                observation = f"Unknown tool {tool_name}. Use one of {', '.join(TOOLS)}."
            else:
                observation = handler(tool_input)
            transcript += f"{text}\nObservation: {observation}\n"
        return "Stopped after too many steps."


if __name__ == "__main__":
    import sys

    print(ShellHelper().ask(" ".join(sys.argv[1:]) or "What is using the most space in /var/log?"))
