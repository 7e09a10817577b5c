"""The quality tables on a connection (hotline.quality's repository): survey definitions,
answers and offers, links and their key, and reviews. Repositories flush; the edge commits."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.ids import new_id
from hotline.quality.reviews import Review, ReviewAction, ReviewState, RootCause
from hotline.quality.surveys import SurveyDefinition
from hotline.store.quality_tables import (
    quality_reviews,
    survey_answers,
    survey_definitions,
    survey_keys,
    survey_links,
    survey_offers,
)
from hotline.store.rows import row_dict
from hotline.store.tables import (
    agent_segments,
    agent_teams,
    agents,
    events,
    recordings,
    teams,
)

__all__ = ["SqlQuality"]


def _review(row: Any) -> Review:
    return Review(
        id=row["id"], tenant_id=row["tenant_id"], interaction_id=row["interaction_id"],
        agent_id=row["agent_id"], work_id=row["work_id"], supervisor_id=row["supervisor_id"],
        survey=row["survey"], question=row["question"], rating=int(row["rating"]),
        scale=int(row["scale"]), state=ReviewState(row["state"]),
        opened_at=float(row["opened_at"]), due_at=float(row["due_at"]),
        cause=RootCause(row["cause"]) if row["cause"] else None,
        action=ReviewAction(row["action"]) if row["action"] else None,
        note=row["note"] or "", closed_at=row["closed_at"], closed_by=row["closed_by"],
        escalated_at=row["escalated_at"],
    )  # fmt: skip


class SqlQuality:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # -- the log --------------------------------------------------------------------------

    async def events_after(
        self, tenant_id: str, after: int, types: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        q = (
            select(events)
            .where(events.c.tenant_id == tenant_id, events.c.seq > after)
            .where(events.c.type.in_(list(types)))
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    # -- definitions ----------------------------------------------------------------------

    async def definition(self, tenant_id: str, name: str) -> SurveyDefinition | None:
        d = survey_definitions
        q = select(d.c.definition).where(d.c.tenant_id == tenant_id, d.c.name == name)
        found = await self.conn.scalar(q)
        return None if found is None else SurveyDefinition.model_validate(found)

    async def definitions(self, tenant_id: str) -> list[SurveyDefinition]:
        d = survey_definitions
        q = select(d.c.definition).where(d.c.tenant_id == tenant_id).order_by(d.c.name)
        return [SurveyDefinition.model_validate(x) for x in await self.conn.scalars(q)]

    async def save_definition(self, tenant_id: str, survey: SurveyDefinition, now: float) -> None:
        d = survey_definitions
        data = survey.model_dump(mode="json")
        done = await self.conn.execute(
            update(d)
            .where(d.c.tenant_id == tenant_id, d.c.name == survey.name)
            .values(definition=data, updated_at=now)
        )
        if done.rowcount == 0:
            await self.conn.execute(
                insert(d).values(
                    id=new_id(now),
                    tenant_id=tenant_id,
                    name=survey.name,
                    definition=data,
                    created_at=now,
                    updated_at=now,
                )
            )

    # -- answers and offers ---------------------------------------------------------------

    async def add_answer(self, row: Mapping[str, Any]) -> bool:
        """False when the record was written already (the follower ran it before)."""
        a = survey_answers
        q = select(a.c.id).where(a.c.tenant_id == row["tenant_id"], a.c.seq == row["seq"])
        if await self.conn.scalar(q) is not None:
            return False
        await self.conn.execute(insert(a).values(id=new_id(row["at"]), **row))
        return True

    async def answers(self, tenant_id: str, interaction_id: str) -> list[dict[str, Any]]:
        a = survey_answers
        q = (
            select(a)
            .where(a.c.tenant_id == tenant_id, a.c.interaction_id == interaction_id)
            .order_by(a.c.seq)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def offered(
        self, tenant_id: str, interaction_id: str, agent_id: str | None, survey: str,
        channel: str, at: float, *, answered: bool = False,
    ) -> None:  # fmt: skip
        o = survey_offers
        where = and_(
            o.c.tenant_id == tenant_id, o.c.interaction_id == interaction_id,
            o.c.survey == survey, o.c.channel == channel,
        )  # fmt: skip
        found = (await self.conn.execute(select(o).where(where))).mappings().first()
        if found is None:
            await self.conn.execute(
                insert(o).values(
                    id=new_id(at),
                    tenant_id=tenant_id,
                    interaction_id=interaction_id,
                    agent_id=agent_id,
                    survey=survey,
                    channel=channel,
                    offered_at=at,
                    answered_at=at if answered else None,
                )
            )
        elif answered and found["answered_at"] is None:
            await self.conn.execute(update(o).where(where).values(answered_at=at))

    async def response_rates(
        self, tenant_id: str, since: float, until: float
    ) -> list[dict[str, Any]]:
        """Per survey and channel: offered, answered (offers in the window)."""
        o = survey_offers
        q = (
            select(
                o.c.survey,
                o.c.channel,
                func.count().label("offered"),
                func.count(o.c.answered_at).label("answered"),
            )
            .where(o.c.tenant_id == tenant_id, o.c.offered_at >= since, o.c.offered_at < until)
            .group_by(o.c.survey, o.c.channel)
            .order_by(o.c.survey, o.c.channel)
        )
        return [dict(r) for r in (await self.conn.execute(q)).mappings()]

    # -- links ----------------------------------------------------------------------------

    async def link_key(self, tenant_id: str, now: float) -> bytes:
        k = survey_keys
        found = await self.conn.scalar(select(k.c.secret).where(k.c.tenant_id == tenant_id))
        if found is None:
            found = secrets.token_hex(32)
            await self.conn.execute(
                insert(k).values(tenant_id=tenant_id, secret=found, created_at=now)
            )
        return bytes.fromhex(str(found))

    async def add_link(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(survey_links).values(**row))

    async def link(self, link_id: str) -> dict[str, Any] | None:
        found = (
            (await self.conn.execute(select(survey_links).where(survey_links.c.id == link_id)))
            .mappings()
            .first()
        )
        return None if found is None else dict(found)

    async def use_link(self, link_id: str, now: float) -> bool:
        """Mark the link answered; False when it was answered already (a second use)."""
        k = survey_links
        done = await self.conn.execute(
            update(k).where(k.c.id == link_id, k.c.answered_at.is_(None)).values(answered_at=now)
        )
        return done.rowcount == 1

    async def segments(self, tenant_id: str, interaction_id: str) -> list[dict[str, Any]]:
        """The contact's agent segments in the order they were answered."""
        s = agent_segments
        q = (
            select(s.c.agent_id, s.c.work_id, s.c.answered_at, s.c.queue_id)
            .where(s.c.tenant_id == tenant_id, s.c.interaction_id == interaction_id)
            .order_by(s.c.answered_at, s.c.work_seq)
        )
        return [dict(r) for r in (await self.conn.execute(q)).mappings()]

    async def recordings(self, tenant_id: str, interaction_id: str) -> list[dict[str, Any]]:
        """The contact's call recordings (what the reviewer listens to)."""
        r = recordings
        q = (
            select(r.c.id, r.c.duration_s, r.c.channels, r.c.started_at)
            .where(r.c.tenant_id == tenant_id, r.c.interaction_id == interaction_id)
            .where(r.c.kind == "call")
            .order_by(r.c.started_at)
        )
        return [dict(row) for row in (await self.conn.execute(q)).mappings()]

    # -- reviews --------------------------------------------------------------------------

    async def supervisor_of(self, tenant_id: str, agent_id: str | None) -> str | None:
        """The supervisor of the agent's first team (by name) that has one."""
        if agent_id is None:
            return None
        q = (
            select(teams.c.supervisor_id)
            .join(agent_teams, agent_teams.c.team_id == teams.c.id)
            .where(
                teams.c.tenant_id == tenant_id,
                agent_teams.c.agent_id == agent_id,
                teams.c.supervisor_id.is_not(None),
            )
            .order_by(teams.c.name)
            .limit(1)
        )
        found = await self.conn.scalar(q)
        return None if found is None else str(found)

    async def team_agents(self, tenant_id: str, supervisor_id: str) -> list[str]:
        q = (
            select(agent_teams.c.agent_id)
            .join(teams, agent_teams.c.team_id == teams.c.id)
            .where(teams.c.tenant_id == tenant_id, teams.c.supervisor_id == supervisor_id)
        )
        return [str(a) for a in await self.conn.scalars(q)]

    async def agent_of_user(self, tenant_id: str, user_id: str) -> str | None:
        q = select(agents.c.id).where(agents.c.tenant_id == tenant_id, agents.c.user_id == user_id)
        found = await self.conn.scalar(q)
        return None if found is None else str(found)

    async def review_of_segment(
        self, tenant_id: str, interaction_id: str, agent_id: str | None, work_id: str | None
    ) -> Review | None:
        r = quality_reviews
        q = select(r).where(
            r.c.tenant_id == tenant_id,
            r.c.interaction_id == interaction_id,
            r.c.agent_id.is_(None) if agent_id is None else r.c.agent_id == agent_id,
            r.c.work_id.is_(None) if work_id is None else r.c.work_id == work_id,
        )
        found = (await self.conn.execute(q.limit(1))).mappings().first()
        return None if found is None else _review(found)

    async def add_review(self, review: Review) -> None:
        await self.conn.execute(insert(quality_reviews).values(**self._values(review)))

    async def save_review(self, review: Review) -> None:
        r = quality_reviews
        await self.conn.execute(
            update(r)
            .where(r.c.tenant_id == review.tenant_id, r.c.id == review.id)
            .values(**self._values(review))
        )

    @staticmethod
    def _values(review: Review) -> dict[str, Any]:
        return {
            "id": review.id, "tenant_id": review.tenant_id,
            "interaction_id": review.interaction_id, "agent_id": review.agent_id,
            "work_id": review.work_id, "supervisor_id": review.supervisor_id,
            "survey": review.survey, "question": review.question, "rating": review.rating,
            "scale": review.scale, "state": review.state.value, "opened_at": review.opened_at,
            "due_at": review.due_at, "cause": review.cause.value if review.cause else None,
            "action": review.action.value if review.action else None, "note": review.note,
            "closed_at": review.closed_at, "closed_by": review.closed_by,
            "escalated_at": review.escalated_at,
        }  # fmt: skip

    async def review(self, tenant_id: str, review_id: str) -> Review | None:
        r = quality_reviews
        q = select(r).where(r.c.tenant_id == tenant_id, r.c.id == review_id)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else _review(found)

    async def reviews(
        self,
        tenant_id: str,
        *,
        states: Sequence[str] = (),
        supervisor_id: str | None = None,
        agents_of_team: Sequence[str] | None = None,
        limit: int = 200,
    ) -> list[Review]:
        """Newest first. A supervisor sees reviews given to her, and those of her teams'
        agents nobody was given."""
        r = quality_reviews
        q = select(r).where(r.c.tenant_id == tenant_id)
        if states:
            q = q.where(r.c.state.in_(list(states)))
        if supervisor_id is not None:
            mine = r.c.supervisor_id == supervisor_id
            if agents_of_team:
                mine = or_(
                    mine, and_(r.c.supervisor_id.is_(None), r.c.agent_id.in_(agents_of_team))
                )
            q = q.where(mine)
        q = q.order_by(r.c.opened_at.desc(), r.c.id.desc()).limit(limit)
        return [_review(row) for row in (await self.conn.execute(q)).mappings()]

    async def review_figures(self, tenant_id: str, since: float, until: float) -> dict[str, Any]:
        """Reviews opened in the window: how many, closed, closed late, escalated, and the
        closed ones per root cause and per action."""
        r = quality_reviews
        window = and_(r.c.tenant_id == tenant_id, r.c.opened_at >= since, r.c.opened_at < until)
        totals = (
            (
                await self.conn.execute(
                    select(
                        func.count().label("opened"),
                        func.count(r.c.closed_at).label("closed"),
                        func.count(r.c.escalated_at).label("escalated"),
                    ).where(window)
                )
            )
            .mappings()
            .one()
        )
        causes = await self.conn.execute(
            select(r.c.cause, func.count().label("n"))
            .where(window, r.c.cause.is_not(None))
            .group_by(r.c.cause)
            .order_by(r.c.cause)
        )
        actions = await self.conn.execute(
            select(r.c.action, func.count().label("n"))
            .where(window, r.c.action.is_not(None))
            .group_by(r.c.action)
            .order_by(r.c.action)
        )
        return {
            **dict(totals),
            "causes": {str(c): int(n) for c, n in causes},
            "actions": {str(a): int(n) for a, n in actions},
        }
