"""One contact across queues and agents (issue 10) on fakes with the demo flow: a transfer to a
queue is a new work item there that never goes back to the transferor and keeps the queue's
name; wrap-up waits for a required disposition (an overrun, on the desk and in the events); a
caller who waits a minute and hangs up is an abandon with its wait."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions import (
    ContactState,
    DispositionRequired,
    TransferTarget,
)
from hotline.routing import QueueConfig
from hotline.routing.events import QueueAbandoned, QueueEntered, QueueOffered
from tests.unit.interactions.harness import hang_up, make_world, until
from tests.unit.interactions.test_offers import queued_call
from tests.unit.interactions.test_transfers import connected


async def test_a_blind_transfer_to_a_queue_never_goes_back_to_the_transferor(
    tmp_path: Path,
) -> None:
    world = await make_world(tmp_path, sales=QueueConfig(QueueId("sales")))
    interaction, _ = await connected(world)  # a1 talks to the caller, a2 is available
    world.desk.set_not_ready(AgentId("a2"), "break")
    await world.desk.transfer(AgentId("a1"), TransferTarget("queue", "sales"), note="要买新套餐")
    await until(lambda: world.state("a1") == "available")
    # a1 is free and idle longest, yet it is not offered the contact it transferred
    world.clock.advance(30)
    world.desk.fire_due()
    offered = [e for e in world.sink.events if isinstance(e, QueueOffered)]
    assert [e.agent_id for e in offered if e.queue_id == "sales"] == []
    world.desk.set_available(AgentId("a2"))
    second = await world.ring("1002")
    second.answer()
    await until(lambda: interaction.agent_id == "a2")
    entered = [e for e in world.sink.events if isinstance(e, QueueEntered)]
    assert [(e.queue_id, e.interaction_id) for e in entered] == [
        ("support", interaction.interaction_id),
        ("sales", interaction.interaction_id),
    ]
    assert entered[1].excluded_agents == ("a1",)
    assert entered[1].work_id != entered[0].work_id
    (moved,) = world.of("interaction.transferred")
    assert (moved.queue_id, moved.target, moved.to_work_id) == (  # type: ignore[attr-defined]
        "support",
        "sales",
        entered[1].work_id,
    )
    view = world.desk.desk_view(AgentId("a2"))
    assert view.current is not None
    assert view.current.queue_id == "sales"  # the queue's name end to end, never a pseudo-queue
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    (ended,) = world.of("interaction.ended")
    assert (ended.queue_id, ended.agent_id, ended.reason) == ("sales", "a2", "completed")  # type: ignore[attr-defined]


async def test_wrap_up_waits_for_a_required_disposition(tmp_path: Path) -> None:
    support = QueueConfig(QueueId("support"), wrap_up_s=20, disposition_required=True)
    world = await make_world(tmp_path, support=support)
    interaction, _ = await connected(world)
    a1 = AgentId("a1")
    hang_up(interaction)
    await until(lambda: world.state("a1") == "wrap_up")
    view = world.desk.desk_view(a1)
    assert view.wrap_up is not None
    assert view.wrap_up.interaction_id == interaction.interaction_id
    assert view.wrap_up.overrun_since is None
    world.advance(25)  # the timer runs out: no disposition yet, so no end
    assert world.state("a1") == "wrap_up"
    (overrun,) = world.of("agent.wrap_up_overrun")
    assert overrun.interaction_id == interaction.interaction_id
    view = world.desk.desk_view(a1)
    assert view.wrap_up is not None
    assert view.wrap_up.overrun_since == pytest.approx(world.clock.now() - 5)
    with pytest.raises(DispositionRequired):
        world.desk.set_available(a1)
    with pytest.raises(DispositionRequired):
        world.desk.end_wrap_up(a1)
    segment = world.desk.disposition_saved(a1, InteractionId(interaction.interaction_id))
    assert segment == view.wrap_up.work_id
    assert world.state("a1") == "available"  # saved after the timer: wrap-up ends with it
    (ended,) = world.of("agent.wrap_up_ended")
    assert ended.overrun_s == pytest.approx(5)  # type: ignore[attr-defined]


async def test_a_caller_who_waits_a_minute_and_hangs_up_is_an_abandon(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001", ready=False)  # logged in, not ready: the caller waits
    interaction = await queued_call(world)
    assert interaction.state is ContactState.QUEUED
    world.clock.advance(60)
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    (abandoned,) = [e for e in world.sink.events if isinstance(e, QueueAbandoned)]
    assert abandoned.wait_s == pytest.approx(60)
    assert abandoned.queue_id == "support"
    (ended,) = world.of("interaction.ended")
    assert (ended.reason, ended.queue_id) == ("abandoned", "support")  # type: ignore[attr-defined]
    assert ended.queue_s == pytest.approx(60)  # type: ignore[attr-defined]
