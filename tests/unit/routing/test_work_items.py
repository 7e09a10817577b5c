"""Work items of one contact (ADR 0061): events name the contact and the work item, a transfer
never goes back to its transferor, the personal line, and wrap-up that waits for a required
disposition."""

from __future__ import annotations

import pytest

from hotline.ids import AgentId, InteractionId, QueueId, WorkId
from hotline.routing import PERSONAL_QUEUE, AgentNotFree, DispositionMissing, is_personal
from hotline.routing.agent_state import AgentState
from hotline.routing.decisions import DialCallback
from hotline.routing.events import (
    AgentStateChanged,
    AgentWrapUpEnded,
    AgentWrapUpOverrun,
    QueueAnswered,
    QueueEntered,
    QueueOffered,
)
from tests.unit.routing.harness import Harness, offers

CONTACT = InteractionId("contact-1")


@pytest.fixture
def h() -> Harness:
    h = Harness()
    h.queue("support", wrap_up_s=10.0)
    h.queue("billing", wrap_up_s=10.0, disposition_required=True)
    return h


def test_events_name_the_contact_and_carry_the_work_item(h: Harness) -> None:
    h.agent("a1")
    h.call("w1", "support", contact_id=CONTACT)
    h.answer("w1", "a1")
    h.hang_up("w1")
    h.advance(10)
    about_work = [
        e
        for e in h.sink.events
        if getattr(e, "work_id", None) is not None
        and not (isinstance(e, AgentStateChanged) and e.work_id is None)
    ]
    assert about_work
    assert {e.interaction_id for e in about_work} == {CONTACT}
    assert {getattr(e, "work_id", None) for e in about_work} == {"w1"}
    busy = [e for e in h.events(AgentStateChanged) if e.state is AgentState.BUSY]
    assert (busy[0].interaction_id, busy[0].work_id) == (CONTACT, "w1")


def test_without_a_contact_the_work_item_is_its_own_contact(h: Harness) -> None:
    h.agent("a1")
    h.call("w1", "support")
    (entered,) = h.events(QueueEntered)
    assert (entered.interaction_id, entered.work_id) == ("w1", "w1")


def test_a_second_work_item_of_the_same_contact_counts_in_its_own_queue(h: Harness) -> None:
    h.agent("a1")
    h.agent("a2")
    h.call("w1", "support", contact_id=CONTACT)
    (first,) = offers(h.decisions)
    h.answer("w1", first[1])
    # the agent transfers the contact to billing: a new work item, never back to the transferor
    h.hang_up("w1")
    h.keep(h.router.end_wrap_up(AgentId(first[1]), now=h.now))
    h.call("w2", "billing", contact_id=CONTACT, exclude=[AgentId(first[1])])
    second = offers(h.decisions)[-1]
    assert second[0] == "w2"
    assert second[1] != first[1]
    entered = h.events(QueueEntered)
    assert [(e.queue_id, e.work_id, e.interaction_id) for e in entered] == [
        ("support", "w1", CONTACT),
        ("billing", "w2", CONTACT),
    ]
    assert entered[1].excluded_agents == (first[1],)


def test_the_transferor_is_not_offered_even_when_alone(h: Harness) -> None:
    h.agent("a1")
    h.call("w1", "support", contact_id=CONTACT, exclude=[AgentId("a1")])
    assert offers(h.decisions) == []
    h.agent("a2")
    assert offers(h.decisions) == [("w1", "a2")]


def test_the_personal_line_offers_one_agent_and_is_not_a_queue(h: Harness) -> None:
    h.agent("a1")
    h.agent("a2")
    h.keep(
        h.router.route_to_agent(
            WorkId("w9"),
            AgentId("a2"),
            now=h.now,
            contact_id=CONTACT,
            rules_queue=QueueId("billing"),
        )
    )
    assert offers(h.decisions) == [("w9", "a2")]
    (entered,) = h.events(QueueEntered)
    assert entered.queue_id == PERSONAL_QUEUE
    assert is_personal(entered.queue_id)
    assert entered.target_agent_id == "a2"
    assert PERSONAL_QUEUE not in [q for q in h.router.queue_ids() if not is_personal(q)]
    # a missed personal offer does not make the agent not ready, nor rings it again: the
    # work item waits until whoever routed it gives up
    h.advance(20)
    assert h.state("a2") is AgentState.AVAILABLE
    assert [e.agent_id for e in h.events(QueueOffered)] == ["a2"]


