"""The agent state machine, tested row by row from its own table."""

from __future__ import annotations

import itertools

import pytest

from hotline.ids import AgentId, QueueId, WorkId
from hotline.routing.agent_state import (
    IDLE_STATES,
    RESUME,
    TRANSITIONS,
    WORK_TRANSITIONS,
    AgentEvent,
    AgentState,
    LogIn,
    LogInReady,
    LogOut,
    SetNotReady,
    SetReady,
    WorkConnected,
    WorkDone,
    WorkOffered,
    WorkPhase,
    WorkStep,
    WorkWrappingUp,
    aggregate_phase,
    next_state,
    next_work_phase,
)
from hotline.routing.agents import Agent, AgentProfile, WorkItem
from hotline.routing.capacity import Blend, Channel, free_slots
from hotline.routing.errors import IllegalAgentTransition, InvalidRoutingConfig

EVENT_TYPES: list[type[AgentEvent]] = [
    LogIn,
    LogInReady,
    SetReady,
    SetNotReady,
    LogOut,
    WorkOffered,
    WorkConnected,
    WorkWrappingUp,
    WorkDone,
]
PRESENCES = [AgentState.AVAILABLE, AgentState.NOT_READY, AgentState.LOGGED_OUT]


def make_event(cls: type[AgentEvent]) -> AgentEvent:
    return SetNotReady("break") if cls is SetNotReady else cls()


def agent_in(state: AgentState, presence: AgentState) -> Agent:
    agent = Agent(profile=AgentProfile(AgentId("a1")), ordinal=0, since=100.0)
    agent.state = state
    agent.presence = state if state in IDLE_STATES else presence
    agent.presence_reason = "lunch" if agent.presence is AgentState.NOT_READY else None
    agent.reason = agent.presence_reason if state in IDLE_STATES else None
    return agent


def expected_presence(event: AgentEvent, before: AgentState) -> AgentState:
    if isinstance(event, SetReady | LogInReady):
        return AgentState.AVAILABLE
    if isinstance(event, SetNotReady | LogIn):
        return AgentState.NOT_READY
    if isinstance(event, LogOut):
        return AgentState.LOGGED_OUT
    return before


ROWS = [
    (state, cls, presence)
    for (state, cls) in TRANSITIONS
    for presence in (PRESENCES if state not in IDLE_STATES else [state])
]


@pytest.mark.parametrize(("state", "event_type", "presence"), ROWS)
def test_every_row_of_the_table_moves_the_agent_where_it_says(
    state: AgentState, event_type: type[AgentEvent], presence: AgentState
) -> None:
    agent = agent_in(state, presence)
    event = make_event(event_type)
    target = TRANSITIONS[(state, event_type)]
    agent.apply(event, 160.0)
    new_presence = expected_presence(event, agent_in(state, presence).presence)
    assert agent.presence is new_presence
    assert agent.state is (new_presence if target is RESUME else target)
    if agent.state is AgentState.AVAILABLE and state is not AgentState.AVAILABLE:
        assert agent.idle_since == 160.0


MISSING = [
    (state, cls)
    for state, cls in itertools.product(AgentState, EVENT_TYPES)
    if (state, cls) not in TRANSITIONS
]


@pytest.mark.parametrize(("state", "event_type"), MISSING)
def test_every_pair_missing_from_the_table_is_illegal(
    state: AgentState, event_type: type[AgentEvent]
) -> None:
    agent = agent_in(state, AgentState.AVAILABLE)
    with pytest.raises(IllegalAgentTransition) as info:
        agent.apply(make_event(event_type), 1.0)
    assert info.value.code == "routing.agent.illegal_transition"
    assert info.value.details == {
        "machine": "agent",
        "state": state.value,
        "event": event_type.__name__,
    }
    assert agent.state is state  # nothing moved


def test_the_table_covers_the_classic_voice_cycle() -> None:
    path = [LogInReady(), WorkOffered(), WorkConnected(), WorkWrappingUp(), WorkDone()]
    state = AgentState.LOGGED_OUT
    seen = []
    for event in path:
        target = next_state(state, event)
        state = AgentState.AVAILABLE if target is RESUME else target  # type: ignore[assignment]
        seen.append(state)
    assert seen == ["available", "reserved", "busy", "wrap_up", "available"]


def test_a_break_asked_for_during_a_call_starts_after_wrap_up() -> None:
    agent = agent_in(AgentState.BUSY, AgentState.AVAILABLE)
    assert agent.apply(SetNotReady("lunch"), 10.0) is None  # nothing visible changes yet
    assert agent.state is AgentState.BUSY
    agent.apply(WorkWrappingUp(), 20.0)
    change = agent.apply(WorkDone(), 50.0)
    assert change is not None
    assert (change.previous, change.state, change.reason) == ("wrap_up", "not_ready", "lunch")
    assert change.previous_duration_s == 30.0


def test_a_not_ready_reason_change_is_a_visible_change() -> None:
    agent = agent_in(AgentState.NOT_READY, AgentState.NOT_READY)
    change = agent.apply(SetNotReady("training"), 5.0)
    assert change is not None
    assert change.reason == "training"
    assert agent.apply(SetNotReady("training"), 6.0) is None


def work(iid: str, phase: WorkPhase, channel: Channel = Channel.VOICE) -> WorkItem:
    return WorkItem(WorkId(iid), QueueId("q"), channel, phase, since=0.0)


