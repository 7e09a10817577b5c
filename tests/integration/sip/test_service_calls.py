"""Two Hotline SIP services talk to each other over loopback: the call-control API end to end
(answer, reject, cancel, re-INVITE hold/resume, INFO DTMF, REFER + NOTIFY, Replaces, BYE)."""

from __future__ import annotations

import asyncio

import pytest

from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.offeranswer import make_answer, make_offer
from hotline.sip.refer import Replaces
from hotline.sip.sdp import Direction
from hotline.sip.transport.calls import (
    CallFailed,
    CallSession,
    DtmfReceived,
    IncomingCall,
    MediaChanged,
    RemoteHangup,
    TransferProgress,
    TransferRequested,
)
from hotline.sip.trunk import CallerId, Trunk
from tests.integration.sip.peers import free_port, hotline

TRANSPORTS = ["udp", "tcp"]


class Answerer:
    """A UAS that answers (or rejects, or just rings) and hands the session to the test."""

    def __init__(self, mode: str = "answer") -> None:
        self.mode = mode
        self.calls: asyncio.Queue[IncomingCall] = asyncio.Queue()
        self.sessions: asyncio.Queue[CallSession] = asyncio.Queue()

    async def __call__(self, call: IncomingCall) -> None:
        self.calls.put_nowait(call)
        await call.ring()
        if self.mode == "reject":
            await call.reject(486, "Busy Here", q850_cause=17)
        elif self.mode == "answer":
            assert call.offer is not None
            answer, _ = make_answer(call.offer, "127.0.0.1", free_port(), session_id=2)
            self.sessions.put_nowait(await call.answer(answer))


def target(service_port: int, transport: str, user: str = "4001") -> str:
    return f"sip:{user}@127.0.0.1:{service_port};transport={transport}"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_call_hold_resume_dtmf_and_hangup(transport: str) -> None:
    uas = Answerer()
    async with hotline(uas) as (callee, _), hotline(None) as (caller, _):
        offer = make_offer("127.0.0.1", free_port(), session_id=1)
        call = await caller.invite(
            target(callee.local[transport].port, transport),
            sdp=offer,
            caller_id=CallerId("13800138000", "Zhang San"),
        )
        progress = await call.next_progress(timeout=5)
        assert progress.status in (100, 180)
        a = await call.wait(timeout=5)
        b = await asyncio.wait_for(uas.sessions.get(), 5)
        await asyncio.wait_for(b.confirmed.wait(), 5)
        incoming = uas.calls.get_nowait()
        assert incoming.did == "4001"
        assert incoming.caller_id.number == "13800138000"
        assert incoming.caller_id.display == "Zhang San"
        assert a.media is not None
        assert a.media.codec.name == "PCMU"

        held = await a.hold()
        event = await b.next_event(timeout=5)
        assert isinstance(event, MediaChanged)
        assert event.media is not None
        assert event.media.direction is Direction.RECVONLY
        assert held.audio() is not None
        assert a.media.direction is Direction.SENDONLY

        await a.resume()
        event = await b.next_event(timeout=5)
        assert isinstance(event, MediaChanged)
        assert a.media.direction is Direction.SENDRECV

        assert await a.send_dtmf_info("5", 120) == 200
        event = await b.next_event(timeout=5)
        assert event == DtmfReceived("5", 120)

        assert await b.hangup(q850_cause=16, text="Normal call clearing") == 200
        event = await a.next_event(timeout=5)
        assert isinstance(event, RemoteHangup)
        assert event.reason is not None
        assert "cause=16" in event.reason
        assert a.ended.is_set()
        assert caller.sessions == []
        assert callee.sessions == []


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_reject_with_q850_and_cancel_on_ring_timeout(transport: str) -> None:
    async with hotline(Answerer("reject")) as (callee, _), hotline(None) as (caller, _):
        offer = make_offer("127.0.0.1", free_port(), session_id=1)
        call = await caller.invite(target(callee.local[transport].port, transport), sdp=offer)
        with pytest.raises(CallFailed) as info:
            await call.wait(timeout=5)
        assert info.value.status == 486
    ringer = Answerer("ring")
    async with hotline(ringer) as (callee, _), hotline(None) as (caller, _):
        call = await caller.invite(target(callee.local[transport].port, transport), sdp=offer)
        progress = await call.next_progress(timeout=5)
        while progress.status != 180:
            progress = await call.next_progress(timeout=5)
        incoming = await asyncio.wait_for(ringer.calls.get(), 5)
        call.cancel()
        with pytest.raises(CallFailed) as info:
            await call.wait(timeout=5)
        assert info.value.status == 487
        await asyncio.wait_for(incoming.cancelled.wait(), 5)
        assert not incoming.pending


