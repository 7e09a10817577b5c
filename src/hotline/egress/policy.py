"""Which addresses outgoing requests may reach: public Internet addresses, plus the networks
the operator lists. Pure: no sockets, no DNS.

"Not public" is `ipaddress`'s `not is_global` (private ranges, loopback, link-local — where
cloud metadata services live —, carrier-grade NAT, documentation, reserved and unspecified
addresses) and multicast; an IPv6 address carrying an IPv4 one (mapped, NAT64, 6to4) is judged
by the IPv4 address inside.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from hotline.egress.errors import EgressRefused

__all__ = ["Address", "EgressPolicy", "Network", "policy_of"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _inner(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    allow_networks: tuple[Network, ...] = ()
    allow_private: bool = False  # every address (a closed lab); never the default

    @classmethod
    def of(cls, networks: Iterable[str], *, allow_private: bool = False) -> EgressPolicy:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks), allow_private)

    def allows(self, address: Address) -> bool:
        if self.allow_private:
            return True
        if any(address in network for network in self.allow_networks):
            return True
        inner = _inner(address)
        if inner is not address and any(inner in n for n in self.allow_networks):
            return True
        return inner.is_global and not inner.is_multicast

    def check(self, host: str, address: str) -> Address:
        """The parsed address, or `EgressRefused` naming host and address."""
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
        if not self.allows(parsed):
            raise EgressRefused(
                f"{host} resolves to {parsed}, a private, loopback or link-local address; "
                "an operator may allow its network in egress.allow_networks",
                details={"host": host, "address": str(parsed)},
            )
        return parsed


def policy_of(allow_networks: Iterable[object], *, allow_private: bool = False) -> EgressPolicy:
    """The policy from `Settings.egress` (networks as parsed by pydantic, or text)."""
    return EgressPolicy.of((str(n) for n in allow_networks), allow_private=allow_private)
