"""Acceptance (issue 13): SIP over TCP against slow and silent peers ("slowloris").

Connections that trickle a message, or send nothing, are closed after the unfinished-message
timeout; a source cannot hold more than its share of connections; a silent connection is
closed after the idle timeout unless its address is registered; and a well-behaved client is
served throughout. Sources are distinct loopback addresses (127.0.0.x).
"""

from __future__ import annotations

import asyncio
import contextlib

from hotline.sip.connections import ConnectionLimits
from tests.integration.sip.peers import hotline

LIMITS = ConnectionLimits(max_per_source=40, max_total=500, idle_timeout_s=3.0,
                          message_timeout_s=2.0)  # fmt: skip
PARTIAL = b"OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;bra"


def options(host: str, n: int) -> bytes:
    return (
        f"OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP {host}:9;branch=z9hG4bKtcp{n}\r\n"
        f"From: <sip:probe@{host}>;tag={n}\r\nTo: <sip:hotline@127.0.0.1>\r\n"
        f"Call-ID: tcp-{n}@{host}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


async def closed_by_peer(reader: asyncio.StreamReader, timeout: float) -> bool:
    try:
        data = await asyncio.wait_for(reader.read(65535), timeout)
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return data == b""


async def wait_until(condition: object, timeout: float = 15.0) -> None:
    assert callable(condition)
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_slow_and_silent_connections_are_cut_and_a_client_is_served() -> None:
    async with hotline(None, stream_limits=LIMITS, qualify_interval_s=0) as (service, _):
        port = service.local["tcp"].port
        guard = service.streams.tcp.guard
        streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        try:
            # Three sources open 100 connections each and trickle half a header (or nothing).
            for source in ("127.0.0.31", "127.0.0.32", "127.0.0.33"):
                for i in range(100):
                    reader, writer = await asyncio.open_connection(
                        "127.0.0.1", port, local_addr=(source, 0)
                    )
                    if i % 2 == 0:
                        writer.write(PARTIAL)
                    streams.append((reader, writer))
            await wait_until(lambda: guard.refused_per_source == 3 * 60)
            assert guard.count() == 3 * 40
            assert max(guard.count(s) for s in ("127.0.0.31", "127.0.0.32")) == 40

            # Meanwhile a client from another address is answered at once.
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=("127.0.0.34", 0)
            )
            writer.write(options("127.0.0.34", 1))
            reply = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert reply.startswith(b"SIP/2.0 200 OK")

            # The slow ones are cut after the unfinished-message timeout; more bytes later do
            # not save them.
            for _, slow in streams[:10]:
                slow.write(b"nch=z9hG4bK")
            await wait_until(lambda: guard.count() == 1)
            assert guard.closed_incomplete == 3 * 40
            assert all([await closed_by_peer(r, 5) for r, _ in streams])

            # The well-behaved client, now silent, is closed after the idle timeout.
            assert await closed_by_peer(reader, 10)
            assert guard.closed_idle == 1
            assert guard.count() == 0
            writer.close()
        finally:
            for _, w in streams:
                w.close()
            for _, w in streams:
                with contextlib.suppress(ConnectionError):
                    await w.wait_closed()


async def test_a_registered_address_keeps_its_silent_connection() -> None:
    async with hotline(None, stream_limits=LIMITS, qualify_interval_s=0) as (service, _):
        port = service.local["tcp"].port
        service.protector.add_known("127.0.0.35")  # as the registrar does for a binding
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=("127.0.0.35", 0)
        )
        writer.write(options("127.0.0.35", 2))
        assert (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).startswith(b"SIP/2.0 200")
        assert not await closed_by_peer(reader, LIMITS.idle_timeout_s + 2)
        assert service.streams.tcp.guard.count() == 1
        writer.close()
