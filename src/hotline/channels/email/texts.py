"""The mails the mailbox writes on its own, in zh-CN or en (the mailbox's language): the
acknowledgement of a new thread, and the answer naming the ticket a mail became."""

from __future__ import annotations

from hotline.channels.email.threads import strip_reply_prefixes

__all__ = ["acknowledgement", "ticket_reply"]

_ACK = {
    "zh-CN": (
        "回复：{subject}",
        "您好：\n\n我们已收到您的邮件，会尽快回复。参考编号：{token}。\n"
        "如需补充，请直接回复本邮件。\n",
    ),
    "en": (
        "Re: {subject}",
        "Hello,\n\nWe have received your mail and will answer soon. Reference: {token}.\n"
        "To add anything, reply to this mail.\n",
    ),
}
_TICKET = {
    "zh-CN": (
        "回复：{subject}",
        "您好：\n\n您的邮件已登记为工单，工单号 {number}。我们会尽快处理并与您联系。\n"
        "如需补充，请直接回复本邮件。\n",
    ),
    "en": (
        "Re: {subject}",
        "Hello,\n\nYour mail is now ticket {number}. We will get back to you soon.\n"
        "To add anything, reply to this mail.\n",
    ),
}


def _lang(language: str) -> str:
    return "en" if language.startswith("en") else "zh-CN"


def acknowledgement(language: str, subject: str, token: str) -> tuple[str, str]:
    title, body = _ACK[_lang(language)]
    return title.format(subject=strip_reply_prefixes(subject)), body.format(token=token)


def ticket_reply(language: str, subject: str, number: str) -> tuple[str, str]:
    title, body = _TICKET[_lang(language)]
    return title.format(subject=strip_reply_prefixes(subject)), body.format(number=number)
