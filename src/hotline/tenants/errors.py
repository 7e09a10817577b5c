"""Errors of tenant management; codes are stable for API clients.

Messages are English sentences the UI catalog translates (the API answers in the caller's
language; `TRANSLATED` lists those the catalog must have).
"""

from __future__ import annotations

from hotline.errors import Conflict, InvalidInput, NotFound, PermissionDenied

__all__ = [
    "TRANSLATED",
    "AgentLimitReached",
    "NumberTaken",
    "NumbersByOperator",
    "TenantError",
    "TenantExists",
    "TenantNotFound",
    "TenantSuspended",
]

SUSPENDED_MESSAGE = "This contact center is suspended. Please contact your service provider."
NUMBERS_MESSAGE = "Phone numbers are assigned by the platform operator."
AGENTS_MESSAGE = "This contact center has reached its agent limit."


class TenantError(Exception):
    """Marker base: every error below is also one of the kernel's kinds."""


class TenantNotFound(NotFound, TenantError):
    code = "tenant.not_found"

    def __init__(self, key: str) -> None:
        super().__init__(f"no tenant {key!r}", details={"id": key})


class TenantExists(Conflict, TenantError):
    """Slug or SIP domain already in use (`details.field` names which)."""

    code = "tenant.exists"

    def __init__(self, field: str, value: str) -> None:
        super().__init__(
            f"{field}: {value!r} is already used by another tenant",
            details={"field": field, "value": value},
        )


class TenantSuspended(PermissionDenied, TenantError):
    """Logins, sessions and new calls of a suspended (or deleted) center are refused."""

    code = "tenant.suspended"

    def __init__(self, slug: str) -> None:
        super().__init__(SUSPENDED_MESSAGE, details={"tenant": slug})


class NumbersByOperator(PermissionDenied, TenantError):
    """A center's admin may route its numbers but never claim one: the same answer whether a
    number is free or another center's, so nobody can probe who owns what."""

    code = "did.operator_only"

    def __init__(self) -> None:
        super().__init__(NUMBERS_MESSAGE)


class NumberTaken(Conflict, TenantError):
    code = "did.number.taken"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"number: {number!r} is assigned to another tenant",
            details={"field": "number", "value": number},
        )


class AgentLimitReached(InvalidInput, TenantError):
    code = "tenant.limit.agents"

    def __init__(self, limit: int) -> None:
        super().__init__(AGENTS_MESSAGE, details={"field": "agents", "limit": limit})


TRANSLATED = (SUSPENDED_MESSAGE, NUMBERS_MESSAGE, AGENTS_MESSAGE)
"""Messages the API sends in the caller's language: the UI catalog must translate them."""
