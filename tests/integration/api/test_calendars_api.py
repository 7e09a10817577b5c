"""Holiday imports and business-hours calendars over the API: the shipped years, an .ics
file, mistakes named by field with nothing written, links checked, the jobs' status."""

from __future__ import annotations

import asyncio

from hotline.calendars.ics import write_ics
from tests.integration.api.conftest import Api


async def test_import_shipped_and_ics_holidays_then_link_them(api: Api) -> None:
    admin = await api.login("admin")
    shipped = (await admin.get("/api/v1/holiday-calendars/shipped")).json()
    assert {2026, 2027} <= set(shipped["years"])
    again = await admin.post("/api/v1/holiday-calendars/import", json={"year": 2026})
    assert again.status_code == 200, again.text
    assert len(again.json()["entries"]) == 39
    listed = (await admin.get("/api/v1/holiday-calendars")).json()
    assert listed["total"] == 2  # re-importing a year replaces it by name

    text = write_ics([{"date": "2026-12-24", "kind": "holiday", "name": "年会"}], name="x").decode()
    imported = await admin.post(
        "/api/v1/holiday-calendars/import", json={"name": "公司", "ics": text}
    )
    assert imported.status_code == 200, imported.text
    company = imported.json()["id"]
    calendar = await admin.post(
        "/api/v1/calendars",
        json={
            "name": "客服",
            "weekly": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]]},
            "holiday_calendar_ids": [company],
            "holidays": [{"date": "2026-12-26", "kind": "workday", "hours": [["10:00", "15:00"]]}],
        },
    )
    assert calendar.status_code == 201, calendar.text
    # The calendar book (what flows ask) follows the change from the bus.
    tenant = calendar.json()["tenant_id"]
    deadline = asyncio.get_running_loop().time() + 10
    while api.services.calendars.calendar(tenant, "客服") is None:
        assert asyncio.get_running_loop().time() < deadline, "the book never saw the calendar"
        await asyncio.sleep(0.02)
    book = api.services.calendars.calendar(tenant, "客服")
    assert book is not None
    assert [d.isoformat() for d, _ in book.days] == ["2026-12-24", "2026-12-26"]


async def test_mistakes_name_the_field_and_write_nothing(api: Api) -> None:
    admin = await api.login("admin")
    before = (await admin.get("/api/v1/holiday-calendars")).json()["total"]
    both = await admin.post("/api/v1/holiday-calendars/import", json={"year": 2026, "ics": "x"})
    assert both.status_code == 422
    missing = await admin.post("/api/v1/holiday-calendars/import", json={"year": 2031})
    assert missing.status_code == 404
    assert missing.json()["code"] == "calendar.holidays.not_shipped"
    bad = await admin.post(
        "/api/v1/holiday-calendars/import", json={"name": "坏", "ics": "not a calendar"}
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "calendar.ics.invalid"
    assert (await admin.get("/api/v1/holiday-calendars")).json()["total"] == before
    unknown = await admin.post(
        "/api/v1/calendars", json={"name": "x", "holiday_calendar_ids": ["01NOPE"]}
    )
    assert unknown.status_code == 422
    assert unknown.json()["details"]["field"] == "holiday_calendar_ids.0"
    bad_day = await admin.post(
        "/api/v1/calendars",
        json={"name": "y", "holidays": [{"date": "2026-10-01", "kind": "someday"}]},
    )
    assert bad_day.status_code == 422
    assert "holidays" in bad_day.text


async def test_jobs_status_and_control(api: Api) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    async with api.services.uow() as uow:
        job_id = await api.services.jobs.schedule(
            uow.conn, "mail.send", due_at=4e9, tenant_id=tenant, payload={"to": ["a@b.c"]}
        )
        await uow.commit()
    job = (await admin.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "pending"
    assert job["due_at"].startswith("2096-")
    cancelled = await admin.post(f"/api/v1/jobs/{job_id}/cancel")
    assert cancelled.json()["state"] == "cancelled"
    again = await admin.post(f"/api/v1/jobs/{job_id}/cancel")
    assert again.status_code == 409
    rerun = await admin.post(f"/api/v1/jobs/{job_id}/run")
    assert rerun.json()["state"] == "pending"
    listed = (await admin.get("/api/v1/jobs", params={"state": "pending"})).json()
    assert [j["id"] for j in listed["items"]] == [job_id]
    agent = await api.login("agent1")
    assert (await agent.post(f"/api/v1/jobs/{job_id}/cancel")).status_code == 403
