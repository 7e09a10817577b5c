"""hints during service: rules on the customer's fields and history, the agents' responses

Revision ID: 0019
Revises: 0017

Written on a branch without 0018 (another change's): the lead re-chains it to follow 0018.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hint_rules",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("condition", sa.String(length=500), nullable=False),
        sa.Column("text_zh", sa.String(length=500), nullable=False),
        sa.Column("text_en", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_hint_rules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hint_rules")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_hint_rules_tenant_name"),
    )
    op.create_table(
        "hint_responses",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("rule_id", sa.String(length=26), nullable=False),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("customer_id", sa.String(length=26), nullable=True),
        sa.Column("user_id", sa.String(length=26), nullable=True),
        sa.Column("response", sa.String(length=16), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_hint_responses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hint_responses")),
    )
    with op.batch_alter_table("hint_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hint_responses_interaction", ["tenant_id", "interaction_id"], unique=False
        )
        batch_op.create_index(
            "ix_hint_responses_rule_at", ["tenant_id", "rule_id", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hint_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_hint_responses_rule_at")
        batch_op.drop_index("ix_hint_responses_interaction")
    op.drop_table("hint_responses")
    op.drop_table("hint_rules")
