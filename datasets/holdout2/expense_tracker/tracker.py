import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field
from pydantic_ai import Agent, RunContext

from llm import default_model


class Expense(BaseModel):
    merchant: str
    amount: Decimal = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    category: str = Field(description="travel, meals, software, office or other")
    spent_on: dt.date


class Ledger:
    def __init__(self, monthly_budget: Decimal) -> None:
        self.monthly_budget = monthly_budget
        self.items: list[Expense] = []

    def spent_this_month(self) -> Decimal:
        today = dt.date.today()
        return sum(
            (e.amount for e in self.items if (e.spent_on.year, e.spent_on.month) == (today.year, today.month)),
            Decimal(0),
        )


agent = Agent(
    default_model(),
    deps_type=Ledger,
    output_type=Expense,
    instructions="Turn the user's receipt text into one expense record. Dates default to today.",
)


@agent.tool
def remaining_budget(ctx: RunContext[Ledger]) -> str:
    """How much of this month's budget is left."""
    left = ctx.deps.monthly_budget - ctx.deps.spent_this_month()
    return f"{left:.2f} remaining"


def record(ledger: Ledger, receipt: str) -> Expense:
    result = agent.run_sync(receipt, deps=ledger)
    ledger.items.append(result.output)
    return result.output


if __name__ == "__main__":
    ledger = Ledger(Decimal("1500"))
    print(record(ledger, "Uber to the airport, 38.40 EUR, yesterday"))
