"""An in-process API over a migrated database (both SQLite and PostgreSQL), seeded with the
demo center, and logged-in clients for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.api.application import create_api
from hotline.app import Services, build_services
from hotline.config import DatabaseSettings, Settings
from hotline.demo import create_tenant, seed_demo

PASSWORD = "demo-password-1"


@dataclass
class Api:
    services: Services
    app_client: httpx.AsyncClient

    async def login(
        self, username: str, password: str = PASSWORD, tenant: str | None = "demo"
    ) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=self.app_client._transport, base_url="http://hotline.test"
        )
        body = {"username": username, "password": password}
        if tenant:
            body["tenant"] = tenant
        response = await client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client


@pytest.fixture
async def api(engine: AsyncEngine, database_url: str) -> AsyncIterator[Api]:
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    services = build_services(settings)
    await services.start(run_migrations=False)
    await seed_demo(services.uow, services.clock, settings, password=PASSWORD)
    app = create_api(services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hotline.test"
    ) as client:
        yield Api(services, client)
    await services.stop()


LoginAs = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def second_tenant(api: Api) -> str:
    """Tenant `other` with an admin `boss` (same password)."""
    tenant_id = await create_tenant(
        api.services.uow, api.services.clock, slug="other", name="Other", sip_domain="other.test"
    )
    from hotline.auth.passwords import hash_password
    from hotline.ids import new_id
    from hotline.store.auth_repo import SqlUsers

    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlUsers(uow.conn).add(
            {
                "id": new_id(now),
                "tenant_id": tenant_id,
                "username": "boss",
                "display_name": "Boss",
                "password_hash": hash_password(PASSWORD),
                "roles": ["admin"],
                "language": "en",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        await uow.commit()
    return tenant_id
