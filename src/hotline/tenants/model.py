"""A tenant's lifecycle as data, its limits, and what the operator gives to create one.

ACTIVE --suspend--> SUSPENDED --resume--> ACTIVE
ACTIVE | SUSPENDED --delete--> DELETING --resume--> ACTIVE   (within the grace period)
DELETING --purge (job host, after the grace period)--> rows and files gone
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from hotline.errors import IllegalTransition

__all__ = [
    "MB",
    "PLATFORM_SLUG",
    "TRANSITIONS",
    "Limits",
    "LimitsIn",
    "TenantAction",
    "TenantIn",
    "TenantKind",
    "TenantStatus",
    "next_status",
]

PLATFORM_SLUG = "platform"
"""The tenant that holds the platform operators (no center, no calls, no SIP domain)."""


class TenantKind(StrEnum):
    CENTER = "center"
    PLATFORM = "platform"


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETING = "deleting"  # refused like a suspended center until the purge


class TenantAction(StrEnum):
    SUSPEND = "suspend"
    RESUME = "resume"
    DELETE = "delete"


TRANSITIONS: dict[tuple[TenantStatus, TenantAction], TenantStatus] = {
    (TenantStatus.ACTIVE, TenantAction.SUSPEND): TenantStatus.SUSPENDED,
    (TenantStatus.SUSPENDED, TenantAction.RESUME): TenantStatus.ACTIVE,
    (TenantStatus.ACTIVE, TenantAction.DELETE): TenantStatus.DELETING,
    (TenantStatus.SUSPENDED, TenantAction.DELETE): TenantStatus.DELETING,
    (TenantStatus.DELETING, TenantAction.RESUME): TenantStatus.ACTIVE,
}


def next_status(status: TenantStatus, action: TenantAction) -> TenantStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition("tenant", status.value, action.value) from None


MB = 1024 * 1024  # the recordings-storage limit's unit (docs/tenants.md)


@dataclass(frozen=True, slots=True)
class Limits:
    """What a center may use; None is unlimited."""

    agents: int | None = None
    concurrent_calls: int | None = None
    recording_mb: int | None = None

    @classmethod
    def of(cls, row: dict[str, object]) -> Limits:
        def value(key: str) -> int | None:
            found = row.get(key)
            return int(found) if isinstance(found, int) else None

        return cls(
            agents=value("max_agents"),
            concurrent_calls=value("max_concurrent_calls"),
            recording_mb=value("max_recording_mb"),
        )

    def agents_allowed(self, current: int) -> bool:
        """May one more agent be added to `current` ones?"""
        return self.agents is None or current < self.agents

    def call_allowed(self, live: int) -> bool:
        """May one more call start beside `live` ones?"""
        return self.concurrent_calls is None or live < self.concurrent_calls

    def recording_allowed(self, used_bytes: int) -> bool:
        """May a new call recording start while the center's recordings take `used_bytes`?
        (A recording already running always finishes: the limit is checked at its start.)"""
        return self.recording_mb is None or used_bytes < self.recording_mb * MB


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
Limit = Annotated[int | None, Field(ge=1, le=1_000_000)]


class TenantIn(BaseModel):
    """A new center as the operator describes it (API body and CLI options)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    timezone: str = "Asia/Shanghai"
    language: Literal["zh-CN", "en"] = "zh-CN"
    region: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "CN"
    sip_domain: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True)]
    max_agents: Limit = None
    max_concurrent_calls: Limit = None
    max_recording_mb: Limit = None
    admin_username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")] = "admin"
    admin_display_name: str | None = None

    @field_validator("slug")
    @classmethod
    def _not_reserved(cls, slug: str) -> str:
        if slug == PLATFORM_SLUG:
            raise ValueError(f"{PLATFORM_SLUG!r} is reserved for the platform operators")
        return slug

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r} (e.g. Asia/Shanghai)") from None
        return zone

    @field_validator("sip_domain")
    @classmethod
    def _domain(cls, domain: str) -> str:
        if not _DOMAIN.match(domain):
            raise ValueError(f"{domain!r} is not a domain name (e.g. center.example.com)")
        return domain

    def limits(self) -> Limits:
        return Limits(self.max_agents, self.max_concurrent_calls, self.max_recording_mb)


class LimitsIn(BaseModel):
    """New limits of an existing center (absent = unchanged is not offered: send all three)."""

    model_config = ConfigDict(extra="forbid")

    max_agents: Limit = None
    max_concurrent_calls: Limit = None
    max_recording_mb: Limit = None
