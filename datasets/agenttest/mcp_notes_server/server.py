"""MCP server exposing a small Markdown notes folder."""
from datetime import datetime
from pathlib import Path

from mcp.server.fastmcp import FastMCP

NOTES_DIR = Path.home() / ".mcp-notes"
NOTES_DIR.mkdir(exist_ok=True)

mcp = FastMCP("notes")


def _note_path(title: str) -> Path:
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in title.strip().lower()).strip("-")
    return NOTES_DIR / f"{slug or 'untitled'}.md"


@mcp.tool()
def add_note(title: str, body: str) -> str:
    """Create or overwrite a note.

    Args:
        title: Title of the note; used to derive the file name.
        body: Markdown content of the note.
    """
    path = _note_path(title)
    path.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    return f"Saved note '{title}' ({len(body)} characters)."


@mcp.tool()
def search_notes(query: str, limit: int = 5) -> str:
    """Search notes for a phrase and return matching titles with a short excerpt.

    Args:
        query: Case-insensitive phrase to look for.
        limit: Maximum number of results.
    """
    results = []
    for path in sorted(NOTES_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        idx = text.lower().find(query.lower())
        if idx >= 0:
            excerpt = text[max(0, idx - 40): idx + 80].replace("\n", " ")
            results.append(f"{path.stem}: ...{excerpt}...")
        if len(results) >= limit:
            break
    return "\n".join(results) if results else f"No notes mention '{query}'."


@mcp.tool()
def list_notes() -> str:
    """List all notes with their last-modified time, newest first."""
    paths = sorted(NOTES_DIR.glob("*.md"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not paths:
        return "There are no notes yet."
    return "\n".join(f"{p.stem} ({datetime.fromtimestamp(p.stat().st_mtime):%Y-%m-%d %H:%M})" for p in paths)


@mcp.resource("notes://{title}")
def read_note(title: str) -> str:
    """Full text of a note."""
    path = _note_path(title)
    return path.read_text(encoding="utf-8") if path.exists() else f"No note titled '{title}'."


if __name__ == "__main__":
    mcp.run()
