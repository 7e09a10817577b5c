"""The desks' read model alone: events in, each agent's desk out — no runtime, no phones."""

from __future__ import annotations

from hotline.events import DomainEvent, EventRecord
from hotline.interactions import (
    AgentMuted,
    AgentPhoneBound,
    DeskBoard,
    InteractionConsultEnded,
    InteractionConsultStarted,
    InteractionCreated,
)
from hotline.routing import AgentState, Channel
from hotline.routing.events import (
    AgentInteractionEnded,
    AgentStateChanged,
    AgentWrapUpEnded,
    AgentWrapUpOverrun,
    QueueAnswered,
    QueueEntered,
    QueueOffered,
)
from hotline.sip.events import Unregistered

T, C = "t1", "contact-1"


def state(at: float, agent: str, to: AgentState, work: str | None = None) -> DomainEvent:
    return AgentStateChanged(
        tenant_id=T, at=at, agent_id=agent, interaction_id=C if work else None, work_id=work,
        state=to, previous=AgentState.AVAILABLE,
    )  # fmt: skip


def offered(at: float, agent: str, work: str, queue: str = "support") -> DomainEvent:
    return QueueOffered(
        tenant_id=T, at=at, agent_id=agent, interaction_id=C, work_id=work, queue_id=queue,
        via_queue_id=queue, priority=0, wait_s=0.0, attempt=1, ring_timeout_s=15.0,
    )  # fmt: skip


def answered(at: float, agent: str, work: str, queue: str = "support") -> DomainEvent:
    return QueueAnswered(
        tenant_id=T, at=at, agent_id=agent, interaction_id=C, work_id=work, queue_id=queue,
        via_queue_id=queue, channel=Channel.VOICE, priority=0, wait_s=3.0, sl_threshold_s=20.0,
    )  # fmt: skip


def board_with(*events: DomainEvent) -> DeskBoard:
    board = DeskBoard()
    board.apply(
        InteractionCreated(
            tenant_id=T, at=0.0, interaction_id=C, channel="voice", direction="inbound",
            caller_number="13800138000", caller_name=None, did="4001", customer_id=None,
            vip_level=None, flow="main", flow_version=1,
        )
    )  # fmt: skip
    board.apply(
        QueueEntered(
            tenant_id=T, at=0.0, interaction_id=C, work_id="w1", queue_id="support",
            channel=Channel.VOICE, priority=0, skills=(),
        )
    )  # fmt: skip
    board.apply_all(events)
    return board


def test_ringing_connected_consulting_and_a_conference() -> None:
    board = board_with(
        AgentPhoneBound(tenant_id=T, at=0.0, agent_id="a1", kind="sip", address="1001"),
        offered(1.0, "a1", "w1"),
    )
    view = board.view(T, "a1")
    assert view.current is not None
    assert (view.current.phase, view.current.customer_number) == ("ringing", "13800138000")
    assert view.phone is not None
    assert (view.phone.kind, view.phone.address, view.phone.connected) == ("sip", "1001", True)
    board.apply(answered(2.0, "a1", "w1"))
    board.apply(AgentMuted(tenant_id=T, at=2.5, interaction_id=C, agent_id="a1", muted=True))
    view = board.view(T, "a1")
    assert view.current is not None
    assert (view.current.phase, view.current.work_id, view.current.muted) == (
        "connected",
        "w1",
        True,
    )
    board.apply(
        InteractionConsultStarted(
            tenant_id=T, at=3.0, interaction_id=C, agent_id="a1", work_id="w2",
            from_work_id="w1", target="a2", target_kind="agent",
        )
    )  # fmt: skip
    board.apply(offered(3.1, "a2", "w2", queue="@agent"))
    consult = board.view(T, "a1").current
    assert consult is not None
    assert consult.phase == "consulting"
    assert consult.consult is not None
    assert consult.consult.phase == "ringing"
    pop = board.view(T, "a2").current
    assert pop is not None
    assert (pop.interaction_id, pop.queue_id) == (C, "support")  # not the personal line
    board.apply(answered(4.0, "a2", "w2", queue="@agent"))
    consulting = board.view(T, "a1").current
    assert consulting is not None
    assert consulting.consult is not None
    assert consulting.consult.phase == "connected"
    board.apply(
        InteractionConsultEnded(
            tenant_id=T, at=5.0, interaction_id=C, agent_id="a1", work_id="w2",
            result="conference",
        )
    )  # fmt: skip
    for agent in ("a1", "a2"):
        current = board.view(T, agent).current
        assert current is not None
        assert current.phase == "conference"


def test_wrap_up_with_its_timer_and_an_overrun_then_done() -> None:
    board = board_with(offered(1.0, "a1", "w1"), answered(2.0, "a1", "w1"))
    board.apply(
        AgentInteractionEnded(
            tenant_id=T, at=10.0, interaction_id=C, agent_id="a1", work_id="w1",
            queue_id="support", channel=Channel.VOICE, talk_s=8.0, wrap_up_ends_at=40.0,
        )
    )  # fmt: skip
    board.apply(state(10.0, "a1", AgentState.WRAP_UP, "w1"))
    view = board.view(T, "a1")
    assert view.state == "wrap_up"
    assert view.wrap_up is not None
    assert (view.wrap_up.work_id, view.wrap_up.ends_at, view.wrap_up.overrun_since) == (
        "w1",
        40.0,
        None,
    )
    board.apply(
        AgentWrapUpOverrun(
            tenant_id=T, at=41.0, interaction_id=C, agent_id="a1", work_id="w1",
            queue_id="support", due_at=40.0,
        )
    )  # fmt: skip
    view = board.view(T, "a1")
    assert view.wrap_up is not None
    assert view.wrap_up.overrun_since == 40.0
    board.apply(
        AgentWrapUpEnded(
            tenant_id=T, at=60.0, interaction_id=C, agent_id="a1", work_id="w1",
            queue_id="support", channel=Channel.VOICE, wrap_up_s=50.0, by_agent=True,
            overrun_s=20.0,
        )
    )  # fmt: skip
    board.apply(state(60.0, "a1", AgentState.AVAILABLE))
    view = board.view(T, "a1")
    assert (view.state, view.current, view.wrap_up) == ("available", None, None)


