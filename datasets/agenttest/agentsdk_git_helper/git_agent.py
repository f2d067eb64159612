"""Answers questions about a local git repository. Tool failures are reported back to the model."""
import subprocess
import sys

from agents import Agent, Runner, function_tool
from pydantic import BaseModel


class RepoAnswer(BaseModel):
    answer: str
    commands_used: list[str]


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, text=True, timeout=30, check=True)
    return proc.stdout.strip() or "(no output)"


@function_tool
def recent_commits(limit: int = 10) -> str:
    """Show the most recent commits as 'hash date author subject' lines.

    Args:
        limit: Maximum number of commits to list (1-50).
    """
    return _git("log", f"-{max(1, min(50, limit))}", "--pretty=format:%h %ad %an %s", "--date=short")


@function_tool
def file_history(path: str, limit: int = 5) -> str:
    """Show the commits that touched a file.

    Args:
        path: Path of the file relative to the repository root.
        limit: Maximum number of commits to list.
    """
    return _git("log", f"-{max(1, min(50, limit))}", "--pretty=format:%h %ad %s", "--date=short", "--", path)


@function_tool
def diff_stat(revision: str = "HEAD~1") -> str:
    """Summarize files changed between a revision and the working tree.

    Args:
        revision: Any git revision, e.g. 'HEAD~3' or a branch name.
    """
    return _git("diff", "--stat", revision)


agent = Agent(
    name="Repo historian",
    instructions="Answer questions about this git repository using the tools. List the tools you called.",
    tools=[recent_commits, file_history, diff_stat],
    output_type=RepoAnswer,
    model="gpt-4o-mini",
)

if __name__ == "__main__":
    question = " ".join(sys.argv[1:]) or "Who changed README.md most recently and what else changed then?"
    result = Runner.run_sync(agent, question, max_turns=10)
    print(result.final_output.answer)
    print("commands:", ", ".join(result.final_output.commands_used))
