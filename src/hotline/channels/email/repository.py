"""The mailbox layer's rows on the database (store/mail_tables.py): mailboxes with their read
cursor, mails read and sent. Flushes only; the caller's unit of work commits."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.channels.email.errors import MailboxUnknown, MailUnknown
from hotline.channels.email.model import ImapServer, Mailbox, SmtpServer, Tls
from hotline.store.engine import WRITE
from hotline.store.mail_tables import mailboxes, mails
from hotline.store.tables import customer_emails, quick_replies
from hotline.vault.secrets import SecretBox

__all__ = [
    "IMAP_PASSWORD",
    "SMTP_PASSWORD",
    "SqlMail",
    "mailbox_of_row",
    "quick_reply_text",
    "writing",
]

# What the mailbox passwords are to the vault: stored sealed with the center's key (ADR 0184).
IMAP_PASSWORD = "mailbox.imap_password"
SMTP_PASSWORD = "mailbox.smtp_password"


@contextlib.asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction that will write: on SQLite it starts with BEGIN IMMEDIATE, so it waits
    for another writer instead of failing to upgrade its read lock."""
    async with engine.connect() as raw:
        conn = await raw.execution_options(**WRITE)
        async with conn.begin():
            yield conn


def mailbox_of_row(row: Mapping[str, Any], secrets: SecretBox) -> Mailbox:
    tenant = str(row["tenant_id"])
    return Mailbox(
        id=row["id"],
        tenant_id=row["tenant_id"],
        address=row["address"],
        display_name=row["display_name"],
        imap=ImapServer(
            host=row["imap_host"],
            port=row["imap_port"],
            tls=Tls(row["imap_tls"]),
            username=row["imap_username"],
            password=secrets.open(tenant, IMAP_PASSWORD, row["imap_password"]),
            folder=row["imap_folder"],
            verify_tls=row["verify_tls"],
            ca_file=row["tls_ca_file"] or "",
        ),
        smtp=SmtpServer(
            host=row["smtp_host"],
            port=row["smtp_port"],
            tls=Tls(row["smtp_tls"]),
            username=row["smtp_username"],
            password=secrets.open(tenant, SMTP_PASSWORD, row["smtp_password"]),
            verify_tls=row["verify_tls"],
            ca_file=row["tls_ca_file"] or "",
        ),
        signature=row["signature"],
        auto_reply=row["auto_reply"],
        active=row["active"],
        poll_s=row["poll_s"],
        language=row["language"],
    )


def mailbox_row(mailbox: Mailbox, secrets: SecretBox) -> dict[str, Any]:
    tenant = mailbox.tenant_id
    return {
        "id": mailbox.id,
        "tenant_id": mailbox.tenant_id,
        "address": mailbox.address,
        "display_name": mailbox.display_name,
        "imap_host": mailbox.imap.host,
        "imap_port": mailbox.imap.port,
        "imap_tls": mailbox.imap.tls.value,
        "imap_username": mailbox.imap.username,
        "imap_password": secrets.seal(tenant, IMAP_PASSWORD, mailbox.imap.password),
        "imap_folder": mailbox.imap.folder,
        "smtp_host": mailbox.smtp.host,
        "smtp_port": mailbox.smtp.port,
        "smtp_tls": mailbox.smtp.tls.value,
        "smtp_username": mailbox.smtp.username,
        "smtp_password": secrets.seal(tenant, SMTP_PASSWORD, mailbox.smtp.password),
        "verify_tls": mailbox.imap.verify_tls,
        "tls_ca_file": mailbox.imap.ca_file or None,
        "signature": mailbox.signature,
        "auto_reply": mailbox.auto_reply,
        "active": mailbox.active,
        "poll_s": mailbox.poll_s,
        "language": mailbox.language,
    }


