"""A kept mail written straight to the database, for tests about who may see it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.intake import mail_values
from hotline.channels.email.model import InboundMail
from hotline.channels.email.repository import SqlMail
from hotline.ids import new_id

__all__ = ["keep_a_mail"]


async def keep_a_mail(engine: AsyncEngine, tenant_id: str, mailbox_id: str) -> str:
    mail_id = new_id(1_800_000_000.0)
    mail = InboundMail(
        id=mail_id, mailbox_id=mailbox_id, message_id=f"{mail_id}@example.test",
        thread_key=mail_id, resumes=None, sender="c@example.test", sender_name="C",
        to=("help@x.test",), cc=(), subject="s", text="t", safe_html="", received_at=1.8e9,
    )  # fmt: skip
    async with engine.begin() as conn:
        await SqlMail(conn).add(
            {**mail_values(mail, tenant_id), "in_reply_to": None, "references": []}
        )
    return mail_id
