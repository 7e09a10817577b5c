"""Kamailio with the dispatcher module in front of two Hotline nodes on one PostgreSQL database
(issue 26, deploy/kamailio/kamailio.cfg). Calls sent to Kamailio reach the node that owns the
demo center, the other node's 503 sending Kamailio on to the next; `kill -9` the owner and new
calls through the same Kamailio are answered by the survivor once it has taken the center over,
and the center's event log stays one gap-free sequence."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from hotline.clock import SystemClock
from hotline.cluster.leases import TenantLeases
from hotline.store.engine import create_engine
from hotline.store.tables import events, tenants
from tests import dbs
from tests.conftest import require_tool
from tests.ports import free_port
from tests.server import ServerProcess

pytestmark = [pytest.mark.sipp, pytest.mark.kamailio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"
DID = "4001"  # the demo's number, answered by its flow `main`
LEASE_S = 2.0
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    """`probe()`'s first answer that is not None, asked until `timeout` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.2)


HANG_UP = """  <pause milliseconds="{hold_ms}"/>
  <send retrans="500"><![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:1380013[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:{did}@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
"""
# Held until the center's new owner ends the call the dead node left up: its BYE comes through
# Kamailio along the dialog's route.
HUNG_UP = """  <recv request="BYE" timeout="{hold_ms}"/>
  <send><![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

  ]]></send>
"""


