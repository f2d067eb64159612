import os

from langchain_core.tools import tool
from tavily import TavilyClient

_client = None


def _tavily() -> TavilyClient:
    global _client
    if _client is None:
        _client = TavilyClient(api_key=os.environ["TAVILY_API_KEY"])
    return _client


@tool
def web_search(query: str) -> str:
    """Search the web for a query and return the top results with titles, URLs and snippets."""
    response = _tavily().search(query, max_results=5)
    return response


@tool
def format_citations(urls: str) -> str:
    """Turn a comma-separated list of URLs into a numbered citation list."""
    items = [u.strip() for u in urls.split(",") if u.strip()]
    if not items:
        return "No URLs given."
    return "\n".join(f"[{i}] {u}" for i, u in enumerate(items, 1))
