"""The whole call centre in this process, on loopback, for the acceptance tests (issue 6).

`call_center()` builds what `hotline serve` will: a `SipService` on ephemeral UDP/TCP ports
with digest auth for the agents' phones, a `MediaEngine` with its own port range and real
espeak-ng prompts, one `Router`, a `FlowService` holding examples/flows/main.yaml (DID 4001),
in-memory directories and catalog, recordings on disk, and the SMTP notices going to an
aiosmtpd sink. Its clock is the real one shifted to a Wednesday 10:00 in Shanghai, so the demo
flow's business-hours node is open whenever the suite runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller

from hotline.config import MediaSettings, RecordingSettings
from hotline.events import DomainEvent, ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId, CustomerId, QueueId, TenantId
from hotline.interactions import (
    CustomerRecord,
    DidRoute,
    InMemoryCustomerDirectory,
    InMemoryDidDirectory,
    InMemoryRecordingCatalog,
    MailSettings,
    QueueOptions,
    TelephonySettings,
)
from hotline.interactions.voice import (
    SipPhone,
    SmtpMailSender,
    Telephony,
    TenantRuntime,
)
from hotline.media import EspeakTts, FileRecordingStorage, MediaEngine, PromptLibrary, Tone
from hotline.media.tones import ToneSpec
from hotline.routing import AgentProfile, QueueConfig, Router, RouterSettings
from hotline.server.media_process import MediaProcess
from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.policy import OutboundPolicy, OutboundRules
from hotline.sip.transport.service import SipService, SipServiceConfig
from hotline.sip.transport.trace_file import JsonLinesTrace
from hotline.sip.trunk import Trunk
from tests.integration.media.peers import free_port_range
from tests.integration.sip.peers import free_port

ROOT = Path(__file__).resolve().parents[3]
DEMO_FLOW = ROOT / "examples" / "flows" / "main.yaml"
TENANT = "t1"
WEDNESDAY_10AM_SHANGHAI = 1795572000.0
MOH_HZ = 350.0
AGENTS = {"a1": ("1001", "pw-1001"), "a2": ("1002", "pw-1002"), "a3": ("1003", "pw-1003")}


class ShiftedClock:
    """Real time, moved so that it starts on a weekday morning in Shanghai (business hours);
    monotonic time is the real one."""

    def __init__(self, start: float = WEDNESDAY_10AM_SHANGHAI) -> None:
        self._offset = start - time.time()

    def now(self) -> float:
        return time.time() + self._offset

    def monotonic(self) -> float:
        return time.monotonic()


class MailSink:
    """An aiosmtpd server on loopback that keeps every message it is handed."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Message] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class CallCenter:
    telephony: Telephony
    sip: SipService
    engine: MediaEngine
    router: Router
    sink: ListSink
    storage: FileRecordingStorage
    catalog: InMemoryRecordingCatalog
    clock: ShiftedClock
    mail: MailSink
    customers: InMemoryCustomerDirectory
    trunk_sources: list[str] = field(default_factory=list)

    @property
    def desk(self) -> TenantRuntime:
        return self.telephony.tenant(TENANT)

    @property
    def port(self) -> int:
        return self.sip.local["udp"].port

    def of(self, kind: str) -> list[DomainEvent]:
        return [e for e in self.sink.events if e.type == kind]

    async def event(
        self,
        kind: str,
        where: Callable[[DomainEvent], bool] = lambda e: True,
        timeout: float = 20.0,
    ) -> DomainEvent:
        """The first event of `kind` matching `where`, waiting up to `timeout` seconds."""
        for _ in range(int(timeout / 0.05)):
            found = next((e for e in self.of(kind) if where(e)), None)
            if found is not None:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind} event in {timeout} s; saw {self.sink.types()[-30:]}")

    async def registered(self, extension: str, timeout: float = 15.0) -> None:
        for _ in range(int(timeout / 0.1)):
            if self.sip.contacts(extension):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{extension} did not register")

    async def login(self, agent: str, *, ready: bool = True, phone_up: bool = True) -> None:
        extension = AGENTS[agent][0]
        if phone_up:
            await self.registered(extension)
        self.desk.login(AgentId(agent), SipPhone(extension), ready=ready)

    def state(self, agent: str) -> tuple[str, str | None]:
        snapshot = self.router.agent_snapshot(AgentId(agent), now=self.clock.now())
        return snapshot.state.value, snapshot.reason


