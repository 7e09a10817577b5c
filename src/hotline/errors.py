"""The error tree's root. Each package has its own `errors.py` subclassing these.

Every error carries a stable `code` string that clients can rely on (`"agent.skill.unknown"`),
a human message naming what is wrong, and optional structured details. HTTP status codes are
decided only in `hotline.api.errors` from the class, never here.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "Conflict",
    "HotlineError",
    "IllegalTransition",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "Throttled",
    "Unauthenticated",
    "Unavailable",
]


class HotlineError(Exception):
    """Base of every error Hotline raises on purpose."""

    code: ClassVar[str] = "error"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return self.message


class InvalidInput(HotlineError):
    """The caller sent something malformed or out of range; `details` names the field."""

    code = "invalid_input"


class NotFound(HotlineError):
    code = "not_found"


class Conflict(HotlineError):
    """The request clashes with existing state (duplicate name, stale version)."""

    code = "conflict"


class Unauthenticated(HotlineError):
    code = "auth.required"


class PermissionDenied(HotlineError):
    code = "auth.forbidden"


class Throttled(HotlineError):
    code = "throttled"

    def __init__(self, message: str, *, retry_after_s: float, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after_s": round(retry_after_s, 1)})
        self.retry_after_s = retry_after_s


class IllegalTransition(HotlineError):
    """A state machine was asked to make a transition its table does not have."""

    code = "state.illegal_transition"

    def __init__(self, machine: str, state: str, event: str, *, code: str | None = None) -> None:
        super().__init__(
            f"{machine}: no transition from {state!r} on {event!r}",
            code=code,
            details={"machine": machine, "state": state, "event": event},
        )
        self.machine, self.state, self.event = machine, state, event


class Unavailable(HotlineError):
    """A dependency (database, peer) is not reachable right now, or the service is draining."""

    code = "unavailable"
