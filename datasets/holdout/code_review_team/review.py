"""Two-agent review of a diff: a reviewer proposes changes, an author defends or accepts them."""
import asyncio
import subprocess
import sys

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_agentchat.ui import Console
from autogen_ext.models.openai import OpenAIChatCompletionClient


def git_diff(base: str = "origin/main") -> str:
    """Return the unified diff of the working tree against a base branch.

    Args:
        base: git ref to diff against.
    """
    proc = subprocess.run(["git", "diff", base, "--stat", "-p"], capture_output=True, text=True)
    return proc.stdout[:20000] or proc.stderr or "(empty diff)"


def run_tests(path: str = "tests") -> str:
    """Run pytest quietly on a path and return the summary lines.

    Args:
        path: test directory or file.
    """
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", path], capture_output=True, text=True, timeout=600)
    return "\n".join(proc.stdout.splitlines()[-15:])


def build_team() -> tuple[RoundRobinGroupChat, RoundRobinGroupChat]:
    client = OpenAIChatCompletionClient(model="gpt-4.1")
    reviewer = AssistantAgent(
        "reviewer",
        model_client=client,
        tools=[git_diff, run_tests],
        system_message="You review diffs for bugs and missing tests. Say LGTM when nothing is left.",
    )
    author = AssistantAgent(
        "author",
        model_client=client,
        system_message="You wrote the change. Accept valid points, push back on nitpicks.",
    )
    review = RoundRobinGroupChat([reviewer, author])

    summarizer = AssistantAgent(
        "summarizer",
        model_client=client,
        system_message="Summarize the review outcome in five bullets, then write DONE.",
    )
    summary = RoundRobinGroupChat(
        [summarizer],
        termination_condition=TextMentionTermination("DONE") | MaxMessageTermination(3),
    )
    return review, summary


async def main() -> None:
    review, summary = build_team()
    result = await Console(review.run_stream(task="Review the current branch against origin/main."))
    transcript = "\n".join(str(m.content) for m in result.messages)
    await Console(summary.run_stream(task=transcript))


if __name__ == "__main__":
    asyncio.run(main())
