"""What a mailbox keeps and sends: attachment size, count and types; the automatic-answer
cap per sender. Defaults that suit a small center; `hotline.config` may override them."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.channels.email.loops import RateCap

__all__ = ["DEFAULT_TYPES", "MailLimits"]

DEFAULT_TYPES = frozenset(
    {
        "image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain", "text/csv",
        "audio/wav", "audio/x-wav", "audio/mpeg", "application/zip", "message/rfc822",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword", "application/vnd.ms-excel",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MailLimits:
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_max: int = 20
    attachment_types: frozenset[str] = DEFAULT_TYPES
    auto_reply_cap: RateCap = field(default_factory=RateCap)

    def refusal(self, content_type: str, size: int, index: int) -> str | None:
        """The code of the limit an attachment breaks, or None."""
        if index >= self.attachments_max:
            return "email.attachment.too_many"
        if size > self.attachment_max_bytes:
            return "email.attachment.too_large"
        if content_type.lower() not in self.attachment_types:
            return "email.attachment.type"
        return None
