"""Database engines: SQLite (default, one file under var/) and PostgreSQL (asyncpg).

URLs come as users write them (`sqlite:///var/x.db`, `postgresql://user@host/db`,
`postgres://…`, `?sslmode=require`); `database_url` turns them into the async drivers' form or
stops with one line naming what is wrong (never a traceback about drivers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from hotline.store.errors import DatabaseUrlInvalid

__all__ = ["WRITE", "create_engine", "database_url", "is_sqlite", "safe_url"]

# Execution option for a connection that will write: on SQLite its transaction starts with
# BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of failing on lock upgrade.
WRITE = {"hotline_write": True}


_ASYNC_DRIVER = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
_BACKEND_ALIASES = {"postgres": "postgresql", "pgsql": "postgresql", "sqlite3": "sqlite"}


def safe_url(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _parse(url: str) -> URL:
    try:
        return make_url(url.strip())
    except ArgumentError:
        raise DatabaseUrlInvalid(
            "database URL is not a URL; write sqlite:///var/hotline.db or "
            "postgresql://user:password@host:5432/dbname",
            details={"field": "database.url"},
        ) from None


def database_url(url: str) -> str:
    """The URL with the async driver Hotline uses; `DatabaseUrlInvalid` (one line) otherwise."""
    parsed = _parse(url)
    name, _, driver = parsed.drivername.partition("+")
    backend = _BACKEND_ALIASES.get(name.lower(), name.lower())
    if backend not in _ASYNC_DRIVER:
        raise DatabaseUrlInvalid(
            f"database URL {safe_url(url)}: Hotline stores data in SQLite (sqlite:///path) or "
            f"PostgreSQL (postgresql://user@host/db), not {name!r}",
            details={"field": "database.url"},
        )
    wanted = _ASYNC_DRIVER[backend]
    if driver and driver != wanted:
        raise DatabaseUrlInvalid(
            f"database URL {safe_url(url)}: Hotline talks to {backend} through {wanted}, "
            f"not {driver}; write {backend}://… (or {backend}+{wanted}://…)",
            details={"field": "database.url"},
        )
    parsed = parsed.set(drivername=f"{backend}+{wanted}")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseUrlInvalid(
                "database URL: an in-memory SQLite database loses everything when Hotline "
                "stops; name a file, e.g. sqlite:///var/hotline.db",
                details={"field": "database.url"},
            )
        return parsed.render_as_string(hide_password=False)
    query = dict(parsed.query)
    # libpq's sslmode, as users copy it from their provider, is asyncpg's `ssl`.
    if "sslmode" in query and "ssl" not in query:
        query["ssl"] = query.pop("sslmode")
    if not parsed.database:
        raise DatabaseUrlInvalid(
            f"database URL {safe_url(url)}: name the database, e.g. "
            "postgresql://user@host:5432/hotline",
            details={"field": "database.url"},
        )
    return parsed.set(query=query).render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return _parse(url).get_backend_name() in ("sqlite", "sqlite3")


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout_s: float = 30.0,
) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.
    The pool's size comes from `database.*` (a server sheds calls before it runs dry)."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout_s}
    url = database_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **pool)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            # WAL keeps readers off the writer's back; NORMAL sync loses nothing on a process
            # crash (only on power loss), which is the failure the event log guards against.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # We emit BEGIN ourselves (below) instead of the driver's implicit one.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("hotline_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, **pool)
