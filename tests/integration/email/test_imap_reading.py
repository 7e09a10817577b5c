"""A real dovecot mailbox read by the mailbox layer: a delivered mail becomes a conversation
and is acknowledged; the customer's answer joins the same one days later; a restart of the
IMAP server mid-session loses and doubles nothing."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.email.harness import TENANT, customer_mail, eventually, mail_world


async def test_a_delivered_mail_becomes_a_conversation_and_an_answer_resumes_it(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path) as world:
        world.dovecot.deliver("help", customer_mail("Order 1234 missing"))
        await eventually(lambda: len(world.inbox.received) == 1)
        _, first, decision = world.inbox.received[0]
        assert first.resumes is None
        assert not decision.resumed
        assert first.subject == "Order 1234 missing"
        ack = (await eventually(world.customer_messages))[0]
        assert ack["Auto-Submitted"] == "auto-replied"
        assert ack["In-Reply-To"] == f"<{first.message_id}>"
        assert "[#HL-" in str(ack["Subject"])

        world.clock.advance(3 * 86400.0)  # the customer answers three days later
        world.dovecot.deliver("help", customer_mail("Re: " + str(ack["Subject"]), parent=ack))
        await eventually(lambda: len(world.inbox.received) == 2)
        _, answer, again = world.inbox.received[1]
        assert answer.thread_key == first.thread_key
        assert answer.resumes == first.id
        assert again.resumed
        assert again.conversation_id == decision.conversation_id
        assert len(world.customer_messages()) == 1  # an answer is not acknowledged again

        world.dovecot.deliver("help", customer_mail("A different question"))
        await eventually(lambda: len(world.inbox.received) == 3)
        _, other, third = world.inbox.received[2]
        assert other.thread_key != first.thread_key
        assert not third.resumed


async def test_the_subject_token_threads_a_reply_without_headers(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path) as world:
        world.dovecot.deliver("help", customer_mail("Refund"))
        ack = (await eventually(world.customer_messages))[0]
        # a client that drops In-Reply-To and References but keeps the subject
        world.dovecot.deliver("help", customer_mail("AW: " + str(ack["Subject"])))
        await eventually(lambda: len(world.inbox.received) == 2)
        assert world.inbox.received[1][2].resumed


async def test_an_imap_server_restart_mid_session_loses_and_doubles_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, auto_reply=False) as world:
        for n in range(3):
            world.dovecot.deliver("help", customer_mail(f"before {n}"))
        await eventually(lambda: len(world.inbox.received) == 3)
        world.dovecot.stop()
        await eventually(lambda: world.reader.last_error is not None)
        world.dovecot.start()
        for n in range(3):
            world.dovecot.deliver("help", customer_mail(f"after {n}"))
        await eventually(lambda: len(world.inbox.received) == 6)
        assert world.reader.connections >= 2
        subjects = sorted(m.subject for _, m, _ in world.inbox.received)
        assert subjects == sorted(
            [f"before {n}" for n in range(3)] + [f"after {n}" for n in range(3)]
        )
        mails = await world.mails()
        assert len(mails) == 6
        # and the raw message of each is kept through the storage interface
        async with engine.connect() as conn:
            from hotline.channels.email.repository import SqlMail

            kept = await SqlMail(conn).mail(TENANT, mails[0]["id"])
        with world.files.open_read(kept["raw_key"]) as raw:
            parsed = BytesParser(policy=policy.default).parse(raw)
        assert parsed["Subject"] == kept["subject"]
