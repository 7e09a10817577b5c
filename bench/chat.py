"""Web chat under load: N concurrent widget visitors on the real WebSocket of a real
`hotline demo` process, each answered by an agent working through the desk API (the chat desk
socket for offers and messages, REST to accept and to reply), against a raw WebSocket echo
server measured in the same run with the same clients.

For each visitor: hello → welcome, a first message the agent accepts and answers (warm-up, not
measured), then one message every `--interval` seconds for `--duration` seconds. The agent
echoes each message back through `POST /api/v1/chat/conversations/{id}/messages`, so one
round-trip is: the visitor's frame stored and acknowledged, carried to the agent's desk socket,
the agent's HTTP reply stored, carried back to the visitor. The baseline is the same visitors
sending the same frames to an echo server (the `websockets` library in its own process).

Figures: round-trip p50/p95/max, messages per second, and server CPU (user + system from
/proc/<pid>/stat over the measured phase) per conversation and per message, for both. A visitor
told `chat.busy` (the server keeps its last database connections for the open chats) tries
again as the widget does, after 0.6, 1.2, 2.4 … s; one still refused after that is counted
refused, and so is one whose socket failed (the server log's pool time-outs are counted too).

Run: .venv/bin/python bench/chat.py [--visitors 500] [--duration 30] [--interval 2] [--ramp 25]
     [--profile FILE]  (py-spy, from PyPI, samples the server over the measured phase)
Agents: one per 20 visitors (the highest chat capacity an agent may have), made by the bench.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ports import free_port  # noqa: E402
from tests.server import PASSWORD, ServerProcess  # noqa: E402

PER_AGENT = 20  # directory.schemas.AgentIn.chat_capacity's upper bound
TICK = os.sysconf("SC_CLK_TCK")
BUSY_TRIES = 8  # the widget's back-off: 0.6 s doubling, capped at 19.2 s
# Visitors' sockets send no keepalive pings, as a browser's do not (the server pings them): a
# client that closes a slow server's socket after 20 s unanswered is not what a widget does.

ECHO_SERVER = """
import asyncio, sys
from websockets.asyncio.server import serve

async def echo(ws):
    async for message in ws:
        await ws.send(message)

async def main():
    async with serve(echo, "127.0.0.1", int(sys.argv[1]), max_queue=None):
        print("ready", flush=True)
        await asyncio.Future()

asyncio.run(main())
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Figures:
    def __init__(self) -> None:
        self.rtts: list[float] = []
        self.failed = 0  # a message not answered within 30 s
        self.refused = 0  # a visitor whose chat never opened or was never answered
        self.busy = 0  # `chat.busy` answers (each followed by a try again)
        self.pool_timeouts = 0  # the server log's "QueuePool limit … reached"
        self.conversations = 0

    def line(self, name: str, cpu: float, seconds: float) -> str:
        conversations = max(1, self.conversations)
        if not self.rtts:
            return f"{name:8} no round-trips ({self.failed} failed)"
        ms = sorted(r * 1000 for r in self.rtts)
        p50, p95 = statistics.median(ms), ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)]
        return (
            f"{name:8} {len(ms):7d} msgs {len(ms) / seconds:7.1f}/s  rtt p50 {p50:7.1f} ms  "
            f"p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms  server cpu {cpu:6.2f} s = "
            f"{cpu / conversations * 1000:6.1f} ms/conversation, "
            f"{cpu / len(ms) * 1000:5.2f} ms/message  ({self.failed} failed, "
            f"{self.refused} visitors refused, {self.busy} busy answers, "
            f"{self.pool_timeouts} pool time-outs)"
        )


async def visitor_loop(
    send: Any, replies: asyncio.Queue[str], n: int, until: float, interval: float, out: Figures
) -> None:
    """Send a numbered message every `interval` s until `until`; time each one's reply."""
    await asyncio.sleep(interval * (n % 97) / 97)  # spread the visitors over the interval
    i = 0
    while time.monotonic() < until:
        body = f"v{n}-m{i}"
        started = time.monotonic()
        await send(body)
        try:
            async with asyncio.timeout(30):
                while (await replies.get()) != body:
                    pass
            out.rtts.append(time.monotonic() - started)
        except TimeoutError:
            out.failed += 1
        i += 1
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


# -- the baseline: a raw WebSocket echo ------------------------------------------------------


