from dataclasses import dataclass

from pydantic import BaseModel, Field
from pydantic_ai import Agent, RunContext


class AccountStore:
    def __init__(self) -> None:
        self._balances = {1001: 2450.75, 1002: 18.20}
        self._names = {1001: "Priya", 1002: "Tom"}

    def name(self, customer_id: int) -> str | None:
        return self._names.get(customer_id)

    def balance(self, customer_id: int) -> float | None:
        return self._balances.get(customer_id)


@dataclass
class SupportDeps:
    customer_id: int
    store: AccountStore


class SupportResult(BaseModel):
    advice: str = Field(description="Advice returned to the customer")
    block_card: bool = Field(description="Whether to block the customer's card")
    risk: int = Field(ge=0, le=10, description="Risk level of the query")


support_agent = Agent(
    "openai:gpt-4o",
    deps_type=SupportDeps,
    output_type=SupportResult,
    system_prompt="You are a bank support agent. Judge the risk of each query and help the customer.",
)


@support_agent.system_prompt
def add_customer_name(ctx: RunContext[SupportDeps]) -> str:
    name = ctx.deps.store.name(ctx.deps.customer_id) or "customer"
    return f"The customer's name is {name!r}."


@support_agent.tool
def customer_balance(ctx: RunContext[SupportDeps], include_pending: bool) -> str:
    """Return the customer's current account balance.

    Args:
        include_pending: Whether pending transactions should be included.
    """
    balance = ctx.deps.store.balance(ctx.deps.customer_id)
    if balance is None:
        return "No account found for this customer."
    suffix = " (including pending)" if include_pending else ""
    return f"{balance:.2f} EUR{suffix}"


if __name__ == "__main__":
    deps = SupportDeps(customer_id=1001, store=AccountStore())
    result = support_agent.run_sync("What is my balance?", deps=deps)
    print(result.output.advice, "| risk", result.output.risk)
    result = support_agent.run_sync("I just lost my card!", deps=deps)
    print(result.output.advice, "| block card:", result.output.block_card)
