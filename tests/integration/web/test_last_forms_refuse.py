"""The forms the every-page walk left out refuse one bad value each, in zh-CN and in en (issue
18, ADR 0125): the supervisor's actions on the wallboard (a whisper to a SIP extension that is
no extension, a forced 示忙 with a reason the center turned off meanwhile), the customer dialog
(a phone that is no number), the flow editor (publishing a flow with dangling branches), the
emergency switch (a message past its limit), the import's mapping step (one field fed by two
columns) and the authenticator app (a wrong code). Each error is in the page's language, names
its field as the form does and no raw code; the page shows no English in zh-CN (no Chinese but
the tenant's data in en); the database holds nothing of the refused value afterwards.

Chromium runs in Chinese (`--lang=zh-CN`, its native date controls in Chinese) with its own
time zone in New York: the times the pages show are the tenant's (Asia/Shanghai) all the same.
One server, one browser, one logged-in page per role and language. Screenshots of each error
go to test-artifacts/."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from hotline.auth.totp import matching_step
from hotline.flows.errors import AT_COLUMN, REGEX_TEMPLATES
from hotline.web.i18n import Catalogs
from tests.integration.desktop.harness import ARTIFACTS, items, login, open_page
from tests.integration.desktop.language import (
    RAW_CODE,
    chinese_on,
    english_on,
    refused,
    tenant_data,
)
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BROWSER_ZONE = "America/New_York"  # 12 or 13 hours from the tenant's
TENANT_ZONE = ZoneInfo("Asia/Shanghai")
BAD_FLOW = "name: main\nstart: nowhere\nnodes:\n  greet:\n    type: play\n"
# Its fields hold, so it can be drawn; a condition's parenthesis and a pattern are not closed.
EXPRESSION_FLOW = """name: main
start: ask
variables:
  tier: {type: integer, default: 0}
nodes:
  ask:
    type: condition
    branches:
      - when: "(tier == 1"
        next: pin
    otherwise: pin
  pin:
    type: collect
    prompt: {tts: 请输入}
    variable: code
    pattern: "([0-9]+"
    next: bye
  bye: {type: hangup}
"""
STALE = (
    "The flow cannot be drawn until the problems in the editor are fixed; "
    "the diagram below is the last one that could be drawn."
)
CATALOG = Catalogs()


class Walk:
    """One language's walk: what it found wrong, what each form said."""

    def __init__(self, lang: str, data: str, admin: httpx.Client) -> None:
        self.lang = lang
        self.data = data
        self.admin = admin
        self.problems: list[str] = []
        self.said: dict[str, str] = {}

    def label(self, message_id: str) -> str:
        return CATALOG.gettext(self.lang, message_id)

    async def looked_at(self, page: Page, name: str) -> None:
        check = english_on if self.lang == "zh-CN" else chinese_on
        self.problems.extend(await check(page, self.data))
        await page.screenshot(path=ARTIFACTS / f"last-{name}-{self.lang}.png", full_page=True)

    async def shown(self, page: Page, name: str, box: str, field: str) -> None:
        """The error in `box`: visible, naming `field` (a message id), no raw code."""
        error = page.locator(box)
        await expect(error).to_be_visible()
        await expect(error).to_contain_text(self.label(field))
        text = await error.inner_text()
        self.said[name] = text
        if RAW_CODE.search(text) or "[" in text:
            self.problems.append(f"{name}: raw code in {text!r}")
        await self.looked_at(page, name)

    def audited(self, action: str) -> int:
        return sum(1 for row in items(self.admin, "/api/v1/audit") if row["action"] == action)


