"""The router's basic life cycle: enqueue, offer, answer, wrap-up, and the agent operations."""

from __future__ import annotations

import json

import pytest

from hotline.ids import AgentId, QueueId, WorkId
from hotline.routing.agent_state import AgentState
from hotline.routing.capacity import Channel
from hotline.routing.decisions import CancelOffer, Offer, OfferEnd
from hotline.routing.errors import (
    AgentLoggedIn,
    DuplicateInteraction,
    IllegalAgentTransition,
    InvalidRoutingInput,
    OfferNotPending,
    QueueNotEmpty,
    UnknownAgent,
    UnknownInteraction,
    UnknownQueue,
)
from hotline.routing.events import (
    AgentInteractionEnded,
    AgentStateChanged,
    AgentWrapUpEnded,
    AgentWrapUpExtended,
    QueueAbandoned,
    QueueAnswered,
    QueueEntered,
    QueueOffered,
)
from tests.unit.routing.harness import Harness, offers


@pytest.fixture
def h() -> Harness:
    h = Harness()
    h.queue("q", wrap_up_s=10.0, ring_timeout_s=15.0)
    return h


def test_a_call_is_offered_answered_wrapped_up_and_the_agent_freed(h: Harness) -> None:
    h.agent("a1")
    decisions = h.call("i1")
    assert decisions == [
        Offer(WorkId("i1"), AgentId("a1"), QueueId("q"), Channel.VOICE, 15.0, 1, 0)
    ]
    assert h.state("a1") is AgentState.RESERVED
    h.advance(3)
    assert h.answer("i1", "a1") == []
    assert h.state("a1") is AgentState.BUSY
    h.advance(100)
    h.hang_up("i1")
    assert h.state("a1") is AgentState.WRAP_UP
    h.advance(9.9)
    assert h.state("a1") is AgentState.WRAP_UP
    h.advance(0.1)
    assert h.state("a1") is AgentState.AVAILABLE
    answered = h.events(QueueAnswered)[0]
    assert (answered.wait_s, answered.sl_threshold_s, answered.agent_id) == (3.0, 20.0, "a1")
    assert h.events(AgentInteractionEnded)[0].talk_s == 100.0
    ended = h.events(AgentWrapUpEnded)[0]
    assert (ended.wrap_up_s, ended.by_agent) == (10.0, False)
    states = [(e.previous, e.state) for e in h.events(AgentStateChanged)]
    assert states == [
        ("logged_out", "available"),
        ("available", "reserved"),
        ("reserved", "busy"),
        ("busy", "wrap_up"),
        ("wrap_up", "available"),
    ]
    durations = [e.previous_duration_s for e in h.events(AgentStateChanged)[1:]]
    assert durations == [0.0, 3.0, 100.0, 10.0]


def test_every_event_names_its_tenant_and_serialises(h: Harness) -> None:
    h.agent("a1")
    h.call("i1")
    h.answer("i1", "a1")
    h.hang_up("i1")
    h.advance(10)
    assert h.sink.events
    for event in h.sink.events:
        assert event.tenant_id == "t1"
        json.dumps(event.payload())


def test_an_interaction_waits_until_an_agent_is_free(h: Harness) -> None:
    h.agent("a1", ready=False)
    assert h.call("i1") == []
    entered = h.events(QueueEntered)[0]
    assert (entered.position, entered.queue_id, entered.priority) == (1, "q", 0)
    h.advance(30)
    assert offers(h.keep(h.router.login(AgentId("a1"), now=h.now))) == []  # login: not ready
    assert offers(h.keep(h.router.set_available(AgentId("a1"), now=h.now))) == [("i1", "a1")]
    assert h.events(QueueOffered)[0].wait_s == 30.0


def test_the_next_caller_is_offered_when_wrap_up_ends(h: Harness) -> None:
    h.agent("a1")
    h.call("i1")
    h.answer("i1", "a1")
    h.call("i2")
    h.advance(60)
    assert offers(h.hang_up("i1")) == []
    assert offers(h.advance(10)) == [("i2", "a1")]


