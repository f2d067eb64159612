from datetime import date, timedelta

from langchain_anthropic import ChatAnthropic
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

INVOICES = {
    "INV-1001": {"customer": "Acme GmbH", "amount": 1200.0, "due": date.today() - timedelta(days=45), "paid": False},
    "INV-1002": {"customer": "Globex", "amount": 310.5, "due": date.today() + timedelta(days=10), "paid": False},
    "INV-1003": {"customer": "Initech", "amount": 89.9, "due": date.today() - timedelta(days=3), "paid": True},
}


@tool
def lookup_invoice(invoice_id: str) -> str:
    """Return customer, amount, due date and payment status of an invoice, e.g. 'INV-1001'."""
    inv = INVOICES.get(invoice_id.strip().upper())
    if inv is None:
        return f"No invoice with id {invoice_id}."
    status = "paid" if inv["paid"] else "open"
    return f"{invoice_id}: {inv['customer']}, {inv['amount']:.2f} EUR, due {inv['due']:%Y-%m-%d}, {status}"


@tool
def list_overdue(min_days: int = 0) -> str:
    """List unpaid invoices that are overdue by at least min_days days."""
    today = date.today()
    rows = [
        f"{key} ({inv['customer']}, {(today - inv['due']).days} days)"
        for key, inv in INVOICES.items()
        if not inv["paid"] and (today - inv["due"]).days >= min_days
    ]
    return "\n".join(rows) if rows else "No overdue invoices."


TOOLS = [lookup_invoice, list_overdue]
tools_by_name = {t.name: t for t in TOOLS}

SYSTEM = "You are an accounts-receivable assistant. Use the tools to answer questions about invoices."


def chat(question: str) -> str:
    model = ChatAnthropic(model="claude-3-5-sonnet-20241022", max_tokens=1024).bind_tools(TOOLS)
    messages = [SystemMessage(SYSTEM), HumanMessage(question)]
    while True:
        ai = model.invoke(messages)
        messages.append(ai)
        if not ai.tool_calls:
            return ai.content if isinstance(ai.content, str) else str(ai.content)
        for call in ai.tool_calls:
            result = tools_by_name[call["name"]].invoke(call["args"])
            messages.append(ToolMessage(content=str(result), tool_call_id=call["id"]))


if __name__ == "__main__":
    print(chat("Which invoices are more than 30 days overdue, and how much do they total?"))
