import subprocess

import click
from openai import OpenAI

client = OpenAI()


def commits_since(tag: str) -> list[str]:
    try:
        out = subprocess.run(
            ["git", "log", f"{tag}..HEAD", "--pretty=format:%s"],
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(f"git log failed: {exc}")
    return [line for line in out.splitlines() if line.strip()]


def write_changelog(version: str, commits: list[str]) -> str:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {
                "role": "system",
                "content": "Group commit subjects into Added / Changed / Fixed sections in Keep a Changelog style.",
            },
            {"role": "user", "content": f"Version {version}\n" + "\n".join(commits)},
        ],
        temperature=0.2,
    )
    return completion.choices[0].message.content or ""


@click.command()
@click.argument("version")
@click.option("--since", default=None, help="previous tag (defaults to v<version-1>)")
def main(version: str, since: str | None) -> None:
    commits = commits_since(since or "HEAD~50")
    if not commits:
        raise click.ClickException("no commits found")
    click.echo(write_changelog(version, commits))


if __name__ == "__main__":
    main()
