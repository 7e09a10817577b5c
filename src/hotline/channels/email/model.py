"""The mailbox layer's values: a tenant's mailbox (IMAP in, SMTP out), a received mail as the
conversation core sees it, and the core's answer about the thread it joined."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Attachment",
    "ImapServer",
    "InboundMail",
    "Mailbox",
    "SmtpServer",
    "ThreadDecision",
    "Tls",
]


class Tls(StrEnum):
    NONE = "none"  # plain (a lab, or loopback)
    STARTTLS = "starttls"  # upgrade on the plain port (IMAP 143, SMTP 587)
    TLS = "tls"  # TLS from the first byte (IMAPS 993, SMTPS 465)


@dataclass(frozen=True, slots=True)
class ImapServer:
    host: str
    port: int = 993
    tls: Tls = Tls.TLS
    username: str = ""
    password: str = ""
    folder: str = "INBOX"
    verify_tls: bool = True  # off only for a server with a self-signed certificate in a lab
    ca_file: str = ""  # PEM file of the CA (or the certificate) that vouches for the server


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int = 587
    tls: Tls = Tls.STARTTLS
    username: str = ""
    password: str = ""
    verify_tls: bool = True
    ca_file: str = ""


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One tenant's mailbox: the address customers write to, where it is read and sent."""

    id: str
    tenant_id: str
    address: str
    display_name: str
    imap: ImapServer
    smtp: SmtpServer
    signature: str = ""
    auto_reply: bool = True  # answer a new thread with its ticket number
    active: bool = True
    poll_s: float = 60.0  # when the server has no IDLE
    language: str = "zh-CN"  # of the auto-replies


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment as it was received: kept (`storage_key`) or refused (`refused`: the
    code of the limit it broke)."""

    filename: str
    content_type: str
    size: int
    storage_key: str | None = None
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMail:
    """A received mail as the conversation core receives it: already stored, sanitized and
    threaded; `resumes` is the id of the stored mail it answers (None: a new thread)."""

    id: str
    mailbox_id: str
    message_id: str
    thread_key: str
    resumes: str | None
    sender: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    safe_html: str
    received_at: float
    attachments: tuple[Attachment, ...] = ()
    automatic: bool = False  # loop protection: never answer this one automatically
    automatic_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadDecision:
    """What the conversation core did with a mail: the conversation it joined or opened."""

    conversation_id: str
    resumed: bool
    notes: dict[str, str] = field(default_factory=dict)
