"""What the desk shows (`desk_view`) through a call's life on fakes — ringing, connected, held,
three-way conference, wrap-up with its end — a browser leg that nobody answers before its own
timeout, and a browser agent after a restart getting its availability back when its page
reconnects."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hotline.calls import Cause, LegRole
from hotline.ids import AgentId, QueueId
from hotline.interactions import (
    AgentSessionFacts,
    InMemoryStartupFacts,
    TransferTarget,
)
from hotline.interactions.voice import (
    BrowserPhone,
)
from hotline.routing import AgentState, QueueConfig
from tests.unit.interactions.browsers import with_browsers
from tests.unit.interactions.harness import make_world, until
from tests.unit.interactions.test_transfers import session

A1, A2 = AgentId("a1"), AgentId("a2")


async def test_the_desk_follows_the_call_to_wrap_up(tmp_path: Path) -> None:
    world = await make_world(tmp_path, support=QueueConfig(QueueId("support"), wrap_up_s=30))
    world.login("a1", "1001")
    world.login("a2", "1002", ready=False)
    view = world.desk.desk_view(A1)
    assert (view.state, view.current, view.wrap_up) == ("available", None, None)
    assert view.phone is not None
    assert (view.phone.kind, view.phone.address, view.phone.connected) == ("sip", "1001", True)

    interaction = await world.call("13800138005")
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    first = await world.ring("1001")
    assert world.desk.desk_view(A1).current.phase == "ringing"  # type: ignore[union-attr]
    first.answer()
    await until(lambda: world.desk.desk_view(A1).current.phase == "connected")  # type: ignore[union-attr]
    current = world.desk.desk_view(A1).current
    assert current is not None
    assert (current.customer_number, current.queue_id) == ("13800138005", "support")
    await world.desk.hold(A1)
    assert world.desk.desk_view(A1).current.phase == "held"  # type: ignore[union-attr]

    world.desk.set_available(A2)
    await world.desk.consult(A1, TransferTarget("agent", "a2"))
    consulted = await world.ring("1002")
    consulted.answer()
    await until(
        lambda: world.desk.desk_view(A1).current.consult.phase == "connected"  # type: ignore[union-attr]
    )
    view2 = world.desk.desk_view(A2)
    assert view2.current is not None
    assert view2.current.phase == "connected"  # talking to a1, not "held"
    assert view2.current.customer_number == "13800138005"
    await world.desk.conference(A1)
    assert world.desk.desk_view(A1).current.phase == "conference"  # type: ignore[union-attr]
    assert world.desk.desk_view(A2).current.phase == "conference"  # type: ignore[union-attr]

    await world.desk.hangup(A1)  # the other two go on
    await until(lambda: world.desk.desk_view(A1).wrap_up is not None)
    view = world.desk.desk_view(A1)
    assert view.state == "wrap_up"
    assert view.current is not None
    assert view.current.phase == "wrap_up"
    assert view.wrap_up is not None
    assert view.wrap_up.interaction_id == interaction.interaction_id
    assert view.wrap_up.ends_at == world.clock.now() + 30
    session(consulted).remote_hangup()


async def test_a_browser_leg_gives_up_on_its_own_and_keeps_its_endpoint(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    browsers = with_browsers(world)
    endpoint = await browsers.connect("a1")
    call = world.desk.voice.calls.new_call(tenant_id="t1", interaction_id=None)
    leg = await world.desk.voice.calls.attach(
        call, endpoint, role=LegRole.AGENT, agent_id=A1, timeout=0.05
    )
    assert leg.borrowed
    await asyncio.wait_for(leg.ended.wait(), 2)
    assert leg.cause is Cause.NO_ANSWER
    assert not world.media.ep(endpoint).released


async def test_a_browser_agent_back_after_a_restart(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    browsers = with_browsers(world)
    facts = InMemoryStartupFacts()
    facts.agents["t1"] = [AgentSessionFacts(A1, AgentState.AVAILABLE, None, "browser", "a1")]
    world.telephony.startup = facts
    await world.telephony.start()
    try:
        assert world.phone(A1) == BrowserPhone("a1")
        assert world.state("a1") == "not_ready"  # its page has not reconnected yet
        await browsers.connect("a1")
        assert world.state("a1") == "available"
    finally:
        await world.telephony.stop()
