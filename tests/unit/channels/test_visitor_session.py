"""One widget socket's session over an in-memory socket pair (no network): hello, history,
messages acknowledged once stored, reconnect without loss or duplicates, typing, leave, rating,
and bad frames answered naming the field."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotline.channels.chat import ChatService, parse
from hotline.channels.chat.protocol import ChatFrameError
from hotline.channels.chat.settings import ChatConfig
from hotline.channels.text import InMemoryMessageStore
from hotline.clock import FakeClock
from hotline.errors import Conflict
from hotline.events import ListSink
from hotline.ids import AgentId, InteractionId, QueueId, TenantId
from hotline.interactions import ContactCenter, ContactState, InMemoryCustomerDirectory
from hotline.routing import AgentProfile, Channel, QueueConfig, Router, RouterSettings
from tests.unit.interactions.harness import WEDNESDAY_10AM_SHANGHAI, until

TENANT = "t1"


class Socket:
    """The widget's end of a socket pair; the session gets `receive` and `send`."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.frames: list[dict[str, Any]] = []

    async def receive(self) -> str | None:
        return await self.inbox.get()

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(json.loads(json.dumps(frame)))

    def say(self, **frame: Any) -> None:
        self.inbox.put_nowait(json.dumps(frame))

    def close(self) -> None:
        self.inbox.put_nowait(None)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]


def service(
    settings: Callable[[str], Awaitable[ChatConfig]] | None = None,
    admit: Callable[[], bool] | None = None,
) -> tuple[ChatService, ContactCenter, ListSink]:
    clock = FakeClock(WEDNESDAY_10AM_SHANGHAI)
    sink = ListSink()
    router = Router(
        TenantId(TENANT),
        sink,
        settings=RouterSettings(ring_timeout_s=15, wrap_up_s=0, tz=ZoneInfo("Asia/Shanghai")),
    )
    center = ContactCenter(
        TENANT, router, clock=clock, sink=sink, customers=InMemoryCustomerDirectory()
    )
    center.configure_queue(QueueConfig(QueueId("chat"), channel=Channel.CHAT))
    center.configure_queue(QueueConfig(QueueId("phones")))
    center.configure_agent(AgentProfile(AgentId("a1"), capacity={Channel.CHAT: 3}))
    center.login(AgentId("a1"), ready=True)
    chat = ChatService(
        {TENANT: center}.__getitem__,
        InMemoryMessageStore(),
        clock=clock,
        sink=sink,
        agent_name=lambda t, a: "小王",
        settings=settings,
        admit=admit,
    )
    return chat, center, sink


async def test_a_visitor_chats_reconnects_and_sees_nothing_twice() -> None:
    chat, center, _ = service()
    first = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(first.receive, first.send))
    first.say(type="hello", language="zh-CN", name="张三", phone="13800138000")
    await until(lambda: bool(first.of("welcome")))
    welcome = first.of("welcome")[0]
    contact_id = InteractionId(welcome["conversation"])
    first.say(type="say", client_id="v-1", body="你好")
    first.say(type="say", client_id="v-1", body="你好")  # sent again: one message
    await until(lambda: len(first.of("ack")) == 2)
    assert first.of("ack")[0]["seq"] == first.of("ack")[1]["seq"]

    conversations = chat.conversations(TENANT)
    room = conversations.channel.room(contact_id)
    assert room is not None
    await until(lambda: AgentId("a1") in room.rings)
    await conversations.accept(AgentId("a1"), contact_id)
    await until(lambda: center.registry.get(contact_id).state is ContactState.CONNECTED)  # type: ignore[union-attr]
    await conversations.agent_writes(AgentId("a1"), contact_id, "a-1", "您好，请讲")
    await until(lambda: any(m["body"] == "您好，请讲" for m in first.of("message")))
    first.say(type="typing")
    first.close()
    await session
    seen = max(m["seq"] for m in first.of("message"))

    # offline: the agent writes twice; the widget reconnects with what it has
    await conversations.agent_writes(AgentId("a1"), contact_id, "a-2", "还在吗？")
    await conversations.agent_writes(AgentId("a1"), contact_id, "a-3", "订单已补发")
    again = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(again.receive, again.send))
    again.say(
        type="hello",
        resume={"conversation": contact_id, "token": welcome["token"]},
        after_seq=seen,
    )
    await until(lambda: len(again.of("message")) == 2)
    assert [m["body"] for m in again.of("message")] == ["还在吗？", "订单已补发"]
    again.say(type="say", client_id="v-1", body="你好")  # the first socket's message, again
    again.say(type="leave")
    await until(lambda: bool(again.of("ended")))
    again.say(type="survey")  # this service asks no survey
    await until(lambda: bool(again.of("no_survey")))
    again.close()
    await session
    history = await conversations.history(contact_id)
    assert [m.body for m in history].count("你好") == 1
    assert [m.seq for m in history] == list(range(1, len(history) + 1))


class RecordingSurveys:
    """A survey desk that keeps what it was asked and refuses a second answer."""

    def __init__(self) -> None:
        self.offered: list[tuple[str, str, str]] = []
        self.answers: list[dict[str, Any]] = []

    async def offer(
        self, tenant_id: str, chat_id: str, language: str, survey: str
    ) -> dict[str, Any] | None:
        self.offered.append((chat_id, language, survey))
        return {"type": "survey", "answered": bool(self.answers), "title": "How did we do?",
                "questions": []}  # fmt: skip

    async def answer(self, tenant_id: str, chat_id: str, answers: Mapping[str, Any]) -> None:
        if self.answers:
            raise Conflict("answered already", code="quality.link.used")
        self.answers.append(dict(answers))


