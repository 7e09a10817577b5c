"""The text-conversation core on the real lifecycle and router (no sockets): a chat goes
through its flow or straight to a queue, is offered on the chat desk, answered, written both
ways (stored before acknowledged, once per client id), transferred and closed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.channels.text import (
    Attachment,
    ConversationClosed,
    Conversations,
    InMemoryMessageStore,
    InvalidMessage,
    ListDelivery,
    ListDeskFeed,
    NotInConversation,
    Opening,
    Sender,
    TextChannel,
    TextKind,
)
from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId, InteractionId, QueueId, TenantId
from hotline.interactions import (
    Arrival,
    ChannelUnsupported,
    ContactCenter,
    ContactState,
    InMemoryCustomerDirectory,
)
from hotline.interactions.ports import BotAdvisor
from hotline.interactions.transfers import TransferTarget
from hotline.routing import AgentProfile, Blend, QueueConfig, Router, RouterSettings
from hotline.routing.capacity import Channel
from tests.unit.interactions.harness import WEDNESDAY_10AM_SHANGHAI, until
from tests.unit.interactions.textchannel import TestChannel

CHAT_FLOW = Path(__file__).resolve().parents[3] / "examples" / "flows" / "web-chat.yaml"
TENANT = "t1"


@dataclass
class Kit:
    center: ContactCenter
    channel: TextChannel
    chats: Conversations
    store: InMemoryMessageStore
    delivery: ListDelivery
    desks: ListDeskFeed
    clock: FakeClock
    sink: ListSink

    def state(self, agent: str) -> str:
        return self.center.router.agent_snapshot(AgentId(agent), now=self.clock.now()).state.value

    def offered_to(self, agent: str, contact_id: InteractionId) -> bool:
        room = self.channel.room(contact_id)
        return room is not None and AgentId(agent) in room.rings

    def to_customer(self) -> list[str]:
        return [m.body for m in self.delivery.sent]


def kit(kind: TextKind = TextKind.CHAT, *, bot: BotAdvisor | None = None) -> Kit:
    clock = FakeClock(WEDNESDAY_10AM_SHANGHAI)
    sink = ListSink()
    router = Router(
        TenantId(TENANT),
        sink,
        settings=RouterSettings(ring_timeout_s=15, wrap_up_s=0, tz=ZoneInfo("Asia/Shanghai")),
    )
    center = ContactCenter(
        TENANT, router, clock=clock, sink=sink, customers=InMemoryCustomerDirectory(), bot=bot
    )
    store, delivery, desks = InMemoryMessageStore(), ListDelivery(), ListDeskFeed()
    channel = TextChannel(
        TENANT,
        kind,
        store=store,
        delivery=delivery,
        desks=desks,
        clock=clock,
        agent_name={"a1": "小王", "a2": "小李"}.get,  # type: ignore[arg-type]
    )
    chats = Conversations(center, channel)
    queue_channel = Channel(kind.value)
    center.configure_queue(
        QueueConfig(QueueId("support"), skills={"售后": 1}, channel=queue_channel)
    )
    center.configure_queue(QueueConfig(QueueId("sales"), skills={"售前": 1}, channel=queue_channel))
    for agent in ("a1", "a2"):
        center.configure_agent(
            AgentProfile(AgentId(agent), {"售后": 5, "售前": 5}, capacity={queue_channel: 3})
        )
        center.login(AgentId(agent), ready=True)
    return Kit(center, channel, chats, store, delivery, desks, clock, sink)


async def answered_by(k: Kit, agent: str, contact_id: InteractionId) -> None:
    await until(lambda: k.offered_to(agent, contact_id))
    await k.chats.accept(AgentId(agent), contact_id)
    contact = k.center.registry.get(contact_id)
    assert contact is not None
    await until(lambda: contact.state is ContactState.CONNECTED)


async def test_a_chat_straight_to_a_queue_is_offered_answered_and_written_both_ways() -> None:
    k = kit()
    contact_id = await k.chats.open(Opening(language="zh-CN", queue=QueueId("support")))
    first = await k.chats.customer_writes(contact_id, "c-1", "你好，我的订单还没到")
    assert (first.seq, first.sender) == (2, Sender.CUSTOMER)  # after the "please wait" notice
    await until(lambda: k.offered_to("a1", contact_id))
    assert k.chats.of_agent(AgentId("a1")) == [{"contact_id": contact_id, "state": "offered"}]
    await answered_by(k, "a1", contact_id)
    assert k.chats.of_agent(AgentId("a1")) == [{"contact_id": contact_id, "state": "connected"}]
    assert k.state("a1") == "busy"
    assert k.to_customer() == ["正在为您转接人工客服，请稍候。", "客服小王为您服务。"]

    reply = await k.chats.agent_writes(AgentId("a1"), contact_id, "a-1", "您好，请提供订单号")
    assert k.to_customer()[-1] == "您好，请提供订单号"
    await k.chats.customer_writes(contact_id, "c-2", "123456")
    assert k.desks.messages_to("a1")[-1] == "123456"
    history = [(m.seq, m.sender.value, m.body) for m in await k.chats.history(contact_id)]
    assert history == [
        (1, "system", "正在为您转接人工客服，请稍候。"),
        (2, "customer", "你好，我的订单还没到"),
        (3, "system", "客服小王为您服务。"),
        (4, "agent", "您好，请提供订单号"),
        (5, "customer", "123456"),
    ]
    assert reply.agent_id == "a1"

    k.chats.customer_leaves(contact_id)
    contact = k.center.registry.get(contact_id)
    assert contact is not None
    await until(lambda: contact.ended.is_set())
    assert k.state("a1") == "available"
    ended = [e for e in k.sink.events if e.type == "interaction.ended"]
    assert [e.reason for e in ended] == ["completed"]  # type: ignore[attr-defined]
    with pytest.raises(ConversationClosed):
        await k.chats.customer_writes(contact_id, "c-3", "还在吗")


async def test_a_message_sent_again_after_a_reconnect_is_stored_and_delivered_once() -> None:
    k = kit()
    contact_id = await k.chats.open(Opening(queue=QueueId("support")))
    await answered_by(k, "a1", contact_id)
    one = await k.chats.customer_writes(contact_id, "c-1", "在吗")
    again = await k.chats.customer_writes(contact_id, "c-1", "在吗")
    assert one == again
    assert k.desks.messages_to("a1").count("在吗") == 1
    a = await k.chats.agent_writes(AgentId("a1"), contact_id, "a-1", "在的")
    b = await k.chats.agent_writes(AgentId("a1"), contact_id, "a-1", "在的")
    assert a == b
    assert k.to_customer().count("在的") == 1
    # the same client id from the other side is another message
    await k.chats.customer_writes(contact_id, "a-1", "好的")
    seqs = [m.seq for m in await k.chats.history(contact_id)]
    assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))
    assert [m.body for m in await k.chats.history(contact_id, after_seq=seqs[-2])] == ["好的"]
    # after the end, a repeat of a stored message is still acknowledged
    k.chats.customer_leaves(contact_id)
    assert await k.chats.customer_writes(contact_id, "c-1", "在吗") == one


async def test_bad_messages_are_refused_naming_the_field() -> None:
    k = kit()
    contact_id = await k.chats.open(Opening(queue=QueueId("support")))
    with pytest.raises(InvalidMessage) as empty:
        await k.chats.customer_writes(contact_id, "c-1", "   ")
    assert empty.value.details["field"] == "body"
    with pytest.raises(InvalidMessage) as long:
        await k.chats.customer_writes(contact_id, "c-2", "长" * 4001)
    assert long.value.details["field"] == "body"
    with pytest.raises(InvalidMessage) as no_id:
        await k.chats.customer_writes(contact_id, "", "hi")
    assert no_id.value.details["field"] == "client_id"
    with pytest.raises(NotInConversation):
        await k.chats.agent_writes(AgentId("a2"), contact_id, "a-1", "我来")
    photo = Attachment("f1", "发票.png", "image/png", 2048)
    stored = await k.chats.customer_writes(contact_id, "c-3", "", attachment=photo)
    assert stored.to_json()["attachment"] == {
        "id": "f1",
        "name": "发票.png",
        "content_type": "image/png",
        "size": 2048,
    }
    assert [
        m.client_id for m in await k.chats.history(contact_id) if m.sender.value == "customer"
    ] == ["c-3"]


async def test_a_chat_runs_the_text_flow_as_a_bot_before_the_queue() -> None:
    k = kit()
    flows = FlowService(InMemoryFlowRepository(), k.sink, k.clock)
    version = await flows.publish(TENANT, parse_flow(read_flow_file(CHAT_FLOW)))
    contact_id = await k.chats.open(
        Opening(language="zh-CN", program=flows.programs.get(version), flow="web-chat")
    )
    # no knowledge bot in this center: the bot node hands off after the first question
    await until(lambda: any("智能客服" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-0", "我的快递到哪了")
    await until(lambda: any("请留下手机号或订单号" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-1", "2")
    await answered_by(k, "a1", contact_id)
    await k.chats.agent_writes(AgentId("a1"), contact_id, "a-1", "您好")
    k.channel.agent_left(contact_id, AgentId("a1"))  # the agent closes: the survey follows
    await until(lambda: any("请为本次服务打分" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-2", "5")
    contact = k.center.registry.get(contact_id)
    await until(lambda: contact is None or contact.ended.is_set())
    (survey,) = [e for e in k.sink.events if e.type == "flow.survey_answered"]
    assert (survey.agent_id, survey.rating) == ("a1", 5)  # type: ignore[attr-defined]
    bodies = [m.body for m in await k.chats.history(contact_id)]
    assert "2" in bodies
    assert "5" in bodies
    assert "您好" in bodies


async def test_a_chat_transferred_to_a_queue_reaches_the_second_agent_with_its_history() -> None:
    k = kit()
    contact_id = await k.chats.open(Opening(queue=QueueId("support")))
    await answered_by(k, "a1", contact_id)
    await k.chats.customer_writes(contact_id, "c-1", "我想买新套餐")
    await k.center.transfer(AgentId("a1"), TransferTarget("queue", "sales"), note="想买套餐")
    await until(lambda: k.offered_to("a2", contact_id) or k.offered_to("a1", contact_id))
    agent = "a2" if k.offered_to("a2", contact_id) else "a1"
    await k.chats.accept(AgentId(agent), contact_id)
    await until(lambda: k.channel.present(contact_id, agent))
    await until(lambda: k.center.current_contact(AgentId(agent)) is not None)
    await k.chats.agent_writes(AgentId(agent), contact_id, "b-1", "我来为您介绍")
    assert k.to_customer()[-1] == "我来为您介绍"
    assert [e.type for e in k.sink.events if e.type == "interaction.transferred"]


async def test_voice_controls_are_refused_on_a_chat() -> None:
    k = kit()
    contact_id = await k.chats.open(Opening(queue=QueueId("support")))
    await answered_by(k, "a1", contact_id)
    for control in (
        k.center.send_dtmf(AgentId("a1"), "1"),
        k.center.hold(AgentId("a1")),
        k.center.mute(AgentId("a1"), True),
        k.center.pause_recording(AgentId("a1"), True),
    ):
        with pytest.raises(ChannelUnsupported):
            await control


async def test_an_sms_contact_is_parked_and_resumed_by_the_reply() -> None:
    k = kit(TextKind.SMS)
    contact_id = await k.chats.open(Opening(address="13800138000", queue=QueueId("support")))
    await answered_by(k, "a1", contact_id)
    await k.chats.agent_writes(AgentId("a1"), contact_id, "a-1", "已为您处理，请回复确认")
    await k.center.park(AgentId("a1"))
    contact = k.center.registry.get(contact_id)
    assert contact is not None
    assert contact.state is ContactState.PARKED
    await k.chats.customer_writes(contact_id, "sms-77", "收到，谢谢")
    k.center.customer_returned(contact_id)
    await until(lambda: k.offered_to("a1", contact_id))
    assert k.state("a1") in {"reserved", "available"}


def blended_kit(blend: Blend) -> tuple[Kit, TestChannel]:
    """The chat kit with a voice channel beside it; a1 takes calls and (maybe) chats."""
    k = kit()
    voice = TestChannel("voice", events=k.center)
    k.center.add_channel(voice)
    k.center.configure_queue(QueueConfig(QueueId("hotline"), skills={"售后": 1}))
    k.center.configure_agent(
        AgentProfile(
            AgentId("a1"),
            {"售后": 5},
            capacity={Channel.VOICE: 1, Channel.CHAT: 2},
            blend=blend,
        )
    )
    k.center.logout(AgentId("a2"))
    return k, voice


async def on_a_call(k: Kit, voice: TestChannel) -> InteractionId:
    call_id = k.center.new_contact_id()
    voice.room(call_id)
    call = await k.center.arrive(call_id, Arrival("voice", caller_number="13800138000"), None)
    await k.center.route(call, QueueId("hotline"))
    await until(lambda: voice.ringing("a1") is not None)
    voice.take("a1")
    await until(lambda: call.state is ContactState.CONNECTED)
    return call_id


async def test_an_agent_on_a_call_gets_a_chat_when_her_blend_allows_it() -> None:
    k, voice = blended_kit(Blend(text_during_call=True))
    call_id = await on_a_call(k, voice)
    chat_id = await k.chats.open(Opening(queue=QueueId("support")))
    await answered_by(k, "a1", chat_id)
    second = await k.chats.open(Opening(queue=QueueId("support")))
    await answered_by(k, "a1", second)
    third = await k.chats.open(Opening(queue=QueueId("support")))
    k.center.fire_due()
    assert not k.offered_to("a1", third)  # chat capacity 2 reached
    # the call keeps the desk's focus; the chats are beside it
    current = k.center.current_contact(AgentId("a1"))
    assert current is not None
    assert current.contact_id == call_id
    await k.chats.agent_writes(AgentId("a1"), chat_id, "a-1", "您好")
    await k.chats.close(AgentId("a1"), chat_id)
    chat = k.center.registry.get(chat_id)
    await until(lambda: chat is None or chat.ended.is_set())
    await until(lambda: k.offered_to("a1", third))  # a slot freed: the waiting chat comes
    assert k.center.registry.get(call_id) is not None
    assert voice.present(call_id, "a1")  # the call went on throughout


async def test_without_a_blend_a_chat_waits_for_the_call_to_end() -> None:
    k, voice = blended_kit(Blend())
    call_id = await on_a_call(k, voice)
    chat_id = await k.chats.open(Opening(queue=QueueId("support")))
    k.center.fire_due()
    assert not k.offered_to("a1", chat_id)
    voice.customer_leaves(call_id)
    await until(lambda: k.offered_to("a1", chat_id))


async def test_a_call_during_chats_is_answered_from_the_desk() -> None:
    k, voice = blended_kit(Blend(call_during_text=True))
    chat_id = await k.chats.open(Opening(queue=QueueId("support")))
    await answered_by(k, "a1", chat_id)
    call_id = k.center.new_contact_id()
    voice.room(call_id)
    call = await k.center.arrive(call_id, Arrival("voice", caller_number="13800138000"), None)
    await k.center.route(call, QueueId("hotline"))
    await until(lambda: voice.ringing("a1") is not None)
    await k.center.answer(AgentId("a1"))  # the desk's answer button: the call, not the chat
    await until(lambda: call.state is ContactState.CONNECTED)
    assert k.channel.present(chat_id, "a1")
