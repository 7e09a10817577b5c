"""SIP trunks to carriers: configuration, inbound identification, DID and caller id.

A trunk is identified for an inbound INVITE by its source address (the provider's signalling
hosts, `inbound_sources` entries may be `host` or `host:port`), and otherwise by the digest
user it authenticates as (`inbound_username`). The DID comes from the Request-URI user (or the
To user, as some carriers send), the caller id from P-Asserted-Identity, else From.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotline.sip.address import Address
from hotline.sip.errors import SipParseError
from hotline.sip.headers import NameAddr, parse_name_addr
from hotline.sip.message import Request
from hotline.sip.uri import SipUri, TelUri, Uri

__all__ = [
    "CallerId",
    "Trunk",
    "caller_id_of",
    "did_of",
    "identify_trunk",
    "number_of",
    "trunk_hosts",
]


@dataclass(frozen=True, slots=True)
class Trunk:
    name: str
    host: str
    port: int = 5060
    transport: str = "udp"
    username: str | None = None
    password: str | None = None
    realm: str | None = None
    from_domain: str | None = None
    register: bool = False
    register_expires: int = 3600
    inbound_sources: tuple[str, ...] = ()
    inbound_username: str | None = None  # digest user the provider authenticates as
    did_from: str = "request-uri"  # or "to"
    tenant_id: str = "default"
    codecs: tuple[str, ...] = ("PCMU", "PCMA")  # offered to the trunk, in this order

    @property
    def address(self) -> Address:
        return Address(self.transport, self.host, self.port)

    def matches_source(self, source: Address) -> bool:
        if source.host == self.host and not self.inbound_sources:
            return True
        return (
            source.host in self.inbound_sources
            or f"{source.host}:{source.port}" in self.inbound_sources
        )


@dataclass(frozen=True, slots=True)
class CallerId:
    number: str | None
    display: str | None = None
    uri: str | None = None


def number_of(uri: Uri) -> str | None:
    if isinstance(uri, SipUri):
        return uri.user_unescaped
    if isinstance(uri, TelUri):
        return uri.number
    return None


def identify_trunk(trunks: Iterable[Trunk], source: Address) -> Trunk | None:
    for trunk in trunks:
        if trunk.matches_source(source):
            return trunk
    return None


def trunk_hosts(trunks: Iterable[Trunk]) -> set[str]:
    """Every address a configured trunk signals from: never banned (ADR 0101)."""
    hosts: set[str] = set()
    for trunk in trunks:
        hosts.add(trunk.host)
        for source in trunk.inbound_sources:
            if source.startswith("["):  # [v6]:port
                hosts.add(source[1 : source.find("]")])
            elif source.count(":") == 1:  # v4:port or name:port
                hosts.add(source.partition(":")[0])
            else:
                hosts.add(source)
    return hosts


def did_of(request: Request, trunk: Trunk | None = None) -> str | None:
    """The dialled number: Request-URI user, or To user when the trunk says so."""
    if trunk is not None and trunk.did_from == "to":
        return number_of(request.to.uri)
    return number_of(request.uri)


def caller_id_of(request: Request) -> CallerId:
    """P-Asserted-Identity when present (a trusted carrier asserts it), else From."""
    pai = request.headers.get("p-asserted-identity")
    addr: NameAddr = request.from_
    if pai:
        try:
            addr = parse_name_addr(pai.split(",", 1)[0], "P-Asserted-Identity")
        except SipParseError:
            addr = request.from_
    return CallerId(number_of(addr.uri), addr.display or request.from_.display, str(addr.uri))
