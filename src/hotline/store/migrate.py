"""Schema migrations (Alembic), run programmatically by `hotline migrate` and at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["current_revision", "head_revision", "migrate", "migrations_dir"]


def migrations_dir() -> Path:
    # The repository's top-level migrations/ (DESIGN §2); Hotline runs from a clone.
    return Path(__file__).resolve().parents[3] / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database to `revision` (default: the newest)."""

    def upgrade(conn: Connection) -> None:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    async with engine.connect() as conn:
        await conn.run_sync(upgrade)
        await conn.commit()
