"""The live dialer's peers (issue 24): a sipp callee population behind a trunk, timed from the
callee's side, and sipp user agents registered as the campaign's agents.

The callee population is one sipp scenario (tests/data/dialer/callees.xml) that answers by the
dialled number's last digit; a person's media goes to an RTP sink here, which notes when each
call first carried audible sound. sipp's `-trace_msg` log gives, per call, the number dialled
and when the callee sent its 200 OK. The agents are sipp UAS processes, one per extension,
each registered with digest auth from the UDP port its sipp then listens on.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import random
import re
import secrets
import socket
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from hotline.dialer.live import CampaignDialer
from hotline.dialer.model import Campaign, CampaignStatus, RecordStatus
from hotline.ids import AgentId
from hotline.interactions.voice import SipPhone, TenantRuntime
from hotline.media.codecs.g711 import ulaw_decode
from hotline.routing import AgentProfile
from hotline.sip.auth import authorization_header
from hotline.sip.transport.service import SipService
from hotline.store.dialer_repo import SqlCallListRecords, SqlDialerStore
from tests.conftest import require_tool
from tests.integration.callcenter.stack import MOH_HZ
from tests.integration.imports.conftest import Env
from tests.integration.media.peers import free_port_range
from tests.ports import free_port

CALLEES = Path(__file__).resolve().parents[2] / "data" / "dialer" / "callees.xml"
AGENT_PASSWORD = "pw-sipp-agent"
LIST_NAME = "外呼"


class JumpClock:
    """Real time that a test can move forward (the dialer's retry intervals are minutes)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += seconds


class RtpSink(asyncio.DatagramProtocol):
    """The callees' media address: when each source first sent audible sound other than hold
    music, and each onset of it after a pause (the centre's media ports are reused from call
    to call)."""

    PAUSE_S = 0.2

    def __init__(self) -> None:
        self.first_voice: dict[int, float] = {}
        self.onsets: dict[int, list[float]] = defaultdict(list)
        self._last_voice: dict[int, float] = {}

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) <= 12:
            return
        now, port = time.time(), addr[1]
        samples = ulaw_decode(data[12:]).astype(np.float64)
        if np.sqrt(np.mean(samples**2)) <= 300 or self._hold_tone(samples):
            return
        self.first_voice.setdefault(port, now)
        last = self._last_voice.get(port)
        if last is None or now - last >= self.PAUSE_S:
            self.onsets[port].append(now)
        self._last_voice[port] = now

    @staticmethod
    def _hold_tone(samples: np.ndarray) -> bool:
        """The stack's hold music is a steady tone (`MOH_HZ`): a packet whose energy sits
        mostly in that frequency's bin is hold music, not a message."""
        power = np.abs(np.fft.rfft(samples)) ** 2
        tone = round(MOH_HZ * len(samples) / 8000)
        total = float(power[1:].sum())
        return total > 0 and float(power[tone - 1 : tone + 2].sum()) / total > 0.6

    def heard_after(self, port: int, at: float) -> float | None:
        """When sound from `port` first began at or after `at` (None: it never did)."""
        onsets = self.onsets.get(port, [])
        index = bisect.bisect_left(onsets, at)
        return onsets[index] if index < len(onsets) else None


@dataclass
class SippCall:
    number: str = ""
    our_rtp_port: int = 0
    invited_at: float | None = None
    ok_sent: float | None = None


def read_message_log(folder: Path) -> dict[str, SippCall]:
    """sipp's `-trace_msg` log, by Call-ID: the number dialled, our RTP port, when the INVITE
    reached the callee and when the callee sent its 200 OK to it."""
    calls: dict[str, SippCall] = defaultdict(SippCall)
    (log,) = folder.glob("callees_*_messages.log")
    blocks = re.split(r"^-{10,} (\S+ \S+)\n", log.read_text(), flags=re.M)
    for stamp, body in zip(blocks[1::2], blocks[2::2], strict=True):
        at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        call_id = re.search(r"^Call-ID: *(\S+)", body, re.M | re.I)
        if call_id is None:
            continue
        call = calls[call_id.group(1)]
        if " received " in body.split("\n", 1)[0] and (
            m := re.search(r"^INVITE sip:([+0-9]+)@", body, re.M)
        ):
            call.number = m.group(1)
            call.invited_at = call.invited_at or at
            port = re.search(r"^m=audio (\d+)", body, re.M)
            call.our_rtp_port = int(port.group(1)) if port else 0
        elif " sent " in body.split("\n", 1)[0] and re.search(
            r"^SIP/2.0 200 .*\n(?:.*\n)*?CSeq: *\d+ INVITE", body, re.M
        ):
            call.ok_sent = call.ok_sent or at
    return dict(calls)


