FAQ = {
    "shipping": "Orders ship within 2 business days from our Leeds warehouse.",
    "returns": "Unused items can be returned within 30 days for a full refund.",
    "warranty": "Electronics carry a 12-month manufacturer warranty.",
}

ORDERS = {"A1001": "shipped", "A1002": "processing", "A1003": "delivered"}


def search_faq(topic: str) -> str:
    hits = [v for k, v in FAQ.items() if k in topic.lower()]
    return " ".join(hits) or "No FAQ entry matches that topic."


def lookup(ref: str, kind: str = "order") -> str:
    if kind == "order":
        return ORDERS.get(ref.upper(), "unknown order")
    return FAQ.get(ref.lower(), "unknown topic")
