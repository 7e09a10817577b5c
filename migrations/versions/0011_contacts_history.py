"""contacts history: event schema versions, contact aliases, contact projections, claims

Revision ID: 0011
Revises: 0010

Event schema version 2 (ADR 0061): `events.v` (1 for every row written before), the aliases
that fold version-1 consultations into their customer's contact, the contact projections
(contacts, work items, agent segments, the missed-contacts worklist) and worklist claims. The
projections are rebuilt from seq 0 after the upgrade: their old rows and cursor are dropped.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = 26


def _aliases(bind: sa.Connection) -> list[dict[str, str | None]]:
    """Every version-1 consultation → its customer's contact (a consult of a consult folds
    into the first contact too), with the agent who consulted."""
    events = sa.table(
        "events",
        sa.column("tenant_id", sa.String),
        sa.column("type", sa.String),
        sa.column("interaction_id", sa.String),
        sa.column("agent_id", sa.String),
        sa.column("payload", sa.JSON),
    )
    parent: dict[tuple[str, str], tuple[str, str | None]] = {}
    rows = bind.execute(
        sa.select(
            events.c.tenant_id, events.c.interaction_id, events.c.agent_id, events.c.payload
        ).where(events.c.type == "interaction.created")
    )
    for tenant_id, interaction_id, agent_id, payload in rows:
        found: Any = (payload or {}).get("parent_interaction_id")
        if interaction_id and found:
            parent[(str(tenant_id), str(interaction_id))] = (str(found), agent_id)
    out: list[dict[str, str | None]] = []
    for (tenant_id, alias_id), (contact_id, agent_id) in parent.items():
        seen = {alias_id}
        while (tenant_id, contact_id) in parent and contact_id not in seen:
            seen.add(contact_id)
            contact_id = parent[(tenant_id, contact_id)][0]
        out.append(
            {
                "tenant_id": tenant_id,
                "alias_id": alias_id,
                "contact_id": contact_id,
                "agent_id": agent_id,
            }
        )
    return out


def _contacts() -> None:
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=True),
        sa.Column("caller_number", sa.String(length=64), nullable=True),
        sa.Column("caller_name", sa.String(length=200), nullable=True),
        sa.Column("did", sa.String(length=32), nullable=True),
        sa.Column("customer_id", sa.String(length=ID), nullable=True),
        sa.Column("vip_level", sa.Integer(), nullable=True),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("related_interaction_id", sa.String(length=ID), nullable=True),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("queues", sa.JSON(), nullable=False),
        sa.Column("agent_id", sa.String(length=ID), nullable=True),
        sa.Column("agents", sa.JSON(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("wait_s", sa.Double(), nullable=True),
        sa.Column("talk_s", sa.Double(), nullable=True),
        sa.Column("hold_s", sa.Double(), nullable=True),
        sa.Column("total_s", sa.Double(), nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("voicemail", sa.Boolean(), nullable=False),
        sa.Column("callback", sa.Boolean(), nullable=False),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("consulted", sa.Boolean(), nullable=False),
        sa.Column("recorded", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("csat_scale", sa.Integer(), nullable=True),
        sa.Column("csat_agent_id", sa.String(length=ID), nullable=True),
        sa.Column("followed_up_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_interactions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index("ix_interactions_agent", ["tenant_id", "agent_id"], unique=False)
        batch_op.create_index(
            "ix_interactions_customer", ["tenant_id", "customer_id"], unique=False
        )
        batch_op.create_index("ix_interactions_started", ["tenant_id", "started_at"], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("v", sa.Integer(), server_default="1", nullable=False))

    aliases = op.create_table(
        "contact_aliases",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("alias_id", sa.String(length=ID), nullable=False),
        sa.Column("contact_id", sa.String(length=ID), nullable=False),
        sa.Column("agent_id", sa.String(length=ID), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "alias_id", name=op.f("pk_contact_aliases")),
    )
    with op.batch_alter_table("contact_aliases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_aliases_contact", ["tenant_id", "contact_id"], unique=False
        )
    found = _aliases(op.get_bind())
    if found:
        op.bulk_insert(aliases, found)

    # The contacts list is a projection: drop the version-1 rows and rebuild from seq 0.
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_started")
        batch_op.drop_index("ix_interactions_customer")
        batch_op.drop_index("ix_interactions_agent")
    op.drop_table("interactions")
    _contacts()
    op.execute(sa.text("DELETE FROM projection_cursors WHERE name = 'interactions'"))

    op.create_table(
        "work_items",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("work_id", sa.String(length=ID), nullable=False),
        sa.Column("interaction_id", sa.String(length=ID), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("target_agent_id", sa.String(length=ID), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("from_work_id", sa.String(length=ID), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("entered_at", sa.Double(), nullable=True),
        sa.Column("left_at", sa.Double(), nullable=True),
        sa.Column("wait_s", sa.Double(), nullable=True),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("agent_id", sa.String(length=ID), nullable=True),
        sa.Column("callback", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name=op.f("pk_work_items")),
    )
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_items_interaction", ["tenant_id", "interaction_id"], unique=False
        )
        batch_op.create_index("ix_work_items_work", ["tenant_id", "work_id"], unique=False)

    op.create_table(
        "agent_segments",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("work_seq", sa.BigInteger(), nullable=False),
        sa.Column("agent_id", sa.String(length=ID), nullable=False),
        sa.Column("work_id", sa.String(length=ID), nullable=False),
        sa.Column("interaction_id", sa.String(length=ID), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("talk_s", sa.Double(), nullable=True),
        sa.Column("hold_s", sa.Double(), nullable=False),
        sa.Column("held_at", sa.Double(), nullable=True),
        sa.Column("wrap_up_s", sa.Double(), nullable=True),
        sa.Column("wrap_up_ended_at", sa.Double(), nullable=True),
        sa.Column("overrun_at", sa.Double(), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("disposition", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("sale", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("ticket_id", sa.String(length=ID), nullable=True),
        sa.Column("dispositioned_at", sa.Double(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("csat_scale", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "work_seq", "agent_id", name=op.f("pk_agent_segments")
        ),
    )
    with op.batch_alter_table("agent_segments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agent_segments_agent", ["tenant_id", "agent_id", "answered_at"], unique=False
        )
        batch_op.create_index(
            "ix_agent_segments_interaction", ["tenant_id", "interaction_id"], unique=False
        )

    op.create_table(
        "worklist",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("interaction_id", sa.String(length=ID), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("missed_at", sa.Double(), nullable=False),
        sa.Column("wait_s", sa.Double(), nullable=True),
        sa.Column("caller_number", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=ID), nullable=True),
        sa.Column("recording_id", sa.String(length=64), nullable=True),
        sa.Column("callbacks", sa.Integer(), nullable=False),
        sa.Column("last_callback_id", sa.String(length=ID), nullable=True),
        sa.Column("last_callback_at", sa.Double(), nullable=True),
        sa.Column("followed_up_at", sa.Double(), nullable=True),
        sa.Column("followed_up_by", sa.String(length=64), nullable=True),
        sa.Column("follow_up", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "interaction_id", name=op.f("pk_worklist")),
    )
    with op.batch_alter_table("worklist", schema=None) as batch_op:
        batch_op.create_index(
            "ix_worklist_open", ["tenant_id", "followed_up_at", "missed_at"], unique=False
        )

    op.create_table(
        "worklist_claims",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("interaction_id", sa.String(length=ID), nullable=False),
        sa.Column("agent_id", sa.String(length=ID), nullable=False),
        sa.Column("claimed_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "interaction_id", name=op.f("pk_worklist_claims")),
    )


def downgrade() -> None:
    op.drop_table("worklist_claims")
    with op.batch_alter_table("worklist", schema=None) as batch_op:
        batch_op.drop_index("ix_worklist_open")
    op.drop_table("worklist")
    with op.batch_alter_table("agent_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_segments_interaction")
        batch_op.drop_index("ix_agent_segments_agent")
    op.drop_table("agent_segments")
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_work")
        batch_op.drop_index("ix_work_items_interaction")
    op.drop_table("work_items")
    # Back to version 1's contacts list, empty: its projector rebuilds it from seq 0.
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_started")
        batch_op.drop_index("ix_interactions_customer")
        batch_op.drop_index("ix_interactions_agent")
    op.drop_table("interactions")
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("caller_number", sa.String(length=64), nullable=True),
        sa.Column("did", sa.String(length=32), nullable=True),
        sa.Column("customer_id", sa.String(length=ID), nullable=True),
        sa.Column("vip_level", sa.Integer(), nullable=True),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("agent_id", sa.String(length=ID), nullable=True),
        sa.Column("agents", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("wait_s", sa.Double(), nullable=True),
        sa.Column("talk_s", sa.Double(), nullable=True),
        sa.Column("hold_s", sa.Double(), nullable=True),
        sa.Column("total_s", sa.Double(), nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("voicemail", sa.Boolean(), nullable=False),
        sa.Column("callback", sa.Boolean(), nullable=False),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("recorded", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("followed_up_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_interactions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index("ix_interactions_agent", ["tenant_id", "agent_id"], unique=False)
        batch_op.create_index(
            "ix_interactions_customer", ["tenant_id", "customer_id"], unique=False
        )
        batch_op.create_index("ix_interactions_started", ["tenant_id", "started_at"], unique=False)
    op.execute(sa.text("DELETE FROM projection_cursors WHERE name = 'contacts'"))
    with op.batch_alter_table("contact_aliases", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_aliases_contact")
    op.drop_table("contact_aliases")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("v")
