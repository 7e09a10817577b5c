"""The QA evaluation tables (hotline.quality, docs/quality.md, ADR 0217–0219): scorecard
versions, evaluations with their answers and scores, comments anchored at times of the
recording, and calibration sessions."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Double, Index, Integer, String, Table, Text, UniqueConstraint

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import tenant_column as _tenant

__all__ = ["qa_calibrations", "qa_evaluation_comments", "qa_evaluations", "qa_scorecards"]

# One row per version of a scorecard; a published version is never written again.
qa_scorecards = Table(
    "qa_scorecards",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # draft | published | retired
    Column("form", JSON, nullable=False),  # hotline.quality.scorecards.Scorecard
    Column("created_at", Double, nullable=False),
    Column("created_by", String(ID)),
    Column("published_at", Double),
    UniqueConstraint("tenant_id", "name", "version", name="uq_qa_scorecards_version"),
)

qa_evaluations = Table(
    "qa_evaluations",
    metadata,
    _id(),
    _tenant(),
    Column("task_id", String(ID)),  # the QA task evaluated (None: a calibration's)
    Column("calibration_id", String(ID)),
    Column("interaction_id", String(ID), nullable=False),
    Column("work_id", String(ID), nullable=False),
    Column("agent_id", String(ID), nullable=False),
    Column("evaluator_id", String(ID), nullable=False),
    Column("scorecard", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("score", Double),
    Column("critical_failed", JSON, nullable=False),
    Column("points", JSON, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("submitted_at", Double),
    Column("acknowledged_at", Double),
    Column("dispute_reason", Text, nullable=False, default=""),
    Column("disputed_at", Double),
    Column("second_evaluator_id", String(ID)),
    Column("resolver_id", String(ID)),
    Column("resolution", String(16)),
    Column("resolution_note", Text, nullable=False, default=""),
    Column("original_score", Double),
    Column("resolved_at", Double),
    UniqueConstraint("tenant_id", "task_id", name="uq_qa_evaluations_task"),
    UniqueConstraint(
        "tenant_id", "calibration_id", "evaluator_id", name="uq_qa_evaluations_calibration"
    ),
    Index("ix_qa_evaluations_agent", "tenant_id", "agent_id", "submitted_at"),
    Index("ix_qa_evaluations_evaluator", "tenant_id", "evaluator_id", "state"),
)

qa_evaluation_comments = Table(
    "qa_evaluation_comments",
    metadata,
    _id(),
    _tenant(),
    Column("evaluation_id", String(ID), nullable=False),
    Column("at_s", Double),  # seconds from the recording's start; None: the whole contact
    Column("text", Text, nullable=False),
    Column("by", String(ID), nullable=False),
    Column("created_at", Double, nullable=False),
    Index("ix_qa_evaluation_comments_evaluation", "tenant_id", "evaluation_id", "at_s"),
)

qa_calibrations = Table(
    "qa_calibrations",
    metadata,
    _id(),
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("work_id", String(ID), nullable=False),
    Column("agent_id", String(ID), nullable=False),
    Column("scorecard", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("evaluators", JSON, nullable=False),  # user ids
    Column("created_by", String(ID)),
    Column("created_at", Double, nullable=False),
)