def test_an_agent_may_end_or_extend_wrap_up(h: Harness) -> None:
    h.agent("a1")
    h.call("i1")
    h.answer("i1", "a1")
    h.hang_up("i1")
    h.router.extend_wrap_up(AgentId("a1"), 20.0, now=h.now)
    assert h.events(AgentWrapUpExtended)[0].ends_at == h.now + 30.0
    h.advance(29)
    assert h.state("a1") is AgentState.WRAP_UP
    h.router.end_wrap_up(AgentId("a1"), now=h.now)
    assert h.state("a1") is AgentState.AVAILABLE
    assert h.events(AgentWrapUpEnded)[0].by_agent is True
    assert h.router.next_timer() is None or h.router.next_timer() > h.now + 3600
    with pytest.raises(IllegalAgentTransition):
        h.router.end_wrap_up(AgentId("a1"), now=h.now)
    with pytest.raises(InvalidRoutingInput) as info:
        h.router.extend_wrap_up(AgentId("a1"), 0.0, now=h.now)
    assert info.value.details["field"] == "seconds"


def test_a_queue_without_wrap_up_frees_the_agent_at_hang_up() -> None:
    h = Harness()
    h.queue("q", wrap_up_s=0.0)
    h.agent("a1")
    h.call("i1")
    h.answer("i1", "a1")
    h.hang_up("i1")
    assert h.state("a1") is AgentState.AVAILABLE
    assert [e.state for e in h.events(AgentStateChanged)][-1] == "available"
    # the end of handling is still marked, so reports know the handle time is complete
    assert [e.wrap_up_s for e in h.events(AgentWrapUpEnded)] == [0.0]


def test_a_break_during_a_call_starts_after_wrap_up_and_blocks_offers(h: Harness) -> None:
    h.agent("a1")
    h.call("i1")
    h.answer("i1", "a1")
    h.router.set_not_ready(AgentId("a1"), "lunch", now=h.now)
    assert h.state("a1") is AgentState.BUSY
    h.call("i2")
    h.hang_up("i1")
    assert offers(h.advance(10)) == []
    snap = h.router.agent_snapshot(AgentId("a1"), now=h.now)
    assert (snap.state, snap.reason) == (AgentState.NOT_READY, "lunch")


def test_logout_during_work_happens_when_the_work_is_done(h: Harness) -> None:
    h.agent("a1")
    h.call("i1")
    h.answer("i1", "a1")
    h.router.logout(AgentId("a1"), now=h.now)
    h.hang_up("i1")
    h.advance(10)
    assert h.state("a1") is AgentState.LOGGED_OUT


def test_abandon_while_waiting_and_while_ringing(h: Harness) -> None:
    h.call("i1")
    h.advance(12)
    assert h.keep(h.router.abandon(WorkId("i1"), now=h.now)) == []
    abandoned = h.events(QueueAbandoned)[0]
    assert (abandoned.wait_s, abandoned.position, abandoned.while_ringing) == (12.0, 1, False)
    h.agent("a1")
    h.call("i2")
    h.advance(2)
    decisions = h.keep(h.router.abandon(WorkId("i2"), now=h.now))
    assert decisions == [CancelOffer(WorkId("i2"), AgentId("a1"), OfferEnd.CALLER_GONE)]
    assert h.state("a1") is AgentState.AVAILABLE  # no penalty for the caller's hang-up
    assert h.events(QueueAbandoned)[1].while_ringing is True
    assert h.router.next_timer() is None or h.router.next_timer() > h.now + 3600


def test_skills_and_minimum_proficiency_decide_who_may_take_it() -> None:
    h = Harness()
    h.queue("billing", skills={"billing": 5})
    h.agent("novice", {"billing": 4})
    h.agent("other", {"sales": 9})
    assert h.call("i1", "billing") == []
    assert offers(h.agent("expert", {"billing": 5})) == [("i1", "expert")]


