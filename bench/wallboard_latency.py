"""Wallboard event-to-screen latency in a real browser, against the raw WebSocket arrival of the
same change measured in the same page (the baseline: what is left is the page's own work).

A real `hotline demo` runs on 127.0.0.1 (SQLite); headless Chromium opens two pages: agent1's
desktop, logged in to work at its browser phone (fake microphone), and the supervisor's
wallboard. The bench then changes agent1's state N times through the desk API (示闲 ↔ 示忙,
at random moments so the changes fall evenly over the server's refresh tick) and records, in
the wallboard page:

- **ws**: when a raw WebSocket to /api/v1/wallboard (opened by the bench in the page, not
  rendered) receives the message that carries the new state — the baseline;
- **screen**: when the page's agent row shows the new state (MutationObserver), and **painted**:
  the next animation frame after it, i.e. when it can be on the screen.

Each is measured from the event's own time (`at` of its `agent.state_changed` in the log; the
browser and the server read the same clock). Figures: p50, p95, max per server tick setting
(`wallboard.push_delay_s`: the hub sends a delta this long after a record changed something,
coalescing what arrives meanwhile; 1.0 equals the former once-per-second tick).

Run: .venv/bin/python bench/wallboard_latency.py [--changes 40] [--push-delays 0.05 0.0 0.2 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import launch_chromium  # noqa: E402
from tests.server import PASSWORD, ServerProcess  # noqa: E402

# Installed in the wallboard page: the raw socket (baseline) and the row watcher.
WATCH = """
async (agentId) => {
  const bench = { expect: null, ws: {}, screen: {}, painted: {} };
  window.bench = bench;
  const url = new URL("/api/v1/wallboard", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  ws.onmessage = (event) => {
    const now = performance.timeOrigin + performance.now();
    const e = bench.expect;
    if (!e || e.i in bench.ws) return;
    const row = (JSON.parse(event.data).agents || {})[agentId];
    if (row && row.state === e.state) bench.ws[e.i] = now;
  };
  await new Promise((resolve) => (ws.onopen = resolve));
  const rows = document.getElementById("agent-rows");
  new MutationObserver(() => {
    const e = bench.expect;
    if (!e || e.i in bench.screen) return;
    const cell = rows.querySelector(`tr[data-agent="${agentId}"] td.state`);
    if (cell && cell.classList.contains("state-" + e.state)) {
      bench.screen[e.i] = performance.timeOrigin + performance.now();
      const i = e.i;
      requestAnimationFrame(() => (bench.painted[i] = performance.timeOrigin + performance.now()));
    }
  }).observe(rows, { childList: true, subtree: true, characterData: true });
}
"""


async def logged_in_page(browser: Browser, server: ServerProcess, username: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{server.url}/login?lang=zh-CN")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")
    return page


def client(server: ServerProcess, username: str) -> httpx.Client:
    c = httpx.Client(base_url=server.url, timeout=10)
    r = c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    r.raise_for_status()
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(push: float, changes: int, seed: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="wallboard-bench-") as tmp:
        var = Path(tmp) / "var"
        server = ServerProcess(
            var,
            f"sqlite+aiosqlite:///{var}/hotline.db",
            HOTLINE_WALLBOARD__PUSH_DELAY_S=str(push),
        )
        server.start("demo")
        try:
            async with async_playwright() as playwright:
                browser = await launch_chromium(playwright)
                try:
                    return await run(browser, server, changes, random.Random(seed))
                finally:
                    await browser.close()
        finally:
            server.stop()


async def run(
    browser: Browser, server: ServerProcess, changes: int, rng: random.Random
) -> dict[str, list[float]]:
    agent = client(server, "agent1")
    admin = client(server, "admin")  # reads the log
    agent_id = agent.get("/api/v1/auth/me").json()["agent_id"]
    desk = await logged_in_page(browser, server, "agent1")
    await desk.goto(f"{server.url}/desktop")
    await desk.wait_for_selector("[data-testid=login-panel]")  # shown once the desk loaded
    await desk.get_by_test_id("desk-login").click()
    try:
        await desk.wait_for_selector("[data-testid=desk-state][data-state=available]")
    except PlaywrightTimeout:
        toolbar = await desk.evaluate("document.querySelector('main').innerText.slice(0, 300)")
        raise RuntimeError(f"agent1 did not become available: {toolbar}") from None
    board = await logged_in_page(browser, server, "supervisor")
    await board.goto(f"{server.url}/wallboard")
    await board.wait_for_selector(f"tr[data-agent='{agent_id}'] td.state-available")
    await board.evaluate(WATCH, agent_id)
    after_seq = 0
    while True:  # the newest seq before the first change
        found = admin.get("/api/v1/events", params={"after_seq": after_seq, "limit": 1000})
        if found.json()["last_seq"] == after_seq:
            break
        after_seq = found.json()["last_seq"]

    for i in range(changes):
        state = "not_ready" if i % 2 == 0 else "available"
        await board.evaluate("([i, state]) => (window.bench.expect = { i, state })", [i, state])
        body: dict[str, Any] = (
            {"state": state, "reason": "break"} if i % 2 == 0 else {"state": state}
        )
        await asyncio.sleep(rng.uniform(0.0, 1.0))  # land anywhere in the server's tick
        agent.post("/api/v1/desk/state", json=body).raise_for_status()
        await board.wait_for_function(
            "(i) => i in window.bench.painted && i in window.bench.ws", arg=i, timeout=10_000
        )
    marks: dict[str, dict[str, float]] = await board.evaluate("() => window.bench")

    params = {"type": "agent.state_changed", "after_seq": after_seq, "limit": 1000}
    events = [
        e
        for e in admin.get("/api/v1/events", params=params).json()["items"]
        if e["agent_id"] == agent_id
    ]
    assert len(events) == changes, f"{len(events)} state changes logged for {changes} commands"
    out: dict[str, list[float]] = {"ws": [], "screen": [], "painted": [], "render": []}
    for i, event in enumerate(events):
        at_ms = float(event["at"]) * 1000  # epoch seconds of the server's clock
        ws, screen, painted = (float(marks[k][str(i)]) for k in ("ws", "screen", "painted"))
        out["ws"].append(ws - at_ms)
        out["screen"].append(screen - at_ms)
        out["painted"].append(painted - at_ms)
        out["render"].append(painted - ws)
    agent.close()
    admin.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=40, help="state changes per tick setting")
    parser.add_argument(
        "--push-delays",
        type=float,
        nargs="+",
        default=[0.05, 0.0, 0.2, 1.0],
        help="wallboard.push_delay_s settings (1.0 = a delta per 1 s tick, the old behaviour)",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"wallboard event-to-screen, {args.changes} changes per setting (ms from the event)")
    print(f"{'push_s':>6} {'measure':<28} {'p50':>7} {'p95':>7} {'max':>7}")
    for push in args.push_delays:
        figures = asyncio.run(measure(push, args.changes, args.seed))
        for key, label in (
            ("ws", "raw WebSocket (baseline)"),
            ("screen", "row changed in the page"),
            ("painted", "next frame (on screen)"),
            ("render", "page's own work (frame - ws)"),
        ):
            v = figures[key]
            print(
                f"{push:>6} {label:<28} {statistics.median(v):>7.1f} "
                f"{percentile(v, 0.95):>7.1f} {max(v):>7.1f}"
            )


if __name__ == "__main__":
    main()
