"""SIP credentials (HA1 only) and registrar bindings in the database, on both databases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.sip.address import Address
from hotline.sip.auth import compute_ha1
from hotline.sip.registrar import Binding
from hotline.store.sip_repo import SqlBindingStore, SqlCredentialStore, realm_tenants
from hotline.store.tables import sip_bindings, sip_credentials
from hotline.store.uow import UnitOfWorkFactory


async def test_phone_credentials_are_ha1_and_bindings_persist(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    center = await seed_demo(
        UnitOfWorkFactory(engine, EventBus()), FakeClock(), settings, password="demo-password-1"
    )
    credentials = SqlCredentialStore(engine)
    assert await credentials.lookup("hotline", "1002") == compute_ha1(
        "1002", "hotline", "demo-password-1"
    )
    assert await credentials.lookup("hotline", "9999") is None
    async with engine.connect() as conn:
        stored = {str(v) for row in await conn.execute(select(sip_credentials)) for v in row}
    assert "demo-password-1" not in stored
    assert (await realm_tenants(engine))["hotline"] == center.tenant_id

    bindings = SqlBindingStore(engine)
    b = Binding(
        aor="sip:1002@hotline",
        contact="<sip:1002@127.0.0.1:45060;transport=udp>",
        expires_at=2_000_000_000.0,
        source=Address("udp", "127.0.0.1", 45060),
        call_id="abc@phone",
        cseq=3,
        user_agent="baresip",
    )
    await bindings.save(b)
    await bindings.save(b)  # a refresh replaces, never duplicates
    assert await bindings.load_all() == [b]
    async with engine.connect() as conn:
        tenant = await conn.scalar(select(sip_bindings.c.tenant_id))
    assert tenant == center.tenant_id
    await bindings.delete(b.aor, b.contact)
    assert await bindings.load_all() == []
