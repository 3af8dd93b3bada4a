"""Loads the orders as objects and changes them one by one: many statements, not one."""


def archive_before(session, day):
    """Archive the paid and shipped orders dated before `day`; return how many."""
    orders = session.scalars(
        select(Order).where(Order.ordered_on < day, Order.status.in_(["paid", "shipped"]))
    ).all()
    for order in orders:
        order.status = "archived"
    session.flush()
    return len(orders)
