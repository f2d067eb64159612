"""Tool-calling loop for a billing helpdesk, with explicit guards."""
import logging

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

log = logging.getLogger("billing_bot")
MAX_ROUNDS = 5

PLANS = {"starter": 9.0, "team": 29.0, "business": 99.0}
ACCOUNTS = {"acct_17": {"plan": "team", "seats": 4}, "acct_42": {"plan": "starter", "seats": 1}}


@tool
def get_account(account_id: str) -> str:
    """Return the plan name and seat count of a customer account, e.g. 'acct_17'."""
    acct = ACCOUNTS.get(account_id)
    if acct is None:
        return f"no account {account_id}"
    return f"{account_id}: plan={acct['plan']}, seats={acct['seats']}"


@tool
def quote_upgrade(account_id: str, new_plan: str) -> str:
    """Quote the new monthly price if an account switches to new_plan (starter, team or business)."""
    acct = ACCOUNTS.get(account_id)
    if acct is None:
        return f"no account {account_id}"
    if new_plan not in PLANS:
        return f"unknown plan {new_plan}; choose one of {', '.join(PLANS)}"
    return f"{new_plan} for {acct['seats']} seats: {PLANS[new_plan] * acct['seats']:.2f} USD/month"


TOOLS = {t.name: t for t in (get_account, quote_upgrade)}


def run_tool(call: dict) -> str:
    selected = TOOLS.get(call["name"])
    if selected is None:
        return f"Tool {call['name']!r} does not exist. Available: {', '.join(TOOLS)}"
    try:
        return str(selected.invoke(call["args"]))
    except Exception as exc:
        log.warning("tool %s failed: %s", call["name"], exc)
        return f"Tool error: {exc}"


def answer(question: str) -> str:
    llm = ChatOpenAI(model="gpt-4o", temperature=0).bind_tools(list(TOOLS.values()))
    messages = [SystemMessage("You help customers with billing questions."), HumanMessage(question)]
    for _ in range(MAX_ROUNDS):
        reply: AIMessage = llm.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return str(reply.content)
        for call in reply.tool_calls:
            messages.append(ToolMessage(content=run_tool(call), tool_call_id=call["id"]))
    return "Sorry, I could not finish that request."


if __name__ == "__main__":
    print(answer("What would acct_17 pay per month on the business plan?"))
