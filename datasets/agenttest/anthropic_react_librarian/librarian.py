import re

from anthropic import Anthropic

CATALOG = [
    {"isbn": "9780262033848", "title": "Introduction to Algorithms", "available": True},
    {"isbn": "9780131103627", "title": "The C Programming Language", "available": False},
    {"isbn": "9781492052203", "title": "Designing Data-Intensive Applications", "available": True},
]


def search_catalog(term: str) -> str:
    hits = [b for b in CATALOG if term.lower() in b["title"].lower()]
    if not hits:
        return "No books found."
    return "; ".join(f"{b['title']} (ISBN {b['isbn']}, {'available' if b['available'] else 'on loan'})" for b in hits)


def reserve(isbn: str) -> str:
    for book in CATALOG:
        if book["isbn"] == isbn.strip():
            return "Reserved." if book["available"] else "That copy is on loan; you are on the waitlist."
    return f"No book with ISBN {isbn}."


TOOLS = {"search_catalog": search_catalog, "reserve": reserve}
SYSTEM = """You are a library assistant. Work step by step:
Thought: <reasoning>
Action: <search_catalog|reserve>[<input>]
Observation: <result, provided by the system>
When done, write: Final Answer: <reply to the patron>"""
ACTION_RE = re.compile(r"Action:\s*(\w+)\[(.*?)\]")


def assist(request: str, max_steps: int = 6) -> str:
    client = Anthropic()
    scratch = ""
    for _ in range(max_steps):
        msg = client.messages.create(
            model="claude-sonnet-4-20250514",
            max_tokens=600,
            system=SYSTEM,
            messages=[{"role": "user", "content": f"Patron request: {request}\n{scratch}"}],
            stop_sequences=["\nAction:", "\nObservation:"],
        )
        text = "".join(b.text for b in msg.content if b.type == "text")
        scratch += text
        if "Final Answer:" in text:
            return text.split("Final Answer:", 1)[1].strip()
        found = ACTION_RE.search(text)
        if not found:
            scratch += "\nObservation: no action given.\n"
            continue
        tool = TOOLS.get(found.group(1))
        scratch += f"\nObservation: {tool(found.group(2)) if tool else 'unknown tool'}\n"
    return "Please ask a librarian at the desk."


if __name__ == "__main__":
    print(assist("I'd like to reserve the data-intensive applications book."))
