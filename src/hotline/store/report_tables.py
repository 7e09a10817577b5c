"""The reports' tables (issue 16, docs/metrics.md): interval facts and their daily sums,
reason facts, the rollup's state, and the targets reports are measured against. Facts and
state are a projection of the event log (cursor `reports` in `projection_cursors`): nothing
else writes them, so `hotline reports rebuild` can always throw them away and make them
again."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Double,
    PrimaryKeyConstraint,
    String,
    Table,
)

from hotline.analytics.reports.measures import MEASURES
from hotline.store.schema import ID, metadata
from hotline.store.schema import tenant_column as _tenant

__all__ = [
    "report_counting",
    "report_days",
    "report_facts",
    "report_reasons",
    "report_state",
    "report_targets",
]

report_facts = Table(
    "report_facts",
    metadata,
    Column("tenant_id", String(ID), nullable=False),
    Column("dim", String(16), nullable=False),
    Column("interval_start", BigInteger, nullable=False),
    Column("key", String(128), nullable=False),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in MEASURES),
    PrimaryKeyConstraint("tenant_id", "dim", "interval_start", "key"),
)

report_days = Table(
    "report_days",
    metadata,
    Column("tenant_id", String(ID), nullable=False),
    Column("dim", String(16), nullable=False),
    Column("day_start", BigInteger, nullable=False),  # the tenant's local midnight
    Column("key", String(128), nullable=False),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in MEASURES),
    PrimaryKeyConstraint("tenant_id", "dim", "day_start", "key"),
)
"""The same facts added up per local day of the tenant (its time zone when they were rolled
up): what a week, a month or a year of reports reads."""

report_reasons = Table(
    "report_reasons",
    metadata,
    Column("tenant_id", String(ID), nullable=False),
    Column("dim", String(16), nullable=False),
    Column("interval_start", BigInteger, nullable=False),
    Column("key", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", String(128), nullable=False),
    Column("times", BigInteger, nullable=False),
    Column("ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("tenant_id", "dim", "interval_start", "key", "kind", "reason"),
)

report_state = Table(
    "report_state",
    metadata,
    Column("tenant_id", String(ID), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("key", String(200), nullable=False),
    Column("value", JSON, nullable=False),
    PrimaryKeyConstraint("tenant_id", "kind", "key"),
)

report_targets = Table(
    "report_targets",
    metadata,
    _tenant(),
    Column("queue_id", String(64), nullable=False),  # "" for the tenant's own targets
    Column("targets", JSON, nullable=False),
    Column("updated_at", Double, nullable=False),
    PrimaryKeyConstraint("tenant_id", "queue_id"),
)

# A tenant's counting rules (ADR 0173): what the rollup counts with; none: the defaults.
report_counting = Table(
    "report_counting",
    metadata,
    _tenant(),
    Column("rules", JSON, nullable=False),
    Column("updated_at", Double, nullable=False),
    PrimaryKeyConstraint("tenant_id"),
)
