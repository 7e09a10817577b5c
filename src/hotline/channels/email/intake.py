"""Taking in one mail read from IMAP: kept once (the mailbox's UID, then its Message-ID),
its raw MIME and attachments stored through the storage interface, its HTML sanitized, its
thread found, the conversation core told (`MailInbox`), and the read cursor moved — all in one
transaction, so a crash at any point reads the mail again or finds it kept, never loses or
doubles it. An automatic acknowledgement goes out after the commit unless the loop rules say
no. The mail is marked taken once the conversation core had it; a crash between the commit
and that leaves it unmarked, and the reader's next pass (`sweep`) hands it on (ADR 0246)."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.channels.email.compose import Parent, build_mail, new_message_id
from hotline.channels.email.errors import MailboxUnreachable
from hotline.channels.email.limits import MailLimits
from hotline.channels.email.loops import automatic_reason, over_cap
from hotline.channels.email.model import Attachment, InboundMail, Mailbox
from hotline.channels.email.parse import ParsedMail, parse_mail
from hotline.channels.email.ports import BlobStore, MailInbox, MailTransport
from hotline.channels.email.repository import SqlMail, writing
from hotline.channels.email.sanitize import safe_html, text_of_html
from hotline.channels.email.texts import acknowledgement
from hotline.channels.email.threads import reference_token, resolve_thread, subject_tokens
from hotline.clock import Clock
from hotline.ids import new_id

__all__ = ["Intake", "Outcome", "inbound_of_row", "mail_values"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message read: kept (`mail_id`), or skipped as a duplicate."""

    mail_id: str | None
    duplicate: bool = False
    conversation_id: str | None = None
    resumed: bool = False
    acknowledged: bool = False


def mail_values(mail: InboundMail, tenant_id: str) -> dict[str, Any]:
    return {
        "id": mail.id,
        "tenant_id": tenant_id,
        "mailbox_id": mail.mailbox_id,
        "direction": "in",
        "kind": "customer",
        "message_id": mail.message_id,
        "thread_key": mail.thread_key,
        "token": reference_token(mail.thread_key),
        "sender": mail.sender,
        "sender_name": mail.sender_name[:200],
        "recipients": list(mail.to),
        "cc": list(mail.cc),
        "subject": mail.subject,
        "text": mail.text,
        "safe_html": mail.safe_html,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "storage_key": a.storage_key,
                "refused": a.refused,
            }
            for a in mail.attachments
        ],
        "at": mail.received_at,
        "automatic": mail.automatic_reason,
    }


def inbound_of_row(row: dict[str, Any], resumes: str | None) -> InboundMail:
    """A kept mail as the conversation core receives it, rebuilt from its row."""
    reason = row["automatic"] if row["automatic"] != "rate_cap" else None
    return InboundMail(
        id=row["id"],
        mailbox_id=row["mailbox_id"],
        message_id=row["message_id"],
        thread_key=row["thread_key"],
        resumes=resumes,
        sender=row["sender"],
        sender_name=row["sender_name"],
        to=tuple(row["recipients"] or ()),
        cc=tuple(row["cc"] or ()),
        subject=row["subject"],
        text=row["text"],
        safe_html=row["safe_html"],
        received_at=row["at"],
        attachments=tuple(
            Attachment(
                a["filename"], a["content_type"], a["size"], a.get("storage_key"), a.get("refused")
            )
            for a in row["attachments"] or ()
        ),
        automatic=reason is not None,
        automatic_reason=reason,
    )


