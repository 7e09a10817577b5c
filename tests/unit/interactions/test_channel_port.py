"""The `Channel` port carries more than voice (issue 10): the same lifecycle, router and flow
interpreter serve a chat-like channel (synchronous), an e-mail-like one (parked for days and
resumed) and contacts the centre starts itself (outbound) — with a test-only channel, no calls,
no media."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId, QueueId, TenantId
from hotline.interactions import (
    CUSTOMER,
    Arrival,
    Capability,
    ContactCenter,
    ContactState,
    InMemoryCustomerDirectory,
    Origin,
)
from hotline.routing import AgentProfile, QueueConfig, Router, RouterSettings
from tests.unit.interactions.harness import WEDNESDAY_10AM_SHANGHAI, until
from tests.unit.interactions.textchannel import TestChannel

CHAT_FLOW = Path(__file__).resolve().parents[3] / "examples" / "flows" / "web-chat.yaml"
TENANT = "t1"
DAY = 86_400.0


@dataclass
class Kit:
    center: ContactCenter
    channel: TestChannel
    clock: FakeClock
    sink: ListSink

    def types(self) -> list[str]:
        return self.sink.types()

    def of(self, kind: str) -> list[object]:
        return [e for e in self.sink.events if e.type == kind]

    def state(self, agent: str) -> str:
        return self.center.router.agent_snapshot(AgentId(agent), now=self.clock.now()).state.value

    async def offered(self, agent: str) -> None:
        await until(lambda: self.channel.ringing(agent) is not None)


def kit(name: str, capabilities: frozenset[Capability] = frozenset()) -> Kit:
    clock = FakeClock(WEDNESDAY_10AM_SHANGHAI)
    sink = ListSink()
    router = Router(
        TenantId(TENANT),
        sink,
        settings=RouterSettings(ring_timeout_s=15, wrap_up_s=0, tz=ZoneInfo("Asia/Shanghai")),
    )
    center = ContactCenter(
        TENANT, router, clock=clock, sink=sink, customers=InMemoryCustomerDirectory()
    )
    channel = TestChannel(name, capabilities, events=center)
    center.add_channel(channel)
    center.configure_queue(QueueConfig(QueueId("support"), skills={"售后": 1}))
    center.configure_queue(QueueConfig(QueueId("sales"), skills={"售前": 1}))
    for agent in ("a1", "a2"):
        center.configure_agent(AgentProfile(AgentId(agent), {"售后": 5, "售前": 5}))
        center.login(AgentId(agent), ready=True)
    return Kit(center, channel, clock, sink)


def first(items: list[object], where: Callable[[object], bool]) -> object:
    return next(i for i in items if where(i))


async def test_a_chat_runs_its_text_flow_waits_in_the_queue_and_reaches_an_agent() -> None:
    k = kit("chat")
    flows = FlowService(InMemoryFlowRepository(), k.sink, k.clock)
    version = await flows.publish(TENANT, parse_flow(read_flow_file(CHAT_FLOW)))
    contact_id = k.center.new_contact_id()
    k.channel.room(contact_id)
    contact = await k.center.arrive(
        contact_id,
        Arrival("chat", caller_number=None, caller_name="访客", language="zh-CN"),
        flows.programs.get(version),
    )
    room = k.channel.rooms[contact_id]
    # no knowledge bot in this center: the bot node hands off after the first question
    await until(lambda: any("智能客服" in t for t in room.to_customer))
    k.channel.customer_says(contact_id, "我的快递到哪了")
    await until(lambda: any("请留下手机号或订单号" in t for t in room.to_customer))
    k.channel.customer_says(contact_id, "0")
    await k.offered("a1")
    assert contact.state is ContactState.QUEUED
    assert "waiting:support" in room.to_customer
    k.channel.take("a1")
    await until(lambda: contact.state is ContactState.CONNECTED)
    assert k.channel.heard_by(contact_id, CUSTOMER) == {"a1"}
    assert k.state("a1") == "busy"
    # the agent closes the chat: the flow's survey follows, then the contact ends
    k.channel.agent_leaves(contact_id, "a1")
    await until(lambda: any("请为本次服务打分" in t for t in room.to_customer))
    k.channel.customer_says(contact_id, "5")
    await until(lambda: contact.ended.is_set())
    (created,) = k.of("interaction.created")
    assert created.channel == "chat"  # type: ignore[attr-defined]
    (ended,) = k.of("interaction.ended")
    assert ended.reason == "completed"  # type: ignore[attr-defined]
    (survey,) = k.of("flow.survey_answered")
    assert (survey.agent_id, survey.rating) == ("a1", 5)  # type: ignore[attr-defined]
    assert k.state("a1") == "available"


async def test_an_email_is_parked_for_days_and_resumed_by_the_customer_reply() -> None:
    k = kit("email", frozenset({Capability.PARK}))
    contact_id = k.center.new_contact_id()
    k.channel.room(contact_id)
    contact = await k.center.arrive(
        contact_id, Arrival("email", caller_number=None, caller_name="wang@example.cn"), None
    )
    assert await k.center.route(contact, QueueId("support"))
    await k.offered("a1")
    k.channel.take("a1")
    await until(lambda: contact.state is ContactState.CONNECTED)
    first_segment = contact.last_segment
    await k.center.park(AgentId("a1"))
    assert contact.state is ContactState.PARKED
    assert k.state("a1") == "available"  # its segment is over; it takes other work
    k.clock.advance(3 * DAY)
    k.center.fire_due()
    assert not contact.ended.is_set()  # days later the contact still waits

    k.channel.customer_returns(contact_id, "还是不行")
    await k.offered("a1")  # back in its queue; the same agent is free and offered it
    k.channel.take("a1")
    await until(lambda: contact.state is ContactState.CONNECTED)
    assert contact.last_segment != first_segment  # a second segment of the same contact
    await k.center.close(AgentId("a1"))
    await until(lambda: contact.ended.is_set())
    assert [e.type for e in k.sink.events if e.type.startswith("interaction.")] == [
        "interaction.created",
        "interaction.parked",
        "interaction.resumed",
        "interaction.ended",
    ]
    answered = k.of("queue.answered")
    assert len(answered) == 2
    assert {a.interaction_id for a in answered} == {contact_id}  # type: ignore[attr-defined]
    assert len({a.work_id for a in answered}) == 2  # type: ignore[attr-defined]


async def test_the_centre_starts_a_contact_before_any_customer_leg() -> None:
    k = kit("outbound", frozenset({Capability.DIAL}))
    k.channel.reachable_numbers.add("13800138000")
    contact_id = await k.center.dial(AgentId("a2"), "13800138000", channel_name="outbound")
    assert k.state("a2") == "reserved"  # its own call: no other offer meanwhile
    (created,) = k.of("interaction.created")
    assert (created.direction, created.origin) == ("outbound", Origin.CLICK_TO_DIAL.value)  # type: ignore[attr-defined]
    await k.offered("a2")
    assert not k.channel.present(contact_id, CUSTOMER)  # nobody dialled before the agent took it
    k.channel.take("a2")
    contact = k.center.registry.get(contact_id)
    assert contact is not None
    await until(lambda: contact.state is ContactState.CONNECTED)
    assert k.channel.heard_by(contact_id, CUSTOMER) == {"a2"}
    assert k.state("a2") == "busy"
    k.channel.customer_leaves(contact_id)
    await until(lambda: contact.ended.is_set())
    assert k.state("a2") == "available"


async def test_an_outbound_contact_whose_customer_is_not_reached_ends_and_frees_the_agent() -> None:
    k = kit("outbound", frozenset({Capability.DIAL}))
    contact_id = await k.center.dial(AgentId("a2"), "13900000000", channel_name="outbound")
    await k.offered("a2")
    k.channel.take("a2")
    await until(lambda: contact_id not in k.center.registry)
    (ended,) = k.of("interaction.ended")
    assert ended.answered is False  # type: ignore[attr-defined]
    assert k.state("a2") == "available"


@pytest.mark.parametrize("name", ["chat", "email"])
async def test_voice_only_controls_are_refused_on_text_channels(name: str) -> None:
    k = kit(name)
    contact_id = k.center.new_contact_id()
    k.channel.room(contact_id)
    contact = await k.center.arrive(contact_id, Arrival(name, caller_number=None), None)
    await k.center.route(contact, QueueId("support"))
    await k.offered("a1")
    k.channel.take("a1")
    await until(lambda: contact.state is ContactState.CONNECTED)
    from hotline.interactions import ChannelUnsupported

    with pytest.raises(ChannelUnsupported):
        await k.center.send_dtmf(AgentId("a1"), "1")
    with pytest.raises(ChannelUnsupported):
        await k.center.mute(AgentId("a1"), True)
    if name == "chat":
        with pytest.raises(ChannelUnsupported):
            await k.center.park(AgentId("a1"))
