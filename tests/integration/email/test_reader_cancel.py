"""A mailbox reader stops when cancelled, in every phase: connecting (a server that never
greets), reading (the intake's database work cut short, its cleanup failing or the cancel
lost on the way up), waiting in IDLE against dovecot, and pausing before a reconnect."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.intake import Intake, Outcome
from hotline.channels.email.model import ImapServer, Mailbox, Tls
from hotline.channels.email.reader import Backoff, MailboxReader
from hotline.channels.email.smtp import SmtpTransport
from tests.integration.email.harness import customer_mail, eventually, mail_world
from tests.ports import free_port


class StuckIntake(Intake):
    """An intake whose database work hangs until cancelled and then does what a library may
    do with the cancel: `"fail"` raises another error in its cleanup (asyncpg's rollback of
    a query cut short), `"lose"` returns as if nothing happened (3.11's `wait_for`)."""

    def __init__(self, base: Intake, on_cancel: str) -> None:
        super().__init__(base.engine, base.clock, base.blobs, base.inbox, SmtpTransport())
        self.on_cancel = on_cancel
        self.entered = asyncio.Event()

    async def take(self, mailbox: Mailbox, uidvalidity: int, uid: int, raw: bytes) -> Outcome:
        self.entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            if self.on_cancel == "fail":
                # like the library's, this error names the cancel as its context only
                raise RuntimeError(  # noqa: B904
                    "cannot perform operation: another operation is in progress"
                )
        return Outcome(None, duplicate=True)


async def _stops(task: asyncio.Task[None]) -> None:
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=30)
    assert done, "the mailbox reader did not stop when cancelled"
    assert task.cancelled()


async def test_cancelled_while_connecting_to_a_server_that_never_greets(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, read=False) as world:
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", free_port()))
            silent.listen()
            silent.setblocking(False)
            port = silent.getsockname()[1]
            imap = ImapServer("127.0.0.1", port, Tls.NONE, "help", "help-secret")
            mailbox = replace(world.mailbox, imap=imap)
            reader = MailboxReader(mailbox, engine, world.intake, Backoff(first_s=60.0))
            task = asyncio.create_task(reader.run())
            loop = asyncio.get_running_loop()
            peer, _ = await asyncio.wait_for(loop.sock_accept(silent), 30)
            with peer:
                assert reader.phase == "connecting"
                await _stops(task)
                # the socket the reader opened is closed, not left to the library's tasks
                assert await asyncio.wait_for(loop.sock_recv(peer, 10), 30) == b""


async def test_cancelled_while_the_intake_cleanup_fails_or_loses_the_cancel(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, read=False) as world:
        world.dovecot.deliver("help", customer_mail("a question"))
        for on_cancel in ("fail", "lose"):
            intake = StuckIntake(world.intake, on_cancel)
            reader = MailboxReader(world.mailbox, engine, intake, Backoff(first_s=0.05))
            task = asyncio.create_task(reader.run())
            await asyncio.wait_for(intake.entered.wait(), 30)
            assert reader.phase == "reading"
            await _stops(task)
            assert reader.connections == 1  # no reconnect after the cancel


async def test_cancelled_in_idle_and_in_the_pause_before_a_reconnect(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, read=False) as world:
        reader = MailboxReader(world.mailbox, engine, world.intake, Backoff(first_s=60.0))
        task = asyncio.create_task(reader.run())
        await eventually(lambda: reader.phase == "waiting")
        assert reader.idle  # dovecot has IDLE
        await _stops(task)

        closed = ImapServer("127.0.0.1", free_port(), Tls.NONE, "help", "help-secret")
        mailbox = replace(world.mailbox, imap=closed)
        reader = MailboxReader(mailbox, engine, world.intake, Backoff(first_s=60.0))
        task = asyncio.create_task(reader.run())
        await eventually(lambda: reader.phase == "pausing")
        assert reader.last_error
        await _stops(task)
