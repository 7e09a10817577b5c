"""`CallControl` against real SIP peers in this process (two soft phones on loopback): an inbound
call answered, an agent leg dialled and bridged with audio both ways, hold with music, DTMF,
REFER reported, failures mapped to causes, and the events of it all."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hotline.calls import Call, CallControl, Cause, DestinationDenied, Leg, LegFailed, LegRole
from hotline.clock import SystemClock
from hotline.events import ListSink
from hotline.media import FileRecordingStorage, MediaEngine, PromptLibrary, Tone, ToneSpec
from hotline.media.backend import RecordingInfo
from hotline.sip.policy import OutboundPolicy, OutboundRules
from hotline.sip.refer import ReferTarget
from hotline.sip.transport.calls import IncomingCall, MediaChanged
from hotline.sip.transport.service import SipService, SipServiceConfig
from hotline.sip.trunk import Trunk
from tests.integration.callcenter.softphone import softphone, tone_level
from tests.integration.media.peers import free_port_range


@dataclass
class Observer:
    ended: list[Leg] = field(default_factory=list)
    refers: list[tuple[Leg, ReferTarget]] = field(default_factory=list)
    holds: list[tuple[Leg, bool]] = field(default_factory=list)
    recordings: list[RecordingInfo] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def leg_ended(self, leg: Leg) -> None:
        self.ended.append(leg)
        self.changed.set()

    def transfer_requested(self, leg: Leg, target: ReferTarget, referred_by: str | None) -> None:
        self.refers.append((leg, target))
        self.changed.set()

    def remote_hold(self, leg: Leg, held: bool) -> None:
        self.holds.append((leg, held))

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        self.recordings.append(info)


@dataclass
class Stack:
    control: CallControl
    sip: SipService
    sink: ListSink
    observer: Observer
    inbound: asyncio.Queue[IncomingCall]

    @property
    def port(self) -> int:
        return self.sip.local["udp"].port


@contextlib.asynccontextmanager
async def b2bua(tmp: Path) -> AsyncIterator[Stack]:
    sink = ListSink()
    low, high = free_port_range(100)
    engine = MediaEngine(
        port_min=low,
        port_max=high,
        sink=sink,
        prompts=PromptLibrary(prompts_dir=tmp),
        storage=FileRecordingStorage(tmp / "recordings"),
    )
    await engine.start()
    await engine.register_moh("default", [Tone(ToneSpec("moh", (350.0,)), 5.0)])
    inbound: asyncio.Queue[IncomingCall] = asyncio.Queue()

    async def on_call(call: IncomingCall) -> None:
        inbound.put_nowait(call)

    sip = SipService(
        SipServiceConfig(
            udp_port=0,
            tcp_port=None,
            authenticate_invites=False,
            trunks=(Trunk("pstn", "127.0.0.2"),),
        ),
        clock=SystemClock(),
        events=sink,
        on_call=on_call,
    )
    await sip.start()
    observer = Observer()
    policy = OutboundPolicy({"t1": OutboundRules(allow={"agent": ("1",)}, deny=("1900",))})
    control = CallControl(
        sip, engine, clock=SystemClock(), sink=sink, policy=policy, observer=observer
    )
    try:
        yield Stack(control, sip, sink, observer, inbound)
    finally:
        await control.close()
        await sip.stop()
        await engine.close()


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


async def test_inbound_call_bridged_to_an_agent_leg_with_hold_dtmf_and_hangup(
    tmp_path: Path,
) -> None:
    async with (
        b2bua(tmp_path) as stack,
        softphone(tmp_path, "caller") as caller,
        softphone(tmp_path, "agent") as agent,
    ):
        dialing = asyncio.ensure_future(caller.dial(f"sip:4001@127.0.0.1:{stack.port}"))
        invite = await asyncio.wait_for(stack.inbound.get(), 5)
        assert invite.did == "4001"
        leg = await stack.control.receive(invite, tenant_id="t1", interaction_id="i1")
        await stack.control.ring(leg)
        await stack.control.answer(leg)
        customer_call = await asyncio.wait_for(dialing, 5)

        agent_leg = await stack.control.dial(
            leg.call, f"sip:agent@127.0.0.1:{agent.port}", role=LegRole.AGENT, timeout=5
        )
        await stack.control.wait_answered(agent_leg, 5)
        agent_call = await asyncio.wait_for(agent.answered.get(), 5)
        await stack.control.bridge(leg, agent_leg)

        await customer_call.tone(500.0)
        await agent_call.tone(1300.0)
        await customer_call.record()
        await agent_call.record()
        await asyncio.sleep(1.5)
        heard_by_customer = await customer_call.heard()
        heard_by_agent = await agent_call.heard()
        assert tone_level(heard_by_customer[4000:], 1300.0) > 0.1
        assert tone_level(heard_by_agent[4000:], 500.0) > 0.1

        # Hold: the customer is re-INVITEd sendonly and hears music (350 Hz) instead.
        await stack.control.hold(leg, by="agent")
        change = await customer_call.session.next_event(timeout=5)
        assert isinstance(change, MediaChanged)
        await customer_call.record()
        await asyncio.sleep(1.0)
        assert tone_level((await customer_call.heard())[2000:], 350.0) > 0.1
        await stack.control.resume(leg)
        await stack.control.bridge(leg, agent_leg)

        await customer_call.send_digits("12#")
        keys = [await asyncio.wait_for(leg.digits.get(), 5) for _ in range(3)]
        assert keys == ["1", "2", "#"]

        await customer_call.hangup()
        await until(lambda: leg in stack.observer.ended)
        assert leg.cause is Cause.NORMAL
        await stack.control.hangup(agent_leg)
        await until(lambda: not stack.control.calls)

    types = stack.sink.types()
    for kind in (
        "call.arrived",
        "leg.created",
        "leg.ringing",
        "leg.answered",
        "call.bridged",
        "call.held",
        "call.resumed",
        "leg.ended",
        "call.ended",
    ):
        assert kind in types, kind
    ended = [e for e in stack.sink.events if e.type == "leg.ended"]
    assert {e.by for e in ended} == {"remote", "local"}
    assert all(e.interaction_id == "i1" for e in ended)


async def test_failures_map_to_causes(tmp_path: Path) -> None:
    async with b2bua(tmp_path) as stack, softphone(tmp_path, "busy") as busy:
        busy.auto_answer = False
        call = stack.control.new_call(tenant_id="t1", interaction_id="i2")

        with pytest.raises(LegFailed) as unregistered:
            await stack.control.dial(call, "1001", role=LegRole.AGENT)
        assert unregistered.value.cause is Cause.UNAVAILABLE

        with pytest.raises(DestinationDenied):
            await stack.control.dial(call, "19001234567", role=LegRole.EXTERNAL, trunk="pstn")

        leg = await stack.control.dial(
            call, f"sip:x@127.0.0.1:{busy.port}", role=LegRole.AGENT, timeout=5
        )
        incoming = await asyncio.wait_for(busy.incoming.get(), 5)
        await incoming.reject(486, q850_cause=17)
        with pytest.raises(LegFailed) as rejected:
            await stack.control.wait_answered(leg, 5)
        assert rejected.value.cause is Cause.BUSY

        ringing = await stack.control.dial(
            call, f"sip:x@127.0.0.1:{busy.port}", role=LegRole.AGENT, timeout=5
        )
        await asyncio.wait_for(busy.incoming.get(), 5)
        await until(lambda: ringing.state.value == "ringing")
        await stack.control.hangup(ringing, Cause.NO_ANSWER)
        assert ringing.cause is Cause.NO_ANSWER
    causes = [e.cause for e in stack.sink.events if e.type == "leg.ended"]
    assert causes == ["unavailable", "denied", "busy", "no_answer"]


async def test_refer_from_a_phone_is_reported(tmp_path: Path) -> None:
    async with b2bua(tmp_path) as stack, softphone(tmp_path, "agent") as agent:
        call = stack.control.new_call(tenant_id="t1", interaction_id="i3")
        leg = await stack.control.dial(
            call, f"sip:a@127.0.0.1:{agent.port}", role=LegRole.AGENT, timeout=5
        )
        await stack.control.wait_answered(leg, 5)
        phone_call = await asyncio.wait_for(agent.answered.get(), 5)
        status = await phone_call.session.refer(f"sip:1002@127.0.0.1:{stack.port}")
        assert status == 202
        await until(lambda: bool(stack.observer.refers))
        referred_leg, target = stack.observer.refers[0]
        assert referred_leg is leg
        assert target.user == "1002"
        await stack.control.end_call(call)