class Intake:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        blobs: BlobStore,
        inbox: MailInbox,
        transport: MailTransport,
        limits: MailLimits | None = None,
        repo_for: Callable[[AsyncConnection], SqlMail] = SqlMail,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.blobs = blobs
        self.inbox = inbox
        self.transport = transport
        self.limits = limits or MailLimits()
        self.repo_for = repo_for
        self.after_commit: list[Callable[[], Awaitable[None]]] = []

    async def take(self, mailbox: Mailbox, uidvalidity: int, uid: int, raw: bytes) -> Outcome:
        """Keep one message read at (`uidvalidity`, `uid`) and move the cursor past it."""
        async with writing(self.engine) as conn:
            repo = self.repo_for(conn)
            outcome, reply = await self._take(repo, mailbox, uidvalidity, uid, raw)
            await repo.move_cursor(mailbox.id, uidvalidity, uid)
        if outcome.mail_id is not None:
            await self._hand_on(mailbox, outcome.mail_id)
        if reply is not None:
            outcome = await self._acknowledge(mailbox, outcome, *reply)
        return outcome

    async def _hand_on(self, mailbox: Mailbox, mail_id: str) -> None:
        """The conversation core has the committed mail (`MailInbox.taken`); then it is
        marked so that no sweep hands it on again."""
        await self.inbox.taken(mailbox.tenant_id, mail_id)
        async with writing(self.engine) as conn:
            await self.repo_for(conn).set(mailbox.tenant_id, mail_id, taken_at=self.clock.now())

    async def sweep(self, mailbox: Mailbox) -> int:
        """Hand on every mail of the mailbox kept but never handed to its conversation (the
        process died between the two steps): decided again in a transaction that records
        the conversation, then taken and marked. Returns how many."""
        handed = 0
        while True:
            async with self.engine.connect() as conn:
                rows = await self.repo_for(conn).untaken(mailbox.id)
            if not rows:
                return handed
            for row in rows:
                async with writing(self.engine) as conn:
                    repo = self.repo_for(conn)
                    start = await repo.thread_start(mailbox.tenant_id, row["thread_key"])
                    resumes = start["id"] if start and start["id"] != row["id"] else None
                    decision = await self.inbox.receive(
                        mailbox.tenant_id, inbound_of_row(row, resumes)
                    )
                    await repo.set(
                        mailbox.tenant_id, row["id"], conversation_id=decision.conversation_id
                    )
                await self._hand_on(mailbox, row["id"])
                handed += 1

    async def _take(
        self, repo: SqlMail, mailbox: Mailbox, uidvalidity: int, uid: int, raw: bytes
    ) -> tuple[Outcome, tuple[InboundMail, ParsedMail] | None]:
        if await repo.has_uid(mailbox.id, uidvalidity, uid):
            return Outcome(None, duplicate=True), None
        now = self.clock.now()
        parsed = parse_mail(raw)
        mail_id = new_id(now)
        # A mail without a Message-ID gets one of ours, so replies can still name it.
        message_id = parsed.message_id or new_message_id(f"{mail_id}.missing", mailbox)
        if parsed.message_id and await repo.has_message(mailbox.tenant_id, mailbox.id, message_id):
            # The same mail again (another UID after UIDVALIDITY changed, or delivered twice)
            return Outcome(None, duplicate=True), None
        known = await repo.threads_of(mailbox.tenant_id, [*parsed.in_reply_to, *parsed.references])
        tokens = subject_tokens(parsed.subject)
        known_tokens = await repo.threads_of_tokens(mailbox.tenant_id, tokens)
        thread_key = resolve_thread(
            parsed.in_reply_to, parsed.references, tokens, known, known_tokens
        )
        resumes = ticket_id = None
        if thread_key is not None:
            start = await repo.thread_start(mailbox.tenant_id, thread_key)
            resumes = start["id"] if start else None
            # an answer to a ticket's mail or notice belongs to that ticket (ADR 0245)
            ticket_id = await repo.ticket_of_thread(mailbox.tenant_id, thread_key)
        else:
            thread_key = mail_id
        own = await repo.own_addresses(mailbox.tenant_id)
        reason = automatic_reason(parsed.message, parsed.sender, own)
        base = f"mail/{mailbox.tenant_id}/{mailbox.id}/{mail_id}"
        self.blobs.write(f"{base}.eml", io.BytesIO(raw))
        attachments = []
        for index, part in enumerate(parsed.attachments):
            refused = self.limits.refusal(part.content_type, len(part.data), index)
            key = None
            if refused is None:
                key = f"{base}/{index}"
                self.blobs.write(key, io.BytesIO(part.data))
            attachments.append(
                Attachment(part.filename[:200], part.content_type, len(part.data), key, refused)
            )
        html = safe_html(parsed.html) if parsed.html else ""
        text = parsed.text or (text_of_html(parsed.html) if parsed.html else "")
        mail = InboundMail(
            id=mail_id,
            mailbox_id=mailbox.id,
            message_id=message_id,
            thread_key=thread_key,
            resumes=resumes,
            sender=parsed.sender,
            sender_name=parsed.sender_name,
            to=parsed.to,
            cc=parsed.cc,
            subject=parsed.subject,
            text=text,
            safe_html=html,
            received_at=now,
            attachments=tuple(attachments),
            automatic=reason is not None,
            automatic_reason=reason,
        )
        values = mail_values(mail, mailbox.tenant_id)
        await repo.add(
            {
                **values,
                "in_reply_to": parsed.in_reply_to[0][:500] if parsed.in_reply_to else None,
                "references": parsed.references[-20:],
                "raw_key": f"{base}.eml",
                "uidvalidity": uidvalidity,
                "uid": uid,
                "ticket_id": ticket_id,
            }
        )
        decision = await self.inbox.receive(mailbox.tenant_id, mail)
        await repo.set(mailbox.tenant_id, mail_id, conversation_id=decision.conversation_id)
        outcome = Outcome(mail_id, False, decision.conversation_id, decision.resumed)
        wants_reply = mailbox.auto_reply and resumes is None and reason is None
        if wants_reply:
            cap = self.limits.auto_reply_cap
            answered = await repo.auto_replies_to(
                mailbox.tenant_id, parsed.sender, now - cap.window_s
            )
            if over_cap(answered, now, cap):
                await repo.set(mailbox.tenant_id, mail_id, automatic="rate_cap")
                wants_reply = False
            else:
                # marked before sending: a crash after the send never sends a second one
                await repo.set(mailbox.tenant_id, mail_id, auto_replied_at=now)
        return outcome, ((mail, parsed) if wants_reply else None)

    async def _acknowledge(
        self, mailbox: Mailbox, outcome: Outcome, mail: InboundMail, parsed: ParsedMail
    ) -> Outcome:
        now = self.clock.now()
        token = reference_token(mail.thread_key)
        subject, body = acknowledgement(mailbox.language, mail.subject, token)
        out_id = new_id(now)
        message_id = new_message_id(out_id, mailbox)
        parent = Parent(mail.message_id, tuple(parsed.references), mail.subject, mail.sender)
        message = build_mail(
            mailbox,
            message_id=message_id,
            token=token,
            to=[mail.sender],
            subject=subject,
            body=body,
            now=now,
            parent=parent,
            automatic=True,
        )
        try:
            await self.transport.send(mailbox.smtp, mailbox.address, message)
        except MailboxUnreachable as error:
            log.warning("mailbox %s: acknowledgement not sent: %s", mailbox.address, error.reason)
            return outcome
        async with writing(self.engine) as conn:
            await self.repo_for(conn).add(
                outgoing_values(
                    mailbox, out_id, message_id, mail.thread_key, message, body, now,
                    kind="auto_reply", in_reply_to=mail.message_id,
                    references=[*parsed.references, mail.message_id],
                )
            )  # fmt: skip
        return Outcome(
            outcome.mail_id, False, outcome.conversation_id, outcome.resumed, acknowledged=True
        )


