from llama_index.core.tools import FunctionTool

CATALOG = {
    "kb-01": {"name": "Mechanical keyboard", "price": 89.0, "stock": 12},
    "ms-02": {"name": "Wireless mouse", "price": 25.0, "stock": 0},
    "mn-27": {"name": "27-inch monitor", "price": 239.0, "stock": 4},
}
FAQ = {
    "shipping": "Orders ship within 2 business days; free over 50 EUR.",
    "warranty": "All hardware has a 2-year warranty.",
    "returns": "Unused items can be returned within 30 days.",
}


def search_catalog(query: str) -> str:
    """Find products whose name contains the query; returns id, name and price per line."""
    q = query.lower()
    hits = [f"{pid}: {p['name']} ({p['price']:.2f} EUR)" for pid, p in CATALOG.items() if q in p["name"].lower()]
    return "\n".join(hits) or "no products match"


def search_faq(topic: str) -> str:
    """Return the FAQ answer for a topic such as shipping, warranty or returns."""
    return FAQ.get(topic.lower().strip(), "no FAQ entry for that topic")


def get_stock(product_id: str) -> str:
    item = CATALOG.get(product_id)
    if item is None:
        return f"unknown product {product_id}"
    return f"{item['stock']} in stock"


catalog_tool = FunctionTool.from_defaults(fn=search_catalog, name="search")
faq_tool = FunctionTool.from_defaults(
    fn=search_faq,
    name="search",
    description="Look up store policies (shipping, warranty, returns).",
)
stock_tool = FunctionTool.from_defaults(fn=get_stock)

ALL_TOOLS = [catalog_tool, faq_tool, stock_tool]
