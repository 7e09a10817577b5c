"""Chat transcripts mailed through the centre's first active mailbox (`MailDesk.notice`: the
same sender as tickets' and surveys' notices, kept on the mail list)."""

from __future__ import annotations

from hotline.channels.email.desk import MailDesk

__all__ = ["MailedTranscripts"]


class MailedTranscripts:
    def __init__(self, desk: MailDesk) -> None:
        self.desk = desk

    async def send(self, tenant_id: str, to: str, subject: str, body: str) -> bool:
        return await self.desk.notice(tenant_id, [to], subject, body) is not None
