"""Stream transports (RFC 3261 §18.3): TCP, and TLS (RFC 3261 §26.2, RFC 5630) with the same
code over an `ssl.SSLContext`. Framed by Content-Length, connections reused both ways.

A connection a peer opened is used for our requests to that peer's address too (what phones
behind NAT need), CRLFCRLF keep-alive pings are answered with CRLF (RFC 5626 §3.5.1), and a
stream that cannot be framed is closed. Connections peers open are held to the limits of a
`ConnectionGuard` (per source, in total, unfinished-message and idle timeouts): this adapter
only applies its decisions, once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable
from typing import cast

from hotline.sip.address import Address
from hotline.sip.connections import ConnectionGuard, ConnectionLimits
from hotline.sip.errors import SipParseError, TransportError
from hotline.sip.framing import KeepAlive, StreamFramer

__all__ = ["TcpTransport"]

Receiver = Callable[[bytes, Address], None]


class _Connection(asyncio.Protocol):
    def __init__(self, owner: TcpTransport, *, inbound: bool) -> None:
        self._owner = owner
        self._framer = StreamFramer(owner.max_message_bytes)
        self.transport: asyncio.Transport | None = None
        self.peer: Address | None = None
        self.inbound = inbound
        self.guarded = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.Transport: no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)
        host, port = transport.get_extra_info("peername")[:2]
        self.peer = Address(self._owner.name, str(host), int(port))
        owner = self._owner
        if self.inbound:
            refusal = owner.guard.admit(id(self), self.peer.host, owner.now())
            if refusal is not None:
                self.transport.abort()
                return
            self.guarded = True
        owner._connections[self.peer] = self

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None
        assert self.transport is not None
        owner = self._owner
        try:
            items = self._framer.feed(data)
        except SipParseError:
            owner.framing_errors += 1
            self.transport.close()
            return
        if self.guarded:
            owner.guard.activity(id(self), owner.now(), buffered=self._framer.buffered)
        for item in items:
            if isinstance(item, KeepAlive):
                if item.ping:
                    self.transport.write(b"\r\n")
            else:
                owner._on_message(item, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        owner = self._owner
        if self.guarded:
            owner.guard.closed(id(self))
            self.guarded = False
        if self.peer is not None and owner._connections.get(self.peer) is self:
            del owner._connections[self.peer]

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class TcpTransport:
    def __init__(
        self,
        on_message: Receiver,
        *,
        max_message_bytes: int = 65_535,
        name: str = "tcp",
        limits: ConnectionLimits | None = None,
        now: Callable[[], float] = time.monotonic,
        is_known: Callable[[str], bool] = lambda host: False,
        server_ssl: ssl.SSLContext | None = None,
        client_ssl: ssl.SSLContext | None = None,
        handshake_timeout_s: float = 10.0,
    ) -> None:
        self._on_message = on_message
        self.max_message_bytes = max_message_bytes
        self.name = name
        self.guard = ConnectionGuard(limits or ConnectionLimits())
        self.now = now
        self.is_known = is_known
        self.server_ssl = server_ssl
        self.client_ssl = client_ssl
        self.handshake_timeout_s = handshake_timeout_s
        self._connections: dict[Address, _Connection] = {}
        self._pending: dict[Address, asyncio.Future[_Connection]] = {}
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.local: Address | None = None
        self.framing_errors = 0

    async def start(self, host: str, port: int) -> Address:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self, inbound=True),
            host,
            port,
            ssl=self.server_ssl,
            ssl_handshake_timeout=self.handshake_timeout_s if self.server_ssl else None,
        )
        sock_host, sock_port = self._server.sockets[0].getsockname()[:2]
        self.local = Address(self.name, sock_host, sock_port)
        self._sweeper = asyncio.ensure_future(self._sweep())
        return self.local

    async def _sweep(self) -> None:
        """Apply the guard's timeouts once a second."""
        while True:
            await asyncio.sleep(1.0)
            doomed = set(self.guard.expired(self.now(), self.is_known))
            if doomed:
                for conn in [c for c in self._connections.values() if id(c) in doomed]:
                    conn.abort()

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
                    loop.create_connection(
                        lambda: _Connection(self, inbound=False),
                        to.host,
                        to.port,
                        ssl=self.client_ssl,
                        server_hostname=to.host if self.client_ssl is not None else None,
                    ),
                    timeout,
                )
                pending.set_result(proto)
            except (OSError, TimeoutError, ssl.SSLError) as exc:
                pending.set_exception(TransportError(f"cannot connect to {to}: {exc}"))
                pending.exception()  # mark retrieved for concurrent waiters
            finally:
                self._pending.pop(to, None)
        conn = await pending
        conn.write(data)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for conn in list(self._connections.values()):
            if conn.transport is not None:
                conn.transport.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
