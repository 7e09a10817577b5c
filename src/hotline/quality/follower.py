"""The survey follower (ADR 0212): reads the tenant's `flow.survey_offered` and
`flow.survey_answered` records after its cursor and, in one transaction per batch, writes the
offers and answers to the quality tables and opens a review for every rating at or under the
threshold — for the supervisor of the agent whose segment was rated, with a deadline on the
job host (`quality.review_due`). The cursor moves in the same transaction: a restart neither
loses a review nor opens one twice. It follows the bus, so a review exists within moments of
the rating."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from hotline.bus import EventBus, Subscription
from hotline.clock import Clock
from hotline.config import QualitySettings
from hotline.ids import new_id
from hotline.jobs import Jobs
from hotline.quality.events import ReviewOpened
from hotline.quality.reviews import Review, ReviewState
from hotline.quality.surveys import QuestionKind, is_low
from hotline.store.log_cursor import LogCursor
from hotline.store.quality_repo import SqlQuality
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["CURSOR", "REVIEW_DUE_KIND", "SurveyFollower", "review_job_key"]

log = logging.getLogger(__name__)

CURSOR = "quality_surveys"
REVIEW_DUE_KIND = "quality.review_due"
OFFERED, ANSWERED = "flow.survey_offered", "flow.survey_answered"
_TYPES = (OFFERED, ANSWERED)
_BATCH = 200
IVR_SURVEY = "ivr"  # the survey name of a survey node that names none


def review_job_key(review_id: str) -> str:
    return f"review:{review_id}:due"


class SurveyFollower:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        bus: EventBus,
        clock: Clock,
        settings: QualitySettings,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow
        self._bus = bus
        self._clock = clock
        self._settings = settings
        self._wake = wake
        self._task: asyncio.Task[None] | None = None
        self.opened = 0

    async def catch_up(self, tenant_id: str) -> int:
        """Write the tenant's new offers and answers; how many reviews were opened."""
        opened = 0
        while True:
            async with self._uow() as uow:
                cursor = LogCursor(uow.conn, CURSOR)
                repo = SqlQuality(uow.conn)
                after = await cursor.position(tenant_id)
                batch = await repo.events_after(tenant_id, after, _TYPES, _BATCH)
                if not batch:
                    return opened
                done = 0
                for event in batch:
                    done += await self._apply(uow, repo, event)
                await cursor.move(tenant_id, int(batch[-1]["seq"]))
                await uow.commit()
            if done and self._wake is not None:
                self._wake()
            opened += done
            self.opened += done

    async def _apply(self, uow: UnitOfWork, repo: SqlQuality, event: Mapping[str, Any]) -> int:
        p: Mapping[str, Any] = event["payload"] or {}
        tenant, contact = str(event["tenant_id"]), event["interaction_id"]
        if not contact:
            return 0
        survey = str(p.get("survey") or IVR_SURVEY)
        channel = str(p.get("channel") or "ivr")
        if event["type"] == OFFERED:
            await repo.offered(tenant, contact, event["agent_id"], survey, channel, event["at"])
            return 0
        question = str(p.get("question") or p.get("node") or "rating")
        try:
            kind = QuestionKind(str(p.get("kind") or "scale"))
        except ValueError:
            log.warning("survey answer %s: unknown kind %r", event["seq"], p.get("kind"))
            return 0
        rating = None if kind is QuestionKind.TEXT else p.get("rating")
        scale = None if kind is QuestionKind.TEXT else p.get("scale")
        written = await repo.add_answer({
            "tenant_id": tenant, "seq": int(event["seq"]), "interaction_id": contact,
            "agent_id": event["agent_id"], "work_id": p.get("work_id"), "survey": survey,
            "question": question, "kind": kind.value,
            "rating": None if rating is None else int(rating),
            "scale": None if scale is None else int(scale), "text": p.get("text"),
            "channel": channel, "at": float(event["at"]),
        })  # fmt: skip
        if not written:
            return 0
        await repo.offered(
            tenant, contact, event["agent_id"], survey, channel, event["at"], answered=True
        )
        if rating is None or scale is None:
            return 0
        return await self._review(uow, repo, event, survey, question, kind, int(rating), int(scale))

    async def _review(
        self, uow: UnitOfWork, repo: SqlQuality, event: Mapping[str, Any], survey: str,
        question: str, kind: QuestionKind, rating: int, scale: int,
    ) -> int:  # fmt: skip
        tenant, contact = str(event["tenant_id"]), str(event["interaction_id"])
        own = None
        definition = await repo.definition(tenant, survey)
        if definition is not None and (asked := definition.question(question)) is not None:
            own = asked.review_at_most
        if self._settings.review_at_most == 0 and own is None and kind is QuestionKind.SCALE:
            return 0
        low = is_low(
            kind, rating, scale, at_most_of_5=self._settings.review_at_most,
            nps_at_most=self._settings.nps_review_at_most, own=own,
        )  # fmt: skip
        if not low:
            return 0
        agent, work = event["agent_id"], (event["payload"] or {}).get("work_id")
        if await repo.review_of_segment(tenant, contact, agent, work) is not None:
            return 0  # one review per rated segment, however many answers were low
        now = float(event["at"])
        review = Review(
            id=new_id(now), tenant_id=tenant, interaction_id=contact, agent_id=agent,
            work_id=work, supervisor_id=await repo.supervisor_of(tenant, agent),
            survey=survey, question=question, rating=rating, scale=scale,
            state=ReviewState.OPEN, opened_at=now,
            due_at=now + self._settings.review_hours * 3600.0,
        )  # fmt: skip
        await repo.add_review(review)
        await Jobs(uow.conn).schedule(
            REVIEW_DUE_KIND, due_at=review.due_at, now=self._clock.now(), tenant_id=tenant,
            payload={"review_id": review.id}, key=review_job_key(review.id),
        )  # fmt: skip
        uow.emit(
            ReviewOpened(
                tenant_id=tenant, at=self._clock.now(), interaction_id=contact, agent_id=agent,
                review_id=review.id, supervisor_id=review.supervisor_id, survey=survey,
                question=question, rating=rating, scale=scale, due_at=review.due_at,
                work_id=work,
            )
        )  # fmt: skip
        return 1

    async def start(self) -> None:
        # Subscribed before the catch-up: an answer logged meanwhile is not left for later.
        subscription = self._bus.subscribe(types=_TYPES)
        async with self._uow(write=False) as uow:
            tenants = await LogCursor(uow.conn, CURSOR).tenants()
        for tenant_id in tenants:
            await self.catch_up(tenant_id)
        self._task = asyncio.create_task(self._follow(subscription), name="quality-surveys.follow")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self, subscription: Subscription) -> None:
        async for record in subscription:
            try:
                await self.catch_up(record.tenant_id)
            except Exception:  # the next answer or the next start catches up
                log.exception("survey answers of %s failed", record.tenant_id)
