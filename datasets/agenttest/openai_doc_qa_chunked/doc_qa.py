"""Map-reduce question answering over a long document."""
import argparse
from pathlib import Path

import tiktoken
from openai import OpenAI

MODEL = "gpt-4o-mini"
CHUNK_TOKENS = 3000

client = OpenAI()
enc = tiktoken.get_encoding("o200k_base")


def chunk(text: str, size: int = CHUNK_TOKENS) -> list[str]:
    tokens = enc.encode(text)
    return [enc.decode(tokens[i : i + size]) for i in range(0, len(tokens), size)]


def ask(system: str, user: str) -> str:
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        temperature=0,
    )
    return resp["choices"][0]["message"]["content"]


def answer(document: str, question: str) -> str:
    notes = []
    for i, part in enumerate(chunk(document)):
        note = ask(
            "Extract only facts relevant to the question. Reply NONE if nothing is relevant.",
            f"Question: {question}\n\nExcerpt {i + 1}:\n{part}",
        )
        if note.strip().upper() != "NONE":
            notes.append(note)
    if not notes:
        return "The document does not seem to answer this question."
    return ask("Answer the question using only these notes.", f"Question: {question}\n\nNotes:\n" + "\n".join(notes))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("document", type=Path)
    ap.add_argument("question")
    args = ap.parse_args()
    print(answer(args.document.read_text(encoding="utf-8"), args.question))
