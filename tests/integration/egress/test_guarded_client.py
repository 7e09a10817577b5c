"""The guarded webhook client over real sockets: a public-looking target that is really
loopback (by literal, by DNS name, by IPv4-mapped IPv6), a redirect from an allowed server to
an internal one, and the metadata address are refused before any byte reaches them; an
allowed network works, with the name kept in the Host header."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from hotline.egress import EgressPolicy, EgressRefused, guarded_client


class Server:
    """A small HTTP/1.0 server on one loopback address; records what reached it."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.port = 0
        self.requests: list[str] = []
        self.redirect_to = ""
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        self.requests.append(head)
        path = head.split(" ", 2)[1]
        if path.startswith("/redirect"):
            answer = (
                f"HTTP/1.0 302 Found\r\nLocation: {self.redirect_to}\r\nContent-Length: 0\r\n\r\n"
            )
        else:
            body = '{"found": true}'
            answer = (
                "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n{body}"
            )
        writer.write(answer.encode())
        await writer.drain()
        writer.close()

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def servers() -> AsyncIterator[tuple[Server, Server]]:
    allowed, internal = Server("127.0.0.2"), Server("127.0.0.1")
    await allowed.start()
    await internal.start()
    yield allowed, internal
    await allowed.stop()
    await internal.stop()


async def test_internal_targets_are_refused_before_any_byte(servers: tuple[Server, Server]) -> None:
    allowed, internal = servers
    policy = EgressPolicy.of(["127.0.0.2/32"])  # the operator allows one address
    async with guarded_client(policy, timeout=5) as client:
        ok = await client.get(f"http://127.0.0.2:{allowed.port}/lookup", params={"key": "1"})
        assert ok.json() == {"found": True}
        for url in (
            f"http://127.0.0.1:{internal.port}/secret",
            f"http://localhost:{internal.port}/secret",  # by name, after DNS
            f"http://[::ffff:127.0.0.1]:{internal.port}/secret",
            "http://169.254.169.254/latest/meta-data/",
        ):
            with pytest.raises(EgressRefused) as caught:
                await client.get(url)
            assert caught.value.code == "egress.refused"
        # A redirect from the allowed server to an internal one is checked like a first call.
        allowed.redirect_to = f"http://127.0.0.1:{internal.port}/secret"
        with pytest.raises(EgressRefused):
            await client.get(f"http://127.0.0.2:{allowed.port}/redirect")
        with pytest.raises(EgressRefused):
            await client.get("file:///etc/passwd")
    assert internal.requests == []
    assert len(allowed.requests) == 2


async def test_a_name_is_sent_to_its_checked_address_with_its_host_header(
    servers: tuple[Server, Server],
) -> None:
    _, internal = servers
    async with guarded_client(EgressPolicy.of(["127.0.0.0/8"]), timeout=5) as client:
        r = await client.get(f"http://localhost:{internal.port}/lookup")
    assert r.status_code == 200
    assert f"host: localhost:{internal.port}" in internal.requests[0].lower()


async def test_without_the_guard_the_same_call_reaches_loopback(
    servers: tuple[Server, Server],
) -> None:
    """What the lookup webhook did before: a plain client calls the internal server."""
    _, internal = servers
    async with httpx.AsyncClient(timeout=5) as client:
        assert (await client.get(f"http://127.0.0.1:{internal.port}/secret")).status_code == 200
    assert len(internal.requests) == 1
