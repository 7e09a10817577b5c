"""Overflow steps, callbacks that keep their place, position and EWT, snapshots, reconcile."""

from __future__ import annotations

import pytest

from hotline.ids import AgentId, QueueId, WorkId
from hotline.routing.agent_state import AgentState, WorkPhase
from hotline.routing.capacity import Channel
from hotline.routing.decisions import (
    Announce,
    CancelOffer,
    DialCallback,
    OfferCallback,
    OfferEnd,
    Overflow,
)
from hotline.routing.errors import (
    CallbackRefused,
    InvalidRoutingConfig,
    InvalidRoutingInput,
    UnknownAgent,
)
from hotline.routing.events import (
    QueueAnswered,
    QueueCallbackFailed,
    QueueCallbackRequested,
    QueueEntered,
    QueueExited,
    QueueOverflowed,
)
from hotline.routing.overflow import OverflowAction, OverflowStep
from hotline.routing.queues import Destination, DestinationKind
from hotline.routing.snapshots import (
    AgentFacts,
    LiveWork,
    ReconcileSnapshot,
    WaitingFacts,
)
from tests.unit.routing.harness import Harness, of_type, offers

A = OverflowAction


def test_widening_skills_after_a_while_brings_in_more_agents() -> None:
    h = Harness()
    h.queue(
        "q", skills={"billing": 5, "en": 5}, overflow=(OverflowStep(30, A.WIDEN_SKILLS, ("en",)),)
    )
    h.agent("zh", {"billing": 6, "zh": 9})
    h.call("i1")
    assert offers(h.advance(29)) == []
    decisions = h.advance(1)
    assert decisions[0] == Overflow(
        WorkId("i1"), QueueId("q"), 0, "widen_skills", "en", False, None
    )
    assert offers(decisions) == [("i1", "zh")]
    assert h.events(QueueOverflowed)[0].wait_s == 30.0


def test_lowering_proficiency_after_a_while() -> None:
    h = Harness()
    h.queue(
        "q", skills={"billing": 8}, overflow=(OverflowStep(20, A.LOWER_PROFICIENCY, proficiency=4),)
    )
    h.agent("junior", {"billing": 4})
    h.call("i1")
    assert offers(h.advance(20)) == [("i1", "junior")]


def test_adding_a_queue_lets_its_agents_answer_while_the_caller_keeps_its_place() -> None:
    h = Harness()
    h.queue(
        "sales",
        skills={"sales": 1},
        overflow=(OverflowStep(60, A.ADD_QUEUE, queue_id=QueueId("support")),),
    )
    h.queue("support", skills={"support": 1}, wrap_up_s=0.0)
    h.agent("s1", {"support": 3})
    h.call("x", "support")
    h.answer("x", "s1")
    h.call("i1", "sales")
    h.advance(60)
    h.advance(1)
    h.call("later", "support")  # entered after i1 entered sales
    assert offers(h.hang_up("x")) == [("i1", "s1")]
    h.answer("i1", "s1")
    answered = h.events(QueueAnswered)[-1]
    assert (answered.queue_id, answered.via_queue_id) == ("sales", "support")


def test_offering_a_callback_then_keeping_the_place_in_line() -> None:
    h = Harness()
    h.queue("q", overflow=(OverflowStep(45, A.OFFER_CALLBACK),), wrap_up_s=0.0)
    h.agent("a")
    h.call("busy")
    h.answer("busy", "a")
    h.call("i1")
    h.advance(5)
    h.call("i2")
    decisions = h.advance(40)
    callbacks = of_type(decisions, OfferCallback)
    assert [(c.work_id, c.position) for c in callbacks] == [("i1", 1)]
    h.keep(h.router.request_callback(WorkId("i1"), "+8613800000000", now=h.now))
    requested = h.events(QueueCallbackRequested)[0]
    assert (requested.wait_s, requested.number) == (45.0, "+8613800000000")
    assert of_type(h.advance(5), OfferCallback) == [
        OfferCallback(WorkId("i2"), QueueId("q"), 2, 2 * 180.0)  # 2 × AHT / 1 agent
    ]
    h.advance(100)
    decisions = h.hang_up("busy")
    assert of_type(decisions, DialCallback) == [
        DialCallback(WorkId("i1"), AgentId("a"), QueueId("q"), "+8613800000000", 15.0)
    ]
    h.advance(20)
    h.answer("i1", "a")
    answered = h.events(QueueAnswered)[-1]
    assert answered.callback is True
    assert answered.wait_s == 170.0  # SL counts from entry to the answered callback


def test_a_failed_callback_frees_the_agent_and_leaves() -> None:
    h = Harness()
    h.queue("q")
    h.call("i1")
    h.router.request_callback(WorkId("i1"), "100", now=h.now)
    assert of_type(h.agent("a"), DialCallback)
    h.router.callback_failed(WorkId("i1"), now=h.now, reason="busy")
    assert h.state("a") is AgentState.AVAILABLE
    assert h.events(QueueCallbackFailed)[0].reason == "busy"
    h.router.set_not_ready(AgentId("a"), "x", now=h.now)
    h.call("i2")
    with pytest.raises(InvalidRoutingInput):
        h.router.request_callback(WorkId("i2"), "", now=h.now)


