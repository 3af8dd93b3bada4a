"""Loads the orders eagerly but not their items: still one query per order."""


def customers_page(session, limit):
    """The first `limit` customers with their order ids and their number of items."""
    query = (
        select(Customer).order_by(Customer.id).limit(limit)
        .options(selectinload(Customer.orders))
    )
    return [
        {
            "name": customer.name,
            "orders": [order.id for order in customer.orders],
            "items": sum(len(order.items) for order in customer.orders),
        }
        for customer in session.scalars(query)
    ]
