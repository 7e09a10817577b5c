"""The real server process: a write acknowledged by the API survives kill -9; SIGTERM drains
and exits cleanly; HTTPS with `hotline cert`; the event WebSocket; Prometheus metrics."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from tests.server import PASSWORD, ServerProcess


def test_an_acknowledged_api_write_survives_kill_9(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    server = ServerProcess(tmp_path / "var", database_url)
    server.start("demo")
    try:
        admin = server.login()
        r = admin.post("/api/v1/skills", json={"name": "投诉处理"})
        assert r.status_code == 201
        skill_id = r.json()["id"]
        server.kill()
        server.start("serve")
        admin = server.login()
        assert admin.get(f"/api/v1/skills/{skill_id}").json()["name"] == "投诉处理"
        events = admin.get("/api/v1/events", params={"limit": 1000}).json()["items"]
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(1, len(seqs) + 1))
        assert any(e["payload"].get("entity_id") == skill_id for e in events)
    finally:
        server.stop()


def test_sigterm_drains_and_exits_cleanly(sqlite_server: ServerProcess) -> None:
    sqlite_server.start("demo")
    assert sqlite_server.terminate() == 0
    assert "draining" in sqlite_server.log_path.read_text()


def test_https_with_a_self_signed_certificate(tmp_path: Path) -> None:
    tls = tmp_path / "tls"
    subprocess.run(
        [sys.executable, "-m", "hotline.cli", "cert", "--host", "127.0.0.1", "--out", str(tls)],
        check=True,
        capture_output=True,
    )
    assert (tls / "key.pem").stat().st_mode & 0o777 == 0o600
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_HTTP__TLS_CERT=str(tls / "cert.pem"),
        HOTLINE_HTTP__TLS_KEY=str(tls / "key.pem"),
    )
    server.scheme = "https"
    server.start("demo")
    try:
        client = server.login()
        assert client.get("/api/v1/auth/me").json()["username"] == "admin"
    finally:
        server.stop()


async def test_event_websocket_replays_and_follows(sqlite_server: ServerProcess) -> None:
    sqlite_server.start("demo")
    admin = sqlite_server.login()
    ws_url = sqlite_server.url.replace("http", "ws") + "/api/v1/events"
    with pytest.raises(ConnectionClosed) as refused:
        async with ws_connect(ws_url) as ws:
            await ws.recv()
    assert refused.value.rcvd is not None
    assert refused.value.rcvd.code == 4401

    cookie = f"hotline_session={admin.cookies['hotline_session']}"
    async with ws_connect(ws_url + "?after_seq=0", additional_headers={"Cookie": cookie}) as ws:
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello"
        assert hello["last_seq"] > 0
        replayed = [json.loads(await ws.recv()) for _ in range(hello["last_seq"])]
        assert [m["event"]["seq"] for m in replayed] == list(range(1, hello["last_seq"] + 1))
        await asyncio.to_thread(admin.post, "/api/v1/skills", json={"name": "直播"})
        live = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert live["event"]["type"] == "config.changed"
        assert live["event"]["seq"] == hello["last_seq"] + 1


def test_metrics_are_exported(sqlite_server: ServerProcess) -> None:
    sqlite_server.start("demo")
    text = sqlite_server.login().get("/metrics").text
    assert "hotline_events_appended" in text
    assert (
        'hotline_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"}' in text
    )
    # The telephony side: SIP counters and the media engine's clock and packets.
    assert "hotline_sip_" in text
    assert "hotline_media_late_ticks " in text
    assert "hotline_media_inbound_late 0.0" in text


async def test_the_server_speaks_sip_and_phones_register(
    sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    """The demo server binds SIP: baresip registers as extension 1002 with digest auth and the
    registration is an event of the demo tenant."""
    from tests.integration.sip.baresip import baresip

    sqlite_server.start("demo")
    account = (
        f"<sip:1002@127.0.0.1:{sqlite_server.sip_port};transport=udp>;auth_user=1002;"
        f"auth_pass={PASSWORD};answermode=auto;regint=120;audio_codecs=PCMU"
    )
    async with baresip(tmp_path / "phone", account):
        admin = sqlite_server.login()
        for _ in range(100):
            events = admin.get("/api/v1/events", params={"type": "sip.registered"}).json()
            if events["items"]:
                break
            await asyncio.sleep(0.1)
        assert events["items"][0]["payload"]["aor"] == "1002"


async def test_a_caller_reaches_the_demo_ivr_through_the_server(
    sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    """sipp dials DID 4001 on the demo server: the IVR answers, the call is an interaction
    with the demo flow, and it ends when sipp hangs up."""
    from tests.integration.sip.peers import run_sipp

    sqlite_server.start("demo")
    work = tmp_path / "sipp"
    work.mkdir()
    result = await run_sipp(
        [
            f"127.0.0.1:{sqlite_server.sip_port}",
            "-sn", "uac", "-s", "4001", "-i", "127.0.0.1", "-p", "0", "-mp", "0",
            "-m", "1", "-d", "3000", "-timeout", "30",
        ],
        str(work),
    )  # fmt: skip
    assert result.field("SuccessfulCall(C)") == "1", result.stdout + result.stderr
    admin = sqlite_server.login()
    for _ in range(50):
        ended = admin.get("/api/v1/events", params={"type": "interaction.ended"}).json()
        if ended["items"]:
            break
        await asyncio.sleep(0.2)
    created = admin.get("/api/v1/events", params={"type": "interaction.created"}).json()
    assert created["items"][0]["payload"]["did"] == "4001"
    assert created["items"][0]["payload"]["flow"] == "main"
    assert ended["items"][0]["interaction_id"] == created["items"][0]["interaction_id"]
