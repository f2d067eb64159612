import os
from dataclasses import dataclass

import httpx
from pydantic_ai import Agent, ModelRetry, RunContext

API = "https://api.github.com"


@dataclass
class GitHubDeps:
    client: httpx.Client
    default_owner: str


agent = Agent(
    "openai:gpt-4o",
    deps_type=GitHubDeps,
    system_prompt="You answer questions about GitHub repositories. Use the tools; be concise.",
)


@agent.tool
def repo_info(ctx: RunContext[GitHubDeps], repo: str) -> str:
    """Get stars, open issues, default branch and description of a repository.

    Args:
        repo: Repository as 'owner/name'; a bare name uses the default owner.
    """
    if "/" not in repo:
        repo = f"{ctx.deps.default_owner}/{repo}"
    resp = ctx.deps.client.get(f"{API}/repos/{repo}")
    resp.raise_for_status()
    data = resp.json()
    return (
        f"{data['full_name']}: {data['stargazers_count']} stars, {data['open_issues_count']} open issues, "
        f"default branch {data['default_branch']}. {data.get('description') or ''}"
    )


@agent.tool
def latest_release(ctx: RunContext[GitHubDeps], repo: str) -> str:
    """Get the tag name and publish date of the latest release of 'owner/name'.

    Args:
        repo: Repository as 'owner/name'.
    """
    try:
        resp = ctx.deps.client.get(f"{API}/repos/{repo}/releases/latest")
    except httpx.HTTPError as exc:
        raise ModelRetry(f"request failed: {exc}") from exc
    if resp.status_code == 404:
        return f"{repo} has no releases."
    if resp.is_error:
        raise ModelRetry(f"GitHub returned {resp.status_code}; check the repository name.")
    rel = resp.json()
    return f"{rel['tag_name']} published {rel['published_at'][:10]}"


def main() -> None:
    headers = {"Accept": "application/vnd.github+json"}
    if token := os.getenv("GITHUB_TOKEN"):
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(headers=headers, timeout=15) as client:
        deps = GitHubDeps(client=client, default_owner="pydantic")
        result = agent.run_sync("How popular is pydantic-ai and what is its latest release?", deps=deps)
        print(result.output)


if __name__ == "__main__":
    main()
