"""Post a daily digest of a busy Slack channel, written by Claude."""
import os
import time

import anthropic
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

slack = WebClient(token=os.environ["SLACK_BOT_TOKEN"])
claude = anthropic.Anthropic()


def fetch_messages(channel: str, hours: int = 24) -> list[str]:
    oldest = str(time.time() - hours * 3600)
    try:
        history = slack.conversations_history(channel=channel, oldest=oldest, limit=500)
    except SlackApiError as exc:
        print(f"could not read {channel}: {exc.response['error']}")
        return []
    return [m.get("text", "") for m in reversed(history["messages"]) if m.get("text")]


def write_digest(lines: list[str]) -> str:
    response = claude.messages.create(
        model="claude-sonnet-4-20250514",
        max_tokens=700,
        system="Summarise the channel activity as 3-6 bullet points. Mention decisions and open questions.",
        messages=[{"role": "user", "content": "\n".join(lines)}],
    )
    return "".join(b.text for b in response.content if b.type == "text")


def post(channel: str, text: str) -> None:
    try:
        slack.chat_postMessage(channel=channel, text=text)
    except SlackApiError as exc:
        print(f"could not post digest: {exc.response['error']}")


if __name__ == "__main__":
    source, target = os.environ["DIGEST_SOURCE"], os.environ["DIGEST_TARGET"]
    lines = fetch_messages(source)
    if lines:
        post(target, ":newspaper: *Daily digest*\n" + write_digest(lines))
