"""A process that reads the mailbox's first message over IMAP and keeps it, then dies (SIGKILL)
at the moment the conversation core is told (`MailInbox.taken`): between the two steps.

    python -m tests.integration.email.crash_taker DATABASE_URL KEYRING_DIR FILES_DIR
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from hotline.channels.email.imap import connect
from hotline.channels.email.intake import Intake
from hotline.channels.email.model import InboundMail, ThreadDecision
from hotline.channels.email.repository import SqlMail
from hotline.channels.email.smtp import SmtpTransport
from hotline.clock import FakeClock
from hotline.store.attachments import FileAttachmentStore
from hotline.store.engine import create_engine
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox


class DyingInbox:
    async def receive(self, tenant_id: str, mail: InboundMail) -> ThreadDecision:
        return ThreadDecision(mail.thread_key, mail.resumes is not None)

    async def taken(self, tenant_id: str, mail_id: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str, keys: Path, files: Path) -> None:
    engine = create_engine(url)
    async with engine.connect() as conn:
        (mailbox,) = await SqlMail(conn, SecretBox(Keyring(keys))).mailboxes()
    intake = Intake(
        engine, FakeClock(1_800_000_000.0), FileAttachmentStore(files), DyingInbox(),
        SmtpTransport(),
    )  # fmt: skip
    session = await connect(mailbox.imap)
    ((uid, raw),) = await session.fetch_after(0)
    await intake.take(mailbox, session.status.uidvalidity, uid, raw)
    raise SystemExit("the inbox was told and the process is still alive")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
