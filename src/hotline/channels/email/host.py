"""The readers of every active mailbox in this process (`hotline serve` / `demo`): started
with the job host, restarted when an admin changes a mailbox, stopped at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.intake import Intake
from hotline.channels.email.model import Mailbox
from hotline.channels.email.ports import MailInbox, ThreadInbox
from hotline.channels.email.reader import MailboxReader
from hotline.channels.email.repository import SqlMail
from hotline.channels.email.smtp import SmtpTransport
from hotline.clock import Clock
from hotline.store.attachments import FileAttachmentStore
from hotline.vault.secrets import SecretBox

__all__ = ["MailHost", "build_mail_host"]


class MailHost:
    def __init__(self, engine: AsyncEngine, intake: Intake, secrets: SecretBox) -> None:
        self.engine = engine
        self.secrets = secrets
        self.intake = intake
        self.readers: dict[str, tuple[MailboxReader, asyncio.Task[None]]] = {}

    async def start(self) -> None:
        async with self.engine.connect() as conn:
            boxes = await SqlMail(conn, self.secrets).mailboxes()
        for mailbox in boxes:
            self.refresh(mailbox)

    def refresh(self, mailbox: Mailbox) -> None:
        """(Re)start the reader of a mailbox with its current settings; none when inactive."""
        self._stop_one(mailbox.id)
        if not mailbox.active:
            return
        reader = MailboxReader(mailbox, self.engine, self.intake)
        task = asyncio.create_task(reader.run(), name=f"mailbox {mailbox.address}")
        self.readers[mailbox.id] = (reader, task)

    def _stop_one(self, mailbox_id: str) -> asyncio.Task[None] | None:
        entry = self.readers.pop(mailbox_id, None)
        if entry is None:
            return None
        entry[1].cancel()
        return entry[1]

    async def stop(self) -> None:
        tasks = [t for t in (self._stop_one(k) for k in list(self.readers)) if t is not None]
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def build_mail_host(
    engine: AsyncEngine,
    clock: Clock,
    files: Path,
    secrets: SecretBox,
    *,
    inbox: MailInbox | None = None,
) -> MailHost:
    """The readers of a running server: raw mails and attachments under `files` (the
    attachments' storage root), taken by `inbox` (the conversation core; without one each
    thread is its own conversation, `ThreadInbox`)."""
    intake = Intake(
        engine, clock, FileAttachmentStore(files), inbox or ThreadInbox(), SmtpTransport()
    )
    return MailHost(engine, intake, secrets)
