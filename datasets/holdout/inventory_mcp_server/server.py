"""MCP server exposing the warehouse inventory to assistants (read-only except reservations)."""
import sqlite3
from contextlib import closing

from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel

DB = "inventory.db"
mcp = FastMCP("inventory")


class StockLevel(BaseModel):
    sku: str
    name: str
    on_hand: int
    reserved: int


def _db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB)
    conn.row_factory = sqlite3.Row
    return conn


@mcp.tool()
def stock_level(sku: str) -> StockLevel | str:
    """Current stock of one article.

    Args:
        sku: article number, e.g. "WH-20418".

    Returns:
        The stock level, or a message saying that the SKU does not exist.
    """
    with closing(_db()) as conn:
        row = conn.execute("SELECT sku, name, on_hand, reserved FROM stock WHERE sku = ?", (sku,)).fetchone()
    if row is None:
        return f"unknown SKU {sku}"
    return StockLevel(**dict(row))


@mcp.tool()
def low_stock(threshold: int = 10) -> list[StockLevel]:
    """Articles whose free stock (on hand minus reserved) is below a threshold.

    Args:
        threshold: free-stock level under which an article is reported.
    """
    with closing(_db()) as conn:
        rows = conn.execute(
            "SELECT sku, name, on_hand, reserved FROM stock WHERE on_hand - reserved < ? ORDER BY on_hand - reserved",
            (threshold,),
        ).fetchall()
    return [StockLevel(**dict(r)) for r in rows]


@mcp.tool()
def reserve(sku: str, quantity: int, order_ref: str) -> str:
    """Reserve stock for a customer order.

    Args:
        sku: article number.
        quantity: number of units to reserve (positive).
        order_ref: the order the reservation belongs to.
    """
    if quantity <= 0:
        return "quantity must be positive"
    with closing(_db()) as conn, conn:
        cur = conn.execute(
            "UPDATE stock SET reserved = reserved + ? WHERE sku = ? AND on_hand - reserved >= ?",
            (quantity, sku, quantity),
        )
        if cur.rowcount == 0:
            return f"could not reserve {quantity} x {sku}: unknown SKU or not enough free stock"
        conn.execute("INSERT INTO reservations(sku, quantity, order_ref) VALUES (?, ?, ?)", (sku, quantity, order_ref))
    return f"reserved {quantity} x {sku} for {order_ref}"


if __name__ == "__main__":
    mcp.run()
