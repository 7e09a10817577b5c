"""Web chat's rows on SQL: each centre's settings document. Flushes only; the caller commits;
`ChatSettingsReader` reads them for the running chat service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.channels.chat.settings import ChatConfig, open_config
from hotline.store.chat_tables import chat_settings
from hotline.vault.secrets import SecretBox

__all__ = ["ChatSettingsReader", "SqlChatSettings"]


class SqlChatSettings:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: str) -> dict[str, Any] | None:
        q = select(chat_settings.c.config).where(chat_settings.c.tenant_id == tenant_id)
        value = await self.conn.scalar(q)
        return dict(value) if value is not None else None

    async def save(self, tenant_id: str, config: Mapping[str, Any], now: float) -> None:
        if await self.get(tenant_id) is not None:
            await self.conn.execute(
                update(chat_settings)
                .where(chat_settings.c.tenant_id == tenant_id)
                .values(config=dict(config), updated_at=now)
            )
        else:
            await self.conn.execute(
                insert(chat_settings).values(
                    tenant_id=tenant_id, config=dict(config), updated_at=now
                )
            )


class ChatSettingsReader:
    """A centre's chat settings as the chat service reads them (one short read each time:
    a change by an admin applies to the next file)."""

    def __init__(self, engine: AsyncEngine, secrets: SecretBox) -> None:
        self.engine = engine
        self.secrets = secrets

    async def __call__(self, tenant_id: str) -> ChatConfig:
        async with self.engine.connect() as conn:
            doc = await SqlChatSettings(conn).get(tenant_id)
        return open_config(doc, tenant_id, self.secrets)
