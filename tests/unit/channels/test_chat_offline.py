"""Offline web chat: a visitor may chat only while the chat queue is open (the hours engine)
and staffed; otherwise a hello opens no chat and the visitor leaves a message instead, handed
to the centre's offline desk once it names a way to answer."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest

from hotline.channels.chat.offline import LeftMessage, Offline, availability, left_message
from hotline.channels.chat.protocol import ChatFrameError
from hotline.hours import BusinessCalendar
from hotline.ids import AgentId, QueueId
from hotline.routing import Channel, QueueConfig
from tests.unit.channels.test_visitor_session import TENANT, service
from tests.unit.interactions.harness import until

EVENINGS = BusinessCalendar.create("Asia/Shanghai", [[(20 * 60, 22 * 60)]] * 7)


class Tickets:
    """The offline desk's port, keeping what it was given (the SQL one opens tickets)."""

    def __init__(self) -> None:
        self.left: list[tuple[str, LeftMessage]] = []

    async def leave(self, tenant_id: str, message: LeftMessage) -> str:
        self.left.append((tenant_id, message))
        return str(20000 + len(self.left))


class Socket:
    def __init__(self) -> None:
        self.inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.frames: list[dict[str, Any]] = []

    async def receive(self) -> str | bytes | None:
        return await self.inbox.get()

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(json.loads(json.dumps(frame)))

    def say(self, **frame: Any) -> None:
        self.inbox.put_nowait(json.dumps(frame))


def test_the_chat_is_online_only_when_open_and_staffed() -> None:
    chat, center, _ = service()
    snapshot = center.router.queue_snapshot(QueueId("chat"), now=chat.clock.now())
    assert availability(snapshot).online
    assert availability(None).reason is Offline.NO_QUEUE
    assert availability(replace(snapshot, open=False)).reason is Offline.CLOSED
    assert availability(replace(snapshot, staffed=0)).reason is Offline.NO_AGENTS


def test_a_left_message_needs_a_body_and_a_way_to_answer() -> None:
    left = left_message({"body": " 发票开错了 ", "phone": "13800138000"}, "zh-CN")
    assert (left.body, left.phone, left.email) == ("发票开错了", "13800138000", None)
    for fields, field in [
        ({"phone": "13800138000"}, "body"),
        ({"body": "hi"}, "phone"),
        ({"body": "hi", "email": "not-an-address"}, "email"),
        ({"body": "x" * 4001, "phone": "1"}, "body"),
    ]:
        with pytest.raises(ChatFrameError) as bad:
            left_message(fields, "en")
        assert bad.value.details["field"] == field


async def test_outside_hours_a_hello_opens_no_chat_and_the_visitor_leaves_a_message() -> None:
    chat, center, _ = service()
    tickets = Tickets()
    chat.offline = tickets
    center.configure_queue(QueueConfig(QueueId("chat"), channel=Channel.CHAT, hours=EVENINGS))
    socket = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(socket.receive, socket.send))
    socket.say(type="availability")
    await until(lambda: bool(socket.frames))
    assert socket.frames[0] == {
        "type": "availability",
        "online": False,
        "reason": "closed",
        "greeting": "",
        "prechat": {"name": "optional", "phone": "optional", "email": "optional"},
    }
    socket.say(type="leave_message", language="en", body="Call me back", name="Ann")
    await until(lambda: len(socket.frames) == 2)
    assert socket.frames[1]["field"] == "phone"
    socket.say(type="leave_message", language="en", body="Call me back", phone="13800138000")
    await until(lambda: len(socket.frames) == 3)
    assert socket.frames[2] == {"type": "left", "reference": "20001"}
    assert tickets.left == [(TENANT, LeftMessage("Call me back", "en", None, "13800138000"))]
    socket.say(type="hello", language="en", name="Ann")
    await session  # no chat: the session ends
    assert socket.frames[3] == {"type": "offline", "reason": "closed"}
    assert chat.conversations(TENANT).channel.rooms == {}


async def test_with_nobody_logged_in_the_chat_is_offline_and_online_again_after() -> None:
    chat, center, _ = service()
    chat.offline = Tickets()
    center.logout(AgentId("a1"))
    assert chat.availability(TENANT).reason is Offline.NO_AGENTS
    center.login(AgentId("a1"), ready=True)
    assert chat.availability(TENANT).online