def test_work_items_drive_the_agent_through_the_voice_cycle() -> None:
    agent = agent_in(AgentState.AVAILABLE, AgentState.AVAILABLE)
    agent.add_work(work("i1", WorkPhase.RINGING))
    assert agent.sync_phase(1.0) is not None
    assert agent.state is AgentState.RESERVED
    assert agent.free_slots(Channel.VOICE) == 0
    agent.step_work(WorkId("i1"), WorkStep.ANSWER, 2.0)
    agent.sync_phase(2.0)
    assert agent.state is AgentState.BUSY
    agent.step_work(WorkId("i1"), WorkStep.END, 3.0)
    agent.sync_phase(3.0)
    assert agent.state is AgentState.WRAP_UP
    agent.step_work(WorkId("i1"), WorkStep.FINISH, 4.0)
    agent.sync_phase(4.0)
    assert agent.state is AgentState.AVAILABLE
    assert agent.load == {}
    assert agent.free_slots(Channel.VOICE) == 1


def test_a_text_agent_shows_its_strongest_phase() -> None:
    profile = AgentProfile(AgentId("t"), capacity={Channel.CHAT: 3})
    agent = Agent(profile=profile, ordinal=0, since=0.0)
    agent.apply(LogInReady(), 0.0)
    agent.add_work(work("c1", WorkPhase.RINGING, Channel.CHAT))
    agent.sync_phase(0.5)
    agent.step_work(WorkId("c1"), WorkStep.ANSWER, 0.5)
    agent.add_work(work("c2", WorkPhase.RINGING, Channel.CHAT))
    agent.sync_phase(1.0)
    assert agent.state is AgentState.BUSY
    assert agent.free_slots(Channel.CHAT) == 1
    agent.step_work(WorkId("c1"), WorkStep.END, 2.0)
    agent.sync_phase(2.0)
    assert agent.state is AgentState.RESERVED  # busy → reserved: a row only text agents use
    agent.step_work(WorkId("c2"), WorkStep.WITHDRAW, 3.0)
    agent.sync_phase(3.0)
    assert agent.state is AgentState.WRAP_UP


def test_aggregate_phase_ranks_talking_over_ringing_over_wrap_up() -> None:
    assert aggregate_phase([]) is None
    assert aggregate_phase([WorkPhase.WRAP_UP, WorkPhase.RINGING]) is WorkPhase.RINGING
    assert aggregate_phase([WorkPhase.RINGING, WorkPhase.CONNECTED]) is WorkPhase.CONNECTED


@pytest.mark.parametrize(("phase", "step"), list(itertools.product(WorkPhase, WorkStep)))
def test_the_work_table_is_total_or_loud(phase: WorkPhase, step: WorkStep) -> None:
    if (phase, step) in WORK_TRANSITIONS:
        assert next_work_phase(phase, step) == WORK_TRANSITIONS[(phase, step)]
    else:
        with pytest.raises(IllegalAgentTransition):
            next_work_phase(phase, step)


def test_voice_is_exclusive_and_text_capacity_counts() -> None:
    cap = {Channel.VOICE: 1, Channel.CHAT: 2}
    assert free_slots(cap, {}, Channel.VOICE) == 1
    assert free_slots(cap, {Channel.CHAT: 1}, Channel.VOICE) == 0  # no calls while chatting
    assert free_slots(cap, {Channel.VOICE: 1}, Channel.CHAT) == 0  # no chats while talking
    assert free_slots(cap, {Channel.CHAT: 1}, Channel.CHAT) == 1
    assert free_slots(cap, {}, Channel.EMAIL) == 0


def test_a_blend_relaxes_voice_exclusivity_one_direction_at_a_time() -> None:
    cap = {Channel.VOICE: 1, Channel.CHAT: 2}
    chats_on_calls = Blend(text_during_call=True)
    assert free_slots(cap, {Channel.VOICE: 1}, Channel.CHAT, chats_on_calls) == 2
    assert free_slots(cap, {Channel.VOICE: 1, Channel.CHAT: 2}, Channel.CHAT, chats_on_calls) == 0
    assert free_slots(cap, {Channel.CHAT: 1}, Channel.VOICE, chats_on_calls) == 0
    calls_on_chats = Blend(call_during_text=True)
    assert free_slots(cap, {Channel.CHAT: 2}, Channel.VOICE, calls_on_chats) == 1
    assert free_slots(cap, {Channel.VOICE: 1}, Channel.CHAT, calls_on_chats) == 0
    both = Blend(text_during_call=True, call_during_text=True)
    assert free_slots(cap, {Channel.VOICE: 1}, Channel.VOICE, both) == 0  # still one call
    assert free_slots({Channel.CHAT: 2}, {Channel.CHAT: 1}, Channel.VOICE, both) == 0  # no voice


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"skills": {"en": 0}}, "skills.en"),
        ({"skills": {"en": 11}}, "skills.en"),
        ({"skills": {"en": True}}, "skills.en"),
        ({"skills": {"": 3}}, "skills"),
        ({"capacity": {Channel.VOICE: 2}}, "capacity"),
        ({"capacity": {Channel.CHAT: -1}}, "capacity"),
    ],
)
def test_profiles_are_validated_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRoutingConfig) as info:
        AgentProfile(AgentId("a"), **kwargs)  # type: ignore[arg-type]
    assert info.value.details["field"] == field


def test_profiles_are_frozen_copies() -> None:
    skills = {"en": 5}
    profile = AgentProfile(AgentId("a"), skills=skills, teams=frozenset({"x"}))
    skills["en"] = 9
    assert profile.skills["en"] == 5
    with pytest.raises(TypeError):
        profile.skills["en"] = 1  # type: ignore[index]
