"""SMS fixtures: the API over a migrated database (SQLite and PostgreSQL) whose egress policy
lets the provider doubles on loopback be reached, and an HTTP provider double."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.api.application import create_api
from hotline.app import build_services
from hotline.config import DatabaseSettings, EgressSettings, Settings
from hotline.demo import seed_demo
from tests.integration.api.conftest import PASSWORD, Api
from tests.server import free_port


class ProviderDouble:
    """An HTTP SMS gateway on loopback: keeps each send (headers and JSON body) and answers
    with one message id per part, or with `status` when set."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sent: list[dict[str, Any]] = []
        self.status = 200
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        data = json.loads(body)
        self.sent.append({"headers": headers, "body": data})
        answer = {"message_ids": [f"gw-{len(self.sent)}"]}
        raw = json.dumps(answer).encode() if self.status < 400 else b'{"error":"no"}'
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": raw})

    async def start(self) -> None:
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="error",
                                lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        self.task = asyncio.create_task(self.server.serve(sockets=[sock]))

    async def stop(self) -> None:
        assert self.server is not None
        assert self.task is not None
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def gateway() -> AsyncIterator[ProviderDouble]:
    double = ProviderDouble()
    await double.start()
    yield double
    await double.stop()


@pytest.fixture
async def sms_api(engine: AsyncEngine, database_url: str) -> AsyncIterator[Api]:
    settings = Settings.load(
        database=DatabaseSettings(url=database_url),
        egress=EgressSettings(allow_networks=["127.0.0.0/8"]),
    )
    services = build_services(settings)
    await services.start(run_migrations=False)
    await seed_demo(services.uow, services.clock, settings, password=PASSWORD)
    app = create_api(services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hotline.test"
    ) as client:
        yield Api(services, client)
    await services.stop()
