"""The quality tests' center: the in-process API over a migrated database (SQLite and
PostgreSQL) on a `FakeClock`, seeded with the demo center (supervisor 班长 周 leads 一组, whose
agents are agent1–agent3), the survey follower started and the job host fired by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.app import Services, build_services
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, QualitySettings, Settings
from hotline.demo import seed_demo
from hotline.quality.follower import SurveyFollower
from hotline.store.tables import agents, users
from tests.integration.api.conftest import PASSWORD, Api


@dataclass
class Center:
    api: Api
    clock: FakeClock
    follower: SurveyFollower
    tenant_id: str
    supervisor_id: str  # user id of 班长 周
    agent_ids: dict[str, str]  # username → agent id

    @property
    def services(self) -> Services:
        return self.api.services


@pytest.fixture
async def center(engine: AsyncEngine, database_url: str) -> AsyncIterator[Center]:
    from hotline.api.application import create_api

    clock = FakeClock()
    settings = Settings.load(
        database=DatabaseSettings(url=database_url),
        quality=QualitySettings(review_hours=24.0, link_hours=72.0,
                                public_url="http://hotline.test"),
    )  # fmt: skip
    services = build_services(settings, clock=clock)
    await services.start(run_migrations=False)
    demo = await seed_demo(services.uow, clock, settings, password=PASSWORD)
    follower = SurveyFollower(services.uow, services.bus, clock, settings.quality)
    await follower.start()
    async with services.uow(write=False) as uow:
        found = await uow.conn.execute(
            select(users.c.username, users.c.id, agents.c.id.label("agent_id"))
            .join(agents, agents.c.user_id == users.c.id, isouter=True)
            .where(users.c.tenant_id == demo.tenant_id)
        )
        rows = list(found)
    app = create_api(services)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hotline.test"
        ) as client:
            yield Center(
                Api(services, client), clock, follower, demo.tenant_id,
                supervisor_id=next(r.id for r in rows if r.username == "supervisor"),
                agent_ids={r.username: r.agent_id for r in rows if r.agent_id},
            )  # fmt: skip
    finally:
        await follower.stop()
        await services.stop()
