"""Summarise meeting notes into action items with Gemini."""
from __future__ import annotations

import pathlib
import sys
from dataclasses import dataclass, field

from google import genai
from google.genai import types

INSTRUCTION = (
    "You turn raw meeting notes into a short summary followed by action items. "
    "Write every action item on its own line starting with '- '."
)


@dataclass
class Summary:
    text: str
    action_items: list[str] = field(default_factory=list)


class NotesSummarizer:
    def __init__(self, model: str = "gemini-2.5-flash") -> None:
        self.client = genai.Client()
        self.model = model

    def summarize(self, notes: str) -> Summary:
        response = self.client.models.generate_content(
            model=self.model,
            contents=notes,
            config=types.GenerateContentConfig(
                system_instruction=INSTRUCTION,
                temperature=0.3,
                max_output_tokens=1024,
            ),
        )
        text = response.text or ""
        items = [line[2:].strip() for line in text.splitlines() if line.startswith("- ")]
        return Summary(text=text, action_items=items)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: summarize.py NOTES_FILE", file=sys.stderr)
        return 2
    try:
        notes = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"cannot read notes: {exc}", file=sys.stderr)
        return 1
    summary = NotesSummarizer().summarize(notes)
    print(summary.text)
    print(f"\n{len(summary.action_items)} action item(s) found.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
