"""Errors of the mailbox layer, each with a stable code and an English sentence that the UI
catalog translates (web/error_text.py says it in the user's language)."""

from __future__ import annotations

from typing import Any, ClassVar

from hotline.errors import HotlineError, InvalidInput, NotFound, Unavailable

__all__ = [
    "AttachmentRefused",
    "EmailError",
    "MailInvalid",
    "MailUnknown",
    "MailboxInvalid",
    "MailboxUnknown",
    "MailboxUnreachable",
]

EmailError = HotlineError
"""The mailbox layer raises the kernel's kinds (invalid input, not found, unavailable)."""


class MailboxInvalid(InvalidInput):
    """A mailbox's settings are wrong: `field` names the setting."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "email.mailbox.address": "The mailbox address is not an e-mail address.",
        "email.mailbox.host": "Name the server's host.",
        "email.mailbox.tls": "TLS is one of none, starttls or tls.",
        "email.mailbox.address_in_use": "Another mailbox already has this address.",
    }

    def __init__(self, code: str, field: str, **details: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"field": field, **details})


class MailInvalid(InvalidInput):
    """A mail to send is wrong: `field` names what (recipient, body)."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "email.recipient.invalid": "A recipient is not an e-mail address.",
        "email.recipient.none": "Name at least one recipient.",
        "email.body.empty": "Write the reply before sending it.",
        "email.reply.unsafe": "This mail is automatic or from a list; no reply is sent to it.",
        "email.quick_reply.unknown": "No quick reply has this code.",
    }

    def __init__(self, code: str, field: str, **details: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"field": field, **details})


class AttachmentRefused(InvalidInput):
    """An attachment is over the size limit or of a type that is not allowed."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "email.attachment.too_large": "The file is larger than mail attachments may be.",
        "email.attachment.type": "Files of this type cannot be sent or kept as mail attachments.",
        "email.attachment.too_many": "Too many attachments for one mail.",
    }

    def __init__(self, code: str, filename: str, **details: Any) -> None:
        super().__init__(
            self.MESSAGES[code],
            code=code,
            details={"field": "attachments", "filename": filename, **details},
        )


class MailboxUnknown(NotFound):
    code = "email.mailbox.unknown"

    def __init__(self) -> None:
        super().__init__("No such mailbox.")


class MailUnknown(NotFound):
    code = "email.mail.unknown"

    def __init__(self) -> None:
        super().__init__("No such mail.")


class MailboxUnreachable(Unavailable):
    """The IMAP or SMTP server could not be reached, refused TLS or refused the login;
    `reason` is the server's or the socket's word for it."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "email.imap.unreachable": "The IMAP server cannot be reached.",
        "email.imap.login": "The IMAP server refused the login.",
        "email.imap.folder": "The IMAP server has no such folder.",
        "email.imap.certificate": "The IMAP server's certificate could not be verified.",
        "email.imap.starttls": "The IMAP server does not offer STARTTLS.",
        "email.tls.ca_file": "The CA certificate file cannot be read.",
        "email.smtp.unreachable": "The SMTP server cannot be reached.",
        "email.smtp.login": "The SMTP server refused the login.",
        "email.smtp.refused": "The SMTP server refused the mail.",
        "email.smtp.certificate": "The SMTP server's certificate could not be verified.",
    }

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"reason": reason[:300]})
        self.reason = reason
