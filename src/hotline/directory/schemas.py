"""Input schemas of the center's configuration, shared by the API and the services.

Pydantic validates shape and ranges and names the failing field; the services check what needs
the database (unknown skill, duplicate name) and raise typed errors naming the field too.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from hotline.auth.roles import CENTER_ROLES, Role
from hotline.routing import MAX_PROFICIENCY, MIN_PROFICIENCY, Strategy

__all__ = [
    "MAX_JSON_DEPTH",
    "AgentIn",
    "AgentSkillIn",
    "CalendarIn",
    "CustomFieldIn",
    "CustomerIn",
    "DidIn",
    "DispositionIn",
    "FreeForm",
    "Holiday",
    "HolidayCalendarIn",
    "QueueIn",
    "QueueSkillIn",
    "QuickReplyIn",
    "ReasonIn",
    "SkillIn",
    "Strategy",
    "TeamIn",
    "UserIn",
    "UserUpdate",
    "Weekday",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=26)]
UserEmail = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")]

# Free-form JSON objects (a customer's custom fields, a queue's options) stay shallow and small:
# what a form or an integration sends, never a structure the database or the JSON writer chokes
# on. Integers must fit the 64-bit columns and JSON readers of both databases.
MAX_JSON_DEPTH = 8
MAX_JSON_ITEMS = 1000
_INT64 = 2**63 - 1


def _json_shape(value: dict[str, Any]) -> dict[str, Any]:
    stack: list[tuple[Any, int]] = [(value, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            children = list(node.values()) if isinstance(node, dict) else node
            items += len(children)
            if items > MAX_JSON_ITEMS:
                raise ValueError(f"more than {MAX_JSON_ITEMS} values")
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > _INT64:
            raise ValueError(f"the number {node} does not fit in 64 bits")
    return value


FreeForm = Annotated[dict[str, Any], AfterValidator(_json_shape)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SkillIn(_In):
    name: Name
    description: Annotated[str, StringConstraints(max_length=500)] = ""


class TeamIn(_In):
    name: Name
    supervisor_id: Id | None = None


class AgentSkillIn(_In):
    skill_id: Id
    proficiency: int = Field(5, ge=MIN_PROFICIENCY, le=MAX_PROFICIENCY)


class AgentIn(_In):
    """An agent: a user's working profile. Give `user_id` of an existing user, or `username`,
    `display_name` and `password` to create the user (role agent) together with the profile."""

    user_id: Id | None = None
    username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")] | None = None
    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None
    ) = None
    password: str | None = None
    extension: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,16}$")] | None = None
    sip_password: str | None = Field(None, min_length=8, max_length=128)
    phone_mode: Literal["sip", "browser"] = "browser"
    skills: list[AgentSkillIn] = []
    team_ids: list[Id] = []
    voice_capacity: int = Field(1, ge=0, le=1)
    chat_capacity: int = Field(3, ge=0, le=20)
    email_capacity: int = Field(5, ge=0, le=50)
    text_during_call: bool = False  # chats, SMS, e-mails offered while on a call
    call_during_text: bool = False  # a call offered while holding text contacts

    @field_validator("skills")
    @classmethod
    def _distinct_skills(cls, value: list[AgentSkillIn]) -> list[AgentSkillIn]:
        ids = [s.skill_id for s in value]
        if len(ids) != len(set(ids)):
            raise ValueError("a skill is listed twice")
        return value


class QueueSkillIn(_In):
    skill_id: Id
    min_proficiency: int = Field(MIN_PROFICIENCY, ge=MIN_PROFICIENCY, le=MAX_PROFICIENCY)


def _distinct(value: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for index, skill in enumerate(value):
        if skill.skill_id in seen:
            raise ValueError(f"skills[{index}]: skill {skill.skill_id!r} is listed twice")
        seen.add(skill.skill_id)
    return value


class QueueIn(_In):
    name: Slug
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    strategy: Strategy = Strategy.LONGEST_IDLE
    channel: Literal["voice", "chat", "sms", "email"] = "voice"
    sl_target_pct: float = Field(80.0, gt=0, le=100)
    sl_threshold_s: int = Field(20, ge=1, le=3600)
    wrap_up_s: int = Field(30, ge=0, le=3600)
    max_wait_s: int | None = Field(None, ge=1, le=86_400)
    max_length: int | None = Field(None, ge=1, le=100_000)
    disposition_required: bool = False
    calendar_id: Id | None = None
    skills: Annotated[list[QueueSkillIn], AfterValidator(_distinct)] = []
    options: FreeForm = {}


class DidIn(_In):
    number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9]{2,20}$")]
    flow: Slug | None = None  # None: the number is not routed yet (calls are refused)
    description: Annotated[str, StringConstraints(max_length=200)] = ""


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


def _check_spans(spans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for start, end in spans:
        if start >= end:
            raise ValueError(f"opening span {start}-{end} ends before it starts")
    return spans


class Holiday(_In):
    """A dated entry: a holiday (closed; with `hours`, a day with its own hours) or a make-up
    workday (调休上班, `kind: workday`: open with `hours`, else the calendar's makeup day's)."""

    date: dt.date
    kind: Literal["holiday", "workday", "closed"] = "holiday"
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    hours: list[tuple[HHMM, HHMM]] = []

    @field_validator("hours")
    @classmethod
    def _spans(cls, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return _check_spans(value)


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    if value not in available_timezones():
        raise ValueError(f"unknown time zone {value!r}")
    return value


class CalendarIn(_In):
    """Business hours: ranges per weekday (several: a lunch break), dated entries, linked
    holiday calendars (节假日日历) and the weekday whose hours their make-up workdays keep."""

    name: Name
    timezone: str = "Asia/Shanghai"
    weekly: dict[Weekday, list[tuple[HHMM, HHMM]]] = {}
    holidays: list[Holiday] = Field([], max_length=2000)
    holiday_calendar_ids: list[Id] = Field([], max_length=20)
    makeup_day: Weekday = Weekday.MON

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    @field_validator("weekly")
    @classmethod
    def _weekly(
        cls, value: dict[Weekday, list[tuple[str, str]]]
    ) -> dict[Weekday, list[tuple[str, str]]]:
        for spans in value.values():
            _check_spans(spans)
        return value


class HolidayCalendarIn(_In):
    """A holiday calendar: public holidays and make-up workdays, typed in or imported."""

    name: Name
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = "manual"
    entries: list[Holiday] = Field([], max_length=2000)


class DispositionIn(_In):
    code: Code
    label_zh: Label
    label_en: Label
    category: Literal["resolved", "unresolved", "sale", "no_sale", "callback", "other"] = "other"
    active: bool = True


class ReasonIn(_In):
    code: Code
    label_zh: Label
    label_en: Label
    active: bool = True


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CustomerIn(_In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    phones: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64)]
    ] = []
    emails: list[Annotated[str, StringConstraints(max_length=254)]] = []
    vip_level: int = Field(0, ge=0, le=9)
    tags: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    ] = []
    custom: FreeForm = {}
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""
    organization_id: Id | None = None

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        out = []
        for email in value:
            email = email.strip().lower()
            if not _EMAIL.match(email):
                raise ValueError(f"{email!r} is not an email address")
            out.append(email)
        return out


class CustomFieldIn(_In):
    """A tenant's own customer field: the customer's `custom[key]`, mapped and cleaned by type
    in imports. Choices are `value|alias|alias` (`男|male|m`): matched ignoring case and width."""

    entity: Literal["customer"] = "customer"
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    label_zh: Label
    label_en: Label
    type: Literal[
        "text", "number", "integer", "date", "choice", "multi_choice", "boolean", "phone", "email"
    ] = "text"
    choices: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    ] = []
    required: bool = False
    position: int = Field(0, ge=0, le=10_000)

    @field_validator("choices")
    @classmethod
    def _choices(cls, value: list[str]) -> list[str]:
        if len(value) > 500:
            raise ValueError("at most 500 choices")
        return value


class QuickReplyIn(_In):
    """A text template agents insert into notes (and later send by SMS or chat)."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    queue: Slug | None = None


def _center_roles(roles: list[Role]) -> list[Role]:
    for role in roles:
        if role not in CENTER_ROLES:
            raise ValueError(f"{role} is a platform role, not one of a center's users")
    return roles


CenterRoles = Annotated[list[Role], Field(min_length=1), AfterValidator(_center_roles)]


class UserIn(_In):
    username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    password: str
    roles: CenterRoles
    language: Literal["zh-CN", "en"] | None = None
    active: bool = True
    email: UserEmail | None = None  # ticket notifications


class UserUpdate(_In):
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    password: str | None = None
    roles: CenterRoles
    language: Literal["zh-CN", "en"] | None = None
    active: bool = True
    email: UserEmail | None = None  # ticket notifications
