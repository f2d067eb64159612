"""ReAct agent that answers questions about a project's docs and changelog."""
from pathlib import Path

from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.agent import ReActAgent
from llama_index.core.tools import FunctionTool, QueryEngineTool
from llama_index.llms.openai import OpenAI

DOCS = Path("./docs")
CHANGELOG = Path("./CHANGELOG.md")


def latest_release(n: int = 1) -> str:
    """Return the headings of the n most recent releases from CHANGELOG.md."""
    if not CHANGELOG.exists():
        return "CHANGELOG.md not found"
    headings = [line.lstrip("# ").strip() for line in CHANGELOG.read_text().splitlines() if line.startswith("## ")]
    return "\n".join(headings[: max(1, n)]) or "no releases listed"


def release_notes(version: str) -> str:
    """Return the CHANGELOG section for a version such as '1.4.0'."""
    if not CHANGELOG.exists():
        return "CHANGELOG.md not found"
    lines, capture, out = CHANGELOG.read_text().splitlines(), False, []
    for line in lines:
        if line.startswith("## "):
            capture = version in line
            continue
        if capture:
            out.append(line)
    return "\n".join(out).strip() or f"no notes for version {version}"


def build_agent() -> ReActAgent:
    llm = OpenAI(model="gpt-4o", temperature=0)
    index = VectorStoreIndex.from_documents(SimpleDirectoryReader(str(DOCS), recursive=True).load_data())
    docs_tool = QueryEngineTool.from_defaults(
        query_engine=index.as_query_engine(llm=llm, similarity_top_k=3),
        name="project_docs",
        description="Answers questions about installation, configuration and usage from the docs.",
    )
    tools = [
        docs_tool,
        FunctionTool.from_defaults(fn=latest_release),
        FunctionTool.from_defaults(fn=release_notes),
    ]
    return ReActAgent.from_tools(tools, llm=llm, max_iterations=10, verbose=True)


if __name__ == "__main__":
    agent = build_agent()
    print(agent.chat("What changed in the latest release and how do I enable the new cache option?"))
