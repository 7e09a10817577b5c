"""Offers on fakes: longest idle first, RONA to the next agent (the first becomes not ready
`missed`), a busy phone, an unregistered phone, the router's max wait, callbacks."""

from __future__ import annotations

from pathlib import Path

from hotline.ids import AgentId, QueueId
from hotline.interactions import (
    ContactState,
    InteractionEnded,
)
from hotline.routing import OverflowAction, OverflowStep, QueueConfig
from hotline.routing.events import QueueOfferFailed
from tests.unit.interactions.harness import CallHandle, World, hang_up, make_world, until


async def queued_call(world: World, number: str = "13800138000") -> CallHandle:
    interaction = await world.call(number)
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await until(lambda: interaction.state is not ContactState.IVR)
    return interaction


async def test_rona_rings_the_next_agent_and_makes_the_first_not_ready(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001")
    world.clock.advance(5)
    world.login("a2", "1002")  # a1 has been idle longer
    interaction = await queued_call(world)
    first = await world.ring("1001")
    world.advance(15)  # the router's ring timeout
    second = await world.ring("1002")
    await until(lambda: first.cancelled)
    assert world.state("a1") == "not_ready"
    failed = [e for e in world.sink.events if isinstance(e, QueueOfferFailed)]
    assert [(e.agent_id, e.reason, e.agent_not_ready) for e in failed] == [
        ("a1", "no_answer", True)
    ]
    assert world.router.agent_snapshot(AgentId("a1"), now=world.clock.now()).reason == "missed"
    second.answer()
    await until(lambda: interaction.state is ContactState.CONNECTED)
    assert world.state("a2") == "busy"


async def test_busy_and_unregistered_phones(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001")
    world.clock.advance(1)
    world.login("a2", "1002")
    world.clock.advance(1)
    world.login("a3", "1003")
    world.sip.registered.discard("1001")  # a1's phone went away
    await queued_call(world)
    busy = await world.ring("1002")
    busy.fail(486)
    await world.ring("1003")
    failed = [e for e in world.sink.events if isinstance(e, QueueOfferFailed)]
    assert [(e.agent_id, e.reason) for e in failed] == [("a1", "unreachable"), ("a2", "rejected")]
    assert world.state("a1") == "not_ready"  # unreachable
    assert world.router.agent_snapshot(AgentId("a1"), now=world.clock.now()).reason == (
        "unreachable"
    )
    assert world.state("a2") == "not_ready"


async def test_router_max_wait_takes_the_flow_to_voicemail(tmp_path: Path) -> None:
    world = await make_world(tmp_path, support=QueueConfig(QueueId("support"), max_wait_s=8))
    world.login("a1", "1001", ready=False)
    interaction = await queued_call(world)
    assert interaction.state is ContactState.QUEUED
    world.advance(8)
    await world.heard(interaction, "请在提示音后留言")
    assert "queue.exited" in world.types()
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    ended = world.of("interaction.ended")[-1]
    assert isinstance(ended, InteractionEnded)
    assert ended.reason == "ivr"  # hung up during the greeting: nothing was recorded


async def test_a_booked_callback_rings_the_agent_then_dials_the_customer(tmp_path: Path) -> None:
    sales = QueueConfig(
        QueueId("sales"),
        skills={"售前": 1},
        overflow=(OverflowStep(10, OverflowAction.OFFER_CALLBACK),),
    )
    world = await make_world(tmp_path, sales=sales)
    world.login("a1", "1001", ready=False)
    interaction = await world.call("13812345678")
    await world.heard(interaction, "售前咨询请按1")
    await world.press(interaction, "1")
    await until(lambda: interaction.state is ContactState.QUEUED)
    world.advance(10)
    await world.heard(interaction, "保留排队位置并由我们回电")
    await world.press(interaction, "1")
    await world.heard(interaction, "我们将回拨 1 3 8 1 2 3 4 5 6 7 8")
    await world.press(interaction, "1")
    await world.heard(interaction, "已为您保留排队位置")
    await until(lambda: interaction.customer is not None and not interaction.customer.is_live)
    assert interaction.state is ContactState.CALLBACK
    assert "queue.callback_requested" in world.types()

    world.desk.set_available(AgentId("a1"))
    agent = await world.ring("1001")
    assert agent.caller_id is not None
    assert agent.caller_id.number == "13812345678"
    agent.answer()
    customer = await world.ring("13812345678")
    assert customer.trunk == "pstn"
    customer.answer()
    await until(lambda: interaction.state is ContactState.CONNECTED)
    assert world.state("a1") == "busy"
    assert customer.session is not None
    customer.session.remote_hangup()
    await until(lambda: interaction.ended.is_set())
    answered = world.of("queue.answered")[-1]
    assert answered.callback is True
    ended = world.of("interaction.ended")[-1]
    assert isinstance(ended, InteractionEnded)
    assert ended.reason == "completed"
