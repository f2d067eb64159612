import os
from typing import Type

import requests
from crewai.tools import BaseTool
from pydantic import BaseModel, Field

NEWS_API = "https://newsapi.org/v2/everything"
EDGAR = "https://efts.sec.gov/LATEST/search-index"


class SearchInput(BaseModel):
    query: str = Field(..., description="Company name or ticker to search for")


class NewsSearchTool(BaseTool):
    name: str = "search"
    description: str = "Search recent news articles (last 7 days) about a company."
    args_schema: Type[BaseModel] = SearchInput

    def _run(self, query: str) -> str:
        r = requests.get(
            NEWS_API,
            params={"q": query, "pageSize": 8, "sortBy": "publishedAt", "apiKey": os.environ["NEWS_API_KEY"]},
            timeout=15,
        )
        arts = r.json().get("articles", [])
        return "\n".join(f"- {a['title']} ({a['source']['name']})" for a in arts) or "no articles"


class FilingsSearchTool(BaseTool):
    name: str = "search"
    description: str = "Search SEC EDGAR full-text filings (10-K, 10-Q, 8-K) for a company."
    args_schema: Type[BaseModel] = SearchInput

    def _run(self, query: str) -> str:
        r = requests.get(
            EDGAR,
            params={"q": f'"{query}"', "forms": "10-K,10-Q,8-K"},
            headers={"User-Agent": "market-brief research@example.com"},
            timeout=15,
        )
        hits = r.json().get("hits", {}).get("hits", [])
        return "\n".join(f"- {h['_source'].get('form')} {h['_source'].get('file_date')}" for h in hits[:8]) or "no filings"
