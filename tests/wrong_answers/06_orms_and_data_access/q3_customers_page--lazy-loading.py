"""Reads customer.orders and order.items lazily: right rows, one query per customer and order."""


def customers_page(session, limit):
    """The first `limit` customers with their order ids and their number of items."""
    customers = session.scalars(select(Customer).order_by(Customer.id).limit(limit))
    return [
        {
            "name": customer.name,
            "orders": [order.id for order in customer.orders],
            "items": sum(len(order.items) for order in customer.orders),
        }
        for customer in customers
    ]
