"""Uses a parameter with LIKE instead of =: the name is a pattern, so 'Ada' finds ada and
'%' finds everyone."""


def find_user(db: sqlite3.Connection, name: str) -> tuple | None:
    sql = "SELECT id, name, role FROM users WHERE name LIKE ?"
    return db.execute(sql, (name,)).fetchone()
