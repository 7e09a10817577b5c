"""Load on the whole call-centre path, with sipp as the callers and the agents.

Each sipp caller dials DID 4001, hears the demo flow's greeting (examples/flows/main.yaml, TTS),
presses 2 with an RFC 2833 pcap one second in, waits in `support`, is bridged to an agent
and recorded (stereo WAV), sends 7 s of G.711 A-law speech from sipp's bundled pcap, and hangs
up after `--hold` seconds. The agents are a sipp UAS (built-in `uas` scenario with `-rtp_echo`)
bound to `--agents` extensions, all logged in and available; agent legs are offered PCMU, so
the bridges transcode. Everything of Hotline runs in this process on uvloop: SIP, the media
engine, the router, the flow interpreter, recording.

Baseline in the same run: the same sipp callers against a bare `SipService` that answers every
call with an SDP answer and nothing else. Reported: achieved calls/s, failed calls (sipp's),
interactions that did not reach an agent, and this process's CPU time per call (user + system,
children excluded) for both, with the ratio.

    .venv/bin/python bench/callcenter_load.py [--calls 200] [--rate 10] [--hold 8] [--agents 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.clock import SystemClock
from hotline.events import ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId, QueueId, TenantId
from hotline.interactions import (
    DidRoute,
    InMemoryCustomerDirectory,
    InMemoryDidDirectory,
    QueueOptions,
    TelephonySettings,
)
from hotline.interactions.voice import (
    SipPhone,
    Telephony,
)
from hotline.media import EspeakTts, FileRecordingStorage, MediaEngine, PromptLibrary, Tone
from hotline.media.tones import ToneSpec
from hotline.routing import AgentProfile, QueueConfig, Router, RouterSettings
from hotline.sip.address import Address
from hotline.sip.offeranswer import make_answer
from hotline.sip.protection import ProtectionSettings
from hotline.sip.registrar import Binding, InMemoryBindingStore
from hotline.sip.transport.calls import IncomingCall
from hotline.sip.transport.service import SipService, SipServiceConfig
from hotline.sip.trunk import Trunk

ROOT = Path(__file__).resolve().parents[1]
PCAPS = Path("/usr/share/sip-tester")
TENANT = "bench"
WEDNESDAY_10AM_SHANGHAI = 1795572000.0


class ShiftedClock:
    """Real time moved to a weekday morning in Shanghai, so the demo flow is open."""

    def __init__(self) -> None:
        self._offset = WEDNESDAY_10AM_SHANGHAI - time.time()

    def now(self) -> float:
        return time.time() + self._offset

    def monotonic(self) -> float:
        return time.monotonic()


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port != 5060 and port != 8080 and not 20000 <= port <= 29999:
            return port


def port_range(size: int) -> tuple[int, int]:
    for base in range(40_000, 60_000, 1000):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", base))
            except OSError:
                continue
        return base, base + size - 1
    raise SystemExit("no free RTP port range")


CALLER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench caller: DID 4001, key 2, talk, hang up">
  <send retrans="500"><![CDATA[

      INVITE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:138[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
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
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[

      ACK sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:138[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <pause milliseconds="1000"/>
  <nop><action><exec play_pcap_audio="PCAPS/dtmf_2833_2.pcap"/></action></nop>
  <pause milliseconds="1000"/>
  <nop><action><exec play_pcap_audio="PCAPS/g711a.pcap"/></action></nop>
  <pause milliseconds="HOLD_MS"/>
  <send retrans="500"><![CDATA[

      BYE sip:4001@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:138[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:4001@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""


@dataclass
class Run:
    name: str
    calls: int
    ok: int
    failed: int
    seconds: float
    cpu_s: float
    not_served: int = 0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_call(self) -> float:
        return 1000 * self.cpu_s / max(1, self.ok)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def callers(
    port: int, sip_port: int, calls: int, rate: float, hold_s: float, tmp: Path
) -> tuple[int, int, float]:
    scenario = tmp / "caller.xml"
    hold_ms = max(0, int((hold_s - 2.0) * 1000))
    scenario.write_text(CALLER.replace("PCAPS", str(PCAPS)).replace("HOLD_MS", str(hold_ms)))
    stat = tmp / "stat.csv"
    limit = int(rate * (hold_s + 5)) + 10
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        "sipp",
        "-sf",
        str(scenario),
        f"127.0.0.1:{port}",
        "-i",
        "127.0.0.1",
        "-p",
        str(sip_port),
        "-mp",
        str(free_port()),
        "-r",
        str(rate),
        "-m",
        str(calls),
        "-l",
        str(limit),
        "-nostdin",
        "-trace_stat",
        "-stf",
        str(stat),
        "-timeout",
        str(int(calls / rate + hold_s * 3 + 30)),
        "-timeout_error",
        cwd=tmp,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await proc.wait()
    elapsed = time.perf_counter() - started
    lines = [ln for ln in stat.read_text().splitlines() if ln.strip()] if stat.exists() else []
    values = dict(zip(lines[0].split(";"), lines[-1].split(";"), strict=False)) if lines else {}
    ok = int(values.get("SuccessfulCall(C)", 0) or 0)
    failed = int(values.get("FailedCall(C)", 0) or 0)
    failed += max(0, calls - ok - failed)
    return ok, failed, elapsed


@contextlib.asynccontextmanager
async def agents_uas(tmp: Path) -> AsyncIterator[int]:
    """One sipp UAS answering every agent leg and echoing its audio back."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        "sipp",
        "-sn",
        "uas",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-mp",
        str(free_port()),
        "-rtp_echo",
        "-nostdin",
        cwd=tmp,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(0.5)
    try:
        yield port
    finally:
        proc.terminate()
        await proc.wait()


