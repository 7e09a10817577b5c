"""Issue 22, e-mail on the conversation core, over the real server (`hotline demo`) with a real
IMAP server (dovecot) and the SMTP relay on loopback: a mail delivered into the centre's
mailbox becomes a text contact of kind email in the centre's e-mail queue, offered on agent1's
chat desk; the agent's reply arrives in the customer's mailbox threaded under the mail; the
customer's answer joins the same contact."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests import dbs
from tests.integration.desk.conftest import Desk, Stream, log_in_browser_agent
from tests.integration.email.dovecot import Dovecot
from tests.integration.email.harness import CENTER, CUSTOMER, customer_mail, eventually
from tests.integration.email.relay import Relay
from tests.server import ServerProcess


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot({"help": "help-secret", "customer": "cust-secret"})
    server.start()
    yield server
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def mail_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """The demo on a fresh database of each kind, its egress open to the mail servers."""
    url = f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db"
    if request.param == "postgresql":
        problem = dbs.pg_available()
        if problem:
            pytest.skip(problem)
        url = dbs.create_pg_database()
    server = ServerProcess(tmp_path / "var", url, HOTLINE_EGRESS__ALLOW_NETWORKS='["127.0.0.0/8"]')
    try:
        server.start("demo")
        desk = Desk(server)
        created = desk.login("admin").post(
            "/api/v1/queues",
            {"name": "mail", "display_name": "邮件客服", "channel": "email", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        yield desk
    finally:
        server.stop()
        if request.param == "postgresql":
            dbs.drop_pg_database(url)


async def test_a_mail_is_offered_on_the_desk_and_the_reply_arrives_threaded(
    mail_server: Desk, dovecot: Dovecot
) -> None:
    desk = mail_server
    relay = Relay(dovecot)
    relay.controller.start()
    try:
        admin = desk.login("admin")
        mailbox = {
            "address": CENTER, "display_name": "Center Help",
            "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_tls": "none",
            "imap_username": "help", "imap_password": "help-secret",
            "smtp_host": "127.0.0.1", "smtp_port": relay.port, "smtp_tls": "none",
            "auto_reply": False, "poll_s": 5, "language": "zh-CN",
        }  # fmt: skip
        added = admin.post("/api/v1/mailboxes", mailbox)
        assert added.status_code == 201, added.text
        agent = desk.login("agent1")
        async with (
            desk.browser_phone("agent1", 440.0),
            connect(
                desk.ws + "/api/v1/chat/desk", additional_headers={"Cookie": agent.cookie}
            ) as desk_ws,
        ):
            log_in_browser_agent(desk)
            feed = Stream(desk_ws)
            await feed.next("ready")
            first = customer_mail("订单未送达", "你好，我的订单还没有到。")
            await asyncio.to_thread(dovecot.deliver, "help", first)
            offer = await feed.next("offer", timeout=40)
            assert offer["kind"] == "email"
            contact = offer["contact_id"]
            assert agent.post(f"/api/v1/chat/conversations/{contact}/accept").status_code == 200
            path = f"/api/v1/chat/conversations/{contact}/messages"
            history = agent.get(path).json()["items"]
            assert any("订单还没有到" in m["body"] for m in history if m["sender"] == "customer")
            reply = agent.post(path, {"client_id": "a-1", "body": "您好，我们马上为您查询。"})
            assert reply.status_code == 200, reply.text

            def answered() -> list[EmailMessage]:
                return [m for m in relay.messages if CUSTOMER in str(m["To"])]

            (sent,) = await eventually(answered)
            original = customer_message_id(first)
            assert str(sent["In-Reply-To"]) == original
            assert original in str(sent["References"])
            assert "订单未送达" in str(sent["Subject"])
            body = sent.get_body(preferencelist=("plain",))
            assert body is not None
            assert "马上为您查询" in body.get_content()

            # the customer answers in the thread: the same contact, on the agent's desk
            answer = customer_mail("Re: 订单未送达", "单号是 SF123456", parent=sent)
            await asyncio.to_thread(dovecot.deliver, "help", answer)
            got = await feed.next("message", lambda m: "SF123456" in m["body"], timeout=40)
            assert got["contact_id"] == contact
    finally:
        relay.controller.stop()


def customer_message_id(raw: bytes) -> str:
    return str(BytesParser(policy=policy.default).parsebytes(raw)["Message-ID"])