def caller(path: Path, hold_ms: int, *, waits_for_bye: bool = False) -> Path:
    """A sipp caller that behaves like a phone behind a proxy: INVITE the DID, and send the ACK
    and the BYE to the Contact of the 200 along its Record-Route (through Kamailio); or, with
    `waits_for_bye`, answer the BYE that comes within `hold_ms`."""
    end = (HUNG_UP if waits_for_bye else HANG_UP).format(hold_ms=hold_ms, did=DID)
    path.write_text(f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="caller through the proxy">
  <send retrans="500"><![CDATA[

      INVITE sip:{DID}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:1380013[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:{DID}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:1380013[call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:1380013[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:{DID}@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
{end}</scenario>
""")
    return path


class Calls:
    """sipp runs against Kamailio, each in a folder of its own."""

    def __init__(self, tmp: Path, proxy_port: int) -> None:
        self.sipp = require_tool("sipp")
        self.tmp = tmp
        self.proxy_port = proxy_port
        self.runs = 0

    def run(self, count: int, *, hold_ms: int = 1000) -> bool:
        """`count` calls at once; True when every one was answered and hung up cleanly."""
        command, folder = self.command(count, hold_ms)
        done = subprocess.run(
            command,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        return done.returncode == 0

    def held(self, hold_ms: int) -> subprocess.Popen[bytes]:
        """One call in the background that waits up to `hold_ms` for the center's BYE."""
        command, folder = self.command(1, hold_ms, waits_for_bye=True)
        return subprocess.Popen(
            command,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def command(
        self, count: int, hold_ms: int, *, waits_for_bye: bool = False
    ) -> tuple[list[str], Path]:
        self.runs += 1
        folder = self.tmp / f"sipp-{self.runs}"
        folder.mkdir()
        media = free_port()
        media -= media % 2
        scenario = caller(folder / "caller.xml", hold_ms, waits_for_bye=waits_for_bye)
        command = [
            self.sipp, "-sf", str(scenario),
            f"127.0.0.1:{self.proxy_port}", "-i", "127.0.0.1",
            "-p", str(free_port(socket.SOCK_DGRAM)), "-mp", str(media),
            "-m", str(count), "-l", str(count), "-r", str(count),
            "-nostdin", "-timeout", "40s", "-timeout_error", "-trace_err", "-trace_msg",
        ]  # fmt: skip
        return command, folder


class Kamailio:
    """deploy/kamailio/kamailio.cfg in the foreground on 127.0.0.1, its runtime files under
    `folder`; the nodes' SIP ports make its dispatcher list."""

    def __init__(self, folder: Path, port: int, nodes: list[int]) -> None:
        self.exe = require_tool("kamailio")
        self.folder = folder
        self.port = port
        self.log_path = folder / "kamailio.log"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True)
        lines = [f"1 sip:127.0.0.1:{port} 0 0 name=node-{i}" for i, port in enumerate(nodes)]
        self.list_file = folder / "dispatcher.list"
        self.list_file.write_text("\n".join(lines) + "\n")

    def defines(self) -> list[str]:
        return [
            "-A", f"LISTEN=udp:127.0.0.1:{self.port}",
            "-A", f'DISPATCHER_LIST="{self.list_file}"',
            "-A", f'CTL_SOCKET="unix:{self.folder / "ctl"}"',
            "-A", "PING_INTERVAL=1",
            "-A", "FR_TIMER=1500",
        ]  # fmt: skip

    def check(self) -> None:
        done = subprocess.run(
            [self.exe, "-c", "-f", str(CONFIG), *self.defines()],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                self.exe, "-f", str(CONFIG), *self.defines(),
                "-DD", "-E", "-Y", str(self.folder), "-P", str(self.folder / "kamailio.pid"),
                "-m", "64", "-M", "8",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        log.close()
        eventually(self._answers_options, 30, "Kamailio answers OPTIONS")

    def _answers_options(self) -> bool | None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"kamailio exited:\n{self.log()}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(0.5)
            port, branch = sock.getsockname()[1], uuid.uuid4().hex
            options = (
                f"OPTIONS sip:127.0.0.1:{self.port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{branch}\r\n"
                f"From: <sip:probe@127.0.0.1:{port}>;tag={branch[:8]}\r\n"
                f"To: <sip:127.0.0.1:{self.port}>\r\n"
                f"Call-ID: {branch}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n"
            )
            sock.sendto(options.encode(), ("127.0.0.1", self.port))
            try:
                reply = sock.recv(65535)
            except TimeoutError:
                return None
        return True if reply.startswith(b"SIP/2.0 200") else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def answered_by(self) -> Counter[int]:
        """How many calls each node (by SIP port) answered 200, from Kamailio's log."""
        pattern = r"INVITE call (\S+): 200 OK from node 127\.0\.0\.1:(\d+)"
        calls = set(re.findall(pattern, self.log()))  # a retransmitted 200 counts once
        return Counter(int(port) for _, port in calls)

    def refused_by(self) -> Counter[int]:
        """How many times a node's 503 sent Kamailio on to the next one."""
        return Counter(
            int(port) for port in re.findall(r"node 127\.0\.0\.1:(\d+) answered 503", self.log())
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def cluster_status(server: ServerProcess) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "cluster", "status", "--json"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def demo_lease(server: ServerProcess) -> dict[str, Any]:
    """The demo center's lease in `hotline cluster status --json`."""
    report = cluster_status(server)
    lease = next((c for c in report["centers"] if c["center"] == "demo"), None)
    assert lease is not None, report
    return lease


async def _demo_owner(url: str) -> tuple[str, int] | None:
    """The demo center's live owner and token, read from the leases table (quicker to ask than
    the CLI, which the test runs once per phase to check what it reports)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tenant = (
                await conn.execute(select(tenants.c.id).where(tenants.c.slug == "demo"))
            ).scalar_one_or_none()
            leases = await TenantLeases(conn).all()
    finally:
        await engine.dispose()
    now = SystemClock().now()
    lease = next((x for x in leases if x.tenant_id == tenant), None)
    return (lease.owner, lease.token) if lease is not None and lease.live(now) else None


def demo_owner(url: str) -> tuple[str, int] | None:
    return asyncio.run(_demo_owner(url))


async def _interrupted_calls(url: str) -> int:
    """The demo center's calls that ended as interrupted (left up by a dead node)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tenant = (
                await conn.execute(select(tenants.c.id).where(tenants.c.slug == "demo"))
            ).scalar_one()
            q = select(events.c.payload).where(
                events.c.tenant_id == tenant, events.c.type == "call.ended"
            )
            payloads = (await conn.execute(q)).scalars()
            return sum(1 for p in payloads if p.get("cause") == "interrupted")
    finally:
        await engine.dispose()


async def _demo_seqs(url: str) -> list[int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tenant = (
                await conn.execute(select(tenants.c.id).where(tenants.c.slug == "demo"))
            ).scalar_one()
            q = select(events.c.seq).where(events.c.tenant_id == tenant).order_by(events.c.seq)
            return [int(seq) for seq in (await conn.execute(q)).scalars()]
    finally:
        await engine.dispose()


async def _clean(url: str) -> None:
    engine = create_engine(url)
    try:
        await dbs.truncate_all(engine)
    finally:
        await engine.dispose()


def test_calls_through_kamailio_reach_the_owner_and_after_a_kill_the_survivor(
    postgres_url: str, tmp_path: Path
) -> None:
    require_tool("kamailio")
    require_tool("sipp")
    asyncio.run(_clean(postgres_url))
    proxy_port = free_port(socket.SOCK_DGRAM)
    # Kamailio is the nodes' one trunk: INVITEs from its address are calls from the carrier.
    trunk = {
        "name": "edge", "host": "127.0.0.1", "port": proxy_port,
        "inbound_sources": [f"127.0.0.1:{proxy_port}"],
    }  # fmt: skip
    common = {
        "HOTLINE_CLUSTER__OWNERSHIP": "true",
        "HOTLINE_CLUSTER__LEASE_S": str(LEASE_S),
        "HOTLINE_SIP__TRUNKS": json.dumps([trunk]),
    }
    a = ServerProcess(tmp_path / "a", postgres_url, HOTLINE_JOBS__NODE_ID="node-a", **common)
    b = ServerProcess(tmp_path / "b", postgres_url, HOTLINE_JOBS__NODE_ID="node-b", **common)
    kamailio = Kamailio(tmp_path / "kamailio", proxy_port, [a.sip_port, b.sip_port])
    nodes = {"node-a": a, "node-b": b}
    held: subprocess.Popen[bytes] | None = None
    try:
        kamailio.check()
        a.start("demo")  # seeds the demo center, and owns it while alone
        b.start("serve")
        kamailio.start()
        calls = Calls(tmp_path, proxy_port)

        owner_name, _ = eventually(lambda: demo_owner(postgres_url), 30, "the demo is owned")
        owner = nodes[owner_name]
        (survivor_name,) = set(nodes) - {owner_name}
        survivor = nodes[survivor_name]

        # Every call is answered, by the owner: the calls whose Call-ID hashes to the other node
        # get its 503 and go on to the owner.
        assert calls.run(6), kamailio.log()
        answered = kamailio.answered_by()
        assert answered == Counter({owner.sip_port: 6}), answered
        assert kamailio.refused_by()[survivor.sip_port] >= 1, kamailio.log()
        before = demo_lease(a)
        assert before["owner"] == owner_name, before

        # A call in progress on the owner when it dies.
        held = calls.held(30_000)
        eventually(lambda: kamailio.answered_by()[owner.sip_port] == 7 or None, 30, "the held call")

        # kill -9 the owner. Its lease runs out and the survivor takes the center over; new
        # calls through the same Kamailio are answered by it. A deadline, not a timing: the
        # lease, a round of the survivor's, Kamailio's probe, and a loaded machine.
        owner.kill()
        killed_at = time.monotonic()
        eventually(lambda: calls.run(1) or None, 45, "a call through Kamailio is answered")
        took = time.monotonic() - killed_at
        assert calls.run(4), kamailio.log()
        assert kamailio.answered_by()[survivor.sip_port] >= 5, kamailio.log()
        after = demo_lease(survivor)
        assert after["owner"] == survivor_name, after
        assert after["token"] == before["token"] + 1, (before, after)
        print(f"calls answered again {took:.1f} s after the kill")
        # The call the dead node left up: the new owner ended it (its BYE reached the caller
        # through Kamailio) and recorded it as interrupted.
        assert held.wait(40) == 0
        assert asyncio.run(_interrupted_calls(postgres_url)) >= 1

        # One gap-free sequence of the center's records across the two owners (the table's key
        # already forbids a duplicate seq).
        seqs = asyncio.run(_demo_seqs(postgres_url))
        assert seqs == list(range(1, len(seqs) + 1))
        assert len(seqs) == len(set(seqs))
    finally:
        if held is not None and held.poll() is None:
            held.kill()
            held.wait(10)
        kamailio.stop()
        a.stop()
        b.stop()