async def baseline(args: argparse.Namespace, tmp: Path) -> Run:
    async def on_call(call: IncomingCall) -> None:
        assert call.offer is not None
        answer, _ = make_answer(call.offer, "127.0.0.1", 40000, session_id=1)
        await call.answer(answer)

    caller_port = free_port()
    config = SipServiceConfig(
        udp_port=0,
        tcp_port=None,
        authenticate_invites=False,
        qualify_interval_s=0,
        protection=ProtectionSettings(rate_per_s=1e9, burst=10**9),
    )
    service = SipService(config, clock=SystemClock(), events=ListSink(), on_call=on_call)
    await service.start()
    try:
        cpu = cpu_seconds()
        ok, failed, seconds = await callers(
            service.local["udp"].port, caller_port, args.calls, args.rate, args.hold, tmp
        )
        return Run("bare SipService answerer", args.calls, ok, failed, seconds, cpu_seconds() - cpu)
    finally:
        await service.stop()


async def full_path(args: argparse.Namespace, tmp: Path) -> tuple[Run, dict[str, object]]:
    clock = ShiftedClock()
    sink = ListSink()
    low, high = port_range(4 * args.agents + 8 * int(args.rate * (args.hold + 5)) + 100)
    storage = FileRecordingStorage(tmp / "recordings")
    engine = MediaEngine(
        port_min=low,
        port_max=high,
        sink=sink,
        clock=clock,
        storage=storage,
        prompts=PromptLibrary(prompts_dir=tmp, tts=EspeakTts(tmp / "tts")),
    )
    await engine.start()
    await engine.register_moh("default", [Tone(ToneSpec("moh", (350.0,)), 10)])
    caller_port = free_port()
    async with agents_uas(tmp) as uas_port:
        bindings = InMemoryBindingStore()
        source = Address("udp", "127.0.0.1", uas_port)
        extensions = [str(2000 + n) for n in range(args.agents)]
        for ext in extensions:
            await bindings.save(
                Binding(
                    ext,
                    f"sip:{ext}@127.0.0.1:{uas_port}",
                    time.monotonic() + 86_400,
                    source,
                    "bench",
                    1,
                )
            )
        sip = SipService(
            SipServiceConfig(
                udp_port=0,
                tcp_port=None,
                qualify_interval_s=0,
                tenant_id=TENANT,
                trunks=(Trunk("pstn", "127.0.0.1", inbound_sources=(f"127.0.0.1:{caller_port}",)),),
                protection=ProtectionSettings(rate_per_s=1e9, burst=10**9),
            ),
            clock=clock,
            events=sink,
            bindings=bindings,
        )
        await sip.start()
        router = Router(
            TenantId(TENANT),
            sink,
            settings=RouterSettings(wrap_up_s=0, tz=ZoneInfo("Asia/Shanghai")),
        )
        flows = FlowService(InMemoryFlowRepository(), sink, clock)
        await flows.publish(TENANT, parse_flow(read_flow_file(ROOT / "examples/flows/main.yaml")))
        telephony = Telephony(
            sip,
            engine,
            {TENANT: router},
            flows,
            dids=InMemoryDidDirectory({"4001": DidRoute(TENANT)}),
            customers=InMemoryCustomerDirectory(),
            storage=storage,
            clock=clock,
            sink=sink,
            settings=TelephonySettings(queue_options={"support": QueueOptions(record=True)}),
        )
        sip.on_call = telephony.on_incoming
        desk = telephony.tenant(TENANT)
        desk.configure_queue(QueueConfig(QueueId("support")))
        desk.configure_queue(QueueConfig(QueueId("sales")))
        for n in range(args.agents):
            desk.configure_agent(AgentProfile(AgentId(f"agent{n}"), {"售后": 5}))
        await telephony.start()  # reconciles with the (empty) log: log in afterwards
        for n, ext in enumerate(extensions):
            desk.login(AgentId(f"agent{n}"), SipPhone(ext), ready=True)
        port = sip.local["udp"].port
        try:
            # Warm-up: one call synthesises and caches the prompts (espeak-ng runs once).
            await callers(port, caller_port, 1, 1, 3.0, tmp)
            await asyncio.sleep(1.0)
            sink.events.clear()
            cpu = cpu_seconds()
            ok, failed, seconds = await callers(
                port, caller_port, args.calls, args.rate, args.hold, tmp
            )
            cpu_s = cpu_seconds() - cpu
            await asyncio.sleep(2.0)
            ended = [e for e in sink.events if e.type == "interaction.ended"]
            served = sum(1 for e in ended if getattr(e, "answered", False))
            recorded = sum(1 for e in sink.events if e.type == "recording.stopped")
            stats = dict(engine.stats())
            stats["interactions_ended"] = len(ended)
            stats["recordings"] = recorded
            run = Run("full path", args.calls, ok, failed, seconds, cpu_s, args.calls - served)
            return run, stats
        finally:
            await telephony.drain(0.0)
            await telephony.stop()
            await sip.stop()
            await engine.close()