async def emergency_switch(walk: Walk, page: Page, url: str) -> None:
    await page.goto(f"{url}/admin/flows")
    await expect(page.get_by_test_id("emergency-status")).not_to_be_empty()
    before = walk.audited("update")
    await page.locator("#emergency-active").check()
    # Past the field's limit (500): the browser's own limit set aside, as a script could.
    await page.get_by_test_id("emergency-message").evaluate("(e) => { e.value = 'x'.repeat(600); }")
    await page.get_by_test_id("emergency-save").click()
    await walk.shown(page, "emergency", "[data-testid=emergency-error]", "Announcement")
    assert walk.admin.get("/api/v1/emergency").json()["active"] is False
    assert walk.audited("update") == before
    # A good message turns it on; the time it shows is the tenant's, not the browser's.
    await page.get_by_test_id("emergency-message").fill("系统维护中")
    await page.get_by_test_id("emergency-save").click()
    await expect(page.get_by_test_id("emergency-error")).to_be_hidden()
    since = walk.admin.get("/api/v1/emergency").json()["since"]
    instant = datetime.fromisoformat(since)
    status = page.get_by_test_id("emergency-status")
    await expect(status).to_contain_text(instant.astimezone(TENANT_ZONE).strftime("%H:%M"))
    await expect(status).not_to_contain_text(
        instant.astimezone(ZoneInfo(BROWSER_ZONE)).strftime("%H:%M")
    )
    await walk.looked_at(page, "emergency-on")
    await audit_log_time(walk, page, url)
    await page.goto(f"{url}/admin/flows")
    switch = page.get_by_test_id("emergency")
    await expect(switch).to_have_class(re.compile(r"\balarm\b"))  # the page has read it
    await page.locator("#emergency-active").uncheck()
    await page.get_by_test_id("emergency-save").click()
    await expect(switch).not_to_have_class(re.compile(r"\balarm\b"))
    assert walk.admin.get("/api/v1/emergency").json()["active"] is False


async def audit_log_time(walk: Walk, page: Page, url: str) -> None:
    """The audit log's newest row (the switch turned on) at the tenant's time of day."""
    newest = items(walk.admin, "/api/v1/audit")[0]
    instant = datetime.fromtimestamp(newest["at"], TENANT_ZONE)
    await page.goto(f"{url}/admin/audit")
    first = page.locator("table tbody tr").first
    await expect(first).to_contain_text(instant.strftime("%H:%M"))
    assert instant.astimezone(ZoneInfo(BROWSER_ZONE)).strftime("%H:%M") not in (
        await first.inner_text()
    )
    # The log shows each change's values: what this walk typed since it began is data too.
    walk.data = tenant_data(walk.admin)
    await walk.looked_at(page, "audit")


def tenant_days() -> set[date]:
    """Today in the tenant's zone (two days when midnight passes while a page loads)."""
    now = datetime.now(TENANT_ZONE)
    return {now.date(), (now + timedelta(seconds=30)).date()}


async def today_is_the_tenants(walk: Walk, admin: Page, agent: Page, url: str) -> None:
    """Workforce planning and my schedule open on the tenant's today, this week and the next
    Monday, not the browser's (13 hours apart: New York is on the day before until 13:00 in
    Shanghai)."""
    days = tenant_days()
    await admin.goto(f"{url}/wfm")
    await expect(admin.locator("body")).to_have_attribute("data-ready", "true")
    day = await admin.locator("#adherence-day").input_value()
    assert day in {d.isoformat() for d in days}, day
    week = await admin.locator("#plan-week").input_value()
    assert week in {(d + timedelta(days=(7 - d.weekday()) % 7)).isoformat() for d in days}, week
    await walk.looked_at(admin, "wfm-today")
    await agent.goto(f"{url}/my-schedule")
    await expect(agent.get_by_test_id("week")).not_to_have_value("")
    week = await agent.get_by_test_id("week").input_value()
    assert week in {(d - timedelta(days=d.weekday())).isoformat() for d in days}, week
    await walk.looked_at(agent, "my-week")


