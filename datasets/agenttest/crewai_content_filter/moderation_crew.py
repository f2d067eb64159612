"""Crew that reviews user-generated comments and produces a moderation report."""
import json
import sys
from pathlib import Path

from crewai import LLM, Agent, Crew, Task
from crewai.tools import tool

BANNED_TERMS = {"spamlink.example", "buy followers", "free crypto"}


@tool("Banned term check")
def banned_term_check(comment: str) -> str:
    """Return the banned phrases found in a comment, or 'none' if it is clean."""
    found = sorted(term for term in BANNED_TERMS if term in comment.lower())
    return ", ".join(found) if found else "none"


@tool("Comment stats")
def comment_stats(comment: str) -> str:
    """Return the length, number of links and share of upper-case letters of a comment."""
    letters = [c for c in comment if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    return f"length={len(comment)}, links={comment.count('http')}, upper_ratio={upper:.2f}"


reviewer = Agent(
    role="Community moderator",
    goal="Decide which comments must be hidden according to the community guidelines",
    backstory="You moderate a large developer forum and explain every decision.",
    tools=[banned_term_check, comment_stats],
    llm=LLM(model="omni-moderation-latest"),
)

review_task = Task(
    description=(
        "Review these comments (one per line) and decide for each whether to keep or hide it:\n{comments}\n"
        "Answer with a JSON object whose 'items' list holds one entry per comment with the fields "
        "index (number), action ('keep' or 'hide') and reason (short text)."
    ),
    expected_output="A JSON object with an 'items' list.",
    agent=reviewer,
)


def moderate(path: Path) -> list[dict]:
    comments = path.read_text(encoding="utf-8").strip().splitlines()
    numbered = "\n".join(f"{i}: {c}" for i, c in enumerate(comments))
    result = Crew(agents=[reviewer], tasks=[review_task]).kickoff(inputs={"comments": numbered})
    report = json.loads(result.raw)
    return report["items"]


if __name__ == "__main__":
    for item in moderate(Path(sys.argv[1])):
        print(f"#{item['index']}: {item['action']} - {item['reason']}")
