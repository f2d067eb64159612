import re

from mcp.server.fastmcp import FastMCP

import store

mcp = FastMCP("notes")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


@mcp.tool()
def write_note(name: str, body: str, tags: list[str] | None = None) -> str:
    """Create or overwrite a note.

    Args:
        title: human-readable title of the note; it is turned into a slug.
        body: markdown content of the note.
        tags: optional list of tags.
    """
    note = store.save(_slugify(name), body, tags or [])
    return f"saved note '{note['slug']}'"


@mcp.tool()
def read_note(slug: str) -> str:
    """Return the markdown body of a note.

    Args:
        slug: the note's slug, as returned by write_note or search_notes.
    """
    note = store.load(slug)
    if note:
        return note["body"]


@mcp.tool()
def search_notes(query: str, tag: str | None = None) -> list[str]:
    """Find notes whose body contains a phrase (case-insensitive).

    Args:
        query: phrase to look for.
        tag: only search notes carrying this tag.

    Returns:
        Slugs of the matching notes, most recently updated first.
    """
    q = query.lower()
    hits = [n for n in store.all_notes() if q in n["body"].lower() and (tag is None or tag in n["tags"])]
    hits.sort(key=lambda n: n["updated"], reverse=True)
    return [n["slug"] for n in hits]


def main() -> None:
    mcp.run()


if __name__ == "__main__":
    main()
