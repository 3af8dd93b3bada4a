"""Ranks with plain bm25(books): a match in the title weighs no more than one in the
summary."""


def search(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[str]:
    words = re.findall(r"\w+", text)
    if not words:
        return []
    match = " ".join(f'"{word}"' for word in words) + "*"
    rows = conn.execute("SELECT title FROM books WHERE books MATCH ?"
                        " ORDER BY bm25(books), title LIMIT ?", (match, limit))
    return [title for (title,) in rows]
