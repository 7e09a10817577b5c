"""Workforce management through the API on SQLite and PostgreSQL: import history, plan a week,
generate and publish a schedule; each agent sees only her own shifts; time off and swaps with
approval; exports; adherence from the agent's real state changes."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from hotline.analytics.wfm import agents_needed
from hotline.auth.model import Principal
from hotline.calendars.ics import write_ics
from hotline.clock import FakeClock
from hotline.routing import AgentState
from hotline.routing.events import AgentStateChanged
from hotline.store.tables import agent_segments, work_items
from hotline.store.wfm_repo import SqlWfmStore
from hotline.workforce.service import WorkforceService
from tests.integration.api.conftest import Api

pytestmark = pytest.mark.db

WEEK = date(2026, 3, 2)  # a Monday
ZONE = ZoneInfo("Asia/Shanghai")


def history_csv(weeks: int = 6, seed: int = 3) -> str:
    """15-minute counts for queue `sales`, open 09:00–21:00, quieter at the weekend."""
    rng = np.random.default_rng(seed)
    lines = ["interval_start,queue,offered,answered,aht_s,abandoned,wait_s"]
    first = WEEK - timedelta(weeks=weeks)
    for d in range(weeks * 7):
        day = first + timedelta(days=d)
        scale = 0.4 if day.weekday() >= 5 else 1.0
        for slot in range(36, 84):
            calls = int(rng.poisson(12 * scale))
            start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=15 * slot)
            lines.append(f"{start.isoformat()},sales,{calls},{calls},200,1,{calls * 20}")
    return "\n".join(lines) + "\n"


TEMPLATE = {
    "name": "白班 8h",
    "minutes": 480,
    "earliest_start": 9 * 60,
    "latest_start": 13 * 60,
    "start_step": 30,
    "breaks": [
        {"activity": "break", "minutes": 15, "earliest": 90, "latest": 150},
        {"activity": "lunch", "minutes": 30, "earliest": 210, "latest": 300},
    ],
}


async def test_plan_schedule_publish_requests_and_adherence(api: Api) -> None:
    admin = await api.login("admin")
    supervisor = await api.login("supervisor")
    agent1 = await api.login("agent1")
    agent2 = await api.login("agent2")

    r = await supervisor.post(
        "/api/v1/wfm/history",
        files={"file": ("sales.csv", history_csv().encode(), "text/csv")},
        data={"interval_s": "900"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["queues"] == ["sales"]
    bad = await supervisor.post(
        "/api/v1/wfm/history",
        files={
            "file": ("x.csv", b"interval_start,offered\n2026-03-01T09:00:00,many\n", "text/csv")
        },
    )
    assert bad.status_code == 422
    assert bad.json()["details"] == {
        "row": 2,
        "column": "offered",
        "value": "many",
        "problem": "not a number",
    }

    r = await supervisor.post("/api/v1/wfm/templates", json=TEMPLATE)
    assert r.status_code == 201, r.text
    assert (await supervisor.post("/api/v1/wfm/templates", json=TEMPLATE)).status_code == 422
    agents = (await supervisor.get("/api/v1/wfm/agents")).json()["items"]
    # agent1 works Monday to Wednesday, agent2 Thursday to Sunday: a swap between them is clean
    weekdays = {"agent1": range(3), "agent2": range(3, 7), "agent3": range(7)}
    for a in agents:
        window = {str(d): [9 * 60, 21 * 60] for d in weekdays[a["username"]]}
        r = await supervisor.put(
            f"/api/v1/wfm/contracts/{a['id']}",
            json={"min_minutes": 0, "max_minutes": 2400, "max_days": 5, "availability": window},
        )
        assert r.status_code == 200, r.text
    r = await supervisor.put(f"/api/v1/wfm/contracts/{agents[0]['id']}", json={"max_days": 9})
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "max_days"

    r = await supervisor.post(
        "/api/v1/wfm/plans", json={"queue_id": "sales", "week_start": WEEK.isoformat()}
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    forecast, staffing = plan["forecast"], plan["staffing"]
    assert len(forecast["calls"]) == 7 * 96
    assert all(
        lo <= c <= hi
        for lo, c, hi in zip(forecast["lower"], forecast["calls"], forecast["upper"], strict=True)
    )
    assert {s["model"] for s in plan["scores"]} >= {"seasonal_naive", "exp_smoothing"}
    assert plan["model"] in {s["model"] for s in plan["scores"]}
    i = int(np.argmax(forecast["calls"]))
    load = forecast["calls"][i] * forecast["aht_s"][i] / 900
    if staffing["model"] == "erlang_c":
        assert staffing["agents"][i] == agents_needed(load, forecast["aht_s"][i], 20.0, 0.8)
    assert staffing["patience_s"] == pytest.approx(
        20 * 12 / 1, rel=0.2
    )  # wait 20 s a call, 1 abandon

    r = await supervisor.post("/api/v1/wfm/schedules", json={"plan_id": plan["id"]})
    assert r.status_code == 201, r.text
    schedule = r.json()
    assert schedule["status"] == "draft"
    assert len(schedule["result"]["shortfall"]) == 7 * 96
    by_agent: dict[str, int] = {}
    for s in schedule["shifts"]:
        by_agent[s["agent_id"]] = by_agent.get(s["agent_id"], 0) + 1
        kinds = [a["activity"] for a in s["activities"]]
        assert kinds.count("lunch") == 1
        assert kinds.count("break") == 1
    assert by_agent
    assert max(by_agent.values()) <= 5

    me1 = (await agent1.get("/api/v1/auth/me")).json()["agent_id"]
    me2 = (await agent2.get("/api/v1/auth/me")).json()["agent_id"]
    week = {"week_start": WEEK.isoformat()}
    assert (await agent1.get("/api/v1/wfm/my-schedule", params=week)).json()["items"] == []
    assert (await agent1.post(f"/api/v1/wfm/schedules/{schedule['id']}/publish")).status_code == 403
    r = await supervisor.post(f"/api/v1/wfm/schedules/{schedule['id']}/publish")
    assert r.json()["status"] == "published"

    mine1 = (await agent1.get("/api/v1/wfm/my-schedule", params=week)).json()["items"]
    mine2 = (await agent2.get("/api/v1/wfm/my-schedule", params=week)).json()["items"]
    assert mine1
    assert mine2
    assert {s["agent_id"] for s in mine1} == {me1}
    assert {s["agent_id"] for s in mine2} == {me2}
    for path in (
        f"/api/v1/wfm/schedules/{schedule['id']}",
        f"/api/v1/wfm/plans/{plan['id']}",
        "/api/v1/wfm/requests",
    ):
        r = await agent1.get(path)
        assert r.status_code == 403, path
        assert r.json()["code"] == "auth.forbidden"

    # time off over agent1's first shift: approved, the shift leaves her week
    first = mine1[0]
    start = datetime.fromisoformat(first["start_at"]).astimezone(ZONE).replace(tzinfo=None)
    r = await agent1.post(
        "/api/v1/wfm/requests",
        json={
            "kind": "time_off",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=8)).isoformat(),
            "note": "看病",
        },
    )
    assert r.status_code == 201, r.text
    time_off = r.json()
    assert (
        await agent2.post(f"/api/v1/wfm/requests/{time_off['id']}/decision", json={"approve": True})
    ).status_code == 403
    r = await supervisor.post(
        f"/api/v1/wfm/requests/{time_off['id']}/decision", json={"approve": True}
    )
    assert r.json()["status"] == "approved"
    again = await supervisor.post(
        f"/api/v1/wfm/requests/{time_off['id']}/decision", json={"approve": False}
    )
    assert again.status_code == 409
    left = (await agent1.get("/api/v1/wfm/my-schedule", params=week)).json()["items"]
    assert first["id"] not in {s["id"] for s in left}

    # a swap: agent1 offers a shift of hers for one of agent2's
    theirs = mine2[0]
    their_day = datetime.fromisoformat(theirs["start_at"]).astimezone(ZONE).date()
    r = await agent1.post(
        "/api/v1/wfm/requests",
        json={
            "kind": "swap",
            "shift_id": left[0]["id"],
            "other_agent_id": me2,
            "other_day": their_day.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    r = await agent1.post(
        "/api/v1/wfm/requests",
        json={
            "kind": "swap",
            "shift_id": theirs["id"],
            "other_agent_id": me2,
            "other_day": their_day.isoformat(),
        },
    )
    assert r.status_code == 403  # not her shift to offer
    swap = (await supervisor.get("/api/v1/wfm/requests", params={"status": "pending"})).json()[
        "items"
    ][0]
    assert swap["agent_name"] == "坐席 李娜"
    await supervisor.post(f"/api/v1/wfm/requests/{swap['id']}/decision", json={"approve": True})
    now1 = {
        s["id"] for s in (await agent1.get("/api/v1/wfm/my-schedule", params=week)).json()["items"]
    }
    assert theirs["id"] in now1
    assert left[0]["id"] not in now1
    assert len((await agent1.get("/api/v1/wfm/requests/mine")).json()["items"]) == 2

    csv_export = await supervisor.get(f"/api/v1/wfm/schedules/{schedule['id']}/export")
    assert csv_export.headers["content-type"].startswith("text/csv")
    assert "坐席 李娜" in csv_export.text
    xlsx = await supervisor.get(
        f"/api/v1/wfm/schedules/{schedule['id']}/export", params={"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["agent", "date", "start", "end", "activities"]
    assert sheet.max_row == len(schedule["shifts"]) - 1 + 1  # one shift was taken off

    # adherence: agent2 logs in 30 minutes late to her first shift and works to the end
    shift = next(
        s for s in (await agent2.get("/api/v1/wfm/my-schedule", params=week)).json()["items"]
    )
    begin = datetime.fromisoformat(shift["start_at"]).timestamp()
    end = datetime.fromisoformat(shift["end_at"]).timestamp()
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    async with api.services.uow() as uow:
        uow.emit(
            AgentStateChanged(
                tenant_id=tenant,
                at=begin + 1800,
                agent_id=me2,
                state=AgentState.AVAILABLE,
                previous=AgentState.LOGGED_OUT,
                previous_duration_s=3600.0,
            )
        )
        uow.emit(
            AgentStateChanged(
                tenant_id=tenant,
                at=end,
                agent_id=me2,
                state=AgentState.LOGGED_OUT,
                previous=AgentState.AVAILABLE,
                previous_duration_s=end - begin - 1800,
            )
        )
        await uow.commit()
    day = datetime.fromisoformat(shift["start_at"]).astimezone(ZONE).date()
    report = (
        await supervisor.get("/api/v1/wfm/adherence", params={"day": day.isoformat()})
    ).json()["items"]
    row = next(r for r in report if r["agent_id"] == me2)
    assert row["scheduled_minutes"] == 480
    # late 30 min, and working through the 45 minutes of breaks
    assert row["out_minutes"] == pytest.approx(75.0)
    assert row["conformance"] == pytest.approx(450 / 435, abs=1e-3)  # 7.5 h worked, 7¼ planned

    # live, at two moments of that shift (the service with a fake clock over the same store)
    supervisor_me = (await supervisor.get("/api/v1/auth/me")).json()
    principal = Principal(
        tenant_id=tenant,
        tenant_slug="demo",
        user_id=supervisor_me["user_id"],
        username="supervisor",
        display_name="班长",
        roles=("supervisor",),
        language="zh-CN",
        via="session",
    )
    clock = FakeClock(begin + 600)
    async with api.services.uow(write=False) as uow:
        service = WorkforceService(
            SqlWfmStore(uow.conn),
            api.services.settings.wfm,
            actor=principal,
            clock=clock,
            emit=uow.emit,
        )
        late = next(r for r in await service.adherence_live() if r["agent_id"] == me2)
        assert (late["activity"], late["state"], late["in_adherence"]) == (
            "work",
            "logged_out",
            False,
        )
        assert late["out_minutes"] == 10.0
        clock.set(begin + 3600)
        working = next(r for r in await service.adherence_live() if r["agent_id"] == me2)
        assert working["in_adherence"]
        assert working["state"] == "available"

    r = await supervisor.post(f"/api/v1/wfm/schedules/{schedule['id']}/what-if")
    assert r.status_code == 200, r.text
    outcome = r.json()
    assert 0.0 <= outcome["service_level"] <= 1.0
    assert outcome["target"] == 0.8
    events = (await admin.get("/api/v1/events", params={"type": "wfm.schedule_published"})).json()
    assert len(events["items"]) == 1
    for client in (admin, supervisor, agent1, agent2):
        await client.aclose()


async def test_a_plan_needs_history_and_a_week(api: Api) -> None:
    supervisor = await api.login("supervisor")
    r = await supervisor.post(
        "/api/v1/wfm/plans", json={"queue_id": "support", "week_start": "2026-03-02"}
    )
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "queue_id"
    r = await supervisor.post(
        "/api/v1/wfm/plans", json={"queue_id": "support", "week_start": "soon"}
    )
    assert r.status_code == 422
    await supervisor.aclose()


async def test_history_from_the_contacts_projection(api: Api) -> None:
    """Hotline's own contacts are history too: six weeks of visits to `support` in the
    projection (10:00–12:00, one in five abandoned after 60 s; answered ones 200 s of talk,
    30 s of hold, 10 s of wrap-up) make a plan without any import. Every answered call was then
    transferred to `billing`: that second visit is billing's workload, not support's."""
    supervisor = await api.login("supervisor")
    tenant = (await supervisor.get("/api/v1/auth/me")).json()["tenant_id"]
    rng = np.random.default_rng(5)
    visits: list[dict[str, object]] = []
    segments: list[dict[str, object]] = []
    first = WEEK - timedelta(weeks=6)
    for d in range(42):
        day = datetime.combine(first + timedelta(days=d), datetime.min.time(), ZONE)
        for k in range(int(rng.poisson(40))):
            start = day.timestamp() + 10 * 3600 + float(rng.uniform(0, 7200))
            abandoned = k % 5 == 0
            contact = f"01WFM{d:03d}{k:04d}".ljust(26, "0")
            seq = len(visits) + 1
            wait = 60.0 if abandoned else 10.0
            visits.append(
                _visit(
                    tenant, seq, contact, "support", start, wait, None if abandoned else start + 10
                )
            )
            if abandoned:
                continue
            segments.append(_segment(tenant, seq, contact, "support", start + 10))
            # the transfer: billing answers 5 s later and talks for 200 s as well
            transfer = start + 250
            visits.append(_visit(tenant, seq + 1, contact, "billing", transfer, 5.0, transfer + 5))
            segments.append(_segment(tenant, seq + 1, contact, "billing", transfer + 5))
    async with api.services.uow() as uow:
        await uow.conn.execute(insert(work_items), visits)
        await uow.conn.execute(insert(agent_segments), segments)
        await uow.commit()
    r = await supervisor.post(
        "/api/v1/wfm/plans",
        json={"queue_id": "support", "week_start": WEEK.isoformat(), "interval_s": 3600},
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    calls = np.array(plan["forecast"]["calls"]).reshape(7, 24)
    assert calls[:, 10:12].sum() == pytest.approx(7 * 40, rel=0.25)
    assert calls[:, :9].sum() == 0
    aht = np.array(plan["forecast"]["aht_s"]).reshape(7, 24)
    assert aht[:, 10:12] == pytest.approx(240.0, rel=0.01)  # talk + hold + wrap-up
    # patience = seconds waited by everyone / abandons = (4 × 10 + 60) / 1 per five calls
    assert plan["staffing"]["patience_s"] == pytest.approx(100.0, rel=0.05)
    assert plan["staffing"]["model"] == "erlang_a"
    r = await supervisor.post(
        "/api/v1/wfm/plans",
        json={"queue_id": "billing", "week_start": WEEK.isoformat(), "interval_s": 3600},
    )
    assert r.status_code == 201, r.text
    billing = np.array(r.json()["forecast"]["calls"]).reshape(7, 24)
    assert billing[:, 10:12].sum() == pytest.approx(7 * 32, rel=0.25)  # the four in five answered
    await supervisor.aclose()


def _visit(
    tenant: str, seq: int, contact: str, queue: str, at: float, wait: float, answered: float | None
) -> dict[str, object]:
    return {
        "tenant_id": tenant,
        "seq": seq,
        "work_id": f"W{seq:025d}",
        "interaction_id": contact,
        "queue_id": queue,
        "via": "flow" if queue == "support" else "transfer",
        "created_at": at,
        "entered_at": at,
        "left_at": at + wait,
        "wait_s": wait,
        "offers": 1,
        "outcome": "answered" if answered is not None else "abandoned",
        "answered_at": answered,
        "callback": False,
    }


def _segment(tenant: str, seq: int, contact: str, queue: str, at: float) -> dict[str, object]:
    return {
        "tenant_id": tenant,
        "work_seq": seq,
        "agent_id": "01AGENT0000000000000000000",
        "work_id": f"W{seq:025d}",
        "interaction_id": contact,
        "queue_id": queue,
        "answered_at": at,
        "ended_at": at + 230,
        "talk_s": 200.0,
        "hold_s": 30.0,
        "wrap_up_s": 10.0,
    }


async def test_the_plan_takes_special_days_from_the_queues_business_hours(api: Api) -> None:
    """The hours engine's answer, not just the calendar's own list: a holiday from a linked
    holiday calendar and a make-up workday (调休上班) of the calendar itself are special days
    of the plan; the holiday is forecast as the quiet rest day, the workday as a weekday."""
    admin = await api.login("admin")
    supervisor = await api.login("supervisor")
    holiday, workday = WEEK + timedelta(days=2), WEEK + timedelta(days=5)  # Wednesday, Saturday
    ics = write_ics([{"date": holiday.isoformat(), "kind": "holiday", "name": "厂庆"}], name="x")
    imported = await admin.post(
        "/api/v1/holiday-calendars/import", json={"name": "公司假日", "ics": ics.decode()}
    )
    assert imported.status_code == 200, imported.text
    calendar = await admin.post(
        "/api/v1/calendars",
        json={
            "name": "销售时间",
            "weekly": {d: [["09:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holiday_calendar_ids": [imported.json()["id"]],
            "holidays": [{"date": workday.isoformat(), "kind": "workday"}],
        },
    )
    assert calendar.status_code == 201, calendar.text
    queue = await admin.post(
        "/api/v1/queues",
        json={"name": "events", "display_name": "活动", "calendar_id": calendar.json()["id"]},
    )
    assert queue.status_code == 201, queue.text
    r = await supervisor.post(
        "/api/v1/wfm/history",
        files={"file": ("events.csv", history_csv().replace(",sales,", ",events,").encode())},
        data={"interval_s": "900"},
    )
    assert r.status_code == 200, r.text
    r = await supervisor.post(
        "/api/v1/wfm/plans",
        json={"queue_id": "events", "week_start": WEEK.isoformat(), "interval_s": 900},
    )
    assert r.status_code == 201, r.text
    forecast = r.json()["forecast"]
    assert forecast["special"] == [holiday.isoformat(), workday.isoformat()]
    per_day = np.array(forecast["calls"]).reshape(7, -1).sum(axis=1)
    # history: 12 calls a slot on weekdays, 0.4 × that at the weekend (Sunday is the rest day)
    assert per_day[2] < 0.6 * per_day[1]
    assert per_day[5] > 0.8 * per_day[1]
    await admin.aclose()
    await supervisor.aclose()
