"""Issue 13: the tables an INVITE flood that reaches call control fills stay bounded — refused
calls leave nothing behind, and past the dialog cap new calls are shed with 503 while known
sources (trunks, registered phones) keep their half."""

from __future__ import annotations

import asyncio
import socket

from hotline.sip.protection import ProtectionSettings
from hotline.sip.transport.calls import IncomingCall
from hotline.sip.trunk import Trunk
from tests.integration.sip.peers import hotline


def invite(n: int, host: str, port: int) -> bytes:
    sdp = (
        f"v=0\r\no=- 1 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
        "m=audio 9 RTP/AVP 0\r\n"
    )
    return (
        f"INVITE sip:4001@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bKb{n};rport\r\n"
        f"From: <sip:c@{host}>;tag={n}\r\nTo: <sip:4001@127.0.0.1>\r\nCall-ID: bounded-{n}\r\n"
        f"CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:c@{host}:{port}>\r\n"
        f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}"
    ).encode()


async def statuses(sock: socket.socket, want: int, timeout: float = 5.0) -> dict[int, int]:
    """Final statuses received until `want` calls have one."""
    loop = asyncio.get_running_loop()
    finals: dict[str, int] = {}
    while len(finals) < want:
        data = await asyncio.wait_for(loop.sock_recv(sock, 65535), timeout)
        status = int(data.split(b" ", 2)[1])
        call_id = next(ln for ln in data.split(b"\r\n") if ln.startswith(b"Call-ID"))
        if status >= 200:
            finals[call_id.decode()] = status
    out: dict[int, int] = {}
    for status in finals.values():
        out[status] = out.get(status, 0) + 1
    return out


async def test_refused_calls_leave_nothing_and_the_dialog_cap_sheds_with_503() -> None:
    held: list[IncomingCall] = []

    async def ring_or_refuse(call: IncomingCall) -> None:
        if (
            call.did == "4001"
            and call.trunk is None
            and len(held) < 100
            and "refuse" not in (call.call_id)
        ):
            held.append(call)  # ringing: the call stays pending
            await call.ring()
        else:
            await call.reject(486)

    protection = ProtectionSettings(max_dialogs=10, rate_per_s=1000, burst=1000)
    trunk = Trunk("carrier", "127.0.0.41")
    async with hotline(ring_or_refuse, protection=protection, trunks=(trunk,),
                       qualify_interval_s=0) as (service, _):  # fmt: skip
        port = service.local["udp"].port
        loop = asyncio.get_running_loop()
        stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stranger.bind(("127.0.0.40", 0))
        stranger.setblocking(False)
        carrier = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        carrier.bind(("127.0.0.41", 0))
        carrier.setblocking(False)
        try:
            # Refused calls: nothing stays behind.
            for n in range(30):
                data = invite(n, "127.0.0.40", 9).replace(b"bounded-", b"refuse-")
                await loop.sock_sendto(stranger, data, ("127.0.0.1", port))
            assert await statuses(stranger, 30) == {486: 30}
            assert len(service._incoming) == 0
            # Ringing calls from a stranger fill half the table; the rest get 503.
            for n in range(100, 112):
                await loop.sock_sendto(stranger, invite(n, "127.0.0.40", 9), ("127.0.0.1", port))
            for _ in range(100):
                if len(held) == 5:
                    break
                await asyncio.sleep(0.02)
            assert await statuses(stranger, 7) == {503: 7}
            assert service.protector.counters.shed_503 == 7
            # The carrier still gets its calls through the other half.
            for n in range(200, 203):
                await loop.sock_sendto(carrier, invite(n, "127.0.0.41", 9), ("127.0.0.1", port))
            assert await statuses(carrier, 3) == {486: 3}  # reached call control
        finally:
            stranger.close()
            carrier.close()
