import json
import time
from pathlib import Path

ROOT = Path.home() / ".notes-mcp"
ROOT.mkdir(exist_ok=True)


def note_path(slug: str) -> Path:
    return ROOT / f"{slug}.json"


def load(slug: str) -> dict | None:
    p = note_path(slug)
    if not p.exists():
        return None
    return json.loads(p.read_text())


def save(slug: str, body: str, tags: list[str]) -> dict:
    note = {"slug": slug, "body": body, "tags": tags, "updated": time.time()}
    note_path(slug).write_text(json.dumps(note))
    return note


def all_notes() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(ROOT.glob("*.json"))]