def test_an_interactions_own_skills_add_to_the_queues() -> None:
    h = Harness()
    h.queue("q", skills={"billing": 1})
    h.agent("en", {"billing": 5, "en": 5})
    h.agent("zh", {"billing": 5, "zh": 5})
    h.router.set_not_ready(AgentId("en"), "break", now=h.now)
    assert h.call("i1", skills={"en": 3}) == []  # zh is free but does not speak English
    assert offers(h.keep(h.router.set_available(AgentId("en"), now=h.now))) == [("i1", "en")]
    assert h.events(QueueEntered)[0].skills == ("billing>=1", "en>=3")


def test_teams_restrict_a_queue() -> None:
    h = Harness()
    h.queue("q", teams=frozenset({"vip-desk"}))
    h.agent("a1", teams=["general"])
    assert h.call("i1") == []
    assert offers(h.agent("a2", teams=["vip-desk"])) == [("i1", "a2")]


def test_a_chat_agent_holds_several_chats_but_no_call_meanwhile() -> None:
    h = Harness()
    h.queue("chat", channel=Channel.CHAT)
    h.queue("voice")
    h.agent("a1", capacity={Channel.CHAT: 2, Channel.VOICE: 1})
    assert offers(h.call("c1", "chat")) == [("c1", "a1")]
    h.answer("c1", "a1")
    assert offers(h.call("c2", "chat")) == [("c2", "a1")]
    assert h.state("a1") is AgentState.BUSY
    assert h.call("c3", "chat") == []  # full
    assert h.call("v1", "voice") == []  # voice is exclusive
    h.answer("c2", "a1")
    h.hang_up("c1")
    h.hang_up("c2")
    h.advance(30)
    # both chats done: the older caller first, whichever channel
    assert offers(h.decisions[-1:]) == [("c3", "a1")]


def test_reconfiguring_an_agent_or_a_queue_reroutes_at_once() -> None:
    h = Harness()
    h.queue("q", skills={"billing": 5})
    h.agent("a1", {"billing": 3})
    assert h.call("i1") == []
    h.queue("q", skills={"billing": 3})
    assert offers(h.decisions[-1:]) == [("i1", "a1")]
    h.queue("q2", skills={"sales": 1})
    h.call("i2", "q2")
    h.answer("i1", "a1")
    h.hang_up("i1")
    h.advance(60)
    assert h.state("a1") is AgentState.AVAILABLE
    assert offers(h.agent("a1", {"billing": 3, "sales": 1}, ready=False)) == [("i2", "a1")]


def test_errors_name_what_is_wrong(h: Harness) -> None:
    h.agent("a1")
    with pytest.raises(UnknownQueue) as q:
        h.call("i1", "nope")
    assert q.value.code == "routing.queue.unknown"
    with pytest.raises(UnknownAgent):
        h.router.login(AgentId("ghost"), now=h.now)
    h.call("i1")
    with pytest.raises(DuplicateInteraction):
        h.call("i1")
    with pytest.raises(OfferNotPending):
        h.answer("i1", "ghost")
    with pytest.raises(IllegalAgentTransition):
        h.router.login(AgentId("a1"), now=h.now)
    with pytest.raises(UnknownInteraction):
        h.router.interaction_ended(WorkId("i1"), now=h.now)  # still ringing
    with pytest.raises(UnknownInteraction):
        h.router.abandon(WorkId("zzz"), now=h.now)
    with pytest.raises(QueueNotEmpty):
        h.router.remove_queue(QueueId("q"), now=h.now)
    with pytest.raises(AgentLoggedIn):
        h.router.remove_agent(AgentId("a1"), now=h.now)


def test_agents_and_queues_can_be_removed_when_idle(h: Harness) -> None:
    h.agent("a1", ready=False)
    h.router.remove_agent(AgentId("a1"), now=h.now)
    assert h.router.agent_ids() == []
    h.router.remove_queue(QueueId("q"), now=h.now)
    assert h.router.queue_ids() == []
