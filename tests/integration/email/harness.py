"""A mailbox end to end for the tests: dovecot with the center's (`help`) and a customer's
(`customer`) mailbox, the SMTP relay between them, and the mailbox layer reading `help`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.intake import Intake
from hotline.channels.email.limits import MailLimits
from hotline.channels.email.model import ImapServer, Mailbox, SmtpServer, Tls
from hotline.channels.email.ports import MemoryInbox
from hotline.channels.email.reader import Backoff, MailboxReader
from hotline.channels.email.repository import SqlMail
from hotline.channels.email.smtp import SmtpTransport
from hotline.clock import FakeClock
from hotline.store.attachments import FileAttachmentStore
from hotline.store.tables import tenants
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox
from tests.integration.email.dovecot import Dovecot
from tests.integration.email.relay import Relay

__all__ = ["TENANT", "MailWorld", "customer_mail", "eventually", "mail_world"]

TENANT = "01TENANTMAIL0000000000000A"
CENTER = "help@center.test"
CUSTOMER = "customer@example.test"


async def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Wait until `check()` (sync or async) gives something true; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.05)


def customer_mail(
    subject: str,
    body: str = "Hello, my order did not arrive.",
    *,
    sender: str = CUSTOMER,
    parent: EmailMessage | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Customer <{sender}>"
    message["To"] = CENTER
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.test")
    if parent is not None:
        message["In-Reply-To"] = str(parent["Message-ID"])
        references = str(parent.get("References", "")).split()
        message["References"] = " ".join([*references, str(parent["Message-ID"])])
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return bytes(message)


@dataclass
class MailWorld:
    engine: AsyncEngine
    dovecot: Dovecot
    relay: Relay
    clock: FakeClock
    inbox: MemoryInbox
    intake: Intake
    mailbox: Mailbox
    reader: MailboxReader
    files: FileAttachmentStore
    secrets: SecretBox  # the mailbox's passwords are stored sealed

    def customer_messages(self) -> list[EmailMessage]:
        return [m for m in self.relay.messages if CUSTOMER in str(m["To"])]

    async def mails(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            return await SqlMail(conn).recent(TENANT, 500)


@contextlib.asynccontextmanager
async def mail_world(
    engine: AsyncEngine, tmp_path: Path, *, auto_reply: bool = True, read: bool = True
) -> AsyncIterator[MailWorld]:
    """`read=False`: the world's reader is made but not started (a test runs its own)."""
    dovecot = Dovecot({"help": "help-secret", "customer": "cust-secret"})
    dovecot.start()
    relay = Relay(dovecot)
    relay.controller.start()
    clock = FakeClock(1_800_000_000.0)
    mailbox = Mailbox(
        id="01MAILBOX00000000000000000",
        tenant_id=TENANT,
        address=CENTER,
        display_name="Center Help",
        imap=ImapServer("127.0.0.1", dovecot.port, Tls.NONE, "help", "help-secret"),
        smtp=SmtpServer("127.0.0.1", relay.port, Tls.NONE),
        signature="Center Help Desk",
        auto_reply=auto_reply,
        poll_s=0.2,
        language="en",
    )
    async with engine.begin() as conn:
        await conn.execute(
            insert(tenants).values(
                id=TENANT, slug="mail", name="mail", language="en", timezone="UTC",
                region="CN", sip_domain="mail.test", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        secrets = SecretBox(Keyring(tmp_path / "keys"))
        await SqlMail(conn, secrets).add_mailbox(mailbox, clock.now())
    files = FileAttachmentStore(tmp_path / "files")
    inbox = MemoryInbox()
    intake = Intake(engine, clock, files, inbox, SmtpTransport(), MailLimits())
    reader = MailboxReader(mailbox, engine, intake, Backoff(first_s=0.05, max_s=0.5))
    task = asyncio.create_task(reader.run()) if read else None
    try:
        yield MailWorld(
            engine, dovecot, relay, clock, inbox, intake, mailbox, reader, files, secrets
        )
    finally:
        try:
            if task is not None:
                task.cancel()
                done, _ = await asyncio.wait({task}, timeout=30)
                assert done, "the mailbox reader did not stop when cancelled"
        finally:
            relay.controller.stop()
            dovecot.cleanup()
