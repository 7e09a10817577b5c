"""A raw RFC 5322 message read into the parts the mailbox layer keeps: addresses, threading
headers, the text and HTML bodies, the attachments. The standard library's `email` package
parses; a malformed header is read as far as it goes, never raised."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from hotline.channels.email.threads import message_ids

__all__ = ["ParsedMail", "RawPart", "parse_mail"]


@dataclass(frozen=True, slots=True)
class RawPart:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message: EmailMessage
    message_id: str  # without brackets; "" when the mail has none
    in_reply_to: list[str]
    references: list[str]
    sender: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachments: tuple[RawPart, ...]
    sent_at: float | None


def _addresses(message: EmailMessage, name: str) -> tuple[str, ...]:
    try:
        values = [str(v) for v in message.get_all(name, [])]
        return tuple(a.lower() for _, a in getaddresses(values) if "@" in a)
    except (ValueError, TypeError, IndexError):
        return ()


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):
        return ""


def _content(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def parse_mail(raw: bytes) -> ParsedMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, sender = parseaddr(_header(message, "Reply-To") or _header(message, "From"))
    if not sender:
        name, sender = parseaddr(_header(message, "From"))
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[RawPart] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        kind = part.get_content_type()
        filename = part.get_filename()
        if (
            disposition == "attachment"
            or (filename and disposition != "inline")
            or (kind not in {"text/plain", "text/html"})
        ):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                attachments.append(RawPart(filename or "attachment", kind, payload))
        elif kind == "text/plain":
            texts.append(_content(part))
        else:
            htmls.append(_content(part))
    sent_at = None
    try:
        if date := _header(message, "Date"):
            sent_at = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        sent_at = None
    ids = message_ids(_header(message, "Message-ID"))
    return ParsedMail(
        message=message,
        message_id=ids[0] if ids else "",
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        sender=sender.lower(),
        sender_name=name,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        subject=_header(message, "Subject").replace("\r", "").replace("\n", " ")[:500],
        text="\n".join(texts).strip(),
        html="\n".join(htmls),
        attachments=tuple(attachments),
        sent_at=sent_at,
    )
