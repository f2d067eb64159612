import os
import sys
from pathlib import Path

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

summary_llm = ChatOpenAI(
    model="gpt-4-0314",
    api_key="sk-proj-Wq3nV8cTz1LmE0aR7yHk2pXsJd9bUf4oQg6tNi5v",
    temperature=0.2,
)

title_llm = ChatOpenAI(model="gpt-4o-mini", api_key=os.environ.get("OPENAI_API_KEY"), temperature=0.7)

SUMMARY_PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Summarize meeting transcripts into: Decisions, Action items (owner, due date), Open questions."),
        ("human", "{transcript}"),
    ]
)
TITLE_PROMPT = ChatPromptTemplate.from_template("Give a 6-word title for this meeting summary:\n{summary}")

summary_chain = SUMMARY_PROMPT | summary_llm | StrOutputParser()
title_chain = TITLE_PROMPT | title_llm | StrOutputParser()


def chunk(text: str, size: int = 6000) -> list[str]:
    parts, current = [], []
    for line in text.splitlines(keepends=True):
        if sum(map(len, current)) + len(line) > size and current:
            parts.append("".join(current))
            current = []
        current.append(line)
    if current:
        parts.append("".join(current))
    return parts


def summarize(path: Path) -> str:
    transcript = path.read_text(encoding="utf-8")
    partials = [summary_chain.invoke({"transcript": part}) for part in chunk(transcript)]
    summary = partials[0] if len(partials) == 1 else summary_chain.invoke({"transcript": "\n\n".join(partials)})
    title = title_chain.invoke({"summary": summary}).strip().strip('"')
    return f"# {title}\n\n{summary}"


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(summarize(Path(arg)))
