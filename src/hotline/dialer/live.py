"""The live dialer of one running campaign: at each step it asks the pacer how many calls to
place, takes that many due records (callbacks first, lists in order, calling windows open, DNC
checked again at the last moment), places them through a `CallPlacer` and, as each call ends,
classifies it, moves its record by the retry policy and feeds the pacer (ADR 0266). It never
places more calls than the tenant's toll-fraud policy still lets out (`CallPlacer.lines_free`);
a call the policy refused all the same (another outbound call took the last line first) never
left: its record goes back to the ready pool with no attempt counted.

Call control is behind `CallPlacer` (the voice adapter implements it on the interaction core);
storage behind `LiveStore` opened per step (`LiveStorage.session`), so no transaction stays
open while calls ring. Time comes from the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from hotline.clock import Clock
from hotline.dialer.callerids import CallerIdPool
from hotline.dialer.figures import AmdTally, Attempt, staffed_slices
from hotline.dialer.machine import AmdReport, MachineHandling
from hotline.dialer.model import (
    CallRecord,
    Campaign,
    CampaignStatus,
    DialMode,
    RecordStatus,
)
from hotline.dialer.outcomes import (
    PERSON_OUTCOMES,
    DialEnd,
    Outcome,
    RetryPolicy,
    classify,
    not_placed,
)
from hotline.dialer.pacing import Pacer, PacerSettings, PacingMode
from hotline.dialer.preview import PreviewStore
from hotline.dialer.selection import due_records
from hotline.dialer.windows import CallingWindow
from hotline.hours import DayRule

__all__ = [
    "AgentFacts",
    "CallPlacer",
    "CallReport",
    "CampaignDialer",
    "DialerFigures",
    "LiveStorage",
    "LiveStore",
    "PlaceCall",
]

log = logging.getLogger(__name__)

# A record being dialled is leased for longer than any call lasts (the placer ends calls
# after 4 hours); a node that dies leaves it to be released after the lease.
LEASE_S = 5 * 3600.0
RELEASE_EVERY = 120  # steps between looks for records whose lease ran out
STAFFED_EVERY = 20  # steps between writes of the staffed agent-seconds


@dataclass(frozen=True, slots=True)
class AgentFacts:
    """The agents of the campaign's queue now: how many are idle, and how long each busy one
    has been on its call (or wrap-up)."""

    idle: int
    busy_elapsed: tuple[float, ...] = ()


@dataclass(eq=False, slots=True)
class PlaceCall:
    """One call to place. The placer calls `answered(at)` as soon as the callee answers (the
    pacer stops counting it as ringing) and `settled()` once it is connected to an agent or
    given the safe-harbor message (until then it holds an idle agent)."""

    record_id: str
    campaign_id: str
    phone: str
    mode: DialMode
    ring_timeout_s: float
    queue_id: str | None
    flow_id: str | None
    caller_id: str | None
    fields: Mapping[str, object]
    started_at: float
    machine: MachineHandling | None = None  # None: answering-machine detection is off
    was: RecordStatus = RecordStatus.PENDING  # the record's status before this dial
    answered_at: float | None = None
    connecting: bool = False

    def answered(self, at: float) -> None:
        if self.answered_at is None:
            self.answered_at = at
            self.connecting = True

    def settled(self) -> None:
        self.connecting = False


@dataclass(frozen=True, slots=True)
class CallReport:
    """How a placed call ended: the dial's end for `classify`, the seconds an agent spent
    on it (talk + wrap-up; None when no agent took it), and what detection made of it.
    `placed` is False when the call never left because the outbound cap was full."""

    end: DialEnd
    handle_s: float | None = None
    amd: AmdReport | None = None
    placed: bool = True


class CallPlacer(Protocol):
    def agents(self, queue_id: str | None, now: float) -> AgentFacts: ...

    def lines_free(self) -> int | None:
        """Outbound calls the tenant's toll-fraud policy still lets out now, less the calls
        handed to `place` that have not reached the policy yet (None: no cap)."""
        ...

    async def place(self, call: PlaceCall) -> CallReport:
        """Dial, connect or play the safe-harbor message, and return once the call is over."""
        ...


class LiveStore(PreviewStore, Protocol):
    """What the preview reads and writes (records left `in_progress` past their lease, by a
    node that died mid-call, dial again), and the caller ids' dials per day."""

    async def dials_on(self, day: str) -> dict[str, int]:
        """Dials per caller id on `day` (ISO date in the tenant's zone), across nodes."""
        ...

    async def count_dial(self, caller_id: str, day: str) -> None: ...

    async def attempts(self, campaign_id: str, since: float) -> list[Attempt]:
        """The campaign's finished dials that ended after `since`, oldest first."""
        ...

    async def add_staffed(self, campaign_id: str, slices: Mapping[float, float]) -> None:
        """Agent-seconds its queue's agents were staffed while it dialed, per slice start
        (`staffed_slices`): talk occupancy, to date and per report period."""
        ...


