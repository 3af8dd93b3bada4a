"""Passes the words to MATCH without quoting them: AND, NOT and other operators typed by a
user are read as FTS5 syntax (and some texts raise a syntax error)."""


def search(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[str]:
    words = re.findall(r"\w+", text)
    if not words:
        return []
    match = " ".join(words) + "*"
    rows = conn.execute("SELECT title FROM books WHERE books MATCH ?"
                        " ORDER BY bm25(books, 10.0, 1.0), title LIMIT ?", (match, limit))
    return [title for (title,) in rows]
