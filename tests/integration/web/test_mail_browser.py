"""Mail in real Chromium against `hotline demo` with a real dovecot mailbox and an SMTP relay
(issue 22): the admin adds the mailbox and tests it; a hostile mail (a script, an `onerror`
image, a remote image, styles) shows none of them and runs nothing; the agent replies with an
attachment and makes a ticket of the mail, in zh-CN and in en; the customer's mailbox gets the
reply threaded under the mail and the ticket number."""

from __future__ import annotations

from email.utils import make_msgid
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Dialog, expect

from tests.integration.desktop.harness import ARTIFACTS, eventually, login, open_page
from tests.integration.email.dovecot import Dovecot
from tests.integration.email.relay import Relay
from tests.ports import free_port
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]

TRACKER = free_port()  # nothing listens: a request to it would show as a console error
HOSTILE = f"""<html><head><style>body {{ display: none }}</style></head><body>
<p style="color:red" onmouseover="alert('style')">您好，订单 <b>A-1001</b> 还没有到。</p>
<script>alert('script ran')</script>
<img src="x" onerror="alert('onerror ran')">
<img src="http://127.0.0.1:{TRACKER}/pixel.gif" alt="tracker">
<a href="javascript:alert('link')">点这里</a>
</body></html>"""


def _hostile_mail(subject: str) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "王芳 <customer@example.test>"
    message["To"] = "help@center.test"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.test")
    message.set_content("您好，订单 A-1001 还没有到。")
    message.add_alternative(HOSTILE, subtype="html")
    return bytes(message)


