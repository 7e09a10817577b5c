"""A chat visitor's claim on its conversation survives a restart of the server: the token the
widget got in its welcome is signed with a secret kept in the tenant's keyring, so after the
restart the widget resumes the same conversation, reads its history once, learns that it ended
(open contacts end as interrupted at a restart) and is asked no survey (nobody answered it).
A forged token is still refused. Real server process, stopped and started on the same
database and keys."""

from __future__ import annotations

import json
from pathlib import Path

from websockets.asyncio.client import connect

from tests.integration.desk.conftest import Stream
from tests.integration.desktop.harness import login
from tests.server import ServerProcess


async def test_a_visitor_resumes_its_chat_after_the_server_restarted(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        admin = login(server, "admin")
        created = admin.post(
            "/api/v1/queues",
            json={"name": "webchat", "display_name": "在线客服", "channel": "chat"},
        )
        assert created.status_code == 201, created.text
        # someone serves the chat queue, else the widget offers to leave a message (ADR 0234)
        on_duty = login(server, "agent1").post(
            "/api/v1/desk/login", json={"phone": "sip", "ready": True}
        )
        assert on_duty.status_code == 200, on_duty.text
        visitor_url = server.url.replace("http", "ws", 1) + "/api/v1/chat/visitor?center=demo"
        async with connect(visitor_url) as ws:
            visitor = Stream(ws)
            await ws.send(json.dumps({"type": "hello", "language": "zh-CN", "name": "王芳"}))
            welcome = await visitor.next("welcome")
            await ws.send(json.dumps({"type": "say", "client_id": "v-1", "body": "快递还没到"}))
            said = await visitor.next("ack")

        server.stop()
        server.start("demo")

        conversation = welcome["conversation"]
        async with connect(visitor_url) as ws:
            visitor = Stream(ws)
            forged = {"conversation": conversation, "token": "0" * 40}
            await ws.send(json.dumps({"type": "hello", "resume": forged}))
            refused = await visitor.next("error")
            assert refused["field"] == "resume"
        async with connect(visitor_url) as ws:
            visitor = Stream(ws)
            resume = {"conversation": conversation, "token": welcome["token"]}
            await ws.send(json.dumps({"type": "hello", "resume": resume, "after_seq": 0}))
            assert (await visitor.next("welcome"))["conversation"] == conversation
            mine = await visitor.next("message", lambda m: m["sender"] == "customer")
            assert (mine["body"], mine["seq"]) == ("快递还没到", said["seq"])
            await visitor.next("ended")  # the restart ended the contact as interrupted
            # no agent answered before the restart: there is nobody to rate, so no survey
            await ws.send(json.dumps({"type": "survey"}))
            await visitor.next("no_survey")
        agent = login(server, "agent1")
        history = agent.get(f"/api/v1/chat/conversations/{conversation}/messages")
        assert history.status_code == 200, history.text
        bodies = [m["body"] for m in history.json()["items"]]
        assert bodies.count("快递还没到") == 1
    finally:
        server.stop()
