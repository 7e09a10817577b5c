"""Files in web chat, in Chromium, in zh-CN and en: the visitor sends a photo from the widget
on a host page and sees it inline; the agent sees it inline in the conversation pane; a file
of a type the centre does not take is refused in the visitor's language before it leaves the
page; the agent sends a PDF that the visitor gets as a download; the agent's refused file is
named in the agent's language. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, expect

from tests.integration.channels.test_chat_files import PNG
from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.channels.test_widget_browser import host_page
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "refused": "不支持发送此类文件",
        "agent_refused": "本会话不能发送此类文件。",
        "attach": "发送文件",
    },
    "en": {
        "refused": "Files of this type cannot be sent",
        "agent_refused": "Files of this type cannot be sent in this chat.",
        "attach": "Send a file",
    },
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo with a web chat queue; photos and PDFs up to 1 MB in chat."""
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        admin = login(server, "admin")
        created = admin.post(
            "/api/v1/queues",
            json={"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        limits = {"file_max_mb": 1, "file_types": ["image/png", "application/pdf"]}
        assert admin.put("/api/v1/chat/settings", json=limits).status_code == 200
        yield server
    finally:
        server.stop()


async def loaded(image: Locator) -> None:
    await expect(image).to_have_js_property("complete", True)
    assert await image.evaluate("(img) => img.naturalWidth") > 0


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_photos_and_files_go_both_ways_in_the_widget_and_the_pane(
    chromium: Browser, server: ServerProcess, tmp_path: Path, lang: str
) -> None:
    words, widget = WORDS[lang], WIDGET[lang]
    desk, errors = await open_page(chromium, server, "agent1", lang=lang)
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    pane = desk.get_by_test_id("chat-pane")

    with host_page(tmp_path, server.url, lang) as url:
        context = await chromium.new_context(viewport={"width": 390, "height": 800})
        visitor = await context.new_page()
        await visitor.goto(url)
        await visitor.get_by_role("button", name=widget["open"]).click()
        await visitor.locator(".hlc-form input[name=name]").fill("王小明")
        await visitor.get_by_role("button", name=widget["start"]).click()
        compose = visitor.locator(".hlc-compose textarea")
        await compose.fill(widget["hello"])
        await compose.press("Enter")
        await expect(visitor.locator(".hlc-customer", has_text=widget["hello"])).to_have_attribute(
            "data-seq", "2"
        )
        await expect(pane).to_be_visible(timeout=20_000)
        await pane.get_by_test_id("chat-accept").click()
        conversation = pane.get_by_test_id("chat-conversation")
        await expect(conversation).to_be_visible()

        # The visitor's photo: inline in the widget (from our origin) and in the pane.
        attach = visitor.get_by_role("button", name=words["attach"])
        await expect(attach).to_be_visible()
        chooser = visitor.locator(".hlc-compose input[type=file]")
        await chooser.set_input_files(
            {"name": "parcel.png", "mimeType": "image/png", "buffer": PNG}
        )
        photo = visitor.locator(".hlc-customer img[alt='parcel.png']")
        await loaded(photo)
        await expect(visitor.locator(".hlc-customer.hlc-pending")).to_have_count(0)
        in_pane = conversation.get_by_test_id("chat-image")
        await loaded(in_pane)

        # A type the centre does not take never leaves the page.
        await chooser.set_input_files(
            {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90"}
        )
        await expect(visitor.locator(".hlc-status")).to_have_text(words["refused"])

        # The agent's PDF: a download in the widget; an .exe is refused in her language.
        files = pane.get_by_test_id("chat-file")
        await files.set_input_files(
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 x"}
        )
        await expect(conversation.get_by_test_id("chat-download")).to_have_text("invoice.pdf")
        download = visitor.locator(".hlc-agent a", has_text="invoice.pdf")
        await expect(download).to_have_attribute("download", "invoice.pdf")
        async with visitor.expect_download() as fetched:
            await download.click()
        assert await (await fetched.value).path() is not None
        await files.set_input_files(
            {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90"}
        )
        await expect(pane.get_by_test_id("chat-error")).to_have_text(words["agent_refused"])
        await visitor.screenshot(path=str(ARTIFACTS / f"chat-widget-files-{lang}.png"))
        await desk.screenshot(path=ARTIFACTS / f"desktop-chat-files-{lang}.png", full_page=True)
        await context.close()
    assert errors == []
