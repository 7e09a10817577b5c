"""Browser phones in call control, on fakes: an offer rings the desk (no INVITE), answering
bridges the customer into the session's endpoint at once, the endpoint outlives every call,
RONA and declining work as for SIP phones, a session that goes away makes the agent
unreachable (and a quick return gives its availability back), consults and click-to-dial."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.calls import LegState
from hotline.ids import AgentId
from hotline.interactions import (
    ContactState,
    NothingToDo,
    PhoneNotConnected,
    TransferTarget,
)
from hotline.interactions.voice import (
    BrowserPhone,
)
from hotline.media.backend import ConferenceMode, EndpointId
from hotline.routing.events import QueueOfferFailed
from tests.unit.interactions.browsers import FakeBrowsers, with_browsers
from tests.unit.interactions.harness import CallHandle, World, hang_up, make_world, until

A1 = AgentId("a1")


async def browser_agent(world: World, key: str = "a1") -> tuple[FakeBrowsers, EndpointId]:
    browsers = with_browsers(world)
    endpoint = await browsers.connect(key)
    world.desk.login(AgentId(key), BrowserPhone(key), ready=True)
    return browsers, endpoint


async def offered(world: World, number: str = "13800138000") -> CallHandle:
    interaction = await world.call(number)
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await until(lambda: world.ringing_leg(A1) is not None)
    return interaction


async def test_an_offer_rings_the_desk_and_answering_bridges_at_once(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    _, endpoint = await browser_agent(world)
    bound = world.of("agent.phone_bound")[-1]
    assert (bound.kind, bound.address) == ("browser", "a1")  # type: ignore[attr-defined]
    interaction = await offered(world)
    assert world.sip.sent.empty()  # nothing was INVITEd
    view = world.desk.desk_view(A1)
    assert view.state == "reserved"
    assert view.current is not None
    assert (view.current.phase, view.current.customer_number) == ("ringing", "13800138000")
    assert view.phone is not None
    assert view.phone.connected

    await world.desk.answer(A1)
    customer = interaction.customer
    assert customer is not None
    assert interaction.state is ContactState.CONNECTED
    assert world.media.ep(customer.endpoint).peer == endpoint
    assert interaction.call.recording is not None  # the customer leg's stereo recording
    view = world.desk.desk_view(A1)
    assert view.current is not None
    assert view.current.phase == "connected"
    assert world.state("a1") == "busy"
    answered = [e for e in world.of("leg.answered") if e.agent_id == "a1"]
    assert answered[-1].codec == "PCMU"  # type: ignore[attr-defined]

    await world.desk.hold(A1)
    assert world.desk.desk_view(A1).current.phase == "held"  # type: ignore[union-attr]
    await world.desk.resume(A1)
    assert world.media.ep(customer.endpoint).peer == endpoint
    await world.desk.mute(A1, True)
    assert world.media.ep(endpoint).mode is ConferenceMode.LISTEN
    assert world.desk.desk_view(A1).current.muted  # type: ignore[union-attr]
    assert world.of("agent.muted")[-1].muted  # type: ignore[attr-defined]
    await world.desk.pause_recording(A1, True)
    assert world.desk.desk_view(A1).current.recording_paused  # type: ignore[union-attr]

    await world.desk.hangup(A1)
    ep = world.media.ep(endpoint)
    assert not ep.released  # the session's endpoint outlives the call, unjoined
    assert (ep.peer, ep.conference) == (None, None)
    await world.heard(interaction, "请为本次服务评分")  # the caller goes on to the survey
    assert world.state("a1") == "available"  # no wrap-up in the harness's queues


async def test_rona_and_declining_work_as_for_sip_phones(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    await browser_agent(world)
    first = await offered(world)
    world.advance(15)  # the router's ring timeout: RONA
    await until(lambda: world.state("a1") == "not_ready")
    failed = [e for e in world.sink.events if isinstance(e, QueueOfferFailed)]
    assert [(e.agent_id, e.reason) for e in failed] == [("a1", "no_answer")]
    await until(lambda: world.ringing_leg(A1) is None)  # the ring is cancelled
    with pytest.raises(NothingToDo):
        await world.desk.answer(A1)

    hang_up(first)  # (the router does not offer a caller again to whom it missed)
    world.desk.set_available(A1)
    await offered(world, "13800138009")
    await world.desk.hangup(A1)  # declines the ringing offer
    await until(lambda: world.state("a1") == "not_ready")
    failed = [e for e in world.sink.events if isinstance(e, QueueOfferFailed)]
    assert failed[-1].reason == "rejected"


async def test_a_page_away_for_a_moment_keeps_the_call_on_hold_and_gets_it_back(
    tmp_path: Path,
) -> None:
    """ADR 0121: a reload mid-call: the customer hears hold music, the agent stays busy; the
    page's session back on the same endpoint: the customer hears the agent again."""
    world = await make_world(tmp_path)
    browsers, endpoint = await browser_agent(world)
    interaction = await offered(world)
    await world.desk.answer(A1)
    customer = interaction.customer
    assert customer is not None

    browsers.detach("a1")
    await until(lambda: customer.state is LegState.HELD)
    assert world.media.ep(customer.endpoint).moh is not None
    assert world.media.ep(customer.endpoint).peer is None
    assert world.of("call.held")[-1].by == "phone"  # type: ignore[attr-defined]
    assert world.state("a1") == "busy"  # her presence is untouched: she is on a call
    assert world.desk.desk_view(A1).current.phase == "held"  # type: ignore[union-attr]
    assert not world.desk.desk_view(A1).phone.connected  # type: ignore[union-attr]

    browsers.reattach("a1")
    await until(lambda: world.media.ep(customer.endpoint).peer == endpoint)
    assert customer.state is LegState.ANSWERED
    assert world.media.ep(customer.endpoint).moh is None
    assert world.desk.desk_view(A1).current.phase == "connected"  # type: ignore[union-attr]
    assert world.state("a1") == "busy"


