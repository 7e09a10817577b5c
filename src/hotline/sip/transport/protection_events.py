"""The protector's notices as domain events and log lines, and the bans an admin sees and lifts
(ADR 0017, 0100, 0101). Ban times are kept on the monotonic clock; events and the admin API
get wall-clock times.
"""

from __future__ import annotations

import logging

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.sip.events import (
    FloodDetected,
    ScannerBlocked,
    SourceBanned,
    SourceUnbanned,
    TrustedSourceAbuse,
)
from hotline.sip.protection import Protector

__all__ = ["ProtectionEvents"]

log = logging.getLogger("hotline.sip.transport.service")


class ProtectionEvents:
    def __init__(self, protector: Protector, clock: Clock, sink: EventSink, tenant_id: str) -> None:
        self.protector = protector
        self.clock = clock
        self.sink = sink
        self.tenant_id = tenant_id

    def emit(self) -> None:
        """Turn the protector's pending notices into events."""
        at, now, tenant = self.clock.now(), self.clock.monotonic(), self.tenant_id
        for notice in self.protector.take_notices():
            source, reason = notice.source, notice.reason
            if notice.kind == "banned":
                until = at + max(0.0, (notice.until or 0.0) - now)
                log.warning("SIP source %s banned: %s", source, reason)
                self.sink.emit(
                    SourceBanned(tenant_id=tenant, at=at, source=source, until=until,
                                 reason=reason)
                )  # fmt: skip
            elif notice.kind in ("flood", "overload"):
                log.warning("SIP flood: %s %s", source, reason)
                self.sink.emit(FloodDetected(tenant_id=tenant, at=at, source=source, reason=reason))
            elif notice.kind == "trusted_abuse":
                log.warning("SIP authentication failures from trunk address %s: %s", source, reason)
                self.sink.emit(
                    TrustedSourceAbuse(tenant_id=tenant, at=at, source=source, reason=reason)
                )
            else:
                self.sink.emit(
                    ScannerBlocked(tenant_id=tenant, at=at, source=source, user_agent=reason)
                )

    def bans(self) -> list[tuple[str, float, float, str]]:
        """Active bans as (source, since, until, reason), times on the wall clock."""
        now, at = self.clock.monotonic(), self.clock.now()
        return [
            (ban.source, at - (now - ban.since), at + (ban.until - now), ban.reason)
            for ban in self.protector.ban_list(now)
        ]

    def lift(self, source: str, by: str | None) -> bool:
        """Unban `source` (an admin's decision, recorded as `sip.source_unbanned`)."""
        if not self.protector.unban(source):
            return False
        log.info("SIP ban on %s lifted by %s", source, by or "an operator")
        self.sink.emit(
            SourceUnbanned(tenant_id=self.tenant_id, at=self.clock.now(), source=source, by=by)
        )
        return True
