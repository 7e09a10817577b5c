"""Hand-built event sequences for the projection: the router's own event classes, stamped by a
FakeClock, turned into `EventRecord`s with consecutive seqs exactly as the events table would."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.analytics.realtime import RealtimeProjection, RealtimeSettings
from hotline.clock import FakeClock
from hotline.events import DomainEvent, EventRecord
from hotline.flows.events import SurveyAnswered
from hotline.routing.agent_state import AgentState
from hotline.routing.capacity import Channel
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

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI).timestamp()
"""09:00 on a Monday in Shanghai: far from midnight, so "today" and the window agree."""

TENANT = "t1"


def record(event: DomainEvent, seq: int) -> EventRecord:
    return EventRecord(
        tenant_id=event.tenant_id,
        seq=seq,
        at=event.at,
        type=event.type,
        interaction_id=event.interaction_id,
        leg_id=event.leg_id,
        agent_id=event.agent_id,
        payload=event.payload(),
    )


class Feed:
    """Builds events at the clock's time, applies each to the projection, keeps the records."""

    def __init__(
        self,
        settings: RealtimeSettings | None = None,
        *,
        start: float = MORNING,
        projection: RealtimeProjection | None = None,
    ) -> None:
        self.clock = FakeClock(start)
        self.projection = projection or RealtimeProjection(TENANT, settings)
        self.records: list[EventRecord] = []
        self._states: dict[str, tuple[AgentState, float]] = {}
        self._entered: dict[str, float] = {}
        self._connected: dict[str, float] = {}
        self._ended: dict[str, float] = {}

    @property
    def now(self) -> float:
        return self.clock.now()

    def at(self, offset_s: float, base: float = MORNING) -> Feed:
        """Move the clock to `base + offset_s` (forward only)."""
        self.clock.set(base + offset_s)
        return self

    def emit(self, cls: type[DomainEvent], **fields: Any) -> EventRecord:
        event = cls(tenant_id=TENANT, at=self.now, **fields)
        rec = record(event, len(self.records) + 1)
        self.records.append(rec)
        self.projection.apply(rec)
        return rec

    # -- agents ----------------------------------------------------------------------------

    def state(
        self,
        agent: str,
        state: AgentState,
        *,
        reason: str | None = None,
        interaction: str | None = None,
        queue: str | None = None,
    ) -> EventRecord:
        previous, since = self._states.get(agent, (AgentState.LOGGED_OUT, self.now))
        self._states[agent] = (state, self.now)
        return self.emit(
            AgentStateChanged,
            agent_id=agent,
            interaction_id=interaction,
            state=state,
            previous=previous,
            reason=reason,
            queue_id=queue,
            channel=Channel.VOICE if interaction else None,
            previous_duration_s=self.now - since,
        )

    # -- queue -----------------------------------------------------------------------------

    def enter(self, interaction: str, queue: str = "q") -> EventRecord:
        self._entered[interaction] = self.now
        return self.emit(
            QueueEntered,
            interaction_id=interaction,
            queue_id=queue,
            channel=Channel.VOICE,
            priority=0,
            skills=(),
        )

    def wait_of(self, interaction: str) -> float:
        return self.now - self._entered[interaction]

    def reject(self, interaction: str, queue: str = "q") -> EventRecord:
        return self.emit(
            QueueRejected,
            interaction_id=interaction,
            queue_id=queue,
            channel=Channel.VOICE,
            priority=0,
            reason="closed",
            destination="voicemail",
        )

    def offer(self, interaction: str, agent: str, queue: str = "q") -> EventRecord:
        self.state(agent, AgentState.RESERVED, interaction=interaction, queue=queue)
        return self.emit(
            QueueOffered,
            interaction_id=interaction,
            agent_id=agent,
            queue_id=queue,
            via_queue_id=queue,
            priority=0,
            wait_s=self.wait_of(interaction),
            attempt=1,
            ring_timeout_s=15.0,
        )

    def offer_failed(self, interaction: str, agent: str, queue: str = "q") -> EventRecord:
        rec = self.emit(
            QueueOfferFailed,
            interaction_id=interaction,
            agent_id=agent,
            queue_id=queue,
            reason="no_answer",
            wait_s=self.wait_of(interaction),
            agent_not_ready=False,
        )
        self.state(agent, AgentState.AVAILABLE, interaction=interaction, queue=queue)
        return rec

    def answer(
        self,
        interaction: str,
        agent: str | None = None,
        queue: str = "q",
        *,
        sl_threshold_s: float = 20.0,
        callback: bool = False,
    ) -> EventRecord:
        if agent is not None:
            self.state(agent, AgentState.BUSY, interaction=interaction, queue=queue)
        self._connected[interaction] = self.now
        return self.emit(
            QueueAnswered,
            interaction_id=interaction,
            agent_id=agent,
            queue_id=queue,
            via_queue_id=queue,
            channel=Channel.VOICE,
            priority=0,
            wait_s=self.wait_of(interaction),
            sl_threshold_s=sl_threshold_s,
            callback=callback,
        )

    def abandon(
        self, interaction: str, queue: str = "q", *, sl_threshold_s: float = 20.0
    ) -> EventRecord:
        return self.emit(
            QueueAbandoned,
            interaction_id=interaction,
            queue_id=queue,
            channel=Channel.VOICE,
            priority=0,
            wait_s=self.wait_of(interaction),
            sl_threshold_s=sl_threshold_s,
            position=1,
        )

    def callback(self, interaction: str, queue: str = "q") -> EventRecord:
        return self.emit(
            QueueCallbackRequested,
            interaction_id=interaction,
            queue_id=queue,
            wait_s=self.wait_of(interaction),
            number="13800000000",
        )

    def callback_failed(self, interaction: str, queue: str = "q") -> EventRecord:
        return self.emit(
            QueueCallbackFailed,
            interaction_id=interaction,
            queue_id=queue,
            wait_s=self.wait_of(interaction),
            reason="no_answer",
        )

    def exit(self, interaction: str, queue: str = "q") -> EventRecord:
        return self.emit(
            QueueExited,
            interaction_id=interaction,
            queue_id=queue,
            reason="max_wait",
            destination="voicemail",
            wait_s=self.wait_of(interaction),
        )

    def overflow(self, interaction: str, queue: str = "q", *, left: bool) -> EventRecord:
        return self.emit(
            QueueOverflowed,
            interaction_id=interaction,
            queue_id=queue,
            step=0,
            action="voicemail" if left else "add_queue",
            target=None,
            wait_s=self.wait_of(interaction),
            left_queue=left,
        )

    # -- after the answer ------------------------------------------------------------------

    def hang_up(
        self, interaction: str, agent: str, queue: str = "q", *, wrap_up: bool = True
    ) -> EventRecord:
        """The call ends: `agent.interaction_ended`, then wrap-up (or straight to available)."""
        self._ended[interaction] = self.now
        rec = self.emit(
            AgentInteractionEnded,
            interaction_id=interaction,
            agent_id=agent,
            queue_id=queue,
            channel=Channel.VOICE,
            talk_s=self.now - self._connected[interaction],
        )
        state = AgentState.WRAP_UP if wrap_up else AgentState.AVAILABLE
        self.state(agent, state, interaction=interaction, queue=queue)
        return rec

    def end_wrap_up(
        self,
        interaction: str,
        agent: str,
        queue: str = "q",
        *,
        then: AgentState = AgentState.AVAILABLE,
        reason: str | None = None,
    ) -> EventRecord:
        rec = self.emit(
            AgentWrapUpEnded,
            interaction_id=interaction,
            agent_id=agent,
            queue_id=queue,
            channel=Channel.VOICE,
            wrap_up_s=self.now - self._ended[interaction],
            by_agent=True,
        )
        self.state(agent, then, reason=reason, interaction=interaction, queue=queue)
        return rec

    def survey(self, interaction: str, rating: int, *, scale: int = 5) -> EventRecord:
        return self.emit(
            SurveyAnswered, interaction_id=interaction, node="survey", rating=rating, scale=scale
        )