async def test_mail_is_read_safely_answered_and_made_a_ticket(
    browser: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    dovecot = Dovecot({"help": "help-secret", "customer": "cust-secret"})
    dovecot.start()
    relay = Relay(dovecot)
    relay.controller.start()
    server = sqlite_server
    try:
        server.start("demo")
        admin = login(server, "admin")

        # The admin adds the mailbox on its screen and tests it.
        page, errors = await open_page(browser, server, "admin")
        await page.goto(f"{server.url}/admin/mailboxes")
        await expect(page.locator("h1")).to_have_text("邮箱")
        await page.get_by_test_id("new-mailbox").click()
        await page.get_by_test_id("box-address").fill("help@center.test")
        await page.get_by_test_id("box-name").fill("客服中心")
        await page.get_by_test_id("box-imap-host").fill("127.0.0.1")
        await page.get_by_test_id("box-imap-port").fill(str(dovecot.port))
        await page.get_by_test_id("box-imap-tls").select_option("none")
        await page.get_by_test_id("box-imap-user").fill("help")
        await page.get_by_test_id("box-imap-password").fill("wrong")
        await page.get_by_test_id("box-smtp-host").fill("127.0.0.1")
        await page.get_by_test_id("box-smtp-port").fill(str(relay.port))
        await page.get_by_test_id("box-smtp-tls").select_option("none")
        await page.get_by_test_id("box-signature").fill("客服中心 400-000-0000")
        await page.get_by_test_id("box-save").click()
        await expect(page.get_by_test_id("box-status")).to_have_text(
            "邮箱 help@center.test 已保存。"
        )
        row = page.locator("tr[data-address='help@center.test']")
        await row.get_by_test_id("box-test").click()
        # (dovecot answers a wrong password after a pause of its own)
        await expect(page.get_by_test_id("box-error")).to_contain_text(
            "IMAP：IMAP 服务器拒绝登录（用户名或密码错误）。；SMTP：正常", timeout=20_000
        )
        await row.get_by_test_id("box-edit").click()
        await page.get_by_test_id("box-imap-password").fill("help-secret")
        await page.get_by_test_id("box-save").click()
        await expect(page.get_by_test_id("box-status")).to_contain_text("已保存")
        await row.get_by_test_id("box-test").click()
        # (after failed logins dovecot makes the address wait longer: its auth penalty)
        await expect(page.get_by_test_id("box-status")).to_have_text(
            "IMAP：正常；SMTP：正常", timeout=40_000
        )
        await page.screenshot(path=ARTIFACTS / "mailboxes-zh-CN.png", full_page=True)
        assert errors == []

        # A hostile mail arrives; the agent reads it.
        dovecot.deliver("help", _hostile_mail("订单 A-1001 未到"))
        await eventually(lambda: admin.get("/api/v1/mails").json()["items"], bool, timeout=30)
        agent, agent_errors = await open_page(browser, server, "agent1")
        dialogs: list[str] = []
        console: list[str] = []

        async def dismiss(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            await dialog.dismiss()

        def heard(message: ConsoleMessage) -> None:
            console.append(message.text)

        agent.on("dialog", dismiss)
        agent.on("console", heard)
        await agent.goto(f"{server.url}/mail")
        await expect(agent.locator("h1")).to_have_text("邮件")
        await expect(agent.get_by_test_id("mails").locator("th").first).to_have_text("发件人")
        await agent.get_by_test_id("mail-row").first.click()
        body = agent.get_by_test_id("mail-body")
        await expect(body).to_contain_text("您好，订单 A-1001 还没有到。")
        await expect(agent.get_by_test_id("mail-subject")).to_have_text("订单 A-1001 未到")
        html = await body.inner_html()
        for needle in ("<script", "onerror", "onmouseover", "<img", "style", "javascript:"):
            assert needle not in html, needle
        assert await body.locator("img, script, style, [onerror]").count() == 0
        await body.hover()
        await agent.screenshot(path=ARTIFACTS / "mail-zh-CN.png", full_page=True)
        assert dialogs == []
        assert not [c for c in console if "Refused" in c or str(TRACKER) in c], console

        # The agent replies with an attachment and a copy to a colleague.
        attachment = tmp_path / "发票.pdf"
        attachment.write_bytes(b"%PDF-1.4 invoice")
        await agent.get_by_test_id("reply-body").fill("您好，已为您补发，请查收发票。")
        await agent.get_by_test_id("reply-cc").fill("lead@center.test")
        await agent.get_by_test_id("reply-files").set_input_files(str(attachment))
        await agent.get_by_test_id("reply-send").click()
        await expect(agent.get_by_test_id("mail-status")).to_have_text("回复已发送。")
        # the mail, the mailbox's acknowledgement, the reply
        await expect(agent.get_by_test_id("thread-item")).to_have_count(3)
        await expect(agent.get_by_test_id("thread-item").nth(2)).to_contain_text("我方发出")

        def to_customer() -> list:
            return [m for m in relay.messages if "customer@example.test" in str(m["To"])]

        sent = await eventually(to_customer, lambda found: len(found) >= 2)
        acknowledgement, reply = sent[0], sent[-1]
        assert acknowledgement["Auto-Submitted"] == "auto-replied"
        assert "Auto-Submitted" not in reply
        original = admin.get("/api/v1/mails").json()["items"][0]
        kept = admin.get(f"/api/v1/mails/{original['id']}").json()
        assert reply["In-Reply-To"] == f"<{kept['message_id']}>"
        assert str(reply["Cc"]) == "lead@center.test"
        files = [(p.get_filename(), p.get_content()) for p in reply.iter_attachments()]
        assert files == [("发票.pdf", b"%PDF-1.4 invoice")]
        assert "客服中心 400-000-0000" in reply.get_body(("plain",)).get_content()
        assert dovecot.count("customer") >= 1  # arrived in the customer's mailbox

        # The agent makes a ticket of it; the customer is told its number.
        await agent.get_by_test_id("ticket-create").click()
        await expect(agent.get_by_test_id("mail-status")).to_contain_text("已创建工单")
        said = await agent.get_by_test_id("mail-status").inner_text()
        number = said.removeprefix("已创建工单 ").removesuffix("。")
        answer = (await eventually(to_customer, lambda found: len(found) >= 3))[-1]
        assert number in answer.get_body(("plain",)).get_content()
        assert answer["Auto-Submitted"] == "auto-replied"
        await expect(agent.get_by_test_id("ticket-form")).to_be_hidden()
        assert agent_errors == []

        # The same screen in English.
        await agent.get_by_test_id("language").select_option("en")
        await expect(agent.locator("html")).to_have_attribute("lang", "en")
        await agent.goto(f"{server.url}/mail")
        await expect(agent.locator("h1")).to_have_text("Mail")
        dovecot.deliver("help", _hostile_mail("Second order"))
        await eventually(lambda: len(admin.get("/api/v1/mails").json()["items"]), lambda n: n >= 2)
        await agent.get_by_test_id("refresh").click()
        await agent.locator("[data-testid=mail-row]", has_text="Second order").click()
        await expect(agent.get_by_test_id("mail-subject")).to_have_text("Second order")
        assert await agent.get_by_test_id("mail-body").locator("img, script").count() == 0
        await agent.get_by_test_id("reply-send").click()  # nothing written
        await expect(agent.get_by_test_id("mail-error")).to_have_text(
            "Write the reply before sending it."
        )
        await agent.get_by_test_id("reply-body").fill("Sent again, see the invoice.")
        await agent.get_by_test_id("reply-files").set_input_files(str(attachment))
        await agent.get_by_test_id("reply-send").click()
        await expect(agent.get_by_test_id("mail-status")).to_have_text("The reply was sent.")
        await agent.get_by_test_id("ticket-create").click()
        await expect(agent.get_by_test_id("mail-status")).to_contain_text("was created")
        await agent.screenshot(path=ARTIFACTS / "mail-en.png", full_page=True)
        assert dialogs == []
        assert agent_errors == []
    finally:
        relay.controller.stop()
        dovecot.cleanup()