async def time_off_is_the_tenants(walk: Walk, agent: Page, url: str, api: httpx.Client) -> None:
    """A time off typed as 09:00–17:30 in New York's browser (`datetime-local`: no zone) is the
    center's 09:00–17:30 in Shanghai, stored and shown so; the form says whose times they are."""
    day = max(tenant_days()) + timedelta(days=40 if walk.lang == "en" else 30)
    await agent.goto(f"{url}/my-schedule")
    await expect(agent.get_by_test_id("off-zone")).to_contain_text("Asia/Shanghai")
    await agent.get_by_test_id("off-from").fill(f"{day.isoformat()}T09:00")
    await agent.get_by_test_id("off-to").fill(f"{day.isoformat()}T17:30")
    await agent.get_by_test_id("off-submit").click()
    row = agent.locator("#request-rows tr", has_text=day.isoformat())
    await expect(row).to_contain_text(f"{day.isoformat()} 09:00 – {day.isoformat()} 17:30")
    mine = items(api, "/api/v1/wfm/requests/mine")
    stored = next(
        r
        for r in mine
        if r["kind"] == "time_off"
        and datetime.fromisoformat(r["starts_at"]).astimezone(TENANT_ZONE).date() == day
    )
    starts = datetime.fromisoformat(stored["starts_at"])
    ends = datetime.fromisoformat(stored["ends_at"])
    assert starts == datetime(day.year, day.month, day.day, 9, 0, tzinfo=TENANT_ZONE), starts
    assert ends == datetime(day.year, day.month, day.day, 17, 30, tzinfo=TENANT_ZONE), ends
    await walk.looked_at(agent, "time-off")
    # One time with a zone and one without cannot be compared: said, not a server error.
    answer = await asyncio.to_thread(
        api.post,
        "/api/v1/wfm/requests",
        json={
            "kind": "time_off",
            "starts_at": f"{day.isoformat()}T09:00",
            "ends_at": f"{day.isoformat()}T17:30:00+08:00",
        },
        headers={"Accept-Language": walk.lang},
    )
    assert answer.status_code == 422, answer.text
    said = "Give the start and the end both in the center's time, or both with a time zone."
    assert answer.json()["message"] == walk.label(said), answer.json()


async def flow_editor(walk: Walk, page: Page, url: str) -> None:
    versions = walk.admin.get("/api/v1/flows/main").json()["history"]
    await page.goto(f"{url}/admin/flows/main")
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(len(versions))
    await page.get_by_test_id("tab-yaml").click()  # the advanced view: the document as YAML
    await page.get_by_test_id("flow-editor").fill(BAD_FLOW)
    await page.get_by_test_id("flow-publish").click()
    # start: no node 'nowhere'; greet: no prompt, no next.
    issues = page.get_by_test_id("flow-issues")
    await expect(issues.locator("li")).to_have_count(3)
    no_node = walk.label("no node '%(target)s'") % {"target": "nowhere"}
    await expect(issues).to_contain_text(no_node)
    await expect(issues).to_contain_text(walk.label("this field is required"))
    walk.said["flow"] = await page.get_by_test_id("flow-issues").inner_text()
    # Its fields are wrong: no diagram of it; the old one stays, said to be stale.
    await expect(page.get_by_test_id("diagram-stale")).to_be_visible()
    await expect(page.get_by_test_id("diagram-stale")).to_have_text(walk.label(STALE))
    await expect(page.get_by_test_id("diagram")).to_have_attribute("data-stale", "true")
    await walk.looked_at(page, "flow")
    # Not even YAML: stale too.
    await page.get_by_test_id("flow-editor").fill("name: [main")
    await page.get_by_test_id("flow-check").click()
    await expect(page.get_by_test_id("diagram-stale")).to_be_visible()
    # Fields right, an expression and a pattern wrong: drawn again, and what is wrong is said.
    await page.get_by_test_id("flow-editor").fill(EXPRESSION_FLOW)
    await page.get_by_test_id("flow-check").click()
    await expect(issues.locator("li")).to_have_count(2)
    await expect(page.get_by_test_id("diagram-stale")).to_be_hidden()
    await expect(page.get_by_test_id("diagram")).to_have_attribute("data-stale", "false")
    await expect(page.locator('.node[data-node="pin"]')).to_have_count(1)
    unclosed = walk.label("expected '%(expected)s', found the end of the expression" + AT_COLUMN)
    await expect(issues.locator("li").first).to_contain_text(
        unclosed % {"expected": ")", "column": 11, "source": "(tier == 1"}
    )
    bad_pattern = walk.label(REGEX_TEMPLATES[0]) % {"position": 1}
    await expect(issues.locator("li").nth(1)).to_contain_text(bad_pattern)
    walk.said["flow-expression"] = await issues.inner_text()
    if walk.lang == "zh-CN":
        assert "无效" not in walk.said["flow-expression"], walk.said["flow-expression"]
    await walk.looked_at(page, "flow-expression")
    # Nothing published, nothing audited.
    assert len(walk.admin.get("/api/v1/flows/main").json()["history"]) == len(versions)
    # The versions' times are the tenant's.
    newest = datetime.fromisoformat(versions[-1]["published_at"])
    shown = await page.get_by_test_id("versions").locator("tr").first.inner_text()
    assert newest.astimezone(TENANT_ZONE).strftime("%H:%M") in shown, shown


