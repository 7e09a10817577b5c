"""Whether a center takes one more call: the rule the voice runtime asks for every new call
(docs/tenants.md). Pure: the runtime passes what it knows of the center and its live calls.

    gate = CallGate(TenantStatus.SUSPENDED, max_calls=None)
    gate.refusal(live=0)   # CallRefusal(403, "Contact Center Suspended", 21, …)
    CallGate(max_recording_mb=500).records(used_bytes=600 * MB)   # False: not recorded

A refusal carries the SIP status and a Q.850 cause for the `Reason` header (RFC 3326), so a
carrier and its caller hear why; calls already live are never ended by a gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.tenants.model import Limits, TenantStatus

__all__ = ["CallGate", "CallRefusal"]


@dataclass(frozen=True, slots=True)
class CallRefusal:
    status: int  # SIP final response
    reason: str  # its reason phrase and the Reason header's text
    q850: int  # the cause in the Reason header
    code: str  # stable, for the log line and the metrics


_SUSPENDED = CallRefusal(403, "Contact Center Suspended", 21, "tenant.suspended")
_DELETING = CallRefusal(403, "Contact Center Closed", 21, "tenant.deleting")
# 486 rather than 503: a carrier that gets 503 may retry the same center elsewhere; a busy
# signal is what the caller of a full center should hear.
_FULL = CallRefusal(486, "Concurrent Call Limit Reached", 17, "tenant.limit.calls")


@dataclass(frozen=True, slots=True)
class CallGate:
    """A center's status and concurrent-call limit, as a running server last read them."""

    status: TenantStatus = TenantStatus.ACTIVE
    max_calls: int | None = None
    max_recording_mb: int | None = None

    @classmethod
    def of(cls, row: dict[str, object]) -> CallGate:
        """From a `tenants` row (or `tenant_states`)."""
        status = TenantStatus(str(row.get("status") or TenantStatus.ACTIVE.value))
        limits = Limits.of(row)
        return cls(status, limits.concurrent_calls, limits.recording_mb)

    def refusal(self, live: int) -> CallRefusal | None:
        """Why a new call beside `live` ones is refused; None: take it."""
        if self.status is TenantStatus.SUSPENDED:
            return _SUSPENDED
        if self.status is TenantStatus.DELETING:
            return _DELETING
        if not Limits(concurrent_calls=self.max_calls).call_allowed(live):
            return _FULL
        return None

    def records(self, used_bytes: int) -> bool:
        """May a call recording start while the center's recordings take `used_bytes`?"""
        return Limits(recording_mb=self.max_recording_mb).recording_allowed(used_bytes)
