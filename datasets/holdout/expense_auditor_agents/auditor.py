import csv
import sys
from pathlib import Path

from agents import Agent, Runner, function_tool

POLICY = Path(__file__).with_name("travel_policy.md")


@function_tool
def read_policy() -> str:
    """Return the company travel and expense policy as markdown."""
    return POLICY.read_text(encoding="utf-8")


@function_tool
def load_report(path: str) -> list[dict]:
    """Load an expense report CSV (date, category, merchant, amount_eur, note).

    Args:
        path: path to the CSV file exported from the expense tool.
    """
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


auditor = Agent(
    name="Expense auditor",
    instructions=(
        "Check every line of the expense report against the policy. "
        "Reply with ONLY the total amount in EUR that violates the policy, as a plain number."
    ),
    model="gpt-4.1",
    tools=[read_policy, load_report],
)


def audit(path: str) -> float:
    result = Runner.run_sync(auditor, f"Audit the report at {path}", max_turns=sys.maxsize)
    return float(result.final_output)


if __name__ == "__main__":
    flagged = audit(sys.argv[1])
    print(f"Non-compliant spend: EUR {flagged:.2f}")
