"""The quality tables (hotline.quality, docs/quality.md): survey definitions, the answers and
offers of every survey whatever its channel, the link surveys with their signing key, and the
forced reviews of unhappy ratings."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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
    "qa_sampling_rules",
    "qa_tasks",
    "quality_reviews",
    "survey_answers",
    "survey_definitions",
    "survey_keys",
    "survey_links",
    "survey_offers",
]

survey_definitions = Table(
    "survey_definitions",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("definition", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_survey_definitions_tenant_name"),
)

# One row per answer, written from its `flow.survey_answered` record (`seq` keeps it once).
survey_answers = Table(
    "survey_answers",
    metadata,
    _id(),
    _tenant(),
    Column("seq", BigInteger, nullable=False),
    Column("interaction_id", String(ID), nullable=False),
    Column("agent_id", String(ID)),
    Column("work_id", String(ID)),
    Column("survey", String(64), nullable=False),
    Column("question", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("rating", Integer),
    Column("scale", Integer),
    Column("text", Text),
    Column("channel", String(16), nullable=False),
    Column("at", Double, nullable=False),
    UniqueConstraint("tenant_id", "seq", name="uq_survey_answers_tenant_seq"),
    Index("ix_survey_answers_interaction", "tenant_id", "interaction_id"),
    Index("ix_survey_answers_agent_at", "tenant_id", "agent_id", "at"),
)

# A survey offered on a contact (the IVR reached it, a link went out) and whether it was
# answered: the response rate's numerator and denominator.
survey_offers = Table(
    "survey_offers",
    metadata,
    _id(),
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("agent_id", String(ID)),
    Column("survey", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("offered_at", Double, nullable=False),
    Column("answered_at", Double),
    UniqueConstraint(
        "tenant_id", "interaction_id", "survey", "channel", name="uq_survey_offers_contact"
    ),
    Index("ix_survey_offers_at", "tenant_id", "offered_at"),
)

survey_links = Table(
    "survey_links",
    metadata,
    _id(),
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("agent_id", String(ID)),
    Column("work_id", String(ID)),
    Column("survey", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("address", String(320), nullable=False),
    Column("language", String(8), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("answered_at", Double),
    Index("ix_survey_links_interaction", "tenant_id", "interaction_id"),
)

# The center's key that signs its survey links (made on first use, never shown).
survey_keys = Table(
    "survey_keys",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
)

quality_reviews = Table(
    "quality_reviews",
    metadata,
    _id(),
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("agent_id", String(ID)),
    Column("work_id", String(ID)),
    Column("supervisor_id", String(ID)),
    Column("survey", String(64), nullable=False),
    Column("question", String(64), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("scale", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_at", Double, nullable=False),
    Column("due_at", Double, nullable=False),
    Column("cause", String(32)),
    Column("action", String(32)),
    Column("note", Text, nullable=False, default=""),
    Column("closed_at", Double),
    Column("closed_by", String(ID)),
    Column("escalated_at", Double),
    Index("ix_quality_reviews_state", "tenant_id", "state", "due_at"),
    Index("ix_quality_reviews_interaction", "tenant_id", "interaction_id"),
    Index("ix_quality_reviews_supervisor", "tenant_id", "supervisor_id"),
)

# A center's QA sampling rules (hotline.quality.sampling.SamplingRules as JSON, ADR 0214).
qa_sampling_rules = Table(
    "qa_sampling_rules",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rules", JSON, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("updated_by", String(ID)),
)

# QA evaluation tasks made by the sampling job: one per contact, ever (ADR 0216).
qa_tasks = Table(
    "qa_tasks",
    metadata,
    _id(),
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("work_id", String(ID), nullable=False),  # the agent segment evaluated
    Column("agent_id", String(ID), nullable=False),
    Column("rule", String(32), nullable=False),  # the key of the rule that picked it
    Column("week", String(8), nullable=False),  # ISO week, "2026-W49"
    Column("assignee_id", String(ID)),  # a QA user; None while the center has none
    Column("state", String(16), nullable=False),  # open | done | cancelled
    Column("created_at", Double, nullable=False),
    UniqueConstraint("tenant_id", "interaction_id", name="uq_qa_tasks_contact"),
    Index("ix_qa_tasks_assignee", "tenant_id", "assignee_id", "state"),
    Index("ix_qa_tasks_week", "tenant_id", "week"),
)
