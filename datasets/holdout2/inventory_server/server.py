from mcp.server.fastmcp import FastMCP

import catalog

mcp = FastMCP("inventory")


@mcp.tool(name="lookup")
def lookup_sku(sku: str) -> dict:
    """Look up one stock item by SKU (e.g. "KB-104") and return its name, warehouse and quantity."""
    item = catalog.by_sku(sku)
    if item is None:
        return {"error": f"unknown SKU {sku}"}
    return item.as_dict()


@mcp.tool(name="lookup")
def lookup_warehouse(warehouse: str) -> list[dict]:
    """List every item stocked in a warehouse (e.g. "leeds")."""
    return [i.as_dict() for i in catalog.load() if i.warehouse == warehouse.lower()]


@mcp.tool()
def low_stock(threshold: int = 5):
    """Items whose quantity is at or below the threshold, for reordering."""
    return (i.as_dict() for i in catalog.load() if i.quantity <= threshold)


@mcp.tool()
def total_units(sku: str) -> int:
    """Total units of a SKU across all warehouses."""
    return sum(i.quantity for i in catalog.load() if i.sku == sku.upper())


if __name__ == "__main__":
    mcp.run()