async def customer_dialog(walk: Walk, page: Page, url: str) -> None:
    await page.goto(f"{url}/admin/customers")
    await page.get_by_test_id("create").click()
    await expect(page.locator("dialog#editor")).to_be_visible()
    name = f"坏号码客户 {walk.lang}"
    values = {"#editor-fields [name=name]": name, "#editor-fields [name=phones]": "call mum"}
    shot = ARTIFACTS / f"last-customer-{walk.lang}.png"
    walk.said["customer"], raw = await refused(page, "#editor-form", "#editor-error", values, shot)
    walk.problems.extend(raw)
    await walk.shown(page, "customer", "#editor-error", "Phones")
    assert not [c for c in items(walk.admin, "/api/v1/customers") if c["name"] == name]


async def second_factor(walk: Walk, page: Page, url: str) -> None:
    await page.goto(f"{url}/account")
    await page.locator("#totp-start").click()
    await expect(page.get_by_test_id("totp-secret")).not_to_be_empty()
    secret = (await page.get_by_test_id("totp-secret").inner_text()).replace(" ", "")
    wrong = next(
        code
        for code in (f"{n:06d}" for n in range(0, 1_000_000, 7919))
        if matching_step(secret, code, now=time.time(), last_step=None) is None
    )
    shot = ARTIFACTS / f"last-totp-{walk.lang}.png"
    values = {"[data-testid=totp-code]": wrong}
    text, raw = await refused(page, "#totp-confirm-form", "#totp-error", values, shot)
    walk.said["totp"] = text
    walk.problems.extend(raw)
    await walk.looked_at(page, "totp")
    assert walk.admin.get("/api/v1/auth/totp").json()["enabled"] is False


async def import_mapping(walk: Walk, page: Page, url: str, folder: Path) -> None:
    path = folder / f"名单-{walk.lang}.csv"
    text = "姓名,手机\n张三,13800138000\n"
    path.write_text(text, encoding="utf-8")
    walk.data += f"\n{path.name}\n{text}"  # the file's own words are data, like the tenant's
    await page.goto(f"{url}/admin/imports")
    await page.get_by_test_id("file").set_input_files(path)
    await page.get_by_test_id("upload").click()
    await page.wait_for_url(f"{url}/admin/imports/*")
    await expect(page.get_by_test_id("field-A")).to_have_value("name")
    import_id = page.url.rsplit("/", 1)[1]
    before = walk.admin.get(f"/api/v1/imports/{import_id}").json()["mapping"]
    await page.get_by_test_id("field-B").select_option("name")  # 姓名 from two columns
    name = next(
        f["label_zh" if walk.lang == "zh-CN" else "label_en"]
        for t in walk.admin.get("/api/v1/import-targets").json()["items"]
        if t["name"] == "customers"
        for f in t["fields"]
        if f["name"] == "name"
    )
    error = page.locator("#map-error")
    await expect(error).to_contain_text(name)
    walk.said["mapping"] = await error.inner_text()
    await walk.looked_at(page, "mapping")
    assert walk.admin.get(f"/api/v1/imports/{import_id}").json()["mapping"] == before


