"""Acceptance (issue 13, backups): `hotline backup` of a real `hotline demo` while sipp callers
are in the middle of leaving voicemails, then a restore into a fresh database: every contact
and recording that existed at the snapshot is there and plays (checksums), the event log is a
gap-free prefix of the live one, the calls still going are there as started, not ended, and
no recording appears without its file. A second backup after the calls, restored into a fresh
database of the other kind, equals the live database table for table and file for file.
Both source databases (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.backup import Locations, backup, restore
from hotline.server import voicemail_tickets
from hotline.store.engine import create_engine, is_sqlite
from hotline.store.tables import event_sequences, metadata, projection_cursors
from hotline.store.tables import events as event_rows
from tests import dbs
from tests.conftest import require_tool
from tests.integration.backup.test_backup_restore import tables
from tests.integration.sip.peers import free_port
from tests.server import ServerProcess

pytestmark = [pytest.mark.sipp, pytest.mark.slow]

VOICEMAIL_FLOW = """
format: 1
name: main
title: 留言 / Voicemail only
language: zh-CN
dids: ["4001"]
start: message
nodes:
  message:
    type: voicemail
    mailbox: general
    max_length: 120
    silence_end: 60
"""

# A caller's Call-ID (sipp's -cid_str; %s is its address), known to the test for `hang_up`.
CALL_ID = "backup-{number}@%s"


def caller_xml(path: Path, number: str, stay_ms: int | None) -> Path:
    """INVITE 4001 offering PCMA, send sipp's bundled A-law speech (7 s), hang up after
    `stay_ms`, or, with None, when the test says so (an INFO in the call: `hang_up`)."""
    pcap = "/usr/share/sip-tester/g711a.pcap"
    if stay_ms is None:
        stay = '<recv request="INFO" timeout="90000"/>'
    else:
        stay = f'<pause milliseconds="{stay_ms}"/>'
    path.write_text(f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="voicemail from {number}">
  <send retrans="500"><![CDATA[
      INVITE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{number}@[local_ip]:[local_port]>
      Max-Forwards: 70
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
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
      ACK sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <pause milliseconds="500"/>
  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>
  {stay}
  <send retrans="500"><![CDATA[
      BYE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
""")
    return path


