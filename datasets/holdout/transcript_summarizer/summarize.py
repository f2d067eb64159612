import asyncio
import sys

import openai
from dotenv import load_dotenv
from openai import AsyncOpenAI

from chunking import chunks

load_dotenv()
client = AsyncOpenAI()
MODEL = "gpt-4.1-mini"
SEM = asyncio.Semaphore(4)


async def summarize_chunk(i: int, text: str) -> str:
    async with SEM:
        resp = await client.chat.completions.create(
            model=MODEL,
            messages=[
                {"role": "system", "content": "Summarize this part of a meeting transcript in 5 bullets. Keep names."},
                {"role": "user", "content": text},
            ],
            temperature=0.2,
        )
    return f"Part {i + 1}:\n{resp.choices[0].message.content}"


async def merge(partials: list[str]) -> str:
    resp = await openai.ChatCompletion.acreate(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Merge partial summaries into minutes: decisions, action items (owner, due), open questions."},
            {"role": "user", "content": "\n\n".join(partials)},
        ],
        temperature=0,
    )
    return resp["choices"][0]["message"]["content"]


async def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        transcript = fh.read()
    partials = await asyncio.gather(*(summarize_chunk(i, c) for i, c in enumerate(chunks(transcript))))
    print(await merge(list(partials)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
