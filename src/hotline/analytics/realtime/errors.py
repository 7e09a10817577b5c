"""Errors of the realtime projection, with stable codes.

    RealtimeError
    ├── RealtimeSettingsInvalid   (InvalidInput: `details["field"]` names the setting)
    ├── WrongTenant               (InvalidInput: a record of another tenant was applied)
    └── UnknownQueue              (NotFound: no figures for that queue)

A malformed record is not an error here: the projection skips and counts it (see
`RealtimeProjection.malformed`), because a record that raised would wedge every later replay.
"""

from __future__ import annotations

from hotline.errors import HotlineError, InvalidInput, NotFound

__all__ = ["RealtimeError", "RealtimeSettingsInvalid", "UnknownQueue", "WrongTenant"]


class RealtimeError(HotlineError):
    """Base of every error `hotline.analytics.realtime` raises."""

    code = "realtime.error"


class RealtimeSettingsInvalid(RealtimeError, InvalidInput):
    code = "realtime.settings.invalid"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, details={"field": field})


class WrongTenant(RealtimeError, InvalidInput):
    code = "realtime.tenant.mismatch"

    def __init__(self, expected: str, got: str) -> None:
        super().__init__(
            f"this projection is tenant {expected!r}'s; a record of tenant {got!r} was applied",
            details={"expected": expected, "tenant_id": got},
        )


class UnknownQueue(RealtimeError, NotFound):
    code = "realtime.queue.unknown"

    def __init__(self, queue_id: str) -> None:
        super().__init__(f"no figures for queue {queue_id!r}", details={"queue_id": queue_id})
