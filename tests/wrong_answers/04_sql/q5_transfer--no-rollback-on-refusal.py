"""Raises on insufficient funds but leaves the transaction open (and its row locks held)."""


def transfer(connection, source, target, cents):
    """Move `cents` from account `source` to `target`; return the source's new balance."""
    for account in sorted([source, target]):
        connection.execute("SELECT 1 FROM accounts WHERE id = %s FOR UPDATE", (account,))
    (left,) = connection.execute(
        "SELECT balance FROM accounts WHERE id = %s", (source,)).fetchone()
    if left < cents:
        raise ValueError("insufficient funds")
    connection.execute("UPDATE accounts SET balance = balance - %s WHERE id = %s",
                       (cents, source))
    connection.execute("UPDATE accounts SET balance = balance + %s WHERE id = %s",
                       (cents, target))
    connection.commit()
    return left - cents