@asynccontextmanager
async def caller(
    tmp: Path, number: str, server: ServerProcess, stay_ms: int | None
) -> AsyncIterator[int]:
    """A sipp caller for the length of the block; yields its SIP port."""
    folder = tmp / f"sipp-{number}"
    folder.mkdir()
    media, port = free_port(), free_port()
    proc = await asyncio.create_subprocess_exec(
        require_tool("sipp"), "-sf", str(caller_xml(folder / "c.xml", number, stay_ms)),
        f"127.0.0.1:{server.sip_port}", "-i", "127.0.0.1", "-p", str(port),
        "-mp", str(media - media % 2), "-m", "1", "-cid_str", CALL_ID.format(number=number),
        "-nostdin", "-timeout", "120s", "-timeout_error",
        cwd=str(folder), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield port
        await asyncio.wait_for(proc.wait(), 60)
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()


def hang_up(number: str, port: int) -> None:
    """Tell a caller holding for the test (`stay_ms=None`) to hang up: an INFO in its call."""
    info = (
        f"INFO sip:{number}@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-hangup-{number}\r\n"
        f"From: <sip:4001@127.0.0.1>;tag=test\r\n"
        f"To: <sip:{number}@127.0.0.1>\r\n"
        f"Call-ID: {CALL_ID.format(number=number) % '127.0.0.1'}\r\n"
        "CSeq: 9 INFO\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(info.encode(), ("127.0.0.1", port))


async def events(client: httpx.Client, kind: str) -> list[dict[str, Any]]:
    r = await asyncio.to_thread(client.get, "/api/v1/events", params={"type": kind, "limit": 1000})
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def until_events(
    client: httpx.Client, kind: str, count: int, timeout: float = 40
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await events(client, kind)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"{kind}: fewer than {count} events in {timeout} s")


# Followers that act on one type of event keep their place at the last such event (they write
# only when there is work): caught up is none of that type after the cursor.
ONE_TYPE = {voicemail_tickets.CURSOR: voicemail_tickets.EVENT}


async def caught_up(engine: AsyncEngine, timeout: float = 40) -> None:
    """Every projection's cursor at its tenant's last event (of its type, for a follower of one)."""
    deadline = time.monotonic() + timeout
    while True:
        async with engine.connect() as conn:
            last = {r.tenant_id: r.last_seq for r in (await conn.execute(select(event_sequences)))}
            for name, kind in ONE_TYPE.items():
                rows = await conn.execute(
                    select(event_rows.c.tenant_id, func.max(event_rows.c.seq))
                    .where(event_rows.c.type == kind)
                    .group_by(event_rows.c.tenant_id)
                )
                last |= {(name, t): int(seq) for t, seq in rows}
            cursors = (await conn.execute(select(projection_cursors))).mappings().all()
        behind = [
            c["name"]
            for c in cursors
            if c["seq"]
            < last.get((c["name"], c["tenant_id"]) if c["name"] in ONE_TYPE else c["tenant_id"], 0)
        ]
        if cursors and not behind:
            return
        assert time.monotonic() < deadline, f"projections behind the log: {behind}"
        await asyncio.sleep(0.2)


def cli_backup(server: ServerProcess, out: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "backup", "--out", str(out)],
        env={**server.env}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "recordings in" in done.stdout
    (path,) = out.glob("hotline-backup-*.tar")
    return path


async def fresh(url: str, tmp: Path, name: str, *, other: bool) -> tuple[str, bool]:
    """A fresh database of the same kind as `url`, or of the other; True if PostgreSQL."""
    if is_sqlite(url) == other:
        return await asyncio.to_thread(dbs.create_pg_database), True
    return f"sqlite+aiosqlite:///{tmp}/{name}.db", False


def where(server: ServerProcess) -> Locations:
    var = server.var_dir
    return Locations(
        server.env["HOTLINE_DATABASE_URL"], var / "recordings", var / "prompts", var / "keys"
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_backup_during_live_calls_restores_every_contact_and_recording(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    server = ServerProcess(tmp_path / "var", database_url)
    server.start("demo")
    created_dbs: list[str] = []
    try:
        admin = server.login()
        r = admin.post("/api/v1/flows", json={"text": VOICEMAIL_FLOW, "note": "backup test"})
        assert r.status_code == 201, r.text
        async with AsyncExitStack() as calls:  # two messages left before the backups
            for n in (1, 2):
                await calls.enter_async_context(caller(tmp_path, f"1380000000{n}", server, 2500))
        await until_events(admin, "voicemail.recorded", 2)

        # Two callers still talking during the backup: they hold until it is done, however
        # long the command takes on a busy machine, and hang up when told.
        async with AsyncExitStack() as calls:
            holding = {
                number: await calls.enter_async_context(caller(tmp_path, number, server, None))
                for number in ("13800000003", "13800000004")
            }
            await until_events(admin, "interaction.created", 4)
            during = await asyncio.to_thread(cli_backup, server, tmp_path / "during")
            still = await events(admin, "interaction.ended")
            assert len(still) == 2, "a caller holding for the backup was cut off"
            for number, port in holding.items():
                hang_up(number, port)
        await until_events(admin, "voicemail.recorded", 4)
        await until_events(admin, "interaction.ended", 4)
        # The projections (contacts, reports) follow the log in the background: the backup
        # after the calls is compared with the database once the server stops, so let them
        # reach the end of the log first.
        await caught_up(engine)
        after = (await backup(where(server), tmp_path / "after.tar")).path
        server.stop()

        live = await tables(engine)
        recordings_dir = tmp_path / "var" / "recordings"
        assert len(live["recordings"]) == 4

        # The backup taken during the calls: a consistent past.
        url, made = await fresh(database_url, tmp_path, "during", other=False)
        created_dbs += [url] if made else []
        target = tmp_path / "restored-during"
        await restore(during, Locations(url, target / "rec", target / "prompts", target / "keys"))
        restored_engine = create_engine(url)
        try:
            past = await tables(restored_engine)
        finally:
            await restored_engine.dispose()
        seqs = [e["seq"] for e in past["events"]]
        assert seqs == list(range(1, len(seqs) + 1))
        assert past["events"] == live["events"][: len(seqs)]
        calls_then = {
            e["interaction_id"] for e in past["events"] if e["type"] == "interaction.created"
        }
        ended_then = {
            e["interaction_id"] for e in past["events"] if e["type"] == "interaction.ended"
        }
        assert len(calls_then) == 4
        assert len(ended_then) == 2  # the two callers still talking were live
        assert len(past["recordings"]) == 2
        for row in past["recordings"]:
            assert row in live["recordings"]
            assert sha(target / "rec" / row["path"]) == sha(recordings_dir / row["path"])
        interactions_then = {i["id"] for i in past["interactions"]}
        assert interactions_then <= {i["id"] for i in live["interactions"]}
        assert past["customers"] == live["customers"]

        # The backup after the calls, into the other kind of database: equal to the live one.
        url, made = await fresh(database_url, tmp_path, "after", other=True)
        created_dbs += [url] if made else []
        target = tmp_path / "restored-after"
        await restore(after, Locations(url, target / "rec", target / "prompts", target / "keys"))
        restored_engine = create_engine(url)
        try:
            assert await tables(restored_engine) == live
        finally:
            await restored_engine.dispose()
        for row in live["recordings"]:
            assert sha(target / "rec" / row["path"]) == sha(recordings_dir / row["path"])
        assert {t.name for t in metadata.sorted_tables} == set(live)
    finally:
        server.stop()
        for url in created_dbs:
            await asyncio.to_thread(dbs.drop_pg_database, url)
