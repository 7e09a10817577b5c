"""In Chromium, on a demo center holding a day written by the version-1 code (converted on
read): the contact page shows each agent's part with its own wrap-up and CSAT, and the queue
visits; the missed-calls worklist lets two agents race for a claim (one wins, the other is told
who in its language), shows the claim to others, releases and marks handled; zh-CN and en."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, Page, expect

from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import create_engine
from hotline.store.tables import agents, users
from tests.integration.store.v1_day import add_day_to, by_caller
from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

CONFERENCE = "13100131010"  # consult, three-way call, a1 leaves, a2 finishes, CSAT 4
GAVE_UP = "13700137003"  # waited 60 s in support and hung up


async def _seed(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as conn:
        tenant = (await SqlTenants(conn).by_slug("demo"))["id"]  # type: ignore[index]
        rows = await conn.execute(
            agents.select()
            .with_only_columns(agents.c.id, users.c.username)
            .join(users, users.c.id == agents.c.user_id)
        )
        ids = {username: agent_id for agent_id, username in rows}
    await add_day_to(
        engine, tenant, {"a1": ids["agent1"], "a2": ids["agent2"], "a3": ids["agent3"]}
    )
    await engine.dispose()


async def _page(browser: Browser, server: ServerProcess, username: str) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, server, username)
    return page, errors


async def test_contact_page_and_worklist_claims(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    sqlite_server.stop()
    await _seed(sqlite_server.env["HOTLINE_DATABASE_URL"])
    sqlite_server.start("serve")

    # The contact page: one contact, both agents' parts, each with its own wrap-up.
    admin, admin_errors = await _page(browser, sqlite_server, "admin")
    await admin.goto(f"{sqlite_server.url}/interactions/{by_caller(CONFERENCE)}")
    segments = admin.get_by_test_id("segments").locator("tbody tr")
    await expect(segments).to_have_count(2)
    await expect(segments.nth(0)).to_contain_text("坐席 李娜")
    await expect(segments.nth(0)).to_contain_text("已解决")
    await expect(segments.nth(0)).to_contain_text("三方通话已确认身份")
    await expect(segments.nth(1)).to_contain_text("坐席 王磊")
    await expect(segments.nth(1)).to_contain_text("直接转坐席")
    await expect(segments.nth(1)).to_contain_text("投诉")
    await expect(segments.nth(1).get_by_test_id("segment-csat")).to_have_text("4 分（满分 5）")
    visits = admin.get_by_test_id("work-items").locator("tbody tr")
    await expect(visits).to_have_count(2)
    await expect(visits.nth(0)).to_contain_text("售后服务")
    await expect(visits.nth(1)).to_contain_text("咨询（三方通话）")
    await expect(admin.get_by_test_id("summary")).to_contain_text("（坐席 王磊）")
    await expect(admin.get_by_test_id("timeline")).to_contain_text("开始咨询")
    await admin.screenshot(path=ARTIFACTS / "contact-zh-CN.png", full_page=True)
    await admin.get_by_test_id("language").select_option("en")
    await expect(segments.nth(1)).to_contain_text("Direct to an agent")
    await expect(segments.nth(1)).to_contain_text("Complaint")
    await expect(visits.nth(1)).to_contain_text("Consultation (three-way call)")
    await expect(admin.get_by_test_id("summary")).to_contain_text("for 坐席 王磊")
    await admin.screenshot(path=ARTIFACTS / "contact-en.png", full_page=True)
    await admin.goto(f"{sqlite_server.url}/interactions")
    listed = admin.get_by_test_id("interactions").locator("tbody tr")
    await expect(listed).to_have_count(11)  # the consultations are no contacts of their own
    await expect(admin.locator(f"tr[data-id='{by_caller(CONFERENCE)}']")).to_contain_text(
        "坐席 李娜, 坐席 王磊"
    )
    await admin.screenshot(path=ARTIFACTS / "contacts-en.png", full_page=True)

    # The worklist: agent1 serves both queues, agent3 support only.
    li_na, li_na_errors = await _page(browser, sqlite_server, "agent1")
    chen, chen_errors = await _page(browser, sqlite_server, "agent3")
    for page in (li_na, chen):
        await page.goto(f"{sqlite_server.url}/missed")
    await expect(li_na.get_by_test_id("missed").locator("tbody tr")).to_have_count(3)
    gave_up = by_caller(GAVE_UP)
    mine, theirs = (p.locator(f"tr[data-id='{gave_up}']") for p in (li_na, chen))
    await expect(chen.get_by_test_id("missed").locator("tbody tr")).to_have_count(1)
    await expect(theirs).to_contain_text("1分0秒")
    # Both see it free and click Claim at the same moment: one gets it, the other is told who.
    await asyncio.gather(*(row.get_by_test_id("claim").click() for row in (mine, theirs)))
    for page in (li_na, chen):  # each page says how its click went
        said = "[data-testid=list-status]:not([hidden]), [data-testid=list-error]:not([hidden])"
        await expect(page.locator(said)).to_have_count(1)
    won, lost = (
        (li_na, chen) if await li_na.get_by_test_id("list-status").is_visible() else (chen, li_na)
    )
    row = {li_na: mine, chen: theirs}
    name = {li_na: "坐席 李娜", chen: "坐席 陈晨"}
    await expect(row[won].get_by_test_id("claimed-by")).to_have_text("我")
    await expect(lost.get_by_test_id("list-error")).to_have_text(
        f"{name[won]} 已先认领了这条未接来电。"
    )
    await expect(row[lost].get_by_test_id("claimed-by")).to_have_text(name[won])
    await expect(row[lost].get_by_test_id("claim")).to_have_count(0)
    await lost.screenshot(path=ARTIFACTS / "worklist-claimed-zh-CN.png", full_page=True)
    await won.screenshot(path=ARTIFACTS / "worklist-mine-zh-CN.png", full_page=True)
    # In English, the same: the winner releases, the other claims and marks it handled.
    await lost.get_by_test_id("language").select_option("en")
    await expect(row[lost].get_by_test_id("claimed-by")).to_have_text(name[won])
    await row[won].get_by_test_id("release").click()
    await expect(won.get_by_test_id("list-status")).to_have_text("已释放：任何人都可以认领。")
    await lost.get_by_test_id("refresh").click()
    await row[lost].get_by_test_id("claim").click()
    await expect(row[lost].get_by_test_id("claimed-by")).to_have_text("You")
    await won.get_by_test_id("refresh").click()
    await expect(row[won].get_by_test_id("claimed-by")).to_have_text(name[lost])
    await expect(row[won].get_by_test_id("release")).to_have_count(0)  # no longer theirs
    await expect(row[won].get_by_test_id("claim")).to_have_count(0)
    await lost.screenshot(path=ARTIFACTS / "worklist-en.png", full_page=True)
    await row[lost].get_by_test_id("mark-handled").click()
    await expect(lost.get_by_test_id("list-status")).to_have_text("Marked handled.")
    await expect(row[lost]).to_have_count(0)
    await lost.reload()
    await expect(row[lost]).to_have_count(0)
    await lost.get_by_test_id("include-done").check()
    await expect(row[lost]).to_contain_text("Handled")
    # A contact that is not his: the page says so (and nothing else leaks).
    await chen.goto(f"{sqlite_server.url}/interactions/{by_caller(CONFERENCE)}")
    await expect(chen.get_by_test_id("detail-error")).to_have_text(
        "This interaction does not exist or is not yours to see."
        if chen is lost  # the page switched to English above
        else "该联络记录不存在，或您无权查看。"
    )
    assert admin_errors == li_na_errors == chen_errors == []
