"""Archives cancelled orders too."""


def archive_before(session, day):
    """Archive the paid and shipped orders dated before `day`; return how many."""
    result = session.execute(
        update(Order).where(Order.ordered_on < day).values(status="archived")
    )
    return result.rowcount
