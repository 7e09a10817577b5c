"""Issue 21, many visitors on a small database pool, over the real server (`hotline demo`):
sixty widget visitors arrive at once against a pool of 5 + 5 connections, three text-only
agents take them (twenty chats each) and answer every message. Every visitor chats (one told
`chat.busy` while the pool is short tries again, as the widget does), none is cut off by a
pool time-out, each message is acknowledged, reaches the agent and is answered, and the store
keeps it once — on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests import dbs
from tests.integration.desk.conftest import Stream
from tests.server import PASSWORD, ServerProcess

VISITORS = 60
AGENTS = 3
PER_AGENT = 20
MESSAGES = 3  # after the first, which waits for an agent


@pytest.fixture(params=["sqlite", "postgresql"])
def small_pool_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo on a fresh database of each kind with a pool of 5 + 5, a chat queue and
    three agents that only chat (a SIP extension they never register)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db"
    if request.param == "postgresql":
        problem = dbs.pg_available()
        if problem:
            pytest.skip(problem)
        url = dbs.create_pg_database()
    server = ServerProcess(
        tmp_path / "var",
        url,
        HOTLINE_DATABASE__POOL_SIZE="5",
        HOTLINE_DATABASE__MAX_OVERFLOW="5",
    )
    try:
        server.start("demo")
        admin = server.login("admin")
        queue = {"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0}
        admin.post("/api/v1/queues", json=queue).raise_for_status()
        for i in range(AGENTS):
            agent = {
                "username": f"chat{i}",
                "display_name": f"在线坐席{i}",
                "password": PASSWORD,
                "chat_capacity": PER_AGENT,
                "phone_mode": "sip",
                "extension": str(7100 + i),
                "sip_password": PASSWORD,
            }
            admin.post("/api/v1/agents", json=agent).raise_for_status()
        yield server
    finally:
        server.stop()
        if request.param == "postgresql":
            dbs.drop_pg_database(url)


class ChatAgent:
    """An agent at the desk API: takes every offer, answers each visitor message with its
    own text (REST), remembers what it was offered and what it read."""

    def __init__(self, url: str, username: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=60)
        self.url = url
        self.username = username
        self.read: list[str] = []
        self.failures: list[str] = []
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self) -> ClientConnection:
        login = await self.http.post(
            "/api/v1/auth/login", json={"username": self.username, "password": PASSWORD}
        )
        login.raise_for_status()
        self.http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        cookie = f"hotline_session={login.cookies['hotline_session']}"
        ws = await connect(
            self.url.replace("http", "ws", 1) + "/api/v1/chat/desk",
            additional_headers={"Cookie": cookie},
            max_queue=None,
        )
        ready = await self.http.post("/api/v1/desk/login", json={"phone": "sip", "ready": True})
        assert ready.status_code == 200, ready.text
        return ws

    async def work(self, ws: ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            conversation = frame.get("contact_id")
            if frame.get("type") == "offer":
                self._post(f"/api/v1/chat/conversations/{conversation}/accept", None)
            elif frame.get("type") == "message" and frame.get("sender") == "customer":
                self.read.append(frame["body"])
                reply = {"client_id": "re-" + frame["client_id"], "body": "收到：" + frame["body"]}
                self._post(f"/api/v1/chat/conversations/{conversation}/messages", reply)

    def _post(self, path: str, body: dict[str, Any] | None) -> None:
        async def post() -> None:
            response = await self.http.post(path, json=body)
            if response.status_code != 200:
                self.failures.append(f"{path}: {response.status_code} {response.text}")

        task = asyncio.create_task(post())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


async def _visitor(url: str, n: int, busy: list[int]) -> tuple[str, list[dict[str, Any]]]:
    """One visitor's chat: welcomed (after a `chat.busy`, again as the widget does), a first
    message, then (an agent joined) the others, each acknowledged and answered. The
    conversation and the acknowledgements."""
    for attempt in range(10):
        async with connect(url, max_queue=None) as ws:
            stream = Stream(ws)
            await ws.send(json.dumps({"type": "hello", "language": "zh-CN", "name": f"访客{n}"}))
            first = await stream.next(timeout=120)
            if first.get("code") == "chat.busy":
                busy.append(n)
                await asyncio.sleep(0.3 * 2 ** min(attempt + 1, 5))  # the widget's back-off
                continue
            assert first["type"] == "welcome", first
            return await _chat(ws, stream, first, n)
    raise AssertionError(f"visitor {n} was told busy ten times")


async def _chat(
    ws: ClientConnection, stream: Stream, welcome: dict[str, Any], n: int
) -> tuple[str, list[dict[str, Any]]]:
    acks = []
    await ws.send(json.dumps({"type": "say", "client_id": f"v{n}-0", "body": f"你好{n}"}))
    acks.append(await stream.next("ack", timeout=120))
    # an agent took the chat (its notice); what comes next reaches it live
    await stream.next("message", lambda m: m["sender"] == "system" and "为您服务" in m["body"],
                      timeout=120)  # fmt: skip
    for i in range(1, MESSAGES + 1):
        body = f"访客{n}的第{i}条"
        await ws.send(json.dumps({"type": "say", "client_id": f"v{n}-{i}", "body": body}))
        acks.append(await stream.next("ack", lambda a, i=i: a["client_id"] == f"v{n}-{i}"))
        await stream.next("message", lambda m, b=body: m["body"] == "收到：" + b, timeout=120)
    return str(welcome["conversation"]), acks


async def test_sixty_visitors_on_a_pool_of_ten_are_all_stored_and_answered(
    small_pool_server: ServerProcess,
) -> None:
    server = small_pool_server
    agents = [ChatAgent(server.url, f"chat{i}") for i in range(AGENTS)]
    sockets = [await agent.start() for agent in agents]
    workers = [
        asyncio.create_task(agent.work(ws)) for agent, ws in zip(agents, sockets, strict=True)
    ]
    try:
        url = server.url.replace("http", "ws", 1) + "/api/v1/chat/visitor?center=demo"
        busy: list[int] = []
        chats = await asyncio.gather(*(_visitor(url, n, busy) for n in range(VISITORS)))
        assert len({conversation for conversation, _ in chats}) == VISITORS
        for _, acks in chats:
            seqs = [ack["seq"] for ack in acks]
            assert seqs == sorted(set(seqs))
        # every message after the agent joined reached it once and was answered
        live = [f"访客{n}的第{i}条" for n in range(VISITORS) for i in range(1, MESSAGES + 1)]
        read = [body for agent in agents for body in agent.read if body in live]
        assert sorted(read) == sorted(live)
        assert [failure for agent in agents for failure in agent.failures] == []
        # the store holds each conversation's messages once, numbered without gaps
        reader = agents[0].http
        for n, (conversation, _) in enumerate(chats):
            found = await reader.get(f"/api/v1/chat/conversations/{conversation}/messages")
            assert found.status_code == 200, found.text
            items = found.json()["items"]
            customer = [m["body"] for m in items if m["sender"] == "customer"]
            assert customer == [f"你好{n}"] + [f"访客{n}的第{i}条" for i in range(1, MESSAGES + 1)]
            answers = [m["body"] for m in items if m["sender"] == "agent"]
            assert len(answers) == len(set(answers))  # each answer kept once
            assert {"收到：" + body for body in customer[1:]} <= set(answers)
            assert [m["seq"] for m in items] == list(range(1, len(items) + 1))
    finally:
        for worker in workers:
            worker.cancel()
        for ws in sockets:
            await ws.close()
        for agent in agents:
            await agent.http.aclose()
    log = server.log_path.read_text(errors="replace")
    assert "QueuePool limit" not in log
