"""The ticket's typed values: statuses, priorities, the ticket itself, departments and
categories. Rows become these at the repository; services and rules see nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "OPEN_STATUSES",
    "Assignment",
    "AttachmentLimits",
    "Category",
    "Comment",
    "Department",
    "Priority",
    "Ticket",
    "TicketSettings",
    "TicketStatus",
]


class TicketStatus(StrEnum):
    NEW = "new"  # 新建: nobody has it yet
    OPEN = "open"  # 处理中
    PENDING = "pending"  # 等待客户: the SLA clocks stop
    ON_HOLD = "on_hold"  # 挂起: waiting on someone inside (another department, a supplier)
    RESOLVED = "resolved"  # 已解决: may be reopened within the tenant's reopen window
    CLOSED = "closed"  # 已关闭


OPEN_STATUSES = frozenset(
    {TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD}
)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Assignment(StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    tenant_id: str
    number: int
    subject: str
    description: str
    department: str  # the department's code
    status: TicketStatus
    priority: Priority
    category: str | None  # the category's code: reports count it as a contact reason
    customer_id: str | None
    interaction_id: str | None  # the contact it was opened from
    assignee_id: str | None
    created_by: str | None
    due_date: str | None
    first_response_at: float | None
    resolved_at: float | None
    closed_at: float | None
    merged_into: str | None
    created_at: float
    updated_at: float

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    tenant_id: str
    code: str
    name: str
    lead_id: str | None
    manager_id: str | None
    assignment: Assignment
    members: tuple[str, ...] = ()
    last_assigned_id: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    code: str
    name_zh: str
    name_en: str
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    ticket_id: str
    author_id: str | None
    body: str
    public: bool
    from_customer: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class TicketSettings:
    number_style: str = "sequence"  # sequence: 10001, 10002 …; daily: 2612060001 (yymmdd + n)
    reopen_days: int = 7
    language: str = "zh-CN"  # the center's: notifications are written in it
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    max_bytes: int = 10 << 20
    types: frozenset[str] = frozenset({"image/png", "image/jpeg", "application/pdf", "text/plain"})
