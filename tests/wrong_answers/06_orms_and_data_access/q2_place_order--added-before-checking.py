"""Adds the order to the session before checking the products, so a failure leaves it there."""


def place_order(session, customer_id, lines, day):
    """A new paid order of `customer_id` with one item per (product id, quantity)."""
    order = Order(customer_id=customer_id, ordered_on=day, status="paid")
    session.add(order)
    for product_id, quantity in lines:
        product = session.get(Product, product_id)
        if product is None:
            raise ValueError(f"unknown product {product_id}")
        order.items.append(OrderItem(product_id=product_id, quantity=quantity,
                                     unit_price_cents=product.price_cents))
    session.flush()
    return order
