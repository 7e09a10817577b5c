"""Agents as the router sees them: the configured profile and the live record it keeps.

`AgentProfile` is configuration (skills with proficiency 1–10, teams, channel capacity).
`Agent` is the router's private, mutable record of one agent: presence, work items, state, and the
figures strategies rank by (idle since, handled today). Only the router mutates it, and only
through `apply` and the work-item methods, which follow the tables in `agent_state`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hotline.ids import AgentId, QueueId, WorkId
from hotline.routing.agent_state import (
    IDLE_STATES,
    PHASE_EVENTS,
    AgentEvent,
    AgentState,
    LogIn,
    LogInReady,
    LogOut,
    Resume,
    SetNotReady,
    SetReady,
    WorkPhase,
    WorkStep,
    aggregate_phase,
    next_state,
    next_work_phase,
)
from hotline.routing.capacity import (
    DEFAULT_CAPACITY,
    NO_BLEND,
    Blend,
    Channel,
    free_slots,
    freeze_capacity,
)
from hotline.routing.errors import InvalidRoutingConfig

__all__ = [
    "MAX_PROFICIENCY",
    "MIN_PROFICIENCY",
    "Agent",
    "AgentProfile",
    "StateChange",
    "WorkItem",
]

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 10

_PHASE_OF_STATE = {
    AgentState.RESERVED: WorkPhase.RINGING,
    AgentState.BUSY: WorkPhase.CONNECTED,
    AgentState.WRAP_UP: WorkPhase.WRAP_UP,
}
_STATE_OF_PHASE = {phase: state for state, phase in _PHASE_OF_STATE.items()}


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """An agent's routing profile. `skills` maps skill name → proficiency (1–10)."""

    agent_id: AgentId
    skills: Mapping[str, int] = field(default_factory=dict)
    teams: frozenset[str] = frozenset()
    capacity: Mapping[Channel, int] = field(default_factory=lambda: DEFAULT_CAPACITY)
    blend: Blend = NO_BLEND  # a chat during a call, a call during chats (capacity.py)

    def __post_init__(self) -> None:
        if not self.agent_id:
            raise InvalidRoutingConfig("an agent needs an id", field="agent_id")
        for skill, level in self.skills.items():
            if not skill:
                raise InvalidRoutingConfig("a skill needs a name", field="skills")
            if isinstance(level, bool) or not isinstance(level, int):
                raise InvalidRoutingConfig(
                    f"proficiency of {skill!r} must be a whole number", field=f"skills.{skill}"
                )
            if not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
                raise InvalidRoutingConfig(
                    f"proficiency of {skill!r} must be {MIN_PROFICIENCY}–{MAX_PROFICIENCY}, "
                    f"not {level}",
                    field=f"skills.{skill}",
                )
        try:
            capacity = freeze_capacity(self.capacity)
        except ValueError as exc:
            raise InvalidRoutingConfig(str(exc), field="capacity") from None
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))
        object.__setattr__(self, "teams", frozenset(self.teams))
        object.__setattr__(self, "capacity", capacity)


@dataclass(slots=True)
class WorkItem:
    """One interaction offered to or handled by an agent."""

    work_id: WorkId
    queue_id: QueueId
    channel: Channel
    phase: WorkPhase
    since: float
    connected_at: float | None = None
    ended_at: float | None = None
    wrap_up_until: float | None = None
    rules_queue_id: QueueId | None = None  # whose wrap-up rules apply (default: queue_id)
    dispositioned: bool = False
    overrun_since: float | None = None  # the wrap-up timer ran out without a disposition

    @property
    def rules_queue(self) -> QueueId:
        return self.rules_queue_id or self.queue_id


@dataclass(frozen=True, slots=True)
class StateChange:
    """What `Agent.apply` changed, for the router to emit as `agent.state_changed`."""

    previous: AgentState
    state: AgentState
    reason: str | None
    previous_duration_s: float


@dataclass(slots=True, eq=False)
class Agent:
    """The router's live record of one agent."""

    profile: AgentProfile
    ordinal: int
    since: float
    state: AgentState = AgentState.LOGGED_OUT
    reason: str | None = None
    presence: AgentState = AgentState.LOGGED_OUT
    presence_reason: str | None = None
    idle_since: float = 0.0
    handled: int = 0
    work: dict[WorkId, WorkItem] = field(default_factory=dict)
    load: dict[Channel, int] = field(default_factory=dict)

    @property
    def agent_id(self) -> AgentId:
        return self.profile.agent_id

    def free_slots(self, channel: Channel) -> int:
        """How many more interactions of `channel` the router may offer this agent now."""
        if self.presence is not AgentState.AVAILABLE:
            return 0
        return free_slots(self.profile.capacity, self.load, channel, self.profile.blend)

    def apply(self, event: AgentEvent, now: float) -> StateChange | None:
        """Run one event through `TRANSITIONS`; the change, or `None` if nothing visible moved."""
        target = next_state(self.state, event)
        if isinstance(event, SetReady | LogInReady):
            self.presence, self.presence_reason = AgentState.AVAILABLE, None
        elif isinstance(event, SetNotReady):
            self.presence, self.presence_reason = AgentState.NOT_READY, event.reason
        elif isinstance(event, LogIn):
            self.presence, self.presence_reason = AgentState.NOT_READY, "login"
        elif isinstance(event, LogOut):
            self.presence, self.presence_reason = AgentState.LOGGED_OUT, None
        new_state = self.presence if isinstance(target, Resume) else target
        return self._move_to(new_state, now)

    def _move_to(self, new_state: AgentState, now: float) -> StateChange | None:
        new_reason = self.presence_reason if new_state in IDLE_STATES else None
        if new_state == self.state and new_reason == self.reason:
            return None
        change = StateChange(self.state, new_state, new_reason, now - self.since)
        if new_state is AgentState.AVAILABLE:
            self.idle_since = now
        self.state, self.reason, self.since = new_state, new_reason, now
        return change

    def force(self, presence: AgentState, reason: str | None, now: float) -> StateChange | None:
        """Set presence and derive the state from the work held, bypassing the table.

        Only `Router.reconcile` uses this: after a restart the facts are what they are.
        """
        self.presence, self.presence_reason = presence, reason
        phase = aggregate_phase(item.phase for item in self.work.values())
        return self._move_to(self._state_for(phase), now)

    def _state_for(self, phase: WorkPhase | None) -> AgentState:
        if phase is None:
            return self.presence
        return _STATE_OF_PHASE[phase]

    # -- work items ------------------------------------------------------------------------

    def add_work(self, item: WorkItem) -> None:
        self.work[item.work_id] = item
        self.load[item.channel] = self.load.get(item.channel, 0) + 1

    def step_work(self, work_id: WorkId, step: WorkStep, now: float) -> WorkItem:
        """Move one work item through `WORK_TRANSITIONS`; returns it (removed if finished)."""
        item = self.work[work_id]
        phase = next_work_phase(item.phase, step)
        if phase is None:
            del self.work[work_id]
            self.load[item.channel] -= 1
            if not self.load[item.channel]:
                del self.load[item.channel]
        else:
            item.phase, item.since = phase, now
        return item

    def sync_phase(self, now: float) -> StateChange | None:
        """Raise the work event for the aggregate phase of the work, if it changed."""
        current = _PHASE_OF_STATE.get(self.state)
        phase = aggregate_phase(item.phase for item in self.work.values())
        if phase == current:
            return None
        return self.apply(PHASE_EVENTS[phase], now)
