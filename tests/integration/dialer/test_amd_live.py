"""Answering-machine detection on live campaign calls (issue 24, ADR 0197): a predictive
campaign dials two sipp callees through the trunk. One answers as a person does — "喂？" and
then silence — and reaches the baresip agent; the other is a machine with a long greeting and
a beep, and gets the campaign's message after it (or is hung up on). The greetings are spoken
by espeak-ng and shaped by sox in the test and streamed by sipp (`rtp_stream`, µ-law WAV); the
media backend runs the detector on the call's received audio, in this process or in the media
process, and hands back its verdict. The verdicts, their decision times and what followed are
read from the events and the campaign figures."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import pytest

from hotline.dialer.events import AmdDecided, MachineMessageEnded
from hotline.dialer.live import CampaignDialer
from hotline.dialer.model import Campaign, DialMode, RecordStatus
from hotline.ids import new_id
from hotline.interactions.voice.campaign import CampaignCalls
from hotline.store.dialer_repo import SqlDialerStore, SqlLiveStorage
from tests.conftest import require_tool
from tests.integration.callcenter.stack import CallCenter
from tests.integration.dialer.test_live import (
    CALLER_ID,
    JumpClock,
    center_with_agents,
    number,
    seed,
    settled,
    until,
)
from tests.integration.imports.conftest import Env
from tests.ports import free_port

pytestmark = [pytest.mark.sipp, pytest.mark.baresip]

E = TypeVar("E")

HUMAN, MACHINE = "7", "9"  # the number's last digit: who answers
MACHINE_GREETING = "您好，我现在不方便接听电话，请在提示音后留言，谢谢。"  # ≈ 10 s with its pauses


def greetings(folder: Path) -> tuple[Path, Path]:
    """µ-law WAVs (8 kHz) for sipp: a person's short "喂？" and a wait; a machine's long
    greeting, its beep and a moment of silence."""
    espeak, sox = require_tool("espeak-ng"), require_tool("sox")

    def say(text: str, name: str) -> Path:
        spoken, narrow = folder / f"{name}-22k.wav", folder / f"{name}-8k.wav"
        subprocess.run([espeak, "-v", "cmn", "-s", "160", "-w", str(spoken), text], check=True)
        subprocess.run([sox, str(spoken), "-r", "8000", "-c", "1", "-b", "16", str(narrow)],
                       check=True)  # fmt: skip
        return narrow

    human, machine = folder / "human.wav", folder / "machine.wav"
    hello = say("喂？", "hello")
    subprocess.run([sox, str(hello), "-e", "u-law", str(human), "pad", "0.4", "3.0"], check=True)
    greeting = say(MACHINE_GREETING, "greeting")
    beep = folder / "beep.wav"
    subprocess.run([sox, "-n", "-r", "8000", "-c", "1", "-b", "16", str(beep),
                    "synth", "0.4", "sine", "1000", "vol", "0.5"], check=True)  # fmt: skip
    subprocess.run([sox, str(greeting), str(beep), "-e", "u-law", str(machine),
                    "pad", "0.3", "1.5"], check=True)  # fmt: skip
    return human, machine


def scenario(human: Path, machine: Path) -> str:
    """A callee that answers after a ring and streams its greeting; unless the centre hangs
    up first, the person hangs up after 8 s of talk, the machine after 40 s of recording."""
    ok = """
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
"""
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="greeting callees">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="^INVITE sip:[+]?[0-9]*{MACHINE}@" search_in="msg" check_it="false"
            assign_to="machine"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" check_it="true"
            assign_to="contact"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="From:" check_it="true" assign_to="caller"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="To:" check_it="true" assign_to="callee"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="800"/>
  <send retrans="500"><![CDATA[{ok}]]></send>
  <recv request="ACK" crlf="true"/>
  <nop hide="true" test="machine" next="machine"/>
  <nop><action><exec rtp_stream="{human},1,0"/></action></nop>
  <recv request="BYE" timeout="8000" ontimeout="hangup" next="bye"/>
  <label id="machine"/>
  <nop><action><exec rtp_stream="{machine},1,0"/></action></nop>
  <recv request="BYE" timeout="40000" ontimeout="hangup"/>
  <label id="bye"/>
  <send next="end">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <label id="hangup"/>
  <send retrans="500">
    <![CDATA[
      BYE [$contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$callee];tag=[pid]SIPpTag01[call_number]
      To: [$caller]
      [last_Call-ID:]
      CSeq: 2 BYE
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
  <label id="end"/>
</scenario>
"""


@contextlib.asynccontextmanager
async def greeting_callees(tmp: Path) -> AsyncIterator[int]:
    sipp = require_tool("sipp")
    folder = tmp / "greeting-callees"
    folder.mkdir()
    human, machine = greetings(folder)
    path = folder / "callees.xml"
    path.write_text(scenario(human, machine))
    port = free_port()
    media = free_port()
    media -= media % 2
    proc = await asyncio.create_subprocess_exec(
        sipp, "-sf", str(path), "-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1",
        "-mp", str(media), "-trace_msg", "-trace_err", "-nostdin",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL, cwd=folder,
    )  # fmt: skip
    try:
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        await proc.wait()


