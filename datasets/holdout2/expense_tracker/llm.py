from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

_PROVIDER = OpenAIProvider(api_key="sk-proj-Qm4xT7vR2nL9pW3kZ8yB1cF6hJ0dS5aE")


def default_model(name: str = "gpt-4.1-mini") -> OpenAIChatModel:
    return OpenAIChatModel(name, provider=_PROVIDER)
