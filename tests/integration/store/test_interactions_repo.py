"""What call control reads from the database: numbers, customers, recordings, and the facts a
crash left in the event log (open interactions, logged-in agents), on both databases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.interactions.events import AgentPhoneBound, InteractionCreated, InteractionEnded
from hotline.interactions.ports import DidRoute, RecordingRow
from hotline.routing import AgentState
from hotline.routing.capacity import Channel
from hotline.routing.events import AgentStateChanged, QueueAnswered, QueueEntered
from hotline.store.interactions_repo import (
    SqlCustomerDirectory,
    SqlDidDirectory,
    SqlRecordingCatalog,
    SqlStartupFacts,
)
from hotline.store.tables import agents, recordings
from hotline.store.uow import UnitOfWorkFactory


def _created(tenant: str, at: float, iid: str) -> InteractionCreated:
    return InteractionCreated(
        tenant_id=tenant, at=at, interaction_id=iid, channel="voice", direction="inbound",
        caller_number="13800138001", caller_name=None, did="4001", customer_id=None,
        vip_level=None, flow="main", flow_version=1, call_id="c-" + iid,
    )  # fmt: skip


async def test_directories_catalog_and_startup_facts(
    engine: AsyncEngine, database_url: str
) -> None:
    clock = FakeClock(start=1_795_400_000.0)
    uows = UnitOfWorkFactory(engine, EventBus())
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    tenant = (await seed_demo(uows, clock, settings, password="demo-password-1")).tenant_id

    assert await SqlDidDirectory(engine).resolve("4001") == DidRoute(tenant_id=tenant, flow="main")
    assert await SqlDidDirectory(engine).resolve("9999") is None
    vip = await SqlCustomerDirectory(engine).find_by_number(tenant, "+86 138 0013 8001")
    assert vip is not None
    assert (vip.name, vip.vip_level) == ("王芳", 2)
    assert vip.variables()["tags"] == "VIP,理财"
    assert await SqlCustomerDirectory(engine).find_by_number(tenant, "10086") is None

    await SqlRecordingCatalog(engine).add(
        RecordingRow(
            tenant_id=tenant, interaction_id="i1", recording_id="rec-1", kind="call",
            path="t/2026/11/23/i1-l1.wav", duration_s=12.5, channels=2, sha256="ab" * 32,
            size_bytes=200_000, paused_spans=((3.0, 5.0),), started_at=clock.now(),
        )
    )  # fmt: skip
    async with engine.connect() as conn:
        row = (await conn.execute(select(recordings))).one()
    assert row.paused_spans == [[3.0, 5.0]]

    async with engine.connect() as conn:
        agent_ids = [r.id for r in await conn.execute(agents.select().order_by(agents.c.extension))]
    now = clock.now()
    common = {"tenant_id": tenant, "channel": Channel.VOICE, "priority": 0}
    async with uows() as uow:
        for event in [
            _created(tenant, now - 30, "i-open"),
            QueueEntered(
                at=now - 25, interaction_id="i-open", queue_id="support", skills=(), **common
            ),
            QueueAnswered(
                at=now - 20, interaction_id="i-open", agent_id=agent_ids[2], queue_id="support",
                via_queue_id="support", wait_s=5.0, sl_threshold_s=20.0, **common,
            ),
            _created(tenant, now - 60, "i-done"),
            InteractionEnded(
                tenant_id=tenant, at=now - 50, interaction_id="i-done", reason="completed",
                cause="normal", q850=16, queue_id=None, answered=False, ivr_s=10.0,
                queue_s=0.0, talk_s=0.0, hold_s=0.0, total_s=10.0,
            ),
            AgentPhoneBound(
                tenant_id=tenant, at=now - 100, agent_id=agent_ids[2], kind="sip", address="1003"
            ),
            AgentStateChanged(
                tenant_id=tenant, at=now - 100, agent_id=agent_ids[2],
                state=AgentState.AVAILABLE, previous=AgentState.LOGGED_OUT,
            ),
            AgentStateChanged(
                tenant_id=tenant, at=now - 21, agent_id=agent_ids[2],
                state=AgentState.BUSY, previous=AgentState.AVAILABLE,
            ),
            AgentPhoneBound(
                tenant_id=tenant, at=now - 90, agent_id=agent_ids[1], kind="sip", address="1002"
            ),
            AgentStateChanged(
                tenant_id=tenant, at=now - 90, agent_id=agent_ids[1],
                state=AgentState.NOT_READY, previous=AgentState.LOGGED_OUT, reason="lunch",
            ),
        ]:  # fmt: skip
            uow.emit(event)
        await uow.commit()

    facts = SqlStartupFacts(engine, now=now)
    [open_one] = await facts.open_interactions(tenant)
    assert (open_one.interaction_id, open_one.queue_id, open_one.answered) == (
        "i-open",
        "support",
        True,
    )
    assert open_one.agent_id == agent_ids[2]
    sessions = {s.agent_id: s for s in await facts.agent_sessions(tenant)}
    assert sessions[agent_ids[2]].presence is AgentState.AVAILABLE
    assert sessions[agent_ids[2]].phone_address == "1003"
    assert sessions[agent_ids[2]].handled_today == 1
    assert sessions[agent_ids[1]].presence is AgentState.NOT_READY
    assert sessions[agent_ids[1]].reason == "lunch"
    assert agent_ids[0] not in sessions