async def test_a_page_away_for_good_lets_the_call_go_on_after_the_agent(tmp_path: Path) -> None:
    """The grace ran out (the gateway closes the session): as when the agent hangs up, the
    caller goes on to the queue node's `after` (the survey); the agent is unreachable."""
    world = await make_world(tmp_path)
    browsers, _ = await browser_agent(world)
    interaction = await offered(world)
    await world.desk.answer(A1)
    browsers.detach("a1")
    await until(
        lambda: interaction.customer is not None and interaction.customer.state is LegState.HELD
    )
    await browsers.disconnect("a1")
    await world.heard(interaction, "请为本次服务评分")
    await until(lambda: world.state("a1") == "not_ready")


async def test_a_page_away_between_calls_makes_the_agent_unreachable_until_it_is_back(
    tmp_path: Path,
) -> None:
    world = await make_world(tmp_path)
    browsers, _ = await browser_agent(world)
    browsers.detach("a1")
    await until(lambda: world.state("a1") == "not_ready")
    browsers.reattach("a1")
    await until(lambda: world.state("a1") == "available")  # back within the grace


async def test_a_session_going_away_makes_the_agent_unreachable(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    browsers, _ = await browser_agent(world)
    interaction = await offered(world)
    await world.desk.answer(A1)
    await browsers.disconnect("a1")  # the page closed mid-call
    await until(lambda: world.state("a1") == "not_ready")
    snapshot = world.router.agent_snapshot(A1, now=world.clock.now())
    assert snapshot.reason == "unreachable"
    await world.heard(interaction, "请为本次服务评分")  # the customer is not dropped
    assert not world.desk.desk_view(A1).phone.connected  # type: ignore[union-attr]

    # A page reload comes back within the grace: available again.
    world.clock.advance(10)
    await browsers.connect("a1")
    assert world.state("a1") == "available"
    # An agent without a connected browser cannot log in with it.
    with pytest.raises(PhoneNotConnected):
        world.desk.login(AgentId("a2"), BrowserPhone("a2"))


async def test_the_phone_check_and_an_offer_to_a_gone_browser(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    browsers, _ = await browser_agent(world)
    browsers.sessions.pop("a1")  # gone without an event: the periodic check notices
    world.desk.check_phones()
    assert world.state("a1") == "not_ready"
    world.desk.set_available(A1)  # an offer to it now finds no session: unreachable at once
    interaction = await world.call()
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await until(lambda: world.state("a1") == "not_ready")
    failed = [e for e in world.sink.events if isinstance(e, QueueOfferFailed)]
    assert [(e.agent_id, e.reason) for e in failed] == [("a1", "unreachable")]
    hang_up(interaction)


async def test_consult_to_a_browser_agent_and_click_to_dial(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    browsers, _ = await browser_agent(world)
    world.login("a2", "1002", ready=False)  # a SIP-phone agent takes the call first
    world.desk.set_not_ready(A1, "break")
    interaction = await world.call()
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    world.desk.set_available(AgentId("a2"))
    first = await world.ring("1002")
    first.answer()
    await until(lambda: interaction.state is ContactState.CONNECTED)

    world.desk.set_available(A1)
    await world.desk.consult(AgentId("a2"), TransferTarget("agent", "a1"), note="账单问题")
    await until(lambda: world.ringing_leg(A1) is not None)
    view = world.desk.desk_view(A1)
    assert view.current is not None
    assert (view.current.phase, view.current.customer_number) == ("ringing", "13800138000")
    assert world.desk.desk_view(AgentId("a2")).current.phase == "consulting"  # type: ignore[union-attr]
    await world.desk.answer(A1)
    consult = world.desk.desk_view(AgentId("a2")).current.consult  # type: ignore[union-attr]
    assert consult is not None
    assert consult.phase == "connected"
    await world.desk.complete_transfer(AgentId("a2"))
    await until(lambda: interaction.agent_id == "a1")
    customer = interaction.customer
    assert customer is not None
    assert customer.state is LegState.ANSWERED
    assert world.media.ep(customer.endpoint).peer == browsers.endpoint("a1")
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())

    iid = await world.desk.dial(A1, "13800138000")  # the agent is there: no ring for it
    number = await world.ring("13800138000")
    number.answer()
    outbound = world.handle(iid)
    await until(lambda: outbound.state is ContactState.CONNECTED)
    assert outbound.customer is not None
    assert world.media.ep(outbound.customer.endpoint).peer == browsers.endpoint("a1")
