"""Sorts by spending ascending: the smallest spenders come first."""


def top_customers(session, limit):
    """The `limit` customers who spent most, as (name, cents), best first."""
    cents = func.sum(OrderItem.quantity * OrderItem.unit_price_cents)
    query = (
        select(Customer.name, cents)
        .join(Order, Order.customer_id == Customer.id)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.status != "cancelled")
        .group_by(Customer.id, Customer.name)
        .order_by(cents, Customer.id)
        .limit(limit)
    )
    return [(name, int(total)) for name, total in session.execute(query)]