def test_a_personal_work_item_follows_its_rules_queue_at_wrap_up(h: Harness) -> None:
    h.agent("a2")
    h.keep(
        h.router.route_to_agent(
            WorkId("w9"), AgentId("a2"), now=h.now, rules_queue=QueueId("billing")
        )
    )
    h.answer("w9", "a2")
    h.hang_up("w9")
    h.advance(11)
    assert h.state("a2") is AgentState.WRAP_UP  # billing wants a disposition
    assert len(h.events(AgentWrapUpOverrun)) == 1


def test_wrap_up_timer_without_a_required_disposition_overruns(h: Harness) -> None:
    h.agent("a1")
    h.call("w1", "billing", contact_id=CONTACT)
    h.answer("w1", "a1")
    h.hang_up("w1")
    h.advance(10.5)
    assert h.state("a1") is AgentState.WRAP_UP
    (overrun,) = h.events(AgentWrapUpOverrun)
    assert (overrun.interaction_id, overrun.work_id, overrun.queue_id) == (CONTACT, "w1", "billing")
    assert overrun.due_at == pytest.approx(h.now - 0.5)
    with pytest.raises(DispositionMissing) as refused:
        h.router.set_available(AgentId("a1"), now=h.now)
    assert refused.value.code == "routing.wrap_up.disposition_required"
    with pytest.raises(DispositionMissing):
        h.router.end_wrap_up(AgentId("a1"), now=h.now)
    assert h.state("a1") is AgentState.WRAP_UP
    h.advance(30)
    h.keep(h.router.record_disposition(AgentId("a1"), WorkId("w1"), now=h.now))
    assert h.state("a1") is AgentState.AVAILABLE
    (ended,) = h.events(AgentWrapUpEnded)
    assert ended.overrun_s == pytest.approx(30.5)


def test_a_disposition_saved_in_time_lets_the_timer_end_wrap_up(h: Harness) -> None:
    h.agent("a1")
    h.call("w1", "billing")
    h.answer("w1", "a1")
    h.keep(h.router.record_disposition(AgentId("a1"), WorkId("w1"), now=h.now))
    h.hang_up("w1")
    h.advance(10)
    assert h.state("a1") is AgentState.AVAILABLE
    assert h.events(AgentWrapUpOverrun) == []
    (ended,) = h.events(AgentWrapUpEnded)
    assert ended.overrun_s == 0.0


def test_queues_without_the_rule_end_wrap_up_on_the_timer(h: Harness) -> None:
    h.agent("a1")
    h.call("w1", "support")
    h.answer("w1", "a1")
    h.hang_up("w1")
    h.keep(h.router.set_available(AgentId("a1"), now=h.now))
    h.advance(10)
    assert h.state("a1") is AgentState.AVAILABLE
    assert len(h.events(QueueAnswered)) == 1


def test_an_outbound_call_reserves_a_not_ready_agent_and_resumes_its_presence(h: Harness) -> None:
    h.agent("a1", ready=False)
    h.keep(h.router.login(AgentId("a1"), now=h.now))
    out = h.keep(h.router.assign_outbound(WorkId("o1"), AgentId("a1"), "13800138000", now=h.now))
    (dial,) = [d for d in out if isinstance(d, DialCallback)]
    assert (dial.work_id, dial.agent_id, dial.number) == ("o1", "a1", "13800138000")
    assert h.state("a1") is AgentState.RESERVED
    h.call("w1", "support")  # an inbound call is not offered to the reserved agent
    assert offers(h.decisions) == []
    h.answer("o1", "a1")
    assert h.state("a1") is AgentState.BUSY
    h.hang_up("o1")
    h.advance(31)
    assert h.state("a1") is AgentState.NOT_READY


def test_an_outbound_call_is_refused_to_a_busy_or_logged_out_agent(h: Harness) -> None:
    h.agent("a1", ready=False)
    with pytest.raises(AgentNotFree):
        h.router.assign_outbound(WorkId("o1"), AgentId("a1"), "138", now=h.now)
    h.keep(h.router.login(AgentId("a1"), now=h.now, ready=True))
    h.call("w1", "support")
    with pytest.raises(AgentNotFree):
        h.router.assign_outbound(WorkId("o2"), AgentId("a1"), "138", now=h.now)


def test_an_outbound_call_not_reached_frees_the_agent(h: Harness) -> None:
    h.agent("a1")
    h.keep(h.router.assign_outbound(WorkId("o1"), AgentId("a1"), "138", now=h.now))
    h.keep(h.router.callback_failed(WorkId("o1"), now=h.now, reason="busy"))
    assert h.state("a1") is AgentState.AVAILABLE
