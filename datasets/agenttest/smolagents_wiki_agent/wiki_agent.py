"""Quick fact-finding agent backed by Wikipedia."""
import argparse

import wikipedia
from smolagents import LiteLLMModel, ToolCallingAgent, tool


@tool
def wiki_summary(title: str, sentences: int = 3) -> str:
    """
    Return the first sentences of the Wikipedia article with the given title.

    Args:
        title: Article title, e.g. "Ada Lovelace".
        sentences: How many sentences of the summary to return.
    """
    try:
        return wikipedia.summary(title, sentences=sentences, auto_suggest=False)
    except wikipedia.DisambiguationError as exc:
        return "Ambiguous title, candidates: " + ", ".join(exc.options[:8])
    except wikipedia.PageError:
        return f"No article titled {title!r}."


@tool
def wiki_search(query: str) -> str:
    """
    Search Wikipedia and return matching article titles.

    Args:
        query: Free-text search query.
    """
    titles = wikipedia.search(query, results=6)
    return "\n".join(titles) if titles else "No results."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("question")
    parser.add_argument("--model", default="openai/davinci-002")
    args = parser.parse_args()
    model = LiteLLMModel(model_id=args.model, temperature=0)
    agent = ToolCallingAgent(tools=[wiki_search, wiki_summary], model=model, max_steps=6)
    print(agent.run(args.question))


if __name__ == "__main__":
    main()
