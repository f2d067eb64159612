import json

from llm import LLM

STOCK = {"SKU-100": 42, "SKU-200": 0, "SKU-300": 7}
REORDER_LEVEL = 10

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "check_stock",
            "description": "Return how many units of a SKU are in the warehouse.",
            "parameters": {
                "type": "object",
                "properties": {"sku": {"type": "string", "description": "Stock keeping unit, e.g. SKU-100."}},
                "required": ["sku"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "low_stock_report",
            "description": "List all SKUs at or below the reorder level.",
            "parameters": {"type": "object", "properties": {}},
        },
    },
]


def check_stock(sku):
    sku = sku.strip().upper()
    if sku not in STOCK:
        return
    return f"{sku}: {STOCK[sku]} units"


def low_stock_report():
    low = [f"{s} ({n})" for s, n in STOCK.items() if n <= REORDER_LEVEL]
    return "Low stock: " + ", ".join(low) if low else "All SKUs above reorder level."


class InventoryAgent:
    handlers = {"check_stock": check_stock, "low_stock_report": low_stock_report}

    def __init__(self, llm=None, max_rounds=5):
        self.llm = llm or LLM()
        self.max_rounds = max_rounds

    def ask(self, question):
        messages = [{"role": "user", "content": question}]
        for _ in range(self.max_rounds):
            msg = self.llm.chat(messages, tools=TOOLS)
            if not msg.tool_calls:
                return msg.content
            messages.append(msg)
            for tc in msg.tool_calls:
                handler = self.handlers.get(tc.function.name)
                try:
                    args = json.loads(tc.function.arguments or "{}")
                    result = handler(**args) if handler else "unknown tool"
                except (ValueError, TypeError) as err:
                    result = f"error: {err}"
                messages.append({"role": "tool", "tool_call_id": tc.id, "content": result})
        return "Could not answer."


if __name__ == "__main__":
    print(InventoryAgent().ask("Do we have SKU-999 in stock, and what needs reordering?"))
