"""Strips quotes from the name instead of using a parameter: attacks fail, but O'Brien can
never be found (and the query is still built from input)."""


def find_user(db: sqlite3.Connection, name: str) -> tuple | None:
    name = name.replace("'", "")
    return db.execute(f"SELECT id, name, role FROM users WHERE name = '{name}'").fetchone()