class LiveStorage(Protocol):
    def session(self) -> AbstractAsyncContextManager[LiveStore]:
        """A store whose writes are committed when the block ends without an error."""
        ...


@dataclass(slots=True)
class DialerFigures:
    dials: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    person_answered: int = 0
    abandoned: int = 0
    not_placed: int = 0  # refused by the outbound cap before leaving: no dial, no attempt
    amd: AmdTally = field(default_factory=AmdTally)  # counted as the campaign's figures count

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.person_answered if self.person_answered else 0.0

    @property
    def amd_verdicts(self) -> dict[str, int]:
        return self.amd.verdicts

    @property
    def amd_mean_decision_s(self) -> float | None:
        return self.amd.mean_decision_s

    @property
    def machine_messages(self) -> int:
        return self.amd.messages_left


class CampaignDialer:
    def __init__(
        self,
        campaign_id: str,
        storage: LiveStorage,
        placer: CallPlacer,
        clock: Clock,
        *,
        default_zone: str,
        holidays: Mapping[date, DayRule] | None = None,
        pacer: PacerSettings | None = None,
        step_s: float = 0.5,
        agentless_lines: int = 10,
    ) -> None:
        self.campaign_id = campaign_id
        self.storage = storage
        self.placer = placer
        self.clock = clock
        self.default_zone = default_zone
        self.holidays = holidays
        self.step_s = step_s
        self.agentless_lines = agentless_lines
        self._pacer_settings = pacer
        self.pacer: Pacer | None = None
        self.callerids: CallerIdPool | None = None
        self.figures = DialerFigures()
        self.in_flight: dict[str, PlaceCall] = {}
        self.running = True  # the campaign was running at the last step
        self._steps = 0
        self._staffed: dict[float, float] = {}  # slice start → agent-seconds not written yet
        self._last_step: float | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- one step -------------------------------------------------------------------------

    async def step(self) -> int:
        """Place the calls the pacer allows now; the number placed (0 when not running)."""
        now = self.clock.now()
        async with self.storage.session() as store:
            campaign = await store.campaign(self.campaign_id)
            self.running = (
                campaign.status is CampaignStatus.RUNNING and campaign.mode is not DialMode.PREVIEW
            )
            if not self.running:
                return 0
            if self._steps % RELEASE_EVERY == 0:
                await store.release_stale(self.campaign_id, now)
            self._steps += 1
            if self.pacer is None:  # a restart or a resume: the windows come back from the log
                await self._replay(store, campaign, now)
            pacer = self._pacer(campaign)
            wanted = self._wanted(campaign, pacer, now)
            if self._staffed and self._steps % STAFFED_EVERY == 0:
                await store.add_staffed(self.campaign_id, self._staffed)
                self._staffed = {}
            if wanted <= 0:
                return 0
            window = CallingWindow(
                campaign.window, default_zone=self.default_zone, days=self.holidays
            )
            dnc = await store.do_not_call(self.campaign_id)
            lists = await store.campaign_lists(self.campaign_id)
            candidates = await store.due(self.campaign_id, now, max(50, wanted * 4))
            calls: list[PlaceCall] = []
            for record in due_records(candidates, lists, window, now, len(candidates)):
                if len(calls) >= wanted:
                    break
                if dnc.blocks(record.phone):  # listed after the record was made
                    record.status = RecordStatus.DNC
                    await store.save(record, now)
                    continue
                caller_id = await self._caller_id(store, campaign, now)
                if campaign.caller_ids and caller_id is None:
                    break  # every caller id is at today's cap
                calls.append(self._call(campaign, record, caller_id, now))
                record.status = RecordStatus.IN_PROGRESS
                record.next_at = now + campaign.ring_timeout_s + LEASE_S
                await store.save(record, now)
        for call in calls:
            self._start(campaign, call)
        return len(calls)

    async def _replay(self, store: LiveStore, campaign: Campaign, now: float) -> None:
        pacer = self._pacer(campaign)
        since = now - max(campaign.abandon_window_s, pacer.settings.long_window_s)
        for attempt in await store.attempts(self.campaign_id, since):
            if attempt.person:
                at = attempt.answered_at if attempt.answered_at is not None else attempt.at
                pacer.answered(at, abandoned=attempt.outcome is Outcome.ABANDONED)
            if attempt.handle_s:
                pacer.handled(attempt.handle_s)

    def _pacer(self, campaign: Campaign) -> Pacer:
        if self.pacer is not None:
            # Caps edited while the campaign runs apply from the next step.
            s = self.pacer.settings
            if (s.abandon_cap, s.window_s, s.max_lines_per_agent) != (
                campaign.abandon_cap,
                campaign.abandon_window_s,
                campaign.max_lines_per_agent,
            ):
                self.pacer.settings = replace(
                    s,
                    abandon_cap=campaign.abandon_cap,
                    window_s=campaign.abandon_window_s,
                    max_lines_per_agent=campaign.max_lines_per_agent,
                )
                self.pacer.window.window_s = campaign.abandon_window_s
        if self.pacer is None:
            base = self._pacer_settings or PacerSettings()
            mode = PacingMode.PREDICTIVE
            if campaign.mode is DialMode.PROGRESSIVE:
                mode = PacingMode.PROGRESSIVE
            elif base.mode is PacingMode.FIXED_RATIO:  # the baseline, for measurements
                mode = PacingMode.FIXED_RATIO
            self.pacer = Pacer(
                replace(
                    base,
                    mode=mode,
                    abandon_cap=campaign.abandon_cap,
                    window_s=campaign.abandon_window_s,
                    max_lines_per_agent=campaign.max_lines_per_agent,
                )
            )
        return self.pacer

    def _wanted(self, campaign: Campaign, pacer: Pacer, now: float) -> int:
        """What the pacer (or the agentless lines) allows, within the lines the tenant's
        toll-fraud policy still lets out."""
        wanted = self._paced(campaign, pacer, now)
        free = self.placer.lines_free()
        return wanted if free is None else min(wanted, free)

    def _paced(self, campaign: Campaign, pacer: Pacer, now: float) -> int:
        ringing = [now - c.started_at for c in self.in_flight.values() if c.answered_at is None]
        if campaign.mode is DialMode.AGENTLESS:
            return max(0, self.agentless_lines - len(self.in_flight))
        facts = self.placer.agents(campaign.queue_id, now)
        if self._last_step is not None:
            # Agent-seconds staffed since the last step (a long gap: a pause, counted as one step).
            gap = min(now - self._last_step, 5 * self.step_s)
            agents = facts.idle + len(facts.busy_elapsed)
            for slice_at, seconds in staffed_slices(now, gap, agents).items():
                self._staffed[slice_at] = self._staffed.get(slice_at, 0.0) + seconds
        self._last_step = now
        # An answered call not yet with an agent holds one of the idle agents.
        connecting = sum(1 for c in self.in_flight.values() if c.connecting)
        decision = pacer.decide(
            now,
            idle_agents=max(0, facts.idle - connecting),
            busy_elapsed=facts.busy_elapsed,
            ringing_elapsed=ringing,
        )
        return decision.calls

    async def _caller_id(self, store: LiveStore, campaign: Campaign, now: float) -> str | None:
        """The next caller id from the pool, its dial counted for today in the store (so a
        restart or another node keeps the daily cap)."""
        if not campaign.caller_ids:
            return None
        today = datetime.fromtimestamp(now, ZoneInfo(self.default_zone)).date()
        if self.callerids is None:
            self.callerids = CallerIdPool(
                campaign.caller_ids,
                daily_cap=campaign.caller_id_daily_cap,
                zone=self.default_zone,
                used=await store.dials_on(today.isoformat()),
                today=today,
            )
        picked = self.callerids.pick(now)
        if picked is not None:
            await store.count_dial(picked, today.isoformat())
        return picked

    def _call(
        self, campaign: Campaign, record: CallRecord, caller_id: str | None, now: float
    ) -> PlaceCall:
        return PlaceCall(
            record.id,
            campaign.id,
            record.phone,
            campaign.mode,
            campaign.ring_timeout_s,
            campaign.queue_id,
            campaign.flow_id,
            caller_id,
            dict(record.fields),
            now,
            MachineHandling.from_retry(campaign.retry) if campaign.mode is not DialMode.AGENTLESS
            else None,
            record.status,
        )  # fmt: skip

    def _start(self, campaign: Campaign, call: PlaceCall) -> None:
        self.in_flight[call.record_id] = call
        self.figures.dials += 1
        task = asyncio.get_running_loop().create_task(self._run(campaign, call))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, campaign: Campaign, call: PlaceCall) -> None:
        try:
            report = await self.placer.place(call)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failure of ours: the number is not to blame
            log.exception("placing %s for campaign %s failed", call.phone, call.campaign_id)
            report = CallReport(DialEnd(status=500))
        try:
            await self.finished(campaign, call, report)
        finally:
            self.in_flight.pop(call.record_id, None)

    # --- a call's end ---------------------------------------------------------------------

    async def finished(
        self, campaign: Campaign, call: PlaceCall, report: CallReport
    ) -> Outcome | None:
        """Classify the end, move the record, feed the pacer and the caller-id pool; a call
        that never left (the outbound cap) only puts its record back (None)."""
        now = self.clock.now()
        figures = self.figures
        if not report.placed:
            figures.dials -= 1
            figures.not_placed += 1
            async with self.storage.session() as store:
                record = await store.record(call.record_id)
                if record is not None:
                    not_placed(record, call.was, now)
                    await store.save(record, now)
            return None
        outcome = classify(report.end)
        figures.outcomes[str(outcome)] = figures.outcomes.get(str(outcome), 0) + 1
        pacer = self._pacer(campaign)
        person = outcome in PERSON_OUTCOMES
        ring_s = None if call.answered_at is None else call.answered_at - call.started_at
        pacer.dial_ended(person=person, ring_s=ring_s if person else None)
        if person:
            answered_at = call.answered_at if call.answered_at is not None else now
            pacer.answered(answered_at, abandoned=outcome is Outcome.ABANDONED)
            figures.person_answered += 1
            figures.abandoned += outcome is Outcome.ABANDONED
        if report.handle_s is not None:
            pacer.handled(report.handle_s)
        attempt = Attempt(
            now,
            outcome,
            answered_at=call.answered_at if person else None,
            handle_s=report.handle_s or 0.0,
            **_amd_columns(report.amd),
        )
        figures.amd.add_attempt(attempt)
        if self.callerids is not None and call.caller_id is not None:
            self.callerids.record(
                call.caller_id, outcome, talk_s=report.end.talk_s, status=report.end.status
            )
        async with self.storage.session() as store:
            record = await store.record(call.record_id)
            if record is not None:
                RetryPolicy.from_settings(campaign.retry).apply(
                    record, outcome, now, cause=report.end.cause
                )
                await store.save(record, now)
            await store.add_attempt(call.campaign_id, call.record_id, attempt)
        return outcome

    # --- running --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Step until `stop` is set; calls in flight finish."""
        while not stop.is_set():
            await self._step_logged()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.step_s)
        await self.drain()

    async def run_slice(self, seconds: float) -> bool:
        """Step for about `seconds` (a step every `step_s`) or until the campaign stops
        running; True while it runs (the job host checkpoints between slices). Once it stops,
        the calls in flight are waited for."""
        for _ in range(max(1, round(seconds / self.step_s))):
            await self._step_logged()
            if not self.running:
                await self.drain()
                return False
            await asyncio.sleep(self.step_s)
        return True

    async def _step_logged(self) -> None:
        try:
            await self.step()
        except Exception:  # a store hiccup: the next step tries again
            log.exception("dialer step of campaign %s failed", self.campaign_id)

    async def drain(self) -> None:
        """Wait for the calls in flight to end."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _amd_columns(report: AmdReport | None) -> dict[str, Any]:
    """What the detector decided on a call, as the attempts log keeps it."""
    if report is None:
        return {}
    return {
        "amd_verdict": str(report.verdict),
        "amd_sure": report.sure,
        "amd_decision_s": report.decision_s,
        "machine_message_left": report.message_left,
    }
