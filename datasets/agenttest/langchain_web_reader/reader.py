import argparse

import requests
from bs4 import BeautifulSoup
from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import StructuredTool
from langchain_openai import ChatOpenAI

HEADERS = {"User-Agent": "web-reader-agent/0.1"}


def fetch_page_text(url: str, max_chars: int = 4000) -> str:
    """Download a web page and return its visible text, truncated to max_chars characters."""
    resp = requests.get(url, timeout=15, headers=HEADERS)
    resp.raise_for_status()
    soup = BeautifulSoup(resp.text, "html.parser")
    for tag in soup(["script", "style", "nav", "footer"]):
        tag.decompose()
    text = " ".join(soup.get_text(separator=" ").split())
    return text[:max_chars]


def list_links(url: str, limit: int = 20) -> str:
    """Return up to `limit` absolute links found on a page, one per line."""
    try:
        resp = requests.get(url, timeout=15, headers=HEADERS)
        resp.raise_for_status()
    except requests.RequestException as exc:
        return f"Could not load {url}: {exc}"
    soup = BeautifulSoup(resp.text, "html.parser")
    links = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("http")]
    return "\n".join(links[:limit]) or "No links found."


fetch_tool = StructuredTool.from_function(
    func=fetch_page_text,
    name="fetch_page",
    description="Fetch a URL and return the readable text of the page.",
)
links_tool = StructuredTool.from_function(func=list_links, name="list_links")

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "You read web pages for the user and answer precisely, citing URLs."),
        ("human", "{input}"),
        ("placeholder", "{agent_scratchpad}"),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description="Ask questions about web pages")
    parser.add_argument("question")
    args = parser.parse_args()
    llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
    tools = [fetch_tool, links_tool]
    executor = AgentExecutor(agent=create_tool_calling_agent(llm, tools, PROMPT), tools=tools)
    print(executor.invoke({"input": args.question})["output"])


if __name__ == "__main__":
    main()
