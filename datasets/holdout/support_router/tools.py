import sqlite3
from typing import Optional

DB_PATH = "support.db"


def _conn() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def order_status(order_id: str) -> str:
    with _conn() as conn:
        row = conn.execute("SELECT status, eta FROM orders WHERE id = ?", (order_id,)).fetchone()
    if row is None:
        return f"No order with id {order_id}."
    return f"Order {order_id}: {row['status']} (ETA {row['eta'] or 'unknown'})"


def customer_tier(email: str) -> Optional[str]:
    with _conn() as conn:
        row = conn.execute("SELECT tier FROM customers WHERE email = ?", (email,)).fetchone()
    if row:
        return f"{email} is a {row['tier']} customer."


SCHEMAS = [
    {
        "type": "function",
        "function": {
            "name": "order_status",
            "description": "Current shipping status and ETA of an order.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "description": "Order id like A-10293"}},
                "required": ["order_id"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "customer_tier",
            "description": "Support tier (free, pro, enterprise) of a customer, by e-mail.",
            "parameters": {
                "type": "object",
                "properties": {"email": {"type": "string", "description": "Customer e-mail address"}},
                "required": ["email"],
            },
        },
    },
]

REGISTRY = {"order_status": order_status, "customer_tier": customer_tier}
