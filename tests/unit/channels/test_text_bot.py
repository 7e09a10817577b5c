"""A chat through the example web-chat flow with the knowledge bot (ADR 0256): the visitor's
question is answered from an article, "转人工" hands off, the visitor leaves a number, and the
agent who accepts has the whole bot conversation in the contact's history, before their own
first message. The same in English."""

from __future__ import annotations

from hotline.channels.text import Opening
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId
from hotline.knowledge.advisor import KnowledgeBot
from hotline.knowledge.shelf import KnowledgeShelf
from tests.unit.channels.test_text_conversations import CHAT_FLOW, TENANT, answered_by, kit
from tests.unit.interactions.harness import until
from tests.unit.knowledge.seeded import SeedSource


async def loaded_shelf() -> KnowledgeShelf:
    """The index built before the chat starts (cutting Chinese loads a dictionary once)."""
    shelf = KnowledgeShelf(SeedSource(), None)
    await shelf.search(TENANT, "余额")
    return shelf


async def test_the_bot_answers_hands_off_and_the_agent_sees_the_transcript() -> None:
    k = kit(bot=KnowledgeBot(await loaded_shelf()))
    flows = FlowService(InMemoryFlowRepository(), k.sink, k.clock)
    version = await flows.publish(TENANT, parse_flow(read_flow_file(CHAT_FLOW)))
    contact_id = await k.chats.open(
        Opening(language="zh-CN", program=flows.programs.get(version), flow="web-chat")
    )
    await until(lambda: any("智能客服" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-1", "我的银行卡丢了怎么办")
    await until(lambda: any(t.startswith("银行卡挂失\n") for t in k.to_customer()))
    assert not k.offered_to("a1", contact_id)
    await k.chats.customer_writes(contact_id, "c-2", "还是帮我转人工吧")
    await until(lambda: any("请留下手机号或订单号" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-3", "13800138000")
    await answered_by(k, "a1", contact_id)
    await k.chats.agent_writes(AgentId("a1"), contact_id, "a-1", "您好，我来帮您挂失")
    history = [(m.sender.value, m.body) for m in await k.chats.history(contact_id)]
    bodies = [body for _, body in history]
    assert bodies.index("我的银行卡丢了怎么办") < bodies.index("您好，我来帮您挂失")
    assert any(s == "bot" and b.startswith("银行卡挂失") for s, b in history)
    turns = [e for e in k.sink.events if e.type == "flow.bot_turn"]
    assert [(t.outcome, t.article_id) for t in turns] == [  # type: ignore[attr-defined]
        ("answer", "card-loss"), ("hand_off", None),
    ]  # fmt: skip
    (handed,) = [e for e in k.sink.events if e.type == "flow.bot_handed_off"]
    assert handed.reason == "requested"  # type: ignore[attr-defined]
    details = [e for e in k.sink.events if e.type == "flow.variable_set"]
    assert ("visitor.details", "13800138000") in [
        (e.name, e.value)
        for e in details  # type: ignore[attr-defined]
    ]


async def test_in_english_too() -> None:
    k = kit(bot=KnowledgeBot(await loaded_shelf()))
    flows = FlowService(InMemoryFlowRepository(), k.sink, k.clock)
    version = await flows.publish(TENANT, parse_flow(read_flow_file(CHAT_FLOW)))
    contact_id = await k.chats.open(
        Opening(language="en", program=flows.programs.get(version), flow="web-chat")
    )
    await until(lambda: any("virtual assistant" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-1", "how do I check my balance")
    await until(lambda: any(t.startswith("Check your account balance\n") for t in k.to_customer()))
    await until(lambda: any("Anything else" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-2", "I want to talk to an agent")
    await until(lambda: any("order number" in t for t in k.to_customer()))
    await k.chats.customer_writes(contact_id, "c-3", "0")
    await answered_by(k, "a1", contact_id)
