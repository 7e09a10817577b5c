"""A whole tenant runtime on fakes: the real router and flow interpreter, the demo flow
(examples/flows/main.yaml), a fake SIP service and a fake media backend, and a FakeClock that is
a Wednesday 10:00 in Shanghai (business hours)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.calls import Call, Leg, LegRole
from hotline.clock import FakeClock
from hotline.events import DomainEvent, ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_flow_file
from hotline.ids import AgentId, CustomerId, QueueId, TenantId
from hotline.interactions import (
    Contact,
    ContactState,
    CustomerRecord,
    DidRoute,
    InMemoryCustomerDirectory,
    InMemoryDidDirectory,
    InMemoryRecordingCatalog,
    OutboxMailSender,
    QueueOptions,
    TelephonySettings,
)
from hotline.interactions.voice import SipPhone, Telephony, TenantRuntime
from hotline.interactions.voice.session import VoiceSession
from hotline.media import FileRecordingStorage, TtsText
from hotline.media.backend import EndpointId
from hotline.routing import AgentProfile, QueueConfig, Router, RouterSettings
from hotline.sip.policy import OutboundPolicy, OutboundRules
from tests.unit.calls.fakes import FakeInvite, FakeMedia, FakeOutgoing, FakeSession, FakeSip

DEMO_FLOW = Path(__file__).resolve().parents[3] / "examples" / "flows" / "main.yaml"
WEDNESDAY_10AM_SHANGHAI = 1795572000.0
TENANT = "t1"
VIP_NUMBER = "13900000001"


class CallHandle:
    """A test's view of one voice contact: the lifecycle's `Contact` and its `VoiceSession`."""

    def __init__(self, contact: Contact, session: VoiceSession) -> None:
        self.contact = contact
        self.session = session

    def __repr__(self) -> str:
        return f"<CallHandle {self.contact!r}>"

    @property
    def interaction_id(self) -> str:
        return self.contact.contact_id

    @property
    def state(self) -> ContactState:
        return self.contact.state

    @property
    def ended(self) -> asyncio.Event:
        return self.contact.ended

    @property
    def customer(self) -> Leg | None:
        return self.session.customer

    @property
    def call(self) -> Call:
        return self.session.call

    @property
    def agent_id(self) -> str | None:
        return self.contact.primary or self.contact.last_agent

    @property
    def agent_leg(self) -> Leg | None:
        primary = self.contact.primary
        return self.session.leg(primary) if primary else None

    @property
    def hold_s(self) -> float:
        return self.contact.hold_s


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

    def ringing_leg(self, agent: str) -> Leg | None:
        """The browser leg ringing `agent`, if any."""
        found = self.desk.voice.ringing_leg(AgentId(agent))
        return found[1] if found is not None else None

    def consulting(self, agent: str) -> bool:
        """The agent's consultation was answered and its party's leg is up."""
        work = self.desk.center.assignments.peek(AgentId(agent))
        consult = work.consult if work is not None else None
        if consult is None or consult.party is None or work is None or work.contact_id is None:
            return False
        return self.desk.voice.present(work.contact_id, consult.party)

    def leg_of(self, agent: str, interaction: CallHandle) -> Leg:
        leg = interaction.session.legs.get(agent)
        assert leg is not None
        return leg

    def phone(self, agent: str) -> object:
        return self.desk.voice.devices.phone_of(AgentId(agent))

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

    async def call(self, number: str = "13800138000", did: str = "4001") -> CallHandle:
        invite = FakeInvite(did=did, number=number, call_id=f"in-{number}-{len(self.sink.events)}")
        await self.telephony.on_incoming(invite)
        session = next(
            s
            for s in self.desk.voice.sessions.values()
            if s.customer is not None and s.customer.invite is invite
        )
        contact = self.desk.center.registry.get(session.contact_id)
        assert contact is not None
        return CallHandle(contact, session)

    async def answered(self, extension: str) -> tuple[CallHandle, FakeOutgoing]:
        """A caller through the demo menu (2: after-sales) to the agent at `extension`, who
        answers; returns the contact and the agent's ringing call."""
        interaction = await self.call()
        await self.heard(interaction, "售后服务请按2")
        await self.press(interaction, "2")
        ringing = await self.ring(extension)
        ringing.answer()
        await until(lambda: interaction.state is ContactState.CONNECTED)
        return interaction, ringing

    def handle(self, contact_id: str) -> CallHandle:
        """The handle of a contact the centre started itself (click to dial, a callback)."""
        contact = self.desk.center.registry.get(contact_id)
        assert contact is not None
        return CallHandle(contact, self.desk.voice.sessions[contact.contact_id])

    async def heard(self, interaction: CallHandle, fragment: str) -> None:
        customer = interaction.customer
        assert customer is not None
        await until(lambda: any(fragment in t for t in self.texts(customer.endpoint)))

    async def press(self, interaction: CallHandle, keys: str) -> None:
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


def hang_up(interaction: CallHandle) -> None:
    """The caller hangs up (BYE from its phone)."""
    customer = interaction.customer
    assert customer is not None
    session = customer.session
    assert isinstance(session, FakeSession)
    session.remote_hangup()


def agent_leg(interaction: CallHandle) -> Leg:
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
    media = FakeMedia(sink=sink)
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
        dids=InMemoryDidDirectory({"4001": DidRoute(TENANT, "main")}),
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
    desk.configure_queue(support or QueueConfig(QueueId("support")), QueueOptions())
    desk.configure_queue(sales or QueueConfig(QueueId("sales"), skills={"售前": 1}))
    for agent in ("a1", "a2", "a3"):
        desk.configure_agent(AgentProfile(AgentId(agent), {"售后": 5, "售前": 5}))
    return World(telephony, desk, router, sip, media, clock, sink, mail, catalog, storage)