def dialled(folder: Path) -> list[str]:
    """Every number the callees were called at, once per INVITE that reached them."""
    return [c.number for c in read_message_log(folder).values() if c.number]


def safe_harbor_delays(folder: Path, sink: RtpSink, phones: Sequence[str]) -> dict[str, float]:
    """For each of `phones` (abandoned persons): seconds from the callee's 200 OK to the first
    audible packet it received; a phone that heard nothing is left out."""
    by_number = {c.number: c for c in read_message_log(folder).values() if c.number}
    delays: dict[str, float] = {}
    for phone in phones:
        call = by_number.get(phone)
        if call is None or call.ok_sent is None:
            continue
        heard = sink.heard_after(call.our_rtp_port, call.ok_sent)
        if heard is not None:
            delays[phone] = heard - call.ok_sent
    return delays


@contextlib.asynccontextmanager
async def callees(tmp: Path) -> AsyncIterator[tuple[int, RtpSink, Path]]:
    """The sipp callee population on a port of its own, its media going to an RTP sink."""
    sipp = require_tool("sipp")
    port, sink_port = free_port(), free_port()
    sink = RtpSink()
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: sink, local_addr=("127.0.0.1", sink_port)
    )
    folder = tmp / "callees"
    folder.mkdir()
    scenario = folder / "callees.xml"
    scenario.write_text(CALLEES.read_text())
    proc = await asyncio.create_subprocess_exec(
        sipp, "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1",
        "-mp", str(free_port_range(8)[0]), "-set", "sink", str(sink_port), "-trace_msg",
        "-nostdin", stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL, cwd=folder,
    )  # fmt: skip
    try:
        yield port, sink, folder
    finally:
        transport.close()
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        await proc.wait()


# --- the agents -----------------------------------------------------------------------------

AGENT_SCENARIO = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- An agent's phone: answers each offered call at once (PCMU), echoes what it hears, and
     stays on until the centre hangs up. -->
<scenario name="dialer agent">
  <recv request="INVITE" crlf="true"/>
  <send retrans="500"><![CDATA[
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
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
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


def register(server_port: int, local_port: int, extension: str, password: str) -> None:
    """REGISTER `extension` (digest auth) from `local_port`, where its sipp will listen."""
    uri = f"sip:127.0.0.1:{server_port}"
    call_id, tag = secrets.token_hex(8), secrets.token_hex(4)
    authorization: str | None = None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", local_port))
        sock.settimeout(10)
        for cseq in (1, 2):
            lines = [
                f"REGISTER {uri} SIP/2.0",
                f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{secrets.token_hex(6)}",
                "Max-Forwards: 70",
                f"From: <sip:{extension}@127.0.0.1>;tag={tag}",
                f"To: <sip:{extension}@127.0.0.1>",
                f"Call-ID: {call_id}",
                f"CSeq: {cseq} REGISTER",
                f"Contact: <sip:{extension}@127.0.0.1:{local_port}>",
                "Expires: 3600",
                *([f"Authorization: {authorization}"] if authorization else []),
                "Content-Length: 0",
            ]
            sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), ("127.0.0.1", server_port))
            while True:
                reply = sock.recv(65535).decode(errors="replace")
                if f"call-id: {call_id}" in reply.lower() and " 100 " not in reply[:13]:
                    break
            status = int(reply.split(" ", 2)[1])
            if status == 200:
                return
            challenges = re.findall(r"(?im)^WWW-Authenticate:\s*(.+?)\r?$", reply)
            answers = [
                authorization_header(
                    c, method="REGISTER", uri=uri, username=extension, password=password
                )
                for c in challenges
            ]
            authorization = next((a for a in answers if a), None)
            if status != 401 or authorization is None:
                raise AssertionError(f"REGISTER {extension}: {reply.splitlines()[0]}")
    raise AssertionError(f"REGISTER {extension} refused after the challenge")


