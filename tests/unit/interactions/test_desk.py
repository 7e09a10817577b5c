"""The agent desktop's calls on fakes: presence, hold and resume, mute, keys, recording pause,
hang-up, click-to-dial, a phone that unregisters, and the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.calls import DestinationDenied, LegState
from hotline.ids import AgentId, WorkId
from hotline.interactions import (
    AgentBusy,
    AgentNotLoggedIn,
    AgentPhoneBound,
    ContactState,
    NothingToDo,
    PhoneUnsupported,
)
from hotline.interactions.arrivals import Arrival
from hotline.media.backend import ConferenceMode
from tests.unit.interactions.harness import agent_leg, make_world, until
from tests.unit.interactions.test_transfers import connected, session
from tests.unit.interactions.textchannel import TestChannel


async def test_hold_resume_mute_keys_and_recording_pause(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, first = await connected(world)
    customer = interaction.customer
    assert customer is not None
    a1 = AgentId("a1")
    await world.desk.hold(a1)
    assert customer.state is LegState.HELD
    assert world.media.ep(customer.endpoint).moh == "default"
    assert customer.session is not None
    assert "hold" in customer.session.reinvites  # type: ignore[attr-defined]
    world.clock.advance(7)
    await world.desk.resume(a1)
    assert customer.state is LegState.ANSWERED
    assert world.media.ep(customer.endpoint).peer == agent_leg(interaction).endpoint
    assert interaction.hold_s == 7

    await world.desk.mute(a1, True)
    assert world.media.ep(agent_leg(interaction).endpoint).mode is ConferenceMode.LISTEN
    await world.desk.mute(a1, False)
    assert world.media.ep(agent_leg(interaction).endpoint).mode is ConferenceMode.FULL

    await world.desk.send_dtmf(a1, "123#")
    assert world.media.sent_digits == [(customer.endpoint, "123#")]
    await world.desk.pause_recording(a1, True)
    assert interaction.call.recording in world.media.paused
    await world.desk.pause_recording(a1, False)
    assert not world.media.paused

    with pytest.raises(PhoneUnsupported):
        await world.desk.answer(AgentId("a2"))
    await world.desk.hangup(a1)
    assert session(first).ended.is_set()
    await world.heard(interaction, "请为本次服务评分")  # the caller stays for the survey
    assert interaction.state is ContactState.IVR


async def test_presence_phones_and_refusals(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    with pytest.raises(AgentNotLoggedIn):
        await world.desk.hold(AgentId("a1"))
    world.login("a1", "1001", ready=False)
    bound = world.of("agent.phone_bound")[0]
    assert isinstance(bound, AgentPhoneBound)
    assert (bound.agent_id, bound.kind, bound.address) == ("a1", "sip", "1001")
    assert world.state("a1") == "not_ready"
    world.desk.set_available(AgentId("a1"))
    assert world.state("a1") == "available"
    with pytest.raises(NothingToDo):
        await world.desk.hold(AgentId("a1"))
    world.sip.registered.discard("1001")
    world.desk.check_phones()
    assert world.state("a1") == "not_ready"
    world.desk.logout(AgentId("a1"))
    assert world.state("a1") == "logged_out"
    assert "agent.phone_unbound" in world.types()
    assert world.phone("a1") is None


async def test_click_to_dial_rings_the_agent_then_the_number(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001")
    a1 = AgentId("a1")
    with pytest.raises(DestinationDenied):
        await world.desk.dial(a1, "9001234")
    iid = await world.desk.dial(a1, "13800138000")
    assert world.state("a1") == "reserved"  # its own call reserves it: nobody is offered
    agent = await world.ring("1001")
    assert agent.caller_id is not None
    assert agent.caller_id.number == "13800138000"
    with pytest.raises(AgentBusy):
        await world.desk.dial(a1, "13800138001")
    agent.answer()
    number = await world.ring("13800138000")
    assert number.trunk == "pstn"
    number.answer()
    interaction = world.handle(iid)
    await until(lambda: interaction.state is ContactState.CONNECTED)
    assert interaction.call.recording is not None
    session(number).remote_hangup()
    await until(lambda: interaction.ended.is_set())
    await until(lambda: world.state("a1") == "available")
    created = world.of("interaction.created")[-1]
    assert created.direction == "outbound"


async def test_call_controls_act_on_the_call_when_a_chat_beside_it_has_the_focus(
    tmp_path: Path,
) -> None:
    """ADR 0224: the desk's call controls act on the call, never on a chat beside it, even when
    a chat command (a transfer that failed, say) left the focus on the chat."""
    world = await make_world(tmp_path)
    interaction, _ = await connected(world)
    customer = interaction.customer
    assert customer is not None
    a1 = AgentId("a1")
    center = world.desk.center
    chats = TestChannel("chat", events=center)
    center.add_channel(chats)
    chat_id = center.new_contact_id()
    chats.room(chat_id)
    await center.arrive(chat_id, Arrival("chat", caller_number=None, caller_name="Ann"), None)
    center.assignments.connect(a1, chat_id, WorkId("w-chat"))
    center.assignments.focus(a1, chat_id)
    assert world.desk.call_of(a1) == interaction.interaction_id
    await world.desk.hold(a1)
    assert customer.state is LegState.HELD
    await world.desk.resume(a1)
    assert customer.state is LegState.ANSWERED
    await world.desk.hangup(a1)
    await until(lambda: world.desk.call_of(a1) is None)
    assert center.assignments.holds(a1, chat_id)  # the chat goes on
    assert not [entry for entry in chats.log if entry[0] in ("release", "cancel", "hold")]
    with pytest.raises(NothingToDo):
        await world.desk.hold(a1)  # no call: nothing to hold, the chat is not touched
