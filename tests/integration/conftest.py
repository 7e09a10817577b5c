"""Fixtures of the integration tests: a real server process, real Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.browser import launch_chromium
from tests.server import ServerProcess


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    yield server
    server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await launch_chromium(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture
async def zh_browser() -> AsyncIterator[Browser]:
    """Chromium in Chinese (`--lang=zh-CN`): its native date and time controls read 年/月/日."""
    async with async_playwright() as playwright:
        chromium = await launch_chromium(playwright, lang="zh-CN")
        yield chromium
        await chromium.close()
