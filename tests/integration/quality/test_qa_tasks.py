"""The sampling job's status and "run now", and reassigning and cancelling QA tasks, over the
API (SQLite and PostgreSQL, ADR 0193): an out-of-range value is refused naming its field in
the user's language and nothing is saved; the job shows its next run, and run now samples the
last whole week on the job host and says how many tasks it made; an open task goes to another
QA user or is cancelled with a reason, both audited; agents may do neither; a cancelled
contact is not sampled again; a started evaluation keeps its task."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import insert, select, update

from hotline.jobs import Jobs
from hotline.quality.sampling import previous_week, week_bounds
from hotline.quality.sampling_job import SAMPLING_KIND
from hotline.store.tables import agent_segments, events, users
from tests.integration.api.conftest import PASSWORD
from tests.integration.quality.conftest import Center
from tests.integration.quality.test_evaluations import CARD

ZONE = "Asia/Shanghai"  # the demo center's
RULES = {"rules": [{"key": "everything", "kind": "random", "percent": 100}]}


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


async def _qa(admin: httpx.AsyncClient, username: str, language: str = "zh-CN") -> str:
    r = await admin.post(
        "/api/v1/users",
        json={"username": username, "display_name": username, "password": PASSWORD,
              "roles": ["qa"], "language": language},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _english(center: Center, username: str) -> None:
    async with center.services.uow() as uow:
        await uow.conn.execute(
            update(users).where(users.c.username == username).values(language="en")
        )
        await uow.commit()


async def _seed_week(center: Center, start: float, count: int) -> None:
    """`count` contacts of agent1, answered in the week that starts at `start`."""
    rows: list[dict[str, Any]] = []
    for n in range(count):
        at = start + 3600 + n * 900
        rows.append({
            "tenant_id": center.tenant_id, "work_seq": n + 1,
            "agent_id": center.agent_ids["agent1"], "work_id": f"w-c{n}",
            "interaction_id": f"c{n}", "queue_id": "sales", "answered_at": at,
            "ended_at": at + 120.0, "talk_s": 120.0, "hold_s": 0.0,
        })  # fmt: skip
    async with center.services.uow() as uow:
        await uow.conn.execute(insert(agent_segments), rows)
        await uow.commit()


async def test_bad_values_name_their_field_and_nothing_is_saved(center: Center) -> None:
    admin = await center.api.login("admin")  # reads Chinese
    r = await admin.put("/api/v1/quality/sampling-rules", json=RULES)
    assert r.status_code == 200, r.text
    bad = {"rules": [
        {"key": "low", "kind": "low_rating"},
        {"key": "rnd", "kind": "random", "percent": 150},
    ]}  # fmt: skip
    r = await admin.put("/api/v1/quality/sampling-rules", json=bad)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "quality.sampling.percent_range"
    assert r.json()["details"]["field"] == "rules.1.percent"
    assert r.json()["message"] == "百分比必须大于 0 且不超过 100。"

    await _qa(admin, "qa_en")
    await _english(center, "qa_en")
    qa = await center.api.login("qa_en")
    r = await qa.put(
        "/api/v1/quality/sampling-rules",
        json={"rules": [{"key": "long", "kind": "longer_than", "seconds": -30}]},
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["details"]["field"]) == (
        "quality.sampling.seconds_range",
        "rules.0.seconds",
    )
    assert r.json()["message"] == (
        "The number of seconds must be more than 0 and at most 86400 (one day)."
    )
    r = await qa.put(
        "/api/v1/quality/sampling-rules",
        json={"rules": [{"key": "d", "kind": "disposition", "dispositions": ["ok", ""]}]},
    )
    assert (r.json()["code"], r.json()["details"]["field"]) == (
        "quality.sampling.dispositions_invalid",
        "rules.0.dispositions",
    )
    r = await qa.put(
        "/api/v1/quality/sampling-rules",
        json={"rules": [{"key": "New Agents", "kind": "new_agent", "weeks": 2}]},
    )
    assert (r.json()["code"], r.json()["details"]["field"]) == (
        "quality.sampling.key_invalid",
        "rules.0.key",
    )
    # the rules saved first are still the center's
    assert (await qa.get("/api/v1/quality/sampling-rules")).json() == {
        "rules": [{"key": "everything", "kind": "random", "enabled": True, "percent": 100.0,
                   "at_most": None, "seconds": None, "dispositions": [], "weeks": None}]
    }  # fmt: skip
    await qa.aclose()
    await admin.aclose()


async def test_the_job_says_when_it_runs_and_run_now_samples_the_last_week(
    center: Center,
) -> None:
    admin = await center.api.login("admin")
    await _qa(admin, "qa1")
    qa = await center.api.login("qa1")
    r = await qa.get("/api/v1/quality/sampling-job")
    assert r.json() == {"scheduled": False}
    r = await qa.post("/api/v1/quality/sampling-job/run")
    assert r.status_code == 409
    assert r.json()["code"] == "quality.sampling.not_scheduled"
    assert r.json()["message"] == "请先保存抽检规则，之后任务才能运行。"

    assert (await qa.put("/api/v1/quality/sampling-rules", json=RULES)).status_code == 200
    status = (await qa.get("/api/v1/quality/sampling-job")).json()
    async with center.services.uow(write=False) as uow:
        job = await Jobs(uow.conn).find(center.tenant_id, SAMPLING_KIND)
    assert job is not None
    assert job.due_at is not None
    assert status["scheduled"] is True
    assert status["runs"] == 0
    assert status["last_run_at"] is None
    assert status["tasks_made"] is None
    assert _epoch(status["next_run_at"]) == job.due_at
    assert status["timezone"] == ZONE

    now = center.clock.now()
    start, _ = week_bounds(previous_week(now, ZONE), ZONE)
    await _seed_week(center, start, 3)
    r = await qa.post("/api/v1/quality/sampling-job/run")
    assert r.status_code == 200, r.text
    assert _epoch(r.json()["next_run_at"]) == now  # due now, on the job host
    assert await center.services.jobs.run_due() == 1
    status = (await qa.get("/api/v1/quality/sampling-job")).json()
    assert (status["runs"], status["tasks_made"], status["last_error"]) == (1, 3, None)
    assert _epoch(status["last_run_at"]) == now
    assert _epoch(status["next_run_at"]) == job.due_at  # back on its weekly time
    tasks = (await qa.get("/api/v1/quality/qa-tasks")).json()
    assert sorted(t["interaction_id"] for t in tasks) == ["c0", "c1", "c2"]

    agent = await center.api.login("agent1")
    assert (await agent.get("/api/v1/quality/sampling-job")).status_code == 403
    assert (await agent.post("/api/v1/quality/sampling-job/run")).status_code == 403
    await agent.aclose()
    await qa.aclose()
    await admin.aclose()


async def test_reassign_and_cancel_are_audited_and_a_cancelled_contact_stays_sampled(
    center: Center,
) -> None:
    admin = await center.api.login("admin")
    qa1, qa2 = await _qa(admin, "qa1"), await _qa(admin, "qa2")
    qa = await center.api.login("qa1")
    assert (await qa.put("/api/v1/quality/sampling-rules", json=RULES)).status_code == 200
    week = previous_week(center.clock.now(), ZONE)
    start, _ = week_bounds(week, ZONE)
    await _seed_week(center, start, 4)
    r = await qa.post("/api/v1/quality/sampling-runs", json={})
    assert r.json()["created"] == 4, r.text
    tasks = {t["interaction_id"]: t for t in (await qa.get("/api/v1/quality/qa-tasks")).json()}
    first, second, third = tasks["c0"], tasks["c1"], tasks["c2"]

    # reassign: to another QA user; never to someone who is not one
    target = qa2 if first["assignee_id"] == qa1 else qa1
    r = await qa.post(f"/api/v1/quality/qa-tasks/{first['id']}/reassign",
                      json={"assignee_id": target})  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["assignee_id"], r.json()["state"]) == (target, "open")
    assert r.json()["assignee_name"] == ("qa2" if target == qa2 else "qa1")
    supervisor = center.supervisor_id
    r = await qa.post(f"/api/v1/quality/qa-tasks/{first['id']}/reassign",
                      json={"assignee_id": supervisor})  # fmt: skip
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["details"]["field"]) == (
        "quality.task.assignee_unknown",
        "assignee_id",
    )
    assert r.json()["message"] == "请选择本中心的一位质检员。"

    # cancel: a reason is required, then the task is cancelled for good
    r = await admin.post(f"/api/v1/quality/qa-tasks/{second['id']}/cancel", json={"reason": " "})
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["details"]["field"]) == (
        "quality.task.reason_required",
        "reason",
    )
    assert r.json()["message"] == "请说明取消任务的原因。"
    r = await admin.post(f"/api/v1/quality/qa-tasks/{second['id']}/cancel",
                         json={"reason": "测试电话，无需质检"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "cancelled"
    for path, body in (("cancel", {"reason": "again"}), ("reassign", {"assignee_id": qa1})):
        r = await admin.post(f"/api/v1/quality/qa-tasks/{second['id']}/{path}", json=body)
        assert r.status_code == 409
        assert r.json()["code"] == "quality.task.not_open"
    r = await admin.post("/api/v1/quality/qa-tasks/nope/cancel", json={"reason": "x"})
    assert r.status_code == 404

    # agents may do neither
    agent = await center.api.login("agent1")
    r = await agent.post(f"/api/v1/quality/qa-tasks/{third['id']}/cancel", json={"reason": "x"})
    assert r.status_code == 403
    r = await agent.post(f"/api/v1/quality/qa-tasks/{third['id']}/reassign",
                         json={"assignee_id": qa1})  # fmt: skip
    assert r.status_code == 403
    await agent.aclose()

    # a started evaluation keeps its task (its evaluator has a draft of her own)
    made = (await admin.post("/api/v1/quality/scorecards", json=CARD)).json()
    await admin.post(f"/api/v1/quality/scorecards/{made['id']}/publish")
    owner = await center.api.login("qa1" if third["assignee_id"] == qa1 else "qa2")
    r = await owner.post("/api/v1/quality/evaluations",
                         json={"task_id": third["id"], "scorecard": "calls"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = await admin.post(f"/api/v1/quality/qa-tasks/{third['id']}/cancel", json={"reason": "x"})
    assert r.status_code == 409
    assert r.json()["code"] == "quality.task.started"
    await owner.aclose()
    # and a cancelled task is not evaluated
    owner = await center.api.login("qa1" if second["assignee_id"] == qa1 else "qa2")
    r = await owner.post("/api/v1/quality/evaluations",
                         json={"task_id": second["id"], "scorecard": "calls"})  # fmt: skip
    assert r.status_code == 409
    assert r.json()["code"] == "quality.task.not_open"
    await owner.aclose()

    # audited, and on the contact's log
    audit = (await admin.get("/api/v1/audit", params={"entity": "qa_task"})).json()["items"]
    done = {(a["action"], a["entity_id"]) for a in audit}
    assert done == {("reassign", first["id"]), ("cancel", second["id"])}
    cancel = next(a for a in audit if a["action"] == "cancel")
    assert cancel["after"] == {"state": "cancelled", "assignee_id": second["assignee_id"],
                               "reason": "测试电话，无需质检"}  # fmt: skip
    async with center.services.uow(write=False) as uow:
        logged = (
            await uow.conn.execute(
                select(events.c.type, events.c.interaction_id).where(
                    events.c.type.in_(["quality.qa_task_reassigned", "quality.qa_task_cancelled"])
                )
            )
        ).all()
    assert sorted(logged) == [("quality.qa_task_cancelled", "c1"),
                              ("quality.qa_task_reassigned", "c0")]  # fmt: skip

    # sampling the week again: the cancelled contact is not picked again
    r = await qa.post("/api/v1/quality/sampling-runs", json={"week": week})
    assert r.json()["created"] == 0
    again = (await qa.get("/api/v1/quality/qa-tasks", params={"week": week})).json()
    assert len(again) == 4
    assert next(t for t in again if t["interaction_id"] == "c1")["state"] == "cancelled"
    await qa.aclose()
    await admin.aclose()
