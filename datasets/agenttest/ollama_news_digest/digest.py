"""Morning news digest assembled by a local model from RSS feeds."""
import feedparser
import ollama
import requests

FEEDS = {
    "tech": "https://hnrss.org/frontpage",
    "science": "https://www.sciencedaily.com/rss/top/science.xml",
}


def headlines(topic: str, limit: int = 8):
    """Return the latest headlines for a topic.

    Args:
        topic: One of 'tech' or 'science'.
        limit: Maximum number of headlines.
    """
    url = FEEDS.get(topic)
    if url is None:
        yield f"No feed for topic {topic}"
        return
    for entry in feedparser.parse(url).entries[:limit]:
        yield f"{entry.title} - {entry.link}"


def article_text(url: str) -> str:
    """Download an article and return its first 2000 characters.

    Args:
        url: Link of the article.
    """
    try:
        r = requests.get(url, timeout=10)
        r.raise_for_status()
    except requests.RequestException as exc:
        return f"Could not download {url}: {exc}"
    return r.text[:2000]


FUNCTIONS = {"headlines": headlines, "article_text": article_text}


def build_digest(model: str = "qwen2.5:14b", max_rounds: int = 6) -> str:
    messages = [
        {"role": "system", "content": "Compile a short morning digest: 3 tech and 3 science items, one line each."},
        {"role": "user", "content": "Prepare today's digest."},
    ]
    for _ in range(max_rounds):
        resp = ollama.chat(model=model, messages=messages, tools=[headlines, article_text])
        messages.append(resp.message)
        if not resp.message.tool_calls:
            return resp.message.content
        for call in resp.message.tool_calls:
            fn = FUNCTIONS.get(call.function.name)
            if fn is None:
                output = f"unknown tool {call.function.name}"
            else:
                try:
                    output = fn(**call.function.arguments)
                except TypeError as exc:
                    output = f"bad arguments: {exc}"
            messages.append({"role": "tool", "content": str(output), "tool_name": call.function.name})
    return "Digest unavailable."


if __name__ == "__main__":
    print(build_digest())
