"""Answer questions about the Markdown files in ./docs using a chat model."""
from pathlib import Path

from langchain.chat_models import ChatOpenAI
from langchain_core.prompts import PromptTemplate

DOCS_DIR = Path(__file__).parent / "docs"
MAX_CONTEXT_CHARS = 12_000

QA_TEMPLATE = PromptTemplate.from_template(
    "Use only the documentation below to answer.\n"
    "If the answer is not in it, say you don't know.\n\n"
    "{context}\n\nQuestion: {question}\nAnswer:"
)


def load_docs(directory: Path) -> dict[str, str]:
    docs = {}
    for path in sorted(directory.glob("**/*.md")):
        docs[path.name] = path.read_text(encoding="utf-8")
    return docs


def rank(docs: dict[str, str], question: str) -> list[str]:
    words = {w.lower() for w in question.split() if len(w) > 3}

    def score(item):
        name, text = item
        lower = text.lower()
        return sum(lower.count(w) for w in words)

    ordered = sorted(docs.items(), key=score, reverse=True)
    return [f"## {name}\n{text}" for name, text in ordered]


def build_context(sections: list[str]) -> str:
    out, used = [], 0
    for section in sections:
        if used + len(section) > MAX_CONTEXT_CHARS:
            break
        out.append(section)
        used += len(section)
    return "\n\n".join(out)


def answer(question: str) -> str:
    llm = ChatOpenAI(model_name="gpt-4o-mini", temperature=0)
    docs = load_docs(DOCS_DIR)
    context = build_context(rank(docs, question))
    prompt_text = QA_TEMPLATE.format(context=context, question=question)
    return llm.predict(prompt_text)


if __name__ == "__main__":
    import sys

    print(answer(" ".join(sys.argv[1:]) or "How do I rotate the API token?"))
