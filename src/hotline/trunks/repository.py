"""The stored trunks on the database (store/trunk_tables.py): the password sealed with the
center's key on the way in and opened on the way out. Flushes only; the edge commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.trunk_tables import trunks
from hotline.trunks.errors import TrunkNotFound
from hotline.trunks.model import StoredTrunk, TrunkValues
from hotline.vault.secrets import SecretBox

__all__ = ["TRUNK_PASSWORD", "SqlTrunks"]

TRUNK_PASSWORD = "trunk.password"  # what the password is to the vault (its associated data)


def _of_row(row: Mapping[str, Any], secrets: SecretBox) -> StoredTrunk:
    tenant = str(row["tenant_id"])
    password = row["password"]
    return StoredTrunk(
        id=str(row["id"]),
        tenant_id=tenant,
        values=TrunkValues(
            name=row["name"],
            host=row["host"],
            port=int(row["port"]),
            transport=row["transport"],
            username=row["username"],
            password=secrets.open(tenant, TRUNK_PASSWORD, password) if password else "",
            realm=row["realm"],
            from_domain=row["from_domain"],
            register=bool(row["register"]),
            register_expires=int(row["register_expires"]),
            codecs=tuple(row["codecs"] or ()),
            inbound_sources=tuple(row["inbound_sources"] or ()),
            did_from=row["did_from"],
            enabled=bool(row["enabled"]),
        ),
    )


def _row(trunk: StoredTrunk, secrets: SecretBox) -> dict[str, Any]:
    v = trunk.values
    return {
        "name": v.name,
        "host": v.host,
        "port": v.port,
        "transport": v.transport,
        "username": v.username,
        "password": secrets.seal(trunk.tenant_id, TRUNK_PASSWORD, v.password) if v.password else "",
        "realm": v.realm,
        "from_domain": v.from_domain,
        "register": v.register,
        "register_expires": v.register_expires,
        "codecs": list(v.codecs),
        "inbound_sources": list(v.inbound_sources),
        "did_from": v.did_from,
        "enabled": v.enabled,
    }


class SqlTrunks:
    def __init__(self, conn: AsyncConnection, secrets: SecretBox) -> None:
        self.conn = conn
        self.secrets = secrets

    async def add(self, trunk: StoredTrunk, now: float) -> None:
        await self.conn.execute(
            trunks.insert().values(
                id=trunk.id, tenant_id=trunk.tenant_id, **_row(trunk, self.secrets),
                created_at=now, updated_at=now,
            )
        )  # fmt: skip

    async def update(self, trunk: StoredTrunk, now: float) -> None:
        await self.conn.execute(
            update(trunks)
            .where(trunks.c.tenant_id == trunk.tenant_id, trunks.c.id == trunk.id)
            .values(**_row(trunk, self.secrets), updated_at=now)
        )

    async def get(self, tenant_id: str, trunk_id: str) -> StoredTrunk:
        row = (
            await self.conn.execute(
                select(trunks).where(trunks.c.tenant_id == tenant_id, trunks.c.id == trunk_id)
            )
        ).first()
        if row is None:
            raise TrunkNotFound(trunk_id)
        return _of_row(dict(row._mapping), self.secrets)

    async def name_taken(self, tenant_id: str, name: str, but: str | None = None) -> bool:
        query = select(trunks.c.id).where(trunks.c.tenant_id == tenant_id, trunks.c.name == name)
        if but is not None:
            query = query.where(trunks.c.id != but)
        return (await self.conn.scalar(query)) is not None

    async def list(self, tenant_id: str | None = None) -> list[StoredTrunk]:
        """A tenant's trunks (None: every tenant's), by name."""
        query = select(trunks).order_by(trunks.c.tenant_id, trunks.c.name)
        if tenant_id is not None:
            query = query.where(trunks.c.tenant_id == tenant_id)
        return [_of_row(dict(r._mapping), self.secrets) for r in await self.conn.execute(query)]
