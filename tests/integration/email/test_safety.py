"""Loop protection and attachment limits against the real mailbox: automatic mail, bounces and
our own mail are kept but never answered; one sender gets at most three acknowledgements an
hour; attachments over the limits are listed, not stored."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.repository import SqlMail
from tests.integration.email.harness import (
    CENTER,
    TENANT,
    customer_mail,
    eventually,
    mail_world,
)


async def test_automatic_mail_and_our_own_are_never_answered(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path) as world:
        cases = [
            customer_mail("Out of office", headers={"Auto-Submitted": "auto-replied"}),
            customer_mail("Newsletter", headers={"Precedence": "bulk"}),
            customer_mail("Undelivered Mail", sender="MAILER-DAEMON@example.test"),
            customer_mail("Echo", sender=CENTER),
        ]
        for raw in cases:
            world.dovecot.deliver("help", raw)
        await eventually(lambda: len(world.inbox.received) == 4)
        reasons = sorted(str(m.automatic_reason) for _, m, _ in world.inbox.received)
        assert reasons == ["auto_submitted", "mailer_daemon", "own_address", "precedence_bulk"]
        # then a real customer: acknowledged; our acknowledgement coming back is not
        world.dovecot.deliver("help", customer_mail("A question"))
        ack = (await eventually(world.customer_messages))[0]
        world.dovecot.deliver("help", bytes(ack))  # e.g. a forward rule sends it back
        await eventually(lambda: len(world.inbox.received) == 6)
        assert world.inbox.received[5][1].automatic_reason == "auto_submitted"
        assert len(world.relay.messages) == 1  # one answer in all: no loop started


async def test_one_sender_gets_at_most_three_acknowledgements_an_hour(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path) as world:
        for n in range(4):
            world.dovecot.deliver("help", customer_mail(f"question {n}"))
        await eventually(lambda: len(world.inbox.received) == 4)
        await eventually(lambda: len(world.customer_messages()) == 3)
        capped = [m for m in await world.mails() if m["automatic"] == "rate_cap"]
        assert [m["subject"] for m in capped] == ["question 3"]
        world.clock.advance(3601.0)
        world.dovecot.deliver("help", customer_mail("an hour later"))
        await eventually(lambda: len(world.customer_messages()) == 4)


async def test_attachments_over_the_limits_are_listed_not_kept(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    message = EmailMessage()
    message["From"] = "c@example.test"
    message["To"] = CENTER
    message["Subject"] = "files"
    message["Message-ID"] = make_msgid(domain="example.test")
    message.set_content("see the files")
    message.add_attachment(b"%PDF-1.4 ok", maintype="application", subtype="pdf", filename="a.pdf")
    message.add_attachment(
        b"MZ\x90", maintype="application", subtype="x-msdownload", filename="b.exe"
    )
    big = b"x" * (10 * 1024 * 1024 + 1)
    message.add_attachment(big, maintype="text", subtype="plain", filename="big.txt")
    async with mail_world(engine, tmp_path, auto_reply=False) as world:
        world.dovecot.deliver("help", bytes(message))
        await eventually(lambda: len(world.inbox.received) == 1)
        parts = world.inbox.received[0][1].attachments
        assert [(a.filename, a.refused) for a in parts] == [
            ("a.pdf", None),
            ("b.exe", "email.attachment.type"),
            ("big.txt", "email.attachment.too_large"),
        ]
        assert parts[0].storage_key is not None
        assert parts[1].storage_key is None
        with world.files.open_read(parts[0].storage_key) as kept:
            assert kept.read() == b"%PDF-1.4 ok"
        async with engine.connect() as conn:
            row = await SqlMail(conn).mail(TENANT, world.inbox.received[0][1].id)
        assert [a["refused"] for a in row["attachments"]] == [
            None,
            "email.attachment.type",
            "email.attachment.too_large",
        ]
