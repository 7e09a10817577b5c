"""The SIP bans page in real Chromium against `hotline demo` (issue 13): an address that guessed
a phone's password ten times is listed, in zh-CN and in en, an admin lifts the ban, the page and
a reload show it gone, the address is served again, and the lift is audited and logged as an
event. An agent may not open the page; a value that is not an address is refused by the API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Dialog, expect

from tests.integration.desktop.harness import ARTIFACTS, events, eventually, login, open_page
from tests.integration.sip.test_spoofed_bans import Forger, answer_to, status
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]

GUESSER = "127.0.0.9"


async def test_admin_sees_and_lifts_a_ban(browser: Browser, sqlite_server: ServerProcess) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    guesser = Forger(GUESSER, server.sip_port)
    try:
        for _ in range(10):
            challenge = await guesser.register()
            assert status(challenge) == 401
            assert challenge is not None
            assert status(await guesser.register(answer_to(challenge, "guess"))) == 403
        assert await guesser.register() is None  # banned: dropped
        bans = admin.get("/api/v1/sip/bans").json()
        assert [b["source"] for b in bans["items"]] == [GUESSER]

        # The browser half a day from the tenant: the ban's times are the tenant's all the same.
        page, errors = await open_page(browser, server, "admin", time_zone="America/New_York")
        await page.goto(f"{server.url}/admin/sip-bans")
        row = page.locator(f"tr[data-source='{GUESSER}']")
        await expect(row).to_contain_text("认证失败次数过多")
        since = datetime.fromtimestamp(bans["items"][0]["since"], ZoneInfo("Asia/Shanghai"))
        await expect(row).to_contain_text(since.strftime("%H:%M"))
        await expect(page.locator("h1")).to_have_text("SIP 封禁")
        await page.screenshot(path=ARTIFACTS / "sip-bans-zh-CN.png", full_page=True)

        dialogs: list[str] = []

        async def accept(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            await dialog.accept()

        page.on("dialog", accept)
        await row.get_by_test_id("lift").click()
        await expect(page.get_by_test_id("status")).to_have_text(f"已解除对 {GUESSER} 的封禁。")
        await expect(page.get_by_test_id("bans")).to_contain_text("当前没有被封禁的地址。")
        assert dialogs == [f"解除对 {GUESSER} 的封禁？"]
        await page.reload()
        await expect(page.get_by_test_id("bans")).to_contain_text("当前没有被封禁的地址。")
        assert errors == []

        # Served again; the lift is in the audit log and the event log.
        assert status(await guesser.register()) == 401
        audit = admin.get("/api/v1/audit", params={"entity": "sip_ban"}).json()["items"]
        assert [(a["action"], a["before"]) for a in audit] == [("delete", {"source": GUESSER})]
        lifted = await eventually(lambda: events(admin, "sip.source_unbanned"), bool)
        assert lifted[0]["payload"]["source"] == GUESSER

        # In English, after banning it again; lifting twice says it is gone already.
        for _ in range(10):
            challenge = await guesser.register()
            assert challenge is not None
            await guesser.register(answer_to(challenge, "guess"))
        english, en_errors = page, errors
        await english.reload()
        await english.get_by_test_id("language").select_option("en")  # the user's language
        await expect(english.locator("h1")).to_have_text("SIP bans")
        row = english.locator(f"tr[data-source='{GUESSER}']")
        await expect(row).to_contain_text("Too many failed authentications")
        await english.screenshot(path=ARTIFACTS / "sip-bans-en.png", full_page=True)
        assert admin.delete(f"/api/v1/sip/bans/{GUESSER}").status_code == 204
        await row.get_by_test_id("lift").click()
        await expect(english.get_by_test_id("status")).to_have_text(
            f"{GUESSER} is no longer banned."
        )
        assert en_errors == []
        await english.get_by_test_id("language").select_option("zh-CN")
        await expect(english.locator("h1")).to_have_text("SIP 封禁")

        refused = admin.delete("/api/v1/sip/bans/not-an-address")
        assert refused.status_code == 422
        assert refused.json()["details"]["field"] == "source"
        assert admin.delete(f"/api/v1/sip/bans/{GUESSER}").status_code == 404

        agent, _ = await open_page(browser, server, "agent1")
        response = await agent.goto(f"{server.url}/admin/sip-bans")
        assert response is not None
        assert response.status == 403
        assert login(server, "agent1").get("/api/v1/sip/bans").status_code == 403
    finally:
        guesser.close()
