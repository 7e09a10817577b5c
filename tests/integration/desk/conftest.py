"""The real `hotline demo` server for the desk tests, with everything a desk page uses over the
wire: users logged in over HTTP, a browser phone (an aiortc peer on `/api/v1/phone`, playing a
tone as its microphone), the desk stream (`/api/v1/desk/stream`), baresip phones and callers.

The demo's IVR and queues keep business hours; the tests publish the same flow with a 24/7
calendar and take the queues' calendars off, so they pass at any time of the day or week.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import yaml
from websockets.asyncio.client import ClientConnection, connect

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import Phone, baresip_phone
from tests.integration.callcenter.softphone import tone_level
from tests.integration.webrtc.peers import FRAME, RATE, BrowserPeer
from tests.server import FRESH_CONNECTIONS, PASSWORD, ServerProcess

ROOT = Path(__file__).resolve().parents[3]
DEMO_FLOW = ROOT / "examples" / "flows" / "main.yaml"
WANG_FANG = "13800138001"  # a seeded customer (VIP 2)
QUEUE_FIELDS = (
    "name",
    "display_name",
    "strategy",
    "sl_target_pct",
    "sl_threshold_s",
    "wrap_up_s",
    "max_wait_s",
    "max_length",
    "disposition_required",
    "options",
)


def tone_frames(hz: float, seconds: float, level: float = 0.25) -> list[np.ndarray]:
    """A steady tone as 20 ms frames (what the browser's microphone sends)."""
    t = np.arange(int(seconds * RATE)) / RATE
    pcm = (level * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
    return [pcm[i : i + FRAME] for i in range(0, len(pcm) - FRAME + 1, FRAME)]


def has_tone(samples: np.ndarray, hz: float, level: float = 0.05) -> bool:
    return len(samples) >= 4000 and tone_level(samples, hz) > level


@dataclass
class User:
    client: httpx.Client
    cookie: str
    me: dict[str, Any]

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body or {})

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def desk(self) -> dict[str, Any]:
        response = self.client.get("/api/v1/desk")
        response.raise_for_status()
        desk: dict[str, Any] = response.json()
        return desk


class Desk:
    """The demo server plus the test's users, phones and streams."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.users: dict[str, User] = {}

    @property
    def ws(self) -> str:
        return self.server.url.replace("http://", "ws://")

    def login(self, username: str, tenant: str = "demo") -> User:
        if username in self.users:
            return self.users[username]
        client = httpx.Client(base_url=self.server.url, timeout=15, limits=FRESH_CONNECTIONS)
        self.server.clients.append(client)
        response = client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD, "tenant": tenant},
        )
        response.raise_for_status()
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        cookie = f"hotline_session={response.cookies['hotline_session']}"
        user = User(client, cookie, client.get("/api/v1/auth/me").json())
        self.users[username] = user
        return user

    def agent_id(self, username: str) -> str:
        admin = self.login("admin")
        for agent in admin.get("/api/v1/agents").json()["items"]:
            if agent["username"] == username:
                return str(agent["id"])
        raise AssertionError(f"no agent {username}")

    def open_all_hours(self) -> None:
        """Publish the demo flow with a 24/7 calendar; queues without opening hours."""
        admin = self.login("admin")
        flow = yaml.safe_load(DEMO_FLOW.read_text())
        flow["calendars"]["business"] = {
            "weekly": {
                day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            }
        }
        published = admin.post("/api/v1/flows", {"text": yaml.safe_dump(flow, allow_unicode=True)})
        assert published.status_code == 201, published.text
        for queue in admin.get("/api/v1/queues").json()["items"]:
            body = {k: queue[k] for k in QUEUE_FIELDS}
            body["skills"] = [
                {"skill_id": s["skill_id"], "min_proficiency": s["min_proficiency"]}
                for s in queue["skills"]
            ]
            body["calendar_id"] = None
            replaced = admin.client.put(f"/api/v1/queues/{queue['id']}", json=body)
            assert replaced.status_code == 200, replaced.text

    async def until(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        """Poll a condition the server changes (read over HTTP, off the event loop)."""
        async with asyncio.timeout(timeout):
            for _ in itertools.count():
                if await asyncio.to_thread(predicate):
                    return
                await asyncio.sleep(0.1)

    async def desk_of(
        self, username: str, check: Callable[[dict[str, Any]], bool], timeout: float = 15.0
    ) -> dict[str, Any]:
        """Poll GET /desk until `check` holds."""
        user = self.login(username)
        found: dict[str, Any] = {}

        def probe() -> bool:
            nonlocal found
            found = user.desk()
            return check(found)

        try:
            await self.until(probe, timeout)
        except TimeoutError:
            raise AssertionError(f"{username}'s desk never matched: {found}") from None
        return found

    def events(self, kind: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (
            self.login("admin")
            .client.get("/api/v1/events", params={"type": kind, "limit": 500})
            .json()["items"]
        )
        return items

    @contextlib.asynccontextmanager
    async def stream(self, username: str) -> AsyncIterator[Stream]:
        user = self.login(username)
        async with connect(
            self.ws + "/api/v1/desk/stream", additional_headers={"Cookie": user.cookie}
        ) as ws:
            yield Stream(ws)

    @contextlib.asynccontextmanager
    async def browser_phone(self, username: str, tone_hz: float) -> AsyncIterator[BrowserPeer]:
        """The page's phone: connected over /api/v1/phone, its microphone playing a tone."""
        user = self.login(username)
        peer = BrowserPeer()
        peer.microphone.say(tone_frames(tone_hz, 120.0))
        ws = await connect(self.ws + "/api/v1/phone", additional_headers={"Cookie": user.cookie})
        try:
            await ws.send(json.dumps({"type": "offer", "sdp": await peer.offer()}))
            answer = await Stream(ws).next("answer")
            await peer.accept(answer["sdp"])
            assert await Stream(ws).next("state") == {"type": "state", "state": "connected"}
            yield peer
        finally:
            with contextlib.suppress(Exception):
                await ws.close()
            await peer.close()


class Stream:
    """Messages of a WebSocket, taken by kind in any order (a message not asked for yet
    waits for a later `next`)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pending: list[dict[str, Any]] = []

    async def next(
        self,
        kind: str | None = None,
        check: Callable[[dict[str, Any]], bool] = lambda _m: True,
        timeout: float = 20.0,
    ) -> dict[str, Any]:
        def wanted(message: dict[str, Any]) -> bool:
            return (kind is None or message["type"] == kind) and check(message)

        for index, message in enumerate(self.pending):
            if wanted(message):
                return self.pending.pop(index)
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.ws.recv())
                if wanted(message):
                    return message
                self.pending.append(message)


@contextlib.asynccontextmanager
async def caller(desk: Desk, tmp: Path, name: str = "caller") -> AsyncIterator[Phone]:
    async with baresip_phone(
        tmp, name, user=WANG_FANG, server_port=desk.server.sip_port, tone_hz=CUSTOMER_HZ
    ) as phone:
        yield phone


async def press(desk: Desk, phone: Phone, key: str) -> None:
    """Dial 4001 and press `key` (1 sales, 2 support) while the greeting plays (it carries
    to the menu)."""
    await phone.dial(f"sip:4001@127.0.0.1:{desk.server.sip_port}")
    await phone.wait_event("CALL_ESTABLISHED", timeout=15)
    await asyncio.sleep(1.5)
    await phone.keys(key)


def log_in_browser_agent(desk: Desk) -> dict[str, Any]:
    response = desk.login("agent1").post("/api/v1/desk/login", {"phone": "browser", "ready": True})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def desk_server(tmp_path: Path) -> Iterator[Desk]:
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        desk = Desk(server)
        desk.open_all_hours()
        yield desk
    finally:
        server.stop()