def desk_state(agent: httpx.Client) -> tuple[str, str | None]:
    desk = agent.get("/api/v1/desk").json()
    return desk["state"], desk["reason"]


async def wallboard(walk: Walk, page: Page, url: str, agent: httpx.Client) -> None:
    await page.goto(f"{url}/wallboard")
    row = page.get_by_test_id("agents").locator("tbody tr").first
    # Just logged in at a SIP phone: 示忙 for a reason of the system, in words.
    await expect(row).to_contain_text(walk.label("Just logged in"))
    before = (walk.audited("monitor.whisper"), walk.audited("force_state"))
    # A whisper through a SIP extension that is none (the buttons wait for a call: a script
    # could send it all the same).
    await page.get_by_test_id("supervisor-phone").select_option("sip")
    await page.get_by_test_id("supervisor-extension").fill("no such phone")
    # Enabled and clicked at once: the board re-renders its rows every second.
    await row.locator("[data-action=whisper]").evaluate("(b) => { b.disabled = false; b.click(); }")
    await walk.shown(page, "whisper", "[data-testid=supervise-error]", "Extension")
    # 示忙 with a reason the center turned off since the board was opened.
    reason = next(r for r in items(walk.admin, "/api/v1/not-ready-reasons") if r["active"])
    fields = {k: reason[k] for k in ("code", "label_zh", "label_en")}
    walk.admin.put(
        f"/api/v1/not-ready-reasons/{reason['id']}", json={**fields, "active": False}
    ).raise_for_status()
    try:
        await row.locator("details.menu summary").click()
        await row.locator(f"[data-action=force-not-ready][data-reason={reason['code']}]").click()
        await walk.shown(page, "force", "[data-testid=supervise-error]", "Reason")
        # The board read the reasons again: the one turned off is no longer offered.
        stale = row.locator(f"[data-action=force-not-ready][data-reason={reason['code']}]")
        await expect(stale).to_have_count(0)
        await expect(row.locator("[data-action=force-not-ready]").first).to_be_attached()
    finally:
        walk.admin.put(
            f"/api/v1/not-ready-reasons/{reason['id']}", json={**fields, "active": True}
        ).raise_for_status()
    assert desk_state(agent) == ("not_ready", "login")
    assert (walk.audited("monitor.whisper"), walk.audited("force_state")) == before


async def test_the_last_forms_refuse_a_bad_value_in_zh_cn_and_en(
    zh_browser: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    agent = login(server, "agent1")
    agent2 = login(server, "agent2")
    agent.post("/api/v1/desk/login", json={"phone": "sip"}).raise_for_status()
    data = tenant_data(admin)
    walks: list[Walk] = []
    errors: list[str] = []
    for lang in ("zh-CN", "en"):
        walk = Walk(lang, data, admin)
        walks.append(walk)
        page, page_errors = await open_page(
            zh_browser, server, "admin", lang=lang, time_zone=BROWSER_ZONE
        )
        errors += page_errors
        await emergency_switch(walk, page, server.url)
        agent_page, agent_errors = await open_page(
            zh_browser, server, "agent2", lang=lang, time_zone=BROWSER_ZONE
        )
        errors += agent_errors
        await today_is_the_tenants(walk, page, agent_page, server.url)
        await time_off_is_the_tenants(walk, agent_page, server.url, agent2)
        await agent_page.context.close()
        await flow_editor(walk, page, server.url)
        await customer_dialog(walk, page, server.url)
        await import_mapping(walk, page, server.url, tmp_path)
        await second_factor(walk, page, server.url)
        board, board_errors = await open_page(
            zh_browser, server, "supervisor", lang=lang, time_zone=BROWSER_ZONE
        )
        errors += board_errors
        await wallboard(walk, board, server.url, agent)
        await page.context.close()
        await board.context.close()
        print(lang, walk.said)
    found = [p for w in walks for p in w.problems]
    assert found == [], "\n".join(found)
    assert errors == []