def outgoing_values(
    mailbox: Mailbox,
    mail_id: str,
    message_id: str,
    thread_key: str,
    message: Any,
    body: str,
    now: float,
    *,
    kind: str,
    in_reply_to: str | None,
    references: list[str],
    attachments: list[dict[str, Any]] | None = None,
    author_id: str | None = None,
    ticket_id: str | None = None,
    customer_id: str | None = None,
) -> dict[str, Any]:
    """The row of a mail we sent."""
    to = [a.strip() for a in str(message.get("To", "")).split(",") if a.strip()]
    cc = [a.strip() for a in str(message.get("Cc", "")).split(",") if a.strip()]
    return {
        "id": mail_id,
        "tenant_id": mailbox.tenant_id,
        "mailbox_id": mailbox.id,
        "direction": "out",
        "kind": kind,
        "message_id": message_id,
        "in_reply_to": in_reply_to,
        "references": references[-20:],
        "thread_key": thread_key,
        "token": reference_token(thread_key),
        "sender": mailbox.address,
        "sender_name": mailbox.display_name,
        "recipients": to,
        "cc": cc,
        "subject": str(message.get("Subject", ""))[:500],
        "text": body,
        "safe_html": "",
        "attachments": attachments or [],
        "raw_key": None,
        "uidvalidity": None,
        "uid": None,
        "at": now,
        "automatic": "ours",
        "auto_replied_at": None,
        "conversation_id": None,
        "ticket_id": ticket_id,
        "customer_id": customer_id,
        "author_id": author_id,
    }
