"""A ticket's status as a caller hears it on the phone, in zh-CN and en (GLOSSARY words; the
customer's side of them: "pending" is waiting for *your* reply)."""

from __future__ import annotations

from hotline.tickets.model import TicketStatus

__all__ = ["STATUS_SPOKEN", "spoken_status"]

STATUS_SPOKEN: dict[str, dict[TicketStatus, str]] = {
    "zh": {
        TicketStatus.NEW: "已受理，正在分派处理人员",
        TicketStatus.OPEN: "处理中",
        TicketStatus.PENDING: "等待您的回复",
        TicketStatus.ON_HOLD: "处理中，正在等待相关部门",
        TicketStatus.RESOLVED: "已解决",
        TicketStatus.CLOSED: "已关闭",
    },
    "en": {
        TicketStatus.NEW: "received, and being passed to the right person",
        TicketStatus.OPEN: "being handled",
        TicketStatus.PENDING: "waiting for your reply",
        TicketStatus.ON_HOLD: "being handled, waiting on another team",
        TicketStatus.RESOLVED: "resolved",
        TicketStatus.CLOSED: "closed",
    },
}


def spoken_status(status: TicketStatus, language: str) -> str:
    """Chinese for any zh-* language, English otherwise."""
    return STATUS_SPOKEN["zh" if language.startswith("zh") else "en"][status]
