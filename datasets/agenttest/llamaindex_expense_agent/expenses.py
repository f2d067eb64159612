import csv
from collections import defaultdict
from pathlib import Path

from llama_index.core.agent import ReActAgent
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI

LEDGER = Path("expenses.csv")


def _rows() -> list[dict]:
    with LEDGER.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def total_by_category(month: str) -> str:
    """Sum expenses per category for a month given as 'YYYY-MM'."""
    totals: dict[str, float] = defaultdict(float)
    for row in _rows():
        if row["date"].startswith(month):
            totals[row["category"]] += float(row["amount"])
    if not totals:
        return f"no expenses in {month}"
    return "\n".join(f"{cat}: {amt:.2f}" for cat, amt in sorted(totals.items()))


def largest_expenses(month: str, n: int = 3) -> str:
    """Return the n largest single expenses of a month ('YYYY-MM')."""
    rows = sorted((r for r in _rows() if r["date"].startswith(month)), key=lambda r: -float(r["amount"]))
    return "\n".join(f"{r['date']} {r['description']}: {float(r['amount']):.2f}" for r in rows[:n]) or "none"


agent = ReActAgent.from_tools(
    [FunctionTool.from_defaults(fn=total_by_category), FunctionTool.from_defaults(fn=largest_expenses)],
    llm=OpenAI(model="davinci-002", temperature=0),
    max_iterations=6,
)


def monthly_total(month: str) -> float:
    response = agent.chat(
        f"What is the total amount spent in {month} across all categories? Reply with just the number."
    )
    return float(response.response)


if __name__ == "__main__":
    month = "2025-01"
    print(agent.chat(f"Summarize my spending in {month} and point out anything unusual."))
    print("total:", monthly_total(month))