def _bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@contextlib.asynccontextmanager
async def sipp_agents(
    tmp: Path, sip: SipService, desk: TenantRuntime, count: int, *, skills: dict[str, int]
) -> AsyncIterator[list[str]]:
    """`count` agents (`s1`…), each a sipp UAS registered as extension 20NN and logged in
    ready; yields their ids."""
    sipp = require_tool("sipp")
    folder = tmp / "agents"
    folder.mkdir()
    scenario = folder / "agent.xml"
    scenario.write_text(AGENT_SCENARIO)
    server_port = sip.local["udp"].port
    procs: list[asyncio.subprocess.Process] = []
    agents: list[str] = []
    try:
        for n in range(1, count + 1):
            agent, extension, port = f"s{n}", f"20{n:02d}", free_port()
            sip.credentials.set_password("hotline", extension, AGENT_PASSWORD)
            desk.configure_agent(AgentProfile(AgentId(agent), skills))
            await asyncio.to_thread(register, server_port, port, extension, AGENT_PASSWORD)
            proc = await asyncio.create_subprocess_exec(
                sipp, "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port),
                "-mp", str(free_port_range(8)[0]), "-rtp_echo", "-aa", "-nostdin",
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL, cwd=folder,
            )  # fmt: skip
            procs.append(proc)
            await until(lambda port=port: _bound(port), 10, f"sipp agent {agent} to listen")
            desk.login(AgentId(agent), SipPhone(extension), ready=True)
            agents.append(agent)
        yield agents
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            await proc.wait()


# --- the campaign on the database ----------------------------------------------------------


async def seed(env: Env, campaign: Campaign, phones: Sequence[str], dnc: Sequence[str]) -> None:
    now = time.time()
    async with env.services.uow() as uow:
        lists = SqlCallListRecords(uow.conn, tenant_id=env.tenant_id, now=now)
        await lists.add([{"list": LIST_NAME, "phone": p} for p in phones])
        store = SqlDialerStore(uow.conn, env.tenant_id)
        await store.add_campaign(campaign, now)
        for phone in dnc:
            await store.add_dnc(phone, now)
        list_id = await store.list_id(LIST_NAME, now)
        assert list_id is not None
        await store.attach_list(campaign.id, list_id, now)
        await store.set_status(campaign.id, CampaignStatus.RUNNING, now)
        await uow.commit()


async def records(env: Env, campaign_id: str) -> dict[str, tuple[RecordStatus, str | None, int]]:
    async with env.services.uow(write=False) as uow:
        rows = await SqlDialerStore(uow.conn, env.tenant_id).records(campaign_id)
    return {r.phone: (r.status, r.last_outcome, r.attempts) for r in rows}


async def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        await asyncio.sleep(0.1)


def settled(dialer: CampaignDialer, dials: int) -> bool:
    return dialer.figures.dials >= dials and not dialer.in_flight


# --- the population -------------------------------------------------------------------------

# Per 20 numbers: (class, the last digit that makes the callee scenario act it, how many).
MIX: tuple[tuple[str, str, int], ...] = (
    ("person", "0", 9),
    ("machine", "9", 2),
    ("busy", "6", 3),
    ("no_answer", "8", 2),
    ("invalid", "4", 2),
    ("dnc", "1", 2),  # a person, but on the do-not-call list
)


def number(n: int, last: str) -> str:
    """A valid Chinese mobile number whose last digit tells the callee how to answer."""
    return f"+861380013{n:03d}{last}"


@dataclass(frozen=True)
class Population:
    phones: tuple[str, ...]  # in list order
    classes: dict[str, tuple[str, ...]]

    def of(self, *kinds: str) -> list[str]:
        return [p for kind in kinds for p in self.classes.get(kind, ())]


def population(size: int, seed: int = 24) -> Population:
    """`size` numbers (a multiple of 20) in the `MIX` proportions, shuffled by `seed`."""
    if size % 20 or not 0 < size <= 1000:
        raise ValueError("a population is 20 to 1000 numbers, a multiple of 20")
    kinds = [kind for kind, _, share in MIX for _ in range(share * size // 20)]
    random.Random(seed).shuffle(kinds)
    digits = {kind: digit for kind, digit, _ in MIX}
    phones = tuple(number(n, digits[kind]) for n, kind in enumerate(kinds))
    classes: dict[str, tuple[str, ...]] = {}
    for phone, kind in zip(phones, kinds, strict=True):
        classes[kind] = (*classes.get(kind, ()), phone)
    return Population(phones, classes)
