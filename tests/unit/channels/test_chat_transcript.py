"""The chat transcript by e-mail: the text in the visitor's language and the centre's time
zone, with files named; asked for over the widget's socket, refused for a bad address or a
centre with no mailbox."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from hotline.channels.chat.transcript import transcript
from hotline.channels.text.model import Attachment, Message, Sender
from hotline.ids import AgentId, InteractionId
from tests.unit.channels.test_chat_offline import Socket
from tests.unit.channels.test_visitor_session import TENANT, service
from tests.unit.interactions.harness import WEDNESDAY_10AM_SHANGHAI, until

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTACT = InteractionId("c1")


def message(seq: int, sender: Sender, body: str, **extra: object) -> Message:
    return Message(
        f"m{seq}", TENANT, CONTACT, seq, sender, f"k{seq}", body,
        WEDNESDAY_10AM_SHANGHAI + 60 * seq, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_the_transcript_reads_like_the_chat() -> None:
    messages = [
        message(1, Sender.CUSTOMER, "你好"),
        message(2, Sender.SYSTEM, "客服已接入"),
        message(3, Sender.AGENT, "您好，请讲", agent_id=AgentId("a1")),
        message(4, Sender.CUSTOMER, "", attachment=Attachment("f1", "单据.png", "image/png", 9)),
    ]
    subject, body = transcript(messages, "zh-CN", SHANGHAI, lambda a: "小王")
    assert subject == "您的在线咨询记录"
    lines = body.splitlines()
    assert lines[1].endswith("10:01")  # the centre's day and time, not UTC
    assert "[10:01] 您: 你好" in lines
    assert "[10:02] 系统: 客服已接入" in lines
    assert "[10:03] 小王: 您好，请讲" in lines
    assert "[10:04] 您: [文件: 单据.png]" in lines
    subject, body = transcript(messages[:1], "en", SHANGHAI)
    assert subject == "Your chat transcript"
    assert "[10:01] You: 你好" in body


class Outbox:
    def __init__(self, has_mailbox: bool = True) -> None:
        self.sent: list[tuple[str, str, str, str]] = []
        self.has_mailbox = has_mailbox

    async def send(self, tenant_id: str, to: str, subject: str, body: str) -> bool:
        if self.has_mailbox:
            self.sent.append((tenant_id, to, subject, body))
        return self.has_mailbox


async def test_the_visitor_asks_for_the_transcript_over_the_socket() -> None:
    chat, _, _ = service()
    outbox = Outbox()
    chat.transcripts = outbox
    socket = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(socket.receive, socket.send))
    socket.say(type="hello", language="en", name="Ann")
    socket.say(type="say", client_id="v-1", body="Where is my parcel?")
    socket.say(type="transcript", email="not an address")
    socket.say(type="transcript", email=" ann@example.com ")
    await until(lambda: any(f["type"] == "transcript_sent" for f in socket.frames))
    error = next(f for f in socket.frames if f["type"] == "error")
    assert (error["code"], error["field"]) == ("chat.transcript.email_invalid", "email")
    ((tenant, to, subject, body),) = outbox.sent
    assert (tenant, to, subject) == (TENANT, "ann@example.com", "Your chat transcript")
    assert "You: Where is my parcel?" in body
    outbox.has_mailbox = False
    socket.say(type="transcript", email="ann@example.com")
    await until(lambda: len([f for f in socket.frames if f["type"] == "error"]) == 2)
    assert socket.frames[-1]["code"] == "chat.transcript.no_mailbox"
    socket.inbox.put_nowait(None)
    await session