@contextlib.asynccontextmanager
async def call_center(
    tmp: Path,
    tts_cache: Path,
    *,
    trunk_ports: Sequence[int] = (),
    ring_timeout_s: float = 15.0,
    support: QueueConfig | None = None,
    record: bool = True,
    hold_reinvite: bool = True,
    trunk_port: int = 5999,
    allow_out: tuple[str, ...] = ("0", "1"),
    media_process: bool = False,
) -> AsyncIterator[CallCenter]:
    """With `media_process`, the media engine runs in its own process behind the control
    channel (`media.engine = "process"`, ADR 0186), as `hotline serve` can run it."""
    clock = ShiftedClock()
    sink = ListSink()
    low, high = free_port_range(200)
    storage = FileRecordingStorage(tmp / "recordings")
    process: MediaProcess | None = None
    engine: Any
    if media_process:
        process = MediaProcess(
            MediaSettings(rtp_port_min=low, rtp_port_max=high, prompts_dir=tmp,
                          tts_cache_dir=tts_cache),
            RecordingSettings(directory=tmp / "recordings"),
            sink=sink,
        )  # fmt: skip
        engine = await process.start()
    else:
        engine = MediaEngine(
            port_min=low,
            port_max=high,
            sink=sink,
            clock=clock,
            storage=storage,
            prompts=PromptLibrary(prompts_dir=tmp, tts=EspeakTts(tts_cache)),
        )
        await engine.start()
    # Hold music: a steady low tone (real music would do; a tone can be found in a recording).
    await engine.register_moh("default", [Tone(ToneSpec("moh", (MOH_HZ,), level_dbm0=-16), 10)])
    credentials = InMemoryCredentialStore()
    for extension, password in AGENTS.values():
        credentials.set_password("hotline", extension, password)
    sources = tuple(f"127.0.0.1:{port}" for port in trunk_ports)
    trunk = Trunk("pstn", "127.0.0.1", port=trunk_port, inbound_sources=sources or ("127.0.0.1:1",))
    trace = JsonLinesTrace(tmp / "sip-trace.jsonl")  # `hotline sip trace` it after a failure
    sip = SipService(
        SipServiceConfig(
            udp_port=0, tcp_port=0, trunks=(trunk,), qualify_interval_s=0, tenant_id=TENANT
        ),
        clock=clock,
        events=sink,
        credentials=credentials,
        observer=trace,
    )
    await sip.start()
    router = Router(
        TenantId(TENANT),
        sink,
        settings=RouterSettings(
            ring_timeout_s=ring_timeout_s, wrap_up_s=0, tz=ZoneInfo("Asia/Shanghai")
        ),
    )
    flows = FlowService(InMemoryFlowRepository(), sink, clock)
    await flows.publish(TENANT, parse_flow(read_flow_file(DEMO_FLOW)))
    customers = InMemoryCustomerDirectory()
    mail = MailSink()
    await asyncio.get_running_loop().run_in_executor(None, mail.controller.start)
    catalog = InMemoryRecordingCatalog()
    telephony = Telephony(
        sip,
        engine,
        {TENANT: router},
        flows,
        dids=InMemoryDidDirectory({"4001": DidRoute(TENANT, "main")}),
        customers=customers,
        storage=storage,
        clock=clock,
        sink=sink,
        catalog=catalog,
        mail=SmtpMailSender(MailSettings(port=mail.port, sender="hotline@example.com")),
        policy=OutboundPolicy({TENANT: OutboundRules(allow={"agent": allow_out})}),
        settings=TelephonySettings(
            trunk="pstn",
            transfer_timeout_s=15.0,
            hold_reinvite=hold_reinvite,
            queue_options={"support": QueueOptions(record=record)},
        ),
    )
    sip.on_call = telephony.on_incoming
    desk = telephony.tenant(TENANT)
    desk.configure_queue(support or QueueConfig(QueueId("support")))
    desk.configure_queue(QueueConfig(QueueId("sales"), skills={"售前": 1}))
    for agent in AGENTS:
        desk.configure_agent(AgentProfile(AgentId(agent), {"售后": 5, "售前": 5}))
    await telephony.start()
    center = CallCenter(
        telephony,
        sip,
        engine,
        router,
        sink,
        storage,
        catalog,
        clock,
        mail,
        customers,
        list(sources),
    )
    try:
        yield center
    finally:
        await telephony.drain(0.0)
        await telephony.stop()
        await sip.stop()
        trace.close()
        if process is not None:
            await process.stop()
        else:
            await engine.close()
        await asyncio.get_running_loop().run_in_executor(None, mail.controller.stop)


def seed_vip(center: CallCenter, number: str, level: int = 3) -> None:
    center.customers.add(
        TENANT, [number], CustomerRecord(CustomerId(f"c-{number}"), "VIP", vip_level=level)
    )