def test_a_record_from_the_log_reads_like_the_event() -> None:
    event = offered(1.0, "a1", "w1")
    record = EventRecord(
        tenant_id=T, seq=7, at=1.0, type=event.type, interaction_id=C, leg_id=None,
        agent_id="a1", payload=event.payload(),
    )  # fmt: skip
    a, b = board_with(event), board_with()
    b.apply(record)
    assert a.view(T, "a1") == b.view(T, "a1")


def test_changes_name_the_desks_an_event_touched() -> None:
    board = board_with(
        AgentPhoneBound(tenant_id=T, at=0.0, agent_id="a1", kind="sip", address="1001")
    )
    board.take_changed()
    board.apply(Unregistered(tenant_id=T, at=1.0, aor="1001", contact="sip:x", reason="expired"))
    assert board.take_changed() == {(T, "a1")}
    view = board.view(T, "a1")
    assert view.phone is not None
    assert not view.phone.connected
    board.apply(offered(2.0, "a2", "w1"))
    assert board.take_changed() == {(T, "a2")}
    board.forget_work(T)  # after a restart the router reconciles: no phantom offers
    assert board.view(T, "a2").current is None


def test_a_chat_taken_during_a_call_sits_beside_it_and_the_call_stays_current() -> None:
    """ADR 0224: the desk's `current` is its call; a chat answered after it is one of `texts`."""
    chat = "chat-1"
    board = board_with(offered(1.0, "a1", "w1"), answered(2.0, "a1", "w1"))
    board.apply(
        InteractionCreated(
            tenant_id=T, at=3.0, interaction_id=chat, channel="chat", direction="inbound",
            caller_number=None, caller_name="Ann", did=None, customer_id=None, vip_level=None,
            flow=None, flow_version=None,
        )
    )  # fmt: skip
    board.apply(
        QueueEntered(
            tenant_id=T, at=3.0, interaction_id=chat, work_id="c1", queue_id="webchat",
            channel=Channel.CHAT, priority=0, skills=(),
        )
    )  # fmt: skip
    board.apply(
        QueueOffered(
            tenant_id=T, at=4.0, agent_id="a1", interaction_id=chat, work_id="c1",
            queue_id="webchat", via_queue_id="webchat", priority=0, wait_s=1.0, attempt=1,
            ring_timeout_s=15.0,
        )
    )  # fmt: skip
    view = board.view(T, "a1")
    assert view.current is not None
    assert (view.current.interaction_id, view.current.phase) == (C, "connected")
    assert [(t.interaction_id, t.channel, t.phase) for t in view.texts] == [
        (chat, "chat", "ringing")
    ]
    board.apply(
        QueueAnswered(
            tenant_id=T, at=5.0, agent_id="a1", interaction_id=chat, work_id="c1",
            queue_id="webchat", via_queue_id="webchat", channel=Channel.CHAT, priority=0,
            wait_s=2.0, sl_threshold_s=20.0,
        )
    )  # fmt: skip
    view = board.view(T, "a1")
    assert view.current is not None
    assert (view.current.interaction_id, view.current.work_id) == (C, "w1")
    assert [(t.interaction_id, t.phase, t.queue_id) for t in view.texts] == [
        (chat, "connected", "webchat")
    ]
    board.apply(
        AgentInteractionEnded(
            tenant_id=T, at=9.0, interaction_id=chat, agent_id="a1", work_id="c1",
            queue_id="webchat", channel=Channel.CHAT, talk_s=4.0, wrap_up_ends_at=None,
        )
    )  # fmt: skip
    view = board.view(T, "a1")
    assert view.current is not None
    assert (view.current.interaction_id, view.current.phase) == (C, "connected")
    assert view.wrap_up is not None
    assert view.wrap_up.interaction_id == chat  # the chat's wrap-up, the call going on
    assert [t.phase for t in view.texts] == ["wrap_up"]


def test_a_chat_alone_is_no_call() -> None:
    board = DeskBoard()
    board.apply(
        InteractionCreated(
            tenant_id=T, at=0.0, interaction_id="chat-2", channel="sms", direction="inbound",
            caller_number="13800138000", caller_name=None, did=None, customer_id=None,
            vip_level=None, flow=None, flow_version=None,
        )
    )  # fmt: skip
    board.apply(
        QueueOffered(
            tenant_id=T, at=1.0, agent_id="a1", interaction_id="chat-2", work_id="s1",
            queue_id="sms", via_queue_id="sms", priority=0, wait_s=0.0, attempt=1,
            ring_timeout_s=15.0,
        )
    )  # fmt: skip
    view = board.view(T, "a1")
    assert view.current is None
    assert [(t.channel, t.phase) for t in view.texts] == [("sms", "ringing")]