class SqlMail:
    """`secrets` opens and seals the mailboxes' passwords: needed to read or write a mailbox,
    not for the mails themselves."""

    def __init__(self, conn: AsyncConnection, secrets: SecretBox | None = None) -> None:
        self.conn = conn
        self._secrets = secrets

    @property
    def secrets(self) -> SecretBox:
        if self._secrets is None:
            raise RuntimeError("mailboxes are read and written with the vault's SecretBox")
        return self._secrets

    # -- mailboxes --------------------------------------------------------------------
    async def add_mailbox(self, mailbox: Mailbox, now: float) -> None:
        await self.conn.execute(
            mailboxes.insert().values(
                **mailbox_row(mailbox, self.secrets),
                uidvalidity=None,
                last_uid=0,
                created_at=now,
                updated_at=now,
            )
        )

    async def update_mailbox(self, mailbox: Mailbox, now: float) -> None:
        values = mailbox_row(mailbox, self.secrets)
        await self.conn.execute(
            update(mailboxes)
            .where(mailboxes.c.tenant_id == mailbox.tenant_id, mailboxes.c.id == mailbox.id)
            .values(**values, updated_at=now)
        )

    async def address_taken(self, tenant_id: str, address: str, but: str | None) -> bool:
        query = select(mailboxes.c.id).where(
            mailboxes.c.tenant_id == tenant_id, func.lower(mailboxes.c.address) == address.lower()
        )
        if but is not None:
            query = query.where(mailboxes.c.id != but)
        return (await self.conn.scalar(query)) is not None

    async def mailbox(self, tenant_id: str, mailbox_id: str) -> Mailbox:
        row = (
            await self.conn.execute(
                select(mailboxes).where(
                    mailboxes.c.tenant_id == tenant_id, mailboxes.c.id == mailbox_id
                )
            )
        ).first()
        if row is None:
            raise MailboxUnknown()
        return mailbox_of_row(dict(row._mapping), self.secrets)

    async def mailboxes(self, tenant_id: str | None = None) -> list[Mailbox]:
        query = select(mailboxes).order_by(mailboxes.c.address)
        if tenant_id is not None:
            query = query.where(mailboxes.c.tenant_id == tenant_id)
        rows = await self.conn.execute(query)
        return [mailbox_of_row(dict(r._mapping), self.secrets) for r in rows]

    async def own_addresses(self, tenant_id: str) -> list[str]:
        rows = await self.conn.execute(
            select(mailboxes.c.address).where(mailboxes.c.tenant_id == tenant_id)
        )
        return [r.address for r in rows]

    async def cursor(self, mailbox_id: str) -> tuple[int | None, int]:
        row = (
            await self.conn.execute(
                select(mailboxes.c.uidvalidity, mailboxes.c.last_uid).where(
                    mailboxes.c.id == mailbox_id
                )
            )
        ).one()
        return row.uidvalidity, row.last_uid

    async def move_cursor(self, mailbox_id: str, uidvalidity: int, last_uid: int) -> None:
        await self.conn.execute(
            update(mailboxes)
            .where(mailboxes.c.id == mailbox_id)
            .values(uidvalidity=uidvalidity, last_uid=last_uid)
        )

    # -- mails ------------------------------------------------------------------------
    async def has_uid(self, mailbox_id: str, uidvalidity: int, uid: int) -> bool:
        found = await self.conn.scalar(
            select(mails.c.id).where(
                mails.c.mailbox_id == mailbox_id,
                mails.c.uidvalidity == uidvalidity,
                mails.c.uid == uid,
            )
        )
        return found is not None

    async def has_message(self, tenant_id: str, mailbox_id: str, message_id: str) -> bool:
        found = await self.conn.scalar(
            select(mails.c.id).where(
                mails.c.tenant_id == tenant_id,
                mails.c.mailbox_id == mailbox_id,
                mails.c.message_id == message_id,
                mails.c.direction == "in",
            )
        )
        return found is not None

    async def threads_of(self, tenant_id: str, message_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(message_ids))[-50:]
        if not ids:
            return {}
        rows = await self.conn.execute(
            select(mails.c.message_id, mails.c.thread_key).where(
                mails.c.tenant_id == tenant_id, mails.c.message_id.in_(ids)
            )
        )
        return {r.message_id: r.thread_key for r in rows}

    async def threads_of_tokens(self, tenant_id: str, tokens: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(tokens))[:10]
        if not wanted:
            return {}
        rows = await self.conn.execute(
            select(mails.c.token, mails.c.thread_key).where(
                mails.c.tenant_id == tenant_id, mails.c.token.in_(wanted)
            )
        )
        return {r.token: r.thread_key for r in rows}

    async def thread_start(self, tenant_id: str, thread_key: str) -> dict[str, Any] | None:
        row = (
            await self.conn.execute(
                select(mails)
                .where(mails.c.tenant_id == tenant_id, mails.c.thread_key == thread_key)
                .order_by(mails.c.at)
                .limit(1)
            )
        ).first()
        return dict(row._mapping) if row else None

    async def sent(self, tenant_id: str, message_id: str) -> dict[str, Any] | None:
        """A mail we sent with this Message-ID (a retried notice finds the one it sent)."""
        row = (
            await self.conn.execute(
                select(mails).where(
                    mails.c.tenant_id == tenant_id,
                    mails.c.message_id == message_id,
                    mails.c.direction == "out",
                )
            )
        ).first()
        return dict(row._mapping) if row else None

    async def latest_of_ticket(self, tenant_id: str, ticket_id: str) -> dict[str, Any] | None:
        """The newest mail of a ticket (the mail it was made of, its notices, the customer's
        answers): the next notice is threaded under it."""
        row = (
            await self.conn.execute(
                select(mails)
                .where(mails.c.tenant_id == tenant_id, mails.c.ticket_id == ticket_id)
                .order_by(mails.c.at.desc(), mails.c.id.desc())
                .limit(1)
            )
        ).first()
        return dict(row._mapping) if row else None

    async def ticket_of_thread(self, tenant_id: str, thread_key: str) -> str | None:
        """The ticket a thread belongs to, if any of its mails names one."""
        found = await self.conn.scalar(
            select(mails.c.ticket_id)
            .where(
                mails.c.tenant_id == tenant_id,
                mails.c.thread_key == thread_key,
                mails.c.ticket_id.is_not(None),
            )
            .order_by(mails.c.at.desc())
            .limit(1)
        )
        return str(found) if found is not None else None

    async def customer_of_address(self, tenant_id: str, address: str) -> str | None:
        """The customer with this e-mail address, when exactly one has it."""
        rows = list(
            await self.conn.scalars(
                select(customer_emails.c.customer_id)
                .where(
                    customer_emails.c.tenant_id == tenant_id,
                    func.lower(customer_emails.c.email) == address.lower(),
                )
                .limit(2)
            )
        )
        return str(rows[0]) if len(rows) == 1 else None

    async def untaken(self, mailbox_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Mails read and kept but never handed to their conversation, oldest first."""
        rows = await self.conn.execute(
            select(mails)
            .where(
                mails.c.mailbox_id == mailbox_id,
                mails.c.taken_at.is_(None),
                mails.c.direction == "in",
            )
            .order_by(mails.c.at, mails.c.id)
            .limit(limit)
        )
        return [dict(r._mapping) for r in rows]

    async def add(self, values: Mapping[str, Any]) -> None:
        await self.conn.execute(mails.insert().values(**values))

    async def set(self, tenant_id: str, mail_id: str, **values: Any) -> None:
        await self.conn.execute(
            update(mails)
            .where(mails.c.tenant_id == tenant_id, mails.c.id == mail_id)
            .values(**values)
        )

    async def auto_replies_to(self, tenant_id: str, sender: str, since: float) -> list[float]:
        rows = await self.conn.execute(
            select(mails.c.auto_replied_at).where(
                mails.c.tenant_id == tenant_id,
                mails.c.sender == sender,
                mails.c.auto_replied_at >= since,
            )
        )
        return [r.auto_replied_at for r in rows]

    async def mail(self, tenant_id: str, mail_id: str) -> dict[str, Any]:
        row = (
            await self.conn.execute(
                select(mails).where(mails.c.tenant_id == tenant_id, mails.c.id == mail_id)
            )
        ).first()
        if row is None:
            raise MailUnknown()
        return dict(row._mapping)

    async def thread(self, tenant_id: str, thread_key: str) -> list[dict[str, Any]]:
        rows = await self.conn.execute(
            select(mails)
            .where(mails.c.tenant_id == tenant_id, mails.c.thread_key == thread_key)
            .order_by(mails.c.at, mails.c.id)
        )
        return [dict(r._mapping) for r in rows]

    async def recent(
        self, tenant_id: str, limit: int = 50, mailbox_id: str | None = None
    ) -> list[dict[str, Any]]:
        query = select(
            mails.c.id, mails.c.mailbox_id, mails.c.direction, mails.c.kind, mails.c.sender,
            mails.c.sender_name, mails.c.subject, mails.c.at, mails.c.thread_key,
            mails.c.ticket_id, mails.c.automatic,
        ).where(and_(mails.c.tenant_id == tenant_id, mails.c.direction == "in"))  # fmt: skip
        if mailbox_id is not None:
            query = query.where(mails.c.mailbox_id == mailbox_id)
        rows = await self.conn.execute(query.order_by(mails.c.at.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]


async def quick_reply_text(conn: AsyncConnection, tenant_id: str, reply_id: str) -> str | None:
    """The text of one of the center's quick replies (常用语)."""
    text = await conn.scalar(
        select(quick_replies.c.text).where(
            quick_replies.c.tenant_id == tenant_id, quick_replies.c.id == reply_id
        )
    )
    return str(text) if text is not None else None
