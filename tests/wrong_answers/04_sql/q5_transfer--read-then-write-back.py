"""Reads the balances without locking and writes back computed values: a lost update."""


def transfer(connection, source, target, cents):
    """Move `cents` from account `source` to `target`; return the source's new balance."""
    get = "SELECT balance FROM accounts WHERE id = %s"
    (left,) = connection.execute(get, (source,)).fetchone()
    (right,) = connection.execute(get, (target,)).fetchone()
    if left < cents:
        connection.rollback()
        raise ValueError("insufficient funds")
    put = "UPDATE accounts SET balance = %s WHERE id = %s"
    connection.execute(put, (left - cents, source))
    connection.execute(put, (right + cents, target))
    connection.commit()
    return left - cents
