"""Concurrent recorded PCMA calls through the served product, with media flowing both ways.

For each engine (`--engine in_process`, `process` or `both`) this starts a real `hotline demo`
(its own temporary var dir and SQLite database; `HOTLINE_MEDIA__ENGINE` set), then through the
admin API publishes flow `main` (DID 4001 → queue `bench`, recorded, no wrap-up) and creates
`--calls` agents with SIP extensions 7000…; each extension registers (digest auth) from one UDP
port, which a sipp UAS then takes over: it answers every agent leg with PCMA and echoes the
RTP back (`-rtp_echo`). The agents log in ready through the desk API. sipp callers then place
`--calls` calls at `--rate` per second, each streaming an A-law WAV with `rtp_stream` (looped)
for `--seconds` after the answer, then hang up. Caller → Hotline → agent → echo → Hotline →
caller: both directions carry audio, and Hotline records every call (stereo WAV).

Baseline in the same run ("bare relay"): the same sipp callers and UAS through a minimal
back-to-back user agent in its own process — Hotline's `SipService` for signalling, a plain
uvloop UDP relay per call (receive, sendto the other side), no flow, router, database, event
log or recording.

Reported per run: calls connected (sipp's successful calls), recordings written (rows in the
`recordings` table and WAV files in the recordings folder, with their total size), CPU summed
over every process of the server (the server and its children, e.g. the media process) read
from /proc — per call over the whole run, and as % of a core per live call in the window when
all calls are up — and the media clock's ticks run more than 20 ms late (and > 10 ms), from
`/metrics` (`hotline_media_late_ticks_over_20ms`). The load average is printed with each run:
on a shared machine the figures move with it.

    .venv/bin/python bench/product_media.py [--calls 300] [--seconds 60] [--rate 20]
                                            [--engine both|in_process|process]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-admin-password-7"
AGENT_PASSWORD = "quiet-orchard-window-58"
SIP_PASSWORD = "phone-secret-bench-1"
FIRST_EXTENSION = 7000
TICK_S = os.sysconf("SC_CLK_TCK")
FLOW = """
name: main
start: agent
languages: [zh-CN]
nodes:
  agent: {type: queue, queue: bench, no_answer: bye}
  bye: {type: hangup}
"""

CALLER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench caller: DID 4001, PCMA both ways, hang up">
  <send retrans="500"><![CDATA[

      INVITE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:139[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[

      ACK sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:139[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <nop><action><exec rtp_stream="AUDIO,-1,8"/></action></nop>
  <pause milliseconds="HOLD_MS"/>
  <nop><action><exec rtp_stream="pause"/></action></nop>
  <send retrans="500"><![CDATA[

      BYE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:139[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""

AGENT = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench agents: answer PCMA, echo, wait for BYE">
  <recv request="INVITE"/>
  <send><![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:agent@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000

  ]]></send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send><![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

  ]]></send>
</scenario>
"""


@dataclass
class Run:
    name: str
    calls: int
    connected: int = 0
    failed: int = 0
    recordings_rows: int = 0
    recording_files: int = 0
    recording_bytes: int = 0
    two_way: int = 0  # recordings checked whose both channels carry sound
    checked: int = 0
    cpu_total_s: float = 0.0
    window_s: float = 0.0
    cpu_window_s: float = 0.0
    live_in_window: int = 0
    late_10ms: int = 0
    late_20ms: int = 0
    max_lateness_ms: float = 0.0
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    notes: list[str] = field(default_factory=list)

    @property
    def cpu_ms_per_call(self) -> float:
        return 1000 * self.cpu_total_s / max(1, self.connected)

    @property
    def core_pct_per_call(self) -> float:
        if not self.window_s or not self.live_in_window:
            return 0.0
        return 100 * self.cpu_window_s / self.window_s / self.live_in_window


# --- ports and processes --------------------------------------------------------------------


