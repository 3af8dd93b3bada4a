"""Blocks input containing ' OR ' and keeps the f-string: the UNION payload still reads
api_keys, and a comment payload still logs in as ada."""


def find_user(db: sqlite3.Connection, name: str) -> tuple | None:
    if " or " in name.lower():
        return None
    sql = f"SELECT id, name, role FROM users WHERE name = '{name}'"
    try:
        return db.execute(sql).fetchone()
    except sqlite3.Error:
        return None
