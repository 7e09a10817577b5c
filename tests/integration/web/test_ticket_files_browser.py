"""The ticket page's files and watchers, and the flow editor's check of a ticket node, in real
Chromium against `hotline demo`, in zh-CN and in English: a PNG is attached and listed with
its size and downloads as sent; a file over the center's limit and a file of a refused type
are refused in the page's language before anything is sent, and the server refuses them too
when asked directly (translated, nothing written); a colleague is added as a watcher and
removed; an unknown user is refused by the server; a flow whose ticket node names a department
and a category the center does not have is refused with the node, the field and the name in
the page's language. Screenshots go to test-artifacts/."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.desktop.harness import ARTIFACTS, items, login, open_page
from tests.integration.web.test_every_page_translated import RAW_CODE
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "too_large": "附件最大 1 MB",
        "type": "不能作为附件",
        "attached": "已上传",
        "nobody": "暂无关注人",
        "server_large": "文件超过了附件大小上限",
        "server_user": "本中心没有这个用户",
        "department": "没有编码为“无此部门”的工单部门",
        "category": "没有编码为“nothing”的工单类别",
        "node": "节点 open",
        "field": "department",  # the document's own key, shown as code
    },
    "en": {
        "too_large": "attachments may be at most 1 MB",
        "type": "cannot be attached",
        "attached": "is attached",
        "nobody": "Nobody watches this ticket.",
        "server_large": "larger than attachments may be",
        "server_user": "No such user in this center.",
        "department": "no ticket department '无此部门'",
        "category": "no ticket category 'nothing'",
        "node": "node open",
        "field": "department",
    },
}

BAD_FLOW = """name: vm-tickets
start: open
nodes:
  open:
    type: ticket
    department: 无此部门
    category: nothing
    subject: 报修
    next: bye
  bye:
    type: hangup
"""


def png(width: int = 4, height: int = 4) -> bytes:
    """A small valid PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


def seed(admin: httpx.Client, lang: str) -> dict[str, Any]:
    people = {u["username"]: u for u in items(admin, "/api/v1/users")}
    made = admin.post(
        "/api/v1/tickets",
        json={"subject": f"发票附件 {lang}", "department": "客服部",
              "assignee_id": people["agent1"]["id"]},
    )  # fmt: skip
    made.raise_for_status()
    return {"ticket": made.json()["id"], "agent2": people["agent2"], "agent1": people["agent1"]}


def detail(admin: httpx.Client, ticket_id: str) -> dict[str, Any]:
    found: dict[str, Any] = admin.get(f"/api/v1/tickets/{ticket_id}").json()
    return found


