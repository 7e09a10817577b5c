"""Fixtures of the chat tests: the real `hotline demo` server with a chat queue; the HTTP SMS
gateway double (SMS contacts on the same desks)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.integration.desk.conftest import Desk
from tests.integration.sms.conftest import ProviderDouble
from tests.server import ServerProcess


@pytest.fixture
def chat_server(tmp_path: Path) -> Iterator[Desk]:
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        desk = Desk(server)
        admin = desk.login("admin")
        created = admin.post(
            "/api/v1/queues",
            {"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        assert created.json()["channel"] == "chat"
        yield desk
    finally:
        server.stop()


@pytest.fixture
async def gateway() -> AsyncIterator[ProviderDouble]:
    double = ProviderDouble()
    await double.start()
    yield double
    await double.stop()
