"""The job host's and the import pipeline's tables (docs/jobs.md, docs/imports.md)."""

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
    "cluster_nodes",
    "custom_fields",
    "import_mappings",
    "import_problems",
    "imports",
    "jobs",
    "mail_log",
    "tenant_leases",
]

# The job host's timers (hotline.jobs): one row per job, due times in the database so a
# restart fires what came due. `tenant_id` is "system" for jobs of no tenant (no foreign key).
jobs = Table(
    "jobs",
    metadata,
    _id(),
    Column("tenant_id", String(ID), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("key", String(200)),  # the caller's dedupe key: one job per (tenant, key)
    Column("state", String(16), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("due_at", Double),
    Column("cron", String(120)),
    Column("timezone", String(64)),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("runs", Integer, nullable=False),
    Column("last_run_at", Double),
    Column("last_finished_at", Double),
    Column("last_error", Text),
    Column("lease_owner", String(100)),
    Column("lease_until", Double),
    Column("checkpoint", JSON),
    Column("progress_done", Integer, nullable=False),
    Column("progress_total", Integer),
    Column("progress_message", String(500), nullable=False),
    Column("cancel_requested", Boolean, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "key", name="uq_jobs_tenant_key"),
    Index("ix_jobs_state_due", "state", "due_at"),
    Index("ix_jobs_tenant_kind", "tenant_id", "kind"),
)

# Mail the `mail.send` job sent: written in the firing's transaction, so exactly one row per
# job; `idempotency_key` is also the message's Message-ID, for receivers that de-duplicate.
mail_log = Table(
    "mail_log",
    metadata,
    _id(),
    Column("tenant_id", String(ID), nullable=False),
    Column("job_id", String(ID), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("subject", String(500), nullable=False),
    Column("sent_at", Double, nullable=False),
    Index("ix_mail_log_job", "job_id"),
)

# -- imports and exports (hotline.imports) --------------------------------------------------------

# A tenant's own fields of a kind of record (customers today): the import maps columns to them
# and cleans by their type; values live in the record's `custom` JSON under `key`.
custom_fields = Table(
    "custom_fields",
    metadata,
    _id(),
    _tenant(),
    Column("entity", String(32), nullable=False),  # customer
    Column("key", String(64), nullable=False),
    Column("label_zh", String(100), nullable=False),
    Column("label_en", String(100), nullable=False),
    Column("type", String(16), nullable=False),
    Column("choices", JSON, nullable=False),
    Column("required", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "entity", "key", name="uq_custom_fields_tenant_entity_key"),
)

imports = Table(
    "imports",
    metadata,
    _id(),
    _tenant(),
    Column("target", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("file_key", String(512), nullable=False),  # under the imports directory
    Column("file_size", BigInteger, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("format", String(8)),
    Column("encoding", String(32)),  # the user's choice; null: detected
    Column("detected_encoding", String(32)),
    Column("encoding_used", String(32)),
    Column("delimiter", String(4)),
    Column("sheet", String(64)),  # the user's choice; null: the active sheet
    Column("sheets", JSON),
    Column("sheet_used", String(64)),
    Column("header_rows", Integer),  # the user's choice; null: detected
    Column("header_row_numbers", JSON),
    Column("columns", JSON),
    Column("sample", JSON),
    Column("file_error", JSON),
    Column("mapping", JSON),  # column index → field
    Column("rule", String(16), nullable=False),
    Column("on_errors", String(16), nullable=False),
    Column("counts", JSON),
    Column("progress", JSON),
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("created_by", String(64)),
    Column("started_at", Double),
    Column("finished_at", Double),
    *_stamps(),
    Index("ix_imports_tenant_created", "tenant_id", "created_at"),
)

import_problems = Table(
    "import_problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", String(ID), ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    _tenant(),
    Column("row", Integer, nullable=False),
    Column("column_name", String(255), nullable=False),
    Column("value", Text, nullable=False),
    Column("code", String(64), nullable=False),
    Column("params", JSON, nullable=False),
    Index("ix_import_problems_import_row", "import_id", "row"),
)

import_mappings = Table(
    "import_mappings",
    metadata,
    _id(),
    _tenant(),
    Column("target", String(32), nullable=False),
    Column("name", String(64), nullable=False),
    Column("columns", JSON, nullable=False),  # normalized header → field
    Column("created_by", String(64)),
    *_stamps(),
    UniqueConstraint("tenant_id", "target", "name", name="uq_import_mappings_tenant_target_name"),
)


# Across nodes (issue 26, ADR 0209): which node owns a center's live state, until when, and the
# fencing token of that ownership (raised at every change of owner). The event log refuses a
# write whose token is below the one `event_sequences.fence` has seen. No foreign key: a lease
# may outlive a purged center for its last seconds.
tenant_leases = Table(
    "tenant_leases",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("token", BigInteger, nullable=False),
    Column("acquired_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
)

# The nodes that have run with ownership on: when each was last seen renewing and whether it
# left by a clean stop (`hotline cluster status`).
cluster_nodes = Table(
    "cluster_nodes",
    metadata,
    Column("node", String(100), primary_key=True),
    Column("started_at", Double, nullable=False),
    Column("seen_at", Double, nullable=False),
    Column("owned", Integer, nullable=False),
    Column("left_at", Double),  # a clean stop: its centers go to the others at once
)
