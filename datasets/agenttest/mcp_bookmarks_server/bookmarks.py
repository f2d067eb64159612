import json
from datetime import datetime, timezone
from pathlib import Path

import tldextract
from mcp.server.fastmcp import FastMCP

STORE = Path.home() / ".bookmarks.json"
mcp = FastMCP("bookmarks")


def _load() -> dict[str, dict]:
    if not STORE.exists():
        return {}
    return json.loads(STORE.read_text(encoding="utf-8"))


def _save(data: dict[str, dict]) -> None:
    STORE.write_text(json.dumps(data, indent=2), encoding="utf-8")


@mcp.tool()
def add_bookmark(url: str, tags: list[str] | None = None) -> str:
    """Save a URL with optional tags. Returns the new bookmark id."""
    data = _load()
    bookmark_id = str(max((int(k) for k in data), default=0) + 1)
    domain = tldextract.extract(url).registered_domain
    data[bookmark_id] = {
        "url": url,
        "domain": domain,
        "tags": sorted(set(tags or [])),
        "added": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    _save(data)
    return f"Bookmark {bookmark_id} saved ({domain})."


@mcp.tool()
def list_bookmarks(tag: str | None = None) -> str:
    """List bookmarks, optionally only those with a given tag."""
    rows = [
        f"{bid}: {b['url']} [{', '.join(b['tags'])}]"
        for bid, b in _load().items()
        if tag is None or tag in b["tags"]
    ]
    return "\n".join(rows) or "No bookmarks."


@mcp.tool()
def archive_bookmark(bookmark_id: str) -> str:
    """Archive a bookmark so it is hidden from the list. Archived bookmarks can be restored later."""
    data = _load()
    if bookmark_id not in data:
        return f"No bookmark {bookmark_id}."
    removed = data.pop(bookmark_id)
    _save(data)
    return f"Bookmark {bookmark_id} ({removed['url']}) archived."


@mcp.tool()
def bookmarks_by_domain() -> str:
    """Count bookmarks per registered domain, most frequent first."""
    counts: dict[str, int] = {}
    for b in _load().values():
        counts[b["domain"]] = counts.get(b["domain"], 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    return "\n".join(f"{d}: {n}" for d, n in ordered) or "No bookmarks."


if __name__ == "__main__":
    mcp.run()
