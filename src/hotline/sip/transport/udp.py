"""UDP transport (RFC 3261 §18): one datagram socket, each datagram one message.

The only I/O of `hotline.sip` together with `tcp.py`. Works on the stdlib loop and on uvloop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from hotline.sip.address import Address

__all__ = ["UdpTransport"]

Receiver = Callable[[bytes, Address], None]


class UdpTransport(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Receiver) -> None:
        self._on_datagram = on_datagram
        self._transport: asyncio.DatagramTransport | None = None
        self.local: Address | None = None
        self.send_errors = 0

    async def start(self, host: str, port: int) -> Address:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(host, port))
        self._transport = transport
        sock_host, sock_port = self._transport.get_extra_info("sockname")[:2]
        self.local = Address("udp", sock_host, sock_port)
        return self.local

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.DatagramTransport: no isinstance.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self._on_datagram(data, Address("udp", str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and friends: the transaction timers will notice.
        self.send_errors += 1

    def send(self, data: bytes, to: Address) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(data, (to.host, to.port))

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
