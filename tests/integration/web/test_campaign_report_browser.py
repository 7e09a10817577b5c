"""Outbound campaigns on the reports screen (issue 24) in real Chromium: a campaign with three
dials today in the dial log (one connect that converted, one abandoned, one machine), 600
staffed agent-seconds today and three of its four records dialed, and one with a dial but no
staffed time and no records (its talk occupancy and penetration "—"); the supervisor (zh-CN)
and the admin (en) see their rows with the same figures as the campaigns screen counts them,
and the downloads point at the campaigns report. Screenshots in test-artifacts/."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import insert

from hotline.dialer.figures import STAFFED_SLICE_S, Attempt
from hotline.dialer.model import RecordStatus
from hotline.dialer.outcomes import Outcome
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.dialer_tables import dialer_records
from hotline.store.engine import WRITE, create_engine
from tests.daytime import center_in_daytime
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

WORDS = {"zh-CN": ("supervisor", "外呼活动"), "en": ("admin", "Outbound campaigns")}


async def _dialed(server: ServerProcess) -> tuple[str, str]:
    server.start("demo")
    admin = login(server, "admin")
    tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
    made = {}
    for name in ("Renewals", "Surveys"):
        r = admin.post(
            "/api/v1/campaigns", json={"name": name, "mode": "predictive", "queue_id": "sales"}
        )
        assert r.status_code == 201, r.text
        made[name] = str(r.json()["id"])
    campaign, unstaffed = made["Renewals"], made["Surveys"]
    server.stop()
    now = time.time()
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await center_in_daytime(conn, tenant_id, now)
                store = SqlDialerStore(conn, tenant_id)
                for i, attempt in enumerate([
                    Attempt(now - 30, Outcome.CONNECTED, now - 40, 60.0, True, True, "human"),
                    Attempt(now - 20, Outcome.ABANDONED, now - 25, 0.0, False, False, "human"),
                    Attempt(now - 10, Outcome.MACHINE, now - 15, 0.0, False, False, "machine"),
                ]):  # fmt: skip
                    await store.add_attempt(campaign, f"rec-{i}", attempt)
                for i in range(4):
                    await conn.execute(
                        insert(dialer_records).values(
                            id=f"rec-{i}", tenant_id=tenant_id, campaign_id=campaign,
                            list_id="l", phone=f"+8613800138{i:03d}", fields={}, priority=0,
                            status=str(RecordStatus.PENDING), attempts=0, next_at=0.0,
                            outcomes={}, created_at=now - 3600, updated_at=now - 3600,
                        )
                    )  # fmt: skip
                # Within 15 minutes of now: today, as the center is in its daytime.
                await store.add_staffed(
                    campaign, {(now - 30) // STAFFED_SLICE_S * STAFFED_SLICE_S: 600.0}
                )
                await store.add_attempt(unstaffed, "other", Attempt(now - 5, Outcome.BUSY))
    finally:
        await engine.dispose()
    server.start("demo")
    return campaign, unstaffed


async def test_campaign_figures_on_the_reports_screen(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    campaign, unstaffed = await _dialed(sqlite_server)
    for lang, (user, title) in WORDS.items():
        page, errors = await open_page(browser, sqlite_server, user, lang=lang)
        await page.goto(f"{sqlite_server.url}/reports")
        await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
        section = page.get_by_test_id("report-campaigns")
        await expect(section.get_by_role("heading", name=title)).to_be_visible()
        row = section.locator(f"tr[data-campaign='{campaign}'] td")
        await expect(row).to_have_text(
            ["Renewals", "3", "1", "1", "1", "50.0%", "50.0%", "50.0%", "2 / 1 / 0", "10.0%",
             "75.0%"]
        )  # fmt: skip
        other = section.locator(f"tr[data-campaign='{unstaffed}'] td")
        await expect(other).to_have_text(
            ["Surveys", "1", "0", "0", "0", "0.0%", "0.0%", "0.0%", "0 / 0 / 0", "—", "—"]
        )
        href = await section.get_by_test_id("campaigns-xlsx").get_attribute("href")
        assert href is not None
        assert href.startswith("/api/v1/reports/campaigns?")
        assert f"lang={lang}" in href
        download = await page.request.get(f"{sqlite_server.url}{href}")
        assert download.ok
        assert (await download.body())[:2] == b"PK"  # the XLSX, with the page's session
        await section.scroll_into_view_if_needed()
        await section.screenshot(path=str(ARTIFACTS / f"reports-campaigns-{lang}.png"))
        assert errors == []
        await page.context.close()
