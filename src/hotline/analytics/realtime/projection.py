"""The wallboard's numbers: a pure projection of one tenant's event log (DESIGN §10).

Feed it every `EventRecord` in seq order (`apply`); ask for `snapshot(now)` when a page
connects and `changes_since(version, now)` to push what changed. No I/O, no clock: `now` comes
in. Rebuilding after a restart is replaying the log from `replay_start(now)`: a projection fed
the same records gives the same figures, however its snapshots were interleaved (ADR 0050).

Which event moves which figure, and the counting rules at the GLOSSARY's edges, are in
docs/realtime.md and ADR 0051.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from hotline.analytics.realtime.aggregates import (
    AgentAggregate,
    CenterAggregate,
    QueueAggregate,
    count_states,
)
from hotline.analytics.realtime.alerts import AlertBook, alert_row, staffing_hint
from hotline.analytics.realtime.errors import UnknownQueue, WrongTenant
from hotline.analytics.realtime.figures import Alert, Delta, Queue, Snapshot, StaffingHint
from hotline.analytics.realtime.publishing import RowLog, Rows
from hotline.analytics.realtime.settings import AlertThresholds, QueueSettings, RealtimeSettings
from hotline.analytics.realtime.tally import Contribution, Count, TenantDay, to_ms
from hotline.events import EventRecord
from hotline.flows.events import SurveyAnswered
from hotline.routing.agent_state import IDLE_STATES, AgentState
from hotline.routing.events import (
    AgentInteractionEnded,
    AgentStateChanged,
    AgentWrapUpEnded,
    QueueAbandoned,
    QueueAnswered,
    QueueCallbackFailed,
    QueueCallbackRequested,
    QueueEntered,
    QueueExited,
    QueueOffered,
    QueueOfferFailed,
    QueueOverflowed,
    QueueRejected,
)
from hotline.routing.personal import is_personal

__all__ = ["TRANSFERRED_TYPE", "WRAP_UP_OVERRUN_TYPE", "RealtimeProjection", "replay_start"]

WRAP_UP_OVERRUN_TYPE = "agent.wrap_up_overrun"
"""From the router (issue 10): envelope `agent_id`; payload `work_id`, `queue_id`. The agent's
wrap-up timer ran out with a disposition still due: it stays in wrap-up, overrun."""

TRANSFERRED_TYPE = "interaction.transferred"
"""Expected from call control (issue 6): envelope `interaction_id`, `agent_id` (who
transferred); payload `queue_id` (optional: else the queue the interaction was answered
from), `kind` ("blind" | "consult"), `target`. Counted once `track_transfers` is on."""

_Handler = Callable[[EventRecord, Mapping[str, Any]], None]


def replay_start(now: float, settings: RealtimeSettings | None = None) -> float:
    """Where a rebuild starts reading the log: the tenant's midnight starting yesterday.

    That covers today, a window reaching back over midnight, callers who entered before
    midnight, and the state of every agent whose state changed within a day.
    """
    zone = (settings or RealtimeSettings()).zone
    yesterday = datetime.fromtimestamp(now, zone).date() - timedelta(days=1)
    return datetime.combine(yesterday, time(0), zone).timestamp()


class _Pending:
    """An agent segment whose talk ended and whose wrap-up (if any) has not: AHT waits for it."""

    __slots__ = ("agent_id", "contact", "queue_id", "talk_ms")

    def __init__(self, agent_id: str, queue_id: str, talk_ms: int, contact: str | None) -> None:
        self.agent_id, self.queue_id, self.talk_ms = agent_id, queue_id, talk_ms
        self.contact = contact


def _work(r: EventRecord, p: Mapping[str, Any]) -> str | None:
    """The work item a routing record is about (version 1: its interaction)."""
    work = p.get("work_id")
    return str(work) if work else r.interaction_id


def _segment_key(work: str | None, agent_id: str) -> str:
    return f"{work}|{agent_id}"


class RealtimeProjection:
    """Per-queue and per-agent wallboard figures of one tenant, from its event records."""

    def __init__(
        self, tenant_id: str, settings: RealtimeSettings | None = None, *, instance: str = ""
    ) -> None:
        self.tenant_id = tenant_id
        self.settings = settings or RealtimeSettings()
        self.instance = instance  # tells a page its versions are from another process
        self.malformed = 0
        self.last_malformed: str | None = None
        self._seq = 0
        self._latest = -math.inf
        self._day = TenantDay(self.settings.zone)
        self._queue_settings: dict[str, QueueSettings] = dict(self.settings.queues)
        self._queues: dict[str, QueueAggregate] = {}
        self._agents: dict[str, AgentAggregate] = {}
        self._touched: set[str] = set()  # agents whose row may have changed since last publish
        self._center = CenterAggregate(self.settings.window_s)
        self._pending: dict[str, _Pending] = {}  # by segment: work item and agent
        # contact or work item → (agent, queue) of its latest answer, today's and the day
        # before's: a survey or a transfer names them, and may come after midnight
        self._answered: dict[str, tuple[str, str]] = {}
        self._answered_before: dict[str, tuple[str, str]] = {}
        self._alerts = AlertBook()
        self._log = RowLog()
        # an empty center is there from the start, at version 0
        empty = self._center.row(0.0, (), count_states(()), transfers=self.settings.track_transfers)
        self._log.seed_center({"all": empty})
        for queue in self._queue_settings.values():
            self._install(queue)
        self._handlers: dict[str, _Handler] = {
            AgentStateChanged.type: self._on_state_changed,
            AgentInteractionEnded.type: self._on_interaction_ended,
            AgentWrapUpEnded.type: self._on_wrap_up_ended,
            QueueEntered.type: self._on_entered,
            QueueRejected.type: self._on_rejected,
            QueueOffered.type: self._on_offered,
            QueueOfferFailed.type: self._on_offer_failed,
            QueueAnswered.type: self._on_answered,
            QueueAbandoned.type: self._on_abandoned,
            QueueOverflowed.type: self._on_overflowed,
            QueueCallbackRequested.type: self._on_callback_requested,
            QueueCallbackFailed.type: self._on_callback_failed,
            QueueExited.type: self._on_exited,
            SurveyAnswered.type: self._on_survey_answered,
            TRANSFERRED_TYPE: self._on_transferred,
            WRAP_UP_OVERRUN_TYPE: self._on_wrap_up_overrun,
        }

    # == feeding =============================================================================

    @property
    def seq(self) -> int:
        """The last record applied."""
        return self._seq

    @property
    def version(self) -> int:
        """The last published version (see `changes_since`)."""
        return self._log.version

    def apply(self, record: EventRecord) -> bool:
        """Project one record; False if its seq was already applied (a redelivery).

        Records must come in seq order, as the bus and the events table give them. Types the
        projection does not use are skipped; a record it cannot read is counted in
        `malformed` and skipped, so one bad record cannot wedge every later rebuild.
        """
        if record.tenant_id != self.tenant_id:
            raise WrongTenant(self.tenant_id, record.tenant_id)
        if record.seq <= self._seq:
            return False
        self._seq = record.seq
        handler = self._handlers.get(record.type)
        if handler is None:
            return True
        try:
            handler(record, record.payload)
        except (KeyError, TypeError, ValueError) as exc:
            self.malformed += 1
            self.last_malformed = f"seq {record.seq} ({record.type}): {exc!r}"
        return True

    def apply_all(self, records: Iterable[EventRecord]) -> int:
        """Apply records in order (a rebuild); how many were new."""
        return sum(1 for record in records if self.apply(record))

    def configure_queue(self, queue: QueueSettings) -> None:
        """Install or replace one queue's settings (targets, thresholds, members)."""
        self._queue_settings[queue.queue_id] = queue
        self._install(queue)

    def remove_queue(self, queue_id: str) -> None:
        """Stop showing a queue (deleted in configuration); its events no longer count."""
        self._queue_settings.pop(queue_id, None)
        self._queues.pop(queue_id, None)
        self._alerts.forget_queue(queue_id)

    # == reading =============================================================================

    def thresholds(self) -> dict[str, AlertThresholds]:
        """Each queue's alert thresholds in force (the TV wallboard colours figures by them)."""
        return {q: self._thresholds(config) for q, config in self._queue_settings.items()}

    def snapshot(self, now: float) -> Snapshot:
        """Every figure as of `now` (or the latest record's time, if that is later)."""
        now = self._refresh(now, every_agent=True)
        rows = self._log.current()
        return Snapshot(
            tenant_id=self.tenant_id,
            instance=self.instance,
            version=self._log.version,
            seq=self._seq,
            at=now,
            day=self._day_name(),
            day_start=self._day.start,
            time_zone=self.settings.time_zone,
            window_s=self.settings.window_s,
            malformed=self.malformed,
            queues=rows.queues,
            agents=rows.agents,
            alerts=rows.alerts,
            center=rows.center,
        )

    def changes_since(
        self, version: int, now: float, *, instance: str | None = None
    ) -> Delta | Snapshot:
        """The rows that changed after `version`, as of `now`.

        A version this projection never published (or one from another `instance`, i.e. from
        before a restart) gets a full `Snapshot` instead, which the page applies as a reset.
        """
        now = self._refresh(now, every_agent=False)
        mismatch = instance is not None and instance != self.instance
        if mismatch or not 0 <= version <= self._log.version:
            return self.snapshot(now)
        rows, removed = self._log.changed_after(version)
        return Delta(
            tenant_id=self.tenant_id,
            instance=self.instance,
            from_version=version,
            version=self._log.version,
            seq=self._seq,
            at=now,
            day=self._day_name(),
            day_start=self._day.start,
            queues=rows.queues,
            agents=rows.agents,
            alerts=rows.alerts,
            center=rows.center,
            removed=removed,
        )

    def staffing(self, queue_id: str, now: float) -> StaffingHint:
        """The Erlang C hint for one queue now, alert or not."""
        if queue_id not in self._queues:
            raise UnknownQueue(queue_id)
        self._refresh(now, every_agent=False)
        return self._staffing(self._log.current().queues[queue_id])

    # == publishing ==========================================================================

    def _refresh(self, now: float, *, every_agent: bool) -> float:
        """Bring the day and the windows to `now`, rebuild the rows and publish them.

        An agent's stable figures change only through its records (or midnight), so a delta
        rebuilds the rows of the agents touched since the last publish; a snapshot rebuilds
        every row, for fresh ticking fields. Queue rows are always rebuilt: the window slides.
        """
        self._advance(now)
        now = self._latest
        for queue in self._queues.values():
            queue.window.advance(now)
        self._center.window.advance(now)
        day = self._day
        transfers = self.settings.track_transfers
        touched, self._touched = self._touched, set()
        agents = {
            agent_id: self._agents[agent_id].row(day, now, transfers=transfers)
            for agent_id in (self._agents if every_agent else touched)
        }
        everyone = count_states(self._agents.values())
        queues: dict[str, Queue] = {}
        for queue_id, queue in self._queues.items():
            config = self._queue_settings.get(queue_id)
            members = config.members if config is not None else None
            counts = everyone if members is None else count_states(self._agents[m] for m in members)
            queues[queue_id] = queue.row(
                now,
                sl_target=self._sl_target(config),
                sl_threshold_s=self._sl_threshold_s(queue, config),
                short_abandon_s=self._short_abandon_s(config),
                agents=counts,
                transfers=transfers,
            )
            self._alerts.evaluate(queues[queue_id], self._thresholds(config), now)
        alerts: dict[str, Alert] = {}
        for queue_id, kind, raised_at, threshold, value in self._alerts.active():
            hint = self._staffing(queues[queue_id])
            row = alert_row(queue_id, kind, raised_at, threshold, value, hint)
            alerts[row.alert_id] = row
        center = self._center.row(now, self._queues.values(), everyone, transfers=transfers)
        self._log.publish(Rows(queues, agents, alerts, {"all": center}), touched=touched)
        return now

    def _staffing(self, queue: Queue) -> StaffingHint:
        return staffing_hint(
            queue,
            window_s=self.settings.window_s,
            default_aht_s=self.settings.default_aht_s,
            shrinkage=self.settings.shrinkage,
        )

    def _day_name(self) -> str:
        return self._day.date.isoformat() if self._day.date is not None else ""

    # == time ================================================================================

    def _advance(self, at: float) -> None:
        """Time seen so far only moves forward; a new tenant day restarts "today"."""
        if at <= self._latest:
            return
        self._latest = at
        if self._day.advance(at):
            for queue in self._queues.values():
                queue.today.reset()
            self._center.new_day()
            for agent in self._agents.values():
                agent.new_day()
            self._touched.update(self._agents)
            self._answered_before, self._answered = self._answered, {}

    def _count(self, queue: QueueAggregate | None, at: float, contribution: Contribution) -> None:
        """Count in a queue; `None` (the personal line, which is no queue) counts nothing."""
        if queue is None:
            return
        # windows move lazily, per queue, to the latest time seen: same result, fewer moves
        queue.window.advance(self._latest)
        queue.count(self._day, at, contribution)

    def _count_center(
        self, count: Count, contact: str | None, at: float, contribution: Contribution
    ) -> None:
        """Count a contact once center-wide for `count`, however many queues it visits."""
        if self._center.first(count, contact):
            self._center.window.advance(self._latest)
            self._center.count(self._day, at, contribution)

    def _count_agent(self, agent_id: str | None, at: float, contribution: Contribution) -> None:
        if agent_id is not None and self._day.contains(at):
            self._agent(agent_id).today.add(contribution)

    # == lookups and settings ================================================================

    def _install(self, config: QueueSettings) -> None:
        self._queue(config.queue_id)
        for agent_id in config.members or ():
            self._agent(agent_id)

    def _queue(self, queue_id: str) -> QueueAggregate:
        queue = self._queues.get(queue_id)
        if queue is None:
            queue = self._queues[queue_id] = QueueAggregate(queue_id, self.settings.window_s)
            queue.window.advance(self._latest)
        return queue

    def _line(self, queue_id: str) -> QueueAggregate | None:
        """The queue of a routing record; `None` for the personal line (ADR 0061)."""
        return None if is_personal(queue_id) else self._queue(queue_id)

    def _agent(self, agent_id: str) -> AgentAggregate:
        """The agent's aggregate, marked as touched: whoever looks it up may change it."""
        agent = self._agents.get(agent_id)
        if agent is None:
            agent = self._agents[agent_id] = AgentAggregate(agent_id)
        self._touched.add(agent_id)
        return agent

    def _answered_by(self, *keys: str | None) -> tuple[str, str] | None:
        """The latest answer of the first key known: a work item, then its contact."""
        for key in keys:
            if key is None:
                continue
            found = self._answered.get(key) or self._answered_before.get(key)
            if found is not None:
                return found
        return None

    def _sl_target(self, config: QueueSettings | None) -> float:
        if config is not None and config.sl_target is not None:
            return config.sl_target
        return self.settings.sl_target

    def _sl_threshold_s(self, queue: QueueAggregate, config: QueueSettings | None) -> float:
        # the threshold the latest answer or abandon carried is the one in force
        if queue.sl_threshold_s is not None:
            return queue.sl_threshold_s
        if config is not None and config.sl_threshold_s is not None:
            return config.sl_threshold_s
        return self.settings.sl_threshold_s

    def _short_abandon_s(self, config: QueueSettings | None) -> float:
        if config is not None and config.short_abandon_s is not None:
            return config.short_abandon_s
        return self.settings.short_abandon_s

    def _thresholds(self, config: QueueSettings | None) -> AlertThresholds:
        if config is not None and config.thresholds is not None:
            return config.thresholds
        return self.settings.thresholds

    # == agents ==============================================================================

    def _on_state_changed(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        agent_id = _required(r.agent_id, "agent_id")
        state, previous = AgentState(p["state"]), AgentState(p["previous"])
        duration = float(p.get("previous_duration_s") or 0.0)
        reason, queue_id = p.get("reason"), p.get("queue_id")
        self._advance(r.at)
        agent = self._agent(agent_id)
        agent.close_span(self._day, previous, r.at - duration, r.at)
        agent.state, agent.reason, agent.since = state, reason, r.at
        agent.interaction_id, agent.queue_id = r.interaction_id, queue_id
        if state is not AgentState.WRAP_UP:
            agent.overrun_since = None
        if state in IDLE_STATES:
            # an idle agent holds no work: a segment that ended without wrap-up is complete
            for key in sorted(agent.pending):
                self._complete(key, r.at, 0)

    def _on_interaction_ended(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        agent_id = _required(r.agent_id, "agent_id")
        work = _required(_work(r, p), "work_id")
        queue_id, talk_ms = str(p["queue_id"]), to_ms(float(p["talk_s"]))
        self._advance(r.at)
        key = _segment_key(work, agent_id)
        self._pending[key] = _Pending(agent_id, queue_id, talk_ms, r.interaction_id)
        self._agent(agent_id).pending.add(key)

    def _on_wrap_up_ended(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        work = _required(_work(r, p), "work_id")
        wrap_ms = to_ms(float(p["wrap_up_s"]))
        self._advance(r.at)
        key = _segment_key(work, r.agent_id or "")
        if key not in self._pending:  # a record without its agent: the work item's segment
            key = next((k for k in self._pending if k.startswith(f"{work}|")), key)
        # without its talk (a rebuild that began mid-call) the handle time is unknown: skip it
        if key in self._pending:
            self._complete(key, r.at, wrap_ms)

    def _on_wrap_up_overrun(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        agent_id = _required(r.agent_id, "agent_id")
        self._advance(r.at)
        agent = self._agent(agent_id)
        if agent.overrun_since is None:
            agent.overrun_since = r.at
        self._count_agent(agent_id, r.at, ((Count.WRAP_UP_OVERRUNS, 1),))

    def _complete(self, key: str, at: float, wrap_ms: int) -> None:
        pending = self._pending.pop(key)
        self._agent(pending.agent_id).pending.discard(key)
        handle = (Count.HANDLE_MS, pending.talk_ms + wrap_ms)
        done: Contribution = ((Count.COMPLETED, 1), handle)
        self._count(self._line(pending.queue_id), at, done)
        self._count_agent(pending.agent_id, at, done)
        # center-wide AHT is per contact: every segment's handle time, the contact once
        first = self._center.first(Count.COMPLETED, pending.contact)
        self._center.window.advance(self._latest)
        self._center.count(self._day, at, done if first else (handle,))

    # == queues ==============================================================================

    def _on_entered(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        self._advance(r.at)
        queue = self._line(queue_id)
        if queue is None:
            return
        work = _work(r, p)
        if work is not None:
            queue.waiting[work] = r.at
        self._count(queue, r.at, ((Count.OFFERED, 1),))
        self._count_center(Count.OFFERED, r.interaction_id, r.at, ((Count.OFFERED, 1),))

    def _on_rejected(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        self._advance(r.at)
        self._count(self._line(queue_id), r.at, ((Count.REJECTED, 1),))

    def _on_offered(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        work = _required(_work(r, p), "work_id")
        agent_id = _required(r.agent_id, "agent_id")
        self._advance(r.at)
        queue = self._line(queue_id)
        if queue is not None and (work in queue.waiting or work in queue.callbacks):
            queue.ringing.setdefault(work, set()).add(agent_id)

    def _on_offer_failed(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        self._advance(r.at)
        queue = self._line(queue_id)
        ringing = queue.ringing.get(_work(r, p) or "") if queue is not None else None
        if ringing is not None:
            ringing.discard(r.agent_id or "")

    def _on_answered(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        wait_ms, threshold_s = to_ms(float(p["wait_s"])), float(p["sl_threshold_s"])
        self._advance(r.at)
        work = _work(r, p)
        within = 1 if wait_ms <= to_ms(threshold_s) else 0
        answered: Contribution = (
            (Count.ANSWERED, 1),
            (Count.ANSWERED_IN_SL, within),
            (Count.ANSWER_WAIT_MS, wait_ms),
        )
        queue = self._line(queue_id)
        if queue is not None:
            queue.sl_threshold_s = threshold_s
            queue.leave(work)
            self._count(queue, r.at, answered)
            # the center: the contact's first answer, with its wait (IVR excluded)
            self._count_center(Count.ANSWERED, r.interaction_id, r.at, answered)
        self._count_agent(r.agent_id, r.at, answered)
        if r.agent_id is not None:
            for key in (work, r.interaction_id):
                if key is not None:
                    self._answered[key] = (r.agent_id, queue_id)

    def _on_abandoned(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        wait_ms, threshold_s = to_ms(float(p["wait_s"])), float(p["sl_threshold_s"])
        self._advance(r.at)
        queue = self._line(queue_id)
        if queue is None:
            return
        queue.sl_threshold_s = threshold_s
        queue.leave(_work(r, p))
        short_s = self._short_abandon_s(self._queue_settings.get(queue_id))
        short = wait_ms <= to_ms(short_s)
        after = not short and wait_ms > to_ms(threshold_s)
        abandoned: Contribution = (
            (Count.ABANDONED, 1),
            (Count.SHORT_ABANDONED, int(short)),
            (Count.ABANDONED_AFTER_SL, int(after)),
        )
        self._count(queue, r.at, abandoned)
        if self._answered_by(r.interaction_id) is None:  # the center: gave up before any answer
            self._count_center(Count.ABANDONED, r.interaction_id, r.at, abandoned)

    def _on_overflowed(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id, left = str(p["queue_id"]), bool(p["left_queue"])
        self._advance(r.at)
        queue = self._line(queue_id)
        if left and queue is not None:  # voicemail, transfer out: no longer in this queue
            queue.leave(_work(r, p))
            self._count(queue, r.at, ((Count.EXITED, 1),))

    def _on_callback_requested(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id, wait_s = str(p["queue_id"]), float(p["wait_s"])
        self._advance(r.at)
        queue = self._line(queue_id)
        if queue is None:
            return
        work = _work(r, p)
        if work is not None:
            entered_at = queue.waiting.pop(work, r.at - wait_s)
            queue.ringing.pop(work, None)
            queue.callbacks[work] = entered_at
        self._count(queue, r.at, ((Count.CALLBACKS, 1),))
        self._count_center(Count.CALLBACKS, r.interaction_id, r.at, ((Count.CALLBACKS, 1),))

    def _on_callback_failed(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        self._advance(r.at)
        queue = self._line(queue_id)
        if queue is None:
            return
        queue.leave(_work(r, p))
        failed: Contribution = ((Count.CALLBACKS_FAILED, 1),)
        self._count(queue, r.at, failed)
        self._count_center(Count.CALLBACKS_FAILED, r.interaction_id, r.at, failed)

    def _on_exited(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        queue_id = str(p["queue_id"])
        self._advance(r.at)
        queue = self._line(queue_id)
        if queue is None:
            return
        queue.leave(_work(r, p))
        self._count(queue, r.at, ((Count.EXITED, 1),))

    # == after the call ======================================================================

    def _on_survey_answered(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        if p.get("kind", "scale") not in ("scale", "satisfied"):
            return  # "solved", NPS and text answers are not CSAT answers (docs/quality.md)
        rating, scale = int(p["rating"]), int(p["scale"])
        self._advance(r.at)
        # version 2 names the agent and its work item; version 1 only the contact
        answered = self._answered_by(p.get("work_id"), r.interaction_id)
        agent_id = r.agent_id or (answered[0] if answered else None)
        queue_id = p.get("queue_id") or (answered[1] if answered else None)
        satisfied = 1 if rating >= self.settings.satisfied_from(scale) else 0
        survey: Contribution = ((Count.CSAT_ANSWERS, 1), (Count.CSAT_SATISFIED, satisfied))
        if queue_id is not None:
            self._count(self._line(str(queue_id)), r.at, survey)
        self._count_agent(agent_id, r.at, survey)
        self._count_center(Count.CSAT_ANSWERS, r.interaction_id, r.at, survey)

    def _on_transferred(self, r: EventRecord, p: Mapping[str, Any]) -> None:
        self._advance(r.at)
        answered = self._answered_by(p.get("work_id"), r.interaction_id)
        agent_id = r.agent_id or (answered[0] if answered else None)
        queue_id = p.get("queue_id") or (answered[1] if answered else None)
        transferred: Contribution = ((Count.TRANSFERRED, 1),)
        if queue_id is not None:
            self._count(self._line(str(queue_id)), r.at, transferred)
        self._count_agent(agent_id, r.at, transferred)
        self._count_center(Count.TRANSFERRED, r.interaction_id, r.at, transferred)


def _required(value: str | None, name: str) -> str:
    if value is None:
        raise ValueError(f"the record has no {name}")
    return value
