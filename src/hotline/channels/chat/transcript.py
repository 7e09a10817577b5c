"""A chat's transcript, mailed to the visitor on request: the text (who wrote what, when, in
the visitor's language and the centre's time zone) and the port that mails it through the
centre's mailbox (`TranscriptSender`; `channels/email`'s desk in production)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Protocol

from hotline.channels.text.model import Message, Sender
from hotline.errors import InvalidInput, Unavailable
from hotline.ids import AgentId

__all__ = ["TranscriptRefused", "TranscriptSender", "TranscriptUnavailable", "transcript"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_WORDS = {
    "zh-CN": {
        "subject": "您的在线咨询记录",
        "intro": "您好！以下是您本次在线咨询的记录：",
        "you": "您",
        "agent": "客服",
        "centre": "系统",
        "file": "文件",
        "end": "感谢您的咨询。",
        "date": "%Y年%m月%d日 %H:%M",
    },
    "en": {
        "subject": "Your chat transcript",
        "intro": "Hello, here is the transcript of your chat with us:",
        "you": "You",
        "agent": "Agent",
        "centre": "Centre",
        "file": "File",
        "end": "Thank you for contacting us.",
        "date": "%Y-%m-%d %H:%M",
    },
}


class TranscriptRefused(InvalidInput):
    code = "chat.transcript.email_invalid"

    def __init__(self) -> None:
        super().__init__("the e-mail address is not valid", details={"field": "email"})


class TranscriptUnavailable(Unavailable):
    """The centre has no mailbox to send from."""

    code = "chat.transcript.no_mailbox"


def check_address(address: str) -> str:
    address = address.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise TranscriptRefused()
    return address


def transcript(
    messages: Sequence[Message],
    language: str,
    tz: tzinfo,
    agent_name: Callable[[AgentId], str | None] | None = None,
) -> tuple[str, str]:
    """The mail's subject and body."""
    words = _WORDS["en" if language == "en" else "zh-CN"]
    lines = [words["intro"], ""]
    for m in messages:
        when = datetime.fromtimestamp(m.at, tz).strftime("%H:%M")
        if m.sender is Sender.CUSTOMER:
            who = words["you"]
        elif m.sender is Sender.AGENT and m.agent_id is not None:
            who = (agent_name(m.agent_id) if agent_name else None) or words["agent"]
        else:
            who = words["centre"]
        text = m.body
        if m.attachment is not None:
            text = f"{text} [{words['file']}: {m.attachment.name}]".strip()
        lines.append(f"[{when}] {who}: {text}")
    if messages:
        day = datetime.fromtimestamp(messages[0].at, tz).strftime(words["date"])
        lines.insert(1, day)
    lines += ["", words["end"]]
    return words["subject"], "\n".join(lines)


class TranscriptSender(Protocol):
    async def send(self, tenant_id: str, to: str, subject: str, body: str) -> bool:
        """Mail it through the centre's mailbox; False when the centre has none."""
        ...
