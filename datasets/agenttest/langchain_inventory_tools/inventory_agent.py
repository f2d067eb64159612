from typing import Type

from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import BaseTool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

INVENTORY = {"AB-1234": 42, "CD-2001": 0, "EF-3300": 7}
PRICES = {"AB-1234": 19.99, "CD-2001": 4.5}
ORDERS: list[tuple[str, int]] = []


class SkuInput(BaseModel):
    sku: str = Field(description="Stock keeping unit, e.g. 'AB-1234'")


class ReorderInput(BaseModel):
    sku: str = Field(description="Stock keeping unit to reorder")
    quantity: int = Field(gt=0, description="How many units to order")


class StockLevelTool(BaseTool):
    name: str = "stock_level"
    description: str = "Return how many units of a SKU are currently in the warehouse."
    args_schema: Type[BaseModel] = SkuInput

    def _run(self, sku: str) -> str:
        qty = INVENTORY.get(sku.upper())
        if qty is None:
            return f"Unknown SKU {sku}."
        return f"{qty} units of {sku.upper()} in stock."


class ReorderTool(BaseTool):
    name: str = "reorder"
    args_schema: Type[BaseModel] = ReorderInput

    def _run(self, sku: str, quantity: int) -> str:
        ORDERS.append((sku.upper(), quantity))
        return f"Purchase order created for {quantity} x {sku.upper()}."


class PriceTool(BaseTool):
    name: str = "price_lookup"
    description: str = "Look up the unit price of a SKU in euros."
    args_schema: Type[BaseModel] = SkuInput

    def _run(self, sku: str):
        price = PRICES.get(sku.upper())
        if price is None:
            print(f"No price on file for {sku}.")
        else:
            print(f"{sku.upper()}: {price:.2f} EUR per unit")


def build() -> AgentExecutor:
    tools = [StockLevelTool(), ReorderTool(), PriceTool()]
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You are a warehouse assistant. Reorder items that are out of stock when asked."),
            ("human", "{input}"),
            ("placeholder", "{agent_scratchpad}"),
        ]
    )
    llm = ChatOpenAI(model="gpt-4o", temperature=0)
    return AgentExecutor(agent=create_tool_calling_agent(llm, tools, prompt), tools=tools)


if __name__ == "__main__":
    print(build().invoke({"input": "What does CD-2001 cost, and reorder 20 if it is out of stock."})["output"])
