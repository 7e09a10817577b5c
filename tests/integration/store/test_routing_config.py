"""The demo center's configuration drives the real router: queues, skills, hours, agents."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.directory.routing import load_routing_config
from hotline.events import ListSink
from hotline.ids import InteractionId, QueueId, TenantId
from hotline.routing import Blend, Channel, Offer, Router, RouterSettings
from hotline.store.repos import SqlRepos
from hotline.store.uow import UnitOfWorkFactory


async def test_demo_configuration_routes_a_support_call(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    uows = UnitOfWorkFactory(engine, EventBus())
    center = await seed_demo(uows, FakeClock(), settings, password="demo-password-1")
    async with uows(write=False) as uow:
        config = await load_routing_config(SqlRepos(uow.conn), center.tenant_id)

    support = config.queues[QueueId("support")]
    assert dict(support.skills) == {"售后": 1}
    assert support.sl.fraction == 0.8
    assert support.sl.threshold_s == 20
    assert support.hours is not None
    shanghai = ZoneInfo("Asia/Shanghai")
    monday_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=shanghai).timestamp()
    sunday_10 = dt.datetime(2026, 11, 22, 10, 0, tzinfo=shanghai).timestamp()
    national_day = dt.datetime(2026, 10, 1, 10, 0, tzinfo=shanghai).timestamp()
    # The demo answers at any hour (its "business" calendar is open 24×7).
    assert support.hours.is_open(monday_10)
    assert support.hours.is_open(sunday_10)
    assert support.hours.is_open(national_day)
    by_name = {config.extensions[a]: p for a, p in config.agents.items()}
    assert dict(by_name["1003"].skills) == {"售后": 9}
    assert by_name["1003"].teams == frozenset({"一组"})
    assert config.phone_modes[by_name["1001"].agent_id] == "browser"

    router = Router(
        TenantId(center.tenant_id),
        ListSink(),
        settings=RouterSettings(tz=shanghai),
        rng=random.Random(1),
    )
    for queue in config.queues.values():
        router.configure_queue(queue, now=monday_10)
    for agent in config.agents.values():
        router.configure_agent(agent, now=monday_10)
    agent3 = by_name["1003"].agent_id
    router.login(agent3, now=monday_10, ready=True)
    decisions = router.enqueue(InteractionId("i1"), QueueId("support"), now=monday_10 + 1)
    assert [(type(d), getattr(d, "agent_id", None)) for d in decisions] == [(Offer, agent3)]


async def test_blended_capacity_and_a_queues_channel_reach_the_router(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    uows = UnitOfWorkFactory(engine, EventBus())
    clock = FakeClock()
    center = await seed_demo(uows, clock, settings, password="demo-password-1")
    async with uows(write=False) as uow:
        before = await load_routing_config(SqlRepos(uow.conn), center.tenant_id)
    assert all(p.blend == Blend() for p in before.agents.values())  # voice stays exclusive
    assert {q.channel for q in before.queues.values()} == {Channel.VOICE}
    agent_id = next(a for a, ext in before.extensions.items() if ext == "1003")
    queue_row = next(iter(before.queues))
    async with uows() as uow:
        repos = SqlRepos(uow.conn)
        await repos.table("agents").update(
            center.tenant_id, agent_id, {"text_during_call": True, "updated_at": clock.now()}
        )
        rows, _ = await repos.table("queues").list(center.tenant_id, limit=100)
        row = next(r for r in rows if r["name"] == queue_row)
        await repos.table("queues").update(center.tenant_id, row["id"], {"channel": "chat"})
        await uow.commit()
    async with uows(write=False) as uow:
        after = await load_routing_config(SqlRepos(uow.conn), center.tenant_id)
    assert after.agents[agent_id].blend == Blend(text_during_call=True)
    assert after.queues[queue_row].channel is Channel.CHAT
