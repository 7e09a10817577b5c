"""Errors of the configuration services; codes are stable for API clients."""

from __future__ import annotations

from hotline.errors import Conflict, InvalidInput, NotFound

__all__ = ["DuplicateName", "EntityNotFound", "ReasonUnknown", "UnknownReference"]


class EntityNotFound(NotFound):
    code = "config.not_found"


class DuplicateName(Conflict):
    code = "config.duplicate"


class UnknownReference(InvalidInput):
    code = "config.unknown_reference"


class ReasonUnknown(InvalidInput):
    """示忙 with a reason the center has not configured (or has turned off)."""

    code = "config.reason.unknown"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"reason: no active not-ready reason {reason!r}",
            details={"field": "reason", "value": reason},
        )
