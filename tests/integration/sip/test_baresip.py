"""Interop with real baresip 1.0.0: digest-authenticated REGISTER, calls in both directions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.events import Registered
from hotline.sip.offeranswer import make_answer, make_offer
from hotline.sip.transport.calls import CallSession, IncomingCall
from tests.integration.sip.baresip import baresip
from tests.integration.sip.peers import free_port, hotline

pytestmark = [pytest.mark.baresip]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_baresip_registers_calls_and_is_called(transport: str, tmp_path: Path) -> None:
    credentials = InMemoryCredentialStore()
    credentials.set_password("hotline", "1001", "s3cret")
    sessions: asyncio.Queue[tuple[IncomingCall, CallSession]] = asyncio.Queue()

    async def on_call(call: IncomingCall) -> None:
        assert call.offer is not None
        answer, _ = make_answer(call.offer, "127.0.0.1", free_port(), session_id=3)
        await call.ring()
        sessions.put_nowait((call, await call.answer(answer)))

    async with hotline(
        on_call, credentials=credentials, authenticate_invites=True, qualify_interval_s=0
    ) as (service, sink):
        port = service.local[transport].port
        account = (
            f"<sip:1001@127.0.0.1:{port};transport={transport}>;auth_pass=s3cret;"
            "answermode=auto;regint=60;audio_codecs=PCMU,PCMA"
        )
        async with baresip(tmp_path, account) as phone:
            # baresip registers at start-up, before its control port has a listener, so
            # wait on our registrar rather than on its REGISTER_OK event.
            for _ in range(150):
                if service.registration.contacts("1001"):
                    break
                await asyncio.sleep(0.1)
            (binding,) = service.registration.contacts("1001")
            assert binding.source.transport == transport
            assert [e.aor for e in sink.of_type(Registered)] == ["1001"]

            # Hotline rings the registered phone; baresip auto-answers.
            offer = make_offer("127.0.0.1", free_port(), session_id=9)
            call = await service.invite("1001", sdp=offer)
            session = await call.wait(timeout=15)
            assert session.media is not None
            assert session.media.codec.name in ("PCMU", "PCMA")
            await phone.wait_event("CALL_ESTABLISHED")
            await asyncio.sleep(0.5)  # baresip re-INVITEs right after answering
            assert await session.hangup() == 200
            await phone.wait_event("CALL_CLOSED")

            # The phone calls Hotline: the INVITE is challenged, then answered.
            await phone.command("dial", f"sip:4001@127.0.0.1:{port};transport={transport}")
            incoming, inbound = await asyncio.wait_for(sessions.get(), 15)
            assert incoming.user == "1001"
            assert incoming.did == "4001"
            await asyncio.wait_for(inbound.confirmed.wait(), 10)
            await phone.wait_event("CALL_ESTABLISHED")
            assert await inbound.hangup() == 200
            await phone.wait_event("CALL_CLOSED")
