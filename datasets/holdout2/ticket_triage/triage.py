import json
import os
import time

from openai import OpenAI

from models import Ticket, TriageReply

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.getenv("TRIAGE_MODEL", "gpt-4o-mini")

SYSTEM = (
    "You triage customer support tickets. Reply with a JSON object with the keys "
    '"priority" (one of low, normal, high, urgent) and "team" (billing, tech, accounts).'
)

ESCALATE_TOOL = {
    "type": "function",
    "function": {
        "name": "escalate",
        "description": "Page the on-call lead for a ticket that cannot wait.",
        "parameters": {
            "type": "object",
            "properties": {
                "ticket_id": {"type": "string", "description": "Ticket identifier"},
                "reason": {"type": "string", "description": "One sentence on why"},
            },
            "required": ["ticket_id", "reason"],
        },
    },
}


def page_lead(ticket_id: str, reason: str) -> None:
    print(f"[PAGE] {ticket_id}: {reason}")


def triage(ticket: Ticket) -> TriageReply:
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Tier: {ticket.customer_tier}\n{ticket.subject}\n\n{ticket.body}"},
        ],
        tools=[ESCALATE_TOOL],
        temperature=0,
    )
    msg = resp.choices[0].message
    for call in msg.tool_calls or []:
        if call.function.name != "escalate":
            continue
        try:
            args = json.loads(call.function.arguments)
        except json.JSONDecodeError:
            args = {}
        page_lead(args.get("ticket_id", ticket.id), args.get("reason", "model requested escalation"))
    return TriageReply(raw=msg.content or "{}", ticket_id=ticket.id, created_at=time.time())


def route(tickets: list[Ticket]) -> dict[str, list[str]]:
    queues: dict[str, list[str]] = {}
    for t in tickets:
        reply = triage(t)
        if reply.priority == "urgent":
            queues.setdefault("urgent", []).append(t.id)
        queues.setdefault(reply.team, []).append(t.id)
    return queues


if __name__ == "__main__":
    demo = [Ticket("T-1", "Charged twice", "My card was billed two times for March.", "gold")]
    print(route(demo))
