"""What the projection keeps per queue and per agent, and the rows it makes of them.

A queue keeps who is in line now (callers, callbacks, who rings), today's tally and the sliding
window. An agent keeps its state since when, today's milliseconds per state (closed spans only;
the open span is added at snapshot time) and today's tally of its own contacts.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.analytics.realtime.figures import Agent, AgentCounts, Period, Queue
from hotline.analytics.realtime.metrics import period, ratio
from hotline.analytics.realtime.tally import Contribution, Count, SlidingWindow, Tally, TenantDay
from hotline.routing.agent_state import AgentState

__all__ = [
    "AVAILABLE_STATES",
    "HANDLE_STATES",
    "AgentAggregate",
    "QueueAggregate",
    "count_states",
]

HANDLE_STATES = frozenset({AgentState.BUSY, AgentState.WRAP_UP})
"""Handle time = talk + hold + wrap-up: time connected (busy) plus after-call work."""

AVAILABLE_STATES = frozenset({AgentState.AVAILABLE, AgentState.RESERVED})
"""Available idle time: available, and ringing — handling starts at the answer, as AHT does."""

_SECONDS = 1000.0


class QueueAggregate:
    """One queue: who is in it now, today's tally and the sliding window."""

    __slots__ = ("callbacks", "queue_id", "ringing", "sl_threshold_s", "today", "waiting", "window")

    def __init__(self, queue_id: str, window_s: float) -> None:
        self.queue_id = queue_id
        self.waiting: dict[str, float] = {}  # interaction → entered_at, callers on the line
        self.callbacks: dict[str, float] = {}  # interaction → entered_at, callbacks kept in line
        self.ringing: dict[str, set[str]] = {}  # interaction → agents its offer rings
        self.today = Tally()
        self.window = SlidingWindow(window_s)
        self.sl_threshold_s: float | None = None  # the latest an event carried

    def count(self, day: TenantDay, at: float, contribution: Contribution) -> None:
        if day.contains(at):
            self.today.add(contribution)
        self.window.add(at, contribution)

    def leave(self, interaction_id: str | None) -> None:
        if interaction_id is None:
            return
        self.waiting.pop(interaction_id, None)
        self.callbacks.pop(interaction_id, None)
        self.ringing.pop(interaction_id, None)

    def row(
        self,
        now: float,
        *,
        sl_target: float,
        sl_threshold_s: float,
        short_abandon_s: float,
        agents: AgentCounts,
        transfers: bool,
    ) -> Queue:
        oldest = min(self.waiting.values(), default=None)
        return Queue(
            queue_id=self.queue_id,
            waiting=len(self.waiting),
            ringing=sum(1 for agents_ringing in self.ringing.values() if agents_ringing),
            callbacks_waiting=len(self.callbacks),
            oldest_entered_at=oldest,
            longest_wait_s=None if oldest is None else round(max(0.0, now - oldest), 1),
            sl_threshold_s=sl_threshold_s,
            sl_target=sl_target,
            short_abandon_s=short_abandon_s,
            today=period(self.today, transfers=transfers),
            window=period(self.window.totals, transfers=transfers),
            agents=agents,
        )

    def window_period(self, *, transfers: bool) -> Period:
        return period(self.window.totals, transfers=transfers)


class AgentAggregate:
    """One agent: state since when, today's time per state and today's own contacts."""

    __slots__ = (
        "agent_id",
        "interaction_id",
        "pending",
        "queue_id",
        "reason",
        "since",
        "state",
        "state_ms",
        "today",
    )

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        self.state = AgentState.LOGGED_OUT
        self.reason: str | None = None
        self.since: float | None = None
        self.interaction_id: str | None = None
        self.queue_id: str | None = None
        self.state_ms: dict[AgentState, int] = dict.fromkeys(AgentState, 0)
        self.today = Tally()
        self.pending: set[str] = set()  # interactions whose talk ended, handling not finished

    def new_day(self) -> None:
        self.state_ms = dict.fromkeys(AgentState, 0)
        self.today.reset()

    def close_span(self, day: TenantDay, state: AgentState, begin: float, end: float) -> None:
        """Credit today's part of a finished span in `state` (it may have begun yesterday)."""
        self.state_ms[state] += day.overlap_ms(begin, end)

    def live_ms(self, day: TenantDay, now: float, states: Iterable[AgentState]) -> int:
        """Today's milliseconds in `states`, the current span up to `now` included."""
        chosen = frozenset(states)
        total = sum(self.state_ms[s] for s in chosen)
        if self.since is not None and self.state in chosen and now > self.since:
            total += day.overlap_ms(self.since, now)
        return total

    def row(self, day: TenantDay, now: float, *, transfers: bool) -> Agent:
        handle = self.live_ms(day, now, HANDLE_STATES)
        available = self.live_ms(day, now, AVAILABLE_STATES)
        logged_in = self.live_ms(day, now, set(AgentState) - {AgentState.LOGGED_OUT})
        tally = period(self.today, transfers=transfers)
        working = self.state not in (
            AgentState.LOGGED_OUT,
            AgentState.AVAILABLE,
            AgentState.NOT_READY,
        )
        return Agent(
            agent_id=self.agent_id,
            state=self.state.value,
            reason=self.reason,
            since=self.since,
            interaction_id=self.interaction_id if working else None,
            queue_id=self.queue_id if working else None,
            handled=self.today[Count.ANSWERED],
            completed=self.today[Count.COMPLETED],
            aht_s=tally.aht_s,
            csat=tally.csat,
            csat_answers=tally.csat_answers,
            transferred=tally.transferred,
            time_in_state_s=None if self.since is None else round(max(0.0, now - self.since), 1),
            handle_s=round(handle / _SECONDS, 1),
            available_s=round(available / _SECONDS, 1),
            logged_in_s=round(logged_in / _SECONDS, 1),
            # GLOSSARY: occupancy = handle / (handle + available idle); utilization = handle /
            # logged-in time
            occupancy=ratio(handle, handle + available),
            utilization=ratio(handle, logged_in),
        )


_STATE_FIELDS = {
    AgentState.AVAILABLE: "available",
    AgentState.RESERVED: "reserved",
    AgentState.BUSY: "busy",
    AgentState.WRAP_UP: "wrap_up",
    AgentState.NOT_READY: "not_ready",
}


def count_states(agents: Iterable[AgentAggregate | None]) -> AgentCounts:
    """Agents by state; `None` stands for a configured member never seen (logged out)."""
    counts = dict.fromkeys(_STATE_FIELDS.values(), 0)
    for agent in agents:
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            continue
        counts[_STATE_FIELDS[agent.state]] += 1
    return AgentCounts(logged_in=sum(counts.values()), **counts)
