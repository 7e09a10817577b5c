"""Protection under real traffic: a flooding source is throttled while another source's calls
complete; malformed datagrams are answered 400 or dropped without harming the endpoint."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from hotline.sip.events import FloodDetected
from hotline.sip.protection import ProtectionSettings
from tests.integration.sip.peers import free_port, hotline, run_sipp
from tests.unit.sip.rfc4475 import cases

pytestmark = [pytest.mark.sipp]


async def test_flood_from_one_source_does_not_stop_another(tmp_path: Path) -> None:
    protection = ProtectionSettings(rate_per_s=40, burst=40)
    async with hotline(protection=protection) as (service, sink):
        port = service.local["udp"].port
        (tmp_path / "flood").mkdir()
        (tmp_path / "caller").mkdir()
        flood = asyncio.ensure_future(
            run_sipp(
                [
                    "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.2", "-p", str(free_port()),
                    "-mp", str(free_port()), "-r", "300", "-m", "3000", "-l", "3000",
                    "-timeout", "8", "-t", "u1",
                ],
                str(tmp_path / "flood"),
                timeout=12,  # sipp waits for its unanswered calls; we end it
            )
        )  # fmt: skip
        await asyncio.sleep(1.0)
        caller = await run_sipp(
            [
                "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.3", "-p", str(free_port()),
                "-mp", str(free_port()), "-r", "5", "-m", "10", "-d", "100", "-t", "u1",
            ],
            str(tmp_path / "caller"),
            timeout=60,
        )  # fmt: skip
        await flood
        assert caller.returncode == 0, caller.stderr[-2000:]
        assert caller.field("SuccessfulCall(C)") == "10"
        assert service.protector.counters.rate_limited > 100
        floods = sink.of_type(FloodDetected)
        assert [e.source for e in floods] == ["127.0.0.2"]


async def test_malformed_datagrams_are_answered_or_dropped(tmp_path: Path) -> None:
    async with hotline() as (service, _):
        port = service.local["udp"].port
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.4", 0))
            sock.setblocking(False)
            answered = 0
            for case in cases():
                if case.parser != "reject":
                    continue
                await loop.sock_sendto(sock, case.data, ("127.0.0.1", port))
                try:
                    data = await asyncio.wait_for(loop.sock_recv(sock, 65535), 0.5)
                except TimeoutError:
                    continue
                assert data.startswith(b"SIP/2.0 400 ")
                answered += 1
            await loop.sock_sendto(sock, b"\x00\xff" * 100, ("127.0.0.1", port))
            # Still alive and answering after all that.
            options = (
                b"OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\n"
                b"Via: SIP/2.0/UDP 127.0.0.4:9;branch=z9hG4bKalive;rport\r\n"
                b"From: <sip:probe@127.0.0.4>;tag=1\r\nTo: <sip:hotline@127.0.0.1>\r\n"
                b"Call-ID: alive\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                b"Content-Length: 0\r\n\r\n"
            )
            await loop.sock_sendto(sock, options, ("127.0.0.1", port))
            data = await asyncio.wait_for(loop.sock_recv(sock, 65535), 2)
            assert data.startswith(b"SIP/2.0 200 OK")
        assert answered >= 10
        assert service.protector.counters.parse_errors >= answered
