"""The transports on uvloop, the loop production runs (its transports are not asyncio's
classes): calls over UDP and TCP between two services and from sipp over TCP."""

from __future__ import annotations

import asyncio
import tempfile

import pytest
import uvloop

from hotline.sip.offeranswer import make_offer
from tests.integration.sip.peers import free_port, hotline, run_sipp
from tests.integration.sip.test_service_calls import Answerer, target


async def scenario() -> None:
    uas = Answerer()
    async with hotline(uas) as (callee, _), hotline(None) as (caller, _):
        assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")
        for transport in ("udp", "tcp"):
            offer = make_offer("127.0.0.1", free_port(), session_id=1)
            call = await caller.invite(target(callee.local[transport].port, transport), sdp=offer)
            session = await call.wait(timeout=5)
            assert await session.hangup() == 200
    async with hotline() as (service, _):
        port = service.local["tcp"].port
        with tempfile.TemporaryDirectory() as tmp:
            result = await run_sipp(
                [
                    "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(free_port()),
                    "-mp", str(free_port()), "-m", "10", "-r", "10", "-d", "50", "-t", "t1",
                ],
                tmp,
            )  # fmt: skip
        assert result.field("SuccessfulCall(C)") == "10", result.stderr[-1000:]


@pytest.mark.sipp
def test_service_on_uvloop() -> None:
    uvloop.run(scenario())
