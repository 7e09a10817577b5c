"""Workforce management's tables (issue 25, docs/wfm.md)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant

__all__ = [
    "wfm_contracts",
    "wfm_intervals",
    "wfm_plans",
    "wfm_requests",
    "wfm_schedules",
    "wfm_shifts",
    "wfm_templates",
]

# -- workforce management (issue 25): history imports, templates, contracts, plans, schedules,
# requests. Days are local ISO dates ("2026-03-02"); instants are epoch seconds.

wfm_intervals = Table(
    "wfm_intervals",
    metadata,
    _tenant(),
    Column("queue_id", String(64), nullable=False),
    Column("start_at", Double, nullable=False),
    Column("interval_s", Integer, nullable=False),
    Column("offered", Double, nullable=False),
    Column("answered", Double),
    Column("abandoned", Double),
    Column("handle_s", Double),
    Column("wait_s", Double),
    Column("source", String(32), nullable=False),
    Column("created_at", Double, nullable=False),
    PrimaryKeyConstraint("tenant_id", "queue_id", "start_at", name="pk_wfm_intervals"),
)

wfm_templates = Table(
    "wfm_templates",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("earliest_start", Integer, nullable=False),
    Column("latest_start", Integer, nullable=False),
    Column("start_step", Integer, nullable=False),
    Column("weekdays", JSON, nullable=False),
    Column("breaks", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_wfm_templates_tenant_name"),
)

wfm_contracts = Table(
    "wfm_contracts",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    _tenant(),
    Column("min_minutes", Integer, nullable=False),
    Column("max_minutes", Integer, nullable=False),
    Column("max_days", Integer, nullable=False),
    Column("templates", JSON),
    Column("availability", JSON),
    *_stamps(),
)

wfm_plans = Table(
    "wfm_plans",
    metadata,
    _id(),
    _tenant(),
    Column("queue_id", String(64), nullable=False),
    Column("week_start", String(10), nullable=False),
    Column("interval_s", Integer, nullable=False),
    Column("model", String(32), nullable=False),
    Column("scores", JSON, nullable=False),
    Column("forecast", JSON, nullable=False),
    Column("staffing", JSON, nullable=False),
    Column("target", JSON, nullable=False),
    Column("created_by", String(ID)),
    *_stamps(),
    Index("ix_wfm_plans_week", "tenant_id", "week_start"),
)

wfm_schedules = Table(
    "wfm_schedules",
    metadata,
    _id(),
    _tenant(),
    Column("plan_id", String(ID), ForeignKey("wfm_plans.id", ondelete="CASCADE"), nullable=False),
    Column("team_id", String(ID)),
    Column("week_start", String(10), nullable=False),
    Column("status", String(16), nullable=False),
    Column("result", JSON, nullable=False),
    Column("what_if", JSON),
    Column("created_by", String(ID)),
    Column("published_at", Double),
    *_stamps(),
    Index("ix_wfm_schedules_week", "tenant_id", "week_start"),
)

wfm_shifts = Table(
    "wfm_shifts",
    metadata,
    _id(),
    _tenant(),
    Column(
        "schedule_id",
        String(ID),
        ForeignKey("wfm_schedules.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("agent_id", String(ID), nullable=False),
    Column("template_id", String(ID)),
    Column("start_at", Double, nullable=False),
    Column("end_at", Double, nullable=False),
    Column("activities", JSON, nullable=False),
    Index("ix_wfm_shifts_agent", "tenant_id", "agent_id", "start_at"),
    Index("ix_wfm_shifts_schedule", "schedule_id"),
)

wfm_requests = Table(
    "wfm_requests",
    metadata,
    _id(),
    _tenant(),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("agent_id", String(ID), nullable=False),
    Column("shift_id", String(ID)),
    Column("other_agent_id", String(ID)),
    Column("other_shift_id", String(ID)),
    Column("starts_at", Double),
    Column("ends_at", Double),
    Column("note", Text, nullable=False),
    Column("decided_by", String(ID)),
    Column("decided_at", Double),
    *_stamps(),
    Index("ix_wfm_requests_agent", "tenant_id", "agent_id"),
)
