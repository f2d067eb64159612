from agents import Agent, Runner, function_tool
from pydantic import BaseModel, Field

SUBSCRIPTIONS = {"u-100": ("pro", "2025-09-01"), "u-200": ("free", None)}
INCIDENTS = ["2025-02-11: search latency degraded in eu-west (resolved)"]


class SupportReply(BaseModel):
    answer: str = Field(description="Reply to send to the customer")
    escalate: bool = Field(description="Whether a human should follow up")


@function_tool
def subscription_status(user_id: str) -> str:
    """Return the plan and renewal date of a user's subscription.

    Args:
        user_id: The user's id, e.g. 'u-100'.
    """
    record = SUBSCRIPTIONS.get(user_id)
    if record is None:
        return f"No subscription found for {user_id}."
    plan, renews = record
    return f"{user_id} is on the {plan} plan" + (f", renewing {renews}." if renews else ".")


@function_tool
def recent_incidents() -> str:
    """List recent service incidents from the status page."""
    return "\n".join(INCIDENTS) or "No incidents reported."


billing_agent = Agent(
    name="Billing specialist",
    handoff_description="Handles questions about plans, invoices and renewals.",
    instructions="Answer billing questions using the subscription tool. Escalate refund requests.",
    tools=[subscription_status],
    output_type=SupportReply,
    model="gpt-4o-mini",
)
tech_agent = Agent(
    name="Technical support",
    handoff_description="Handles outages, errors and performance problems.",
    instructions="Check recent incidents before answering. Escalate anything about data loss.",
    tools=[recent_incidents],
    output_type=SupportReply,
    model="gpt-4o-mini",
)
triage_agent = Agent(
    name="Triage",
    instructions="Decide whether the request is about billing or a technical problem and hand off.",
    handoffs=[billing_agent, tech_agent],
    model="gpt-4o-mini",
)


def handle(message: str) -> SupportReply | str:
    result = Runner.run_sync(triage_agent, message, max_turns=8)
    return result.final_output


if __name__ == "__main__":
    reply = handle("I'm user u-100, when does my plan renew? Also search felt slow yesterday.")
    if isinstance(reply, SupportReply):
        print(reply.answer, "(escalate)" if reply.escalate else "")
    else:
        print(reply)
