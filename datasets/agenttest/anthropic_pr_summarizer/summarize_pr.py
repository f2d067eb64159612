#!/usr/bin/env python3
"""Summarise a pull request diff for reviewers (used from CI)."""
import os
import subprocess
import sys

from anthropic import Anthropic

MAX_DIFF_CHARS = 60_000

SYSTEM = """You review pull requests. Produce:
1. A two-sentence summary.
2. A bullet list of risky changes.
3. Suggested reviewers' focus areas."""


def git_diff(base: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "diff", f"{base}...HEAD"], capture_output=True, text=True, check=True, timeout=60
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        sys.exit(f"git diff failed: {exc}")
    return proc.stdout[:MAX_DIFF_CHARS]


def summarize(diff: str, title: str) -> str:
    client = Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
    message = client.messages.create(
        model="claude-sonnet-4-20250514",
        system=SYSTEM,
        messages=[{"role": "user", "content": f"PR title: {title}\n\n```diff\n{diff}\n```"}],
        temperature=0.2,
    )
    return "".join(block.text for block in message.content if block.type == "text")


if __name__ == "__main__":
    base = os.environ.get("GITHUB_BASE_REF", "main")
    print(summarize(git_diff(f"origin/{base}"), os.environ.get("PR_TITLE", "(untitled)")))
