"""What the ticket nodes say when a flow gives no prompt of its own, in zh-CN and en.

Numbers are read digit by digit (GLOSSARY: "工单号 2 0 3 1 5"): the text fills
`{ticket.number:digits}`, which spaces the digits out so both voices read them one by one. The
key number comes last and is said twice, for the ear (a caller writes it down the second time).
"""

from __future__ import annotations

from collections.abc import Mapping

from hotline.flows.expression import Value
from hotline.flows.prompts import PromptRef, fill_template

__all__ = ["TICKET_OPENED", "TICKET_STATUS", "builtin_prompt", "voicemail_subject"]

TICKET_OPENED = {
    "zh": "您的工单已提交，24 小时内会有专人跟进。工单号为 {ticket.number:digits}。"
    "再说一遍，工单号为 {ticket.number:digits}。",
    "en": "Your ticket is open, and someone will follow up within 24 hours. "
    "Your ticket number is {ticket.number:digits}. "
    "Again, your ticket number is {ticket.number:digits}.",
}

VOICEMAIL_SUBJECT = {
    "zh": "语音留言 {caller.number}",
    "en": "Voicemail from {caller.number}",
}
"""The subject of a ticket a voicemail opens when its node names none (agents read it)."""


def voicemail_subject(language: str) -> str:
    return VOICEMAIL_SUBJECT["zh" if language.lower().startswith("zh") else "en"]


TICKET_STATUS = {
    "zh": "工单 {ticket.number:digits} 的当前状态是：{ticket.status_text}。",
    "en": "The status of ticket {ticket.number:digits} is: {ticket.status_text}.",
}


def builtin_prompt(
    texts: Mapping[str, str], language: str, scope: Mapping[str, Value]
) -> tuple[PromptRef, ...]:
    """The built-in text for the caller's `language` (Chinese for any zh-*, else English)."""
    text = texts["zh"] if language.startswith("zh") else texts["en"]
    return (PromptRef(language=language, text=fill_template(text, scope)),)
