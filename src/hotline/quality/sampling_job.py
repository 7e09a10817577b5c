"""QA sampling on the job host (ADR 0214): `quality.sampling` is a recurring job of each center
that has rules (Mondays 03:00 in the center's time zone), sampling the last whole ISO week; it
can also be run for a given week (`payload["week"]`, or `SamplingService.run` from the API).
A re-run of a week adds only what the first run did not take: a contact gets one task, ever."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.jobs import JobContext
from hotline.quality.events import QaTaskCreated
from hotline.quality.sampling import (
    Candidate,
    SamplingRules,
    assign,
    previous_week,
    select,
    week_bounds,
)
from hotline.store.sampling_repo import SqlSampling

__all__ = ["SAMPLING_CRON", "SAMPLING_KIND", "SamplingJob", "SamplingRun", "SamplingService"]

SAMPLING_KIND = "quality.sampling"
SAMPLING_CRON = "0 3 * * 1"  # Monday 03:00, the center's time zone


class SamplingRepository(Protocol):
    async def rules(self, tenant_id: str) -> SamplingRules | None: ...
    async def timezone(self, tenant_id: str) -> str: ...
    async def candidates(self, tenant_id: str, start: float, end: float) -> list[Candidate]: ...
    async def agent_since(self, tenant_id: str, agent_ids: Iterable[str]) -> dict[str, float]: ...
    async def sampled(self, tenant_id: str, interaction_ids: Iterable[str]) -> set[str]: ...
    async def evaluators(self, tenant_id: str) -> dict[str, str | None]: ...
    async def open_counts(self, tenant_id: str) -> dict[str, int]: ...
    async def add_tasks(self, rows: Sequence[Mapping[str, Any]]) -> int: ...


@dataclass(frozen=True, slots=True)
class SamplingRun:
    week: str
    candidates: int
    created: int
    by_rule: dict[str, int]


class SamplingService:
    def __init__(
        self,
        repo: SamplingRepository,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
    ) -> None:
        self.repo = repo
        self.tenant_id = tenant_id
        self.emit = emit
        self.now = now

    async def run(self, week: str | None = None) -> SamplingRun:
        """Sample the week (default: the last whole one) with the center's rules."""
        timezone = await self.repo.timezone(self.tenant_id)
        week = week or previous_week(self.now(), timezone)
        start, end = week_bounds(week, timezone)
        rules = await self.repo.rules(self.tenant_id)
        if rules is None or not rules.rules:
            return SamplingRun(week, 0, 0, {})
        candidates = await self.repo.candidates(self.tenant_id, start, end)
        picks = select(
            rules, candidates, tenant_id=self.tenant_id, week=week, week_start=start,
            agent_since=await self.repo.agent_since(
                self.tenant_id, (c.agent_id for c in candidates)
            ),
            sampled=await self.repo.sampled(
                self.tenant_id, (c.interaction_id for c in candidates)
            ),
        )  # fmt: skip
        evaluators = await self.repo.evaluators(self.tenant_id)
        assigned = assign(
            picks, sorted(evaluators), await self.repo.open_counts(self.tenant_id), evaluators
        )
        now = self.now()
        rows: list[dict[str, Any]] = []
        for pick, assignee in assigned:
            c = pick.candidate
            rows.append({
                "id": new_id(), "tenant_id": self.tenant_id, "interaction_id": c.interaction_id,
                "work_id": c.work_id, "agent_id": c.agent_id, "rule": pick.rule, "week": week,
                "assignee_id": assignee, "state": "open", "created_at": now,
            })  # fmt: skip
        created = await self.repo.add_tasks(rows)
        by_rule: dict[str, int] = {}
        for row in rows:
            by_rule[row["rule"]] = by_rule.get(row["rule"], 0) + 1
            self.emit(
                QaTaskCreated(
                    tenant_id=self.tenant_id, at=now, interaction_id=row["interaction_id"],
                    agent_id=row["agent_id"], task_id=row["id"], work_id=row["work_id"],
                    rule=row["rule"], week=week, assignee_id=row["assignee_id"],
                )
            )  # fmt: skip
        return SamplingRun(week, len(candidates), created, by_rule)


class SamplingJob:
    """`host.register(SAMPLING_KIND, SamplingJob())`; scheduled per center when its rules are
    saved."""

    async def __call__(self, ctx: JobContext) -> None:
        service = SamplingService(SqlSampling(ctx.conn), ctx.tenant_id, ctx.emit, lambda: ctx.now)
        week = ctx.payload.get("week")
        if week is None:
            timezone = await SqlSampling(ctx.conn).timezone(ctx.tenant_id)
            week = previous_week(ctx.scheduled_at, timezone)
        done = await service.run(str(week))
        ctx.progress(
            done.created, done.created,
            f"{done.week}：已建 {done.created} 条质检任务 / {done.created} QA task(s) created",
        )  # fmt: skip