async def run_campaign(
    env: Env, center: CallCenter, campaign: Campaign, dials: int
) -> CampaignDialer:
    dialer = CampaignDialer(
        campaign.id, SqlLiveStorage(env.services.uow, env.tenant_id), CampaignCalls(center.desk),
        JumpClock(), default_zone="Asia/Shanghai",
    )  # fmt: skip
    stop = asyncio.Event()
    running = asyncio.ensure_future(dialer.run(stop))
    try:
        await until(lambda: settled(dialer, dials), 90, "the calls")
    finally:
        stop.set()
        await running
    return dialer


def campaign_with(env: Env, machine: dict[str, object]) -> Campaign:
    return Campaign(
        id=new_id(time.time()), tenant_id=env.tenant_id, name="回访", mode=DialMode.PREDICTIVE,
        queue_id="support", ring_timeout_s=10.0, caller_ids=(CALLER_ID,),
        retry={"machine": {"interval_s": 3600, **machine}},
    )  # fmt: skip


async def phones_of(env: Env, campaign_id: str) -> dict[str, tuple[str, RecordStatus, str]]:
    """record id → (phone, status, last outcome)."""
    async with env.services.uow(write=False) as uow:
        rows = await SqlDialerStore(uow.conn, env.tenant_id).records(campaign_id)
    return {r.id: (r.phone, r.status, r.last_outcome or "") for r in rows}


def of(center: CallCenter, kind: type[E]) -> list[E]:
    return [e for e in center.sink.events if isinstance(e, kind)]


@pytest.mark.db
@pytest.mark.parametrize("media_process", [False, True], ids=["in_process", "media_process"])
async def test_a_person_reaches_the_agent_and_a_machine_gets_the_message(
    env: Env, tmp_path: Path, tts_cache: Path, media_process: bool
) -> None:
    """With the media engine in this process or in its own (ADR 0197's amendment: the detector
    runs next to the audio, only its verdict crosses the control channel)."""
    person, machine = number(1, HUMAN), number(2, MACHINE)
    message = {"zh-CN": "您好，这里是回访中心，请回电四零零。"}
    campaign = campaign_with(env, {"action": "message", "message": message})
    await seed(env, campaign, [person, machine], [])
    async with (
        greeting_callees(tmp_path) as port,
        center_with_agents(
            tmp_path, tts_cache, port, ["a1"], media_process=media_process
        ) as center,
    ):
        dialer = await run_campaign(env, center, campaign, 2)
        decided = of(center, AmdDecided)
        messages = of(center, MachineMessageEnded)
        answered = center.of("queue.answered")
    records = await phones_of(env, campaign.id)
    verdicts = {records[e.record_id][0]: e for e in decided}
    assert set(verdicts) == {person, machine}, (records, center.sink.types()[-40:])
    said_person, said_machine = verdicts[person], verdicts[machine]
    assert (said_person.verdict, said_person.action) == ("human", "connect")
    assert (said_machine.verdict, said_machine.action) == (
        "machine",
        "message",
    )
    for event in decided:  # the decision time is recorded, whatever it was
        assert event.decision_s > 0
        assert event.heard_s > 0
        assert event.interaction_id is not None
        assert event.leg_id is not None
    # the person talked to the agent; the machine's greeting ended, then the message played
    assert [getattr(e, "agent_id", None) for e in answered] == ["a1"]
    assert answered[0].interaction_id == said_person.interaction_id
    assert len(messages) == 1
    assert messages[0].left is True
    assert messages[0].interaction_id == said_machine.interaction_id
    outcome = {phone: (status, last) for phone, status, last in records.values()}
    assert outcome[person] == (RecordStatus.DONE, "connected")
    assert outcome[machine] == (RecordStatus.RETRY, "machine")
    figures = dialer.figures
    assert figures.amd_verdicts == {"human": 1, "machine": 1}
    assert figures.machine_messages == 1
    assert figures.amd_mean_decision_s is not None
    assert figures.person_answered == 1
    assert figures.abandoned == 0
    # The campaign's figures read the same verdicts back from the attempts log.
    async with env.services.uow(write=False) as uow:
        stored = await SqlDialerStore(uow.conn, env.tenant_id).figures(campaign, 1e12)
    assert stored.amd.verdicts == figures.amd_verdicts
    assert stored.amd.messages_left == 1
    assert stored.amd.decision_s == pytest.approx(figures.amd.decision_s)


@pytest.mark.db
async def test_a_machine_is_hung_up_on_when_the_campaign_says_so(
    env: Env, tmp_path: Path, tts_cache: Path
) -> None:
    machine = number(3, MACHINE)
    campaign = campaign_with(env, {"action": "hang_up"})
    await seed(env, campaign, [machine], [])
    async with (
        greeting_callees(tmp_path) as port,
        center_with_agents(tmp_path, tts_cache, port, ["a1"]) as center,
    ):
        dialer = await run_campaign(env, center, campaign, 1)
        decided = of(center, AmdDecided)
        ended = center.of("interaction.ended")
    assert [(e.verdict, e.action) for e in decided] == [("machine", "hang_up")]
    assert center.of("dialer.amd.message_ended") == []
    assert center.of("queue.answered") == []
    assert [e.interaction_id for e in ended] == [decided[0].interaction_id]
    (record,) = (await phones_of(env, campaign.id)).values()
    assert record[1:] == (RecordStatus.RETRY, "machine")
    assert dialer.figures.amd_verdicts == {"machine": 1}
    assert dialer.figures.machine_messages == 0
