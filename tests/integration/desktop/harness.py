"""What the desktop tests share: logging in a Chromium page, seeding the log of a stopped
server, polling the API of a running one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml
from playwright.async_api import Browser, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from hotline.demo import DEMO_FLOW
from hotline.media.wav import read_wav
from tests.browser import SPECTRUM_PEAK_JS
from tests.integration.callcenter.softphone import tone_level
from tests.server import FRESH_CONNECTIONS, PASSWORD, ServerProcess

ARTIFACTS = Path("test-artifacts")
ARTIFACTS.mkdir(exist_ok=True)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def open_page(
    browser: Browser,
    server: ServerProcess,
    username: str,
    *,
    lang: str = "zh-CN",
    url: str | None = None,
    time_zone: str | None = None,
) -> tuple[Page, list[str]]:
    """A page in its own browser context (its own cookies) logged in as `username` of the demo
    tenant, and the list its uncaught script errors go to. `url`: the server's address as the
    page reaches it (a relay), else its own. `time_zone`: the browser's own (the page must
    still show the tenant's)."""
    base = url or server.url
    context = await browser.new_context(
        viewport={"width": 1400, "height": 950}, locale=lang, timezone_id=time_zone
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{base}/login?lang={lang}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.locator("details summary").click()
    await page.fill("input[name=tenant]", "demo")
    await page.click("button[type=submit]")
    try:
        await page.wait_for_url(f"{base}/")
    except PlaywrightTimeout:  # say where the login stopped (seen once in CI, not understood)
        said = await page.locator("body").inner_text()
        raise AssertionError(
            f"{username} not logged in: at {page.url}; page: {said[:500]}"
        ) from None
    if lang != "zh-CN":  # the demo's users speak Chinese: switch as a user would
        await page.get_by_test_id("language").select_option(lang)
        await expect(page.locator("html")).to_have_attribute("lang", lang)
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
    client = httpx.Client(base_url=server.url, timeout=10, limits=FRESH_CONNECTIONS)
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


def events(client: httpx.Client, kind: str) -> list[dict[str, Any]]:
    """The tenant's events of one type, oldest first."""
    return items(client, "/api/v1/events", type=kind)


def open_around_the_clock(admin: httpx.Client) -> None:
    """The demo closes at 18:00 Shanghai time (its flow's `business` calendar and the queues'
    工作时间): open both all week, all day, so that a test means the same at any hour."""
    all_day = {day: [["00:00", "24:00"]] for day in DAYS}
    for calendar in items(admin, "/api/v1/calendars"):
        body = {"name": calendar["name"], "timezone": calendar["timezone"]}
        admin.put(
            f"/api/v1/calendars/{calendar['id']}", json={**body, "weekly": all_day, "holidays": []}
        ).raise_for_status()
    flow = yaml.safe_load(DEMO_FLOW.read_text())
    flow["calendars"]["business"] = {"weekly": {day: ["00:00-24:00"] for day in DAYS}}
    admin.post(
        "/api/v1/flows", json={"text": json.dumps(flow), "format": "json", "note": "tests: 24/7"}
    ).raise_for_status()


# Runs in a page: the strongest frequency of what the page's <audio id=…> receives
# (its MediaStream, the browser phone's remote stream) over `ms`, and how far above the
# median bin it stands.
LISTEN = (
    "async ([ms, element]) => ("
    + SPECTRUM_PEAK_JS
    + ")(document.getElementById(element).srcObject, ms)"
)


async def heard_by(page: Page, ms: int = 1500, element: str = "remote-audio") -> dict[str, float]:
    """What the page's browser phone (playing into `<audio id=element>`) hears now:
    {hz, aboveMedianDb}."""
    result: dict[str, float] = await page.evaluate(LISTEN, [ms, element])
    return result


def windows_with(samples: np.ndarray, hz: float, *, rate: int = 8000, level: float = 0.2) -> int:
    """How many one-second windows of `samples` (every half second) a tone of `hz` dominates."""
    return sum(
        tone_level(samples[i : i + rate], hz, rate) > level
        for i in range(0, len(samples) - rate + 1, rate // 2)
    )


def recording(client: httpx.Client, recording_id: str, folder: Path) -> np.ndarray:
    """A recording's samples (frames × channels), fetched through the API like a browser."""
    response = client.get(f"/api/v1/recordings/{recording_id}")
    response.raise_for_status()
    path = folder / f"{recording_id}.wav"
    path.write_bytes(response.content)
    samples: np.ndarray = read_wav(path).samples
    return samples
