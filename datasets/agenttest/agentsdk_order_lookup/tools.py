from agents import function_tool

ORDERS = {
    "SO-5521": {"customer": "Lena Park", "items": 3, "total": 142.90, "status": "packed"},
    "SO-5522": {"customer": "Omar Haddad", "items": 1, "total": 19.99, "status": "delivered"},
}


@function_tool
def get_order(order_id: str) -> str:
    order = ORDERS.get(order_id.strip().upper())
    if order is None:
        return f"Unknown order {order_id}"
    return f"{order_id}: {order['items']} items, {order['total']:.2f} EUR, {order['status']} ({order['customer']})"


@function_tool
def cancel_order(order_id: str, reason: str) -> str:
    """Cancel an order that has not shipped yet.

    Args:
        order_id: Order id such as 'SO-5521'.
        reason: Short reason given by the customer.
    """
    order = ORDERS.get(order_id.strip().upper())
    if order is None:
        return f"Unknown order {order_id}"
    if order["status"] in {"shipped", "delivered"}:
        return f"Order {order_id} is already {order['status']} and cannot be cancelled."
    order["status"] = "cancelled"
    return f"Order {order_id} cancelled ({reason})."
