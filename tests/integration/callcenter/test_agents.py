"""Acceptance (issue 6) with baresip agents registered with digest auth: longest idle rings
first, RONA to the other (the first becomes not ready `missed`), audio both ways with a tone per
party, the interaction's stereo recording (customer left, centre right), a blind transfer by
REFER from the agent's phone, and a three-way conference where everyone hears everyone — one
contact in the history with a segment per agent answer (issue 10)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from hotline.analytics.realtime import RealtimeProjection
from hotline.bus import EventBus
from hotline.events import DomainEvent
from hotline.ids import AgentId
from hotline.interactions import InteractionTransferred, TransferTarget
from hotline.media.wav import read_wav
from hotline.store.engine import WRITE, create_engine
from hotline.store.eventlog import SqlEventReader, write_events
from hotline.store.interaction_projection import InteractionProjector
from hotline.store.migrate import migrate
from hotline.store.tables import agent_segments, interactions, tenants, work_items
from tests.data.callcenter.tones import AGENT1_HZ, AGENT2_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import Phone, baresip_phone
from tests.integration.callcenter.softphone import tone_level
from tests.integration.callcenter.stack import AGENTS, MOH_HZ, TENANT, CallCenter, call_center
from tests.integration.sip.peers import free_port

pytestmark = [pytest.mark.baresip]


def heard(phone: Phone, started: float, a: float, b: float, *, call: int = -1) -> np.ndarray:
    """What `phone` heard between the clock times `a` and `b` on one of its calls (baresip
    writes its recording when the call ends), given when that call was answered."""
    samples, rate = phone.heard(call)
    assert rate == 8000
    return samples[int((a - started) * rate) : int((b - started) * rate)]


def has(samples: np.ndarray, hz: float, level: float = 0.05) -> bool:
    return len(samples) > 4000 and tone_level(samples, hz) > level


@contextlib.asynccontextmanager
async def parties(
    tmp: Path, center: CallCenter, caller_port: int, *, first_answers: str = "auto"
) -> AsyncIterator[tuple[Phone, Phone, Phone]]:
    (ext1, pw1), (ext2, pw2) = AGENTS["a1"], AGENTS["a2"]
    async with (
        baresip_phone(
            tmp,
            "caller",
            user="13800138000",
            sip_port=caller_port,
            server_port=center.port,
            tone_hz=CUSTOMER_HZ,
        ) as caller,
        baresip_phone(
            tmp,
            "agent1",
            user=ext1,
            password=pw1,
            server_port=center.port,
            tone_hz=AGENT1_HZ,
            answer=first_answers,
        ) as agent1,
        baresip_phone(
            tmp, "agent2", user=ext2, password=pw2, server_port=center.port, tone_hz=AGENT2_HZ
        ) as agent2,
    ):
        await center.login("a1")
        await asyncio.sleep(0.2)  # a1 has been idle longest
        await center.login("a2")
        yield caller, agent1, agent2


async def call_support(center: CallCenter, caller: Phone) -> None:
    await caller.dial(f"sip:4001@127.0.0.1:{center.port}")
    await center.event("leg.answered", lambda e: e.role == "customer")
    await asyncio.sleep(1.5)  # the greeting is interruptible: the key carries to the menu
    await caller.keys("2")


async def test_rona_then_audio_both_ways_and_the_stereo_recording(
    tmp_path: Path, tts_cache: Path
) -> None:
    caller_port = free_port()
    async with (
        call_center(tmp_path, tts_cache, trunk_ports=[caller_port], ring_timeout_s=4) as center,
        parties(tmp_path, center, caller_port, first_answers="manual") as (caller, _, agent2),
    ):
        await call_support(center, caller)
        first = await center.event("queue.offered")
        assert first.agent_id == "a1"
        second = await center.event("queue.offered", lambda e: e.agent_id == "a2", timeout=15)
        connected = await center.event("queue.answered", timeout=10)
        failed = await center.event("queue.offer_failed")
        assert (failed.agent_id, failed.reason) == ("a1", "no_answer")
        assert center.state("a1") == ("not_ready", "missed")
        assert center.state("a2") == ("busy", None)
        await asyncio.sleep(3.0)  # talk
        # Hold re-INVITEs the caller `sendonly` (it must be ACKed, or the phone drops the
        # call) and plays music; resume re-INVITEs it back and rejoins the agent.
        await center.desk.hold(AgentId("a2"))
        held = await center.event("call.held")
        await asyncio.sleep(2.0)
        await center.desk.resume(AgentId("a2"))
        resumed = await center.event("call.resumed")
        await asyncio.sleep(3.0)
        await caller.hangup()
        ended = await center.event("interaction.ended", timeout=10)
        await center.event("recording.stopped", timeout=10)
        await asyncio.sleep(0.5)
    customer = await _answered(center, "customer")
    agent = await _answered(center, "agent", "a2")
    talk = (connected.at + 0.5, connected.at + 2.5)
    assert has(heard(caller, customer.at, *talk), AGENT2_HZ)
    assert has(heard(agent2, agent.at, *talk), CUSTOMER_HZ)
    assert second.interaction_id == first.interaction_id == ended.interaction_id
    assert ended.reason == "completed"
    assert ended.hold_s > 1.5
    (row,) = [r for r in center.catalog.rows if r.kind == "call"]
    assert row.interaction_id == ended.interaction_id
    audio = read_wav(center.storage.path(row.path))
    assert audio.samples.shape[1] == 2
    start = row.started_at
    on_hold = audio.samples[
        int((held.at - start + 0.5) * audio.rate) : int((resumed.at - start) * audio.rate)
    ]
    assert tone_level(on_hold[:, 1], MOH_HZ) > 0.1  # the customer heard the music
    both = audio.samples[-2 * audio.rate : -audio.rate // 2]
    assert tone_level(both[:, 0], CUSTOMER_HZ) > 0.1  # left: the customer
    assert tone_level(both[:, 1], AGENT2_HZ) > 0.1  # right: the centre side
    assert tone_level(both[:, 0], AGENT2_HZ) < 0.01
    assert tone_level(both[:, 1], CUSTOMER_HZ) < 0.01


async def test_blind_transfer_by_refer_then_a_three_way_conference(
    tmp_path: Path, tts_cache: Path
) -> None:
    caller_port = free_port()
    async with (
        # baresip 1.0 stops writing what it hears after a re-INVITE: hold with music only, so
        # that the caller's own recording can tell who it heard in the conference.
        call_center(tmp_path, tts_cache, trunk_ports=[caller_port], hold_reinvite=False) as center,
        parties(tmp_path, center, caller_port) as (caller, agent1, agent2),
    ):
        await call_support(center, caller)
        answered = await center.event("queue.answered", timeout=15)
        assert answered.agent_id == "a1"
        await asyncio.sleep(2.0)

        # a1 presses transfer on its phone: REFER to a2's extension.
        await agent1.transfer(f"sip:{AGENTS['a2'][0]}@127.0.0.1:{center.port}")
        moved = await center.event("queue.answered", lambda e: e.agent_id == "a2", timeout=15)
        event = await center.event("interaction.transferred")
        assert isinstance(event, InteractionTransferred)
        assert (event.agent_id, event.kind, event.target) == ("a1", "blind", "a2")
        assert moved.interaction_id == answered.interaction_id
        await asyncio.sleep(2.0)

        # a2 consults a1 from the desktop, then joins all three.
        await center.desk.consult(AgentId("a2"), TransferTarget("agent", "a1"))
        consult = await center.event(
            "queue.answered",
            lambda e: e.agent_id == "a1" and e.work_id != answered.work_id,  # type: ignore[attr-defined]
            timeout=15,
        )
        # the consultation is a work item of the same contact, not a contact of its own
        assert consult.interaction_id == answered.interaction_id
        await asyncio.sleep(1.0)
        await center.desk.conference(AgentId("a2"))
        joined = await center.event("call.conferenced")
        await asyncio.sleep(3.0)
        await caller.hangup()
        await center.event(
            "interaction.ended", lambda e: e.interaction_id == answered.interaction_id, timeout=10
        )
        await asyncio.sleep(1.0)
    await _one_contact_in_the_history(center, tmp_path, answered.interaction_id)
    customer = await _answered(center, "customer")
    first = await _answered(center, "agent", "a1")
    second = await _answered(center, "agent", "a2")
    consulted = await _answered(center, "consult", "a1")
    with_a1 = (answered.at + 0.5, answered.at + 2.0)
    with_a2 = (moved.at + 0.5, moved.at + 2.0)
    three = (joined.at + 0.5, joined.at + 2.5)
    assert has(heard(caller, customer.at, *with_a1), AGENT1_HZ)
    assert has(heard(agent1, first.at, *with_a1, call=0), CUSTOMER_HZ)
    assert has(heard(caller, customer.at, *with_a2), AGENT2_HZ)
    assert not has(heard(caller, customer.at, *with_a2), AGENT1_HZ)
    assert has(heard(agent2, second.at, *with_a2), CUSTOMER_HZ)
    for phone, started, others in (
        (caller, customer.at, (AGENT1_HZ, AGENT2_HZ)),
        (agent1, consulted.at, (CUSTOMER_HZ, AGENT2_HZ)),
        (agent2, second.at, (CUSTOMER_HZ, AGENT1_HZ)),
    ):
        window = heard(phone, started, *three)
        for hz in others:
            assert has(window, hz), (phone.folder.name, hz)


async def _one_contact_in_the_history(center: CallCenter, tmp_path: Path, contact: str) -> None:
    """Issue 10's acceptance on the real server's log: the REFER, the consultation and the
    conference are one contact, answered once, offered once in its queue, with one segment per
    agent answer and one recording."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/history.db")
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(
                    tenants.insert().values(
                        id=TENANT, slug="t1", name="t1", language="zh-CN",
                        timezone="Asia/Shanghai", region="CN", sip_domain="t1.test",
                        created_at=0.0, updated_at=0.0,
                    )
                )  # fmt: skip
                await write_events(conn, list(center.sink.events))
        await InteractionProjector(engine, EventBus()).catch_up(TENANT)
        async with engine.connect() as conn:
            contacts = (await conn.execute(select(interactions))).mappings().all()
            work = (
                (await conn.execute(select(work_items).order_by(work_items.c.seq))).mappings().all()
            )
            parts = (
                (await conn.execute(select(agent_segments).order_by(agent_segments.c.answered_at)))
                .mappings()
                .all()
            )
        [row] = contacts
        assert row["id"] == contact
        assert (row["queues"], row["segments"], row["agents"]) == (
            ["support"],
            3,
            ["a1", "a2"],  # each agent once
        )
        assert (row["transferred"], row["consulted"], row["abandoned"]) == (True, True, False)
        assert [(w["queue_id"], w["via"], w["agent_id"]) for w in work] == [
            ("support", "flow", "a1"),
            ("@agent", "transfer", "a2"),
            ("@agent", "consult", "a1"),
        ]
        assert [(p["agent_id"], p["ended_by"]) for p in parts] == [
            ("a1", "transfer"),
            ("a2", "hangup"),
            ("a1", "hangup"),
        ]
        board = RealtimeProjection(TENANT)
        records = await SqlEventReader(engine).read_since(TENANT, 0, limit=10_000)
        board.apply_all(records)
        figures = board.snapshot(records[-1].at)
        support, everywhere = figures.queues["support"].today, figures.center["all"].today
        assert (support.offered, support.answered) == (1, 1)
        assert (everywhere.offered, everywhere.answered) == (1, 1)
        assert board.malformed == 0
        recordings = {
            e.recording_id  # type: ignore[attr-defined]
            for e in center.sink.events
            if e.type == "recording.started" and e.interaction_id == contact
        }
        assert len(recordings) == 1
    finally:
        await engine.dispose()


async def _answered(center: CallCenter, role: str, agent: str | None = None) -> DomainEvent:
    return await center.event(
        "leg.answered",
        lambda e: e.role == role and e.agent_id == agent,
    )
