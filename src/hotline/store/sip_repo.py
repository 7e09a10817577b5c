"""SQL implementations of the SIP stack's `CredentialStore` and `BindingStore`.

The SIP service runs outside request units of work, so these open their own short
transactions on the engine. Credentials are HA1 values only (ADR 0006); bindings are kept so
registered phones stay reachable across a restart.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.sip.address import Address
from hotline.sip.auth import Ha1Values
from hotline.sip.registrar import Binding
from hotline.store.engine import WRITE
from hotline.store.tables import sip_bindings, sip_credentials, tenants

__all__ = ["SqlBindingStore", "SqlCredentialStore", "realm_tenants"]


class SqlCredentialStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def lookup(self, realm: str, username: str) -> Ha1Values | None:
        q = select(sip_credentials.c.ha1_md5, sip_credentials.c.ha1_sha256).where(
            sip_credentials.c.realm == realm, sip_credentials.c.username == username
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return Ha1Values(md5=row.ha1_md5, sha256=row.ha1_sha256) if row else None


def _data(binding: Binding) -> dict[str, Any]:
    data = dataclasses.asdict(binding)
    data["source"] = dataclasses.asdict(binding.source)
    return data


def _binding(data: dict[str, Any]) -> Binding:
    values = dict(data)
    values["source"] = Address(**values["source"])
    return Binding(**values)


class SqlBindingStore:
    """Bindings of one realm-to-tenant map; `tenant_of(aor)` names the row's tenant."""

    def __init__(self, engine: AsyncEngine, *, default_tenant: str = "system") -> None:
        self._engine = engine
        self._default_tenant = default_tenant

    async def load_all(self) -> list[Binding]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(sip_bindings.c.data))
            return [_binding(dict(r.data)) for r in rows]

    async def save(self, binding: Binding) -> None:
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(
                    delete(sip_bindings).where(
                        sip_bindings.c.aor == binding.aor,
                        sip_bindings.c.contact == binding.contact,
                    )
                )
                await conn.execute(
                    insert(sip_bindings).values(
                        aor=binding.aor,
                        contact=binding.contact,
                        tenant_id=await self._tenant_of(conn, binding.aor),
                        expires_at=binding.expires_at,
                        data=_data(binding),
                    )
                )

    async def delete(self, aor: str, contact: str) -> None:
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(
                    delete(sip_bindings).where(
                        sip_bindings.c.aor == aor, sip_bindings.c.contact == contact
                    )
                )

    async def _tenant_of(self, conn: Any, aor: str) -> str:
        domain = aor.rsplit("@", 1)[-1].split(":", 1)[0] if "@" in aor else None
        if domain:
            found = await conn.scalar(select(tenants.c.id).where(tenants.c.sip_domain == domain))
            if found:
                return str(found)
        return self._default_tenant


async def realm_tenants(engine: AsyncEngine) -> dict[str, str]:
    """SIP realm (a tenant's `sip_domain`) → tenant id."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(tenants.c.sip_domain, tenants.c.id))
        return {str(domain): str(tenant_id) for domain, tenant_id in rows}
