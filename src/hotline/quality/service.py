"""Reviews as the supervisor works them (ADR 0212): who sees which, closing with a root cause
and an action, and the escalation of an open review past its deadline (the `quality.review_due`
job). Every change is an event; the repository flushes, the edge commits."""

from __future__ import annotations

from collections.abc import Callable

from hotline.events import DomainEvent
from hotline.quality.errors import ReviewNotFound, ReviewNotYours
from hotline.quality.events import ReviewClosed, ReviewEscalated
from hotline.quality.ports import QualityRepository
from hotline.quality.reviews import Review, close, escalate

__all__ = ["ReviewService", "Viewer"]


class Viewer:
    """Who is asking: an admin or QA user sees every review; a supervisor those given to her
    and her teams' unassigned ones; an agent her own."""

    def __init__(
        self, user_id: str, *, everything: bool, supervisor: bool, agent_id: str | None
    ) -> None:
        self.user_id = user_id
        self.everything = everything
        self.supervisor = supervisor
        self.agent_id = agent_id


class ReviewService:
    def __init__(
        self,
        repo: QualityRepository,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
    ) -> None:
        self.repo = repo
        self.tenant_id = tenant_id
        self.emit = emit
        self.now = now

    async def visible(self, viewer: Viewer, states: tuple[str, ...] = ()) -> list[Review]:
        if viewer.everything:
            return await self.repo.reviews(self.tenant_id, states=states)
        if viewer.supervisor:
            team = await self.repo.team_agents(self.tenant_id, viewer.user_id)
            return await self.repo.reviews(
                self.tenant_id, states=states, supervisor_id=viewer.user_id, agents_of_team=team
            )
        if viewer.agent_id is None:
            return []
        mine = await self.repo.reviews(self.tenant_id, states=states)
        return [r for r in mine if r.agent_id == viewer.agent_id]

    async def get(self, viewer: Viewer, review_id: str) -> Review:
        review = await self.repo.review(self.tenant_id, review_id)
        if review is None:
            raise ReviewNotFound(review_id)
        if not await self._may_see(viewer, review):
            raise ReviewNotFound(review_id)
        return review

    async def _may_see(self, viewer: Viewer, review: Review) -> bool:
        if viewer.everything or review.supervisor_id == viewer.user_id:
            return True
        if viewer.supervisor:
            if review.supervisor_id is None:
                team = await self.repo.team_agents(self.tenant_id, viewer.user_id)
                return review.agent_id in team
            return False
        return viewer.agent_id is not None and review.agent_id == viewer.agent_id

    async def close(
        self, viewer: Viewer, review_id: str, cause: str | None, action: str | None, note: str
    ) -> Review:
        review = await self.get(viewer, review_id)
        if not (viewer.everything or viewer.supervisor):
            raise ReviewNotYours()
        now = self.now()
        closed = close(review, cause, action, note, viewer.user_id, now)
        await self.repo.save_review(closed)
        self.emit(
            ReviewClosed(
                tenant_id=self.tenant_id, at=now, interaction_id=review.interaction_id,
                agent_id=review.agent_id, review_id=review.id, cause=str(closed.cause),
                action=str(closed.action), closed_by=viewer.user_id, late=now > review.due_at,
            )
        )  # fmt: skip
        return closed

    async def fire_due(self, review_id: str) -> Review | None:
        """The deadline came: escalate the review if it is still open."""
        review = await self.repo.review(self.tenant_id, review_id)
        if review is None:
            return None
        now = self.now()
        escalated = escalate(review, now)
        if escalated is None:
            return None
        await self.repo.save_review(escalated)
        self.emit(
            ReviewEscalated(
                tenant_id=self.tenant_id, at=now, interaction_id=review.interaction_id,
                agent_id=review.agent_id, review_id=review.id,
                supervisor_id=review.supervisor_id, due_at=review.due_at,
            )
        )  # fmt: skip
        return escalated
