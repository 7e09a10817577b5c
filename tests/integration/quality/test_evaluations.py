"""QA evaluations over the API (SQLite and PostgreSQL, ADR 0217–0219): an admin writes and
publishes a scorecard (a published version is immutable), a QA user evaluates her task with a
critical item failed (score 0) and a comment at a time, submit refuses a missing answer naming
the question in the evaluator's language, the agent sees only her own and disputes, a second
evaluator (not the first) resolves, and a calibration shows the spread once all submitted."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import insert, update

from hotline.store.quality_tables import qa_tasks
from hotline.store.tables import users
from tests.integration.api.conftest import PASSWORD
from tests.integration.quality.conftest import Center

CARD: dict[str, Any] = {
    "name": "calls", "title_zh": "通话质检", "title_en": "Call quality",
    "sections": [
        {"key": "open", "title_zh": "开场", "title_en": "Opening", "items": [
            {"key": "greeting", "text_zh": "规范问候", "text_en": "Proper greeting"},
            {"key": "verified", "text_zh": "核实身份", "text_en": "Identity verified",
             "critical": True},
        ]},
        {"key": "talk", "title_zh": "沟通", "title_en": "Talk", "items": [
            {"key": "empathy", "text_zh": "同理心", "text_en": "Empathy", "kind": "scale",
             "scale": 5, "weight": 2, "allow_na": True},
        ]},
    ],
}  # fmt: skip


async def _qa(admin: httpx.AsyncClient, username: str) -> str:
    r = await admin.post(
        "/api/v1/users",
        json={"username": username, "display_name": username, "password": PASSWORD,
              "roles": ["qa"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _task(center: Center, task_id: str, agent: str, assignee: str | None) -> None:
    async with center.services.uow() as uow:
        await uow.conn.execute(
            insert(qa_tasks).values(
                id=task_id, tenant_id=center.tenant_id, interaction_id=f"contact-{task_id}",
                work_id=f"w-{task_id}", agent_id=center.agent_ids[agent], rule="random",
                week="2026-W49", assignee_id=assignee, state="open", created_at=1.0,
            )
        )  # fmt: skip
        await uow.commit()


async def _english(center: Center, username: str) -> None:
    async with center.services.uow() as uow:
        await uow.conn.execute(
            update(users).where(users.c.username == username).values(language="en")
        )
        await uow.commit()


async def test_scorecards_are_versioned_and_a_published_one_is_immutable(center: Center) -> None:
    admin = await center.api.login("admin")
    r = await admin.post("/api/v1/quality/scorecards", json=CARD)
    assert r.status_code == 201, r.text
    assert (r.json()["version"], r.json()["state"]) == (1, "draft")
    first = r.json()["id"]
    changed = {**CARD, "title_en": "Calls"}
    r = await admin.put(f"/api/v1/quality/scorecards/{first}", json=changed)
    assert r.status_code == 200, r.text
    bad = {**CARD, "sections": [CARD["sections"][0], CARD["sections"][0]]}
    r = await admin.put(f"/api/v1/quality/scorecards/{first}", json=bad)  # reads Chinese
    assert r.status_code == 422
    assert r.json()["message"] == "有两个分区或两道题的标识相同。"
    r = await admin.post(f"/api/v1/quality/scorecards/{first}/publish")
    assert r.json()["state"] == "published"
    r = await admin.put(f"/api/v1/quality/scorecards/{first}", json=CARD)
    assert r.status_code == 409
    assert r.json()["code"] == "quality.scorecard.published"
    r = await admin.post("/api/v1/quality/scorecards", json=CARD)
    assert r.json()["version"] == 2
    await admin.post(f"/api/v1/quality/scorecards/{r.json()['id']}/publish")
    listed = (await admin.get("/api/v1/quality/scorecards")).json()
    assert [(s["version"], s["state"]) for s in listed] == [(1, "retired"), (2, "published")]
    assert listed[0]["form"]["title_en"] == "Calls"  # version 1 kept as published
    bad = {**CARD, "sections": [CARD["sections"][0], CARD["sections"][0]]}
    r = await admin.post("/api/v1/quality/scorecards", json=bad)
    assert r.status_code == 422
    agent = await center.api.login("agent1")
    r = await agent.post("/api/v1/quality/scorecards", json=CARD)
    assert r.status_code == 403
    await agent.aclose()
    await admin.aclose()


async def test_evaluate_dispute_resolve_and_calibrate(center: Center) -> None:
    admin = await center.api.login("admin")
    qa1, qa2 = await _qa(admin, "qa1"), await _qa(admin, "qa2")
    made = (await admin.post("/api/v1/quality/scorecards", json=CARD)).json()
    await admin.post(f"/api/v1/quality/scorecards/{made['id']}/publish")
    await _task(center, "t1", "agent1", qa1)
    await _english(center, "qa2")
    one = await center.api.login("qa1")
    two = await center.api.login("qa2")

    r = await two.post("/api/v1/quality/evaluations", json={"task_id": "t1", "scorecard": "calls"})
    assert r.status_code == 409  # qa1's task
    r = await one.post("/api/v1/quality/evaluations", json={"task_id": "t1", "scorecard": "calls"})
    assert r.status_code == 201, r.text
    evaluation = r.json()["id"]
    # a missing answer is refused, naming the question in the evaluator's language
    r = await one.post(f"/api/v1/quality/evaluations/{evaluation}/submit",
                       json={"answers": {"greeting": "yes", "empathy": 4}})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["code"] == "quality.evaluation.answer_missing"
    assert "核实身份" in r.json()["message"]
    r = await one.post(f"/api/v1/quality/evaluations/{evaluation}/comments",
                       json={"at_s": 12.5, "body": "没有核实身份"})  # fmt: skip
    assert r.status_code == 201, r.text
    failed = {"greeting": "yes", "verified": "no", "empathy": 4}
    r = await one.post(f"/api/v1/quality/evaluations/{evaluation}/submit", json={"answers": failed})
    assert r.status_code == 200, r.text
    assert (r.json()["score"], r.json()["critical_failed"]) == (0.0, ["verified"])

    # the agent sees her own, another agent does not
    agent1 = await center.api.login("agent1")
    agent2 = await center.api.login("agent2")
    mine = (await agent1.get("/api/v1/quality/evaluations")).json()
    assert [e["id"] for e in mine] == [evaluation]
    assert (await agent2.get("/api/v1/quality/evaluations")).json() == []
    assert (await agent2.get(f"/api/v1/quality/evaluations/{evaluation}")).status_code == 404
    seen = (await agent1.get(f"/api/v1/quality/evaluations/{evaluation}")).json()
    assert [(c["at_s"], c["text"]) for c in seen["comments"]] == [(12.5, "没有核实身份")]
    # the supervisor of 一组 sees her team's
    boss = await center.api.login("supervisor")
    assert [e["id"] for e in (await boss.get("/api/v1/quality/evaluations")).json()] == [evaluation]

    r = await agent2.post(f"/api/v1/quality/evaluations/{evaluation}/dispute",
                          json={"reason": "not mine"})  # fmt: skip
    assert r.status_code == 404
    r = await agent1.post(f"/api/v1/quality/evaluations/{evaluation}/dispute", json={})
    assert r.status_code == 422
    assert r.json()["code"] == "quality.evaluation.reason_required"
    r = await agent1.post(f"/api/v1/quality/evaluations/{evaluation}/dispute",
                          json={"reason": "我在 0:40 核实了身份"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["second_evaluator_id"]) == ("disputed", qa2)
    r = await one.post(f"/api/v1/quality/evaluations/{evaluation}/resolve", json={})
    assert r.status_code == 409
    assert r.json()["code"] == "quality.evaluation.second_evaluator"
    # the second evaluator reads English: a missing answer named in English
    r = await two.post(f"/api/v1/quality/evaluations/{evaluation}/resolve",
                       json={"answers": {"greeting": "yes"}})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["message"] == "Answer “Identity verified” before submitting."
    r = await two.post(
        f"/api/v1/quality/evaluations/{evaluation}/resolve",
        json={"answers": {"greeting": "yes", "verified": "yes", "empathy": "na"},
              "note": "verified at 0:40"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["resolution"], body["score"], body["original_score"]) == (
        "resolved",
        "changed",
        100.0,
        0.0,
    )

    # calibration: both evaluate the same contact; the spread once both submitted
    await _task(center, "t2", "agent2", qa1)
    asked: dict[str, Any] = {"task_id": "t2", "scorecard": "calls", "evaluators": [qa1]}
    r = await admin.post("/api/v1/quality/calibrations", json=asked)
    assert r.status_code == 422
    asked["evaluators"] = [qa1, qa2]
    r = await admin.post("/api/v1/quality/calibrations", json=asked)
    assert r.status_code == 201, r.text
    session = r.json()
    assert session["complete"] is False
    assert session["spread"] is None
    mine_of = {e["evaluator_id"]: e["id"] for e in session["evaluations"]}
    given = {qa1: {"greeting": "yes", "verified": "yes", "empathy": 5},
             qa2: {"greeting": "no", "verified": "yes", "empathy": 3}}  # fmt: skip
    for client, user in ((one, qa1), (two, qa2)):
        r = await client.post(f"/api/v1/quality/evaluations/{mine_of[user]}/submit",
                              json={"answers": given[user]})  # fmt: skip
        assert r.status_code == 200, r.text
        if user == qa1:
            pending = (await admin.get(f"/api/v1/quality/calibrations/{session['id']}")).json()
            assert pending["spread"] is None
            assert "answers" not in pending["evaluations"][0]
    done = (await admin.get(f"/api/v1/quality/calibrations/{session['id']}")).json()
    spread = {s["key"]: s for s in done["spread"]}
    assert (spread["greeting"]["min"], spread["greeting"]["max"]) == (0.0, 100.0)
    assert spread["greeting"]["stddev"] == 50.0
    assert (spread["empathy"]["min"], spread["empathy"]["max"]) == (50.0, 100.0)
    assert spread["verified"]["stddev"] == 0.0
    # the reports' QA averages: the resolved score; the calibration left out
    r = await admin.get("/api/v1/reports/quality")
    assert r.status_code == 200, r.text
    qa = r.json()["qa"]
    assert (qa["evaluations"], qa["average"]) == (1, 100.0)
    assert [(a["key"], a["average"]) for a in qa["by_agent"]] == [
        (center.agent_ids["agent1"], 100.0)
    ]
    assert [a["key"] for a in qa["by_team"]] == ["一组"]
    assert [(a["key"], a["average"]) for a in qa["by_question"]] == [
        ("greeting", 100.0),
        ("verified", 100.0),
    ]
    assert [(a["name"], a["critical_failed"]) for a in qa["by_evaluator"]] == [("qa1", 0)]
    assert (await agent1.get("/api/v1/reports/quality")).status_code == 403
    # a calibration's evaluations are not the agent's
    assert [e["id"] for e in (await agent2.get("/api/v1/quality/evaluations")).json()] == []
    for client in (one, two, agent1, agent2, boss, admin):
        await client.aclose()