async def files_and_watchers(
    page: Page, lang: str, seeded: dict[str, Any], admin: httpx.Client, tmp: Path
) -> None:
    words = WORDS[lang]
    ticket_id = seeded["ticket"]
    await page.goto(f"{page.url.rstrip('/')}/tickets/{ticket_id}")
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await expect(page.get_by_test_id("attach-limits")).to_contain_text("1 MB")

    # Refused before sending: too large, then a type the center does not take.
    big = tmp / "scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1_600_000))
    await page.get_by_test_id("attach-file").set_input_files(str(big))
    await page.get_by_test_id("attach-save").click()
    error = page.get_by_test_id("attach-error")
    await expect(error).to_contain_text(words["too_large"])
    exe = tmp / "安装包.exe"
    exe.write_bytes(b"MZ" + b"\x00" * 100)
    await page.get_by_test_id("attach-file").set_input_files(str(exe))
    await page.get_by_test_id("attach-save").click()
    await expect(error).to_contain_text(words["type"])
    assert not RAW_CODE.search(await error.inner_text())
    await page.screenshot(path=ARTIFACTS / f"ticket-attach-refused-{lang}.png", full_page=True)
    assert detail(admin, ticket_id)["attachments"] == []

    # A PNG is attached, listed and downloads as sent.
    image = tmp / "发票.png"
    image.write_bytes(png())
    await page.get_by_test_id("attach-file").set_input_files(str(image))
    await page.get_by_test_id("attach-save").click()
    await expect(page.get_by_test_id("detail-status")).to_contain_text(words["attached"])
    listed = page.get_by_test_id("attachment")
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("发票.png")
    await expect(error).to_be_hidden()
    (stored,) = detail(admin, ticket_id)["attachments"]
    assert (stored["name"], stored["content_type"], stored["size"]) == (
        "发票.png", "image/png", len(png()),
    )  # fmt: skip
    async with page.expect_download() as download:
        await listed.get_by_role("link").click()
    saved = tmp / f"downloaded-{lang}.png"
    await (await download.value).save_as(saved)
    assert saved.read_bytes() == png()

    # The server has the last word: the same refusal straight to the API, in the language.
    too_big = await page.evaluate(
        """async (id) => {
            const body = new FormData();
            const pdf = new Blob([new Uint8Array(1100000)], {type: "application/pdf"});
            body.append("file", pdf, "big.pdf");
            const r = await fetch(`/api/v1/tickets/${id}/attachments`, {method: "POST", body,
              headers: {"X-CSRF-Token": document.body.dataset.csrf, "Accept": "application/json"}});
            return [r.status, await r.json()];
        }""",
        ticket_id,
    )
    assert too_big[0] == 422
    assert too_big[1]["code"] == "ticket.attachment.too_large"
    assert words["server_large"] in too_big[1]["message"]
    assert len(detail(admin, ticket_id)["attachments"]) == 1

    # Watchers: a colleague is added, then removed; an unknown user is refused.
    watchers = page.get_by_test_id("watcher-list")
    await expect(watchers).to_contain_text(words["nobody"])
    await page.get_by_test_id("watcher-user").select_option(seeded["agent2"]["id"])
    await page.get_by_test_id("watcher-add").click()
    await expect(page.get_by_test_id("watcher")).to_have_text(
        seeded["agent2"]["display_name"] + (" 移除" if lang == "zh-CN" else " Remove")
    )
    assert detail(admin, ticket_id)["watchers"] == [seeded["agent2"]["id"]]
    await page.screenshot(path=ARTIFACTS / f"ticket-files-watchers-{lang}.png", full_page=True)
    await page.get_by_test_id("watcher-remove").click()
    await expect(watchers).to_contain_text(words["nobody"])
    assert detail(admin, ticket_id)["watchers"] == []
    await page.get_by_test_id("watcher-add").click()  # nobody chosen
    await expect(page.get_by_test_id("watch-error")).to_be_visible()
    nobody = await page.evaluate(
        """async (id) => {
            const r = await fetch(`/api/v1/tickets/${id}/watchers/01NOSUCHUSER`, {method: "PUT",
              headers: {"X-CSRF-Token": document.body.dataset.csrf, "Accept": "application/json"}});
            return [r.status, await r.json()];
        }""",
        ticket_id,
    )
    assert nobody[0] == 422
    assert words["server_user"] in nobody[1]["message"]


async def flow_check(page: Page, lang: str) -> None:
    words = WORDS[lang]
    base = page.url.split("/", 3)[:3]
    await page.goto("/".join(base) + "/admin/flows/new")
    await page.get_by_test_id("tab-yaml").click()  # the designer's advanced view: the YAML
    editor = page.get_by_test_id("flow-editor")
    await expect(editor).not_to_have_value("")
    await editor.fill(BAD_FLOW)
    await page.get_by_test_id("flow-publish").click()
    issues = page.get_by_test_id("flow-issues")
    await expect(issues.locator("li")).to_have_count(2)
    first = issues.locator("li").first
    await expect(first).to_contain_text(words["node"])
    await expect(first).to_contain_text(words["field"])
    await expect(first).to_contain_text(words["department"])
    await expect(issues.locator("li").last).to_contain_text(words["category"])
    await page.screenshot(path=ARTIFACTS / f"flow-ticket-names-{lang}.png", full_page=True)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_ticket_files_watchers_and_the_flow_check(
    browser: Browser, tmp_path: Path, lang: str
) -> None:
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_TICKETS__ATTACHMENT_MAX_MB="1",
    )
    try:
        server.start("demo")
        admin = login(server, "admin")
        seeded = seed(admin, lang)
        page, errors = await open_page(browser, server, "agent1", lang=lang)
        await files_and_watchers(page, lang, seeded, admin, tmp_path)
        names = {f["name"] for f in items(admin, "/api/v1/flows")}
        admin_page, admin_errors = await open_page(browser, server, "admin", lang=lang)
        await flow_check(admin_page, lang)
        assert "vm-tickets" not in names | {f["name"] for f in items(admin, "/api/v1/flows")}
        assert errors == []
        assert admin_errors == []
    finally:
        server.stop()
