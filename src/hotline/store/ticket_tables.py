"""The ticket system's tables (hotline.tickets, docs/tickets.md): departments, categories,
SLA policies and clocks, comments, attachments, watchers, contact links, webhooks."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
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
    "department_members",
    "departments",
    "sla_clocks",
    "sla_policies",
    "ticket_activity",
    "ticket_attachments",
    "ticket_categories",
    "ticket_comments",
    "ticket_links",
    "ticket_settings",
    "ticket_watchers",
    "webhook_deliveries",
    "webhooks",
]

# A department (部门) owns tickets: its members take them, its lead and manager are the
# escalation levels; `assignment` is manual, round_robin or least_open.
departments = Table(
    "departments",
    metadata,
    _id(),
    _tenant(),
    Column("code", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("lead_id", String(ID)),
    Column("manager_id", String(ID)),
    Column("assignment", String(16), nullable=False),
    Column("last_assigned_id", String(ID)),  # the round-robin cursor
    *_stamps(),
    UniqueConstraint("tenant_id", "code", name="uq_departments_tenant_code"),
)

department_members = Table(
    "department_members",
    metadata,
    Column(
        "department_id",
        String(ID),
        ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", String(ID), primary_key=True),
    _tenant(),
    Column("position", Integer, nullable=False),
)

ticket_categories = Table(
    "ticket_categories",
    metadata,
    _id(),
    _tenant(),
    Column("parent_id", String(ID)),
    Column("code", String(64), nullable=False),
    Column("name_zh", String(100), nullable=False),
    Column("name_en", String(100), nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "code", name="uq_ticket_categories_tenant_code"),
)

# One row a tenant: how numbers look, how long a resolved ticket may be reopened, limits.
ticket_settings = Table(
    "ticket_settings",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("number_style", String(16), nullable=False),  # sequence | daily
    Column("reopen_days", Integer, nullable=False),
    Column("updated_at", Double, nullable=False),
)

ticket_comments = Table(
    "ticket_comments",
    metadata,
    _id(),
    _tenant(),
    Column("ticket_id", String(ID), ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", String(ID)),
    Column("body", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("from_customer", Boolean, nullable=False),
    Column("created_at", Double, nullable=False),
    Index("ix_ticket_comments_ticket", "ticket_id", "created_at"),
)

ticket_attachments = Table(
    "ticket_attachments",
    metadata,
    _id(),
    _tenant(),
    Column("ticket_id", String(ID), ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("key", String(512), nullable=False),  # under the attachments storage
    Column("uploaded_by", String(ID)),
    Column("created_at", Double, nullable=False),
    Index("ix_ticket_attachments_ticket", "ticket_id"),
)

ticket_watchers = Table(
    "ticket_watchers",
    metadata,
    Column("ticket_id", String(ID), ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(ID), primary_key=True),
    _tenant(),
)

# Contacts of any channel (calls, voicemails, chats, e-mails) a ticket is about.
ticket_links = Table(
    "ticket_links",
    metadata,
    Column("ticket_id", String(ID), ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("interaction_id", String(ID), primary_key=True),
    _tenant(),
    Column("linked_at", Double, nullable=False),
    Column("linked_by", String(ID)),
    Index("ix_ticket_links_interaction", "tenant_id", "interaction_id"),
)

# What happened to a ticket, for its timeline: each ticket event (created, status, assigned,
# updated, commented, linked, merged, SLA reminder, breach, escalation) written with it.
ticket_activity = Table(
    "ticket_activity",
    metadata,
    _id(),
    _tenant(),
    Column("ticket_id", String(ID), ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("at", Double, nullable=False),
    Column("type", String(64), nullable=False),
    Column("user_id", String(ID)),
    Column("data", JSON, nullable=False),
    Index("ix_ticket_activity_ticket", "ticket_id", "at"),
)

# SLA policies, tried in `position` order; the first whose conditions match a ticket applies.
sla_policies = Table(
    "sla_policies",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("conditions", JSON, nullable=False),  # priorities, category codes, min VIP level
    Column("first_response_s", Integer),  # business seconds; null: no such target
    Column("next_response_s", Integer),
    Column("resolution_s", Integer),
    Column("calendar", String(100)),  # a business-hours calendar's name; null: round the clock
    Column("remind_percent", Integer, nullable=False),
    Column("escalation", JSON, nullable=False),  # levels: [{"to", "after_s", "reassign"}]
    Column("active", Boolean, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_sla_policies_tenant_name"),
)

# One running SLA clock per ticket and target: business seconds consumed before the current
# running stretch, the stretch's start (null while paused), what was done so far; `generation`
# names the one timer job that is current (older firings find a different number and stop).
sla_clocks = Table(
    "sla_clocks",
    metadata,
    Column("ticket_id", String(ID), ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("target", String(16), primary_key=True),  # first_response | next_response | resolution
    _tenant(),
    Column("policy_id", String(ID), nullable=False),
    Column("budget_s", Integer, nullable=False),
    Column("consumed_s", Double, nullable=False),
    Column("running_since", Double),
    Column("due_at", Double),
    Column("reminded", Boolean, nullable=False),
    Column("breached_at", Double),
    Column("escalation_level", Integer, nullable=False),
    Column("met_at", Double),
    Column("generation", Integer, nullable=False),
    Index("ix_sla_clocks_due", "tenant_id", "due_at"),
)

webhooks = Table(
    "webhooks",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(100), nullable=False),
    Column("url", String(1000), nullable=False),
    Column("secret", String(512), nullable=False),  # sealed (hotline.vault.secrets)
    Column("event_types", JSON, nullable=False),  # e.g. ["ticket.*", "interaction.ended"]
    Column("active", Boolean, nullable=False),
    Column("cursor_seq", BigInteger, nullable=False),  # the last event of the log looked at
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_webhooks_tenant_name"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _id(),
    _tenant(),
    Column("webhook_id", String(ID), ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", Double, nullable=False),
    Column("finished_at", Double),
    UniqueConstraint("webhook_id", "event_seq", name="uq_webhook_deliveries_webhook_id"),
    Index("ix_webhook_deliveries_state", "tenant_id", "state"),
)
