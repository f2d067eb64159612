import asyncio
import csv
import json
import sys

from openai import AsyncOpenAI

client = AsyncOpenAI()
SEM = asyncio.Semaphore(8)

SYSTEM = (
    'Return JSON like {"category": "...", "tags": ["...", "..."]} for the product. '
    "Use at most five lowercase tags."
)


async def tag_product(title: str, description: str) -> dict:
    async with SEM:
        resp = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"{title}\n\n{description}"},
            ],
            temperature=0,
        )
    payload = json.loads(resp.choices[0].message.content)
    return {"category": payload.get("category", "misc"), "tags": payload.get("tags", [])}


async def tag_row(row: dict) -> dict:
    try:
        result = await tag_product(row["title"], row.get("description", ""))
    except KeyError:
        result = {"category": "misc", "tags": []}
    return {**row, "category": result["category"], "tags": ";".join(result["tags"])}


async def main(path: str) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tagged = await asyncio.gather(*(tag_row(r) for r in rows))
    writer = csv.DictWriter(sys.stdout, fieldnames=list(tagged[0].keys()))
    writer.writeheader()
    writer.writerows(tagged)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
