"""A process killed between keeping a mail and handing it to the conversation core: the mail
is kept and the cursor past it, but no conversation had it. The reader's next pass hands it on,
once — the mail is neither lost nor read twice."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.reader import Backoff, MailboxReader
from hotline.store.mail_tables import mails
from tests.integration.email.harness import customer_mail, eventually, mail_world


async def test_a_mail_kept_when_the_process_died_gets_its_conversation_on_the_next_pass(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, read=False) as world:
        world.dovecot.deliver("help", customer_mail("killed in between"))
        url = engine.url.render_as_string(hide_password=False)
        child = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "tests.integration.email.crash_taker", url,
             str(tmp_path / "keys"), str(tmp_path / "files")],
            capture_output=True, timeout=120,
        )  # fmt: skip
        assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
        async with engine.connect() as conn:
            (kept,) = (await conn.execute(select(mails))).all()
        assert (kept.subject, kept.taken_at) == ("killed in between", None)
        assert world.inbox.received == []

        reader = MailboxReader(world.mailbox, engine, world.intake, Backoff(first_s=0.05))
        task = asyncio.create_task(reader.run())
        try:
            await eventually(lambda: reader.phase == "waiting")
        finally:
            task.cancel()
            await asyncio.wait({task}, timeout=30)
        assert [m.id for _, m, _ in world.inbox.received] == [kept.id]  # once, not lost
        async with engine.connect() as conn:
            (after,) = (await conn.execute(select(mails))).all()
        assert after.taken_at is not None
        assert after.conversation_id == world.inbox.received[0][2].conversation_id
