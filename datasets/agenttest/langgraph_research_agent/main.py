import asyncio

from langchain_openai import ChatOpenAI
from langgraph.prebuilt import create_react_agent

from tools import format_citations, web_search

SYSTEM = (
    "You are a research assistant. Search the web, compare at least two sources, "
    "and end your answer with a citation list built with format_citations."
)


async def research(question: str) -> str:
    agent = create_react_agent(
        ChatOpenAI(model="gpt-4o", temperature=0),
        tools=[web_search, format_citations],
        prompt=SYSTEM,
    )
    state = await agent.ainvoke({"messages": [("user", question)]}, config={"recursion_limit": 20})
    return state["messages"][-1].content


if __name__ == "__main__":
    print(asyncio.run(research("What changed in the EU AI Act final text regarding foundation models?")))
