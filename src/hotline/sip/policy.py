"""Toll-fraud guard for outbound calls: prefix allow/deny lists per tenant and role, and a
per-tenant cap on concurrent outbound calls.

Call control asks `acquire(tenant, role, number)` before dialing out (agent calls, transfers
to external numbers, REFER targets) and releases the permit when the call ends. Pure: no I/O,
no clock. Default deny: a number no allow-prefix matches is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hotline.sip.errors import OutboundCapReached, OutboundDenied

__all__ = ["OutboundPermit", "OutboundPolicy", "OutboundRules", "normalize_number"]


def normalize_number(number: str) -> str:
    """Digits (and a leading +) of a dialled string: `+86 (10) 5555-1234` -> `+861055551234`."""
    text = number.strip()
    plus = "+" if text.startswith("+") else ""
    return plus + "".join(c for c in text if c.isdigit())


def _longest_match(dialled: str, prefixes: tuple[str, ...]) -> int:
    """Length of the longest prefix `dialled` starts with; -1 if none ("" matches all)."""
    lengths = [len(p) for p in map(normalize_number, prefixes) if dialled.startswith(p)]
    return max(lengths, default=-1)


@dataclass(frozen=True, slots=True)
class OutboundRules:
    """Prefixes are matched against the normalized number; the longest match wins and a deny
    beats an allow of the same length. `allow` maps role -> prefixes ("*" = every role)."""

    allow: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    deny: tuple[str, ...] = ()
    max_concurrent: int = 10


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str


class OutboundPermit:
    """Holds one slot of the tenant's concurrent cap until `release()`."""

    def __init__(self, policy: OutboundPolicy, tenant_id: str, number: str) -> None:
        self._policy = policy
        self.tenant_id = tenant_id
        self.number = number
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self._policy._active[self.tenant_id] -= 1


class OutboundPolicy:
    def __init__(
        self,
        rules: Mapping[str, OutboundRules] | None = None,
        *,
        default: OutboundRules | None = None,
    ) -> None:
        self._rules = dict(rules or {})
        self._default = default or OutboundRules()
        self._active: dict[str, int] = {}

    def set_rules(self, tenant_id: str, rules: OutboundRules) -> None:
        self._rules[tenant_id] = rules

    def rules_for(self, tenant_id: str) -> OutboundRules:
        return self._rules.get(tenant_id, self._default)

    def check(self, tenant_id: str, role: str, number: str) -> Decision:
        rules = self.rules_for(tenant_id)
        dialled = normalize_number(number)
        if not dialled or dialled == "+":
            return Decision(False, "empty destination")
        allows = (*rules.allow.get(role, ()), *rules.allow.get("*", ()))
        best_allow = _longest_match(dialled, allows)
        best_deny = _longest_match(dialled, rules.deny)
        if best_deny >= 0 and best_deny >= best_allow:
            return Decision(False, f"{dialled} matches a denied prefix")
        if best_allow < 0:
            return Decision(False, f"{dialled} matches no allowed prefix for role {role}")
        return Decision(True, "allowed")

    def acquire(self, tenant_id: str, role: str, number: str) -> OutboundPermit:
        """Check and take a concurrent slot; raises `OutboundDenied` / `OutboundCapReached`."""
        decision = self.check(tenant_id, role, number)
        if not decision.allowed:
            raise OutboundDenied(
                decision.reason, details={"tenant_id": tenant_id, "role": role, "number": number}
            )
        cap = self.rules_for(tenant_id).max_concurrent
        active = self._active.get(tenant_id, 0)
        if active >= cap:
            raise OutboundCapReached(
                f"tenant {tenant_id} already has {active} outbound calls (cap {cap})",
                retry_after_s=5.0,
            )
        self._active[tenant_id] = active + 1
        return OutboundPermit(self, tenant_id, normalize_number(number))

    def active(self, tenant_id: str) -> int:
        return self._active.get(tenant_id, 0)

    def room(self, tenant_id: str) -> int:
        """Outbound calls the tenant may still place now before `acquire` refuses for the cap
        (what a dialer paces to)."""
        return max(0, self.rules_for(tenant_id).max_concurrent - self.active(tenant_id))
