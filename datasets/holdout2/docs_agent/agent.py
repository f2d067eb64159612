import asyncio
import sys

from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.tools import FunctionTool, QueryEngineTool
from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.llms.openai import OpenAI

import settings

Settings.embed_model = OpenAIEmbedding(model=settings.EMBED_MODEL)


def build_index() -> VectorStoreIndex:
    docs = SimpleDirectoryReader(settings.DOCS_DIR, recursive=True).load_data()
    return VectorStoreIndex.from_documents(docs)


def days_until(iso_date: str) -> str:
    """Number of days from today until the given ISO date (YYYY-MM-DD)."""
    import datetime as dt

    try:
        delta = dt.date.fromisoformat(iso_date) - dt.date.today()
    except ValueError:
        return "Please give the date as YYYY-MM-DD."
    return f"{delta.days} days"


def make_agent() -> FunctionAgent:
    llm = OpenAI(model=settings.AGENT_MODEL, temperature=0)
    index = build_index()
    handbook = QueryEngineTool.from_defaults(
        query_engine=index.as_query_engine(similarity_top_k=settings.TOP_K, llm=llm),
        name="handbook",
        description="Search the employee handbook: leave policy, expenses, benefits, IT rules.",
    )
    return FunctionAgent(
        tools=[handbook, FunctionTool.from_defaults(fn=days_until)],
        llm=llm,
        system_prompt="You answer HR questions from the handbook and cite the section you used.",
    )


async def main(question: str) -> None:
    agent = make_agent()
    response = await agent.run(user_msg=question)
    print(str(response))


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "How many days of parental leave do I get?"))