def test_callbacks_are_refused_where_the_queue_does_not_offer_them() -> None:
    h = Harness()
    h.queue("q", callbacks=False)
    h.call("i1")
    with pytest.raises(CallbackRefused) as info:
        h.router.request_callback(WorkId("i1"), "100", now=h.now)
    assert info.value.code == "routing.callback.refused"


def test_voicemail_and_transfer_steps_take_the_caller_out() -> None:
    h = Harness()
    h.queue(
        "q",
        overflow=(
            OverflowStep(30, A.OFFER_CALLBACK),
            OverflowStep(60, A.VOICEMAIL, target="box-7"),
            OverflowStep(90, A.TRANSFER, target="+861010000"),
        ),
    )
    h.call("i1")
    h.call("cb")
    h.router.request_callback(WorkId("cb"), "100", now=h.now)
    decisions = h.advance(60)
    assert [d.work_id for d in of_type(decisions, OfferCallback)] == ["i1"]
    leaving = [d for d in of_type(decisions, Overflow) if d.left_queue]
    assert leaving == [
        Overflow(
            WorkId("i1"),
            QueueId("q"),
            1,
            "voicemail",
            "box-7",
            True,
            Destination(DestinationKind.VOICEMAIL, "box-7"),
        )
    ]
    assert of_type(h.advance(60), Overflow) == []  # a callback is not sent to voicemail
    assert h.router.queue_snapshot(QueueId("q"), now=h.now).callbacks == 1


def test_a_leaving_step_never_pulls_a_call_off_a_ringing_phone() -> None:
    h = Harness()
    h.queue("q", overflow=(OverflowStep(10, A.VOICEMAIL),), ring_timeout_s=20.0)
    h.call("i1")
    h.advance(5)
    h.agent("a")
    assert of_type(h.advance(10), Overflow) == []


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"after_s": -1, "action": A.VOICEMAIL}, "after_s"),
        ({"after_s": 5, "action": A.LOWER_PROFICIENCY}, "proficiency"),
        ({"after_s": 5, "action": A.ADD_QUEUE}, "queue_id"),
        ({"after_s": 5, "action": A.TRANSFER}, "target"),
    ],
)
def test_bad_overflow_steps_name_the_field(step: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRoutingConfig) as info:
        OverflowStep(**step)  # type: ignore[arg-type]
    assert info.value.details["field"] == field


def test_overflow_steps_must_be_in_time_order() -> None:
    h = Harness()
    with pytest.raises(InvalidRoutingConfig):
        h.queue("q", overflow=(OverflowStep(60, A.VOICEMAIL), OverflowStep(30, A.OFFER_CALLBACK)))


def test_position_and_ewt_are_announced_on_entry_and_repeated() -> None:
    h = Harness()
    h.queue("q", announce_first_s=0.0, announce_every_s=60.0, expected_aht_s=120.0)
    h.agent("a")
    h.agent("b")
    h.call("x")
    h.call("y")
    h.answer("x", "a")
    h.answer("y", "b")
    assert h.call("i1") == [Announce(WorkId("i1"), QueueId("q"), 1, 60.0)]
    assert h.events(QueueEntered)[-1].ewt_s == 60.0  # 1 × 120 s / 2 agents
    h.advance(1)
    h.call("i2")
    assert h.decisions[-1] == Announce(WorkId("i2"), QueueId("q"), 2, 120.0)
    assert of_type(h.advance(59), Announce) == [Announce(WorkId("i1"), QueueId("q"), 1, 60.0)]
    snap = h.router.waiting_snapshot(WorkId("i2"), now=h.now)
    assert (snap.position, snap.wait_s, snap.ewt_s, snap.ringing) == (2, 59.0, 120.0, False)


def test_entry_ewt_is_zero_when_an_agent_is_free_and_unknown_when_none_serve() -> None:
    h = Harness()
    h.queue("q")
    h.queue("empty", skills={"nobody": 1})
    h.agent("a")
    h.call("i1")
    assert h.events(QueueEntered)[0].ewt_s == 0.0
    h.call("i2", "empty")
    assert h.events(QueueEntered)[1].ewt_s is None


def test_the_handle_time_average_learns_from_answered_calls() -> None:
    h = Harness()
    h.queue("q", expected_aht_s=100.0, wrap_up_s=20.0)
    h.agent("a")
    for n in range(30):
        h.call(f"i{n}")
        h.answer(f"i{n}", "a")
        h.advance(280)
        h.hang_up(f"i{n}")
        h.advance(20)
    # the seed (100 s) is nearly forgotten after 30 calls of 300 s
    assert h.router.queue_snapshot(QueueId("q"), now=h.now).aht_s == pytest.approx(300.0, rel=0.03)


