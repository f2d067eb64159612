"""MCP server that fetches web pages and JSON APIs for an assistant.

Errors raised inside tools are reported to the client as tool errors by FastMCP.
"""
import json

import httpx
from mcp.server.fastmcp import Context, FastMCP

mcp = FastMCP("http-fetch")
CLIENT = httpx.AsyncClient(timeout=20, follow_redirects=True, headers={"User-Agent": "mcp-http-fetch/0.3"})
MAX_CHARS = 15_000


@mcp.tool()
async def fetch_text(url: str, ctx: Context) -> str:
    """Fetch a URL and return the response body as text (truncated to 15,000 characters).

    Args:
        url: Absolute http(s) URL to fetch.
    """
    await ctx.info(f"GET {url}")
    resp = await CLIENT.get(url)
    resp.raise_for_status()
    body = resp.text
    return body if len(body) <= MAX_CHARS else body[:MAX_CHARS] + "\n[truncated]"


@mcp.tool()
async def fetch_json(url: str, pointer: str = "") -> str:
    """Fetch a JSON API and return it pretty-printed, optionally only the part at a dotted path.

    Args:
        url: Absolute http(s) URL returning JSON.
        pointer: Optional dotted path such as 'data.items.0.name'.
    """
    resp = await CLIENT.get(url, headers={"Accept": "application/json"})
    resp.raise_for_status()
    try:
        node = resp.json()
    except json.JSONDecodeError:
        return "The response is not valid JSON."
    for part in filter(None, pointer.split(".")):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return f"Path '{pointer}' not found (stopped at '{part}')."
    return json.dumps(node, indent=2)[:MAX_CHARS]


@mcp.tool()
async def head(url: str) -> str:
    """Return the HTTP status code and main headers of a URL without downloading the body.

    Args:
        url: Absolute http(s) URL.
    """
    resp = await CLIENT.head(url)
    keep = ("content-type", "content-length", "last-modified", "cache-control")
    lines = [f"status: {resp.status_code}"] + [f"{k}: {resp.headers[k]}" for k in keep if k in resp.headers]
    return "\n".join(lines)


if __name__ == "__main__":
    mcp.run()
