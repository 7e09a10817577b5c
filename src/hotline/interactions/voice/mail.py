"""The voicemail e-mail notice, in zh-CN and en, and the SMTP sender that delivers it.

`SmtpMailSender` uses the standard library's `smtplib` in an executor, so a slow or dead mail
server never holds up a call; failures are reported by the caller as `voicemail.notified`
with `sent=False`. The WAV is attached when it is small enough.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from hotline.interactions.settings import MailSettings

__all__ = ["SmtpMailSender", "voicemail_notice"]


class SmtpMailSender:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        if "From" not in message:
            message["From"] = self.settings.sender
        await asyncio.get_running_loop().run_in_executor(None, self._send, message)

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as client:
            if s.starttls:
                client.starttls()
            if s.username and s.password:
                client.login(s.username, s.password)
            client.send_message(message)


def _minutes_seconds(seconds: float) -> tuple[int, int]:
    whole = round(seconds)
    return whole // 60, whole % 60


def voicemail_notice(
    *,
    sender: str,
    recipients: Sequence[str],
    mailbox: str,
    caller_number: str | None,
    duration_s: float,
    at: float,
    time_zone: str,
    interaction_id: str,
    wav: bytes | None,
) -> EmailMessage:
    """The notice: subject and body in Chinese then English (GLOSSARY date and duration style)."""
    when = dt.datetime.fromtimestamp(at, ZoneInfo(time_zone))
    minutes, seconds = _minutes_seconds(duration_s)
    caller = caller_number or "未知号码 / unknown"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"新语音留言 New voicemail [{mailbox}] {caller}"
    zh_duration = f"{minutes}分{seconds}秒" if minutes else f"{seconds}秒"
    message.set_content(
        f"语音信箱 {mailbox} 收到一条新留言。\n"
        f"来电号码：{caller}\n"
        f"时间：{when:%Y年%m月%d日 %H:%M}\n"
        f"时长：{zh_duration}\n"
        f"交互编号：{interaction_id}\n\n"
        f"A new voicemail arrived in mailbox {mailbox}.\n"
        f"Caller: {caller}\n"
        f"Time: {when:%Y-%m-%d %H:%M} ({time_zone})\n"
        f"Length: {minutes}:{seconds:02d}\n"
        f"Interaction: {interaction_id}\n"
    )
    if wav is not None:
        message.add_attachment(
            wav, maintype="audio", subtype="wav", filename=f"voicemail-{interaction_id}.wav"
        )
    return message
