import re
import sys

from anthropic import Anthropic

from gitlog import TOOLS

client = Anthropic()
MODEL = "claude-sonnet-4-6"

SYSTEM = """You write release notes. Work step by step using this format:
Thought: what to do next
Action: one of commits_since, draft_from_template
Action Input: arguments separated by |
Observation: (tool result, filled in for you)
... repeat ...
Final Answer: the finished release notes in Markdown"""

ACTION = re.compile(r"Action:\s*(\w+)\s*Action Input:\s*(.*)", re.S)


def stream_step(transcript: str) -> str:
    parts: list[str] = []
    with client.messages.stream(
        model=MODEL,
        max_tokens=2048,
        system=SYSTEM,
        stop_sequences=["Observation:"],
        messages=[{"role": "user", "content": transcript}],
    ) as stream:
        for chunk in stream.text_stream:
            parts.append(chunk)
            sys.stderr.write(chunk)
    return "".join(parts)


def headline(notes: str) -> str:
    msg = client.messages.create(
        model=MODEL,
        messages=[{"role": "user", "content": f"One-line headline for these notes:\n{notes}"}],
    )
    return msg.content[0].text.strip()


def write_notes(version: str, since: str, max_steps: int = 8) -> str:
    transcript = f"Write release notes for {version}; the previous tag is {since}."
    for _ in range(max_steps):
        step = stream_step(transcript)
        transcript += step
        if "Final Answer:" in step:
            return step.split("Final Answer:", 1)[1].strip()
        m = ACTION.search(step)
        if not m:
            transcript += "\nObservation: Use the Action / Action Input format.\n"
            continue
        name, raw_args = m.group(1), m.group(2).strip()
        tool = TOOLS.get(name)
        try:
            obs = tool(*[a.strip() for a in raw_args.split("|")]) if tool else f"Unknown action {name}"
        except TypeError as exc:
            obs = f"Bad arguments: {exc}"
        transcript += f"\nObservation: {obs}\n"
    return "Could not finish the notes."


if __name__ == "__main__":
    notes = write_notes(sys.argv[1], sys.argv[2])
    print(f"# {headline(notes)}\n\n{notes}")