async def test_blind_transfer_with_refer_and_notify() -> None:
    uas = Answerer()
    async with hotline(uas) as (callee, _), hotline(None) as (caller, _):
        offer = make_offer("127.0.0.1", free_port(), session_id=1)
        call = await caller.invite(target(callee.local["udp"].port, "udp"), sdp=offer)
        a = await call.wait(timeout=5)
        b = await asyncio.wait_for(uas.sessions.get(), 5)
        # The phone (a) transfers the call to 1002; Hotline (b) gets the request.
        assert await a.refer("sip:1002@127.0.0.1") == 202
        event = await b.next_event(timeout=5)
        assert isinstance(event, TransferRequested)
        assert event.target.user == "1002"
        assert event.target.replaces is None
        progress = await a.next_event(timeout=5)
        assert progress == TransferProgress(100, False)
        assert await b.notify_transfer(200) == 200
        progress = await a.next_event(timeout=5)
        assert progress == TransferProgress(200, True)
        await a.hangup()


async def test_attended_transfer_refer_with_replaces_and_invite_replaces() -> None:
    uas = Answerer()
    async with hotline(uas) as (pbx, _), hotline(None) as (phone, _):
        offer = make_offer("127.0.0.1", free_port(), session_id=1)
        first = await (await phone.invite(target(pbx.local["udp"].port, "udp"), sdp=offer)).wait(5)
        pbx_first = await asyncio.wait_for(uas.sessions.get(), 5)
        # REFER carrying Replaces names the phone's first dialog as the PBX sees it.
        replaces = Replaces(first.call_id, pbx_first.dialog.local_tag, first.dialog.local_tag)
        await first.refer("sip:1003@127.0.0.1", replaces=replaces)
        event = await pbx_first.next_event(timeout=5)
        assert isinstance(event, TransferRequested)
        assert event.target.replaces == replaces
        # An INVITE with Replaces for that dialog reaches call control with the header parsed.
        call = await phone.invite(
            target(pbx.local["udp"].port, "udp"),
            sdp=offer,
            extra_headers=[("Replaces", str(replaces))],
        )
        await call.wait(5)
        incoming = [uas.calls.get_nowait() for _ in range(uas.calls.qsize())][-1]
        assert incoming.replaces == replaces
        assert pbx.find_replaced(replaces) is pbx_first
        # Replaces naming no dialog is refused with 481 (RFC 3891 §3).
        bogus = Replaces("nope", "a", "b")
        call = await phone.invite(
            target(pbx.local["udp"].port, "udp"),
            sdp=offer,
            extra_headers=[("Replaces", str(bogus))],
        )
        with pytest.raises(CallFailed) as info:
            await call.wait(5)
        assert info.value.status == 481


async def test_a_failing_call_handler_answers_500() -> None:
    async def broken(call: IncomingCall) -> None:
        raise RuntimeError("call control bug")

    async with hotline(broken) as (callee, _), hotline(None) as (caller, _):
        offer = make_offer("127.0.0.1", free_port(), session_id=1)
        call = await caller.invite(target(callee.local["udp"].port, "udp"), sdp=offer)
        with pytest.raises(CallFailed) as info:
            await call.wait(timeout=5)
        assert info.value.status == 500


async def test_trunk_call_answers_the_providers_challenge() -> None:
    # The "provider" is a Hotline service that authenticates INVITEs; our side dials out
    # through a trunk with credentials and must answer the 401.
    provider_users = InMemoryCredentialStore()
    provider_users.set_password("hotline", "acme", "trunk-pass")
    uas = Answerer()
    async with hotline(
        uas, credentials=provider_users, authenticate_invites=True, qualify_interval_s=0,
        trunks=(Trunk("customer-acme", "192.0.2.99", inbound_username="acme"),),
    ) as (provider, _):  # fmt: skip
        port = provider.local["udp"].port
        trunk = Trunk(
            "carrier", "127.0.0.1", port, username="acme", password="trunk-pass",
            from_domain="carrier.example",
        )  # fmt: skip
        async with hotline(None, trunks=(trunk,)) as (pbx, _):
            offer = make_offer("127.0.0.1", free_port(), session_id=1)
            call = await pbx.invite(
                "13800138000", sdp=offer, trunk="carrier", caller_id=CallerId("4008001234")
            )
            session = await call.wait(timeout=5)
            incoming = await asyncio.wait_for(uas.calls.get(), 5)
            assert incoming.user == "acme"
            assert incoming.trunk is not None
            assert incoming.trunk.name == "customer-acme"  # identified by its credentials
            assert incoming.did == "13800138000"
            assert incoming.caller_id.number == "4008001234"
            assert call.request.cseq.number == 2  # the retry after the challenge
            assert await session.hangup() == 200
