"""Login throttling, by three keys (docs/security.md, ADR 0111). Pure: takes failure times and
`now`.

- account + source: a few failures lock that account *from that source* only, so nobody can
  lock a colleague out from elsewhere (the old "5 failures lock the account" was a lock-out
  anyone could repeat);
- source across accounts: one address trying many names (password spraying) is stopped;
- account from unknown devices: many sources guessing one account are stopped, while a browser
  that has logged in to the account before (its device cookie) still gets in.

A source is an IPv4 address or an IPv6 /64 (one subscriber's network).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LoginLimits", "ThrottlePolicy", "source_of"]


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_s: float = 900.0
    lockout_s: float = 300.0

    def locked_for(self, failures: Sequence[float], now: float) -> float:
        """Seconds the key stays locked (0 when a login may be tried)."""
        recent = sorted(t for t in failures if now - t <= self.window_s)
        if len(recent) < self.max_failures:
            return 0.0
        # Locked from the max_failures-th failure of the latest run for lockout_s.
        until = recent[-1] + self.lockout_s
        return max(0.0, until - now)


@dataclass(frozen=True, slots=True)
class LoginLimits:
    pair: ThrottlePolicy = ThrottlePolicy(5, 900.0, 300.0)
    source: ThrottlePolicy = ThrottlePolicy(20, 900.0, 900.0)
    account: ThrottlePolicy = ThrottlePolicy(50, 900.0, 900.0)

    @property
    def window_s(self) -> float:
        return max(self.pair.window_s, self.source.window_s, self.account.window_s)


def source_of(ip: str | None) -> str:
    """The throttling source of a client address: the address, or its /64 for IPv6."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
