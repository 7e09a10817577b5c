"""TCP transport (RFC 3261 §18.3): framed by Content-Length, connections reused both ways.

A connection a peer opened is used for our requests to that peer's address too (what phones
behind NAT need), CRLFCRLF keep-alive pings are answered with CRLF (RFC 5626 §3.5.1), and a
stream that cannot be framed is closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from hotline.sip.address import Address
from hotline.sip.errors import SipParseError, TransportError
from hotline.sip.framing import KeepAlive, StreamFramer

__all__ = ["TcpTransport"]

Receiver = Callable[[bytes, Address], None]


class _Connection(asyncio.Protocol):
    def __init__(self, owner: TcpTransport) -> None:
        self._owner = owner
        self._framer = StreamFramer(owner.max_message_bytes)
        self.transport: asyncio.Transport | None = None
        self.peer: Address | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.Transport: no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)
        host, port = transport.get_extra_info("peername")[:2]
        self.peer = Address("tcp", str(host), int(port))
        self._owner._connections[self.peer] = self

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None
        assert self.transport is not None
        try:
            items = self._framer.feed(data)
        except SipParseError:
            self._owner.framing_errors += 1
            self.transport.close()
            return
        for item in items:
            if isinstance(item, KeepAlive):
                if item.ping:
                    self.transport.write(b"\r\n")
            else:
                self._owner._on_message(item, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self._owner._connections.get(self.peer) is self:
            del self._owner._connections[self.peer]

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


class TcpTransport:
    def __init__(self, on_message: Receiver, *, max_message_bytes: int = 65_535) -> None:
        self._on_message = on_message
        self.max_message_bytes = max_message_bytes
        self._connections: dict[Address, _Connection] = {}
        self._pending: dict[Address, asyncio.Future[_Connection]] = {}
        self._server: asyncio.Server | None = None
        self.local: Address | None = None
        self.framing_errors = 0

    async def start(self, host: str, port: int) -> Address:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), host, port)
        sock_host, sock_port = self._server.sockets[0].getsockname()[:2]
        self.local = Address("tcp", sock_host, sock_port)
        return self.local

    def has_connection(self, to: Address) -> bool:
        return to in self._connections

    def send_now(self, data: bytes, to: Address) -> bool:
        """Write on an existing connection; False if there is none."""
        conn = self._connections.get(to)
        if conn is None:
            return False
        conn.write(data)
        return True

    async def send(self, data: bytes, to: Address, timeout: float = 5.0) -> None:
        """Write, opening a connection first if needed; raises `TransportError`."""
        if self.send_now(data, to):
            return
        pending = self._pending.get(to)
        if pending is None:
            loop = asyncio.get_running_loop()
            pending = loop.create_future()
            self._pending[to] = pending
            try:
                _, proto = await asyncio.wait_for(
                    loop.create_connection(lambda: _Connection(self), to.host, to.port), timeout
                )
                pending.set_result(proto)
            except (OSError, TimeoutError) as exc:
                pending.set_exception(TransportError(f"cannot connect to {to}: {exc}"))
                pending.exception()  # mark retrieved for concurrent waiters
            finally:
                self._pending.pop(to, None)
        conn = await pending
        conn.write(data)

    async def close(self) -> None:
        for conn in list(self._connections.values()):
            if conn.transport is not None:
                conn.transport.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
