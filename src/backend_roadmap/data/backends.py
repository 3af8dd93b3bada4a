"""Where the data lives: SQLite and fakeredis by default, real servers when the environment says.

Set ``DATABASE_URL`` (an SQLAlchemy URL, e.g. ``postgresql+psycopg://...``) or ``REDIS_URL``
(e.g. ``redis://localhost:6379/0``) and the same notebook cells run against real engines.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

# SQLAlchemy and redis-py take a second or two to import; chapters that never touch a database
# should not pay for them on `import backend_roadmap`, so they are imported on first use.
if TYPE_CHECKING:
    import redis
    import sqlalchemy

DEFAULT_DATABASE_URL = "sqlite://"


def connect_database(url: str | None = None, **engine_options) -> sqlalchemy.Engine:
    """An SQLAlchemy engine for ``url``, else ``$DATABASE_URL``, else a private in-memory SQLite.

    The in-memory default keeps one connection (``StaticPool``) so every session and thread
    sees the same database for as long as the engine lives.
    """
    import sqlalchemy
    from sqlalchemy.pool import StaticPool

    url = url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine_options.setdefault("poolclass", StaticPool)
        engine_options.setdefault("connect_args", {"check_same_thread": False})
    return sqlalchemy.create_engine(url, **engine_options)


def connect_redis(url: str | None = None, *, empty: bool = False) -> redis.Redis:
    """A redis-py client for ``url``, else ``$REDIS_URL``, else a fresh, empty fakeredis server.

    Responses are decoded to ``str`` in both cases, so outputs look the same either way.
    A fakeredis client starts empty; a real server keeps what earlier runs wrote, so pass
    ``empty=True`` to start from an empty database there too (``FLUSHDB``: point ``REDIS_URL``
    at a scratch database, never at one whose data you want to keep).
    """
    import redis

    url = url or os.environ.get("REDIS_URL")
    if url:
        client = redis.Redis.from_url(url, decode_responses=True)
        if empty:
            client.flushdb()
        return client
    import fakeredis

    return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
