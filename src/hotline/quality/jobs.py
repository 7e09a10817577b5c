"""Quality work on the job host: `quality.review_due` escalates a review still open at its
deadline, in the firing's transaction (ADR 0212)."""

from __future__ import annotations

from hotline.jobs import JobContext
from hotline.quality.follower import REVIEW_DUE_KIND
from hotline.quality.service import ReviewService
from hotline.store.quality_repo import SqlQuality

__all__ = ["REVIEW_DUE_KIND", "ReviewDueJob"]


class ReviewDueJob:
    """`host.register(REVIEW_DUE_KIND, ReviewDueJob())`."""

    async def __call__(self, ctx: JobContext) -> None:
        service = ReviewService(SqlQuality(ctx.conn), ctx.tenant_id, ctx.emit, lambda: ctx.now)
        escalated = await service.fire_due(str(ctx.payload["review_id"]))
        n = 0 if escalated is None else 1
        ctx.progress(n, 1, f"已升级 {n} 条复核 / {n} review(s) escalated")
