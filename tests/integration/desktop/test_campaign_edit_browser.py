"""Issue 24 in real Chromium against the real `hotline demo`, in zh-CN and en: the admin edits
a campaign on the campaigns screen — a bad abandon cap first, refused naming the field in the
page's language, nothing written — then sets its cap, its 30-day abandon window, dispositions
(what each does to its record next, in the page's language; an unknown word refused),
retries and what answering machines get (the retry rule's machine action and message);
starts it, and watches its figures move as the server dials a sipp callee population (busy
and dead numbers) through the trunk. The wallboard shows the campaign with
its abandon rate over its window. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.integration.dialer.test_live import callees
from tests.integration.web.test_call_lists_browser import _import, _run
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.sipp]

# The callees answer by the number's last digit: 6 busy, 4 no such number (404).
LIST = "名单,手机,姓名\n提醒,13800138006,王一\n提醒,13800138016,李二\n提醒,13800138004,张三\n"
FIELD = {"zh-CN": "放弃率上限（百分比）", "en": "Abandon cap (percent)"}
PROBLEM = {"zh-CN": "0 到 3 %", "en": "between 0 and 3 %"}
WINDOW = {"zh-CN": "30 天", "en": "30 days"}
FLAGS = {"zh-CN": "本人接通 转化", "en": "right_party conversion"}
MESSAGE = {"zh-CN": "您好，请回电。", "en": "Hello, please call us back."}
# What a disposition does to its record next: done, and the number on the do-not-call list.
THEN = {"zh-CN": ("完成", "勿扰"), "en": ("done", "dnc")}
BAD_THEN = {
    "zh-CN": "之后的处理只能是完成、重拨、错号、勿扰之一",
    "en": "one of done, retry, invalid, dnc",
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_edit_a_campaign_then_watch_its_figures_on_the_screen_and_the_wallboard(
    chromium: Browser, tmp_path: Path, lang: str
) -> None:
    async with callees(tmp_path) as (callee_port, _sink, _folder):
        trunk = {"name": "pstn", "host": "127.0.0.1", "port": callee_port,
                 "inbound_sources": [f"127.0.0.1:{callee_port}"]}  # fmt: skip
        server = ServerProcess(
            tmp_path / "var",
            f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
            HOTLINE_SIP__TRUNKS=json.dumps([trunk]),
        )
        try:
            server.start("demo")
            admin = login(server, "admin")
            page, errors = await open_page(chromium, server, "admin", lang=lang)
            path = tmp_path / "提醒.csv"
            path.write_text(LIST, encoding="utf-8")
            await _import(page, server.url, path, "外呼名单" if lang == "zh-CN" else "Call lists")
            await _run(page, "commit", "done")
            lists = admin.get("/api/v1/call-lists").json()["items"]
            made = admin.post("/api/v1/campaigns", json={
                "name": "提醒 " + lang, "mode": "agentless", "flow_id": "main",
                "retry": {"machine": {"interval_s": 7200, "max_attempts": 2,
                                      "action": "hang_up"}},
            })  # fmt: skip
            assert made.status_code == 201, made.text
            campaign = made.json()["id"]
            attached = admin.post(
                f"/api/v1/campaigns/{campaign}/lists", json={"list_id": lists[0]["id"]}
            )
            assert attached.json()["added"] == 3, attached.text

            await page.goto(f"{server.url}/admin/campaigns")
            row = page.get_by_test_id("campaign-row")
            await expect(row).to_have_attribute("data-status", "draft")
            await row.get_by_test_id("campaign-edit").click()
            form = page.get_by_test_id("campaign-form")
            await expect(form).to_be_visible()
            await expect(page.get_by_test_id("campaign-list-row")).to_have_count(1)
            # What machines get is the retry rule's (one setting): shown in its own fields.
            await expect(page.get_by_test_id("campaign-machine")).to_have_value("hang_up")
            await expect(page.get_by_test_id("campaign-retry")).to_have_value("machine 120 2")
            # A bad value first: refused naming the field, in the page's language.
            await page.get_by_test_id("campaign-abandon-cap").fill("5")
            await page.get_by_test_id("campaign-save").click()
            refusal = page.get_by_test_id("campaign-error")
            await expect(refusal).to_contain_text(FIELD[lang])
            await expect(refusal).to_contain_text(PROBLEM[lang])
            # ... and under the field itself, which is marked and has the focus (the form is
            # long: the top of the page may be out of sight).
            cap = page.get_by_test_id("campaign-abandon-cap")
            await expect(cap).to_have_attribute("aria-invalid", "true")
            await expect(cap).to_be_focused()
            under = page.get_by_test_id("campaign-field-error")
            await expect(under).to_have_count(1)
            await expect(under).to_contain_text(PROBLEM[lang])
            assert await under.evaluate(
                "(p) => p.previousElementSibling.contains("
                "document.querySelector('[data-testid=campaign-abandon-cap]'))"
            )
            await page.screenshot(path=ARTIFACTS / f"campaign-edit-refused-{lang}.png",
                                  full_page=True)  # fmt: skip
            assert admin.get(f"/api/v1/campaigns/{campaign}").json()["abandon_cap"] == 0.03
            # Then good values: the cap, the FTC's 30 days, retries and dispositions.
            await page.get_by_test_id("campaign-abandon-cap").fill("2")
            await page.get_by_test_id("campaign-abandon-window").select_option("2592000")
            await page.get_by_test_id("campaign-retry").fill("busy 1 3\nmachine 120 2\nmax 6")
            await page.get_by_test_id("campaign-machine").select_option("message")
            await page.get_by_test_id("campaign-machine-message-zh").fill(MESSAGE["zh-CN"])
            await page.get_by_test_id("campaign-machine-message-en").fill(MESSAGE["en"])
            done, dnc = THEN[lang]
            dispositions = page.get_by_test_id("campaign-dispositions")
            await dispositions.fill(f"confirmed | 已确认 | Confirmed | {FLAGS[lang]} | later")
            await page.get_by_test_id("campaign-save").click()
            await expect(refusal).to_contain_text(BAD_THEN[lang])
            # The form's own check names its field too; the earlier mark is gone.
            await expect(dispositions).to_have_attribute("aria-invalid", "true")
            await expect(cap).not_to_have_attribute("aria-invalid", "true")
            await expect(under).to_have_count(1)
            await expect(under).to_contain_text(BAD_THEN[lang])
            await page.screenshot(path=ARTIFACTS / f"campaign-disposition-then-refused-{lang}.png",
                                  full_page=True)  # fmt: skip
            assert admin.get(f"/api/v1/campaigns/{campaign}").json()["dispositions"] == []
            await dispositions.fill(
                f"confirmed | 已确认 | Confirmed | {FLAGS[lang]} | {done}\n"
                f"stop | 勿扰 | Do not call | | {dnc}"
            )
            await page.screenshot(path=ARTIFACTS / f"campaign-disposition-then-{lang}.png",
                                  full_page=True)  # fmt: skip
            await page.get_by_test_id("campaign-save").click()
            await expect(page.get_by_test_id("campaign-status")).to_be_visible()
            await expect(form).to_be_hidden()
            shown = admin.get(f"/api/v1/campaigns/{campaign}").json()
            assert shown["abandon_cap"] == 0.02
            assert shown["abandon_window_s"] == 30 * 86_400
            assert shown["retry"] == {
                "busy": {"interval_s": 60, "max_attempts": 3},
                "machine": {"interval_s": 7200, "max_attempts": 2, "action": "message",
                            "message": MESSAGE},
                "max_attempts": 6,
            }  # fmt: skip
            assert "amd_action" not in shown
            assert [
                (d["code"], d["right_party"], d["conversion"], d["then"])
                for d in shown["dispositions"]
            ] == [("confirmed", True, True, "done"), ("stop", False, False, "dnc")]
            audit = admin.get("/api/v1/audit", params={"entity": "campaign"}).json()["items"]
            assert audit[0]["after"]["abandon_cap"] == 0.02

            # Running: the figures move as the server dials.
            await expect(row.get_by_test_id("campaign-dials")).to_have_text("0")
            await row.get_by_test_id("campaign-start").click()
            await expect(row).to_have_attribute("data-status", "running")
            await expect(row.get_by_test_id("campaign-dials")).to_have_text("3", timeout=60_000)
            await expect(row.get_by_test_id("campaign-penetration")).to_have_text("100.0%")
            await expect(row.get_by_test_id("campaign-abandon-rate-window")).to_contain_text(
                WINDOW[lang]
            )
            await page.screenshot(path=ARTIFACTS / f"campaign-figures-{lang}.png", full_page=True)
            # Running, the mode stays: the screen says why, the server refuses it.
            await row.get_by_test_id("campaign-edit").click()
            await expect(page.get_by_test_id("campaign-running-note")).to_be_visible()
            await expect(dispositions).to_have_value(  # written back in the page's language
                f"confirmed | 已确认 | Confirmed | {FLAGS[lang]} | {done}\n"
                f"stop | 勿扰 | Do not call |  | {dnc}"
            )
            await page.get_by_test_id("campaign-mode").select_option("progressive")
            await page.get_by_test_id("campaign-save").click()
            await expect(refusal).to_be_visible()
            await page.get_by_test_id("campaign-cancel").click()

            # The wallboard: the campaign with its abandon rate over its window.
            board, board_errors = await open_page(chromium, server, "supervisor", lang=lang)
            await board.goto(f"{server.url}/wallboard")
            card = board.get_by_test_id("board-campaign")
            await expect(card).to_be_visible(timeout=20_000)
            await expect(card).to_contain_text("提醒 " + lang)
            await expect(card).to_contain_text(WINDOW[lang])
            await expect(card.get_by_test_id("board-campaign-dials")).to_have_text("3")
            await expect(card.get_by_test_id("board-campaign-abandon-window")).to_have_text("0.0%")
            await board.screenshot(path=ARTIFACTS / f"wallboard-campaigns-{lang}.png",
                                   full_page=True)  # fmt: skip
            await board.goto(f"{server.url}/wallboard/tv")
            tv_card = board.get_by_test_id("board-campaign")
            await expect(tv_card).to_contain_text(WINDOW[lang], timeout=20_000)
            await board.screenshot(path=ARTIFACTS / f"wallboard-tv-campaigns-{lang}.png")
            assert errors == []
            assert board_errors == []
        finally:
            server.stop()
