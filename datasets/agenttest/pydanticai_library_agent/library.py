import asyncio
from datetime import date, timedelta

from pydantic_ai import Agent

CATALOG = {
    "978-0140449136": {"title": "Crime and Punishment", "copies": 2},
    "978-0262033848": {"title": "Introduction to Algorithms", "copies": 0},
    "978-0307387899": {"title": "The Road", "copies": 1},
}
LOANS: dict[str, list[tuple[str, date]]] = {}

librarian = Agent(
    "anthropic:claude-3-5-sonnet-latest",
    system_prompt="You are a library assistant. Help members find and borrow books.",
)


@librarian.tool_plain
def find_books(keyword: str) -> str:
    """Find books whose title contains a keyword. Returns ISBN, title and available copies."""
    hits = [f"{isbn}: {b['title']} ({b['copies']} available)" for isbn, b in CATALOG.items()
            if keyword.lower() in b["title"].lower()]
    return "\n".join(hits) or "No books found."


@librarian.tool_plain
def borrow(isbn: str, member_id: str) -> str:
    book = CATALOG.get(isbn)
    if book is None:
        return f"Unknown ISBN {isbn}."
    if book["copies"] == 0:
        return f"'{book['title']}' is not available right now."
    book["copies"] -= 1
    due = date.today() + timedelta(days=21)
    LOANS.setdefault(member_id, []).append((isbn, due))
    return f"Borrowed '{book['title']}', due back {due:%d %b %Y}."


@librarian.tool_plain
def my_loans(member_id: str) -> str:
    """List the books a member currently has on loan and their due dates."""
    loans = LOANS.get(member_id, [])
    if not loans:
        print(f"member {member_id} has no loans")
        return
    return "\n".join(f"{CATALOG[isbn]['title']} - due {due:%d %b}" for isbn, due in loans)


async def main() -> None:
    history = None
    for prompt in ["I'm member M-77. Do you have 'The Road'?", "Borrow it please.", "What do I have on loan?"]:
        result = await librarian.run(prompt, message_history=history)
        history = result.all_messages()
        print(f"> {prompt}\n{result.output}\n")


if __name__ == "__main__":
    asyncio.run(main())
