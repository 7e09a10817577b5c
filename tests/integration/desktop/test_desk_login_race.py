"""In Chromium against `hotline demo`: the desk stream's first message (the agent still logged
out) arriving while "Log in to work" connects the browser phone must not hang the phone up.

Found in CI: a fast click after loading the page met the stream's late first message, which
stopped the phone being connected ("The phone could not connect"). Here both sockets go through
Playwright, which holds the phone's answer until the stream's message has been delivered."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, WebSocketRoute, expect

from tests.integration.desktop.harness import open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


class Held:
    """A WebSocket routed through the test: what the server sends waits until `release()`."""

    def __init__(self) -> None:
        self.messages: list[str | bytes] = []
        self.page: WebSocketRoute | None = None
        self.released = False
        self.arrived = asyncio.Event()

    def route(self, ws: WebSocketRoute) -> None:
        self.page = ws
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(self._from_server)

    def _from_server(self, message: str | bytes) -> None:
        if self.released and self.page is not None:
            self.page.send(message)
        else:
            self.messages.append(message)
            self.arrived.set()

    def release(self) -> None:
        self.released = True
        assert self.page is not None
        for message in self.messages:
            self.page.send(message)
        self.messages.clear()


async def test_the_streams_late_logged_out_does_not_stop_the_phone_being_connected(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page, errors = await open_page(browser, sqlite_server, "agent1")
    desk, phone = Held(), Held()
    await page.route_web_socket("**/api/v1/desk/stream", desk.route)
    await page.route_web_socket("**/api/v1/phone", phone.route)
    await page.goto(f"{sqlite_server.url}/desktop")
    await expect(page.get_by_test_id("login-panel")).to_be_visible()
    await expect(page.get_by_test_id("desk-state")).to_have_attribute("data-state", "logged_out")
    await asyncio.wait_for(desk.arrived.wait(), 10)  # the stream's first desk: logged out

    await page.get_by_test_id("desk-login").click()
    await asyncio.wait_for(phone.arrived.wait(), 10)  # the phone's answer, held: connecting
    await expect(page.get_by_test_id("phone-status")).to_have_attribute("data-state", "connecting")
    desk.release()
    await asyncio.sleep(0.5)  # let the page apply the late desk before its phone connects
    phone.release()

    await expect(page.get_by_test_id("phone-status")).to_have_text("话机已连接")
    await expect(page.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    await expect(page.get_by_test_id("desk-error")).to_be_hidden()
    assert errors == []
