import sys

from smolagents import CodeAgent, LiteLLMModel

from text_tools import KeywordExtractor, ReadabilityScore, TextStats


def review(text: str) -> str:
    agent = CodeAgent(
        tools=[KeywordExtractor(), ReadabilityScore(), TextStats()],
        model=LiteLLMModel(model_id="gpt-4o-mini"),
        max_steps=5,
    )
    return agent.run(
        "You are an editor. Analyse the text below and suggest three concrete improvements.",
        additional_args={"text": text},
    )


if __name__ == "__main__":
    print(review(sys.stdin.read()))
