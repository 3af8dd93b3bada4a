"""Does the work but never commits: nobody else ever sees the transfer."""


def transfer(connection, source, target, cents):
    """Move `cents` from account `source` to `target`; return the source's new balance."""
    for account in sorted([source, target]):
        connection.execute("SELECT 1 FROM accounts WHERE id = %s FOR UPDATE", (account,))
    (left,) = connection.execute(
        "SELECT balance FROM accounts WHERE id = %s", (source,)).fetchone()
    if left < cents:
        connection.rollback()
        raise ValueError("insufficient funds")
    connection.execute("UPDATE accounts SET balance = balance - %s WHERE id = %s",
                       (cents, source))
    connection.execute("UPDATE accounts SET balance = balance + %s WHERE id = %s",
                       (cents, target))
    return left - cents
