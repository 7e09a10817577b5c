"""The migrations create exactly the schema the code declares (no drift), on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.migrate import current_revision, head_revision
from hotline.store.tables import metadata


async def test_models_and_migrations_do_not_drift(engine: AsyncEngine) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    assert await current_revision(engine) == head_revision()