def test_queue_and_agent_snapshots_for_the_wallboard() -> None:
    h = Harness()
    h.queue("q", skills={"s": 1})
    h.agent("a", {"s": 1})
    h.agent("b", {"s": 1})
    h.agent("c", {"s": 1}, ready=False)
    h.router.login(AgentId("c"), now=h.now)
    h.call("i1")
    h.answer("i1", "a")
    h.call("i2")
    h.advance(10)
    h.call("i3")
    h.advance(4)
    snap = h.router.queue_snapshot(QueueId("q"), now=h.now)
    assert (snap.waiting, snap.ringing, snap.longest_wait_s) == (2, 1, 14.0)
    assert dict(snap.agents) == {
        AgentState.BUSY: 1,
        AgentState.RESERVED: 1,
        AgentState.NOT_READY: 1,
    }
    assert snap.staffed == 2
    agent = h.router.agent_snapshot(AgentId("a"), now=h.now)
    assert agent.current_interaction == "i1"
    assert agent.work[0].phase is WorkPhase.CONNECTED


def test_remove_takes_an_interaction_out_and_stops_its_ringing() -> None:
    h = Harness()
    h.queue("q")
    h.agent("a")
    h.call("i1")
    decisions = h.keep(h.router.remove(WorkId("i1"), now=h.now, reason="moved"))
    assert decisions == [CancelOffer(WorkId("i1"), AgentId("a"), OfferEnd.WITHDRAWN)]
    assert h.events(QueueExited)[0].reason == "moved"
    assert h.state("a") is AgentState.AVAILABLE


def test_reconcile_rebuilds_agents_and_queues_from_the_facts() -> None:
    h = Harness()
    h.queue("q", wrap_up_s=30.0)
    for name in ("talking", "wrapping", "ready", "gone", "deaf"):
        h.agent(name, ready=False)
    h.call("stale")
    t0 = h.now
    h.advance(100)
    snapshot = ReconcileSnapshot(
        agents=(
            AgentFacts(
                AgentId("talking"),
                AgentState.AVAILABLE,
                work=(
                    LiveWork(WorkId("c1"), QueueId("q"), Channel.VOICE, WorkPhase.CONNECTED, t0),
                ),
                handled_today=4,
            ),
            AgentFacts(
                AgentId("wrapping"),
                AgentState.NOT_READY,
                "lunch",
                work=(
                    LiveWork(
                        WorkId("c2"),
                        QueueId("q"),
                        Channel.VOICE,
                        WorkPhase.WRAP_UP,
                        h.now - 10,
                    ),
                ),
            ),
            AgentFacts(AgentId("ready"), AgentState.NOT_READY, "break"),
            AgentFacts(AgentId("deaf"), AgentState.AVAILABLE, reachable=False),
        ),
        waiting=(
            WaitingFacts(WorkId("w2"), QueueId("q"), entered_at=t0 + 50),
            WaitingFacts(WorkId("w1"), QueueId("q"), entered_at=t0 + 20),
        ),
    )
    assert h.keep(h.router.reconcile(snapshot, now=h.now)) == []
    assert h.state("talking") is AgentState.BUSY
    assert h.state("wrapping") is AgentState.WRAP_UP
    assert h.state("gone") is AgentState.LOGGED_OUT
    deaf = h.router.agent_snapshot(AgentId("deaf"), now=h.now)
    assert (deaf.state, deaf.reason) == (AgentState.NOT_READY, "unreachable")
    assert [e.reason for e in h.events(QueueExited)] == ["reconciled"]  # "stale" is gone
    assert h.router.waiting_snapshot(WorkId("w1"), now=h.now).position == 1
    # wrap-up resumes on its original clock, then the lunch the agent had asked for
    h.advance(20)
    snap = h.router.agent_snapshot(AgentId("wrapping"), now=h.now)
    assert (snap.state, snap.reason) == (AgentState.NOT_READY, "lunch")
    # the oldest waiting caller goes to the first agent who becomes available
    assert offers(h.keep(h.router.set_available(AgentId("ready"), now=h.now))) == [("w1", "ready")]
    assert h.router.agent_snapshot(AgentId("talking"), now=h.now).handled_today == 4


def test_reconcile_refuses_impossible_facts_before_changing_anything() -> None:
    h = Harness()
    h.queue("q")
    h.agent("a")
    with pytest.raises(UnknownAgent):
        h.router.reconcile(
            ReconcileSnapshot(agents=(AgentFacts(AgentId("x"), AgentState.AVAILABLE),)), now=h.now
        )
    with pytest.raises(InvalidRoutingConfig):
        h.router.reconcile(
            ReconcileSnapshot(agents=(AgentFacts(AgentId("a"), AgentState.BUSY),)), now=h.now
        )
    assert h.state("a") is AgentState.AVAILABLE
