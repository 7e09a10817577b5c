"""What the desktop tests share: logging in a Chromium page, seeding the log of a stopped
server, polling the API of a running one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page

from tests.server import PASSWORD, ServerProcess

ARTIFACTS = Path("test-artifacts")
ARTIFACTS.mkdir(exist_ok=True)


async def open_page(
    browser: Browser, server: ServerProcess, username: str, *, lang: str = "zh-CN"
) -> tuple[Page, list[str]]:
    """A page in its own browser context (its own cookies) logged in as `username` of the demo
    tenant, and the list its uncaught script errors go to."""
    context = await browser.new_context(viewport={"width": 1400, "height": 950})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{server.url}/login?lang={lang}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.locator("details summary").click()
    await page.fill("input[name=tenant]", "demo")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")
    return page, errors


async def eventually(
    fetch: Callable[[], Any], ok: Callable[[Any], bool], *, timeout: float = 20.0
) -> Any:
    """Call `fetch` until `ok(result)`; the last result is in the error otherwise."""
    result = None
    for _ in range(int(timeout / 0.2)):
        result = fetch()
        if ok(result):
            return result
        await asyncio.sleep(0.2)
    raise AssertionError(f"not reached in {timeout} s: {result!r}")


def login(server: ServerProcess, username: str) -> httpx.Client:
    """An API client of a demo user (naming the tenant: a test may add another one)."""
    client = httpx.Client(base_url=server.url, timeout=10)
    r = client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD, "tenant": "demo"}
    )
    r.raise_for_status()
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    server.clients.append(client)
    return client


def items(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 500, **params})
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()["items"]
    return found
