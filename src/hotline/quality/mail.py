"""The e-mail survey sender: each link is a `mail.send` job written in the caller's
transaction, so the mail leaves only if the link was committed, and is retried (docs/jobs.md);
a mail to a customer, it goes through the tenant's mailbox when there is one (ADR 0245)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.jobs import MAIL_KIND, Jobs, mail_payload
from hotline.quality.ports import SurveyMessage

__all__ = ["MailSurveySender"]


class MailSurveySender:
    channel = "email"

    def __init__(
        self,
        conn: AsyncConnection,
        now: Callable[[], float],
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.conn = conn
        self.now = now
        self.wake = wake

    async def send(self, tenant_id: str, message: SurveyMessage) -> None:
        await Jobs(self.conn).schedule(
            MAIL_KIND, due_at=self.now(), now=self.now(), tenant_id=tenant_id,
            payload=mail_payload(
                [message.address], message.subject, message.body, customer=True
            ),
        )  # fmt: skip
        if self.wake is not None:
            self.wake()