async def test_the_survey_is_asked_only_after_the_end_and_answered_through_the_desk() -> None:
    chat, _, _ = service()
    chat.surveys = desk = RecordingSurveys()
    sock = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(sock.receive, sock.send))
    sock.say(type="hello", language="en", name="Ann")
    await until(lambda: bool(sock.of("welcome")))
    contact_id = sock.of("welcome")[0]["conversation"]
    sock.say(type="survey")  # still open: refused, nothing offered
    await until(lambda: bool(sock.of("error")))
    assert sock.of("error")[0]["field"] == "type"
    assert desk.offered == []
    sock.say(type="leave")
    await until(lambda: bool(sock.of("ended")))
    sock.say(type="survey")
    await until(lambda: bool(sock.of("survey")))
    assert desk.offered == [(contact_id, "en", "default")]  # the setting's default survey
    sock.say(type="survey_answer", answers={"rating": 2, "comment": "slow"})
    await until(lambda: bool(sock.of("survey_thanks")))
    sock.say(type="survey_answer", answers={"rating": 5})
    await until(lambda: len(sock.of("error")) == 2)
    assert sock.of("error")[1]["code"] == "quality.link.used"
    assert desk.answers == [{"rating": 2, "comment": "slow"}]
    sock.close()
    await session


async def test_a_stranger_cannot_resume_someone_elses_chat() -> None:
    chat, _, _ = service()
    sock = Socket()
    sock.say(
        type="hello", resume={"conversation": "01JSOMEONEELSE0000000000000"[:26], "token": "x"}
    )
    await chat.session(TENANT).run(sock.receive, sock.send)
    assert sock.of("error")[0]["field"] == "resume"
    assert not sock.of("welcome")


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ("not json", "frame"),
        ('["a"]', "frame"),
        ('{"type": "shout"}', "type"),
        ('{"type": "say", "body": "hi"}', "client_id"),
        ('{"type": "say", "client_id": "c", "body": 5}', "body"),
        ('{"type": "survey_answer", "answers": [5]}', "answers"),
        ('{"type": "survey_answer", "answers": {"rating": true}}', "answers"),
        ('{"type": "hello", "language": "fr"}', "language"),
    ],
)
def test_bad_frames_name_the_field(frame: str, field: str) -> None:
    with pytest.raises(ChatFrameError) as info:
        parse(frame)
    assert info.value.details["field"] == field


async def test_a_frame_before_hello_is_refused_and_the_session_waits_for_hello() -> None:
    chat, _, _ = service()
    sock = Socket()
    task = asyncio.create_task(chat.session(TENANT).run(sock.receive, sock.send))
    sock.say(type="say", client_id="c-1", body="hi")
    sock.say(type="hello", language="en")
    await until(lambda: bool(sock.of("welcome")))
    assert sock.of("error")[0]["field"] == "type"
    await until(lambda: any("Connecting you" in m["body"] for m in sock.of("message")))
    sock.close()
    await task


async def test_a_visitor_gone_for_good_leaves_the_chat_one_back_in_time_does_not() -> None:
    chat, center, _ = service()
    chat.away_s = 0.2
    sock = Socket()
    task = asyncio.create_task(chat.session(TENANT).run(sock.receive, sock.send))
    sock.say(type="hello", language="zh-CN")
    await until(lambda: bool(sock.of("welcome")))
    welcome = sock.of("welcome")[0]
    contact_id = InteractionId(welcome["conversation"])
    sock.close()
    await task
    back = Socket()  # back at once: the chat goes on
    again = asyncio.create_task(chat.session(TENANT).run(back.receive, back.send))
    back.say(type="hello", resume={"conversation": contact_id, "token": welcome["token"]})
    await until(lambda: bool(back.of("welcome")))
    await asyncio.wait_for(asyncio.gather(*chat._away), 5)
    assert chat.conversations(TENANT).is_open(contact_id)
    back.close()
    await again
    contact = center.registry.get(contact_id)
    await until(lambda: contact is None or contact.ended.is_set(), timeout=5)
    assert not chat.conversations(TENANT).is_open(contact_id)


async def test_a_new_visitor_is_told_busy_while_the_server_admits_none_a_resuming_one_is_not() -> (
    None
):
    room = [True]  # what the server's pool says (the app asks the engine)
    chat, _, _ = service(admit=lambda: room[0])
    first = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(first.receive, first.send))
    first.say(type="hello", language="zh-CN", name="张三")
    await until(lambda: bool(first.of("welcome")))
    welcome = first.of("welcome")[0]
    first.close()
    await session

    room[0] = False  # the pool is down to its last connections
    busy = Socket()
    await asyncio.wait_for(
        _run_until_closed(chat, busy, type="hello", language="en", name="Li"), timeout=10
    )
    assert busy.of("error") == [
        {
            "type": "error",
            "code": "chat.busy",
            "field": None,
            "message": "The chat is busy right now. Please try again in a moment.",
        }
    ]
    assert not busy.of("welcome")
    assert len(chat.conversations(TENANT).channel.rooms) == 1  # nothing opened for it

    back = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(back.receive, back.send))
    back.say(type="hello", resume={"conversation": welcome["conversation"],
                                   "token": welcome["token"]})  # fmt: skip
    await until(lambda: bool(back.of("welcome")))
    back.close()
    await session


async def _run_until_closed(chat: ChatService, socket: Socket, **hello: Any) -> None:
    socket.say(**hello)
    await chat.session(TENANT).run(socket.receive, socket.send)
