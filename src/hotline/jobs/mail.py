"""The `mail.send` job: one e-mail, sent once per job.

A mail to a customer (its payload names the customer or the ticket) goes through the tenant's
mailbox when the tenant has one (`TenantMail`, ADR 0245): its SMTP server and signature,
threaded under the ticket's mail, kept in the customer's timeline. Mail to staff, and mail of
a tenant without a mailbox, goes through the center's SMTP server (`smtp.*` settings).

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
from typing import Any, Protocol

from hotline.ids import new_id
from hotline.jobs.context import JobContext
from hotline.jobs.errors import RetryLater
from hotline.store.ops_tables import mail_log

__all__ = ["MAIL_KIND", "MailJob", "SmtpTarget", "TenantMail", "mail_payload", "send_message"]

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


class TenantMail(Protocol):
    """The tenant's mailbox as a sender of notices (`hotline.channels.email.desk.MailDesk`):
    `None` when the tenant has no active mailbox. `key` names the message (its Message-ID),
    so a retried job neither sends nor keeps it twice."""

    async def notice(
        self,
        tenant_id: str,
        to: Sequence[str],
        subject: str,
        body: str,
        *,
        key: str | None = None,
        ticket_id: str | None = None,
        customer_id: str | None = None,
    ) -> object | None: ...


def mail_payload(
    to: Sequence[str],
    subject: str,
    body: str,
    *,
    ticket_id: str | None = None,
    customer_id: str | None = None,
    customer: bool = False,
) -> dict[str, Any]:
    """The payload of a `mail.send` job; `customer`: the mail is to a customer (a ticket's
    notice, a survey link), so it goes through the tenant's mailbox when there is one."""
    payload: dict[str, Any] = {"to": list(to), "subject": subject, "body": body}
    if customer or ticket_id or customer_id:
        payload |= {"customer": True, "ticket_id": ticket_id, "customer_id": customer_id}
    return payload


class MailJob:
    """Handler of `mail.send`: `host.register(MAIL_KIND, MailJob(target, mailboxes))`."""

    def __init__(self, target: SmtpTarget, mailboxes: TenantMail | None = None) -> None:
        self.target = target
        self.mailboxes = mailboxes

    async def __call__(self, ctx: JobContext) -> None:
        if self.mailboxes is not None and ctx.payload.get("customer"):
            mailboxes = self.mailboxes
            sent = await ctx.outside(
                lambda: mailboxes.notice(
                    ctx.tenant_id,
                    [str(a) for a in ctx.payload.get("to", [])],
                    str(ctx.payload.get("subject", ""))[:500],
                    str(ctx.payload.get("body", "")),
                    key=ctx.idempotency_key,
                    ticket_id=ctx.payload.get("ticket_id"),
                    customer_id=ctx.payload.get("customer_id"),
                )
            )
            if sent is not None:
                await self._log(ctx)
                return
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
        await self._log(ctx)

    async def _log(self, ctx: JobContext) -> None:
        to = [str(a) for a in ctx.payload.get("to", [])]
        subject = str(ctx.payload.get("subject", ""))[:500]
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
