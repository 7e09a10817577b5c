"""Transfers through the router on fakes: blind by REFER and by the desktop (agent, queue,
number), consultative (complete, cancel, hang-up completes) and the three-way conference."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.calls import LegState
from hotline.ids import AgentId
from hotline.interactions import (
    ContactState,
    InteractionTransferred,
    InvalidTransferTarget,
    NothingToDo,
    TransferTarget,
)
from hotline.media.backend import ConferenceMode
from tests.unit.calls.fakes import FakeOutgoing, FakeSession
from tests.unit.interactions.harness import CallHandle, World, hang_up, make_world, until


async def connected(world: World) -> tuple[CallHandle, FakeOutgoing]:
    """A caller talking to agent a1 (at 1001); a2 (1002) is logged in and available too."""
    world.login("a1", "1001")
    world.clock.advance(5)
    world.login("a2", "1002")
    return await world.answered("1001")


def session(call: FakeOutgoing) -> FakeSession:
    assert call.session is not None
    return call.session


def transferred(world: World) -> InteractionTransferred:
    event = world.of("interaction.transferred")[-1]
    assert isinstance(event, InteractionTransferred)
    return event


async def test_refer_from_the_agent_phone_reaches_the_second_agent(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, first = await connected(world)
    session(first).remote_refer("sip:1002@hotline")
    second = await world.ring("1002")
    await until(lambda: bool(session(first).notifies))
    # RFC 3515: trying now; 200 only once the target answered; the phone stays up till then
    assert session(first).notifies == [100]
    assert not session(first).ended.is_set()
    customer = interaction.customer
    assert customer is not None
    assert world.media.ep(customer.endpoint).moh == "default"  # music while it rings
    assert world.state("a1") == "available"  # its segment is over (no wrap-up here)
    second.answer()
    await until(lambda: interaction.agent_id == "a2")
    await until(lambda: session(first).ended.is_set())  # we hung up the transferor after
    assert session(first).notifies == [100, 200]
    assert world.media.ep(customer.endpoint).peer == interaction.agent_leg.endpoint  # type: ignore[union-attr]
    event = transferred(world)
    assert (event.agent_id, event.kind, event.target, event.target_kind) == (
        "a1",
        "blind",
        "a2",
        "agent",
    )
    assert event.queue_id == "support"
    assert world.state("a1") == "available"
    assert world.state("a2") == "busy"
    offered = [e for e in world.of("queue.offered") if e.agent_id == "a2"]
    assert offered[-1].queue_id == "@agent"  # the personal line, not a queue


async def test_blind_transfer_to_a_queue_and_to_a_number(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, _ = await connected(world)
    world.desk.set_not_ready(AgentId("a1"), "break")  # else the queue may offer it back to a1
    await world.desk.transfer(AgentId("a1"), TransferTarget("queue", "sales"), note="VIP")
    again = await world.ring("1002")  # a2 is a member of sales and free
    again.answer()
    await until(lambda: interaction.agent_id == "a2")
    assert transferred(world).note == "VIP"
    await world.desk.transfer(AgentId("a2"), TransferTarget("number", "02155550100"))
    out = await world.ring("02155550100")
    assert out.trunk == "pstn"
    out.answer()
    await until(
        lambda: interaction.agent_leg is not None and interaction.agent_leg.target == "02155550100"
    )
    with pytest.raises(InvalidTransferTarget):
        TransferTarget("team", "x")


async def test_consult_then_complete(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, first = await connected(world)
    customer = interaction.customer
    assert customer is not None
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"))
    assert customer.state is LegState.HELD
    assert world.media.ep(customer.endpoint).moh == "default"
    second = await world.ring("1002")
    second.answer()
    await until(lambda: world.consulting("a1"))
    assert world.state("a2") == "busy"
    a1_leg = world.leg_of("a1", interaction)
    await until(lambda: world.media.ep(a1_leg.endpoint).peer is not None)
    await world.desk.complete_transfer(AgentId("a1"))
    assert customer.state is LegState.ANSWERED
    assert interaction.agent_id == "a2"
    assert session(first).ended.is_set()
    event = transferred(world)
    assert (event.kind, event.target) == ("consult", "a2")
    assert world.state("a1") == "available"
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    await until(lambda: world.state("a2") == "available")
    # one contact: the consultation was a work item of it, not a contact of its own
    assert len(world.of("interaction.created")) == 1
    (started,) = world.of("interaction.consult_started")
    assert started.interaction_id == interaction.interaction_id
    ended = world.of("interaction.consult_ended")
    assert [e.result for e in ended] == ["completed"]  # type: ignore[attr-defined]


async def test_consult_cancel_and_hangup_completes(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, first = await connected(world)
    customer = interaction.customer
    assert customer is not None
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"))
    (await world.ring("1002")).answer()
    await until(lambda: world.consulting("a1"))
    a1_leg = world.leg_of("a1", interaction)
    await world.desk.cancel_consult(AgentId("a1"))
    await until(lambda: world.media.ep(customer.endpoint).peer == a1_leg.endpoint)
    assert customer.state is LegState.ANSWERED
    await until(lambda: world.state("a2") == "available")

    world.clock.advance(1)
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"))
    (await world.ring("1002")).answer()
    await until(lambda: world.consulting("a1"))
    session(first).remote_hangup()  # the first agent hangs up: the transfer completes
    await until(lambda: interaction.agent_id == "a2")
    await until(lambda: customer.state is LegState.ANSWERED)
    assert interaction.state is ContactState.CONNECTED


async def test_three_way_conference(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, first = await connected(world)
    with pytest.raises(NothingToDo):
        await world.desk.conference(AgentId("a1"))
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"))
    (await world.ring("1002")).answer()
    await until(lambda: world.consulting("a1"))
    await world.desk.conference(AgentId("a1"))
    conference = interaction.call.conference
    assert conference is not None
    assert len(world.media.conferences[conference]) == 3
    assert "call.conferenced" in world.types()
    session(first).remote_hangup()  # a1 leaves; the customer and a2 go on
    await until(lambda: interaction.agent_id == "a2")
    assert interaction.state is ContactState.CONNECTED
    customer = interaction.customer
    assert customer is not None
    assert world.media.ep(customer.endpoint).mode is ConferenceMode.FULL
