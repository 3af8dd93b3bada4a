"""Locks the source, then the target: two transfers in opposite directions deadlock."""


def transfer(connection, source, target, cents):
    """Move `cents` from account `source` to `target`; return the source's new balance."""
    try:
        (left,) = connection.execute(
            "SELECT balance FROM accounts WHERE id = %s FOR UPDATE", (source,)).fetchone()
        if left < cents:
            raise ValueError("insufficient funds")
        connection.execute("UPDATE accounts SET balance = balance - %s WHERE id = %s",
                           (cents, source))
        connection.execute("UPDATE accounts SET balance = balance + %s WHERE id = %s",
                           (cents, target))
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return left - cents
