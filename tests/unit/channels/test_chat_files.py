"""Files in a chat: the centre's limits (size, types, an image that is not what it says),
the file's name made safe, and a file both ways through a visitor's session — kept once,
written as a message, refused with a code the widget translates, nothing kept when refused."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from hotline.channels.chat import ChatService
from hotline.channels.chat.errors import ChatFileRefused, ChatSettingsInvalid
from hotline.channels.chat.files import ChatFiles, accepted_type, clean_name, sniff_image
from hotline.channels.chat.settings import ChatConfig, parse_config
from hotline.channels.text import ConversationClosed, NotInConversation
from hotline.ids import AgentId, InteractionId
from hotline.interactions import ContactState
from hotline.store.attachments import FileAttachmentStore
from tests.unit.channels.test_visitor_session import TENANT, service
from tests.unit.interactions.harness import until

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20


def test_images_are_known_by_their_bytes() -> None:
    assert sniff_image(PNG) == "image/png"
    assert sniff_image(JPEG) == "image/jpeg"
    assert sniff_image(b"GIF89a...") == "image/gif"
    assert sniff_image(WEBP) == "image/webp"
    assert sniff_image(b"<svg onload=alert(1)>") is None
    assert sniff_image(b"%PDF-1.7") is None


def test_the_centres_limits_decide_what_is_kept() -> None:
    config = ChatConfig(file_max_mb=0.001, file_types=["image/png", "application/pdf"])
    assert accepted_type(config, "image/png", PNG) == "image/png"
    assert accepted_type(config, "application/pdf; name=x.pdf", b"%PDF-1.7") == "application/pdf"
    with pytest.raises(ChatFileRefused) as big:
        accepted_type(config, "image/png", PNG + b"\x00" * 2000)
    assert big.value.code == "chat.file.too_large"
    assert big.value.details["field"] == "file"
    with pytest.raises(ChatFileRefused) as kind:
        accepted_type(config, "image/jpeg", JPEG)  # not one of this centre's types
    assert kind.value.code == "chat.file.type"
    with pytest.raises(ChatFileRefused) as lie:
        accepted_type(config, "image/png", b"<html><script>alert(1)</script>")
    assert lie.value.code == "chat.file.type"
    with pytest.raises(ChatFileRefused) as empty:
        accepted_type(config, "image/png", b"")
    assert empty.value.code == "chat.file.empty"
    with pytest.raises(ChatFileRefused):
        accepted_type(ChatConfig(), "text/html", b"<p>hi</p>")  # not in the defaults


def test_an_image_sent_under_another_image_type_is_kept_as_what_it_is() -> None:
    assert accepted_type(ChatConfig(), "image/bmp", PNG) == "image/png"


def test_file_names_lose_folders_and_control_characters() -> None:
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\王\\发票.pdf") == "发票.pdf"
    assert clean_name("a\x00b\u202ec.png") == "abc.png"
    assert clean_name("..") == "file"
    assert len(clean_name("x" * 500)) == 200


def test_bad_settings_name_their_field() -> None:
    assert parse_config(None) == ChatConfig()
    with pytest.raises(ChatSettingsInvalid) as bad:
        parse_config({"file_types": ["png"]})
    assert bad.value.details["field"] == "file_types"
    with pytest.raises(ChatSettingsInvalid) as big:
        parse_config({"file_max_mb": 500})
    assert big.value.details["field"] == "file_max_mb"
    with pytest.raises(ChatSettingsInvalid):
        parse_config({"colour": "red"})


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

    def file(self, client_id: str, name: str, content_type: str, data: bytes) -> None:
        self.say(type="file", client_id=client_id, name=name, content_type=content_type,
                 size=len(data))  # fmt: skip
        self.inbox.put_nowait(data)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]


def with_files(tmp_path: Path, config: ChatConfig) -> ChatService:
    chat, _center, _sink = service()

    async def settings(tenant_id: str) -> ChatConfig:
        assert tenant_id == TENANT
        return config

    chat.files = ChatFiles(FileAttachmentStore(tmp_path), settings)
    return chat


def kept(tmp_path: Path) -> list[Path]:
    return sorted(p for p in tmp_path.rglob("*") if p.is_file())


async def test_a_visitor_sends_an_image_once_and_a_refused_file_keeps_nothing(
    tmp_path: Path,
) -> None:
    chat = with_files(tmp_path, ChatConfig(file_max_mb=1, file_types=["image/png"]))
    socket = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(socket.receive, socket.send))
    socket.say(type="hello", language="en", name="Ann")
    await until(lambda: bool(socket.of("welcome")))
    welcome = socket.of("welcome")[0]
    assert welcome["files"] == {"max_bytes": 1024 * 1024, "types": ["image/png"]}
    contact_id = InteractionId(welcome["conversation"])

    socket.file("f-1", "photo.png", "image/png", PNG)
    socket.file("f-1", "photo.png", "image/png", PNG)  # sent again after a reconnect
    await until(lambda: len(socket.of("ack")) == 2)
    first, again = socket.of("ack")
    assert first["seq"] == again["seq"]
    shown = [m for m in socket.of("message") if m.get("attachment")]
    assert shown[0]["attachment"]["name"] == "photo.png"
    assert shown[0]["attachment"]["content_type"] == "image/png"
    assert len(kept(tmp_path)) == 1  # kept once

    socket.file("f-2", "report.pdf", "application/pdf", b"%PDF-1.7 ...")
    await until(lambda: bool(socket.of("error")))
    error = socket.of("error")[0]
    assert (error["code"], error["field"]) == ("chat.file.type", "file")
    socket.say(type="file", client_id="f-3", name="x.png", content_type="image/png", size=99)
    socket.inbox.put_nowait(PNG)  # not 99 bytes
    await until(lambda: len(socket.of("error")) == 2)
    assert socket.of("error")[1]["field"] == "size"
    assert len(kept(tmp_path)) == 1

    conversations = chat.conversations(TENANT)
    history = await conversations.history(contact_id)
    files = [m for m in history if m.attachment is not None]
    assert len(files) == 1
    found = await chat.attachment(conversations, contact_id, files[0].attachment.attachment_id)  # type: ignore[union-attr]
    assert found == files[0].attachment
    assert chat.files is not None
    assert found is not None
    with chat.files.open(TENANT, contact_id, found) as stream:
        assert stream.read() == PNG
    socket.inbox.put_nowait(None)
    await session


async def test_an_agent_sends_a_file_only_into_a_chat_it_is_in(tmp_path: Path) -> None:
    chat = with_files(tmp_path, ChatConfig())
    socket = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(socket.receive, socket.send))
    socket.say(type="hello", language="zh-CN", name="张三")
    await until(lambda: bool(socket.of("welcome")))
    contact_id = InteractionId(socket.of("welcome")[0]["conversation"])
    conversations = chat.conversations(TENANT)
    a1, stranger = AgentId("a1"), AgentId("a9")

    with pytest.raises(NotInConversation):
        await chat.agent_sends_file(conversations, a1, contact_id, "c-1", "a.pdf",
                                    "application/pdf", b"%PDF-1.7")  # fmt: skip
    room = conversations.channel.room(contact_id)
    assert room is not None
    await until(lambda: a1 in room.rings)
    await conversations.accept(a1, contact_id)
    center = conversations.center
    await until(lambda: center.registry.get(contact_id).state is ContactState.CONNECTED)  # type: ignore[union-attr]
    assert await chat.is_party(conversations, contact_id, a1)
    assert not await chat.is_party(conversations, contact_id, stranger)

    stored = await chat.agent_sends_file(
        conversations, a1, contact_id, "c-1", "发票.pdf", "application/pdf", b"%PDF-1.7"
    )
    repeat = await chat.agent_sends_file(
        conversations, a1, contact_id, "c-1", "发票.pdf", "application/pdf", b"%PDF-1.7"
    )
    assert repeat == stored
    assert len(kept(tmp_path)) == 1
    await until(lambda: any(m.get("attachment") for m in socket.of("message")))
    sent = next(m for m in socket.of("message") if m.get("attachment"))
    assert sent["attachment"]["name"] == "发票.pdf"
    with pytest.raises(ChatFileRefused):
        await chat.agent_sends_file(conversations, a1, contact_id, "c-2", "x.exe",
                                    "application/x-msdownload", b"MZ")  # fmt: skip

    socket.say(type="leave")
    await until(lambda: bool(socket.of("ended")))
    with pytest.raises(ConversationClosed):
        await chat.agent_sends_file(conversations, a1, contact_id, "c-3", "b.pdf",
                                    "application/pdf", b"%PDF-1.7")  # fmt: skip
    assert await chat.is_party(conversations, contact_id, a1)  # wrote in it: still sees files
    socket.inbox.put_nowait(None)
    await session
