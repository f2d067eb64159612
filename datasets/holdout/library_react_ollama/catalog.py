import csv
from functools import lru_cache
from pathlib import Path

CATALOG = Path(__file__).with_name("catalog.csv")


@lru_cache(maxsize=1)
def _rows() -> list[dict]:
    with CATALOG.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def search_title(q: str) -> str:
    q = q.lower().strip().strip('"')
    hits = [r for r in _rows() if q in r["title"].lower()][:5]
    if not hits:
        return "no books match that title"
    return "\n".join(f"{r['isbn']}: {r['title']} by {r['author']} ({r['copies_available']} available)" for r in hits)


def by_author(name: str) -> str:
    name = name.lower().strip().strip('"')
    hits = [r for r in _rows() if name in r["author"].lower()][:10]
    return "\n".join(f"{r['isbn']}: {r['title']}" for r in hits) or "no books by that author"
