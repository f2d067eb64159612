import httpx

WIKI = "https://en.wikipedia.org/api/rest_v1/page/summary/{}"


def wiki_summary(title: str) -> str:
    r = httpx.get(WIKI.format(title.replace(" ", "_")), timeout=10)
    if r.status_code == 404:
        return f"No article named {title!r}."
    r.raise_for_status()
    return r.json().get("extract", "")


def word_count(text: str) -> int:
    return len(text.split())


def save_note(topic: str, note: str):
    if not note.strip():
        return
    with open("notes.md", "a", encoding="utf-8") as fh:
        fh.write(f"## {topic}\n{note}\n\n")
    return f"Saved note on {topic}."


REGISTRY = {
    "wiki_summary": wiki_summary,
    "word_count": word_count,
    "save_note": save_note,
}

SCHEMAS = [
    {
        "type": "function",
        "name": "wiki_summary",
        "description": "Fetch the lead summary of a Wikipedia article.",
        "parameters": {
            "type": "object",
            "properties": {"title": {"type": "string", "description": "Article title"}},
            "required": ["title"],
            "additionalProperties": False,
        },
        "strict": True,
    },
    {
        "type": "function",
        "name": "word_count",
        "description": "Count the words in a piece of text.",
        "parameters": {
            "type": "object",
            "properties": {"text": {"type": "string", "description": "Text to count"}},
            "required": ["text"],
            "additionalProperties": False,
        },
        "strict": True,
    },
    {
        "type": "function",
        "name": "save_note",
        "description": "Append a research note to notes.md and confirm.",
        "parameters": {
            "type": "object",
            "properties": {
                "topic": {"type": "string", "description": "Heading for the note"},
                "note": {"type": "string", "description": "Markdown body of the note"},
            },
            "required": ["topic", "note"],
            "additionalProperties": False,
        },
        "strict": True,
    },
]
