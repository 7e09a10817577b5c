"""Abuse protection at the edge: size limit, message budgets, scanner User-Agents, bans.

Pure: every decision takes `now`. Before a datagram is parsed it passes, in order, a size
limit, the ban list, a token bucket per source address and — unless the source is *known* (a
configured trunk, or an address with a live registration) — a bucket per network (/24, /64)
and one global bucket shared by every unknown source (ADR 0100). A flood from many addresses
therefore costs at most the global budget, while trunks and registered phones keep their own
per-source budget. Failed digest checks ban a source, but never a configured trunk's address:
there a ban would hand an attacker who forges the trunk's address a denial of service, so the
protector raises a `trusted_abuse` notice instead (ADR 0101).

Counters are plain integers the service exposes as metrics; the decisions that matter to an
operator (a ban, the start of a flood, an overload) are returned as `ProtectionNotice`s for the
service to turn into domain events.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Ban",
    "ProtectionCounters",
    "ProtectionNotice",
    "ProtectionSettings",
    "Protector",
    "Verdict",
    "network_of",
]


class Verdict(StrEnum):
    ACCEPT = "accept"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    NETWORK_LIMITED = "network_limited"
    OVER_BUDGET = "over_budget"
    BANNED = "banned"
    BLOCKED_USER_AGENT = "blocked_user_agent"


@dataclass(frozen=True, slots=True)
class ProtectionSettings:
    max_message_bytes: int = 65_535
    # Per source address (every source, trunks included, with the trusted figures for them).
    rate_per_s: float = 200.0
    burst: int = 400
    trusted_rate_per_s: float = 1_000.0
    trusted_burst: int = 2_000
    # Per network of unknown sources (IPv4 /24, IPv6 /64) and for all unknown sources together.
    network_rate_per_s: float = 300.0
    network_burst: int = 600
    global_rate_per_s: float = 500.0
    global_burst: int = 1_000
    user_agent_blocklist: tuple[str, ...] = (
        "friendly-scanner",
        "sipvicious",
        "sipcli",
        "VaxSIPUserAgent",
    )
    # A flood episode (one `flood` notice) ends after this long without a dropped message.
    flood_quiet_s: float = 10.0
    auth_failures_before_ban: int = 10
    ban_seconds: float = 600.0
    tracked_sources: int = 20_000
    tracked_networks: int = 5_000
    # Addresses never banned and exempt from the network and global budgets (configured trunks).
    trusted_sources: tuple[str, ...] = ()
    # Tables the endpoint and the service keep bounded (ADR 0100): past these, new requests
    # are answered 503 with Retry-After, statelessly.
    max_server_transactions: int = 20_000
    max_dialogs: int = 5_000
    retry_after_s: int = 5
    # Overload (issue 14, `hotline.sip.admission`): new calls are shed with 503 past these.
    max_setups: int = 200
    max_loop_lag_s: float = 0.25
    min_pool_free: int = 1
    busy_setups: int = 8


@dataclass(slots=True)
class ProtectionCounters:
    """Monotonic counters (Prometheus-style `_total`), one per verdict plus bans issued."""

    accepted: int = 0
    too_large: int = 0
    rate_limited: int = 0
    network_limited: int = 0
    over_budget: int = 0
    banned_drops: int = 0
    blocked_user_agent: int = 0
    bans: int = 0
    bans_lifted: int = 0
    auth_failures: int = 0
    foreign_nonces: int = 0
    trusted_auth_failures: int = 0
    parse_errors: int = 0
    shed_503: int = 0
    # New calls shed by the admission rule, by reason (each also counts in shed_503).
    shed_dialogs: int = 0
    shed_setups: int = 0
    shed_loop_lag: int = 0
    shed_pool: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}

    def count_shed(self, reason: str) -> None:
        """A new call shed by the admission rule (`reason`: a `Shed` value)."""
        self.shed_503 += 1
        name = f"shed_{reason}"
        setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True, slots=True)
class ProtectionNotice:
    """Something worth an event: `kind` is "banned", "flood", "overload", "scanner" or
    "trusted_abuse" (failed checks from a trunk's address, which is never banned)."""

    kind: str
    source: str
    reason: str
    until: float | None = None


@dataclass(frozen=True, slots=True)
class Ban:
    """A banned source address: since/until on the protector's (monotonic) clock."""

    source: str
    since: float
    until: float
    reason: str


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    flooding: bool = False
    last_drop: float = 0.0
    failures: int = 0
    failures_since: float = 0.0

    def take(self, now: float, rate: float, burst: int) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(burst), self.tokens + elapsed * rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def idle(self, now: float, rate: float, burst: int, quiet: float) -> bool:
        """Full again and nothing to remember: the bucket can be forgotten."""
        refilled = self.tokens + max(0.0, now - self.updated) * rate
        calm = not self.flooding or now - self.last_drop >= quiet
        return refilled >= burst and calm and self.failures == 0

    def dropped(self, now: float) -> bool:
        """Note a dropped message; True when it starts a flood episode."""
        self.last_drop = now
        if self.flooding:
            return False
        self.flooding = True
        return True

    def calm(self, now: float, quiet: float) -> None:
        if self.flooding and now - self.last_drop >= quiet:
            self.flooding = False


def network_of(host: str) -> str:
    """The network a source address is counted in: `10.1.2.3` -> `10.1.2.0/24`, IPv6 /64."""
    if ":" not in host:
        head, dot, _ = host.rpartition(".")
        return f"{head}.0/24" if dot else host
    try:
        return str(ipaddress.ip_network(f"{host}/64", strict=False))
    except ValueError:
        return host


@dataclass(slots=True)
class Protector:
    settings: ProtectionSettings = field(default_factory=ProtectionSettings)
    counters: ProtectionCounters = field(default_factory=ProtectionCounters)
    _buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)
    _networks: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)
    _global: _Bucket | None = None
    _bans: dict[str, Ban] = field(default_factory=dict)
    _trusted: frozenset[str] = frozenset()
    _known: dict[str, int] = field(default_factory=dict)
    _notices: list[ProtectionNotice] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._trusted = frozenset(self.settings.trusted_sources)

    # --- who is who ---

    def trust(self, hosts: Iterable[str]) -> None:
        """Add addresses that are never banned (configured trunks' signalling hosts)."""
        self._trusted = self._trusted | frozenset(hosts)
        for host in self._trusted:
            self._bans.pop(host, None)

    def is_trusted(self, host: str) -> bool:
        return host in self._trusted

    def add_known(self, host: str) -> None:
        """A registration binding from `host` appeared: exempt it from the shared budgets."""
        self._known[host] = self._known.get(host, 0) + 1

    def remove_known(self, host: str) -> None:
        left = self._known.get(host, 0) - 1
        if left > 0:
            self._known[host] = left
        else:
            self._known.pop(host, None)

    def is_known(self, host: str) -> bool:
        return host in self._trusted or host in self._known

    # --- before parsing ---

    def check_datagram(self, source_host: str, size: int, now: float) -> Verdict:
        """Decide before parsing: size, ban, per-source, per-network and global budgets."""
        s = self.settings
        if size > s.max_message_bytes:
            self.counters.too_large += 1
            return Verdict.TOO_LARGE
        ban = self._bans.get(source_host)
        if ban is not None:
            if ban.until > now:
                self.counters.banned_drops += 1
                return Verdict.BANNED
            del self._bans[source_host]
        trusted = source_host in self._trusted
        bucket = self._bucket(source_host, now, trusted)
        rate, burst = (
            (s.trusted_rate_per_s, s.trusted_burst) if trusted else (s.rate_per_s, s.burst)
        )
        if not self._take(bucket, now, rate, burst, source_host, f"over {rate:g} messages/s"):
            self.counters.rate_limited += 1
            return Verdict.RATE_LIMITED
        if not trusted and source_host not in self._known:
            network = network_of(source_host)
            nbucket = self._lru(self._networks, network, now, s.network_burst, s.tracked_networks)
            reason = f"network over {s.network_rate_per_s:g} messages/s"
            if not self._take(nbucket, now, s.network_rate_per_s, s.network_burst, network, reason):
                self.counters.network_limited += 1
                return Verdict.NETWORK_LIMITED
            gbucket = self._global
            if gbucket is None:
                gbucket = self._global = _Bucket(float(s.global_burst), now)
            if not gbucket.take(now, s.global_rate_per_s, s.global_burst):
                if gbucket.dropped(now):
                    self._notices.append(
                        ProtectionNotice(
                            "overload",
                            "*",
                            f"unknown sources over {s.global_rate_per_s:g} messages/s",
                        )
                    )
                self.counters.over_budget += 1
                return Verdict.OVER_BUDGET
            gbucket.calm(now, s.flood_quiet_s)
        self.counters.accepted += 1
        return Verdict.ACCEPT

    def _take(
        self, bucket: _Bucket, now: float, rate: float, burst: int, source: str, reason: str
    ) -> bool:
        if not bucket.take(now, rate, burst):
            if bucket.dropped(now):
                self._notices.append(ProtectionNotice("flood", source, reason))
            return False
        bucket.calm(now, self.settings.flood_quiet_s)
        return True

    def check_user_agent(self, source_host: str, user_agent: str | None) -> Verdict:
        if user_agent:
            lowered = user_agent.lower()
            for needle in self.settings.user_agent_blocklist:
                if needle.lower() in lowered:
                    self.counters.blocked_user_agent += 1
                    self._notices.append(ProtectionNotice("scanner", source_host, user_agent[:80]))
                    return Verdict.BLOCKED_USER_AGENT
        return Verdict.ACCEPT

    # --- authentication outcomes ---

    def auth_failed(self, source_host: str, now: float) -> None:
        """Count a wrong answer to a nonce this server issued to `source_host`; ban the source
        after too many within the ban window — unless it is a trunk's address, which is
        reported instead (a forged source must not lock the carrier out)."""
        self.counters.auth_failures += 1
        trusted = source_host in self._trusted
        bucket = self._bucket(source_host, now, trusted)
        if now - bucket.failures_since > self.settings.ban_seconds:
            bucket.failures = 0
            bucket.failures_since = now
        bucket.failures += 1
        if bucket.failures < self.settings.auth_failures_before_ban:
            return
        bucket.failures = 0
        if trusted:
            self.counters.trusted_auth_failures += 1
            self._notices.append(
                ProtectionNotice(
                    "trusted_abuse",
                    source_host,
                    f"{self.settings.auth_failures_before_ban} failed authentications from a "
                    "trunk's address: not banned",
                )
            )
            return
        self.ban(source_host, now + self.settings.ban_seconds, "too many failed authentications",
                 now=now)  # fmt: skip

    def foreign_nonce(self) -> None:
        """An answer to a nonce we did not issue to this source: re-challenged, never counted."""
        self.counters.foreign_nonces += 1

    def auth_succeeded(self, source_host: str) -> None:
        bucket = self._buckets.get(source_host)
        if bucket is not None:
            bucket.failures = 0

    # --- bans ---

    def ban(self, source_host: str, until: float, reason: str, *, now: float | None = None) -> bool:
        """Ban `source_host` until `until`; refused (False) for a trusted address."""
        if source_host in self._trusted:
            return False
        since = now if now is not None else until - self.settings.ban_seconds
        self._bans[source_host] = Ban(source_host, since, until, reason)
        self.counters.bans += 1
        self._notices.append(ProtectionNotice("banned", source_host, reason, until))
        return True

    def unban(self, source_host: str) -> bool:
        """Lift a ban; False when there was none."""
        if self._bans.pop(source_host, None) is None:
            return False
        self.counters.bans_lifted += 1
        bucket = self._buckets.get(source_host)
        if bucket is not None:
            bucket.failures = 0
        return True

    def bans(self, now: float) -> dict[str, float]:
        return {host: ban.until for host, ban in self._bans.items() if ban.until > now}

    def ban_list(self, now: float) -> list[Ban]:
        """Active bans, the most recent first."""
        active = [ban for ban in self._bans.values() if ban.until > now]
        return sorted(active, key=lambda b: b.since, reverse=True)

    def take_notices(self) -> list[ProtectionNotice]:
        out, self._notices = self._notices, []
        return out

    # --- memory ---

    def sweep(self, now: float, limit: int = 1_000) -> int:
        """Forget buckets that refilled and remember nothing (oldest first), and expired bans,
        so the tables shrink back after a flood. Returns how many entries were dropped."""
        s = self.settings
        dropped = 0
        for table, rate, burst in (
            (self._buckets, s.rate_per_s, s.burst),
            (self._networks, s.network_rate_per_s, s.network_burst),
        ):
            while table and dropped < limit:
                key, bucket = next(iter(table.items()))
                trusted = key in self._trusted
                r, b = (s.trusted_rate_per_s, s.trusted_burst) if trusted else (rate, burst)
                if not bucket.idle(now, r, b, s.flood_quiet_s):
                    break
                del table[key]
                dropped += 1
        for host in [h for h, ban in self._bans.items() if ban.until <= now]:
            del self._bans[host]
        return dropped

    @property
    def tracked(self) -> int:
        return len(self._buckets) + len(self._networks)

    def _bucket(self, source_host: str, now: float, trusted: bool) -> _Bucket:
        s = self.settings
        return self._lru(
            self._buckets,
            source_host,
            now,
            s.trusted_burst if trusted else s.burst,
            s.tracked_sources,
        )

    @staticmethod
    def _lru(
        table: OrderedDict[str, _Bucket], key: str, now: float, burst: int, limit: int
    ) -> _Bucket:
        bucket = table.get(key)
        if bucket is None:
            bucket = _Bucket(float(burst), now)
            table[key] = bucket
            if len(table) > limit:
                table.popitem(last=False)  # forget the least recently seen
        else:
            table.move_to_end(key)
        return bucket
