"""The live dialer over an in-memory store and a placer whose callees answer as their number
says: what it dials, how each end moves its record, and what it feeds the pacer."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace

import pytest

from hotline.clock import FakeClock
from hotline.dialer.figures import STAFFED_SLICE_S, Attempt
from hotline.dialer.hygiene import DoNotCall
from hotline.dialer.live import AgentFacts, CallReport, CampaignDialer, LiveStore, PlaceCall
from hotline.dialer.model import (
    CallRecord,
    Campaign,
    CampaignList,
    CampaignStatus,
    DialMode,
    RecordStatus,
)
from hotline.dialer.outcomes import DialEnd
from hotline.dialer.running import CampaignJob
from hotline.jobs import JobContext
from hotline.sip.errors import OutboundCapReached
from hotline.sip.policy import OutboundPermit, OutboundPolicy, OutboundRules


class Store:
    def __init__(self, campaign: Campaign, records: list[CallRecord], dnc: DoNotCall) -> None:
        self.the_campaign = campaign
        self.records = {r.id: r for r in records}
        self.dnc = dnc
        self.sessions = 0
        self.day_counts: dict[tuple[str, str], int] = {}
        self.log: list[Attempt] = []
        self.staffed_s = 0.0
        self.slices: dict[float, float] = {}

    async def campaign(self, campaign_id: str) -> Campaign:
        return self.the_campaign

    async def campaign_lists(self, campaign_id: str) -> list[CampaignList]:
        return [CampaignList("l1", 0)]

    async def due(self, campaign_id: str, now: float, limit: int) -> list[CallRecord]:
        return [r for r in self.records.values() if r.dialable and r.next_at <= now][:limit]

    async def record(self, record_id: str) -> CallRecord | None:
        return self.records.get(record_id)

    async def save(self, record: CallRecord, now: float) -> None:
        self.records[record.id] = record

    async def do_not_call(self, campaign_id: str) -> DoNotCall:
        return self.dnc

    async def dials_on(self, day: str) -> dict[str, int]:
        return {n: c for (d, n), c in self.day_counts.items() if d == day}

    async def count_dial(self, caller_id: str, day: str) -> None:
        self.day_counts[(day, caller_id)] = self.day_counts.get((day, caller_id), 0) + 1

    async def release_stale(self, campaign_id: str, now: float) -> int:
        stale = [r for r in self.records.values()
                 if r.status is RecordStatus.IN_PROGRESS and r.next_at <= now]  # fmt: skip
        for r in stale:
            r.status = RecordStatus.RETRY if r.attempts else RecordStatus.PENDING
        return len(stale)

    async def add_attempt(self, campaign_id: str, record_id: str, attempt: Attempt) -> None:
        self.log.append(attempt)

    async def attempts(self, campaign_id: str, since: float) -> list[Attempt]:
        return [a for a in self.log if a.at > since]

    async def add_staffed(self, campaign_id: str, slices: Mapping[float, float]) -> None:
        self.staffed_s += sum(slices.values())
        for slice_at, seconds in slices.items():
            self.slices[slice_at] = self.slices.get(slice_at, 0.0) + seconds

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[LiveStore]:
        self.sessions += 1
        yield self


# The last digit of a number says how its callee answers.
ENDS = {
    "0": DialEnd(200, talk_s=60.0),  # a person, talks to an agent
    "4": DialEnd(404, 1),
    "6": DialEnd(486, 17),
    "8": DialEnd(487, 19),
    "9": DialEnd(200, talk_s=8.0, abandoned=True),  # answered, nobody free
}


class Placer:
    def __init__(self, clock: FakeClock, idle: int) -> None:
        self.clock = clock
        self.idle = idle
        self.placed: list[PlaceCall] = []

    def agents(self, queue_id: str | None, now: float) -> AgentFacts:
        return AgentFacts(self.idle)

    def lines_free(self) -> int | None:
        return None

    async def place(self, call: PlaceCall) -> CallReport:
        self.placed.append(call)
        end = ENDS[call.phone[-1]]
        if end.status == 200:
            call.answered(self.clock.now() + 3.0)
        await asyncio.sleep(0)
        return CallReport(end, handle_s=end.talk_s if not end.abandoned else None)


def campaign(mode: DialMode = DialMode.PREDICTIVE) -> Campaign:
    return Campaign(
        "c1",
        "t1",
        "Renewals",
        mode,
        status=CampaignStatus.RUNNING,
        queue_id="sales",
        retry={"busy": {"interval_s": 600, "max_attempts": 2}},
    )


def record(n: int, last: str) -> CallRecord:
    return CallRecord(f"r{n}", "c1", "l1", f"+861380013{n:03d}{last}")


async def run_out(dialer: CampaignDialer, clock: FakeClock, steps: int = 10) -> None:
    for _ in range(steps):
        await dialer.step()
        await dialer.drain()
        clock.advance(1.0)


async def test_outcomes_move_records_and_dnc_is_never_dialed() -> None:
    clock = FakeClock()
    records = [record(1, "0"), record(2, "4"), record(3, "6"), record(4, "8"), record(5, "0")]
    store = Store(campaign(), records, DoNotCall.of(tenant=[records[4].phone]))
    placer = Placer(clock, idle=5)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    await run_out(dialer, clock)
    dialed = [c.phone for c in placer.placed]
    assert records[4].phone not in dialed
    assert store.records["r5"].status is RecordStatus.DNC
    assert store.records["r1"].status is RecordStatus.DONE
    assert store.records["r2"].status is RecordStatus.INVALID
    assert dialed.count(records[1].phone) == 1  # 404: invalid, never again
    busy = store.records["r3"]
    assert busy.status is RecordStatus.RETRY
    assert busy.next_at >= clock.now() - 10 + 600 - 1
    assert store.records["r4"].last_outcome == "no_answer"
    assert dialer.figures.dials == 4
    assert dialer.figures.outcomes == {"connected": 1, "invalid": 1, "busy": 1, "no_answer": 1}


async def test_a_busy_number_is_dialed_again_only_after_its_interval() -> None:
    clock = FakeClock()
    store = Store(campaign(), [record(1, "6")], DoNotCall())
    placer = Placer(clock, idle=2)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    await run_out(dialer, clock, steps=5)
    assert len(placer.placed) == 1
    clock.advance(600.0)
    await run_out(dialer, clock, steps=2)
    assert len(placer.placed) == 2
    clock.advance(601.0)
    await run_out(dialer, clock, steps=2)
    # two busy outcomes allowed, the third ends it
    assert len(placer.placed) == 3
    assert store.records["r1"].status is RecordStatus.EXHAUSTED


async def test_abandons_feed_the_pacer_window() -> None:
    clock = FakeClock()
    store = Store(campaign(), [record(1, "9"), record(2, "0")], DoNotCall())
    placer = Placer(clock, idle=2)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    await run_out(dialer, clock, steps=3)
    assert dialer.pacer is not None
    assert dialer.pacer.window.answered == 2
    assert dialer.pacer.window.abandoned == 1
    assert dialer.figures.abandon_rate == 0.5
    assert store.records["r1"].last_outcome == "abandoned"
    assert store.records["r1"].status is RecordStatus.RETRY


async def test_every_end_is_logged_and_a_new_dialer_rebuilds_its_window_from_the_log() -> None:
    clock = FakeClock()
    store = Store(campaign(), [record(1, "9"), record(2, "0"), record(3, "6")], DoNotCall())
    placer = Placer(clock, idle=2)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    await run_out(dialer, clock, steps=25)
    assert sorted(str(a.outcome) for a in store.log) == ["abandoned", "busy", "connected"]
    assert store.staffed_s > 0  # two agents staffed while it dialed
    assert math.isclose(sum(store.slices.values()), store.staffed_s)
    assert all(at % STAFFED_SLICE_S == 0 for at in store.slices)
    # A restart (or a resume) starts a new dialer: the abandon window is not forgotten.
    again = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    await again.step()
    assert again.pacer is not None
    assert (again.pacer.window.answered, again.pacer.window.abandoned) == (2, 1)


async def test_caps_edited_while_running_reach_the_pacer_at_the_next_step() -> None:
    clock = FakeClock()
    store = Store(campaign(), [record(1, "0")], DoNotCall())
    dialer = CampaignDialer("c1", store, Placer(clock, idle=1), clock, default_zone="UTC")
    await run_out(dialer, clock, steps=1)
    store.the_campaign = replace(
        store.the_campaign, abandon_cap=0.01, abandon_window_s=30 * 86_400.0,
        max_lines_per_agent=2.0,
    )  # fmt: skip
    await run_out(dialer, clock, steps=1)
    assert dialer.pacer is not None
    settings = dialer.pacer.settings
    assert (settings.abandon_cap, settings.window_s, settings.max_lines_per_agent) == (
        0.01, 30 * 86_400.0, 2.0,
    )  # fmt: skip
    assert dialer.pacer.window.window_s == 30 * 86_400.0


async def test_no_idle_agent_places_nothing_while_the_window_has_no_room() -> None:
    clock = FakeClock()
    store = Store(campaign(), [record(n, "0") for n in range(5)], DoNotCall())
    placer = Placer(clock, idle=0)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    # a fresh window has no room for an abandon: progressive, and nobody is free
    assert await dialer.step() == 0
    placer.idle = 2
    assert await dialer.step() == 2
    await dialer.drain()


async def test_a_paused_campaign_places_nothing() -> None:
    clock = FakeClock()
    paused = Campaign(
        "c1", "t1", "Renewals", DialMode.PROGRESSIVE, status=CampaignStatus.PAUSED, queue_id="q"
    )
    store = Store(paused, [record(1, "0")], DoNotCall())
    placer = Placer(clock, idle=3)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    assert await dialer.step() == 0
    assert placer.placed == []


async def test_the_campaign_job_runs_slices_until_the_campaign_stops() -> None:
    clock = FakeClock()
    store = Store(campaign(DialMode.PROGRESSIVE), [record(1, "0"), record(2, "6")], DoNotCall())
    placer = Placer(clock, idle=2)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai", step_s=0.001)
    assert await dialer.run_slice(0.003) is True
    await dialer.drain()
    assert {c.phone[-1] for c in placer.placed} == {"0", "6"}
    store.the_campaign = Campaign(
        "c1", "t1", "Renewals", DialMode.PROGRESSIVE, status=CampaignStatus.PAUSED, queue_id="q"
    )
    assert await dialer.run_slice(0.003) is False
    assert not dialer.running


class Conn:
    conn = None


async def test_the_job_host_kind_completes_once_paused() -> None:
    clock = FakeClock()
    paused = Campaign(
        "c1", "t1", "Renewals", DialMode.PROGRESSIVE, status=CampaignStatus.PAUSED, queue_id="q"
    )
    store = Store(paused, [record(1, "0")], DoNotCall())
    placer = Placer(clock, idle=1)
    made: list[str] = []

    async def dialer_for(conn: object, tenant: str, campaign_id: str) -> CampaignDialer:
        made.append(campaign_id)
        return CampaignDialer(campaign_id, store, placer, clock, default_zone="Asia/Shanghai")

    job = CampaignJob(dialer_for, slice_s=1.0)
    ctx = JobContext("j1", "dialer.campaign", "t1", {"campaign_id": "c1"}, 0.0, 1, 1,
                     uow=Conn(), now=clock.now())  # type: ignore[arg-type]  # fmt: skip
    await job(ctx)
    assert made == ["c1"]
    assert placer.placed == []
    assert job.dialers == {}


async def test_a_record_left_in_progress_by_a_dead_node_is_dialed_after_its_lease() -> None:
    clock = FakeClock()
    left = record(1, "0")
    left.status, left.next_at = RecordStatus.IN_PROGRESS, clock.now() + 60
    store = Store(campaign(), [left], DoNotCall())
    placer = Placer(clock, idle=1)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    assert await dialer.step() == 0  # still leased
    clock.advance(61.0)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    assert await dialer.step() == 1
    await dialer.drain()
    assert store.records["r1"].status is RecordStatus.DONE


async def test_caller_ids_rotate_under_their_daily_cap_kept_in_the_store() -> None:
    clock = FakeClock(1_796_000_000.0)  # a Monday, 09:33 in Shanghai
    capped = Campaign(
        "c1", "t1", "Renewals", DialMode.PROGRESSIVE, status=CampaignStatus.RUNNING,
        queue_id="sales", caller_ids=("+861088880001", "+861088880002"), caller_id_daily_cap=2,
    )  # fmt: skip
    store = Store(capped, [record(n, "0") for n in range(6)], DoNotCall())
    day = "2026-11-30"
    store.day_counts[(day, "+861088880001")] = 1  # another node dialled with it today
    placer = Placer(clock, idle=6)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    assert await dialer.step() == 3  # 1 + 2 left under the cap of 2 each
    await dialer.drain()
    assert sorted(c.caller_id or "" for c in placer.placed) == [
        "+861088880001", "+861088880002", "+861088880002"
    ]  # fmt: skip
    assert store.day_counts == {(day, "+861088880001"): 2, (day, "+861088880002"): 2}
    assert await dialer.step() == 0


class CappedPlacer(Placer):
    """Dials through a real toll-fraud policy: a call holds a permit of its cap until the
    callee hangs up (`hang_up`); a dial over the cap never leaves."""

    def __init__(self, clock: FakeClock, idle: int, cap: int) -> None:
        super().__init__(clock, idle)
        self.policy = OutboundPolicy(
            {"t1": OutboundRules(allow={"*": ("+86",)}, max_concurrent=cap)}
        )
        self.hang_up = asyncio.Event()
        self.refused: list[PlaceCall] = []
        self.most_at_once = 0

    def lines_free(self) -> int | None:
        return self.policy.room("t1")

    async def place(self, call: PlaceCall) -> CallReport:
        permit: OutboundPermit | None = None
        try:
            permit = self.policy.acquire("t1", "agent", call.phone)
        except OutboundCapReached:
            self.refused.append(call)
            return CallReport(DialEnd(503), placed=False)
        self.most_at_once = max(self.most_at_once, self.policy.active("t1"))
        try:
            await self.hang_up.wait()
            return await super().place(call)
        finally:
            permit.release()


async def test_the_dialer_never_places_more_calls_than_the_outbound_cap_lets_out() -> None:
    clock = FakeClock()
    store = Store(campaign(), [record(n, "0") for n in range(7)], DoNotCall())
    placer = CappedPlacer(clock, idle=10, cap=3)
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    assert await dialer.step() == 3  # ten agents free, three lines
    await asyncio.sleep(0)  # the calls reach the policy and hold its lines
    assert await dialer.step() == 0
    placer.hang_up.set()
    for _ in range(4):
        await dialer.step()
        await dialer.drain()
        clock.advance(1.0)
    assert placer.refused == []
    assert placer.most_at_once == 3
    assert all(r.status is RecordStatus.DONE and r.attempts == 1 for r in store.records.values())
    assert dialer.figures.dials == 7
    assert dialer.figures.outcomes == {"connected": 7}


async def test_a_dial_the_cap_refuses_after_all_goes_back_to_the_pool_with_no_attempt() -> None:
    clock = FakeClock()
    busy = replace(record(1, "6"), status=RecordStatus.RETRY, attempts=1, next_at=0.0)
    store = Store(campaign(), [record(0, "0"), busy], DoNotCall())
    placer = CappedPlacer(clock, idle=5, cap=2)
    placer.hang_up.set()
    dialer = CampaignDialer("c1", store, placer, clock, default_zone="Asia/Shanghai")
    assert await dialer.step() == 2
    # An agent's own outbound call takes a line before the campaign's calls reach the policy.
    agents_call = placer.policy.acquire("t1", "agent", "+8613800138000")
    await dialer.drain()
    assert [c.record_id for c in placer.refused] == ["r1"]
    again = store.records["r1"]
    assert (again.status, again.attempts, again.next_at) == (RecordStatus.RETRY, 1, clock.now())
    assert "failed" not in dialer.figures.outcomes
    assert (dialer.figures.dials, dialer.figures.not_placed) == (1, 1)
    assert store.records["r0"].status is RecordStatus.DONE
    assert len(store.log) == 1  # the refused dial is not an attempt
    assert dialer.pacer is not None
    assert dialer.pacer.answer_rate == pytest.approx(
        (1 + 0.3 * 30) / (1 + 30)
    )  # one dial ended, not two
    agents_call.release()
    assert await dialer.step() == 1
    await dialer.drain()
    assert store.records["r1"].attempts == 2
    assert store.records["r1"].last_outcome == "busy"
