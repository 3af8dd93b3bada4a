"""Uses a parameter but returns fetchall()'s list instead of one tuple or None."""


def find_user(db: sqlite3.Connection, name: str) -> tuple | None:
    return db.execute("SELECT id, name, role FROM users WHERE name = ?", (name,)).fetchall()
