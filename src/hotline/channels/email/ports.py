"""The mailbox layer's ports: where a received mail goes (`MailInbox`, implemented by the
conversation core; `MemoryInbox` here for tests and until then), where files are kept
(`BlobStore`, the storage interface of `store/attachments.py`), and how a mail is sent
(`MailTransport`, SMTP in production)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import BinaryIO, Protocol

from hotline.channels.email.model import InboundMail, SmtpServer, ThreadDecision
from hotline.ids import new_id

__all__ = ["BlobStore", "MailInbox", "MailTransport", "MemoryInbox", "ThreadInbox"]


class MailInbox(Protocol):
    async def receive(self, tenant_id: str, mail: InboundMail) -> ThreadDecision:
        """Take a stored mail into a conversation: the one its thread has (`mail.resumes` is
        set), else a new one. Called inside the transaction that stores the mail."""
        ...

    async def taken(self, tenant_id: str, mail_id: str) -> None:
        """The mail's transaction committed: what `receive` decided may now happen (a contact
        opened, a message written)."""
        ...


class BlobStore(Protocol):
    def write(self, key: str, data: BinaryIO) -> None: ...

    def open_read(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


class MailTransport(Protocol):
    async def send(self, server: SmtpServer, sender: str, message: EmailMessage) -> None: ...


class MemoryInbox:
    """One conversation per thread key, in memory: what the conversation core will do.
    `received` lists the mails whose transaction committed (`taken`), in that order, so a
    test that sees a mail there finds its row too."""

    def __init__(self) -> None:
        self.conversations: dict[tuple[str, str], str] = {}
        self.received: list[tuple[str, InboundMail, ThreadDecision]] = []
        self._decided: dict[str, tuple[str, InboundMail, ThreadDecision]] = {}

    async def receive(self, tenant_id: str, mail: InboundMail) -> ThreadDecision:
        key = (tenant_id, mail.thread_key)
        resumed = key in self.conversations
        if not resumed:
            self.conversations[key] = new_id(mail.received_at)
        decision = ThreadDecision(self.conversations[key], resumed)
        self._decided[mail.id] = (tenant_id, mail, decision)
        return decision

    async def taken(self, tenant_id: str, mail_id: str) -> None:
        decided = self._decided.pop(mail_id, None)
        if decided is not None:
            self.received.append(decided)


class ThreadInbox:
    """Until the conversation core takes mail: each thread is its own conversation (its key
    is the conversation id), resumed when a mail answers one kept before."""

    async def receive(self, tenant_id: str, mail: InboundMail) -> ThreadDecision:
        return ThreadDecision(mail.thread_key, mail.resumes is not None)

    async def taken(self, tenant_id: str, mail_id: str) -> None:
        return None
