"""Archives the orders of the day itself too (<= instead of <)."""


def archive_before(session, day):
    """Archive the paid and shipped orders dated before `day`; return how many."""
    result = session.execute(
        update(Order)
        .where(Order.ordered_on <= day, Order.status.in_(["paid", "shipped"]))
        .values(status="archived")
    )
    return result.rowcount
