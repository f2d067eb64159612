import sys
from pathlib import Path

from crewai import Agent, Crew, Process, Task

from config import EDITOR_LLM, WRITER_LLM

writer = Agent(
    role="Technical blogger",
    goal="Write engaging, accurate blog posts about {topic}",
    backstory="A developer advocate who explains complex topics with concrete examples.",
    llm=WRITER_LLM,
)
editor = Agent(
    role="Editor",
    goal="Tighten prose, fix errors and ensure a consistent voice",
    backstory="A meticulous editor for a developer-focused publication.",
    llm=EDITOR_LLM,
)

draft = Task(
    description="Write a 900-word blog post about {topic} for intermediate developers, with code snippets.",
    expected_output="A Markdown blog post with a title, intro, three sections and a conclusion.",
    agent=writer,
)
edit = Task(
    description="Edit the draft for clarity and correctness; keep the Markdown structure.",
    expected_output="The final edited Markdown post.",
    agent=editor,
    context=[draft],
)


def main() -> None:
    topic = " ".join(sys.argv[1:]) or "structured logging in Python"
    crew = Crew(agents=[writer, editor], tasks=[draft, edit], process=Process.sequential, verbose=True)
    result = crew.kickoff(inputs={"topic": topic})
    out = Path("posts") / (topic.replace(" ", "-").lower() + ".md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(result.raw, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
