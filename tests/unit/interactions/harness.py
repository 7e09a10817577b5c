"""A whole tenant runtime on fakes: the real router and flow interpreter, the demo flow
(examples/flows/main.yaml), a fake SIP service and a fake media backend, and a FakeClock that is
a Wednesday 10:00 in Shanghai (business hours)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.calls import Leg, LegRole
from hotline.clock import FakeClock
from hotline.events import DomainEvent, ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId, CustomerId, QueueId, TenantId
from hotline.interactions import (
    CustomerRecord,
    DidRoute,
    InMemoryCustomerDirectory,
    InMemoryDidDirectory,
    InMemoryRecordingCatalog,
    OutboxMailSender,
    QueueOptions,
    SipPhone,
    Telephony,
    TelephonySettings,
    TenantRuntime,
    VoiceInteraction,
)
from hotline.media import FileRecordingStorage, TtsText
from hotline.media.backend import EndpointId
from hotline.routing import AgentProfile, QueueConfig, Router, RouterSettings
from hotline.sip.policy import OutboundPolicy, OutboundRules
from tests.unit.calls.fakes import FakeInvite, FakeMedia, FakeOutgoing, FakeSession, FakeSip

DEMO_FLOW = Path(__file__).resolve().parents[3] / "examples" / "flows" / "main.yaml"
WEDNESDAY_10AM_SHANGHAI = 1795572000.0
TENANT = "t1"
VIP_NUMBER = "13900000001"


@dataclass
class World:
    telephony: Telephony
    desk: TenantRuntime
    router: Router
    sip: FakeSip
    media: FakeMedia
    clock: FakeClock
    sink: ListSink
    mail: OutboxMailSender
    catalog: InMemoryRecordingCatalog
    storage: FileRecordingStorage

    def types(self) -> list[str]:
        return self.sink.types()

    def of(self, kind: str) -> list[DomainEvent]:
        return [e for e in self.sink.events if e.type == kind]

    def texts(self, endpoint: EndpointId) -> list[str]:
        """Every TTS text played on an endpoint, in order."""
        return [
            item.text
            for ep, items in self.media.played
            if ep == endpoint
            for item in items
            if isinstance(item, TtsText)
        ]

    async def call(self, number: str = "13800138000", did: str = "4001") -> VoiceInteraction:
        invite = FakeInvite(did=did, number=number, call_id=f"in-{number}-{len(self.sink.events)}")
        await self.telephony.on_incoming(invite)
        interaction = next(
            i for i in self.desk.interactions.values() if i.customer and i.customer.invite is invite
        )
        return interaction

    async def heard(self, interaction: VoiceInteraction, fragment: str) -> None:
        customer = interaction.customer
        assert customer is not None
        await until(lambda: any(fragment in t for t in self.texts(customer.endpoint)))

    async def press(self, interaction: VoiceInteraction, keys: str) -> None:
        customer = interaction.customer
        assert customer is not None
        self.media.press(customer.endpoint, keys)
        await settle()

    def login(self, agent: str, extension: str, *, ready: bool = True) -> None:
        self.sip.registered.add(extension)
        self.desk.login(AgentId(agent), SipPhone(extension), ready=ready)

    def state(self, agent: str) -> str:
        return self.router.agent_snapshot(AgentId(agent), now=self.clock.now()).state.value

    async def ring(self, extension: str) -> FakeOutgoing:
        async def find() -> FakeOutgoing:
            while True:
                call = await self.sip.sent.get()
                if call.target == extension:
                    return call

        return await asyncio.wait_for(find(), 2)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.desk.fire_due()


async def settle() -> None:
    for _ in range(30):
        await asyncio.sleep(0)


async def until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    for _ in range(int(timeout / 0.002)):
        if predicate():
            return
        await asyncio.sleep(0.002)
    raise AssertionError("condition not reached")


def hang_up(interaction: VoiceInteraction) -> None:
    """The caller hangs up (BYE from its phone)."""
    customer = interaction.customer
    assert customer is not None
    session = customer.session
    assert isinstance(session, FakeSession)
    session.remote_hangup()


def agent_leg(interaction: VoiceInteraction) -> Leg:
    leg = interaction.agent_leg
    assert leg is not None
    assert leg.role in (LegRole.AGENT, LegRole.CONSULT, LegRole.EXTERNAL)
    return leg


async def make_world(
    tmp: Path,
    *,
    settings: TelephonySettings | None = None,
    support: QueueConfig | None = None,
    sales: QueueConfig | None = None,
) -> World:
    clock = FakeClock(WEDNESDAY_10AM_SHANGHAI)
    sink = ListSink()
    sip = FakeSip()
    media = FakeMedia()
    router = Router(
        TenantId(TENANT),
        sink,
        settings=RouterSettings(ring_timeout_s=15, wrap_up_s=0, tz=ZoneInfo("Asia/Shanghai")),
    )
    flows = FlowService(InMemoryFlowRepository(), sink, clock)
    await flows.publish(TENANT, parse_flow(read_flow_file(DEMO_FLOW)))
    customers = InMemoryCustomerDirectory()
    customers.add(TENANT, [VIP_NUMBER], CustomerRecord(CustomerId("c-vip"), "王芳", vip_level=3))
    mail = OutboxMailSender()
    catalog = InMemoryRecordingCatalog()
    storage = FileRecordingStorage(tmp / "recordings")
    policy = OutboundPolicy({TENANT: OutboundRules(allow={"agent": ("0", "1")})})
    telephony = Telephony(
        sip,
        media,
        {TENANT: router},
        flows,
        dids=InMemoryDidDirectory({"4001": DidRoute(TENANT)}),
        customers=customers,
        storage=storage,
        clock=clock,
        sink=sink,
        mail=mail,
        catalog=catalog,
        policy=policy,
        settings=settings or TelephonySettings(trunk="pstn", transfer_timeout_s=2.0),
    )
    telephony.started = True  # no timer loops in unit tests: they call `fire_due` themselves
    desk = telephony.tenant(TENANT)
    desk.ensure_direct_queue()
    desk.configure_queue(support or QueueConfig(QueueId("support")), QueueOptions())
    desk.configure_queue(sales or QueueConfig(QueueId("sales"), skills={"售前": 1}))
    for agent in ("a1", "a2", "a3"):
        desk.configure_agent(AgentProfile(AgentId(agent), {"售后": 5, "售前": 5}))
    return World(telephony, desk, router, sip, media, clock, sink, mail, catalog, storage)
