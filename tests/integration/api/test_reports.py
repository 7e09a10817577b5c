"""Reports over HTTP (issue 16): the golden day (played by the real router and interaction
core, written by the log's writer, rolled up by the server's rollup) read back as the daily and
weekly report by queue, with targets met or missed, the hourly profile, the top reasons, the
agent ranking, the contacts behind a figure and the CSV/XLSX exports; who sees what."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import delete, insert, select

from hotline.store.engine import WRITE
from hotline.store.eventlog import write_events
from hotline.store.tables import agent_teams, agents, teams, users
from tests.integration.api.conftest import Api
from tests.unit.reports.golden_day import golden_day
from tests.unit.reports.test_golden_day import _EVENTS

DAY = {"period": "day", "date": "2026-11-25"}


async def _agent_ids(api: Api) -> dict[str, str]:
    async with api.services.engine.connect() as conn:
        rows = await conn.execute(
            select(users.c.username, agents.c.id).join(agents, agents.c.user_id == users.c.id)
        )
        return {str(u): str(a) for u, a in rows}


async def _play_the_golden_day(api: Api, tmp: Path, tenant_id: str) -> dict[str, str]:
    """The golden day in the demo tenant, a1 and a2 as agent1 and agent2."""
    if not _EVENTS:
        _EVENTS.extend(await golden_day(tmp))
    ids = await _agent_ids(api)
    who = {"a1": ids["agent1"], "a2": ids["agent2"]}
    moved = [
        dataclasses.replace(e, tenant_id=tenant_id, agent_id=who.get(e.agent_id or "", e.agent_id))
        for e in _EVENTS
    ]
    async with api.services.engine.connect() as conn:
        conn = await conn.execution_options(**WRITE)
        async with conn.begin():
            await write_events(conn, moved)
    await api.services.projector.catch_up(tenant_id)
    await api.services.report_rollup.catch_up(tenant_id)
    return who


def _row(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in report["rows"] if r["key"] == key)


async def test_the_golden_day_as_reports(api: Api, tmp_path: Path) -> None:
    admin = await api.login("admin")
    tenant_id = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    who = await _play_the_golden_day(api, tmp_path, tenant_id)

    report = (await admin.get("/api/v1/reports/summary", params={**DAY, "by": "queue"})).json()
    support = _row(report, "support")
    assert (support["figures"]["offered"], support["figures"]["answered"]) == (40, 31)
    assert support["figures"]["service_level"] == round(25 / 35, 4)
    assert {k: v["met"] for k, v in support["targets"].items()} == {
        "answer_rate": False, "asa_s": True, "fcr": True, "csat": False, "service_level": False,
    }  # fmt: skip
    assert support["previous"] is None  # nothing the day before
    assert report["previous_period"]["first"] == "2026-11-24"

    # a queue's own target: 80 % answered is enough for support
    body = {"queue_id": "support", "answer_rate": 0.8}
    assert (await admin.put("/api/v1/reports/targets", json=body)).status_code == 200
    report = (await admin.get("/api/v1/reports/summary", params={**DAY, "by": "queue"})).json()
    assert _row(report, "support")["targets"]["answer_rate"] == {
        "target": 0.8, "value": round(31 / 37, 4), "met": True,
    }  # fmt: skip
    assert _row(report, "sales")["targets"]["answer_rate"]["target"] == 0.85

    week = {"period": "week", "date": "2026-11-25", "by": "center"}
    center = _row((await admin.get("/api/v1/reports/summary", params=week)).json(), "all")
    assert center["figures"]["offered"] == 43
    assert (await admin.get("/api/v1/reports/summary", params=week)).json()["period"]["first"] == (
        "2026-11-23"  # Monday
    )
    vip = _row(
        (await admin.get("/api/v1/reports/summary", params={**DAY, "by": "vip"})).json(), "3"
    )
    assert (vip["figures"]["service_level"], vip["targets"]["service_level"]["met"]) == (0.5, False)

    hours = (await admin.get("/api/v1/reports/hourly", params=DAY)).json()["hours"]
    assert sum(h["figures"]["offered"] for h in hours) == 43
    assert hours[23]["figures"]["offered"] == 1  # the call at 23:58

    reasons = (await admin.get("/api/v1/reports/reasons", params=DAY)).json()["reasons"]
    assert [(r["reason"], r["times"]) for r in reasons] == [
        ("修改套餐", 11), ("查询余额", 11), ("开通新套餐", 2),
    ]  # fmt: skip

    ranking = (
        await admin.get("/api/v1/reports/ranking", params={**DAY, "order": "handled"})
    ).json()
    assert [(r["agent_id"], r["rank"]) for r in ranking["rows"]] == [(who["a1"], 1), (who["a2"], 2)]

    drill = {**DAY, "by": "queue", "key": "support", "figure": "abandoned"}
    listed = (await admin.get("/api/v1/reports/contacts", params=drill)).json()
    assert listed["total"] == 7
    assert {i["outcome"] for i in listed["items"]} == {"abandoned"}

    # the agents' "resolved?" marks are kept on the contacts: the drill-down lists them
    async def callers(mark: str, **where: str) -> set[str]:
        params = {**DAY, "figure": "answered", "mark": mark, "limit": "100", **where}
        found = await admin.get("/api/v1/reports/contacts", params=params)
        assert found.status_code == 200, found.text
        assert {i["resolved"] for i in found.json()["items"]} <= {True, False, None}
        return {i["caller_number"] for i in found.json()["items"]}

    voice = {"by": "channel", "key": "voice"}
    assert await callers("resolved", **voice) == {"13820000000", "13850000000"}
    assert await callers("not_resolved", **voice) == {"13800000000"}
    assert "13800000001" in await callers("unmarked", **voice)
    # by agent: that agent's own answer (a1 did not mark the contact a2 marked resolved)
    assert await callers("resolved", by="agent", key=who["a2"]) == {"13820000000"}
    assert await callers("resolved", by="agent", key=who["a1"]) == {"13850000000"}
    wrong = await admin.get(
        "/api/v1/reports/contacts", params={**DAY, "figure": "answered", "mark": "maybe"}
    )
    assert wrong.status_code == 422
    found = await admin.get(
        "/api/v1/reports/contacts",
        params={**DAY, "figure": "answered", "mark": "resolved", **voice},
    )
    transferred = next(i for i in found.json()["items"] if i["caller_number"] == "13820000000")
    contact = (await admin.get(f"/api/v1/interactions/{transferred['id']}")).json()
    assert contact["resolved"] is True
    marks = {s["agent_id"]: s["resolved"] for s in contact["segments"]}
    assert marks == {who["a1"]: None, who["a2"]: True}  # the second agent marked it

    xlsx = await admin.get(
        "/api/v1/reports/export", params={**DAY, "by": "queue", "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert lines[1][:3] == ["技能组", "联络量", "呼入量"]  # the admin's language is zh-CN
    assert lines[3][0] == "support"
    assert lines[3][2] == 40
    csv = await admin.get("/api/v1/reports/export", params={**DAY, "by": "queue"})
    assert csv.content.startswith("\ufeff".encode())
    await admin.aclose()


async def test_agents_see_themselves_and_supervisors_their_teams(api: Api, tmp_path: Path) -> None:
    admin = await api.login("admin")
    tenant_id = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    who = await _play_the_golden_day(api, tmp_path, tenant_id)
    # agent2 moves to a team nobody supervises
    async with api.services.uow() as uow:
        team = (await uow.conn.execute(select(teams.c.id, teams.c.created_at))).first()
        assert team is not None
        await uow.conn.execute(delete(agent_teams).where(agent_teams.c.agent_id == who["a2"]))
        await uow.conn.execute(
            insert(teams).values(id="01TEAMTWO00000000000000000", tenant_id=tenant_id, name="二组",
                                 created_at=team.created_at, updated_at=team.created_at)
        )  # fmt: skip
        await uow.conn.execute(
            insert(agent_teams).values(agent_id=who["a2"], team_id="01TEAMTWO00000000000000000")
        )
        await uow.commit()

    agent = await api.login("agent1")
    mine = (await agent.get("/api/v1/reports/summary", params=DAY)).json()
    assert [r["key"] for r in mine["rows"]] == [who["a1"]]
    refused = await agent.get("/api/v1/reports/summary", params={**DAY, "by": "queue"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "reports.forbidden"
    assert refused.json()["message"] == "您只能查看自己的数据（坐席）或所带班组的数据（班长）。"
    other = await agent.get(
        "/api/v1/reports/summary", params={**DAY, "key": who["a2"], "by": "agent"}
    )
    assert other.status_code == 403
    ranking = (await agent.get("/api/v1/reports/ranking", params=DAY)).json()
    assert [r["agent_id"] for r in ranking["rows"]] == [who["a1"]]
    bad = await agent.get("/api/v1/reports/summary", params={"period": "day", "date": "2026-13-01"})
    assert (bad.status_code, bad.json()["code"]) == (422, "reports.period.invalid")
    assert bad.json()["message"].startswith("报表周期无效")
    await agent.aclose()

    boss = await api.login("supervisor")
    rows = (await boss.get("/api/v1/reports/summary", params={**DAY, "by": "agent"})).json()["rows"]
    assert [r["key"] for r in rows] == [who["a1"]]  # agent2 left the supervisor's team
    teams_seen = (await boss.get("/api/v1/reports/summary", params={**DAY, "by": "team"})).json()
    assert [(r["key"], r["figures"]["handled"]) for r in teams_seen["rows"]] == [("一组", 31)]
    assert (
        await boss.get("/api/v1/reports/summary", params={**DAY, "by": "queue"})
    ).status_code == 200
    await boss.aclose()
    await admin.aclose()


async def test_subscriptions_to_reports_by_e_mail(api: Api) -> None:
    boss = await api.login("supervisor")
    body = {"period": "week", "by": "queue", "at": "07:30", "to": ["boss@example.com"]}
    made = await boss.post("/api/v1/reports/subscriptions", json=body)
    assert made.status_code == 201, made.text
    assert (made.json()["cron"], made.json()["time_zone"]) == ("30 7 * * 1", "Asia/Shanghai")
    listed = (await boss.get("/api/v1/reports/subscriptions")).json()["items"]
    assert [s["id"] for s in listed] == [made.json()["id"]]
    bad = await boss.post("/api/v1/reports/subscriptions", json={**body, "to": ["not-an-address"]})
    assert bad.status_code == 422
    gone = await boss.delete(f"/api/v1/reports/subscriptions/{made.json()['id']}")
    assert gone.json()["status"] == "cancelled"
    agent = await api.login("agent1")
    assert (await agent.post("/api/v1/reports/subscriptions", json=body)).status_code == 403
    await agent.aclose()
    await boss.aclose()


async def test_a_supervisor_stops_any_subscription_of_her_center_and_no_other(
    api: Api, second_tenant: str
) -> None:
    admin = await api.login("admin")
    body = {"period": "day", "by": "queue", "at": "08:00", "to": ["ops@example.com"]}
    made = await admin.post("/api/v1/reports/subscriptions", json=body)
    assert made.status_code == 201, made.text
    sub = made.json()["id"]
    boss = await api.login("supervisor")
    assert [s["id"] for s in (await boss.get("/api/v1/reports/subscriptions")).json()["items"]] == [
        sub
    ]
    outsider = await api.login("boss", tenant="other")  # an admin, of another center
    assert (await outsider.delete(f"/api/v1/reports/subscriptions/{sub}")).status_code == 404
    assert (await outsider.get("/api/v1/reports/subscriptions")).json()["items"] == []
    agent = await api.login("agent1")
    assert (await agent.delete(f"/api/v1/reports/subscriptions/{sub}")).status_code == 403
    stopped = await boss.delete(f"/api/v1/reports/subscriptions/{sub}")  # made by the admin
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "cancelled"
    assert (await admin.get("/api/v1/reports/subscriptions")).json()["items"] == []
    for client in (admin, boss, outsider, agent):
        await client.aclose()


async def test_a_tenants_counting_rules_count_its_figures_again(api: Api, tmp_path: Path) -> None:
    """Short abandons under 2 s instead of 5 s, a 3-day FCR window: saved, checked, and the
    tenant's facts rolled up again from the log with them."""
    admin = await api.login("admin")
    tenant_id = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    await _play_the_golden_day(api, tmp_path, tenant_id)
    queue = {**DAY, "by": "queue", "key": "support"}

    async def support() -> dict[str, Any]:
        rows = (await admin.get("/api/v1/reports/summary", params=queue)).json()["rows"]
        return dict(rows[0]["figures"])

    assert (await support())["short_abandoned"] == 3
    got = (await admin.get("/api/v1/reports/counting")).json()
    assert got["counting"] == got["defaults"] == {
        "short_abandon_s": 5.0, "fcr_window_days": 7, "vip_sl_threshold_s": 15.0,
        "csat_satisfied_from": 4,
    }  # fmt: skip

    rules = {"short_abandon_s": 2, "fcr_window_days": 3, "vip_sl_threshold_s": 15,
             "csat_satisfied_from": 4}  # fmt: skip
    saved = await admin.put("/api/v1/reports/counting", json=rules)
    assert saved.status_code == 200, saved.text
    assert saved.json()["rebuilding"] is True
    await api.services.report_rollup.settled()  # the rebuild ran in the background
    figures = await support()
    assert (figures["short_abandoned"], figures["abandoned"]) == (0, 7)
    assert figures["abandon_rate"] == round(7 / 40, 4)
    assert (await admin.get("/api/v1/reports/counting")).json()["counting"]["fcr_window_days"] == 3

    wrong = await admin.put("/api/v1/reports/counting", json={**rules, "fcr_window_days": 90})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_input")
    assert wrong.json()["message"] == "首次解决率观察期（天）不能大于 30"
    agent = await api.login("agent1")
    assert (await agent.put("/api/v1/reports/counting", json=rules)).status_code == 403
    await agent.aclose()
    await admin.aclose()