async def echo_run(visitors: int, duration: float, interval: float) -> tuple[Figures, float]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ECHO_SERVER, str(port), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        await proc.stdout.readline()
        out = Figures()
        out.conversations = visitors
        sockets = [
            await connect(f"ws://127.0.0.1:{port}", ping_interval=None) for _ in range(visitors)
        ]
        queues: list[asyncio.Queue[str]] = [asyncio.Queue() for _ in sockets]

        async def read(ws: ClientConnection, queue: asyncio.Queue[str]) -> None:
            async for raw in ws:
                queue.put_nowait(json.loads(raw)["body"])

        readers = [asyncio.create_task(read(ws, q)) for ws, q in zip(sockets, queues, strict=True)]
        before = cpu_seconds(proc.pid)
        until = time.monotonic() + duration

        def sender(ws: ClientConnection) -> Any:
            async def send(body: str) -> None:
                await ws.send(json.dumps({"type": "say", "client_id": body, "body": body}))

            return send

        await asyncio.gather(
            *(
                visitor_loop(sender(ws), q, n, until, interval, out)
                for n, (ws, q) in enumerate(zip(sockets, queues, strict=True))
            )
        )
        cpu = cpu_seconds(proc.pid) - before
        for task in readers:
            task.cancel()
        for ws in sockets:
            await ws.close()
        return out, cpu
    finally:
        proc.terminate()
        await proc.wait()


# -- hotline: widget visitors and desk agents ------------------------------------------------


class Refused(Exception):
    """The server answered the hello with an error instead of a welcome."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def profiler(pid: int, out: str) -> asyncio.subprocess.Process:
    """py-spy (from PyPI, not a project dependency) samples the server's threads."""
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid),
        "--format", "raw", "-o", out, "--rate", "200", "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def hot_functions(path: Path, count: int = 30) -> str:
    """Each function's share of the samples: inclusive (on the stack) and its own (on top)."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])[:count]
    top = sorted(own.items(), key=lambda kv: -kv[1])[:count]
    share = lambda n: f"{100 * n / max(total, 1):5.1f} %"  # noqa: E731
    return (
        "inclusive:\n"
        + "\n".join(f"  {share(n)}  {f}" for f, n in ranked)
        + ("\nown:\n" + "\n".join(f"  {share(n)}  {f}" for f, n in top))
    )


class Agent:
    """One agent at the desk API: accepts every offer, echoes every visitor message."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.username = username
        self.http = httpx.AsyncClient(base_url=url, timeout=60)
        self.cookie = ""
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        r = await self.http.post(
            "/api/v1/auth/login", json={"username": self.username, "password": PASSWORD}
        )
        r.raise_for_status()
        self.http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        self.cookie = f"hotline_session={r.cookies['hotline_session']}"
        ws = await connect(
            self.url.replace("http", "ws", 1) + "/api/v1/chat/desk",
            additional_headers={"Cookie": self.cookie},
            max_queue=None,
        )
        r = await self.http.post("/api/v1/desk/login", json={"phone": "sip", "ready": True})
        if r.status_code != 200:
            raise RuntimeError(f"{self.username} cannot log in at the desk: {r.text}")
        self.task = asyncio.create_task(self.work(ws))

    async def work(self, ws: ClientConnection) -> None:
        pending: set[asyncio.Task[Any]] = set()
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "offer":
                path = f"/api/v1/chat/conversations/{frame['contact_id']}/accept"
                task = asyncio.create_task(self.http.post(path))
            elif frame.get("type") == "message" and frame.get("sender") == "customer":
                path = f"/api/v1/chat/conversations/{frame['contact_id']}/messages"
                body = {"client_id": "a-" + frame["client_id"], "body": frame["body"]}
                task = asyncio.create_task(self.http.post(path, json=body))
            else:
                continue
            pending.add(task)
            task.add_done_callback(pending.discard)


