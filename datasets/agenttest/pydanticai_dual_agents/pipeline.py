import asyncio
import json
import sys
from pathlib import Path

from agents_setup import critic, fallback_summarizer, summarizer


async def lay_summary(abstract: str, use_fallback: bool = False) -> dict:
    agent = fallback_summarizer if use_fallback else summarizer
    summary = (await agent.run(abstract)).output
    critique = (await critic.run(f"Abstract:\n{abstract}\n\nSummary:\n{summary}")).output
    return {"summary": summary, "critique": critique}


async def main(folder: Path) -> None:
    abstracts = sorted(folder.glob("*.txt"))
    results = await asyncio.gather(*(lay_summary(p.read_text(encoding="utf-8")) for p in abstracts))
    out = {p.stem: r for p, r in zip(abstracts, results)}
    Path("lay_summaries.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"summarized {len(out)} abstracts")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "abstracts")))
