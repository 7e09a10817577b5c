"""contacts: the agent's "resolved?" mark kept on the contact and on the agent's segment

Revision ID: 0020
Revises: 0018

The mark was only in the log (`interaction.dispositioned`, field `resolved`, ADR 0172); the
contacts list, the report drill-down and the contact page read it from the projection now.
Marks given before this revision are copied from the log here (the latest answer counts, as
in the facts), so the projection needs no rebuild.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved", sa.Boolean(), nullable=True))
    with op.batch_alter_table("agent_segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved", sa.Boolean(), nullable=True))
    _copy_marks_from_the_log(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("agent_segments", schema=None) as batch_op:
        batch_op.drop_column("resolved")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("resolved")


def _copy_marks_from_the_log(conn: sa.Connection) -> None:
    """Each wrap-up that answered "resolved?", in log order: the contact and the agent's
    segment of that work item (else the agent's latest segment of the contact) take it."""
    events = sa.table(
        "events",
        sa.column("tenant_id", sa.String), sa.column("seq", sa.BigInteger),
        sa.column("type", sa.String), sa.column("interaction_id", sa.String),
        sa.column("agent_id", sa.String), sa.column("payload", sa.JSON),
    )  # fmt: skip
    contacts = sa.table(
        "interactions",
        sa.column("tenant_id", sa.String), sa.column("id", sa.String),
        sa.column("resolved", sa.Boolean),
    )  # fmt: skip
    segments = sa.table(
        "agent_segments",
        sa.column("tenant_id", sa.String), sa.column("work_seq", sa.BigInteger),
        sa.column("agent_id", sa.String), sa.column("work_id", sa.String),
        sa.column("interaction_id", sa.String), sa.column("answered_at", sa.Double),
        sa.column("resolved", sa.Boolean),
    )  # fmt: skip
    after: tuple[str, int] = ("", -1)
    while True:
        rows = conn.execute(
            sa.select(events.c.tenant_id, events.c.seq, events.c.interaction_id,
                      events.c.agent_id, events.c.payload)
            .where(events.c.type == "interaction.dispositioned",
                   sa.tuple_(events.c.tenant_id, events.c.seq) > sa.tuple_(*after))
            .order_by(events.c.tenant_id, events.c.seq)
            .limit(_BATCH)
        ).all()  # fmt: skip
        if not rows:
            return
        for row in rows:
            _mark(conn, contacts, segments, row)
        after = (rows[-1].tenant_id, rows[-1].seq)


def _mark(conn: sa.Connection, contacts: Any, segments: Any, row: Any) -> None:
    payload = row.payload or {}
    if payload.get("resolved") is None or not row.interaction_id:
        return
    resolved = bool(payload["resolved"])
    conn.execute(
        sa.update(contacts)
        .where(contacts.c.tenant_id == row.tenant_id, contacts.c.id == row.interaction_id)
        .values(resolved=resolved)
    )
    if not row.agent_id:
        return
    mine = sa.select(segments.c.work_seq).where(
        segments.c.tenant_id == row.tenant_id, segments.c.agent_id == row.agent_id
    )
    work_seq = None
    if payload.get("work_id"):
        work_seq = conn.scalar(
            mine.where(segments.c.work_id == payload["work_id"])
            .order_by(segments.c.work_seq.desc())
            .limit(1)
        )
    if work_seq is None:
        work_seq = conn.scalar(
            mine.where(segments.c.interaction_id == row.interaction_id)
            .order_by(segments.c.answered_at.desc(), segments.c.work_seq.desc())
            .limit(1)
        )
    if work_seq is not None:
        conn.execute(
            sa.update(segments)
            .where(segments.c.tenant_id == row.tenant_id, segments.c.work_seq == work_seq,
                   segments.c.agent_id == row.agent_id)
            .values(resolved=resolved)
        )  # fmt: skip
