#!/usr/bin/env python3
"""Local shell assistant: answers questions about this machine with read-only commands."""
import argparse
import re
import shlex
import subprocess

import ollama

MODEL = "qwen2.5:7b-instruct"
SAFE = {"ls", "df", "du", "uptime", "free", "cat", "head", "wc", "uname"}

PROMPT = """Answer the question about this Linux machine. You may run read-only commands.
Use exactly this format:
Thought: reasoning
Action: run
Action Input: the shell command
Observation: command output
(repeat Thought/Action/Action Input/Observation as needed)
Final Answer: the answer

Question: {question}
"""

STEP = re.compile(r"Action:\s*run\s*\nAction Input:\s*(.+)")


def run(cmd: str) -> str:
    argv = shlex.split(cmd)
    if not argv or argv[0] not in SAFE:
        return f"refused: {argv[0] if argv else cmd!r} is not allowed"
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=15)
    return (proc.stdout or proc.stderr)[:2000] or "(no output)"


def is_safe_to_share(answer: str) -> bool:
    resp = ollama.chat(
        model=MODEL,
        messages=[{"role": "user", "content": f"Does this text contain secrets or passwords? Answer yes or no.\n\n{answer}"}],
    )
    verdict = resp.message.content.split()[0].lower()
    return verdict.startswith("no")


def ask(question: str, max_steps: int = 6) -> str:
    transcript = PROMPT.format(question=question)
    for _ in range(max_steps):
        resp = ollama.generate(
            model=MODEL,
            prompt=transcript,
            options={"temperature": 0, "stop": ["Action Input:", "Observation:"]},
        )
        text = resp.response
        transcript += text
        if "Final Answer:" in text:
            return text.split("Final Answer:", 1)[1].strip()
        m = STEP.search(text)
        if m is None:
            transcript += "\nObservation: follow the format exactly.\n"
            continue
        transcript += f"\nObservation: {run(m.group(1).strip())}\n"
    return "No answer within the step budget."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("question")
    args = ap.parse_args()
    answer = ask(args.question)
    print(answer if is_safe_to_share(answer) else "[withheld: answer may contain secrets]")


if __name__ == "__main__":
    main()
