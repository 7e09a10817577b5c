"""Where a message comes from or goes to, and a datagram or stream write to send.

Transactions and the endpoint speak only in `Address` values; `sip.transport` turns them into
sockets. RFC 3261 §18.2.2 and RFC 3581 decide the address a response goes to.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.sip.headers import Via
from hotline.sip.uri import SipUri

__all__ = ["Address", "Outgoing", "address_for_uri", "response_address"]


@dataclass(frozen=True, slots=True)
class Address:
    """A transport address: `Address("udp", "127.0.0.1", 5060)`. `transport` is lower case."""

    transport: str
    host: str
    port: int

    @property
    def reliable(self) -> bool:
        """Stream transports need no retransmissions (RFC 3261 §17.1.1.2)."""
        return self.transport != "udp"

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.transport}:{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """Bytes to write to `to` (a datagram for UDP, a frame on the connection for TCP)."""

    data: bytes
    to: Address


def response_address(via: Via, source: Address) -> Address:
    """Where a response to a request with top `via`, received from `source`, is sent.

    Stream transports answer on the connection the request came in on; over UDP the answer
    goes to the source address when the client asked for rport, else to the received address
    (the source IP) and the Via port (RFC 3261 §18.2.2, RFC 3581 §4).
    """
    if source.reliable or via.wants_rport:
        return source
    default_port = 5061 if via.transport == "TLS" else 5060
    return Address(source.transport, source.host, via.port or default_port)


def address_for_uri(uri: SipUri, default_transport: str = "udp") -> Address:
    """Where to send a request for `uri` (RFC 3263 without DNS: numeric hosts or names the
    adapter resolves): `maddr` wins over the host, `transport=` over the default."""
    transport = uri.transport or ("tls" if uri.scheme == "sips" else default_transport)
    host = uri.param("maddr") or uri.host
    if host.startswith("["):
        host = host[1:-1]
    port = uri.port or (5061 if transport == "tls" else 5060)
    return Address(transport, host, port)
