import json
import sys
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

TRIAGE_SYSTEM = """You triage customer support tickets.
Reply with a single JSON object of the form
{"priority": "low" | "medium" | "high", "team": "<billing|shipping|technical>", "reason": "<one sentence>"}
and nothing else."""

REPLY_SYSTEM = """You write short, friendly first responses to support tickets.
Return a JSON array with two alternative replies."""

llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
triage_llm = llm.bind(stop=["}"])


@dataclass
class Triage:
    priority: str
    team: str
    reason: str


def triage(ticket_text: str) -> Triage:
    reply = triage_llm.invoke([SystemMessage(TRIAGE_SYSTEM), HumanMessage(ticket_text)])
    data = json.loads(reply.content)
    return Triage(priority=data["priority"], team=data["team"], reason=data.get("reason", ""))


def suggest_replies(ticket_text: str, result: Triage) -> list[str]:
    context = f"Ticket (priority {result.priority}, team {result.team}):\n{ticket_text}"
    raw = llm.invoke([SystemMessage(REPLY_SYSTEM), HumanMessage(context)]).content
    try:
        suggestions = json.loads(raw)
    except json.JSONDecodeError:
        return [raw.strip()]
    if not isinstance(suggestions, list):
        return [str(suggestions)]
    return [str(s) for s in suggestions]


def main() -> None:
    ticket = sys.stdin.read().strip()
    if not ticket:
        print("usage: triage.py < ticket.txt", file=sys.stderr)
        raise SystemExit(2)
    result = triage(ticket)
    print(f"[{result.priority.upper()}] -> {result.team}: {result.reason}")
    for i, text in enumerate(suggest_replies(ticket, result), start=1):
        print(f"\n--- suggestion {i} ---\n{text}")


if __name__ == "__main__":
    main()
