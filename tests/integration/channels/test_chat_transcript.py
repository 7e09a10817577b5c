"""The chat transcript over the real server (`hotline demo`), mailed through the centre's
mailbox to the SMTP relay on loopback: the visitor asks on the widget's socket during the chat
and receives the conversation, in her language, from the centre's address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.integration.channels.test_mail_conversation import dovecot
from tests.integration.desk.conftest import Desk, Stream, log_in_browser_agent
from tests.integration.email.dovecot import Dovecot
from tests.integration.email.harness import CENTER, eventually
from tests.integration.email.relay import Relay
from tests.server import ServerProcess

__all__ = ["dovecot"]

VISITOR = "wang.fang@example.com"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Desk]:
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_EGRESS__ALLOW_NETWORKS='["127.0.0.0/8"]',
    )
    try:
        server.start("demo")
        desk = Desk(server)
        created = desk.login("admin").post(
            "/api/v1/queues",
            {"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        yield desk
    finally:
        server.stop()


async def test_the_visitor_gets_the_transcript_by_mail(server: Desk, dovecot: Dovecot) -> None:
    desk = server
    relay = Relay(dovecot)
    relay.controller.start()
    try:
        admin = desk.login("admin")
        mailbox = {
            "address": CENTER, "display_name": "Center Help",
            "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_tls": "none",
            "imap_username": "help", "imap_password": "help-secret",
            "smtp_host": "127.0.0.1", "smtp_port": relay.port, "smtp_tls": "none",
            "auto_reply": False, "poll_s": 60, "language": "zh-CN",
        }  # fmt: skip
        assert admin.post("/api/v1/mailboxes", mailbox).status_code == 201
        agent = desk.login("agent1")
        async with desk.browser_phone("agent1", 440.0):
            log_in_browser_agent(desk)
            async with connect(desk.ws + "/api/v1/chat/visitor?center=demo") as ws:
                visitor = Stream(ws)
                hello = {"type": "hello", "language": "zh-CN", "name": "王芳", "email": VISITOR}
                await ws.send(json.dumps(hello))
                conversation = (await visitor.next("welcome"))["conversation"]
                await ws.send(json.dumps({"type": "say", "client_id": "v-1", "body": "发票开错了"}))
                await visitor.next("ack")
                await desk.until(
                    lambda: (
                        agent.post(f"/api/v1/chat/conversations/{conversation}/accept").is_success
                    )
                )
                path = f"/api/v1/chat/conversations/{conversation}/messages"
                sent = agent.post(path, {"client_id": "a-1", "body": "已为您重开，请查收"})
                assert sent.status_code == 200, sent.text
                await visitor.next("message", lambda m: m["sender"] == "agent")
                await ws.send(json.dumps({"type": "transcript", "email": VISITOR}))
                assert (await visitor.next("transcript_sent"))["email"] == VISITOR

        def mailed() -> list[EmailMessage]:
            return [m for m in relay.messages if VISITOR in str(m["To"])]

        (mail,) = await eventually(mailed)
        assert CENTER in str(mail["From"])
        # sent as the mailbox's notices are: a reply to it finds its thread by the token (ADR 0245)
        assert str(mail["Subject"]).startswith("您的在线咨询记录 [#HL-")
        part = mail.get_body(preferencelist=("plain",))
        assert part is not None
        text = part.get_content()
        assert "您: 发票开错了" in text
        assert "已为您重开，请查收" in text
    finally:
        relay.controller.stop()
