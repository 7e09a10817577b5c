"""Abuse protection at the edge: size limit, per-source rate limit, scanner User-Agents, bans.

Pure: every decision takes `now`. Counters are plain integers the service exposes as metrics;
the decisions that matter to an operator (a ban, the start of a flood) are returned as
`ProtectionNotice`s for the service to turn into domain events.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["ProtectionCounters", "ProtectionNotice", "ProtectionSettings", "Protector", "Verdict"]


class Verdict(StrEnum):
    ACCEPT = "accept"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    BANNED = "banned"
    BLOCKED_USER_AGENT = "blocked_user_agent"


@dataclass(frozen=True, slots=True)
class ProtectionSettings:
    max_message_bytes: int = 65_535
    rate_per_s: float = 200.0
    burst: int = 400
    user_agent_blocklist: tuple[str, ...] = (
        "friendly-scanner",
        "sipvicious",
        "sipcli",
        "VaxSIPUserAgent",
    )
    auth_failures_before_ban: int = 10
    ban_seconds: float = 600.0
    tracked_sources: int = 100_000


@dataclass(slots=True)
class ProtectionCounters:
    """Monotonic counters (Prometheus-style `_total`), one per verdict plus bans issued."""

    accepted: int = 0
    too_large: int = 0
    rate_limited: int = 0
    banned_drops: int = 0
    blocked_user_agent: int = 0
    bans: int = 0
    auth_failures: int = 0
    parse_errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class ProtectionNotice:
    """Something worth an event: `kind` is "banned", "flood" or "scanner"."""

    kind: str
    source: str
    reason: str
    until: float | None = None


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    flooding: bool = False
    failures: int = 0
    failures_since: float = 0.0


@dataclass(slots=True)
class Protector:
    settings: ProtectionSettings = field(default_factory=ProtectionSettings)
    counters: ProtectionCounters = field(default_factory=ProtectionCounters)
    _buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)
    _bans: dict[str, float] = field(default_factory=dict)
    _notices: list[ProtectionNotice] = field(default_factory=list)

    def check_datagram(self, source_host: str, size: int, now: float) -> Verdict:
        """Decide before parsing: size, ban, rate. Cheap enough for every datagram."""
        if size > self.settings.max_message_bytes:
            self.counters.too_large += 1
            return Verdict.TOO_LARGE
        until = self._bans.get(source_host)
        if until is not None:
            if until > now:
                self.counters.banned_drops += 1
                return Verdict.BANNED
            del self._bans[source_host]
        bucket = self._bucket(source_host, now)
        s = self.settings
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(s.burst), bucket.tokens + elapsed * s.rate_per_s)
        bucket.updated = now
        if bucket.tokens < 1.0:
            self.counters.rate_limited += 1
            if not bucket.flooding:
                bucket.flooding = True
                self._notices.append(
                    ProtectionNotice("flood", source_host, f"over {s.rate_per_s:g} messages/s")
                )
            return Verdict.RATE_LIMITED
        bucket.tokens -= 1.0
        if bucket.flooding and bucket.tokens >= s.burst / 2:
            bucket.flooding = False
        self.counters.accepted += 1
        return Verdict.ACCEPT

    def check_user_agent(self, source_host: str, user_agent: str | None) -> Verdict:
        if user_agent:
            lowered = user_agent.lower()
            for needle in self.settings.user_agent_blocklist:
                if needle.lower() in lowered:
                    self.counters.blocked_user_agent += 1
                    self._notices.append(ProtectionNotice("scanner", source_host, user_agent[:80]))
                    return Verdict.BLOCKED_USER_AGENT
        return Verdict.ACCEPT

    def auth_failed(self, source_host: str, now: float) -> None:
        """Count a failed digest check; ban the source after too many within the ban window."""
        self.counters.auth_failures += 1
        bucket = self._bucket(source_host, now)
        if now - bucket.failures_since > self.settings.ban_seconds:
            bucket.failures = 0
            bucket.failures_since = now
        bucket.failures += 1
        if bucket.failures >= self.settings.auth_failures_before_ban:
            until = now + self.settings.ban_seconds
            self._bans[source_host] = until
            bucket.failures = 0
            self.counters.bans += 1
            self._notices.append(
                ProtectionNotice("banned", source_host, "too many failed authentications", until)
            )

    def auth_succeeded(self, source_host: str) -> None:
        bucket = self._buckets.get(source_host)
        if bucket is not None:
            bucket.failures = 0

    def ban(self, source_host: str, until: float, reason: str) -> None:
        self._bans[source_host] = until
        self.counters.bans += 1
        self._notices.append(ProtectionNotice("banned", source_host, reason, until))

    def unban(self, source_host: str) -> None:
        self._bans.pop(source_host, None)

    def bans(self, now: float) -> dict[str, float]:
        return {host: until for host, until in self._bans.items() if until > now}

    def take_notices(self) -> list[ProtectionNotice]:
        out, self._notices = self._notices, []
        return out

    def _bucket(self, source_host: str, now: float) -> _Bucket:
        bucket = self._buckets.get(source_host)
        if bucket is None:
            bucket = _Bucket(float(self.settings.burst), now)
            self._buckets[source_host] = bucket
            if len(self._buckets) > self.settings.tracked_sources:
                self._buckets.popitem(last=False)  # forget the least recently seen source
        else:
            self._buckets.move_to_end(source_host)
        return bucket
