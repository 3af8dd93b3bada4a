"""Count the SQL statements an engine sends: the way to see an N+1 problem.

with count_queries(engine) as queries:
    ...                      # code under test
queries.count                # how many statements reached the database
queries.statements           # their SQL text, in order
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy


@dataclass
class QueryLog:
    """The statements one ``count_queries`` block saw (``executemany`` counts once)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_queries(engine: sqlalchemy.Engine) -> Iterator[QueryLog]:
    """Record every statement ``engine`` executes inside the ``with`` block.

    It listens to SQLAlchemy's ``before_cursor_execute`` event, so it sees Core, ORM and
    ``text()`` statements alike, including the ones an ORM lazy load sends on its own.
    """
    from sqlalchemy import event

    log = QueryLog()

    def record(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)
