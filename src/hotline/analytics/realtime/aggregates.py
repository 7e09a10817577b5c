"""What the projection keeps per queue and per agent, and the rows it makes of them.

A queue keeps who is in line now (callers, callbacks, who rings), today's tally and the sliding
window. An agent keeps its state since when, today's milliseconds per state (closed spans only;
the open span is added at snapshot time) and today's tally of its own contacts.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.analytics.realtime.figures import Agent, AgentCounts, Period, Queue
from hotline.analytics.realtime.metrics import average_handle_time_s, csat, period, ratio
from hotline.analytics.realtime.tally import Contribution, Count, SlidingWindow, Tally, TenantDay
from hotline.routing.agent_state import AgentState

__all__ = [
    "AVAILABLE_STATES",
    "HANDLE_STATES",
    "LOGGED_IN_STATES",
    "AgentAggregate",
    "QueueAggregate",
    "count_states",
]

HANDLE_STATES = frozenset({AgentState.BUSY, AgentState.WRAP_UP})
"""Handle time = talk + hold + wrap-up: time connected (busy) plus after-call work."""

AVAILABLE_STATES = frozenset({AgentState.AVAILABLE, AgentState.RESERVED})
"""Available idle time: available, and ringing — handling starts at the answer, as AHT does."""

LOGGED_IN_STATES = frozenset(AgentState) - {AgentState.LOGGED_OUT}

_WORKING_STATES = frozenset({AgentState.RESERVED, AgentState.BUSY, AgentState.WRAP_UP})

_SECONDS = 1000.0


class QueueAggregate:
    """One queue: who is in it now, today's tally and the sliding window."""

    __slots__ = (
        "_periods",
        "callbacks",
        "queue_id",
        "ringing",
        "sl_threshold_s",
        "today",
        "waiting",
        "window",
    )

    def __init__(self, queue_id: str, window_s: float) -> None:
        self.queue_id = queue_id
        self.waiting: dict[str, float] = {}  # interaction → entered_at, callers on the line
        self.callbacks: dict[str, float] = {}  # interaction → entered_at, callbacks kept in line
        self.ringing: dict[str, set[str]] = {}  # interaction → agents its offer rings
        self.today = Tally()
        self.window = SlidingWindow(window_s)
        self.sl_threshold_s: float | None = None  # the latest an event carried
        # (which tally, its revision, transfers shown) → its figures: most refreshes change
        # neither tally of most queues
        self._periods: dict[tuple[str, bool], tuple[int, Period]] = {}

    def period(self, which: str, *, transfers: bool) -> Period:
        """Today's ("today") or the window's ("window") figures, cached per tally revision."""
        tally = self.today if which == "today" else self.window.totals
        cached = self._periods.get((which, transfers))
        if cached is not None and cached[0] == tally.revision:
            return cached[1]
        figures = period(tally, transfers=transfers)
        self._periods[(which, transfers)] = (tally.revision, figures)
        return figures

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
            today=self.period("today", transfers=transfers),
            window=self.period("window", transfers=transfers),
            agents=agents,
        )


class AgentAggregate:
    """One agent: state since when, today's time per state and today's own contacts."""

    __slots__ = (
        "agent_id",
        "interaction_id",
        "pending",
        "queue_id",
        "reason",
        "since",
        "spent_ms",
        "state",
        "today",
    )

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        self.state = AgentState.LOGGED_OUT
        self.reason: str | None = None
        self.since: float | None = None
        self.interaction_id: str | None = None
        self.queue_id: str | None = None
        # today's milliseconds of finished spans: handle, available idle, logged in
        self.spent_ms = [0, 0, 0]
        self.today = Tally()
        self.pending: set[str] = set()  # interactions whose talk ended, handling not finished

    def new_day(self) -> None:
        self.spent_ms = [0, 0, 0]
        self.today.reset()

    def close_span(self, day: TenantDay, state: AgentState, begin: float, end: float) -> None:
        """Credit today's part of a finished span in `state` (it may have begun yesterday)."""
        self._credit(state, day.overlap_ms(begin, end), self.spent_ms)

    @staticmethod
    def _credit(state: AgentState, ms: int, spent: list[int]) -> None:
        if state in HANDLE_STATES:
            spent[0] += ms
        elif state in AVAILABLE_STATES:
            spent[1] += ms
        if state in LOGGED_IN_STATES:
            spent[2] += ms

    def live_ms(self, day: TenantDay, now: float) -> tuple[int, int, int]:
        """Today's handle, available idle and logged-in milliseconds, up to `now`."""
        spent = list(self.spent_ms)
        if self.since is not None and now > self.since:
            self._credit(self.state, day.overlap_ms(self.since, now), spent)
        return spent[0], spent[1], spent[2]

    def row(self, day: TenantDay, now: float, *, transfers: bool) -> Agent:
        handle, available, logged_in = self.live_ms(day, now)
        today = self.today
        working = self.state in _WORKING_STATES
        return Agent(
            agent_id=self.agent_id,
            state=self.state.value,
            reason=self.reason,
            since=self.since,
            interaction_id=self.interaction_id if working else None,
            queue_id=self.queue_id if working else None,
            handled=today[Count.ANSWERED],
            completed=today[Count.COMPLETED],
            aht_s=average_handle_time_s(today),
            csat=csat(today),
            csat_answers=today[Count.CSAT_ANSWERS],
            transferred=today[Count.TRANSFERRED] if transfers else None,
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
