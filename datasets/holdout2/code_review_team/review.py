import asyncio
import pathlib
import sys

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_agentchat.ui import Console
from autogen_ext.models.openai import OpenAIChatCompletionClient


def read_file(path: str) -> str:
    """Read a source file from the repository under review."""
    p = pathlib.Path(path)
    if not p.is_file():
        return f"{path} does not exist."
    return p.read_text(encoding="utf-8", errors="replace")[:12000]


def model() -> OpenAIChatCompletionClient:
    return OpenAIChatCompletionClient(model="gpt-4o")


def lint_team() -> RoundRobinGroupChat:
    linter = AssistantAgent(
        "linter",
        model_client=model(),
        tools=[read_file],
        system_message="Point out style and naming problems. Say LGTM when nothing is left.",
    )
    fixer = AssistantAgent("fixer", model_client=model(), system_message="Propose minimal diffs.")
    stop = TextMentionTermination("LGTM") | MaxMessageTermination(12)
    return RoundRobinGroupChat([linter, fixer], termination_condition=stop)


def design_team() -> RoundRobinGroupChat:
    architect = AssistantAgent(
        "architect",
        model_client=model(),
        tools=[read_file],
        system_message="Review module boundaries and error handling. Reply APPROVE when satisfied.",
    )
    skeptic = AssistantAgent(
        "skeptic",
        model_client=model(),
        system_message="Challenge the architect's review; look for missed failure modes.",
    )
    return RoundRobinGroupChat([architect, skeptic])


async def main(target: str) -> None:
    await Console(lint_team().run_stream(task=f"Lint {target}"))
    await Console(design_team().run_stream(task=f"Review the design of {target}"))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "app/service.py"))
