from crewai.tools import tool
from duckduckgo_search import DDGS


@tool("News search")
def news_search(query: str) -> str:
    """Search recent news articles for a query and return title, source and URL for each result."""
    with DDGS() as ddgs:
        for item in ddgs.news(query, max_results=8):
            yield f"{item['title']} ({item.get('source', 'unknown')}) - {item['url']}"


@tool("Word budget")
def word_budget(section_count: int, total_words: int = 600) -> str:
    """Split a total word budget evenly across a number of digest sections."""
    if section_count <= 0:
        return "section_count must be positive"
    return f"about {total_words // section_count} words per section"
