"""Acceptance of the live dialer (issue 24): campaigns on the database, dialled through a trunk to
a sipp callee population (a person answering after a ring, 486 busy, 404, ringing out) with
baresip agents. Predictive pacing keeps abandons under the cap; DNC numbers are never dialled;
404 numbers are marked invalid and not dialled again; busy numbers come back after their
interval. With a fixed ratio over one agent, answered callees find nobody free: each hears the
safe-harbor message within 2 s of its 200 OK — timed on the callee's side, from sipp's message
log and the RTP that reaches the callee's media address."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.dialer.live import CampaignDialer
from hotline.dialer.model import Campaign, DialMode, RecordStatus
from hotline.dialer.pacing import PacerSettings, PacingMode
from hotline.flows import parse_flow
from hotline.ids import new_id
from hotline.interactions.voice.campaign import CampaignCalls
from hotline.store.dialer_repo import SqlDialerStore, SqlLiveStorage
from tests.data.callcenter.tones import AGENT1_HZ, AGENT2_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.callcenter.stack import AGENTS, TENANT, CallCenter, call_center
from tests.integration.dialer.peers import (
    JumpClock,
    callees,
    number,
    read_message_log,
    records,
    seed,
    settled,
    until,
)
from tests.integration.imports.conftest import Env

pytestmark = [pytest.mark.sipp, pytest.mark.baresip]

CALLER_ID = "+861088880001"


@contextlib.asynccontextmanager
async def center_with_agents(
    tmp: Path, tts: Path, trunk_port: int, agents: Sequence[str], *, media_process: bool = False
) -> AsyncIterator[CallCenter]:
    tones = {"a1": AGENT1_HZ, "a2": AGENT2_HZ}
    async with (
        call_center(
            tmp,
            tts,
            trunk_port=trunk_port,
            allow_out=("+86",),
            record=False,
            media_process=media_process,
        ) as center,
        contextlib.AsyncExitStack() as stack,
    ):
        for agent in agents:
            extension, password = AGENTS[agent]
            await stack.enter_async_context(
                baresip_phone(tmp, agent, user=extension, password=password,
                              server_port=center.port, tone_hz=tones[agent])
            )  # fmt: skip
            await center.login(agent)
        yield center


def campaign_of(env: Env, mode: DialMode = DialMode.PREDICTIVE) -> Campaign:
    return Campaign(
        id=new_id(time.time()),
        tenant_id=env.tenant_id,
        name="续费提醒",
        mode=mode,
        queue_id="support",
        ring_timeout_s=5.0,
        retry={"busy": {"interval_s": 600, "max_attempts": 3}},
        caller_ids=(CALLER_ID,),
    )


@pytest.mark.db
async def test_predictive_campaign_through_a_trunk(
    env: Env, tmp_path: Path, tts_cache: Path
) -> None:
    people = [number(n, d) for n, d in enumerate("012350")]
    invalid = [number(10, "4"), number(11, "4")]
    busy = [number(12, "6")]
    rings = [number(13, "8")]
    dnc = [number(14, "0")]
    campaign = campaign_of(env)
    await seed(env, campaign, [*people, *invalid, *busy, *rings, *dnc], dnc)
    async with (
        callees(tmp_path) as (port, _sink, folder),
        center_with_agents(tmp_path, tts_cache, port, ["a1", "a2"]) as center,
    ):
        clock = JumpClock()
        started = clock.now()
        calls = CampaignCalls(center.desk)
        dialer = CampaignDialer(
            campaign.id, SqlLiveStorage(env.services.uow, env.tenant_id), calls, clock,
            default_zone="Asia/Shanghai",
        )  # fmt: skip
        stop = asyncio.Event()
        running = asyncio.ensure_future(dialer.run(stop))
        try:
            await until(lambda: settled(dialer, 10), 60, "the first pass")
            first = await records(env, campaign.id)
            assert first[busy[0]] == (RecordStatus.RETRY, "busy", 1)
            clock.jump(601.0)  # the busy number's interval has passed
            await until(lambda: settled(dialer, 11), 30, "the retry")
        finally:
            stop.set()
            await running
        final = await records(env, campaign.id)
        messages = read_message_log(folder)
    dialled = [c.number for c in messages.values() if c.number]
    assert dnc[0] not in dialled
    assert final[dnc[0]][0] is RecordStatus.DNC
    for phone in invalid:
        assert final[phone] == (RecordStatus.INVALID, "invalid", 1)
        assert dialled.count(phone) == 1
    assert dialled.count(busy[0]) == 2
    assert final[busy[0]][1:] == ("busy", 2)
    assert final[rings[0]][:2] == (RecordStatus.RETRY, "no_answer")
    assert dialer.figures.abandon_rate <= 0.03
    connected = [p for p in people if final[p][1] == "connected"]
    assert len(connected) + dialer.figures.abandoned == len(people)
    assert connected, final
    # Each dial was counted for its caller id and day, and presented it.
    zone = ZoneInfo("Asia/Shanghai")
    days = {datetime.fromtimestamp(t, zone).date().isoformat() for t in (started, clock.now())}
    async with env.services.uow(write=False) as uow:
        store = SqlDialerStore(uow.conn, env.tenant_id)
        counted = [await store.dials_on(day) for day in sorted(days)]
    assert sum(c.get(CALLER_ID, 0) for c in counted) == 11
    # The persons who talked talked to the agents, each call an outbound interaction.
    answered = center.of("queue.answered")
    assert len(answered) == len(connected)
    assert {getattr(e, "agent_id", None) for e in answered} <= {"a1", "a2"}
    created = center.of("interaction.created")
    assert len(created) == 11
    assert {getattr(e, "direction", None) for e in created} == {"outbound"}
    # Each call names its campaign and record on its interaction: the agent's wrap-up of a
    # connected call finds the record it is for.
    placed = {e.interaction_id: e for e in center.of("dialer.call.placed")}
    assert set(placed) == {e.interaction_id for e in created}
    assert {getattr(e, "campaign_id", None) for e in placed.values()} == {campaign.id}
    talked = {getattr(placed[e.interaction_id], "record_id", None) for e in answered}
    assert len(talked) == len(connected)


@pytest.mark.db
async def test_no_free_agent_plays_safe_harbor_within_2s(
    env: Env, tmp_path: Path, tts_cache: Path
) -> None:
    people = [number(n, d) for n, d in enumerate("01235")]
    campaign = campaign_of(env)
    await seed(env, campaign, people, [])
    async with (
        callees(tmp_path) as (port, sink, folder),
        center_with_agents(tmp_path, tts_cache, port, ["a1"]) as center,
    ):
        calls = CampaignCalls(center.desk)
        dialer = CampaignDialer(
            campaign.id, SqlLiveStorage(env.services.uow, env.tenant_id), calls, JumpClock(),
            default_zone="Asia/Shanghai",
            pacer=PacerSettings(mode=PacingMode.FIXED_RATIO, fixed_ratio=5.0),
        )  # fmt: skip
        stop = asyncio.Event()
        running = asyncio.ensure_future(dialer.run(stop))
        try:
            await until(lambda: settled(dialer, 5), 60, "the calls")
        finally:
            stop.set()
            await running
        final = await records(env, campaign.id)
        messages = read_message_log(folder)
    abandoned = [p for p in people if final[p][1] == "abandoned"]
    assert abandoned, (final, dialer.figures, center.sink.types()[-40:])
    assert dialer.figures.abandoned == len(abandoned)
    # The campaign's figures, read from the attempts log, say the same as the dialer.
    async with env.services.uow() as uow:
        store = SqlDialerStore(uow.conn, env.tenant_id)
        figures = await store.figures(campaign, calls.now())  # when the callees answered
    assert figures.window.abandoned == figures.lifetime.abandoned == len(abandoned)
    assert figures.window.answered == dialer.figures.person_answered
    assert figures.dials == dialer.figures.dials
    by_number = {c.number: c for c in messages.values() if c.number}
    for phone in abandoned:
        call = by_number[phone]
        assert call.ok_sent is not None
        heard = sink.first_voice.get(call.our_rtp_port)
        assert heard is not None, f"{phone} heard nothing"
        assert heard - call.ok_sent <= 2.0, f"{phone} waited {heard - call.ok_sent:.2f} s"


REMINDER = {
    "name": "reminder",
    "languages": ["zh-CN", "en"],
    "start": "say",
    "nodes": {
        "say": {"type": "play", "next": "bye", "prompt": {"tts": {
            "zh-CN": "您好，这里是续费提醒，您的服务将于本月底到期。",
            "en": "Hello, your service ends at the end of this month."}}},
        "bye": {"type": "hangup"},
    },
}  # fmt: skip


@pytest.mark.db
async def test_an_agentless_campaign_plays_its_flow_to_who_answers(
    env: Env, tmp_path: Path, tts_cache: Path
) -> None:
    people = [number(0, "0"), number(1, "1")]
    busy = [number(2, "6")]
    campaign = Campaign(
        id=new_id(time.time()), tenant_id=env.tenant_id, name="提醒", mode=DialMode.AGENTLESS,
        flow_id="reminder", ring_timeout_s=5.0,
    )  # fmt: skip
    await seed(env, campaign, [*people, *busy], [])
    async with (
        callees(tmp_path) as (port, sink, folder),
        center_with_agents(tmp_path, tts_cache, port, []) as center,
    ):
        flows = center.telephony.flows
        await flows.publish(TENANT, parse_flow(REMINDER))  # type: ignore[attr-defined]
        calls = CampaignCalls(center.desk, flows=flows)
        dialer = CampaignDialer(
            campaign.id, SqlLiveStorage(env.services.uow, env.tenant_id), calls, JumpClock(),
            default_zone="Asia/Shanghai",
        )  # fmt: skip
        stop = asyncio.Event()
        running = asyncio.ensure_future(dialer.run(stop))
        try:
            await until(lambda: settled(dialer, 3), 60, "the calls")
        finally:
            stop.set()
            await running
        final = await records(env, campaign.id)
        messages = read_message_log(folder)
    assert final[busy[0]][1] == "busy"
    by_number = {c.number: c for c in messages.values() if c.number}
    for phone in people:
        assert final[phone][:2] == (RecordStatus.DONE, "connected")
        heard = sink.first_voice.get(by_number[phone].our_rtp_port)
        assert heard is not None, f"{phone} heard no message"
    assert dialer.figures.abandoned == 0
