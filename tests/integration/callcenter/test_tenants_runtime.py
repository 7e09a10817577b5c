"""Acceptance (issue 12): centers created while the real server runs — one by the command line
from another process, one by the operator's API — each register a baresip phone in their own
SIP domain (both as extension 1001), take a call on their own number and see none of demo's
data; a suspension during a live call lets that call finish and refuses the next (403 with a
reason), resume takes calls again; the call over a center's concurrent-call limit is busy
(486 with a Q.850 reason), measured with sipp; a center whose recordings fill its storage limit
takes calls without recording them. One server start for all of it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline.sip.offeranswer import make_offer
from hotline.sip.transport.calls import CallFailed
from tests.conftest import require_tool
from tests.data.callcenter.tones import AGENT1_HZ, AGENT2_HZ
from tests.integration.callcenter.phones import baresip_phone, caller_scenario, sipp_caller
from tests.integration.sip.peers import free_port, hotline
from tests.server import FRESH_CONNECTIONS, PASSWORD, ServerProcess

pytestmark = [pytest.mark.sipp, pytest.mark.baresip, pytest.mark.slow]

ADMIN_PASSWORD = "tall-lantern-harbor-93"
AGENT_PASSWORD = "quiet-orchard-window-58"
SIP_PASSWORD = "phone-secret-1001"
FLOW = """
name: main
start: agent
languages: [zh-CN]
nodes:
  agent: {type: queue, queue: support, no_answer: bye}
  bye: {type: hangup}
"""


async def hotline_cli(server: ServerProcess, *args: str) -> str:
    """`hotline …` in its own process against the server's database, as an operator would."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline.cli", *args,
        env={**server.env, "HOTLINE_USER_PASSWORD": PASSWORD},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def logged(server: ServerProcess, text: str, timeout: float = 20.0) -> None:
    """Wait for the server to log `text` (how a change made by another process shows)."""
    for _ in range(int(timeout / 0.1)):
        if text in server.log_path.read_text():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the server never logged {text!r}")


def client(server: ServerProcess, username: str, password: str, tenant: str) -> httpx.Client:
    found = httpx.Client(base_url=server.url, timeout=10, limits=FRESH_CONNECTIONS)
    r = found.post(
        "/api/v1/auth/login", json={"username": username, "password": password, "tenant": tenant}
    )
    assert r.status_code == 200, r.text
    found.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    server.clients.append(found)
    return found


