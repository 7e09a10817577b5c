"""The agent's side against the real mailbox: a reply is threaded under the customer's mail
with the signature, CC and an attachment and lands in the customer's mailbox; a refused file
or an empty reply sends nothing; a ticket's notice goes out through the tenant's mailbox and is
kept for the customer's timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.compose import OutgoingFile
from hotline.channels.email.desk import MailDesk
from hotline.channels.email.errors import AttachmentRefused, MailInvalid
from hotline.channels.email.repository import SqlMail
from hotline.channels.email.smtp import SmtpTransport
from tests.integration.email.harness import TENANT, customer_mail, eventually, mail_world


async def test_a_reply_and_a_notice_go_through_the_mailbox(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, auto_reply=False) as world:
        desk = MailDesk(engine, world.clock, world.files, SmtpTransport(), secrets=world.secrets)
        world.dovecot.deliver("help", customer_mail("Broken kettle"))
        await eventually(lambda: len(world.inbox.received) == 1)
        mail = world.inbox.received[0][1]

        with pytest.raises(MailInvalid):
            await desk.reply(TENANT, mail.id, "  ", author_id="u1")
        with pytest.raises(AttachmentRefused):
            await desk.reply(
                TENANT, mail.id, "x", author_id="u1",
                files=[OutgoingFile("run.exe", "application/x-msdownload", b"MZ")],
            )  # fmt: skip
        assert world.relay.messages == []  # nothing half-sent

        world.clock.advance(86400.0)
        sent = await desk.reply(
            TENANT, mail.id, "We send a new one today.", author_id="u1", cc=["lead@center.test"],
            files=[OutgoingFile("label.pdf", "application/pdf", b"%PDF-1.4 label")],
        )  # fmt: skip
        reply = (await eventually(world.customer_messages))[0]
        assert reply["In-Reply-To"] == f"<{mail.message_id}>"
        assert reply["Message-ID"] == f"<{sent.message_id}>"
        assert "Center Help Desk" in reply.get_body(("plain",)).get_content()
        assert [p.get_filename() for p in reply.iter_attachments()] == ["label.pdf"]
        assert world.dovecot.count("customer") == 1

        # the customer answers the reply: the same thread, the same conversation
        world.dovecot.deliver("help", customer_mail("Re: Broken kettle", parent=reply))
        await eventually(lambda: len(world.inbox.received) == 2)
        assert world.inbox.received[1][2].resumed

        notice = await desk.notice(
            TENANT, ["customer@example.test"], "Your ticket 10001 is resolved", "Resolved.",
            ticket_id="01TICKET", customer_id="01CUSTOMER",
        )  # fmt: skip
        assert notice is not None
        await eventually(lambda: len(world.customer_messages()) == 2)
        async with engine.connect() as conn:
            kept = await SqlMail(conn).mail(TENANT, notice.mail_id)
        assert (kept["kind"], kept["ticket_id"], kept["customer_id"]) == (
            "notice",
            "01TICKET",
            "01CUSTOMER",
        )