def free_udp_port() -> int:
    """A free UDP port outside the ranges test servers and demos use for RTP."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in (5060, 8080) and not 10_000 <= port <= 29_999:
            return port


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_range(size: int) -> int:
    """The base of `size` consecutive free UDP ports (even), above the kernel's usual work."""
    for base in range(30_000 + 2000 * secrets.randbelow(8), 60_000 - size, 2000):
        try:
            for port in range(base, base + size, max(1, size // 16)):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise SystemExit(f"no {size} free UDP ports in a row")


def process_tree(root: int) -> list[int]:
    """`root` and every live descendant of it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """User + system CPU of `root` and its live descendants (every thread), from /proc."""
    total = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / TICK_S


@dataclass
class Server:
    var: Path
    engine: str
    calls: int

    def __post_init__(self) -> None:
        self.http_port = free_tcp_port()
        self.sip_port = free_udp_port()
        size = 4 * self.calls + 200
        rtp = port_range(size)
        self.env = {
            **os.environ,
            "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{self.var}/hotline.db",
            "HOTLINE_VAR_DIR": str(self.var),
            "HOTLINE_HTTP__PORT": str(self.http_port),
            "HOTLINE_SIP__UDP_PORT": str(self.sip_port),
            "HOTLINE_SIP__TCP_PORT": str(self.sip_port),
            "HOTLINE_MEDIA__RTP_PORT_MIN": str(rtp),
            "HOTLINE_MEDIA__RTP_PORT_MAX": str(rtp + size - 1),
            "HOTLINE_MEDIA__ENGINE": self.engine,
            "HOTLINE_RECORDING__DIRECTORY": str(self.var / "recordings"),
            "HOTLINE_DEMO_PASSWORD": PASSWORD,
            # The sipp UAS does not answer OPTIONS: no qualify pings during the run.
            "HOTLINE_SIP__QUALIFY_INTERVAL_S": "3600",
            "HOTLINE_DRAIN_S": "5",
        }
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180.0) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        with (self.var / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hotline.cli", "demo"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited:\n{(self.var / 'server.log').read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/ready", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise SystemExit("server not ready in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


async def client(url: str, username: str, password: str) -> httpx.AsyncClient:
    api = httpx.AsyncClient(base_url=url, timeout=60)
    r = await api.post(
        "/api/v1/auth/login", json={"username": username, "password": password, "tenant": "demo"}
    )
    r.raise_for_status()
    api.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return api


async def metrics(api: httpx.AsyncClient) -> dict[str, float]:
    text = (await api.get("/metrics")).text
    found = {}
    for line in text.splitlines():
        if line.startswith("hotline_media_"):
            name, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                found[name.removeprefix("hotline_media_")] = float(value)
    return found


async def seed(server: Server, agents: int) -> None:
    """Queue `bench` (recorded, no wrap-up), flow `main` onto it, `agents` SIP agents."""
    admin = await client(server.url, "admin", PASSWORD)
    try:
        r = await admin.post(
            "/api/v1/queues",
            json={
                "name": "bench",
                "display_name": "Bench",
                "wrap_up_s": 0,
                "options": {"record": True},
            },
        )
        r.raise_for_status()
        r = await admin.post("/api/v1/flows", json={"text": FLOW, "format": "yaml"})
        r.raise_for_status()
        gate = asyncio.Semaphore(4)

        async def create(n: int) -> None:
            async with gate:
                r = await admin.post(
                    "/api/v1/agents",
                    json={
                        "username": f"bench{n}",
                        "display_name": f"Bench {n}",
                        "password": AGENT_PASSWORD,
                        "extension": str(FIRST_EXTENSION + n),
                        "sip_password": SIP_PASSWORD,
                        "phone_mode": "sip",
                    },
                )
                if r.status_code != 201:
                    raise SystemExit(f"agent bench{n}: {r.status_code} {r.text}")

        await asyncio.gather(*(create(n) for n in range(agents)))
    finally:
        await admin.aclose()


async def log_in_agents(server: Server, agents: int) -> None:
    gate = asyncio.Semaphore(4)

    async def one(n: int) -> None:
        async with gate:
            api = await client(server.url, f"bench{n}", AGENT_PASSWORD)
            try:
                r = await api.post("/api/v1/desk/login", json={"phone": "sip", "ready": True})
                r.raise_for_status()
                if r.json()["state"] != "available":
                    raise SystemExit(f"agent bench{n} is {r.json()['state']} after login")
            finally:
                await api.aclose()

    await asyncio.gather(*(one(n) for n in range(agents)))


def register(server_port: int, local_port: int, extensions: list[str]) -> None:
    """REGISTER each extension (digest auth) from `local_port`, where the sipp UAS will listen:
    the server sends INVITEs to the address a binding came from."""
    from hotline.sip.auth import authorization_header

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", local_port))
        sock.settimeout(10)
        for ext in extensions:
            call_id, tag = secrets.token_hex(8), secrets.token_hex(4)
            authorization: str | None = None
            for cseq in (1, 2):
                uri = f"sip:127.0.0.1:{server_port}"
                lines = [
                    f"REGISTER {uri} SIP/2.0",
                    f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{secrets.token_hex(6)}",
                    "Max-Forwards: 70",
                    f"From: <sip:{ext}@127.0.0.1>;tag={tag}",
                    f"To: <sip:{ext}@127.0.0.1>",
                    f"Call-ID: {call_id}",
                    f"CSeq: {cseq} REGISTER",
                    f"Contact: <sip:{ext}@127.0.0.1:{local_port}>",
                    "Expires: 3600",
                    "User-Agent: bench-product-media",
                    *([f"Authorization: {authorization}"] if authorization else []),
                    "Content-Length: 0",
                ]
                sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), ("127.0.0.1", server_port))
                while True:
                    reply = sock.recv(65535).decode(errors="replace")
                    if f"Call-ID: {call_id}".lower() in reply.lower() and " 100 " not in reply[:13]:
                        break
                status = int(reply.split(" ", 2)[1])
                if status == 200:
                    break
                challenges = re.findall(r"(?im)^WWW-Authenticate:\s*(.+?)\r?$", reply)
                answers = [
                    authorization_header(
                        c, method="REGISTER", uri=uri, username=ext, password=SIP_PASSWORD
                    )
                    for c in challenges
                ]
                authorization = next((a for a in answers if a), None)
                if status != 401 or authorization is None:
                    raise SystemExit(f"REGISTER {ext}: {reply.splitlines()[0]}")
            else:
                raise SystemExit(f"REGISTER {ext} refused after the challenge")


# --- sipp -----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def agents_uas(tmp: Path, sip_port: int) -> AsyncIterator[None]:
    """One sipp UAS answering every agent leg with PCMA and echoing the audio back."""
    scenario = tmp / "agent.xml"
    scenario.write_text(AGENT)
    proc = await asyncio.create_subprocess_exec(
        "sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(sip_port),
        "-mp", str(free_udp_port() & ~1), "-rtp_echo", "-nostdin", "-aa",
        cwd=tmp, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # sipp has no readiness signal; its socket binds at start
    try:
        yield
    finally:
        proc.terminate()
        await proc.wait()


def audio_file(tmp: Path) -> Path:
    """10 s of A-law speech-band sound for sipp's rtp_stream (looped)."""
    path = tmp / "caller-alaw.wav"
    if not path.exists():
        subprocess.run(
            ["sox", "-n", "-r", "8000", "-c", "1", "-e", "a-law", str(path),
             "synth", "10", "sine", "300-3000", "vol", "0.3"],
            check=True,
        )  # fmt: skip
    return path


async def callers(
    target_port: int, calls: int, rate: float, seconds: float, tmp: Path
) -> asyncio.subprocess.Process:
    folder = tmp / f"callers-{target_port}"
    folder.mkdir()
    scenario = folder / "caller.xml"
    scenario.write_text(
        CALLER.replace("AUDIO", str(audio_file(tmp))).replace("HOLD_MS", str(int(seconds * 1000)))
    )
    return await asyncio.create_subprocess_exec(
        "sipp", "-sf", str(scenario), f"127.0.0.1:{target_port}", "-i", "127.0.0.1",
        "-p", str(free_udp_port()), "-mp", str(port_range(2 * calls + 64)),
        "-r", str(rate), "-m", str(calls), "-l", str(calls), "-nostdin",
        "-trace_stat", "-stf", "stat.csv", "-fd", "1",
        "-timeout", str(int(calls / rate + seconds * 2 + 60)), "-timeout_error",
        cwd=folder, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def sipp_outcome(folder: Path, calls: int) -> tuple[int, int]:
    stat = folder / "stat.csv"
    lines = [ln for ln in stat.read_text().splitlines() if ln.strip()] if stat.exists() else []
    values = dict(zip(lines[0].split(";"), lines[-1].split(";"), strict=False)) if lines else {}
    ok = int(values.get("SuccessfulCall(C)", 0) or 0)
    failed = int(values.get("FailedCall(C)", 0) or 0)
    return ok, failed + max(0, calls - ok - failed)


async def drive(
    run: Run, root: int, target_port: int, args: argparse.Namespace, tmp: Path,
    live: object = None,
) -> dict[str, float]:  # fmt: skip
    """Place the calls; sample CPU over the whole run and over the window when all are up.
    `live` (an async callable) is asked at the window's start how many calls are live."""
    ramp = args.calls / args.rate
    run.load = os.getloadavg()
    cpu0 = cpu_seconds(root)
    started = time.monotonic()
    proc = await callers(target_port, args.calls, args.rate, args.seconds, tmp)
    first_end = started + args.seconds
    window_start = started + ramp + 2.0
    window_end = first_end - 0.5
    if window_end - window_start < 1.0:
        run.notes.append(f"no steady window: the ramp ({ramp:.1f} s) fills the hold")
        window_start, window_end = started + ramp, started + ramp + 1.0
    before: dict[str, float] = {}
    await asyncio.sleep(max(0.0, window_start - time.monotonic()))
    w_cpu0, w_t0 = cpu_seconds(root), time.monotonic()
    if live is not None:
        counts = await live()  # type: ignore[operator]
        run.live_in_window = int(counts.get("recordings", 0))
        before = counts
    else:
        run.live_in_window = args.calls
    await asyncio.sleep(max(0.0, window_end - time.monotonic()))
    run.cpu_window_s = cpu_seconds(root) - w_cpu0
    run.window_s = time.monotonic() - w_t0
    await proc.wait()
    await asyncio.sleep(1.5)  # the last BYEs' work, and a media process's next report
    run.cpu_total_s = cpu_seconds(root) - cpu0
    run.connected, run.failed = sipp_outcome(tmp / f"callers-{target_port}", args.calls)
    return before


# --- the product ----------------------------------------------------------------------------


def both_ways(files: list[Path], sample: int = 20) -> tuple[int, int]:
    """Of up to `sample` recordings, how many carry sound on both channels: left is the
    caller, right what the caller heard (the agent's echo of it, back through Hotline)."""
    import numpy as np

    from hotline.media.wav import read_wav

    checked = files[:sample]
    good = 0
    for path in checked:
        samples = read_wav(path).samples.astype(np.float64)
        if samples.ndim == 2 and samples.shape[1] == 2:
            rms = np.sqrt((samples**2).mean(axis=0))
            good += int(rms[0] > 300 and rms[1] > 300)
    return good, len(checked)


def recordings_written(var: Path) -> tuple[int, int, int]:
    """(rows in `recordings`, WAV files, their total bytes)."""
    files = list((var / "recordings").rglob("*.wav"))
    with contextlib.closing(sqlite3.connect(var / "hotline.db", timeout=10)) as db:
        rows = db.execute("SELECT count(*) FROM recordings WHERE kind = 'call'").fetchone()[0]
    return int(rows), len(files), sum(f.stat().st_size for f in files)


async def product(engine: str, args: argparse.Namespace, tmp: Path) -> Run:
    run = Run(f"product, {engine}", args.calls)
    server = Server(tmp / f"var-{engine}", engine, args.calls)
    t0 = time.monotonic()
    server.start()
    try:
        await seed(server, args.calls)
        uas_port = free_udp_port()
        extensions = [str(FIRST_EXTENSION + n) for n in range(args.calls)]
        register(server.sip_port, uas_port, extensions)
        async with agents_uas(tmp, uas_port):
            await log_in_agents(server, args.calls)
            print(f"  ({engine}: server up and {args.calls} agents ready in "
                  f"{time.monotonic() - t0:.0f} s)", flush=True)  # fmt: skip
            admin = await client(server.url, "admin", PASSWORD)
            try:
                start = await metrics(admin)

                async def live() -> dict[str, float]:
                    return await metrics(admin)

                await drive(run, server.pid, server.sip_port, args, tmp, live)
                end = await metrics(admin)
            finally:
                await admin.aclose()
        run.late_10ms = int(end.get("late_ticks", 0) - start.get("late_ticks", 0))
        run.late_20ms = int(
            end.get("late_ticks_over_20ms", 0) - start.get("late_ticks_over_20ms", 0)
        )
        run.max_lateness_ms = end.get("max_tick_lateness_ms", 0.0)
        for _ in range(40):  # the catalog rows follow the recording.stopped events
            rows, files, size = recordings_written(server.var)
            if rows >= run.connected:
                break
            await asyncio.sleep(0.25)
        run.recordings_rows, run.recording_files, run.recording_bytes = rows, files, size
        run.two_way, run.checked = both_ways(sorted((server.var / "recordings").rglob("*.wav")))
    finally:
        server.stop()
    return run


# --- the bare relay baseline (its own process) -----------------------------------------------


async def relay_server(sip_port: int, uas_port: int) -> None:
    from hotline.clock import SystemClock
    from hotline.events import ListSink
    from hotline.sip.offeranswer import PCMA, make_answer, make_offer
    from hotline.sip.protection import ProtectionSettings
    from hotline.sip.transport.calls import IncomingCall
    from hotline.sip.transport.service import SipService, SipServiceConfig
    from hotline.sip.trunk import Trunk

    loop = asyncio.get_running_loop()
    relayed = [0]

    class Leg(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.transport: asyncio.DatagramTransport | None = None
            self.peer: Leg | None = None
            self.remote: tuple[str, int] | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            peer = self.peer
            if peer is not None and peer.transport is not None and peer.remote is not None:
                peer.transport.sendto(data, peer.remote)
                relayed[0] += 1

    async def leg() -> tuple[Leg, int]:
        transport, protocol = await loop.create_datagram_endpoint(Leg, local_addr=("127.0.0.1", 0))
        return protocol, transport.get_extra_info("sockname")[1]

    count = [0]

    async def on_call(call: IncomingCall) -> None:
        count[0] += 1
        a, a_port = await leg()
        b, b_port = await leg()
        a.peer, b.peer = b, a
        offer = make_offer("127.0.0.1", b_port, session_id=count[0], codecs=(PCMA,))
        out = await sip.invite(f"sip:agent@127.0.0.1:{uas_port}", sdp=offer)
        agent = await out.wait(timeout=30)
        for side, sdp in ((a, call.offer), (b, agent.remote_sdp)):
            audio = sdp.audio() if sdp is not None else None
            if sdp is None or audio is None:
                raise SystemExit("a call without audio")
            side.remote = (sdp.connection_for(audio) or "127.0.0.1", audio.port)
        answer, _ = make_answer(call.offer, "127.0.0.1", a_port, session_id=count[0])  # type: ignore[arg-type]
        customer = await call.answer(answer)
        await customer.ended.wait()
        await agent.hangup()
        for side in (a, b):
            if side.transport is not None:
                side.transport.close()

    sip = SipService(
        SipServiceConfig(
            udp_port=sip_port,
            tcp_port=None,
            authenticate_invites=False,
            qualify_interval_s=0,
            trunks=(Trunk("callers", "127.0.0.1", inbound_sources=("127.0.0.1",)),),
            protection=ProtectionSettings(rate_per_s=1e9, burst=10**9),
        ),
        clock=SystemClock(),
        events=ListSink(),
        on_call=on_call,
    )
    await sip.start()
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the bench closes our stdin
    await sip.stop()
    print(f"relayed {relayed[0]}", flush=True)


async def baseline(args: argparse.Namespace, tmp: Path) -> Run:
    run = Run("bare relay (SipService + UDP relay)", args.calls)
    sip_port, uas_port = free_udp_port(), free_udp_port()
    async with agents_uas(tmp, uas_port):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--relay-serve", f"{sip_port}:{uas_port}",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        assert proc.stdin is not None
        try:
            if (await asyncio.wait_for(proc.stdout.readline(), 60)).strip() != b"ready":
                raise SystemExit("the relay did not start")
            await drive(run, proc.pid, sip_port, args, tmp)
        finally:
            proc.stdin.close()
            last = (await proc.stdout.read()).decode().split()
            await proc.wait()
    if last[:1] == ["relayed"]:
        expected = 2 * run.connected * args.seconds * 50
        run.notes.append(f"relayed {int(last[1])} RTP packets ({expected:.0f} expected both ways)")
    return run


# --- report ---------------------------------------------------------------------------------


def show(run: Run) -> None:
    load = "/".join(f"{x:.1f}" for x in run.load)
    print(f"  {run.name}  (load average {load})")
    print(
        f"    connected {run.connected}/{run.calls}, failed {run.failed}; "
        f"CPU {run.cpu_total_s:.1f} s = {run.cpu_ms_per_call:.0f} ms per call; "
        f"{run.core_pct_per_call:.3f} % of a core per live call "
        f"({run.live_in_window} live over {run.window_s:.1f} s)"
    )
    if run.name.startswith("product"):
        print(
            f"    recordings: {run.recordings_rows} rows, {run.recording_files} files, "
            f"{run.recording_bytes / 2**20:.1f} MiB, sound both ways in {run.two_way} of "
            f"{run.checked} checked; media ticks late > 20 ms: {run.late_20ms} "
            f"(> 10 ms: {run.late_10ms}), max lateness since start {run.max_lateness_ms:.1f} ms"
        )
    for note in run.notes:
        print(f"    note: {note}")


async def main(args: argparse.Namespace) -> list[Run]:
    for tool in ("sipp", "sox"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (scripts/system-deps.sh all)")
    engines = ["in_process", "process"] if args.engine == "both" else [args.engine]
    print(
        f"{args.calls} concurrent PCMA calls at {args.rate}/s, held {args.seconds:.0f} s, "
        f"recorded; engines {', '.join(engines)}; {os.cpu_count()} cores",
        flush=True,
    )
    runs = []
    with tempfile.TemporaryDirectory(prefix="product-media-") as tmp:
        base = await baseline(args, Path(tmp))
        show(base)
        runs.append(base)
        for engine in engines:
            run = await product(engine, args, Path(tmp))
            show(run)
            runs.append(run)
    for run in runs[1:]:
        ratio = run.core_pct_per_call / base.core_pct_per_call if base.core_pct_per_call else 0
        print(f"  {run.name}: {ratio:.1f}x the bare relay's CPU per live call")
    return runs


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0, help="hold after the answer")
    parser.add_argument("--rate", type=float, default=20.0, help="new calls per second")
    parser.add_argument("--engine", choices=("both", "in_process", "process"), default="both")
    parser.add_argument("--relay-serve", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_loop(coro: object) -> object:
    try:
        import uvloop

        return uvloop.run(coro)  # type: ignore[arg-type]
    except ImportError:
        return asyncio.run(coro)  # type: ignore[arg-type]


if __name__ == "__main__":
    options = parse()
    if options.relay_serve:
        sip, uas = options.relay_serve.split(":")
        run_loop(relay_server(int(sip), int(uas)))
    else:
        run_loop(main(options))
