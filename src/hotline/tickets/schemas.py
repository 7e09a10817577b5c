"""Ticket input shapes (pydantic): what the API and the wrap-up panel send."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.tickets.model import Assignment, Priority, TicketStatus

__all__ = [
    "AssignIn",
    "CategoryIn",
    "CommentIn",
    "DepartmentIn",
    "EscalationIn",
    "LinkIn",
    "MergeIn",
    "SlaPolicyIn",
    "TicketIn",
    "TicketPatch",
    "TicketPriority",
    "TicketStatus",
    "TicketUpdate",
]

TicketPriority = Priority  # the name the wrap-up panel's schema used
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=26)]
Body = Annotated[str, StringConstraints(max_length=5000)]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Text200
    department: Code = "客服部"
    due_date: dt.date | None = None
    priority: Priority = Priority.NORMAL
    description: Body = ""
    category: Code | None = None
    customer_id: Id | None = None
    interaction_id: Id | None = None
    assignee_id: Id | None = Field(None, description="none: the department's automatic rule")


class TicketPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Text200 | None = None
    description: Body | None = None
    priority: Priority | None = None
    category: Code | None = None
    due_date: dt.date | None = None
    status: TicketStatus | None = None


class TicketUpdate(BaseModel):
    """The first API's status change (PUT), kept for its clients."""

    model_config = ConfigDict(extra="forbid")
    status: TicketStatus
    description: Body | None = None


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: Id | None = Field(None, description="none with auto=false: unassign")
    department: Code | None = Field(None, description="move to this department first")
    auto: bool = False


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
    public: bool = False
    from_customer: bool = Field(False, description="the customer's words, taken down by an agent")


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interaction_id: Id


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into_id: Id


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    lead_id: Id | None = None
    manager_id: Id | None = None
    assignment: Assignment = Assignment.MANUAL
    members: list[Id] = Field(default_factory=list, max_length=500)


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    name_zh: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    parent: Code | None = None


class EscalationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Literal["lead", "manager", "assignee"]
    after_s: int = Field(0, ge=0, le=90 * 86400)
    reassign: bool = False


Seconds = Annotated[int, Field(ge=60, le=365 * 86400)]


class SlaPolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    position: int = Field(0, ge=0, le=10_000)
    priorities: list[Priority] = Field(default_factory=list)
    categories: list[Code] = Field(default_factory=list)
    min_vip_level: int | None = Field(None, ge=0, le=10)
    first_response_s: Seconds | None = None
    next_response_s: Seconds | None = None
    resolution_s: Seconds | None = None
    calendar: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    remind_percent: int = Field(80, ge=0, le=99)
    escalation: list[EscalationIn] = Field(default_factory=list, max_length=5)
    active: bool = True
