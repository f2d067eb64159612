import json
import statistics
from collections import defaultdict

import litellm

SALES = [
    {"region": "north", "product": "widget", "month": "2024-01", "revenue": 12000},
    {"region": "north", "product": "gadget", "month": "2024-01", "revenue": 8000},
    {"region": "south", "product": "widget", "month": "2024-01", "revenue": 9500},
    {"region": "south", "product": "widget", "month": "2024-02", "revenue": 11000},
    {"region": "north", "product": "widget", "month": "2024-02", "revenue": 13500},
]


class Toolbox:
    def query_sales(self, q: str, k: str = "region", m: str = "sum") -> str:
        rows = [r for r in SALES if q.lower() in json.dumps(r).lower()] if q else SALES
        groups = defaultdict(list)
        for r in rows:
            groups[r.get(k, "?")].append(r["revenue"])
        agg = {"sum": sum, "mean": statistics.mean, "max": max}.get(m, sum)
        return json.dumps({g: agg(v) for g, v in groups.items()})

    def growth(self, before: float, after: float) -> str:
        if before == 0:
            return "undefined (before is zero)"
        return f"{(after - before) / before * 100:.1f}%"


TOOL_SPECS = [
    {
        "type": "function",
        "function": {
            "name": "query_sales",
            "description": "Query the sales table.",
            "parameters": {
                "type": "object",
                "properties": {"q": {"type": "string"}, "k": {"type": "string"}, "m": {"type": "string"}},
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "growth",
            "description": "Percentage change from one value to another.",
            "parameters": {
                "type": "object",
                "properties": {
                    "before": {"type": "number", "description": "Earlier value."},
                    "after": {"type": "number", "description": "Later value."},
                },
                "required": ["before", "after"],
            },
        },
    },
]


class Analyst:
    def __init__(self, model: str = "gpt-4o-mini"):
        self.model = model
        self.toolbox = Toolbox()

    def ask(self, question: str, limit: int = 6) -> str:
        messages = [{"role": "user", "content": question}]
        for _ in range(limit):
            resp = litellm.completion(model=self.model, messages=messages, tools=TOOL_SPECS)
            msg = resp.choices[0].message
            if not msg.tool_calls:
                return msg.content
            messages.append(msg)
            for call in msg.tool_calls:
                try:
                    args = json.loads(call.function.arguments or "{}")
                except json.JSONDecodeError:
                    args = {}
                result = getattr(self.toolbox, call.function.name)(**args)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        return "analysis did not converge"


if __name__ == "__main__":
    print(Analyst().ask("How did widget revenue in the north change from January to February?"))
