"""quality: survey definitions, answers, offers and links, and forced reviews

Revision ID: 0023
Revises: 0025

Survey answers of every channel are `flow.survey_answered` records; the quality follower writes
them here with the reviews they force (docs/quality.md, ADR 0210–0213). Nothing to copy: the
follower's cursor starts at 0 and reads the answers already logged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0025"
branch_labels = None
depends_on = None


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(length=26), nullable=False)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "survey_definitions",
        sa.Column("id", sa.String(length=26), nullable=False),
        _tenant(),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        _tenant_fk("survey_definitions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_definitions")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_survey_definitions_tenant_name"),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.String(length=26), nullable=False),
        _tenant(),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("agent_id", sa.String(length=26), nullable=True),
        sa.Column("work_id", sa.String(length=26), nullable=True),
        sa.Column("survey", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("scale", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        _tenant_fk("survey_answers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_survey_answers_tenant_seq"),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answers_interaction", ["tenant_id", "interaction_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_answers_agent_at", ["tenant_id", "agent_id", "at"], unique=False
        )
    op.create_table(
        "survey_offers",
        sa.Column("id", sa.String(length=26), nullable=False),
        _tenant(),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("agent_id", sa.String(length=26), nullable=True),
        sa.Column("survey", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("offered_at", sa.Double(), nullable=False),
        sa.Column("answered_at", sa.Double(), nullable=True),
        _tenant_fk("survey_offers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_offers")),
        sa.UniqueConstraint(
            "tenant_id", "interaction_id", "survey", "channel", name="uq_survey_offers_contact"
        ),
    )
    with op.batch_alter_table("survey_offers", schema=None) as batch_op:
        batch_op.create_index("ix_survey_offers_at", ["tenant_id", "offered_at"], unique=False)
    op.create_table(
        "survey_links",
        sa.Column("id", sa.String(length=26), nullable=False),
        _tenant(),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("agent_id", sa.String(length=26), nullable=True),
        sa.Column("work_id", sa.String(length=26), nullable=True),
        sa.Column("survey", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.Column("answered_at", sa.Double(), nullable=True),
        _tenant_fk("survey_links"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_links")),
    )
    with op.batch_alter_table("survey_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_links_interaction", ["tenant_id", "interaction_id"], unique=False
        )
    op.create_table(
        "survey_keys",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        _tenant_fk("survey_keys"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_survey_keys")),
    )
    op.create_table(
        "quality_reviews",
        sa.Column("id", sa.String(length=26), nullable=False),
        _tenant(),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("agent_id", sa.String(length=26), nullable=True),
        sa.Column("work_id", sa.String(length=26), nullable=True),
        sa.Column("supervisor_id", sa.String(length=26), nullable=True),
        sa.Column("survey", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.Double(), nullable=False),
        sa.Column("due_at", sa.Double(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.Double(), nullable=True),
        sa.Column("closed_by", sa.String(length=26), nullable=True),
        sa.Column("escalated_at", sa.Double(), nullable=True),
        _tenant_fk("quality_reviews"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_reviews")),
    )
    with op.batch_alter_table("quality_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quality_reviews_state", ["tenant_id", "state", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_quality_reviews_interaction", ["tenant_id", "interaction_id"], unique=False
        )
        batch_op.create_index(
            "ix_quality_reviews_supervisor", ["tenant_id", "supervisor_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("quality_reviews")
    op.drop_table("survey_keys")
    op.drop_table("survey_links")
    op.drop_table("survey_offers")
    op.drop_table("survey_answers")
    op.drop_table("survey_definitions")
