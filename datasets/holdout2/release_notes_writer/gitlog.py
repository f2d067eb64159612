import subprocess


def commits_since(tag: str) -> str:
    out = subprocess.run(
        ["git", "log", f"{tag}..HEAD", "--pretty=format:%h %s"],
        capture_output=True, text=True, check=False,
    )
    return out.stdout.strip() or "(no commits)"


def draft_from_template(version: str, highlights: str) -> str:
    lines = [f"Release {version}", "", "Highlights:"]
    lines += [f"- {h.strip()}" for h in highlights.split(";") if h.strip()]
    return "Final Answer: " + "\n".join(lines)


TOOLS = {"commits_since": commits_since, "draft_from_template": draft_from_template}