def show(run: Run) -> None:
    print(
        f"  {run.name:<26} {run.ok:>5}/{run.calls} ok, {run.failed:>3} failed, "
        f"{run.rate:6.2f} calls/s over {run.seconds:5.1f} s, "
        f"CPU {run.cpu_s:6.2f} s = {run.cpu_ms_per_call:6.1f} ms/call"
        + (f", {run.not_served} not served by an agent" if run.name == "full path" else ""),
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--hold", type=float, default=8.0, help="seconds from answer to BYE")
    parser.add_argument("--agents", type=int, default=100)
    args = parser.parse_args()
    for tool in ("sipp", "espeak-ng"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (scripts/system-deps.sh all)")
    loop = type(asyncio.get_running_loop()).__module__
    print(
        f"{args.calls} calls at {args.rate}/s, {args.hold:.0f} s each, {args.agents} agents, "
        f"loop {loop}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = await baseline(args, Path(tmp))
        show(base)
        run, stats = await full_path(args, Path(tmp))
        show(run)
    ratio = run.cpu_ms_per_call / base.cpu_ms_per_call if base.cpu_ms_per_call else 0.0
    print(
        f"  CPU per call: full path {ratio:.1f}x the bare answerer; engine: "
        f"{stats['late_ticks']} late ticks, max tick lateness "
        f"{float(str(stats['max_tick_lateness_ms'])):.1f} ms, "
        f"{stats['recordings']} recordings, {stats['interactions_ended']} interactions"
    )


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
