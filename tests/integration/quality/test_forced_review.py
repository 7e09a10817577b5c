"""Forced review (issue 20): a rating of 1 opens a review for the rated agent's supervisor at
once, with a deadline on the job host; closing it without a root cause or an action is refused
in the user's language; past its deadline (FakeClock) it escalates, once; the review figures
count it. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select, update

from hotline.flows.events import SurveyAnswered, SurveyOffered
from hotline.store.tables import events, users
from tests.integration.quality.conftest import Center

CONTACT, WORK = "01CONTACT0000000000000000C", "01WORK1000000000000000000A"


async def rate(center: Center, rating: int, **more: Any) -> None:
    agent = center.agent_ids["agent1"]
    async with center.services.uow() as uow:
        uow.emit(SurveyOffered(tenant_id=center.tenant_id, at=center.clock.now(),
                               interaction_id=CONTACT, agent_id=agent, node="survey",
                               work_id=WORK))  # fmt: skip
        uow.emit(
            SurveyAnswered(
                tenant_id=center.tenant_id,
                at=center.clock.now(),
                interaction_id=CONTACT,
                agent_id=agent,
                node="survey",
                rating=rating,
                scale=5,
                work_id=WORK,
                **more,
            )
        )
        await uow.commit()


async def reviews_of(client: Any, expected: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(60):  # a deadline for a busy machine, not a timing
        while True:
            found: list[dict[str, Any]] = (await client.get("/api/v1/quality/reviews")).json()
            if len(found) >= expected:
                return found
            await asyncio.sleep(0.05)


async def detail_with(client: Any, review_id: str, *, answers: int) -> dict[str, Any]:
    async with asyncio.timeout(60):  # a deadline for a busy machine, not a timing
        while True:
            detail: dict[str, Any] = (
                await client.get(f"/api/v1/quality/reviews/{review_id}")
            ).json()
            if len(detail["answers"]) >= answers:
                return detail
            await asyncio.sleep(0.05)


async def test_a_rating_of_1_opens_a_review_that_escalates_and_closes_with_a_cause(
    center: Center,
) -> None:
    api = center.api
    async with center.services.uow() as uow:  # the admin reads English
        admin_row = (users.c.username == "admin", users.c.tenant_id == center.tenant_id)
        await uow.conn.execute(update(users).where(*admin_row).values(language="en"))
        await uow.commit()
    supervisor, admin, agent2 = (
        await api.login("supervisor"), await api.login("admin"), await api.login("agent2"),
    )  # fmt: skip
    opened_at = center.clock.now()
    await rate(center, 4)  # satisfied: no review
    await rate(center, 1)  # same segment: one review
    await rate(center, 2)  # a second low answer on that segment: still one review

    [review] = await reviews_of(supervisor, 1)
    # The follower writes answers in batches: wait for the third before judging "still one".
    detail = await detail_with(supervisor, review["id"], answers=3)
    assert [a["rating"] for a in detail["answers"]] == [4, 1, 2]
    assert [r["id"] for r in await reviews_of(supervisor, 1)] == [review["id"]]
    assert review["agent_id"] == center.agent_ids["agent1"]
    assert review["supervisor_id"] == center.supervisor_id
    assert (review["rating"], review["scale"], review["state"]) == (1, 5, "open")
    assert review["interaction_id"] == CONTACT
    assert review["work_id"] == WORK
    assert (await agent2.get("/api/v1/quality/reviews")).json() == []  # not hers
    agent1 = await api.login("agent1")
    assert [r["id"] for r in (await agent1.get("/api/v1/quality/reviews")).json()] == [
        review["id"]
    ]  # her own
    assert detail["contact_page"] == f"/interactions/{CONTACT}"
    assert detail["recordings"] == []  # no call was recorded in this test

    # The reports screen's section: today's reviews and response rates.
    today = (await supervisor.get("/api/v1/reports/quality")).json()
    assert today["reviews"]["opened"] == 1
    assert today["responses"] == [{"survey": "ivr", "channel": "ivr", "offered": 1, "answered": 1}]
    assert (await agent2.get("/api/v1/reports/quality")).status_code == 403

    # Closing without a root cause or an action: refused, translated, nothing written.
    path = f"/api/v1/quality/reviews/{review['id']}/close"
    refused = await supervisor.post(path, json={"action": "coaching"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "quality.review.cause_required"
    assert refused.json()["message"] == "请先选择根本原因，再关闭复核。"
    refused = await admin.post(path, json={"cause": "process"})
    assert refused.json()["message"] == "Choose the action taken before closing the review."
    refused = await admin.post(path, json={"cause": "weather", "action": "none"})
    assert refused.json()["message"] == "This root cause is not one of the list."
    assert (await agent1.post(path, json={"cause": "other", "action": "none"})).status_code == 403

    # Before the deadline nothing escalates; after it, the job host escalates it once.
    assert await center.services.jobs.run_due() == 0
    center.clock.advance(24 * 3600 - 1)
    assert await center.services.jobs.run_due() == 0
    center.clock.advance(2)
    assert await center.services.jobs.run_due() == 1
    supervisor = await api.login("supervisor")  # a day later: a new session
    [escalated] = (await supervisor.get("/api/v1/quality/reviews")).json()
    assert escalated["state"] == "escalated"
    assert escalated["escalated_at"] is not None
    assert await center.services.jobs.run_due() == 0

    closed = await supervisor.post(
        path, json={"cause": "agent_skill", "action": "coaching", "note": "语气生硬，安排辅导"}
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["state"], closed.json()["cause"]) == ("closed", "agent_skill")
    again = await supervisor.post(path, json={"cause": "other", "action": "none"})
    assert again.status_code == 409
    assert again.json()["message"] == "这条复核已关闭。"

    async with center.services.uow(write=False) as uow:
        logged = [
            (r.type, r.payload.get("late"))
            for r in await uow.conn.execute(
                select(events.c.type, events.c.payload)
                .where(events.c.type.like("quality.%"))
                .order_by(events.c.seq)
            )
        ]
    assert logged == [
        ("quality.review_opened", None),
        ("quality.review_escalated", None),
        ("quality.review_closed", True),
    ]
    figures = (
        await supervisor.get(
            "/api/v1/quality/figures",
            params={"since": opened_at - 1, "until": center.clock.now() + 1},
        )
    ).json()
    assert figures["reviews"] == {
        "opened": 1, "closed": 1, "escalated": 1,
        "causes": {"agent_skill": 1}, "actions": {"coaching": 1},
    }  # fmt: skip
    assert figures["responses"] == [
        {"survey": "ivr", "channel": "ivr", "offered": 1, "answered": 1}
    ]


async def test_the_follower_writes_each_answer_once_across_a_restart(center: Center) -> None:
    await rate(center, 1)
    await reviews_of(await center.api.login("supervisor"), 1)
    from hotline.quality.follower import SurveyFollower

    again = SurveyFollower(
        center.services.uow, center.services.bus, center.clock, center.services.settings.quality
    )
    assert await again.catch_up(center.tenant_id) == 0
    async with center.services.uow(write=False) as uow:
        from hotline.store.quality_repo import SqlQuality

        assert len(await SqlQuality(uow.conn).answers(center.tenant_id, CONTACT)) == 1
