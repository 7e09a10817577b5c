"""The `mail.send` job: one e-mail, sent once per job.

The firing writes a `mail_log` row (its database effect: exactly one per job) and hands the
message to the SMTP server with `Message-ID: <idempotency key@hotline>`, so a receiver that
de-duplicates by Message-ID keeps one copy even in the one case where the process dies
between the server's acceptance and the commit (the retry sends the same Message-ID).
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from hotline.ids import new_id
from hotline.jobs.context import JobContext
from hotline.jobs.errors import RetryLater
from hotline.store.ops_tables import mail_log

__all__ = ["MAIL_KIND", "MailJob", "SmtpTarget", "mail_payload", "send_message"]

MAIL_KIND = "mail.send"


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str | None
    port: int = 25
    sender: str = "hotline@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_s: float = 10.0


def mail_payload(to: Sequence[str], subject: str, body: str) -> dict[str, Any]:
    """The payload of a `mail.send` job."""
    return {"to": list(to), "subject": subject, "body": body}


class MailJob:
    """Handler of `mail.send`: `host.register(MAIL_KIND, MailJob(target))`."""

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target

    async def __call__(self, ctx: JobContext) -> None:
        if self.target.host is None:
            raise RetryLater(
                "未配置 SMTP 服务器 / no SMTP server is configured (smtp.host)", delay_s=3600.0
            )
        to = [str(a) for a in ctx.payload.get("to", [])]
        if not to:
            raise ValueError("mail.send: the payload names no recipient ('to')")
        subject = str(ctx.payload.get("subject", ""))[:500]
        message = EmailMessage()
        message["From"] = self.target.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Message-ID"] = f"<{ctx.idempotency_key}@hotline>"
        message["X-Hotline-Idempotency-Key"] = ctx.idempotency_key
        message.set_content(str(ctx.payload.get("body", "")))
        loop = asyncio.get_running_loop()
        # Sent with no transaction open (ADR 0175); the log row is written only once it went,
        # and commits with the firing's completion.
        await ctx.outside(lambda: loop.run_in_executor(None, self._send, message))
        await ctx.conn.execute(
            mail_log.insert().values(
                id=new_id(ctx.now),
                tenant_id=ctx.tenant_id,
                job_id=ctx.job_id,
                idempotency_key=ctx.idempotency_key,
                recipients=to,
                subject=subject,
                sent_at=ctx.now,
            )
        )

    def _send(self, message: EmailMessage) -> None:
        send_message(self.target, message)


def send_message(target: SmtpTarget, message: EmailMessage) -> None:
    """Hand one message to the SMTP server (blocking: call it in an executor)."""
    assert target.host is not None
    with smtplib.SMTP(target.host, target.port, timeout=target.timeout_s) as client:
        if target.starttls:
            client.starttls()
        if target.username and target.password:
            client.login(target.username, target.password)
        client.send_message(message)
