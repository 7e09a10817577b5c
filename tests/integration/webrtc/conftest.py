"""An in-process Hotline API with the phone router and a gateway on a real media engine, served
by uvicorn on 127.0.0.1 in the test's own loop (aiortc and the engine need that loop)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from hotline.api import phone
from hotline.api.application import create_api
from hotline.app import Services, build_services
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.events import ListSink
from hotline.media.engine import MediaEngine
from hotline.media.webrtc import WebRtcGateway
from tests.integration.media.peers import close_rtp_peers, engine
from tests.integration.webrtc.peers import wait_until
from tests.server import free_port

__all__ = ["PASSWORD", "PhoneServer", "close_rtp_peers", "engine", "phone_server"]

PASSWORD = "demo-password-1"


@dataclass
class PhoneServer:
    url: str
    services: Services
    gateway: WebRtcGateway
    engine: MediaEngine
    sink: ListSink

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/v1/phone"

    async def login(self, username: str) -> tuple[str, str | None]:
        """(the Cookie header of a fresh session, the user's agent id)."""
        async with httpx.AsyncClient(base_url=self.url) as client:
            response = await client.post(
                "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
            )
            response.raise_for_status()
            cookie = f"hotline_session={response.cookies['hotline_session']}"
            return cookie, response.json()["agent_id"]


@pytest.fixture
async def phone_server(tmp_path: Path, engine: MediaEngine) -> AsyncIterator[PhoneServer]:
    settings = Settings.load(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/hotline.db")
    )
    services = build_services(settings)
    await services.start()
    await seed_demo(services.uow, services.clock, settings, password=PASSWORD)
    sink = ListSink()
    gateway = WebRtcGateway(engine, host="127.0.0.1", clock=services.clock, sink=sink)
    services.webrtc = gateway  # type: ignore[attr-defined]  # the lead's field (docs/webrtc.md)
    app = create_api(services)
    if not any(getattr(r, "path", "") == "/api/v1/phone" for r in app.routes):
        app.include_router(phone.router)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning",
        ws="websockets-sansio", timeout_graceful_shutdown=2,  # a page may still be connected
    ))  # fmt: skip
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started)
    try:
        yield PhoneServer(f"http://127.0.0.1:{port}", services, gateway, engine, sink)
    finally:
        await gateway.shutdown()
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(serving), 5)
        except TimeoutError:
            server.force_exit = True  # a page that a failed test left open
            await serving
        await services.stop()
