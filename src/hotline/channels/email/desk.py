"""The agent's and the admin's side of the mailboxes, without the conversation pane: set up a
mailbox and test it, read a mail (sanitized) with its thread, answer it through SMTP with the
threading headers, quick reply, signature, attachments and CC, send a ticket's notice through
the tenant's mailbox, and answer a mail that became a ticket with its number. Sending happens
outside any transaction (ADR 0175); the sent mail is kept once the server accepted it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.channels.email.compose import (
    OutgoingFile,
    Parent,
    build_mail,
    check_address,
    new_message_id,
)
from hotline.channels.email.errors import (
    AttachmentRefused,
    MailboxInvalid,
    MailboxUnreachable,
    MailInvalid,
    MailUnknown,
)
from hotline.channels.email.imap import probe_imap
from hotline.channels.email.intake import outgoing_values
from hotline.channels.email.limits import MailLimits
from hotline.channels.email.loops import over_cap
from hotline.channels.email.model import Mailbox
from hotline.channels.email.ports import BlobStore, MailTransport
from hotline.channels.email.repository import SqlMail, quick_reply_text, writing
from hotline.channels.email.smtp import probe_smtp
from hotline.channels.email.texts import ticket_reply
from hotline.channels.email.threads import reference_token
from hotline.clock import Clock
from hotline.ids import new_id
from hotline.vault.secrets import SecretBox

__all__ = ["MailDesk", "Sent", "mail_view", "mailbox_view"]


@dataclass(frozen=True, slots=True)
class Sent:
    mail_id: str
    message_id: str
    thread_key: str


def mailbox_view(mailbox: Mailbox) -> dict[str, Any]:
    """A mailbox as the API shows it: never its passwords, only whether they are set."""
    return {
        "id": mailbox.id,
        "address": mailbox.address,
        "display_name": mailbox.display_name,
        "imap_host": mailbox.imap.host,
        "imap_port": mailbox.imap.port,
        "imap_tls": mailbox.imap.tls.value,
        "imap_username": mailbox.imap.username,
        "imap_password_set": bool(mailbox.imap.password),
        "imap_folder": mailbox.imap.folder,
        "smtp_host": mailbox.smtp.host,
        "smtp_port": mailbox.smtp.port,
        "smtp_tls": mailbox.smtp.tls.value,
        "smtp_username": mailbox.smtp.username,
        "smtp_password_set": bool(mailbox.smtp.password),
        "verify_tls": mailbox.imap.verify_tls,
        "tls_ca_file": mailbox.imap.ca_file,
        "signature": mailbox.signature,
        "auto_reply": mailbox.auto_reply,
        "active": mailbox.active,
        "poll_s": mailbox.poll_s,
        "language": mailbox.language,
    }


def mail_view(row: dict[str, Any]) -> dict[str, Any]:
    """A kept mail as the API shows it: its sanitized HTML and text, never the raw MIME."""
    keep = (
        "id", "mailbox_id", "direction", "kind", "message_id", "thread_key", "token", "sender",
        "sender_name", "recipients", "cc", "subject", "text", "safe_html", "at", "automatic",
        "ticket_id", "conversation_id", "customer_id", "author_id",
    )  # fmt: skip
    view = {k: row[k] for k in keep}
    view["attachments"] = [
        {
            "index": i,
            "filename": a["filename"],
            "content_type": a["content_type"],
            "size": a["size"],
            "kept": a.get("storage_key") is not None,
            "refused": a.get("refused"),
        }
        for i, a in enumerate(row["attachments"] or [])
    ]
    return view


class MailDesk:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        blobs: BlobStore,
        transport: MailTransport,
        limits: MailLimits | None = None,
        *,
        secrets: SecretBox,
    ) -> None:
        self.engine = engine
        self.secrets = secrets
        self.clock = clock
        self.blobs = blobs
        self.transport = transport
        self.limits = limits or MailLimits()

    # -- mailboxes --------------------------------------------------------------------
    async def mailboxes(self, tenant_id: str) -> list[Mailbox]:
        async with self.engine.connect() as conn:
            return await SqlMail(conn, self.secrets).mailboxes(tenant_id)

    async def mailbox(self, tenant_id: str, mailbox_id: str) -> Mailbox:
        async with self.engine.connect() as conn:
            return await SqlMail(conn, self.secrets).mailbox(tenant_id, mailbox_id)

    async def save_mailbox(self, mailbox: Mailbox, *, new: bool) -> Mailbox:
        """Add or change a mailbox; an empty password on a change keeps the stored one."""
        try:
            address = check_address(mailbox.address, "address")
        except MailInvalid:
            raise MailboxInvalid("email.mailbox.address", "address") from None
        if not mailbox.imap.host.strip():
            raise MailboxInvalid("email.mailbox.host", "imap_host")
        if not mailbox.smtp.host.strip():
            raise MailboxInvalid("email.mailbox.host", "smtp_host")
        mailbox = replace(mailbox, address=address)
        now = self.clock.now()
        async with writing(self.engine) as conn:
            repo = SqlMail(conn, self.secrets)
            if await repo.address_taken(mailbox.tenant_id, address, None if new else mailbox.id):
                raise MailboxInvalid("email.mailbox.address_in_use", "address", value=address)
            if new:
                await repo.add_mailbox(mailbox, now)
            else:
                old = await repo.mailbox(mailbox.tenant_id, mailbox.id)
                mailbox = replace(
                    mailbox,
                    imap=replace(mailbox.imap, password=mailbox.imap.password or old.imap.password),
                    smtp=replace(mailbox.smtp, password=mailbox.smtp.password or old.smtp.password),
                )
                await repo.update_mailbox(mailbox, now)
        return mailbox

    async def test_connection(self, tenant_id: str, mailbox_id: str) -> dict[str, Any]:
        """Both servers tried, each answer said: `{imap: {ok, …}, smtp: {ok, …}}`."""
        mailbox = await self.mailbox(tenant_id, mailbox_id)
        out: dict[str, Any] = {}
        try:
            status = await probe_imap(mailbox.imap)
            out["imap"] = {"ok": True, "messages": status.messages, "idle": status.idle}
        except MailboxUnreachable as error:
            out["imap"] = _failure(error)
        try:
            await probe_smtp(mailbox.smtp)
            out["smtp"] = {"ok": True}
        except MailboxUnreachable as error:
            out["smtp"] = _failure(error)
        return out

    # -- reading ----------------------------------------------------------------------
    async def read(self, tenant_id: str, mail_id: str) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            repo = SqlMail(conn, self.secrets)
            row = await repo.mail(tenant_id, mail_id)
            thread = await repo.thread(tenant_id, row["thread_key"])
        view = mail_view(row)
        view["thread"] = [
            {k: m[k] for k in ("id", "direction", "kind", "sender", "subject", "at")}
            for m in thread
        ]
        return view

    async def read_row(self, tenant_id: str, mail_id: str) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            return await SqlMail(conn, self.secrets).mail(tenant_id, mail_id)

    async def recent(self, tenant_id: str, limit: int = 50) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            return await SqlMail(conn, self.secrets).recent(tenant_id, limit)

    async def attachment(
        self, tenant_id: str, mail_id: str, index: int
    ) -> tuple[str, str, BinaryIO]:
        async with self.engine.connect() as conn:
            row = await SqlMail(conn, self.secrets).mail(tenant_id, mail_id)
        parts = row["attachments"] or []
        if not 0 <= index < len(parts) or parts[index].get("storage_key") is None:
            raise MailUnknown()
        part = parts[index]
        return part["filename"], part["content_type"], self.blobs.open_read(part["storage_key"])

    # -- sending ----------------------------------------------------------------------
    def check_file(self, filename: str, content_type: str, size: int, index: int) -> None:
        refused = self.limits.refusal(content_type, size, index)
        if refused is not None:
            raise AttachmentRefused(refused, filename)

    async def reply(
        self,
        tenant_id: str,
        mail_id: str,
        body: str,
        *,
        author_id: str | None,
        cc: Sequence[str] = (),
        files: Sequence[OutgoingFile] = (),
        quick_reply_id: str | None = None,
    ) -> Sent:
        """Answer a kept mail: to its sender, in its thread, signed, through its mailbox; a
        quick reply's text (常用语) comes before what the agent wrote."""
        for index, f in enumerate(files):
            self.check_file(f.filename, f.content_type, len(f.data), index)
        async with self.engine.connect() as conn:
            repo = SqlMail(conn, self.secrets)
            row = await repo.mail(tenant_id, mail_id)
            mailbox = await repo.mailbox(tenant_id, row["mailbox_id"])
            if quick_reply_id:
                quick = await quick_reply_text(conn, tenant_id, quick_reply_id)
                if quick is None:
                    raise MailInvalid("email.quick_reply.unknown", "quick_reply_id")
                body = f"{quick}\n\n{body}".strip()
        to = row["sender"] if row["direction"] == "in" else (row["recipients"] or [""])[0]
        parent = Parent(row["message_id"], tuple(row["references"] or ()), row["subject"], to)
        return await self._send(
            mailbox, row["thread_key"], parent, [to], body, cc=cc, files=files,
            kind="reply", author_id=author_id, ticket_id=row["ticket_id"],
            customer_id=row["customer_id"],
        )  # fmt: skip

    async def ticket_opened(
        self, tenant_id: str, mail_id: str, ticket_id: str, number_text: str
    ) -> Sent | None:
        """Link a mail to the ticket made of it and answer with the ticket number, unless
        the mail is automatic or its sender has had enough automatic answers."""
        now = self.clock.now()
        async with writing(self.engine) as conn:
            repo = SqlMail(conn, self.secrets)
            row = await repo.mail(tenant_id, mail_id)
            await repo.set(tenant_id, mail_id, ticket_id=ticket_id)
            mailbox = await repo.mailbox(tenant_id, row["mailbox_id"])
            if row["direction"] != "in" or row["automatic"]:
                return None
            cap = self.limits.auto_reply_cap
            answered = await repo.auto_replies_to(tenant_id, row["sender"], now - cap.window_s)
            if over_cap(answered, now, cap):
                return None
            await repo.set(tenant_id, mail_id, auto_replied_at=now)
        subject, body = ticket_reply(mailbox.language, row["subject"], number_text)
        parent = Parent(
            row["message_id"], tuple(row["references"] or ()), row["subject"], row["sender"]
        )
        return await self._send(
            mailbox, row["thread_key"], parent, [row["sender"]], body, subject=subject,
            kind="auto_reply", automatic=True, ticket_id=ticket_id,
        )  # fmt: skip

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
    ) -> Sent | None:
        """A ticket's (or survey's) notice to a customer through the tenant's first active
        mailbox (ADR 0245): signed, threaded under the ticket's latest mail so the customer's
        answer resumes the ticket's thread, kept for the customer's timeline (the customer
        named, else the one with the address). `key` names the message (`key@domain`): a
        notice already sent under it is not sent again. None when the tenant has no mailbox:
        the caller then uses the center's SMTP server."""
        async with self.engine.connect() as conn:
            repo = SqlMail(conn, self.secrets)
            boxes = [b for b in await repo.mailboxes(tenant_id) if b.active]
            if not boxes:
                return None
            mailbox = boxes[0]
            local = key or new_id(self.clock.now())
            message_id = new_message_id(local, mailbox)
            already = await repo.sent(tenant_id, message_id)
            if already is not None:
                return Sent(already["id"], message_id, already["thread_key"])
            latest = await repo.latest_of_ticket(tenant_id, ticket_id) if ticket_id else None
            if customer_id is None and len(to) == 1:
                customer_id = await repo.customer_of_address(tenant_id, to[0])
        parent = None
        thread_key = new_id(self.clock.now())
        if latest is not None:
            thread_key = latest["thread_key"]
            other = latest["sender"] if latest["direction"] == "in" else mailbox.address
            parent = Parent(
                latest["message_id"], tuple(latest["references"] or ()), latest["subject"], other
            )
        return await self._send(
            mailbox, thread_key, parent, list(to), body, subject=subject, kind="notice",
            automatic=True, ticket_id=ticket_id, customer_id=customer_id, message_id=message_id,
        )  # fmt: skip

    async def _send(
        self,
        mailbox: Mailbox,
        thread_key: str,
        parent: Parent | None,
        to: Sequence[str],
        body: str,
        *,
        subject: str = "",
        cc: Sequence[str] = (),
        files: Sequence[OutgoingFile] = (),
        kind: str,
        automatic: bool = False,
        author_id: str | None = None,
        ticket_id: str | None = None,
        customer_id: str | None = None,
        message_id: str | None = None,
    ) -> Sent:
        now = self.clock.now()
        mail_id = new_id(now)
        message_id = message_id or new_message_id(mail_id, mailbox)
        message = build_mail(
            mailbox, message_id=message_id, token=reference_token(thread_key), to=to,
            subject=subject, body=body, now=now, parent=parent, cc=cc, files=files,
            automatic=automatic,
        )  # fmt: skip
        await self.transport.send(mailbox.smtp, mailbox.address, message)
        kept = []
        for index, f in enumerate(files):
            key = f"mail/{mailbox.tenant_id}/{mailbox.id}/{mail_id}/{index}"
            self.blobs.write(key, io.BytesIO(f.data))
            kept.append(
                {
                    "filename": f.filename,
                    "content_type": f.content_type,
                    "size": len(f.data),
                    "storage_key": key,
                    "refused": None,
                }
            )
        references = [
            *(parent.references if parent else ()),
            *([parent.message_id] if parent else []),
        ]
        async with writing(self.engine) as conn:
            await SqlMail(conn, self.secrets).add(
                outgoing_values(
                    mailbox, mail_id, message_id, thread_key, message, body, now, kind=kind,
                    in_reply_to=parent.message_id if parent else None, references=references,
                    attachments=kept, author_id=author_id, ticket_id=ticket_id,
                    customer_id=customer_id,
                )
            )  # fmt: skip
        return Sent(mail_id, message_id, thread_key)


def _failure(error: MailboxUnreachable) -> dict[str, Any]:
    return {"ok": False, "code": error.code, "message": error.message, "reason": error.reason[:300]}
