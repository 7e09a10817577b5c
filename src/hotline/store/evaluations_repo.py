"""QA scorecards, evaluations, comments and calibrations on a connection (the repository of
`hotline.quality.evaluating`). Repositories flush; the edge commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.quality.evaluations import Comment, Evaluation, EvaluationState, Resolution
from hotline.quality.scorecards import Scorecard, ScorecardState
from hotline.store.evaluation_tables import (
    qa_calibrations,
    qa_evaluation_comments,
    qa_evaluations,
    qa_scorecards,
)
from hotline.store.quality_repo import SqlQuality
from hotline.store.quality_tables import qa_tasks
from hotline.store.sampling_repo import SqlSampling
from hotline.store.tables import agent_teams, teams, users

__all__ = ["ScorecardRow", "SqlEvaluations"]

ScorecardRow = dict[str, Any]
"""A version: id, name, version, state, form (a `Scorecard`), created_at, published_at."""

_FIELDS = (
    "id", "tenant_id", "task_id", "calibration_id", "interaction_id", "work_id", "agent_id",
    "evaluator_id", "scorecard", "version", "answers", "score", "points", "created_at",
    "submitted_at", "acknowledged_at", "dispute_reason", "disputed_at", "second_evaluator_id",
    "resolver_id", "resolution_note", "original_score", "resolved_at",
)  # fmt: skip


def _evaluation(row: Any) -> Evaluation:
    return Evaluation(
        **{k: row[k] for k in _FIELDS},
        state=EvaluationState(row["state"]),
        critical_failed=tuple(row["critical_failed"] or ()),
        resolution=Resolution(row["resolution"]) if row["resolution"] else None,
    )


def _values(e: Evaluation) -> dict[str, Any]:
    out = {k: getattr(e, k) for k in _FIELDS}
    out.update(
        state=e.state.value, critical_failed=list(e.critical_failed),
        resolution=e.resolution.value if e.resolution else None,
    )  # fmt: skip
    return out


def _scorecard(row: Any) -> ScorecardRow:
    out = dict(row)
    out["form"] = Scorecard.model_validate(out["form"])
    return out


class SqlEvaluations:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # -- scorecards -----------------------------------------------------------------------

    async def scorecards(self, tenant_id: str) -> list[ScorecardRow]:
        s = qa_scorecards
        q = select(s).where(s.c.tenant_id == tenant_id).order_by(s.c.name, s.c.version)
        return [_scorecard(r) for r in (await self.conn.execute(q)).mappings()]

    async def scorecard(self, tenant_id: str, name: str, version: int) -> ScorecardRow | None:
        s = qa_scorecards
        q = select(s).where(s.c.tenant_id == tenant_id, s.c.name == name, s.c.version == version)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else _scorecard(found)

    async def scorecard_by_id(self, tenant_id: str, scorecard_id: str) -> ScorecardRow | None:
        s = qa_scorecards
        q = select(s).where(s.c.tenant_id == tenant_id, s.c.id == scorecard_id)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else _scorecard(found)

    async def published(self, tenant_id: str, name: str) -> ScorecardRow | None:
        s = qa_scorecards
        q = select(s).where(
            s.c.tenant_id == tenant_id, s.c.name == name,
            s.c.state == ScorecardState.PUBLISHED.value,
        )  # fmt: skip
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else _scorecard(found)

    async def last_version(self, tenant_id: str, name: str) -> int:
        s = qa_scorecards
        q = select(func.max(s.c.version)).where(s.c.tenant_id == tenant_id, s.c.name == name)
        return int(await self.conn.scalar(q) or 0)

    async def add_scorecard(self, row: Mapping[str, Any]) -> None:
        form: Scorecard = row["form"]
        await self.conn.execute(
            insert(qa_scorecards).values({**row, "form": form.model_dump(mode="json")})
        )

    async def set_scorecard(self, tenant_id: str, name: str, version: int, **values: Any) -> None:
        s = qa_scorecards
        if isinstance(values.get("form"), Scorecard):
            values["form"] = values["form"].model_dump(mode="json")
        await self.conn.execute(
            update(s)
            .where(s.c.tenant_id == tenant_id, s.c.name == name, s.c.version == version)
            .values(values)
        )

    async def retire_published(self, tenant_id: str, name: str) -> None:
        s = qa_scorecards
        await self.conn.execute(
            update(s)
            .where(
                s.c.tenant_id == tenant_id, s.c.name == name,
                s.c.state == ScorecardState.PUBLISHED.value,
            )
            .values(state=ScorecardState.RETIRED.value)
        )  # fmt: skip

    # -- evaluations ----------------------------------------------------------------------

    async def evaluation(self, tenant_id: str, evaluation_id: str) -> Evaluation | None:
        e = qa_evaluations
        q = select(e).where(e.c.tenant_id == tenant_id, e.c.id == evaluation_id)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else _evaluation(found)

    async def add_evaluation(self, evaluation: Evaluation) -> None:
        await self.conn.execute(insert(qa_evaluations).values(_values(evaluation)))

    async def save_evaluation(self, evaluation: Evaluation) -> None:
        e = qa_evaluations
        await self.conn.execute(
            update(e)
            .where(e.c.tenant_id == evaluation.tenant_id, e.c.id == evaluation.id)
            .values(_values(evaluation))
        )

    async def evaluations(
        self,
        tenant_id: str,
        *,
        agent_ids: Sequence[str] | None = None,
        evaluator_id: str | None = None,
        second_evaluator_id: str | None = None,
        calibration_id: str | None = None,
        calibrations: bool = False,
        states: Sequence[str] = (),
        limit: int = 500,
    ) -> list[Evaluation]:
        e = qa_evaluations
        q = select(e).where(e.c.tenant_id == tenant_id)
        if agent_ids is not None:
            q = q.where(e.c.agent_id.in_(list(agent_ids)))
        if evaluator_id is not None:
            q = q.where(e.c.evaluator_id == evaluator_id)
        if second_evaluator_id is not None:
            q = q.where(e.c.second_evaluator_id == second_evaluator_id)
        if calibration_id is not None:
            q = q.where(e.c.calibration_id == calibration_id)
        elif not calibrations:
            q = q.where(e.c.calibration_id.is_(None))
        if states:
            q = q.where(e.c.state.in_(list(states)))
        q = q.order_by(e.c.created_at.desc(), e.c.id).limit(limit)
        return [_evaluation(r) for r in (await self.conn.execute(q)).mappings()]

    async def scored_between(self, tenant_id: str, start: float, end: float) -> list[Evaluation]:
        """The evaluations submitted in [start, end), calibrations left out (the reports)."""
        e = qa_evaluations
        q = select(e).where(
            e.c.tenant_id == tenant_id, e.c.calibration_id.is_(None),
            e.c.submitted_at >= start, e.c.submitted_at < end,
        )  # fmt: skip
        return [_evaluation(r) for r in (await self.conn.execute(q)).mappings()]

    async def user_names(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, str]:
        if not user_ids:
            return {}
        q = select(users.c.id, users.c.display_name, users.c.username).where(
            users.c.tenant_id == tenant_id, users.c.id.in_(list(user_ids))
        )
        return {str(r.id): str(r.display_name or r.username) for r in await self.conn.execute(q)}

    async def open_disputes(self, tenant_id: str) -> dict[str, int]:
        e = qa_evaluations
        q = (
            select(e.c.second_evaluator_id, func.count())
            .where(
                e.c.tenant_id == tenant_id, e.c.state == EvaluationState.DISPUTED.value,
                e.c.second_evaluator_id.is_not(None),
            )
            .group_by(e.c.second_evaluator_id)
        )  # fmt: skip
        return {str(k): int(n) for k, n in await self.conn.execute(q)}

    # -- comments -------------------------------------------------------------------------

    async def add_comment(self, tenant_id: str, evaluation_id: str, comment: Comment) -> None:
        await self.conn.execute(
            insert(qa_evaluation_comments).values(
                id=comment.id, tenant_id=tenant_id, evaluation_id=evaluation_id,
                at_s=comment.at_s, text=comment.text, by=comment.by,
                created_at=comment.created_at,
            )
        )  # fmt: skip

    async def comments(self, tenant_id: str, evaluation_id: str) -> list[Comment]:
        c = qa_evaluation_comments
        q = select(c).where(c.c.tenant_id == tenant_id, c.c.evaluation_id == evaluation_id)
        found = [
            Comment(
                r["id"], None if r["at_s"] is None else float(r["at_s"]), r["text"], r["by"],
                float(r["created_at"]),
            )
            for r in (await self.conn.execute(q)).mappings()
        ]  # fmt: skip
        # the whole contact's remarks first, then by time in the recording
        found.sort(key=lambda c: (c.at_s is not None, c.at_s or 0.0, c.created_at, c.id))
        return found

    # -- tasks, people, recordings --------------------------------------------------------

    async def task(self, tenant_id: str, task_id: str) -> dict[str, Any] | None:
        t = qa_tasks
        q = select(t).where(t.c.tenant_id == tenant_id, t.c.id == task_id)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else dict(found)

    async def set_task_state(self, tenant_id: str, task_id: str, state: str) -> None:
        t = qa_tasks
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == task_id).values(state=state)
        )

    async def evaluators(self, tenant_id: str) -> dict[str, str | None]:
        return await SqlSampling(self.conn).evaluators(tenant_id)

    async def team_agents(self, tenant_id: str, supervisor_id: str) -> list[str]:
        return await SqlQuality(self.conn).team_agents(tenant_id, supervisor_id)

    async def recordings(self, tenant_id: str, interaction_id: str) -> list[dict[str, Any]]:
        return await SqlQuality(self.conn).recordings(tenant_id, interaction_id)

    async def teams_of(self, tenant_id: str, agent_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each agent's team names (for the reports' by-team figures)."""
        if not agent_ids:
            return {}
        q = (
            select(agent_teams.c.agent_id, teams.c.name)
            .join(teams, agent_teams.c.team_id == teams.c.id)
            .where(teams.c.tenant_id == tenant_id, agent_teams.c.agent_id.in_(list(agent_ids)))
        )
        out: dict[str, list[str]] = {}
        for agent_id, name in await self.conn.execute(q):
            out.setdefault(str(agent_id), []).append(str(name))
        return out

    # -- calibrations ---------------------------------------------------------------------

    async def add_calibration(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(qa_calibrations).values(dict(row)))

    async def calibration(self, tenant_id: str, calibration_id: str) -> dict[str, Any] | None:
        c = qa_calibrations
        q = select(c).where(c.c.tenant_id == tenant_id, c.c.id == calibration_id)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else dict(found)

    async def calibrations(self, tenant_id: str, limit: int = 200) -> list[dict[str, Any]]:
        c = qa_calibrations
        q = (
            select(c)
            .where(c.c.tenant_id == tenant_id)
            .order_by(c.c.created_at.desc(), c.c.id)
            .limit(limit)
        )
        return [dict(r) for r in (await self.conn.execute(q)).mappings()]