async def hotline_run(
    visitors: int, duration: float, interval: float, ramp: float, profile: str | None = None
) -> tuple[Figures, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "var", f"sqlite+aiosqlite:///{tmp}/var/hotline.db")
        server.start("demo", timeout=600)  # a shared machine under load starts slowly
        try:
            assert server.process is not None
            admin = server.login("admin")
            queue = {"name": "webchat", "display_name": "在线客服", "channel": "chat",
                     "wrap_up_s": 0}  # fmt: skip
            admin.post("/api/v1/queues", json=queue).raise_for_status()
            names = []
            for i in range(math.ceil(visitors / PER_AGENT)):
                name = f"bench{i:03d}"
                # a text-only agent: a SIP extension it never registers (chats need no phone)
                agent = {"username": name, "display_name": f"坐席{i}", "password": PASSWORD,
                         "chat_capacity": PER_AGENT, "phone_mode": "sip",
                         "extension": str(7000 + i), "sip_password": PASSWORD}  # fmt: skip
                admin.post("/api/v1/agents", json=agent).raise_for_status()
                names.append(name)
            agents = [Agent(server.url, name) for name in names]
            for agent in agents:
                await agent.start()
            out = Figures()
            url = server.url.replace("http", "ws", 1) + "/api/v1/chat/visitor?center=demo"
            # a visitor is settled once its first message was answered, or it gave up
            settled, all_settled = [0], asyncio.Event()
            finished, looped, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
            talking = [0]
            measure: dict[str, float] = {}

            def settle() -> None:
                settled[0] += 1
                if settled[0] == visitors:
                    all_settled.set()

            async def visitor(n: int) -> None:
                for attempt in range(BUSY_TRIES):
                    try:
                        async with connect(url, max_queue=None, ping_interval=None) as ws:
                            await talk(n, ws)
                        return
                    except Refused as refused:
                        if refused.code != "chat.busy":
                            break
                        out.busy += 1
                        await asyncio.sleep(0.3 * 2 ** min(attempt + 1, 6))
                    except (OSError, TimeoutError, ConnectionClosed):
                        break
                if n not in measured:
                    out.refused += 1
                    settle()

            measured: set[int] = set()

            async def talk(n: int, ws: ClientConnection) -> None:
                replies: asyncio.Queue[str] = asyncio.Queue()
                hello = {"type": "hello", "language": "zh-CN", "name": f"访客{n}"}
                await ws.send(json.dumps(hello))
                async with asyncio.timeout(120):
                    welcome = json.loads(await ws.recv())
                if welcome.get("type") != "welcome":
                    raise Refused(str(welcome.get("code")))

                async def read() -> None:
                    async for raw in ws:
                        frame = json.loads(raw)
                        if frame.get("type") == "message" and frame.get("sender") == "agent":
                            replies.put_nowait(frame["body"])

                reader = asyncio.create_task(read())

                async def send(body: str) -> None:
                    frame = {"type": "say", "client_id": body, "body": body}
                    await ws.send(json.dumps(frame))

                await send(f"v{n}-hello")  # answered once the agent accepted: warm-up
                async with asyncio.timeout(120):
                    while await replies.get() != f"v{n}-hello":
                        pass
                measured.add(n)
                talking[0] += 1
                settle()
                await go.wait()
                await visitor_loop(send, replies, n, measure["until"], interval, out)
                talking[0] -= 1
                if not talking[0]:
                    looped.set()
                await finished.wait()
                reader.cancel()

            tasks = []
            for n in range(visitors):  # arriving at `ramp` a second, as a busy site's would
                tasks.append(asyncio.create_task(visitor(n)))
                await asyncio.sleep(1 / ramp)
            await all_settled.wait()  # every visitor talks to an agent, or was refused
            out.conversations = len(measured)
            measure["until"] = time.monotonic() + duration
            go.set()
            spy = None if profile is None else await profiler(server.process.pid, profile)
            before = cpu_seconds(server.process.pid)
            started = time.monotonic()
            if measured:
                async with asyncio.timeout(duration + 60):
                    await looped.wait()  # every visitor's last message answered or given up
            cpu = cpu_seconds(server.process.pid) - before
            seconds = time.monotonic() - started
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                await spy.wait()
            finished.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            for agent in agents:
                if agent.task is not None:
                    agent.task.cancel()
                await agent.http.aclose()
            return out, cpu, seconds
        finally:
            server.stop()
            if server.log_path.exists():
                out.pool_timeouts = server.log_path.read_text(errors="replace").count(
                    "QueuePool limit"
                )


async def main() -> str | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument(
        "--interval", type=float, default=2.0, help="s between a visitor's messages"
    )
    parser.add_argument("--ramp", type=float, default=25.0, help="visitors arriving a second")
    parser.add_argument("--profile", help="py-spy's raw stacks of the server, to FILE")
    args = parser.parse_args()
    print(f"{args.visitors} visitors, one message each per {args.interval:g} s, "
          f"{args.duration:g} s measured; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    echo, echo_cpu = await echo_run(args.visitors, args.duration, args.interval)
    print(echo.line("echo", echo_cpu, args.duration))
    chat, chat_cpu, seconds = await hotline_run(
        args.visitors, args.duration, args.interval, args.ramp, args.profile
    )
    print(chat.line("hotline", chat_cpu, seconds))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if echo.rtts and chat.rtts:
        p95 = lambda r: sorted(r)[min(len(r) - 1, math.ceil(0.95 * len(r)) - 1)]  # noqa: E731
        per_message = (chat_cpu / len(chat.rtts)) / (echo_cpu / len(echo.rtts))
        print(
            f"hotline/echo: rtt p95 ×{p95(chat.rtts) / p95(echo.rtts):.1f}, "
            f"server cpu per message ×{per_message:.1f}"
        )

    profile: str | None = args.profile
    return profile


if __name__ == "__main__":
    profiled = asyncio.run(main())
    if profiled and Path(profiled).exists():
        print(hot_functions(Path(profiled)))
