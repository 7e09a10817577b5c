"""The long-running reader of one mailbox: connect, read what is past the cursor, wait for
news (IDLE or polling), and on any failure reconnect after a growing pause (1 s doubling to
`max_backoff_s`, with jitter) — so a server restart mid-session costs a reconnect, and the
cursor kept with the mails decides what is read next: nothing lost, nothing read twice.

A cancel always ends the reader, in every phase (connect, fetch and intake, IDLE, the pause):
a library may turn the `CancelledError` into another exception while it cleans up (asyncpg's
rollback of a query cut short raises "another operation is in progress") or lose it (3.11's
`asyncio.wait_for` when its inner future finishes at the same moment). So the reader asks its
task whether a cancel is pending (`Task.cancelling()`) after each failure and between steps,
and stops when one is."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.cancel import cancel_pending, stop_if_cancelled
from hotline.channels.email.errors import MailboxUnreachable
from hotline.channels.email.imap import ImapSession, connect
from hotline.channels.email.intake import Intake
from hotline.channels.email.model import ImapServer, Mailbox
from hotline.channels.email.repository import SqlMail

__all__ = ["Backoff", "MailboxReader"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Backoff:
    first_s: float = 1.0
    max_s: float = 300.0
    attempt: int = 0

    def next_delay(self) -> float:
        delay: float = min(self.max_s, self.first_s * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return delay * random.uniform(0.8, 1.2)  # jitter: mailboxes of one server spread out

    def reset(self) -> None:
        self.attempt = 0


class MailboxReader:
    """`await reader.run()` until cancelled; `connections` counts the sessions opened,
    `phase` says what it does now."""

    def __init__(
        self,
        mailbox: Mailbox,
        engine: AsyncEngine,
        intake: Intake,
        backoff: Backoff | None = None,
        open_session: Callable[[ImapServer], Awaitable[ImapSession]] = connect,
    ) -> None:
        self.mailbox = mailbox
        self.engine = engine
        self.intake = intake
        self.backoff = backoff or Backoff()
        self.open_session = open_session
        self.connections = 0
        self.last_error: str | None = None
        self.idle: bool | None = None
        # what the reader does now: connecting, reading, waiting (IDLE or polling), pausing
        self.phase = "connecting"

    async def run(self) -> None:
        while True:
            session: ImapSession | None = None
            try:
                self.phase = "connecting"
                session = await self.open_session(self.mailbox.imap)
                stop_if_cancelled()
                self.connections += 1
                self.idle = session.status.idle
                self.last_error = None
                self.backoff.reset()
                await self._serve(session)
            except asyncio.CancelledError:
                if session is not None:
                    session.abort()
                raise
            except Exception as error:  # a reader outlives any one failure (logged) …
                if cancel_pending():
                    # … but not a cancel that a library turned into this error
                    if session is not None:
                        session.abort()
                    raise asyncio.CancelledError() from error
                reason = error.reason if isinstance(error, MailboxUnreachable) else repr(error)
                if not isinstance(error, MailboxUnreachable):
                    log.exception("mailbox %s: unexpected failure", self.mailbox.address)
                self.last_error = reason
                delay = self.backoff.next_delay()
                log.info("mailbox %s: %s; again in %.1f s", self.mailbox.address, reason, delay)
                if session is not None:
                    await session.close()
                stop_if_cancelled()
                self.phase = "pausing"
                await asyncio.sleep(delay)
                stop_if_cancelled()

    async def _serve(self, session: ImapSession) -> None:
        uidvalidity = session.status.uidvalidity
        async with self.engine.connect() as conn:
            stored_validity, last_uid = await SqlMail(conn).cursor(self.mailbox.id)
        if stored_validity != uidvalidity:
            # A new folder generation (RFC 3501 §2.3.1.1): read it all again; the Message-ID
            # check keeps what we already have from being taken twice.
            last_uid = 0
        # mails kept but never handed on (a crash between the two steps) go first
        swept = await self.intake.sweep(self.mailbox)
        if swept:
            log.info("mailbox %s: %d kept mails handed on", self.mailbox.address, swept)
        stop_if_cancelled()
        while True:
            self.phase = "reading"
            batch = await session.fetch_after(last_uid)
            stop_if_cancelled()
            for uid, raw in batch:
                await self.intake.take(self.mailbox, uidvalidity, uid, raw)
                stop_if_cancelled()
                last_uid = uid
            if not batch:
                self.phase = "waiting"
                await session.wait_for_news(self.mailbox.poll_s)
                stop_if_cancelled()
