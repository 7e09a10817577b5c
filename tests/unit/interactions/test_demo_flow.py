"""The demo flow (DID 4001) through the voice port and the router, on fakes: greeting, menu,
queue with music and announcements, an agent's phone rung and bridged, the survey after."""

from __future__ import annotations

from pathlib import Path

from hotline.flows.events import SurveyAnswered
from hotline.interactions import (
    ContactState,
    InteractionCreated,
    InteractionEnded,
)
from hotline.routing.events import QueueEntered
from tests.unit.interactions.harness import (
    VIP_NUMBER,
    agent_leg,
    hang_up,
    make_world,
    settle,
    until,
)


async def test_caller_reaches_an_agent_then_rates_the_call(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001")
    interaction = await world.call()
    customer = interaction.customer
    assert customer is not None

    await world.heard(interaction, "欢迎致电")
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")

    ringing = await world.ring("1001")
    assert ringing.caller_id is not None
    assert ringing.caller_id.number == "13800138000"
    assert interaction.state is ContactState.QUEUED
    assert world.media.ep(customer.endpoint).moh == "default"
    assert world.state("a1") == "reserved"

    ringing.answer()
    await until(lambda: interaction.state is ContactState.CONNECTED)
    leg = agent_leg(interaction)
    assert world.media.ep(customer.endpoint).peer == leg.endpoint
    assert interaction.call.recording is not None
    assert world.state("a1") == "busy"

    assert ringing.session is not None
    ringing.session.remote_hangup()
    await world.heard(interaction, "请为本次服务评分")
    await world.press(interaction, "5")
    await until(lambda: interaction.ended.is_set())

    created = world.of("interaction.created")[0]
    assert isinstance(created, InteractionCreated)
    assert (created.did, created.flow, created.direction) == ("4001", "main", "inbound")
    entered = world.of("queue.entered")[0]
    assert isinstance(entered, QueueEntered)
    assert (entered.queue_id, entered.priority) == ("support", 0)
    assert "售后>=1" in entered.skills
    survey = world.of("flow.survey_answered")[0]
    assert isinstance(survey, SurveyAnswered)
    assert survey.rating == 5
    ended = world.of("interaction.ended")[-1]
    assert isinstance(ended, InteractionEnded)
    assert (ended.reason, ended.answered, ended.queue_id) == ("completed", True, "support")
    assert ended.flow_end == "hangup"
    assert [row.kind for row in world.catalog.rows] == ["call"]
    types = world.types()
    for kind in (
        "call.arrived",
        "leg.answered",
        "queue.offered",
        "queue.answered",
        "call.bridged",
        "agent.interaction_ended",
        "call.ended",
    ):
        assert kind in types, kind
    assert world.state("a1") == "available"


async def test_a_vip_caller_is_queued_with_priority(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001", ready=False)  # logged in, not ready: callers wait
    interaction = await world.call(VIP_NUMBER)
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await until(lambda: bool(world.of("queue.entered")))
    entered = world.of("queue.entered")[0]
    assert isinstance(entered, QueueEntered)
    assert entered.priority == 13  # 10 + VIP level 3
    assert entered.customer_id == "c-vip"
    created = world.of("interaction.created")[0]
    assert isinstance(created, InteractionCreated)
    assert created.vip_level == 3


async def test_caller_hanging_up_in_queue_abandons(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001", ready=False)
    interaction = await world.call()
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await until(lambda: interaction.state is ContactState.QUEUED)
    await world.heard(interaction, "您的来电对我们很重要")
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    assert "queue.abandoned" in world.types()
    ended = world.of("interaction.ended")[-1]
    assert isinstance(ended, InteractionEnded)
    assert ended.reason == "abandoned"
    await settle()
