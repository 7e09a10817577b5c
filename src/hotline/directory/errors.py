"""Errors of the configuration services; codes are stable for API clients."""

from __future__ import annotations

from hotline.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "DuplicateName",
    "EntityNotFound",
    "FlowInUse",
    "NumberNotOurs",
    "ReasonUnknown",
    "UnknownReference",
]


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


class NumberNotOurs(InvalidInput):
    """A flow document lists a number the center has not been given (the operator gives them)."""

    code = "number.not_ours"

    def __init__(self, field: str, number: str) -> None:
        super().__init__(
            f"{field}: {number!r} is not one of the center's numbers",
            details={"field": field, "value": number},
        )


class FlowInUse(Conflict):
    """A flow that numbers route to cannot go away: the numbers would point at nothing."""

    code = "flow.in_use"

    def __init__(self, flow: str, numbers: list[str]) -> None:
        super().__init__(
            f"flow {flow!r} answers {', '.join(numbers)}",
            details={"name": flow, "numbers": ", ".join(numbers)},
        )
