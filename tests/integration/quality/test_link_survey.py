"""Link surveys (issue 20): an e-mailed link for one agent segment of a transferred contact,
answered once on the small page; a second use, an expired link and a forged one are refused in
the page's language; the answers attach to the segment the link rates (CSAT on it, a review for
its agent's supervisor when low) and count as responses. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import insert, select

from hotline.jobs import MAIL_KIND
from hotline.store.quality_repo import SqlQuality
from hotline.store.tables import agent_segments, jobs
from tests.integration.quality.conftest import Center

CONTACT = "01CONTACT0000000000000000C"
W1, W2 = "01WORK1000000000000000000A", "01WORK2000000000000000000B"


async def transferred_contact(center: Center) -> tuple[str, str]:
    """agent1 answered, then transferred the caller to agent2 (two segments of one contact)."""
    a1, a2 = center.agent_ids["agent1"], center.agent_ids["agent2"]
    now = center.clock.now() - 600
    async with center.services.uow() as uow:
        for seq, agent, work, answered in ((1, a1, W1, now), (2, a2, W2, now + 120)):
            await uow.conn.execute(
                insert(agent_segments).values(
                    tenant_id=center.tenant_id, work_seq=seq, agent_id=agent, work_id=work,
                    interaction_id=CONTACT, queue_id="support", answered_at=answered,
                    ended_at=answered + 100, hold_s=0.0,
                    ended_by="transfer" if seq == 1 else "hangup",
                )
            )  # fmt: skip
        await uow.commit()
    return a1, a2


async def mailed_links(center: Center) -> list[str]:
    async with center.services.uow(write=False) as uow:
        bodies = [
            p["body"]
            for (p,) in await uow.conn.execute(
                select(jobs.c.payload).where(jobs.c.kind == MAIL_KIND).order_by(jobs.c.created_at)
            )
        ]
    return [m.group(0) for b in bodies if (m := re.search(r"http://hotline\.test/s/\S+", b))]


async def reviews(center: Center, expected: int) -> list[Any]:
    async with asyncio.timeout(60):  # a deadline for a busy machine, not a timing
        while True:
            async with center.services.uow(write=False) as uow:
                found = await SqlQuality(uow.conn).reviews(center.tenant_id)
            if len(found) >= expected:
                return found
            await asyncio.sleep(0.05)


async def test_a_link_is_answered_once_for_the_segment_it_rates(center: Center) -> None:
    a1, a2 = await transferred_contact(center)
    agent = await center.api.login("agent1")
    body = {"interaction_id": CONTACT, "address": "wang.fang@example.com", "work_id": W1}
    sent = await agent.post("/api/v1/quality/survey-links", json=body)
    assert sent.status_code == 201, sent.text
    assert (sent.json()["agent_id"], sent.json()["work_id"]) == (a1, W1)
    last = {"interaction_id": CONTACT, "address": "li@example.com", "language": "en"}
    sent_last = (await agent.post("/api/v1/quality/survey-links", json=last)).json()
    assert (sent_last["agent_id"], sent_last["work_id"]) == (a2, W2)  # the last agent's
    bad = await agent.post("/api/v1/quality/survey-links", json={**body, "address": "王芳家里"})
    assert bad.status_code == 422
    assert bad.json()["message"] == "这不是电子邮件地址。"
    short = await agent.post("/api/v1/quality/survey-links", json={**body, "address": "王芳"})
    assert short.json()["message"].startswith("客户电子邮件")  # the field as the screen names it
    unknown = {**body, "interaction_id": "01NOSUCHCONTACT00000000000"}
    assert (await agent.post("/api/v1/quality/survey-links", json=unknown)).status_code == 422

    link_w1, link_w2 = await mailed_links(center)
    path = link_w1.removeprefix("http://hotline.test")
    page = center.api.app_client
    shown = await page.get(path)
    assert shown.status_code == 200
    assert "服务满意度调查" in shown.text
    assert "您的问题解决了吗？" in shown.text
    # One answer refused: the form again, the sentence under that question, nothing written.
    wrong = await page.post(path, data={"q_rating": "9", "q_solved": "1"})
    assert wrong.status_code == 422
    assert "这个问题不接受该答案。" in wrong.text
    missing = await page.post(path, data={"q_solved": "1"})
    assert missing.status_code == 422
    assert "请回答这个问题。" in missing.text
    answered = await page.post(
        path, data={"q_rating": "1", "q_solved": "1", "q_nps": "3", "q_comment": "等了太久"}
    )
    assert answered.status_code == 200
    assert "感谢您的评价！" in answered.text
    again = await page.post(path, data={"q_rating": "5", "q_solved": "2"})
    assert again.status_code == 410
    assert "该调查已提交过，谢谢！" in again.text
    assert (await page.get(path)).status_code == 410

    # The answers are agent1's segment's: her supervisor reviews the 1.
    [review] = await reviews(center, 1)
    assert (review.agent_id, review.work_id, review.supervisor_id) == (a1, W1, center.supervisor_id)
    assert (review.survey, review.question, review.rating) == ("default", "rating", 1)
    async with asyncio.timeout(60):
        while True:
            async with center.services.uow(write=False) as uow:
                answers = await SqlQuality(uow.conn).answers(center.tenant_id, CONTACT)
                segment = (
                    await uow.conn.execute(
                        select(agent_segments.c.csat).where(agent_segments.c.work_id == W1)
                    )
                ).scalar()
            if len(answers) == 4 and segment is not None:
                break
            await asyncio.sleep(0.05)
    assert [(a["question"], a["rating"], a["text"], a["work_id"]) for a in answers] == [
        ("rating", 1, None, W1), ("solved", 1, None, W1), ("nps", 3, None, W1),
        ("comment", None, "等了太久", W1),
    ]  # fmt: skip
    assert segment == 1  # the CSAT answer is on agent1's segment, not on agent2's

    # The second link, in English, expires after 72 h; a forged one is not ours.
    path2 = link_w2.removeprefix("http://hotline.test")
    assert "How did we do?" in (await page.get(path2)).text
    center.clock.advance(72 * 3600 + 1)
    expired = await page.get(path2, headers={"accept-language": "en"})
    assert expired.status_code == 410
    assert "This survey link has expired." in expired.text
    late = await page.post(path2, data={"q_rating": "5", "q_solved": "2"})
    assert late.status_code == 410
    link_id, expiry, mac = path2.removeprefix("/s/").split(".")
    for forged in (f"{link_id}.{int(expiry) + 10**6}.{mac}", "01NOSUCHLINK.1.AAAA", "x"):
        refused = await page.get(f"/s/{forged}", headers={"accept-language": "en"})
        assert refused.status_code == 404
        assert "This survey link is not valid." in refused.text

    async with center.services.uow(write=False) as uow:
        rates = await SqlQuality(uow.conn).response_rates(center.tenant_id, 0, 4e9)
    assert rates == [{"survey": "default", "channel": "email", "offered": 1, "answered": 1}]
