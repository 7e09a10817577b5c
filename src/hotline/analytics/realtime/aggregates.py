"""What the projection keeps per queue and per agent, and the rows it makes of them.

A queue keeps who is in line now (callers, callbacks, who rings), today's tally and the sliding
window. An agent keeps its state since when, today's milliseconds per state (closed spans only;
the open span is added at snapshot time) and today's tally of its own contacts.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.analytics.realtime.figures import Agent, AgentCounts, Center, Period, Queue
from hotline.analytics.realtime.metrics import average_handle_time_s, csat, period, ratio
from hotline.analytics.realtime.tally import Contribution, Count, SlidingWindow, Tally, TenantDay
from hotline.routing.agent_state import AgentState

__all__ = [
    "AVAILABLE_STATES",
    "HANDLE_STATES",
    "LOGGED_IN_STATES",
    "AgentAggregate",
    "CenterAggregate",
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


class _Periods:
    """Today's tally and the sliding window, with their figures cached per revision."""

    __slots__ = ("_periods", "today", "window")

    def __init__(self, window_s: float) -> None:
        self.today = Tally()
        self.window = SlidingWindow(window_s)
        # (which tally, transfers shown) → (its revision, its figures): most refreshes change
        # neither tally of most rows
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


class CenterAggregate(_Periods):
    """The whole center: each contact counted once (GLOSSARY figures per contact, not per
    queue visit). `seen` remembers, per count, the contacts already counted today and the day
    before (a contact may cross midnight)."""

    __slots__ = ("_before", "_seen")

    def __init__(self, window_s: float) -> None:
        super().__init__(window_s)
        self._seen: dict[Count, set[str]] = {}
        self._before: dict[Count, set[str]] = {}

    def first(self, count: Count, contact: str | None) -> bool:
        """True the first time `contact` is counted for `count` (always for no contact)."""
        if contact is None:
            return True
        if contact in self._before.get(count, ()):
            return False
        seen = self._seen.setdefault(count, set())
        if contact in seen:
            return False
        seen.add(contact)
        return True

    def new_day(self) -> None:
        self._before, self._seen = self._seen, {}
        self.today.reset()

    def row(
        self, now: float, queues: Iterable[QueueAggregate], agents: AgentCounts, *, transfers: bool
    ) -> Center:
        waiting = ringing = callbacks = 0
        oldest: float | None = None
        for queue in queues:
            waiting += len(queue.waiting)
            ringing += sum(1 for agents_ringing in queue.ringing.values() if agents_ringing)
            callbacks += len(queue.callbacks)
            first = min(queue.waiting.values(), default=None)
            if first is not None and (oldest is None or first < oldest):
                oldest = first
        return Center(
            waiting=waiting,
            ringing=ringing,
            callbacks_waiting=callbacks,
            oldest_entered_at=oldest,
            longest_wait_s=None if oldest is None else round(max(0.0, now - oldest), 1),
            today=self.period("today", transfers=transfers),
            window=self.period("window", transfers=transfers),
            agents=agents,
        )


class QueueAggregate(_Periods):
    """One queue: who is in it now, today's tally and the sliding window."""

    __slots__ = ("callbacks", "queue_id", "ringing", "sl_threshold_s", "waiting")

    def __init__(self, queue_id: str, window_s: float) -> None:
        super().__init__(window_s)
        self.queue_id = queue_id
        # keyed by work item (version 1: the interaction)
        self.waiting: dict[str, float] = {}  # → entered_at, callers on the line
        self.callbacks: dict[str, float] = {}  # → entered_at, callbacks kept in line
        self.ringing: dict[str, set[str]] = {}  # → agents its offer rings
        self.sl_threshold_s: float | None = None  # the latest an event carried

    def leave(self, work: str | None) -> None:
        if work is None:
            return
        self.waiting.pop(work, None)
        self.callbacks.pop(work, None)
        self.ringing.pop(work, None)

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
        "overrun_since",
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
        self.pending: set[str] = set()  # segments whose talk ended, handling not finished
        self.overrun_since: float | None = None

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
            overrun_since=self.overrun_since if self.state is AgentState.WRAP_UP else None,
            overruns=today[Count.WRAP_UP_OVERRUNS],
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
