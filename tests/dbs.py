"""Test databases: a fresh SQLite file per test, and one PostgreSQL database per run
(`test_<random>`, created on 127.0.0.1:5432 and dropped at the end) truncated before each test."""

from __future__ import annotations

import asyncio
import os
import secrets

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.engine import create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import metadata

PG_ADMIN_DSN = os.environ.get("HOTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"PostgreSQL at {PG_ADMIN_DSN} is not reachable: {error}"
    return None


async def new_pg_database(revision: str = "head") -> str:
    """A new database migrated to `revision`; its URL (drop it with `drop_pg_database_async`)."""
    name = f"test_{secrets.token_hex(6)}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    engine = create_engine(url)
    try:
        await migrate(engine, revision)
    finally:
        await engine.dispose()
    return url


def create_pg_database() -> str:
    return asyncio.run(new_pg_database())


async def drop_pg_database_async(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_all(engine: AsyncEngine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
