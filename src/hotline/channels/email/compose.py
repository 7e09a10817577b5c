"""Outgoing mail: a reply threaded under the mail it answers (RFC 5322 §3.6.4: `In-Reply-To`
the parent, `References` the parent's chain and the parent), the thread's token in the
subject, the mailbox's signature after the RFC 3676 delimiter, and `Auto-Submitted:
auto-replied` on an automatic answer (RFC 3834 §5) so the other side does not answer it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from hotline.channels.email.errors import MailInvalid
from hotline.channels.email.model import Mailbox
from hotline.channels.email.threads import strip_reply_prefixes, with_token

__all__ = ["OutgoingFile", "Parent", "build_mail", "check_address", "new_message_id"]

_ADDRESS = re.compile(
    r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*$"
)


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Parent:
    """The mail a reply answers."""

    message_id: str
    references: tuple[str, ...]
    subject: str
    sender: str


def check_address(address: str, field: str) -> str:
    address = address.strip()
    if not _ADDRESS.match(address) or len(address) > 254:
        raise MailInvalid("email.recipient.invalid", field, value=address[:100])
    return address.lower()


def new_message_id(local: str, mailbox: Mailbox) -> str:
    domain = mailbox.address.rsplit("@", 1)[-1]
    return f"{local}@{domain}"


def build_mail(
    mailbox: Mailbox,
    *,
    message_id: str,
    token: str,
    to: Sequence[str],
    subject: str,
    body: str,
    now: float,
    parent: Parent | None = None,
    cc: Sequence[str] = (),
    files: Sequence[OutgoingFile] = (),
    automatic: bool = False,
) -> EmailMessage:
    """The message to send; `message_id` without brackets."""
    if not to:
        raise MailInvalid("email.recipient.none", "to")
    recipients = [check_address(a, f"to[{i}]") for i, a in enumerate(to)]
    copies = [check_address(a, f"cc[{i}]") for i, a in enumerate(cc)]
    if not body.strip():
        raise MailInvalid("email.body.empty", "body")
    message = EmailMessage()
    message["From"] = formataddr((mailbox.display_name, mailbox.address))
    message["To"] = ", ".join(recipients)
    if copies:
        message["Cc"] = ", ".join(copies)
    if parent is not None:
        base = strip_reply_prefixes(parent.subject) or strip_reply_prefixes(subject)
        message["Subject"] = with_token(subject if subject else f"Re: {base}", token)
        message["In-Reply-To"] = f"<{parent.message_id}>"
        chain = [*parent.references, parent.message_id][-20:]  # RFC 5322: may be trimmed
        message["References"] = " ".join(f"<{m}>" for m in chain)
    else:
        message["Subject"] = with_token(subject, token)
    message["Message-ID"] = f"<{message_id}>"
    message["Date"] = format_datetime(datetime.fromtimestamp(now, UTC))
    message["X-Hotline-Mailbox"] = mailbox.id
    if automatic:
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    text = body.rstrip()
    if mailbox.signature.strip():
        text += "\n\n-- \n" + mailbox.signature.strip()
    message.set_content(text + "\n")
    for f in files:
        main, _, sub = f.content_type.partition("/")
        message.add_attachment(
            f.data, maintype=main, subtype=sub or "octet-stream", filename=f.filename
        )
    return message
