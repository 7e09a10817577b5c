"""The ticket and customer screens in real Chromium against the real `hotline demo`, in zh-CN
and in English: agent1's lists (mine, her department's, overdue), a ticket's detail with the
status buttons the transition table allows, internal notes and public replies in the
timeline, reassignment within the department; a new ticket refused without a subject (a
translated message naming the field, nothing written); the customer's profile with the open
ticket; no untranslated text on any of these screens. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.desktop.harness import ARTIFACTS, items, login, open_page
from tests.integration.web.test_every_page_translated import (
    RAW_CODE,
    chinese_on,
    english_on,
    settle,
    tenant_data,
)
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "being_handled": "处理中",
        "pending": "等待客户",
        "wait_move": "等待客户",
        "resolve_move": "解决",
        "status_row": "状态变更",
        "internal": "内部备注",
        "public": "回复客户",
        "subject_field": "主题",
        "comment_field": "备注内容",
    },
    "en": {
        "being_handled": "Being handled",
        "pending": "Pending on customer",
        "wait_move": "Wait for the customer",
        "resolve_move": "Resolve",
        "status_row": "Status changed",
        "internal": "Internal note",
        "public": "Public reply",
        "subject_field": "Subject",
        "comment_field": "Comment",
    },
}


def users(admin: httpx.Client) -> dict[str, dict[str, str]]:
    return {u["username"]: u for u in items(admin, "/api/v1/users")}


def ticket_total(admin: httpx.Client) -> int:
    total: int = admin.get("/api/v1/tickets", params={"limit": 1}).json()["total"]
    return total


def ticket_detail(admin: httpx.Client, ticket_id: str) -> dict[str, Any]:
    detail: dict[str, Any] = admin.get(f"/api/v1/tickets/{ticket_id}").json()
    return detail


def seed(admin: httpx.Client, lang: str) -> dict[str, str]:
    """A customer with an open ticket assigned to agent1 (in 客服部) and an overdue one."""
    people = users(admin)
    customer = admin.post(
        "/api/v1/customers",
        json={"name": f"赵敏 {lang}", "phones": [f"1390013{9000 + len(lang):04d}"], "vip_level": 1},
    )
    customer.raise_for_status()
    ticket = admin.post(
        "/api/v1/tickets",
        json={
            "subject": f"宽带报修 {lang}",
            "department": "客服部",
            "customer_id": customer.json()["id"],
            "assignee_id": people["agent1"]["id"],
            "category": "repair",
            "description": "客户家中宽带断线两天",
        },
    )
    ticket.raise_for_status()
    return {
        "customer": customer.json()["id"],
        "ticket": ticket.json()["id"],
        "number": str(ticket.json()["number"]),
        "number_text": ticket.json()["number_text"],
        "agent2": people["agent2"]["display_name"],
        "agent2_id": people["agent2"]["id"],
    }


async def walk(
    page: Page, url: str, lang: str, seeded: dict[str, str], admin: httpx.Client
) -> None:
    words = WORDS[lang]
    await page.locator("nav.nav a[href='/tickets']").click()
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    table = page.get_by_test_id("tickets")
    await expect(table).to_have_attribute("data-loaded", "mine")
    row = table.locator(f"tr[data-ticket='{seeded['ticket']}']")
    await expect(row).to_contain_text(words["being_handled"])
    await page.screenshot(path=ARTIFACTS / f"tickets-mine-{lang}.png", full_page=True)
    await page.get_by_test_id("view-department").click()
    await expect(table).to_have_attribute("data-loaded", "department")
    await expect(row).to_be_visible()
    await page.get_by_test_id("view-overdue").click()
    await expect(table).to_have_attribute("data-loaded", "overdue")
    await expect(row).to_have_count(0)
    await page.get_by_test_id("view-all").click()
    await expect(table).to_have_attribute("data-loaded", "all")

    # A new ticket without a subject: the server's message, translated, naming the field.
    before = ticket_total(admin)
    await page.get_by_test_id("new-ticket").click()
    await expect(page.get_by_test_id("ticket-dialog")).to_be_visible()
    await page.get_by_test_id("ticket-form-save").click()
    error = page.get_by_test_id("ticket-form-error")
    await expect(error).to_contain_text(words["subject_field"])
    assert not RAW_CODE.search(await error.inner_text())
    await page.screenshot(path=ARTIFACTS / f"tickets-new-error-{lang}.png")
    assert ticket_total(admin) == before
    await page.locator("#ticket-form-cancel").click()

    # The detail: status buttons from the transition table, comments, reassignment.
    await row.get_by_test_id("ticket-link").click()
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await expect(page.get_by_test_id("ticket-number")).to_contain_text(seeded["number_text"])
    await expect(page.get_by_test_id("ticket-status")).to_have_text(words["being_handled"])
    moves = page.get_by_test_id("ticket-moves")
    await expect(moves.get_by_test_id("move-pending")).to_have_text(words["wait_move"])
    await expect(moves.get_by_test_id("move-resolved")).to_have_text(words["resolve_move"])
    await expect(moves.get_by_test_id("move-open")).to_have_count(0)  # it is open already
    await moves.get_by_test_id("move-pending").click()
    await expect(page.get_by_test_id("ticket-status")).to_have_text(words["pending"])
    await expect(moves.get_by_test_id("move-pending")).to_have_count(0)
    timeline = page.get_by_test_id("ticket-timeline")
    await expect(timeline.locator("tr[data-type='ticket.status_changed']")).to_contain_text(
        words["status_row"]
    )

    # An empty comment is refused in the page's language; nothing is written.
    await page.get_by_test_id("comment-save").click()
    comment_error = page.get_by_test_id("comment-error")
    await expect(comment_error).to_contain_text(words["comment_field"])
    assert not RAW_CODE.search(await comment_error.inner_text())
    detail = ticket_detail(admin, seeded["ticket"])
    assert detail["comments"] == []
    await page.get_by_test_id("comment-body").fill("已电话联系客户，约明天上门")
    await page.get_by_test_id("comment-save").click()
    await expect(timeline.get_by_test_id("internal-comment")).to_have_text(
        "已电话联系客户，约明天上门"
    )
    await page.get_by_test_id("comment-public").check()
    await page.get_by_test_id("comment-body").fill("您好，师傅明天上午上门检修。")
    await page.get_by_test_id("comment-save").click()
    await expect(timeline.get_by_test_id("public-comment")).to_have_text(
        "您好，师傅明天上午上门检修。"
    )
    await expect(timeline).to_contain_text(words["internal"])
    await expect(timeline).to_contain_text(words["public"])

    await page.get_by_test_id("assign-assignee").select_option(seeded["agent2_id"])
    await page.get_by_test_id("assign-save").click()
    await expect(page.get_by_test_id("fact-assignee")).to_have_text(seeded["agent2"])
    await expect(timeline.locator("tr[data-type='ticket.assigned']").last).to_contain_text(
        seeded["agent2"]
    )
    await page.screenshot(path=ARTIFACTS / f"ticket-detail-{lang}.png", full_page=True)
    after = ticket_detail(admin, seeded["ticket"])
    assert (after["status"], after["assignee_id"]) == ("pending", seeded["agent2_id"])
    assert [c["public"] for c in after["comments"]] == [False, True]

    # The customer's profile: from the ticket, with the open ticket and the timeline.
    await page.get_by_test_id("fact-customer").get_by_role("link").click()
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await expect(page.get_by_test_id("customer-name")).to_contain_text("赵敏")
    await expect(page.get_by_test_id("customer-open-tickets")).to_contain_text(seeded["number"])
    await expect(page.get_by_test_id("customer-timeline")).to_contain_text(seeded["number"])
    await page.screenshot(path=ARTIFACTS / f"customer-profile-{lang}.png", full_page=True)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_tickets_and_customers_walk(
    browser: Browser, sqlite_server: ServerProcess, lang: str
) -> None:
    sqlite_server.start("demo")
    admin = login(sqlite_server, "admin")
    seeded = seed(admin, lang)
    url = sqlite_server.url
    page, errors = await open_page(browser, sqlite_server, "agent1", lang=lang)
    await walk(page, url, lang, seeded, admin)

    # Nothing untranslated on the screens walked (the tenant's own data aside: departments,
    # categories, the ticket's subject, description and comments).
    data = (
        tenant_data(admin)
        + "\n"
        + "\n".join(
            json.dumps(items(admin, path), ensure_ascii=False)
            for path in ("/api/v1/ticket-departments", "/api/v1/ticket-categories")
        )
    )
    data += json.dumps(ticket_detail(admin, seeded["ticket"]), ensure_ascii=False)
    check = english_on if lang == "zh-CN" else chinese_on
    problems: list[str] = []
    for path in [
        "/tickets",
        "/tickets?view=department",
        f"/tickets/{seeded['ticket']}",
        f"/customers/{seeded['customer']}",
        "/admin/customers",
    ]:
        await page.goto(url + path)
        await settle(page)
        problems += await check(page, data + "\n" + "\n".join(seeded.values()))
    # The customers list links each name to the profile.
    await page.get_by_test_id("row-link").first.click()
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await expect(page.get_by_test_id("customer-profile")).to_be_visible()
    assert problems == []
    assert errors == []
