"""The lifecycle's small collaborators on their own ports: the dispatch table, the router link
(decisions in causal order, refusals logged), the registry, presence with its grace, a waiter's
outcome and preemption."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows.actions import Enqueue, QueueAnnouncements
from hotline.flows.inputs import QueueOutcome, QueueResult
from hotline.ids import AgentId, InteractionId, QueueId, TenantId, WorkId
from hotline.interactions import Contact, WorkItem, WorkKind
from hotline.interactions.dispatch import DecisionDispatch
from hotline.interactions.presence import Presence
from hotline.interactions.registry import ContactRegistry
from hotline.interactions.routerlink import RouterLink
from hotline.interactions.waits import Waiter
from hotline.routing import (
    AgentProfile,
    Announce,
    Offer,
    QueueConfig,
    Router,
    RouterSettings,
)
from hotline.tasks import TaskSet
from tests.unit.interactions.textchannel import TestChannel


def router() -> tuple[Router, FakeClock]:
    clock = FakeClock(1_800_000_000.0)
    r = Router(TenantId("t1"), ListSink(), settings=RouterSettings(wrap_up_s=0, tz=ZoneInfo("UTC")))
    r.configure_queue(QueueConfig(QueueId("q")), now=clock.now())
    for agent in ("a1", "a2"):
        r.configure_agent(AgentProfile(AgentId(agent)), now=clock.now())
    return r, clock


def test_the_dispatch_table_calls_one_handler_per_decision_type() -> None:
    dispatch = DecisionDispatch()
    seen: list[object] = []
    dispatch.on(Offer, seen.append)
    offer = Offer(WorkId("w"), AgentId("a"), QueueId("q"), "voice", 15.0, 1, 0)  # type: ignore[arg-type]
    dispatch.apply(offer)
    assert seen == [offer]
    with pytest.raises(LookupError):
        dispatch.apply(Announce(WorkId("w"), QueueId("q"), 1, None))


def test_the_router_link_applies_decisions_in_causal_order_without_reentering() -> None:
    r, clock = router()
    dispatch = DecisionDispatch()
    link = RouterLink(r, clock, dispatch)
    order: list[str] = []

    def offer(d: Offer) -> None:
        order.append(f"offer {d.work_id} {d.agent_id}")
        if d.work_id == "w1":  # a handler calling the router again queues behind
            link.call(lambda: r.enqueue(WorkId("w2"), QueueId("q"), now=clock.now()))
            order.append("w2 enqueued")

    dispatch.on(Offer, offer)
    link.call(lambda: r.login(AgentId("a1"), now=clock.now(), ready=True))
    link.call(lambda: r.login(AgentId("a2"), now=clock.now(), ready=True))
    link.call(lambda: r.enqueue(WorkId("w1"), QueueId("q"), now=clock.now()))
    assert order == ["offer w1 a1", "w2 enqueued", "offer w2 a2"]
    # a refusal (a stale answer) is logged, not raised
    assert not link.call(lambda: r.offer_answered(WorkId("w9"), AgentId("a1"), now=clock.now()))


def test_the_registry_finds_a_contact_by_its_work_items() -> None:
    registry = ContactRegistry()
    contact = Contact(InteractionId("c1"), tenant_id="t1", channel="chat", created_at=1.0)
    registry.add(contact)
    work = WorkItem(WorkId("w1"), contact.contact_id, WorkKind.QUEUE, QueueId("q"), 1.0)
    registry.add_work(work)
    assert registry.of_work("w1") is contact
    assert contact.works == {"w1": work}
    registry.remove(contact.contact_id)
    assert registry.of_work("w1") is None
    assert len(registry) == 0


def test_the_registry_counts_live_contacts_by_channel() -> None:
    registry = ContactRegistry()
    for n, channel in enumerate(["voice", "voice", "chat"]):
        registry.add(
            Contact(InteractionId(f"c{n}"), tenant_id="t", channel=channel, created_at=1.0)
        )
    registry.add(Contact(InteractionId("c0"), tenant_id="t", channel="voice", created_at=2.0))
    assert (registry.count("voice"), registry.count("chat"), registry.count("mail")) == (2, 1, 0)
    registry.remove(InteractionId("c1"))
    registry.remove(InteractionId("c1"))  # gone already: nothing changes
    assert registry.count("voice") == sum(1 for c in registry if c.channel == "voice") == 1


def test_presence_gives_back_availability_to_a_device_back_in_time() -> None:
    r, clock = router()
    link = RouterLink(r, clock, DecisionDispatch())
    presence = Presence(link, clock)
    a1 = AgentId("a1")
    presence.login(a1, ready=True)
    presence.reachable(a1, False, grace_s=60)
    assert presence.state(a1).value == "not_ready"
    clock.advance(30)
    presence.reachable(a1, True)
    assert presence.state(a1).value == "available"
    presence.reachable(a1, False, grace_s=60)
    clock.advance(61)
    presence.expire()
    presence.reachable(a1, True)  # too late: the agent decides when to be available again
    assert presence.state(a1).value == "not_ready"
    presence.reachable(a1, False)  # no grace (an unregistered SIP phone)
    presence.reachable(a1, True)
    assert presence.state(a1).value == "not_ready"


async def test_a_waiter_hands_over_an_outcome_or_keeps_it_for_the_busy_flow() -> None:
    tasks = TaskSet("test")
    contact = Contact(InteractionId("c1"), tenant_id="t1", channel="chat", created_at=0.0)

    class Events:
        def party_left(self, *_: object) -> None: ...
        def party_held(self, *_: object) -> None: ...
        def transfer_requested(self, *_: object) -> None: ...
        def agent_reachable(self, *_: object, **__: object) -> None: ...
        def customer_returned(self, *_: object) -> None: ...

    channel = TestChannel("chat", events=Events())
    work = WorkItem(WorkId("w1"), contact.contact_id, WorkKind.QUEUE, QueueId("q"), 0.0)
    waiter = Waiter(
        contact, work, channel=channel, tasks=tasks, every_s=45, position=lambda: (2, 30.0)
    )
    await waiter.start()
    assert channel.rooms[contact.contact_id].waiting_in == "q"
    pending = asyncio.ensure_future(waiter.wait(None, 0.0))
    await asyncio.sleep(0)
    assert waiter.flow_waiting
    waiter.resolve(QueueOutcome(QueueResult.ANSWERED, "a1"))
    assert (await pending).agent_id == "a1"
    await asyncio.sleep(0)
    assert waiter.closed

    # the flow is busy elsewhere (a callback offer): the queue's outcome preempts it
    announcements = QueueAnnouncements(True, True, 45.0, (), None)
    request = Enqueue(
        queue="q", priority=0, skills=(), announcements=announcements, max_wait=None,
        entered_at=0.0, language="zh-CN", offer_callback=True,
    )  # fmt: skip
    work2 = WorkItem(
        WorkId("w2"), contact.contact_id, WorkKind.QUEUE, QueueId("q"), 0.0, request=request
    )
    waiter2 = Waiter(
        contact, work2, channel=channel, tasks=tasks, every_s=45, position=lambda: None
    )
    waiter2.resolve(QueueOutcome(QueueResult.TIMEOUT))
    assert waiter2.preempted.is_set()
    assert (await waiter2.wait(None, 0.0)).result is QueueResult.TIMEOUT
    await tasks.cancel_all()
