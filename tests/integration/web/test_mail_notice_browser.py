"""A ticket's notice in real Chromium against `hotline demo` with a real dovecot mailbox and an
SMTP relay (issue 22, ADR 0245): the ticket made for a customer mails them through the center's
mailbox; their answer comes back threaded under the notice, and the agent sees the thread on
the mail screen and the notice in the customer's timeline, in zh-CN and in en."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, eventually, login, open_page
from tests.integration.email.dovecot import Dovecot
from tests.integration.email.relay import Relay
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]


def _answer(notice: EmailMessage, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "王芳 <customer@example.test>"
    message["To"] = "help@center.test"
    message["Subject"] = f"Re: {notice['Subject']}"
    message["Message-ID"] = make_msgid(domain="example.test")
    message["In-Reply-To"] = str(notice["Message-ID"])
    message["References"] = str(notice["Message-ID"])
    message.set_content(body)
    return bytes(message)


async def test_a_ticket_notice_arrives_threaded_in_both_languages(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    dovecot = Dovecot({"help": "help-secret", "customer": "cust-secret"})
    dovecot.start()
    relay = Relay(dovecot)
    relay.controller.start()
    server = sqlite_server
    try:
        server.start("demo")
        admin = login(server, "admin")
        admin.post(
            "/api/v1/mailboxes",
            json={
                "address": "help@center.test", "display_name": "客服中心",
                "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_tls": "none",
                "imap_username": "help", "imap_password": "help-secret",
                "smtp_host": "127.0.0.1", "smtp_port": relay.port, "smtp_tls": "none",
                "signature": "客服中心 400-000-0000", "auto_reply": False, "poll_s": 5,
            },
        ).raise_for_status()  # fmt: skip
        customer = admin.post(
            "/api/v1/customers", json={"name": "王芳", "emails": ["customer@example.test"]}
        )
        customer.raise_for_status()
        customer_id = customer.json()["id"]

        for language, subject, answer, sent_by_us, mail_sent in (
            ("zh-CN", "屏幕不亮", "还是不亮，请尽快处理。", "我方发出", "已发邮件"),
            ("en", "Screen stays dark", "Still dark, please hurry.", "Sent by us", "Mail sent"),
        ):
            made = admin.post(
                "/api/v1/tickets", json={"subject": subject, "customer_id": customer_id}
            )
            made.raise_for_status()

            def notices(subject: str = subject) -> list[EmailMessage]:
                return [
                    m for m in relay.messages
                    if "customer@example.test" in str(m["To"])
                    and subject in m.get_body(("plain",)).get_content()
                ]  # fmt: skip

            (notice,) = await eventually(notices, bool, timeout=30)
            told = str(notice["Subject"])  # the ticket's number, the thread's token
            assert "客服中心" in str(notice["From"])
            assert "help@center.test" in str(notice["From"])
            assert "客服中心 400-000-0000" in notice.get_body(("plain",)).get_content()
            dovecot.deliver("help", _answer(notice, answer))

            def answered(items: list[dict[str, str]], told: str = told) -> bool:
                return any(told in m["subject"] for m in items)

            items = await eventually(
                lambda: admin.get("/api/v1/mails").json()["items"], answered, timeout=30
            )
            (kept,) = [m for m in items if told in m["subject"]]
            assert kept["ticket_id"] == made.json()["id"]  # the answer joined the ticket

            page, errors = await open_page(browser, server, "agent1", lang=language)
            await page.goto(f"{server.url}/mail")
            await page.locator("[data-testid=mail-row]", has_text=told).first.click()
            await expect(page.get_by_test_id("mail-body")).to_contain_text(answer)
            thread = page.get_by_test_id("thread-item")
            await expect(thread).to_have_count(2)  # the notice, then the customer's answer
            await expect(thread.nth(0)).to_contain_text(sent_by_us)
            await expect(thread.nth(0)).to_contain_text(told)
            await expect(thread.nth(1)).to_contain_text("customer@example.test")
            await page.screenshot(path=ARTIFACTS / f"mail-notice-{language}.png", full_page=True)

            await page.goto(f"{server.url}/customers/{customer_id}")
            row = page.locator("#timeline-rows tr[data-kind=mail]", has_text=told)
            await expect(row).to_contain_text(mail_sent)
            await expect(row).to_contain_text("customer@example.test")
            assert errors == []
            await page.close()
    finally:
        relay.controller.stop()
        dovecot.cleanup()
