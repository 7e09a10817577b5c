"""A minimal ticket (工单): what an agent creates from the wrap-up panel. The full ticket system
(SLA policies, escalation, workflow) comes later on the same table."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["TicketIn", "TicketPriority", "TicketStatus", "TicketUpdate"]


class TicketStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


class TicketPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Text200
    department: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ] = "客服部"
    due_date: dt.date | None = None
    priority: TicketPriority = TicketPriority.NORMAL
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=26)] | None = None
    interaction_id: Annotated[str, StringConstraints(min_length=1, max_length=26)] | None = None


class TicketUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: TicketStatus
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
