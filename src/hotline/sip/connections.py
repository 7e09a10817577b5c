"""Limits on stream connections (SIP over TCP and TLS, RFC 3261 §18.3): which may open and
which must be closed. Pure: the transport reports what happened with `now`, asks `expired(now)`
and closes what it is told to (ADR 0102).

Three limits keep a slow or silent peer from holding sockets and buffers: connections per
source address and in total (checked when one opens), the time a partial message may wait for
its end (a "slowloris" sender trickling a header byte by byte), and the time a connection may
stay silent. Silence is allowed to addresses with a live registration: a phone behind NAT keeps
its connection open for the calls we send it, and refreshes or pings it on its own schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ConnectionGuard", "ConnectionLimits", "Refusal"]


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    max_per_source: int = 64
    max_total: int = 4_096
    idle_timeout_s: float = 300.0
    message_timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # "per_source" or "total"


@dataclass(slots=True)
class _Conn:
    host: str
    last_activity: float
    partial_since: float | None = None


@dataclass(slots=True)
class ConnectionGuard:
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    _conns: dict[int, _Conn] = field(default_factory=dict)
    _per_source: dict[str, int] = field(default_factory=dict)
    refused_per_source: int = 0
    refused_total: int = 0
    closed_idle: int = 0
    closed_incomplete: int = 0

    def admit(self, conn_id: int, host: str, now: float) -> Refusal | None:
        """A peer opened a connection: None to keep it, else why it must be closed now."""
        if len(self._conns) >= self.limits.max_total:
            self.refused_total += 1
            return Refusal("total")
        if self._per_source.get(host, 0) >= self.limits.max_per_source:
            self.refused_per_source += 1
            return Refusal("per_source")
        # Until its first message is complete a connection counts as holding a partial one:
        # opening sockets and sending nothing is the cheapest slowloris.
        self._conns[conn_id] = _Conn(host, now, partial_since=now)
        self._per_source[host] = self._per_source.get(host, 0) + 1
        return None

    def activity(self, conn_id: int, now: float, *, buffered: int) -> None:
        """Octets arrived; `buffered` is what the framer holds of an unfinished message."""
        conn = self._conns.get(conn_id)
        if conn is None:
            return
        conn.last_activity = now
        if buffered == 0:
            conn.partial_since = None
        elif conn.partial_since is None:
            conn.partial_since = now

    def closed(self, conn_id: int) -> None:
        conn = self._conns.pop(conn_id, None)
        if conn is None:
            return
        left = self._per_source.get(conn.host, 0) - 1
        if left > 0:
            self._per_source[conn.host] = left
        else:
            self._per_source.pop(conn.host, None)

    def expired(
        self, now: float, is_known: Callable[[str], bool] = lambda host: False
    ) -> list[int]:
        """Connections to close now: a message left unfinished too long, or silent too long
        (unless `is_known(host)`: a registered phone's connection)."""
        limits = self.limits
        out: list[int] = []
        for conn_id, conn in self._conns.items():
            if (
                conn.partial_since is not None
                and now - conn.partial_since >= limits.message_timeout_s
            ):
                self.closed_incomplete += 1
                out.append(conn_id)
            elif now - conn.last_activity >= limits.idle_timeout_s and not is_known(conn.host):
                self.closed_idle += 1
                out.append(conn_id)
        return out

    def count(self, host: str | None = None) -> int:
        return len(self._conns) if host is None else self._per_source.get(host, 0)

    def counters(self) -> dict[str, int]:
        return {
            "tcp_connections": len(self._conns),
            "tcp_refused_per_source": self.refused_per_source,
            "tcp_refused_total": self.refused_total,
            "tcp_closed_idle": self.closed_idle,
            "tcp_closed_incomplete": self.closed_incomplete,
        }
