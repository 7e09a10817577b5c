"""The outbound dialer's tables (issue 24, docs/dialer.md): campaigns, call lists and their
entries (filled by the import's `call_lists` target), the lists each campaign dials in order,
one record per number a campaign dials, do-not-call numbers and caller-id daily counts."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    false,
)

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant

__all__ = [
    "dialer_attempts",
    "dialer_callerid_days",
    "dialer_campaign_lists",
    "dialer_campaigns",
    "dialer_dnc",
    "dialer_list_entries",
    "dialer_lists",
    "dialer_records",
    "dialer_staffed",
]

dialer_campaigns = Table(
    "dialer_campaigns",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(100), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("queue_id", String(64)),
    Column("flow_id", String(64)),
    Column("abandon_cap", Double, nullable=False),
    Column("abandon_window_s", Double, nullable=False),
    Column("ring_timeout_s", Double, nullable=False),
    Column("caller_ids", JSON, nullable=False),
    Column("caller_id_daily_cap", Integer, nullable=False),
    Column("window", JSON, nullable=False),
    Column("calendar_id", String(ID)),
    Column("retry", JSON, nullable=False),
    Column("script", JSON, nullable=False),
    Column("max_lines_per_agent", Double, nullable=False),
    Column("dispositions", JSON, nullable=False),
    Column("staffed_s", Double, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_dialer_campaigns_tenant_name"),
)

# Staffed agent-seconds per campaign and 15-minute slice (`hotline.dialer.figures`,
# `STAFFED_SLICE_S`), written by the live dialer with the running total above: a report
# period's talk occupancy divides by the slices in it (ADR 0208).
dialer_staffed = Table(
    "dialer_staffed",
    metadata,
    Column(
        "campaign_id",
        String(ID),
        ForeignKey("dialer_campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("slice_at", Double, nullable=False),  # the slice's start, epoch seconds
    _tenant(),
    Column("staffed_s", Double, nullable=False),
    PrimaryKeyConstraint("campaign_id", "slice_at", name="pk_dialer_staffed"),
)

dialer_lists = Table(
    "dialer_lists",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(100), nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_dialer_lists_tenant_name"),
)

dialer_list_entries = Table(
    "dialer_list_entries",
    metadata,
    _id(),
    _tenant(),
    Column(
        "list_id", String(ID), ForeignKey("dialer_lists.id", ondelete="CASCADE"), nullable=False
    ),
    Column("phone", String(32), nullable=False),  # E.164
    Column("name", String(200)),
    Column("priority", Integer, nullable=False),
    Column("time_zone", String(64)),
    Column("fields", JSON, nullable=False),  # custom.<key> → value
    Column("created_at", Double, nullable=False),
    UniqueConstraint("list_id", "phone", name="uq_dialer_list_entries_list_phone"),
)

dialer_campaign_lists = Table(
    "dialer_campaign_lists",
    metadata,
    Column(
        "campaign_id",
        String(ID),
        ForeignKey("dialer_campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "list_id", String(ID), ForeignKey("dialer_lists.id", ondelete="CASCADE"), nullable=False
    ),
    _tenant(),
    Column("position", Integer, nullable=False),
    Column("ordering", String(16), nullable=False),
    PrimaryKeyConstraint("campaign_id", "list_id", name="pk_dialer_campaign_lists"),
)

dialer_records = Table(
    "dialer_records",
    metadata,
    _id(),
    _tenant(),
    Column(
        "campaign_id",
        String(ID),
        ForeignKey("dialer_campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("list_id", String(ID), nullable=False),
    Column("entry_id", String(ID)),
    Column("phone", String(32), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("time_zone", String(64)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", Double, nullable=False),
    Column("last_outcome", String(16)),
    Column("last_cause", Integer),
    Column("agent_id", String(ID)),
    Column("outcomes", JSON, nullable=False),
    *_stamps(),
    # One record per number in a campaign: the duplicate rule, held by the database too.
    UniqueConstraint("campaign_id", "phone", name="uq_dialer_records_campaign_phone"),
    Index("ix_dialer_records_due", "campaign_id", "status", "next_at"),
)

dialer_dnc = Table(
    "dialer_dnc",
    metadata,
    _tenant(),
    Column("campaign_id", String(ID), nullable=False),  # "" for the tenant's own list
    Column("phone", String(32), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("created_at", Double, nullable=False),
    PrimaryKeyConstraint("tenant_id", "campaign_id", "phone", name="pk_dialer_dnc"),
)

dialer_callerid_days = Table(
    "dialer_callerid_days",
    metadata,
    _tenant(),
    Column("caller_id", String(32), nullable=False),
    Column("day", String(10), nullable=False),  # local ISO date in the tenant's zone
    Column("dials", Integer, nullable=False),
    PrimaryKeyConstraint("tenant_id", "caller_id", "day", name="pk_dialer_callerid_days"),
)

# One row per finished dial: the campaign's figures and its pacer's windows are read from it.
dialer_attempts = Table(
    "dialer_attempts",
    metadata,
    _id(),
    _tenant(),
    Column(
        "campaign_id",
        String(ID),
        ForeignKey("dialer_campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("record_id", String(ID), nullable=False),
    Column("at", Double, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("answered_at", Double),
    Column("handle_s", Double, nullable=False),
    Column("right_party", Boolean, nullable=False),
    Column("conversion", Boolean, nullable=False),
    Column("amd_verdict", String(8)),  # human | machine; NULL: detection did not run
    Column("amd_sure", Boolean),
    Column("amd_decision_s", Double),
    Column("machine_message_left", Boolean, nullable=False, server_default=false()),
    Index("ix_dialer_attempts_campaign_at", "campaign_id", "at"),
)
