"""Acceptance of the live dialer over a callee population (issue 24), the suite's size of the
500-number bench (bench/dialer_live.py): a predictive campaign of 60 numbers through a trunk to
sipp callees (persons who answer after a ring, 486 busy, ringing out, 404, answering machines
with a long greeting, and do-not-call numbers) with five sipp agents. DNC numbers never reach
the callees; 404 numbers are marked invalid and dialled once; busy numbers come back only once
their interval has passed; the abandon cap holds, and every abandoned person heard the
safe-harbor message (audible RTP at the callee after its 200 OK)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest

from hotline.dialer.live import CampaignDialer
from hotline.dialer.model import Campaign, DialMode, RecordStatus
from hotline.ids import new_id
from hotline.interactions.voice.campaign import CampaignCalls
from hotline.store.dialer_repo import SqlLiveStorage
from tests.integration.callcenter.stack import TENANT, call_center
from tests.integration.dialer.peers import (
    JumpClock,
    callees,
    dialled,
    population,
    records,
    safe_harbor_delays,
    seed,
    settled,
    sipp_agents,
    until,
)
from tests.integration.imports.conftest import Env

pytestmark = [pytest.mark.sipp]

BUSY_INTERVAL_S = 600.0  # longer than the first pass; the clock jumps it
OUTBOUND_CAP = 10  # the test stack's toll-fraud cap on outbound calls at once


@pytest.mark.db
async def test_predictive_campaign_over_a_callee_population(
    env: Env, tmp_path: Path, tts_cache: Path
) -> None:
    people = population(60)
    dnc, busy, invalid = people.of("dnc"), people.of("busy"), people.of("invalid")
    campaign = Campaign(
        id=new_id(time.time()),
        tenant_id=env.tenant_id,
        name="续费提醒",
        mode=DialMode.PREDICTIVE,
        queue_id="support",
        ring_timeout_s=5.0,
        retry={"busy": {"interval_s": BUSY_INTERVAL_S, "max_attempts": 3}},
        caller_ids=("+861088880001",),
    )
    await seed(env, campaign, people.phones, dnc)
    first_pass = len(people.phones) - len(dnc)
    async with (
        callees(tmp_path) as (port, sink, folder),
        call_center(
            tmp_path, tts_cache, trunk_port=port, allow_out=("+86",), record=False
        ) as center,
        sipp_agents(tmp_path, center.sip, center.desk, 5, skills={"售后": 5}),
    ):
        # The stack's toll-fraud policy lets 10 outbound calls out at once: the dialer paces
        # to it, so no dial is refused (one would be `failed` and cost an attempt).
        policy = center.telephony.calls.policy
        assert policy is not None
        assert policy.rules_for(TENANT).max_concurrent == OUTBOUND_CAP
        clock = JumpClock()
        dialer = CampaignDialer(
            campaign.id, SqlLiveStorage(env.services.uow, env.tenant_id),
            CampaignCalls(center.desk), clock, default_zone="Asia/Shanghai",
        )  # fmt: skip
        stop = asyncio.Event()
        running = asyncio.ensure_future(dialer.run(stop))
        try:
            await until(lambda: settled(dialer, first_pass), 75, "the first pass")
            first = await records(env, campaign.id)
            first_dialled = dialled(folder)
            clock.jump(BUSY_INTERVAL_S + 1)  # the busy numbers' interval has passed
            await until(lambda: settled(dialer, first_pass + len(busy)), 30, "the busy retries")
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        final = await records(env, campaign.id)
        calls = dialled(folder)
    assert not set(dnc) & set(calls)
    assert all(final[p][0] is RecordStatus.DNC for p in dnc)
    for phone in invalid:
        assert final[phone] == (RecordStatus.INVALID, "invalid", 1)
        assert calls.count(phone) == 1
    for phone in busy:  # once before the interval, once after
        assert first[phone] == (RecordStatus.RETRY, "busy", 1)
        assert first_dialled.count(phone) == 1
        assert calls.count(phone) == 2
        assert final[phone][1:] == ("busy", 2)
    for phone in people.of("no_answer"):
        assert final[phone][:2] == (RecordStatus.RETRY, "no_answer")
    answered = people.of("person", "machine")
    outcomes = {final[p][1] for p in answered}
    assert outcomes <= {"connected", "abandoned"}, outcomes
    assert "failed" not in dialer.figures.outcomes
    assert dialer.figures.not_placed == 0  # nothing else dialled out: never over the cap
    assert dialer.figures.person_answered == len(answered)
    assert dialer.figures.abandon_rate <= 0.03
    abandoned = [p for p in people.of("person") if final[p][1] == "abandoned"]
    assert dialer.figures.abandoned >= len(abandoned)
    heard = safe_harbor_delays(folder, sink, abandoned)
    assert sorted(heard) == sorted(abandoned), "an abandoned callee heard nothing"
    # Every answered call was an outbound interaction handed to one of the sipp agents.
    taken = {getattr(e, "agent_id", None) for e in center.of("queue.answered")}
    assert taken
    assert taken <= {f"s{n}" for n in range(1, 6)}