def set_up_center(
    server: ServerProcess, slug: str, one_time: str
) -> tuple[httpx.Client, httpx.Client]:
    """The new center's admin changes the one-time password and sets up a queue, the flow
    (its numbers routed to it) and agent a1 at SIP extension 1001; the admin's and a1's
    clients."""
    admin = client(server, "admin", one_time, slug)
    admin.put(
        "/api/v1/auth/me/password", json={"current_password": one_time, "password": ADMIN_PASSWORD}
    ).raise_for_status()
    admin = client(server, "admin", ADMIN_PASSWORD, slug)
    admin.post(
        "/api/v1/queues", json={"name": "support", "display_name": "Support", "wrap_up_s": 0}
    ).raise_for_status()
    admin.post("/api/v1/flows", json={"text": FLOW, "format": "yaml"}).raise_for_status()
    # The operator's number waits unrouted until the center has a flow (ADR 0200): route it.
    for number in admin.get("/api/v1/numbers").json()["items"]:
        admin.put(
            f"/api/v1/numbers/{number['id']}", json={"number": number["number"], "flow": "main"}
        ).raise_for_status()
    r = admin.post(
        "/api/v1/agents",
        json={
            "username": "a1", "display_name": "A1", "password": AGENT_PASSWORD,
            "extension": "1001", "sip_password": SIP_PASSWORD, "phone_mode": "sip",
        },
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return admin, client(server, "a1", AGENT_PASSWORD, slug)


def events(api: httpx.Client, kind: str) -> list[dict[str, Any]]:
    r = api.get("/api/v1/events", params={"type": kind, "limit": 500})
    r.raise_for_status()
    found: list[dict[str, Any]] = r.json()["items"]
    return found


async def until(check: Any, timeout: float = 20.0) -> Any:
    for _ in range(int(timeout / 0.2)):
        result = check()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError("condition not reached")


def recording_rows(server: ServerProcess, tenant_id: str) -> list[dict[str, Any]]:
    """The center's rows in the recordings catalog, oldest first."""
    with contextlib.closing(sqlite3.connect(server.var_dir / "hotline.db", timeout=10)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT * FROM recordings WHERE tenant_id = ? ORDER BY started_at", (tenant_id,)
        ).fetchall()
    return [dict(row) for row in rows]


def keep_earlier_recording(server: ServerProcess, like: dict[str, Any], size_bytes: int) -> None:
    """A recording the center stored before this run (within its retention), as a row."""
    row = {**like, "id": f"{like['id']}-earlier", "size_bytes": size_bytes}
    row["started_at"] = like["started_at"] - 86400
    with contextlib.closing(sqlite3.connect(server.var_dir / "hotline.db", timeout=10)) as db:
        db.execute(
            f"INSERT INTO recordings ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
        db.commit()


async def call_status(server: ServerProcess, did: str) -> tuple[int, str]:
    """One call to `did` from this machine (the demo trunk): 200 (hung up at once) or the
    refusal's status and reason phrase."""
    async with hotline(None) as (caller, _):
        offer = make_offer("127.0.0.1", free_port(), session_id=1)
        call = await caller.invite(f"sip:{did}@127.0.0.1:{server.sip_port}", sdp=offer)
        try:
            session = await call.wait(timeout=15)
        except CallFailed as failed:
            return failed.status, failed.reason
        await session.hangup()
        return 200, "OK"


async def test_centers_at_runtime(tmp_path: Path) -> None:
    sipp = require_tool("sipp")
    require_tool("baresip")
    var = tmp_path / "var"
    server = ServerProcess(
        var, f"sqlite+aiosqlite:///{var}/hotline.db", HOTLINE_TENANTS__POLL_S="0.5"
    )
    server.start("demo")
    try:
        await run(server, sipp, tmp_path)
    finally:
        server.stop()


async def run(server: ServerProcess, sipp: str, tmp: Path) -> None:
    demo = server.login()
    demo_agents = {a["id"] for a in demo.get("/api/v1/agents").json()["items"]}
    await hotline_cli(server, "operator", "create", "--username", "ops")
    # North: by the command line, in another process (the server finds it on its poll).
    out = await hotline_cli(
        server, "tenant", "create", "--slug", "north", "--name", "华北中心",
        "--sip-domain", "north.example.com", "--json",
    )  # fmt: skip
    north_created = json.loads(out)
    await hotline_cli(server, "tenant", "number", "add", "north", "4102")
    # South: by the operator's API (the server learns it from its own bus), 2 calls at most.
    ops = client(server, "ops", PASSWORD, "platform")
    r = ops.post(
        "/api/v1/platform/tenants",
        json={
            "name": "华南中心", "slug": "south", "sip_domain": "south.example.com",
            "max_concurrent_calls": 2,
        },
    )  # fmt: skip
    assert r.status_code == 201, r.text
    south_password = r.json()["admin"]["one_time_password"]
    ops.post("/api/v1/platform/tenants/south/numbers", json={"number": "4202"}).raise_for_status()
    await logged(server, "center north serves SIP domain north.example.com")
    await logged(server, "center south serves SIP domain south.example.com")

    north_admin, north_a1 = set_up_center(server, "north", north_created["admin"]["password"])
    south_admin, south_a1 = set_up_center(server, "south", south_password)
    port, secret = server.sip_port, SIP_PASSWORD
    async with (
        baresip_phone(tmp, "n1001", user="1001", password=secret, server_port=port,
                      tone_hz=AGENT1_HZ, domain="north.example.com") as north_phone,
        baresip_phone(tmp, "s1001", user="1001", password=secret, server_port=port,
                      tone_hz=AGENT2_HZ, domain="south.example.com") as south_phone,
    ):  # fmt: skip
        # Each phone registered in its own domain: the binding is its center's.
        for slug, admin, agent in (
            ("north", north_admin, north_a1),
            ("south", south_admin, south_a1),
        ):
            registered = await until(lambda a=admin: events(a, "sip.registered"))
            assert {e["payload"]["aor"] for e in registered} == {f"1001@{slug}.example.com"}
            r = agent.post("/api/v1/desk/login", json={"phone": "sip", "ready": True})
            assert r.status_code == 200, r.text
        await until(lambda: north_a1.get("/api/v1/desk").json()["state"] == "available")
        await until(lambda: south_a1.get("/api/v1/desk").json()["state"] == "available")

        # A call on north's number reaches north's phone; it stays while north is suspended.
        async with sipp_caller(tmp, "13800000001", server.sip_port, free_port(), stay_s=10,
                               did="4102") as live:  # fmt: skip
            await north_phone.wait_event("CALL_ESTABLISHED", timeout=30)
            await hotline_cli(server, "tenant", "suspend", "north")
            await logged(server, "center north now suspended")
            assert await call_status(server, "4102") == (403, "Contact Center Suspended")
            await logged(server, "refused for tenant")
            assert await asyncio.wait_for(live.wait(), 40) == 0  # finished, with its own BYE
        await hotline_cli(server, "tenant", "resume", "north")
        await logged(server, "center north now active")
        assert (await call_status(server, "4102"))[0] == 200

        # North's call was recorded and counts toward its storage; with what it keeps from
        # earlier (a 1 MB recording) it reaches a 1 MB limit: the next call is not recorded.
        kept = await until(lambda: recording_rows(server, north_created["id"]))
        assert kept[0]["kind"] == "call"
        assert kept[0]["size_bytes"] > 0
        keep_earlier_recording(server, kept[0], size_bytes=1024 * 1024)
        await hotline_cli(server, "tenant", "limits", "north", "--max-recording-mb", "1")
        await logged(server, "center north: active, concurrent calls unlimited, recordings 1 MB")
        usage = ops.get("/api/v1/platform/tenants/north").json()["usage"]
        assert usage == {"agents": 1, "recording_mb": round(1 + kept[0]["size_bytes"] / 2**20, 1)}
        async with sipp_caller(tmp, "13800000002", server.sip_port, free_port(), stay_s=6,
                               did="4102") as unrecorded:  # fmt: skip
            skipped = await until(lambda: events(north_admin, "recording.skipped"), timeout=40)
            assert skipped[0]["payload"]["reason"] == "tenant.limit.recordings"
            await logged(server, "not recorded: the center's recordings are full")
            assert await asyncio.wait_for(unrecorded.wait(), 40) == 0
        assert len(recording_rows(server, north_created["id"])) == 2  # nothing new stored

        # South takes 2 calls at once; sipp's third is busy with the reason.
        work = tmp / "limit"
        work.mkdir()
        scenario = caller_scenario(work / "caller.xml", "13900000000", stay_s=3, did="4202")
        proc = await asyncio.create_subprocess_exec(
            sipp, "-sf", str(scenario), f"127.0.0.1:{server.sip_port}", "-i", "127.0.0.1",
            "-p", str(free_port()), "-mp", str(free_port() & ~1), "-m", "3", "-l", "3",
            "-r", "10", "-nostdin", "-timeout", "60s", "-trace_stat", "-stf", "stats.csv",
            "-trace_err", "-error_file", "errors.log",
            cwd=str(work), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await asyncio.wait_for(proc.wait(), 60)
        await south_phone.wait_event("CALL_ESTABLISHED", timeout=5)
        stats = [ln for ln in (work / "stats.csv").read_text().splitlines() if ln.strip()]
        columns = dict(zip(stats[0].split(";"), stats[-1].split(";"), strict=False))
        assert (columns["SuccessfulCall(C)"], columns["FailedCall(C)"]) == ("2", "1")
        errors = (work / "errors.log").read_text()
        assert "SIP/2.0 486 Concurrent Call Limit Reached" in errors
        assert 'Reason: Q.850;cause=17;text="Concurrent Call Limit Reached"' in errors

    # Each center saw its own calls only, and none of demo's agents.
    for admin, count in ((north_admin, 3), (south_admin, 2)):
        agents = admin.get("/api/v1/agents").json()["items"]
        assert [a["extension"] for a in agents] == ["1001"]
        assert not demo_agents & {a["id"] for a in agents}
        assert admin.get(f"/api/v1/agents/{next(iter(demo_agents))}").status_code == 404
        assert len(events(admin, "interaction.created")) == count
    assert not events(demo, "interaction.created")
