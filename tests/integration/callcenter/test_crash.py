"""Acceptance (issues 6 and 13): `kill -9` of the real server (`hotline demo`) during 10 live
calls; after the restart the 10 interactions are closed as `interrupted`, none missing, every
peer the crash left in a dead call — the 10 callers and the agent's phone that took one — gets a
BYE within seconds, the log gets the `leg.ended` / `call.ended` it never had, and the agents'
states are reconciled from the log and their phones' registrations.

The agents' presence before the crash is written into the log the way the desktop will write
it (`agent.state_changed`, `agent.phone_bound`): the desk API is not served over HTTP yet.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline.interactions import AgentPhoneBound
from hotline.routing import AgentState
from hotline.routing.events import AgentStateChanged
from hotline.store.engine import create_engine
from hotline.store.uow import UnitOfWorkFactory
from tests.conftest import require_tool
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.callcenter.phones import SIPP_PCAPS, baresip_phone
from tests.integration.desktop.harness import open_around_the_clock
from tests.integration.sip.peers import free_port
from tests.server import PASSWORD, ServerProcess

pytestmark = [pytest.mark.sipp, pytest.mark.baresip, pytest.mark.slow]

CALLS = 10


def bye_awaiting_caller(path: Path) -> Path:
    """A sipp caller to DID 4001 that presses 1 (sales: agent2 at 1002 may take it) and then
    waits for *our* BYE (answering it 200): sipp exits 0 only if the server ended every call."""
    pcap = SIPP_PCAPS / "dtmf_2833_1.pcap"
    path.write_text(f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="caller waits for the server's BYE">
  <send retrans="500"><![CDATA[

      INVITE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:1380000[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:1380000[call_number]@[local_ip]:[local_port]>
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
      a=fmtp:101 0-15

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[

      ACK sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:1380000[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <pause milliseconds="1000"/>
  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>
  <recv request="BYE" timeout="120000"/>
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
""")
    return path


def events(client: httpx.Client, kind: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        "/api/v1/events", params={"type": kind, "limit": 500}
    ).json()["items"]
    return items


async def eventually(
    client: httpx.Client, kind: str, count: int, timeout: float = 30.0
) -> list[dict[str, Any]]:
    for _ in range(int(timeout / 0.25)):
        found = events(client, kind)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"{len(events(client, kind))} {kind} events, wanted {count}")


def latest_state(states: list[dict[str, Any]], agent_id: str) -> str | None:
    mine = [e for e in states if e["agent_id"] == agent_id]
    return str(max(mine, key=lambda e: e["seq"])["payload"]["state"]) if mine else None


async def seed_presence(database_url: str, tenant_id: str, agents: dict[str, str]) -> None:
    """agent2 (1002) available and agent3 (1003) on a break, each at its SIP phone."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWorkFactory(engine, None)() as uow:
            now = time.time()
            for extension, (state, reason) in {
                "1002": (AgentState.AVAILABLE, None),
                "1003": (AgentState.NOT_READY, "break"),
            }.items():
                agent = agents[extension]
                uow.emit(
                    AgentPhoneBound(
                        tenant_id=tenant_id, at=now, agent_id=agent, kind="sip", address=extension
                    )
                )
                uow.emit(
                    AgentStateChanged(
                        tenant_id=tenant_id,
                        at=now,
                        agent_id=agent,
                        state=state,
                        previous=AgentState.LOGGED_OUT,
                        reason=reason,
                    )
                )
            await uow.commit()
    finally:
        await engine.dispose()


async def test_kill_during_ten_calls_then_restart(
    sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    sipp = require_tool("sipp")
    server.start("demo")
    async with baresip_phone(
        tmp_path,
        "agent2",
        user="1002",
        password=PASSWORD,
        server_port=server.sip_port,
        tone_hz=AGENT1_HZ,
        regint=3600,  # the binding outlives two restarts however slow they are
    ) as phone2:
        admin = server.login()
        open_around_the_clock(admin)  # the calls reach agents whatever the hour
        await eventually(admin, "sip.registered", 1)  # the binding is kept in the database
        tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
        agents = {a["extension"]: a["id"] for a in admin.get("/api/v1/agents").json()["items"]}
        server.stop()
        await seed_presence(server.env["HOTLINE_DATABASE_URL"], tenant_id, agents)

        server.start("demo")
        admin = server.login()
        work = tmp_path / "callers"
        work.mkdir()
        scenario = bye_awaiting_caller(work / "callers.xml")
        callers = await asyncio.create_subprocess_exec(
            sipp,
            "-sf",
            str(scenario),
            f"127.0.0.1:{server.sip_port}",
            "-i",
            "127.0.0.1",
            "-p",
            str(free_port()),
            "-mp",
            str(free_port()),
            "-m",
            str(CALLS),
            "-r",
            "5",
            "-l",
            str(CALLS),
            "-nostdin",
            cwd=str(work),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            created = await eventually(admin, "interaction.created", CALLS)
            await phone2.wait_event("CALL_ESTABLISHED", timeout=30)  # a2 took one of them
            await asyncio.sleep(1.0)
            assert not events(admin, "interaction.ended")  # all ten are live
            server.kill()

            server.start("demo")
            admin = server.login()
            ended = await eventually(admin, "interaction.ended", CALLS)
            # Every peer the crash left in a call gets our BYE: sipp exits 0 only if all ten
            # callers were hung up by the server, and the agent's phone sees its call close.
            assert await asyncio.wait_for(callers.wait(), 45) == 0
            await phone2.wait_event("CALL_CLOSED", timeout=30)
            legs = await eventually(admin, "leg.ended", CALLS + 1)
            # The SIP service loads its saved bindings as it starts: a2's phone is found again
            # within a phone check and a2 gets its availability back.
            for _ in range(60):
                states = events(admin, "agent.state_changed")
                if latest_state(states, agents["1002"]) == "available":
                    break
                await asyncio.sleep(0.25)
        finally:
            if callers.returncode is None:
                callers.kill()
                await callers.wait()

    assert sorted(e["interaction_id"] for e in ended) == sorted(
        e["interaction_id"] for e in created
    )
    interrupted = [e for e in legs if e["payload"]["cause"] == "interrupted"]
    assert len(interrupted) >= CALLS + 1  # ten callers and the agent's leg
    assert len(events(admin, "call.ended")) >= CALLS
    assert {e["payload"]["reason"] for e in ended} == {"interrupted"}
    assert {e["payload"]["q850"] for e in ended} == {41}
    # Reconciled: a2 logged in with its phone registered → available; a3 on its break stays
    # not ready (its phone never registered: reconcile would say so for an available agent).
    latest = {e["agent_id"]: e["payload"] for e in sorted(states, key=lambda e: e["seq"])}
    assert latest[agents["1002"]]["state"] == "available"
    assert latest[agents["1003"]]["state"] == "not_ready"
    assert latest[agents["1003"]]["reason"] == "break"
    assert agents.get("1001") not in latest or latest[agents["1001"]]["state"] == "logged_out"
