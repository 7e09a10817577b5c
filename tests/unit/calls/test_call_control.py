"""`CallControl` with a fake SIP service and a fake media backend: legs, causes, topology."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from hotline.calls import (
    Call,
    CallConflict,
    CallControl,
    Cause,
    DestinationDenied,
    IllegalLegTransition,
    Leg,
    LegFailed,
    LegRole,
    LegState,
    OutboundCapFull,
    cause_from_flow,
    cause_from_reason,
    cause_from_status,
)
from hotline.calls.states import LegEvent, next_leg_state
from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.media.backend import ConferenceMode, Direction, RecordingInfo
from hotline.sip.policy import OutboundPolicy, OutboundRules
from hotline.sip.refer import ReferTarget
from tests.unit.calls.fakes import FakeInvite, FakeMedia, FakeSip


@dataclass
class Seen:
    ended: list[Leg] = field(default_factory=list)
    refers: list[str | None] = field(default_factory=list)
    holds: list[bool] = field(default_factory=list)
    recordings: list[RecordingInfo] = field(default_factory=list)

    def leg_ended(self, leg: Leg) -> None:
        self.ended.append(leg)

    def transfer_requested(self, leg: Leg, target: ReferTarget, referred_by: str | None) -> None:
        self.refers.append(target.user)

    def remote_hold(self, leg: Leg, held: bool) -> None:
        self.holds.append(held)

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        self.recordings.append(info)


@dataclass
class World:
    control: CallControl
    sip: FakeSip
    media: FakeMedia
    sink: ListSink
    seen: Seen
    clock: FakeClock


@pytest.fixture
def world() -> World:
    sip, media, sink, seen, clock = FakeSip({"1001"}), FakeMedia(), ListSink(), Seen(), FakeClock()
    policy = OutboundPolicy({"t": OutboundRules(allow={"agent": ("0",)}, max_concurrent=1)})
    control = CallControl(sip, media, clock=clock, sink=sink, policy=policy, observer=seen)
    return World(control, sip, media, sink, seen, clock)


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def answered_customer(world: World) -> tuple[Leg, FakeInvite]:
    invite = FakeInvite()
    leg = await world.control.receive(invite, tenant_id="t", interaction_id="i")
    await world.control.answer(leg)
    return leg, invite


async def answered_agent(world: World, call: Call, target: str = "1001") -> Leg:
    leg = await world.control.dial(call, target, role=LegRole.AGENT)
    (await world.sip.next_invite()).answer()
    await world.control.wait_answered(leg, 1)
    return leg


def test_causes_follow_rfc_3398_and_q850() -> None:
    assert cause_from_status(486) is Cause.BUSY
    assert cause_from_status(603) is Cause.REJECTED
    assert cause_from_status(480) is Cause.UNAVAILABLE
    assert cause_from_status(502) is Cause.FAILED
    assert cause_from_reason('Q.850;cause=17;text="User busy"') is Cause.BUSY
    assert cause_from_reason("SIP;cause=200") is Cause.NORMAL
    assert cause_from_reason(None) is Cause.NORMAL
    assert cause_from_flow("no_answer") is Cause.NO_ANSWER
    assert cause_from_flow("whatever") is Cause.NORMAL


def test_leg_transitions_are_a_table() -> None:
    assert next_leg_state(LegState.RINGING, LegEvent.ANSWER) is LegState.ANSWERED
    assert next_leg_state(LegState.HELD, LegEvent.RESUME) is LegState.ANSWERED
    with pytest.raises(IllegalLegTransition) as raised:
        next_leg_state(LegState.CREATED, LegEvent.HOLD)
    assert raised.value.code == "calls.leg.illegal_transition"


async def test_inbound_leg_is_answered_and_ends_with_the_remote_cause(world: World) -> None:
    leg, invite = await answered_customer(world)
    assert invite.responses == [200]
    assert leg.state is LegState.ANSWERED
    remote = world.media.ep(leg.endpoint).remote
    assert remote is not None
    assert remote.direction is Direction.SENDRECV
    assert invite.session is not None
    invite.session.remote_hangup('Q.850;cause=17;text="User busy"')
    await settle()
    assert world.seen.ended == [leg]
    assert leg.cause is Cause.BUSY
    assert world.media.ep(leg.endpoint).released
    assert world.sink.types() == [
        "call.arrived", "leg.created", "leg.answered", "leg.ended", "call.ended",
    ]  # fmt: skip


async def test_cancelled_invite_ends_the_leg(world: World) -> None:
    invite = FakeInvite()
    leg = await world.control.receive(invite, tenant_id="t", interaction_id="i")
    invite.cancel()
    await settle()
    assert leg.cause is Cause.CANCELLED
    with pytest.raises(LegFailed):
        await world.control.answer(leg)


async def test_early_media_then_answer_and_reject(world: World) -> None:
    invite = FakeInvite()
    leg = await world.control.receive(invite, tenant_id="t", interaction_id="i")
    await world.control.early_media(leg)
    assert leg.state is LegState.EARLY
    await world.control.answer(leg)
    assert invite.responses == [183, 200]

    refused = FakeInvite(call_id="x")
    other = await world.control.receive(refused, tenant_id="t", interaction_id="j")
    await world.control.hangup(other, Cause.UNAVAILABLE)
    assert refused.rejected == (480, 20)


async def test_outbound_failures_are_causes(world: World) -> None:
    call = world.control.new_call(tenant_id="t", interaction_id="i")
    with pytest.raises(LegFailed) as unregistered:
        await world.control.dial(call, "1002", role=LegRole.AGENT)
    assert unregistered.value.cause is Cause.UNAVAILABLE

    busy = await world.control.dial(call, "1001", role=LegRole.AGENT)
    (await world.sip.next_invite()).fail(486)
    with pytest.raises(LegFailed) as failed:
        await world.control.wait_answered(busy, 1)
    assert failed.value.cause is Cause.BUSY

    ringing = await world.control.dial(call, "1001", role=LegRole.AGENT)
    outgoing = await world.sip.next_invite()
    outgoing.ring()
    await settle()
    assert ringing.state is LegState.RINGING
    await world.control.hangup(ringing, Cause.NO_ANSWER)
    assert outgoing.cancelled
    assert ringing.cause is Cause.NO_ANSWER
    assert [e.cause for e in world.sink.events if e.type == "leg.ended"] == [
        "unavailable", "busy", "no_answer",
    ]  # fmt: skip


async def test_trunk_numbers_obey_the_outbound_policy(world: World) -> None:
    call = world.control.new_call(tenant_id="t", interaction_id="i")
    with pytest.raises(DestinationDenied) as denied:
        await world.control.dial(call, "13800138000", role=LegRole.EXTERNAL, trunk="pstn")
    assert not isinstance(denied.value, OutboundCapFull)  # the number, not the cap
    leg = await world.control.dial(call, "02155550100", role=LegRole.EXTERNAL, trunk="pstn")
    assert world.sip.outgoing[-1].trunk == "pstn"
    with pytest.raises(OutboundCapFull):  # allowed, but the concurrent cap is 1
        await world.control.dial(call, "02155550101", role=LegRole.EXTERNAL, trunk="pstn")
    await world.control.hangup(leg)
    await world.control.dial(call, "02155550101", role=LegRole.EXTERNAL, trunk="pstn")


async def test_bridge_hold_resume_and_conference(world: World) -> None:
    customer, _ = await answered_customer(world)
    call = customer.call
    agent = await answered_agent(world, call)
    media = world.media
    await world.control.bridge(customer, agent)
    assert media.ep(customer.endpoint).peer == agent.endpoint
    assert call.partner(agent) is customer

    await world.control.hold(customer, by="agent")
    assert media.ep(customer.endpoint).moh == "default"
    assert media.ep(customer.endpoint).peer is None
    assert customer.state is LegState.HELD
    await world.control.resume(customer)
    assert media.ep(customer.endpoint).moh is None
    await world.control.bridge(customer, agent)

    await world.control.set_listen_only(agent, True)
    assert media.ep(agent.endpoint).mode is ConferenceMode.LISTEN
    assert media.ep(customer.endpoint).mode is ConferenceMode.FULL
    assert call.bridge is None

    third = await answered_agent(world, call)
    await world.control.conference(call, [third])
    assert call.conference is not None
    assert media.conferences[call.conference] == {
        customer.endpoint, agent.endpoint, third.endpoint,
    }  # fmt: skip
    with pytest.raises(CallConflict):
        await world.control.resume(agent)
    types = world.sink.types()
    assert types.count("call.conferenced") == 2
    assert "call.held" in types
    assert "call.resumed" in types


async def test_recording_stops_when_the_customer_leaves(world: World) -> None:
    customer, invite = await answered_customer(world)
    agent = await answered_agent(world, customer.call)
    await world.control.bridge(customer, agent)
    await world.control.start_recording(customer.call)
    assert customer.call.recording is not None
    assert invite.session is not None
    invite.session.remote_hangup()
    await settle()
    assert [r.path for r in world.seen.recordings] == [f"t/i-{customer.leg_id}.wav"]
    assert customer.call.recording is None
    assert agent.is_live  # the agent leg stays: interactions decides what happens to it


async def test_digits_refer_and_phone_hold_reach_the_observer(world: World) -> None:
    customer, invite = await answered_customer(world)
    agent = await answered_agent(world, customer.call)
    world.media.press(customer.endpoint, "1")
    assert invite.session is not None
    invite.session.remote_dtmf("2")
    await settle()
    assert customer.drain_digits() == "12"

    session = world.sip.outgoing[-1].session
    assert session is not None
    session.remote_refer("sip:1002@hotline")
    session.remote_hold(True)
    await settle()
    assert world.seen.refers == ["1002"]
    assert world.seen.holds == [True]
    assert agent.remote_hold
