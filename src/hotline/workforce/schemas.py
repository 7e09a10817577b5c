"""Request bodies of the workforce API (validated at the edge; the service gets clean values)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "BreakIn",
    "ContractIn",
    "Decision",
    "PlanIn",
    "RequestIn",
    "RequestKind",
    "ScheduleIn",
    "TemplateIn",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BreakIn(_Strict):
    activity: Literal["break", "lunch"] = "break"
    minutes: int = Field(15, ge=5, le=120)
    earliest: int = Field(ge=0, le=1440)  # minutes after the shift starts
    latest: int = Field(ge=0, le=1440)

    @model_validator(mode="after")
    def _window(self) -> BreakIn:
        if self.latest < self.earliest:
            raise PydanticCustomError("break_reversed", "latest must not be before earliest")
        return self


class TemplateIn(_Strict):
    name: str = Field(min_length=1, max_length=64)
    minutes: int = Field(ge=60, le=1440)
    earliest_start: int = Field(ge=0, lt=1440)  # minute of the day
    latest_start: int = Field(ge=0, lt=1440)
    start_step: int = Field(15, ge=15, le=240)
    weekdays: list[int] = Field(default_factory=lambda: list(range(7)))
    breaks: list[BreakIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits(self) -> TemplateIn:
        if self.latest_start < self.earliest_start:
            raise PydanticCustomError(
                "start_window_reversed", "latest_start must not be before earliest_start"
            )
        if any(not 0 <= d <= 6 for d in self.weekdays) or not self.weekdays:
            raise ValueError("weekdays are 0 (Monday) … 6 (Sunday), at least one")
        for b in self.breaks:
            if b.latest + b.minutes > self.minutes:
                raise PydanticCustomError(
                    "break_outside_shift",
                    "a {activity} starting at {latest} min does not fit the shift",
                    {"activity": b.activity, "latest": b.latest},
                )
        return self


class ContractIn(_Strict):
    min_minutes: int = Field(0, ge=0, le=7 * 1440)
    max_minutes: int = Field(2400, ge=0, le=7 * 1440)
    max_days: int = Field(5, ge=0, le=7)
    templates: list[str] | None = None  # template ids; None: any
    availability: dict[int, tuple[int, int]] | None = None  # weekday → (start, end) minutes

    @model_validator(mode="after")
    def _bounds(self) -> ContractIn:
        if self.max_minutes < self.min_minutes:
            raise ValueError("max_minutes must not be below min_minutes")
        for day, (start, end) in (self.availability or {}).items():
            if not 0 <= day <= 6 or not 0 <= start < end <= 1440:
                raise ValueError(f"availability of weekday {day}: start < end within the day")
        return self


class PlanIn(_Strict):
    queue_id: str = Field(min_length=1, max_length=64)
    week_start: date
    interval_s: Literal[900, 1800, 3600] | None = None


class ScheduleIn(_Strict):
    plan_id: str = Field(min_length=1, max_length=26)
    team_id: str | None = Field(None, max_length=26)


class RequestKind(StrEnum):
    TIME_OFF = "time_off"
    SWAP = "swap"


class RequestIn(_Strict):
    kind: RequestKind
    starts_at: datetime | None = None  # time off, local time of the center
    ends_at: datetime | None = None
    shift_id: str | None = Field(None, max_length=26)  # swap: my shift …
    other_agent_id: str | None = Field(None, max_length=26)  # … for this colleague's shift
    other_day: date | None = None  # … on this day
    note: str = Field("", max_length=500)

    @model_validator(mode="after")
    def _complete(self) -> RequestIn:
        if self.kind is RequestKind.TIME_OFF:
            if self.starts_at is None or self.ends_at is None:
                raise PydanticCustomError(
                    "time_off_incomplete", "time off needs starts_at and ends_at"
                )
            if (self.starts_at.tzinfo is None) != (self.ends_at.tzinfo is None):
                # A time without a zone is the center's; one with a zone is that instant: the
                # two together cannot be compared here (and were a TypeError, a 500).
                raise PydanticCustomError(
                    "time_off_zones_mixed",
                    "give starts_at and ends_at both with a time zone or both without",
                )
            if self.ends_at <= self.starts_at:
                raise PydanticCustomError("time_off_reversed", "ends_at must be after starts_at")
        elif not (self.shift_id and self.other_agent_id and self.other_day):
            raise PydanticCustomError(
                "swap_incomplete", "a swap needs shift_id, other_agent_id and other_day"
            )
        return self


class Decision(_Strict):
    approve: bool
