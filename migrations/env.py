"""Alembic environment: runs against the connection `hotline.store.migrate` hands in, or
against `HOTLINE_DATABASE_URL` when the alembic command is used directly."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from hotline.config import Settings
from hotline.store.engine import create_engine
from hotline.store.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    engine = create_engine(Settings.load().database.url)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_online())
