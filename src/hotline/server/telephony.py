"""Telephony in the server process: the SIP service, the media engine and (as call control
lands) the runtime that joins them — built from `Settings`, started only by `hotline serve`.

Kept apart from `app.py` so API-only processes and tests never bind SIP or RTP ports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.realtime import replay_start
from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.config import DatabaseSettings, Settings, TrunkSettings
from hotline.egress import policy_of
from hotline.events import DomainEvent, EventSink
from hotline.flows import ProgramCache
from hotline.flows.emergency import EmergencyService
from hotline.interactions import MailSender, MailSettings, TelephonySettings
from hotline.interactions.ports import BotAdvisor
from hotline.interactions.voice import SmtpMailSender, Telephony
from hotline.media import MediaEngine, WavFile
from hotline.media.remote import RemoteMediaBackend
from hotline.media.webrtc import WebRtcGateway
from hotline.server.config_follower import (
    ConfigFollower,
    build_router,
    build_routers,
)
from hotline.server.hot_path import HotPath
from hotline.server.media_process import MediaProcess, build_media_engine, storage_of
from hotline.server.moh import write_default_moh
from hotline.server.ticket_desk import SqlTicketDesk
from hotline.server.trunk_follower import TrunkFollower
from hotline.sip.connections import ConnectionLimits
from hotline.sip.protection import ProtectionSettings
from hotline.sip.registrar import RegistrarSettings
from hotline.sip.timers import TimerSettings
from hotline.sip.transport.calls import IncomingCall
from hotline.sip.transport.service import SipService, SipServiceConfig
from hotline.sip.transport.trace_file import JsonLinesTrace
from hotline.sip.trunk import Trunk
from hotline.speech import SpeechRecognizer
from hotline.store.auth_repo import SqlTenants
from hotline.store.eventlog import SqlEventReader
from hotline.store.interactions_repo import SqlRecordingCatalog, SqlStartupFacts
from hotline.store.pool_watch import free_connections
from hotline.store.sip_repo import SqlBindingStore, SqlCredentialStore, realm_tenants
from hotline.store.tenant_repo import recording_usage
from hotline.store.uow import UnitOfWorkFactory
from hotline.tasks import TaskSet
from hotline.tenants.admission import CallGate
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox

__all__ = ["TelephonyServer", "sip_config"]

log = logging.getLogger(__name__)


def _trunk(trunk: TrunkSettings, tenant_id: str) -> Trunk:
    return Trunk(
        name=trunk.name,
        host=trunk.host,
        port=trunk.port,
        transport=trunk.transport,
        username=trunk.username,
        password=trunk.password,
        realm=trunk.realm,
        from_domain=trunk.from_domain,
        register=trunk.registration,
        register_expires=trunk.register_expires,
        inbound_sources=tuple(trunk.inbound_sources),
        inbound_username=trunk.inbound_username,
        did_from=trunk.did_from,
        tenant_id=tenant_id,
    )


def sip_config(
    settings: Settings, tenant_id: str, tenants_by_slug: dict[str, str]
) -> SipServiceConfig:
    sip = settings.sip
    return SipServiceConfig(
        host=sip.host,
        udp_port=sip.udp_port,
        tcp_port=sip.tcp_port,
        public_host=sip.public_host,
        realm=sip.realm,
        tenant_id=tenant_id,
        timers=TimerSettings(t1=sip.t1, t2=sip.t2, t4=sip.t4),
        protection=ProtectionSettings(
            max_message_bytes=sip.max_message_bytes,
            rate_per_s=sip.rate_limit_per_s,
            burst=sip.rate_limit_burst,
            trusted_rate_per_s=sip.trusted_rate_limit_per_s,
            trusted_burst=sip.trusted_rate_limit_burst,
            network_rate_per_s=sip.network_rate_limit_per_s,
            network_burst=sip.network_rate_limit_burst,
            global_rate_per_s=sip.global_rate_limit_per_s,
            global_burst=sip.global_rate_limit_burst,
            max_server_transactions=sip.max_transactions,
            max_dialogs=sip.max_dialogs,
            max_setups=sip.max_call_setups,
            max_loop_lag_s=sip.max_loop_lag_ms / 1000,
            min_pool_free=sip.min_pool_free,
            busy_setups=sip.busy_call_setups,
            user_agent_blocklist=tuple(sip.user_agent_blocklist),
            auth_failures_before_ban=sip.auth_failures_before_ban,
            ban_seconds=float(sip.ban_seconds),
        ),
        registrar=RegistrarSettings(
            min_expires=sip.registration_min_expires,
            max_expires=sip.registration_max_expires,
            max_contacts_per_aor=sip.max_contacts_per_aor,
        ),
        qualify_interval_s=float(sip.qualify_interval_s),
        nonce_lifetime_s=sip.nonce_lifetime_s,
        digest_algorithms=tuple(sip.digest_algorithms),
        md5_only_user_agents=tuple(sip.md5_only_user_agents),
        authenticate_invites=sip.authenticate_invites,
        trunks=tuple(_trunk(t, tenants_by_slug.get(t.tenant or "", tenant_id)) for t in sip.trunks),
        in_dialog_timeout_s=sip.in_dialog_timeout_s,
        stream_limits=ConnectionLimits(
            max_per_source=sip.tcp_max_connections_per_source,
            max_total=sip.tcp_max_connections,
            idle_timeout_s=sip.tcp_idle_timeout_s,
            message_timeout_s=sip.tcp_message_timeout_s,
        ),
        tls_port=sip.tls_port,
        tls_cert=str(sip.tls_cert) if sip.tls_cert else None,
        tls_key=str(sip.tls_key) if sip.tls_key else None,
        tls_ca_file=str(sip.tls_ca_file) if sip.tls_ca_file else None,
        tls_verify_peer=sip.tls_verify_peer,
        srtp=sip.srtp,
    )


def pool_free(db: AsyncEngine, database: DatabaseSettings) -> int | None:
    """Connections the database pool can still hand out (None: a pool without a bound)."""
    return free_connections(db, database.capacity)


def _mail(settings: Settings) -> MailSender:
    smtp = settings.smtp
    if smtp.host is None:
        return _LoggedMail()
    return SmtpMailSender(
        MailSettings(
            host=smtp.host,
            port=smtp.port,
            sender=smtp.sender,
            starttls=smtp.starttls,
            username=smtp.username,
            password=smtp.password,
        )
    )


class _LoggedMail:
    """No SMTP host configured: voicemail notices are logged, not sent."""

    async def send(self, message: EmailMessage) -> None:
        log.info(
            "voicemail notice (no SMTP configured) to %s: %s", message["To"], message["Subject"]
        )


class _PhoneEvents:
    """The gateway's events go to the log and, at once, to call control: an agent whose
    browser went away is unreachable now, not after the log's next commit."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.listener: Callable[[DomainEvent], None] | None = None

    def emit(self, event: DomainEvent) -> None:
        self.sink.emit(event)
        if self.listener is not None:
            self.listener(event)


async def _unavailable(call: IncomingCall) -> None:
    # Without call control a call cannot be served: say so in the way phones understand.
    await call.reject(480, "Temporarily Unavailable", q850_cause=41)


class TelephonyServer:
    """What `hotline serve` runs besides HTTP. `start()` binds the SIP and RTP ports."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        db: AsyncEngine,
        sink: EventSink,
        bus: EventBus,
        programs: ProgramCache,
        wake_jobs: Callable[[], None] | None = None,
        bot: BotAdvisor | None = None,
        recognizer: SpeechRecognizer | None = None,
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        self.settings = settings
        self.recognizer = recognizer  # the voice bot's speech recognizer (ADR 0258)
        self.owns = owns  # across nodes: the centers this node serves (ADR 0209)
        self.bot = bot  # the knowledge base's bot for the flows' bot nodes (ADR 0256)
        self.wake_jobs = wake_jobs
        self.clock = clock
        self.db = db
        self.sink = sink
        self.bus = bus
        self.programs = programs
        self.sip: SipService | None = None
        self.media: MediaEngine | RemoteMediaBackend | None = None
        self._media_process: MediaProcess | None = None
        # Resolves with a message when the server cannot go on (its media process died).
        self.failure: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.runtime: Telephony | None = None
        self.webrtc: WebRtcGateway | None = None
        self.config: ConfigFollower | None = None
        self.hot_path: HotPath | None = None
        self.trunks: TrunkFollower | None = None
        self._loops = TaskSet("telephony server")  # the config follower, recordings' usage

    async def start(self) -> None:
        settings = self.settings
        realms = await realm_tenants(self.db)
        tenant_id = realms.get(settings.sip.realm, "system")
        if tenant_id == "system":
            log.warning("no tenant has SIP domain %r; calls cannot be routed", settings.sip.realm)
        async with self.db.connect() as conn:
            centers = await SqlTenants(conn).all()
        tenants = {str(t["slug"]): str(t["id"]) for t in centers}
        media = settings.media
        # One storage for what the media engine writes and what the runtime reads back.
        storage = storage_of(settings.recording)
        if media.engine == "process":
            self._media_process = MediaProcess(media, settings.recording, sink=self.sink)
            self.media = await self._media_process.start()
            self.failure = self._media_process.failed
        else:
            self.media = build_media_engine(
                media, sink=self.sink, clock=self.clock, storage=storage
            )
            await self.media.start()
        # Browser phones: one persistent WebRTC session per agent, bridged like any leg.
        phone_events = _PhoneEvents(self.sink)
        self.webrtc = WebRtcGateway(
            self.media,
            host=media.webrtc_host,
            clock=self.clock,
            sink=phone_events,
            reattach_s=media.webrtc_reattach_s,
        )
        sources = dict(media.moh_sources)
        sources.setdefault("default", write_default_moh(settings.var_dir / "moh" / "default.wav"))
        for name, path in sources.items():
            # Absolute: a relative playlist file is looked up under the prompts directory.
            await self.media.register_moh(name, [WavFile(path.resolve())])
        observer = JsonLinesTrace(settings.sip.trace_path) if settings.sip.trace_path else None
        self.sip = SipService(
            sip_config(settings, tenant_id, tenants),
            clock=self.clock,
            events=self.sink,
            credentials=SqlCredentialStore(self.db),
            bindings=SqlBindingStore(self.db, default_tenant=tenant_id),
            observer=observer,
            on_call=_unavailable,
        )
        # Numbers, active flows, the emergency switch and callers' numbers from memory.
        self.hot_path = hot_path = HotPath(
            self.db,
            self.programs,
            poll_s=settings.call_path.reload_s,
            details_wait_s=settings.call_path.customer_details_wait_ms / 1000,
            clock=self.clock,
        )
        await hot_path.load_all()
        self.runtime = Telephony(
            self.sip,
            self.media,
            await build_routers(self.db, settings, self.sink),
            hot_path,
            dids=hot_path,
            customers=hot_path.customers,
            storage=storage,
            clock=self.clock,
            sink=self.sink,
            settings=TelephonySettings(
                prompts_dir=media.prompts_dir,
                default_language=settings.default_language,
                trunk=settings.sip.trunks[0].name if settings.sip.trunks else None,
                webhook_egress=policy_of(
                    settings.egress.allow_networks, allow_private=settings.egress.allow_private
                ),
                **settings.calls.model_dump(),
            ),
            catalog=SqlRecordingCatalog(self.db),
            startup=(startup := SqlStartupFacts(self.db, now=self.clock.now())),
            dialogs=startup,
            mail=_mail(settings),
            emergency=EmergencyService(hot_path, self.sink, self.clock),
            browsers=self.webrtc,
            realms=self.sip.realms,
            tickets=SqlTicketDesk(
                UnitOfWorkFactory(self.db, self.bus),
                self.clock,
                self.wake_jobs,
                texts=self.settings.tickets.sms_notify,
            ),
            bot=self.bot,
            recognizer=self.recognizer,
            owns=self.owns,
        )
        for center in centers:  # every center's SIP domain and call gate (ADR 0141)
            self._serve(center)
        await self._read_recording_usage()
        phone_events.listener = self.runtime.phone_event
        self.config = ConfigFollower(self.db, self.bus, self.runtime)
        await self.config.load_all()
        # SIP first: its persisted phone bindings must be loaded before the routers are
        # reconciled, or every agent would come back unreachable. Calls that arrive before the
        # runtime has started are answered 503 by it.
        self.sip.on_call = self.runtime.on_incoming
        self.sip.pool_free = partial(pool_free, self.db, settings.database)
        await self.sip.start()
        # The centers' stored trunks alongside the configured ones, followed at runtime.
        self.trunks = TrunkFollower(
            self.db, self.bus, self.sip, SecretBox(Keyring(settings.recording.key_dir))
        )
        await self.trunks.start()
        await self._replay_desks(self.runtime)
        await self.runtime.start()  # closes calls a crash left open, reconciles the routers
        self._loops.spawn(self.config.follow(), name="config-follower")
        self._loops.spawn(self._follow_recording_usage(), name="recording-usage")
        hot_path.start(self.bus)
        log.info(
            "SIP on %s udp:%s tcp:%s (realm %s); RTP %s:%d-%d",
            settings.sip.host,
            settings.sip.udp_port,
            settings.sip.tcp_port,
            settings.sip.realm,
            media.rtp_host,
            media.rtp_port_min,
            media.rtp_port_max,
        )

    # --- centers at runtime (TenantTarget of `hotline.server.tenant_watch`) ------------------

    def _serve(self, center: dict[str, object]) -> None:
        assert self.sip is not None
        assert self.runtime is not None
        tenant_id = str(center["id"])
        self.sip.realms.add(str(center["sip_domain"]), tenant_id)
        self.runtime.set_gate(tenant_id, CallGate.of(center))

    async def tenant_added(self, center: dict[str, object]) -> None:
        """A center created while running: its SIP domain, router, queues and agents now."""
        if self.runtime is None or self.config is None:
            return
        tenant_id = str(center["id"])
        self._serve(center)
        if self.hot_path is not None:  # its numbers, flows and region, now
            await self.hot_path.reload_config()
            await self.hot_path.customers.load_regions()
        if tenant_id not in self.runtime.tenants:
            runtime = self.runtime.add_tenant(
                tenant_id, build_router(center, self.settings, self.sink)
            )
            await self.config.apply(tenant_id)
            await self.runtime.start_tenant(runtime)
        log.info("center %s serves SIP domain %s", center["slug"], center["sip_domain"])

    async def tenant_changed(self, center: dict[str, object]) -> None:
        """Suspended, resumed, deleted or new limits: new calls follow the gate at once."""
        if self.runtime is not None:
            self._serve(center)
            if center.get("max_recording_mb") is not None:
                await self._read_recording_usage()
            gate = self.runtime.gates[str(center["id"])]
            log.info(
                "center %s: %s, concurrent calls %s, recordings %s MB",
                center["slug"], gate.status.value, gate.max_calls or "unlimited",
                gate.max_recording_mb or "unlimited",
            )  # fmt: skip

    async def tenant_removed(self, tenant_id: str) -> None:
        """Purged: its domain is no longer served and its runtime goes."""
        if self.sip is not None:
            self.sip.realms.remove(tenant_id)
        if self.runtime is not None:
            await self.runtime.remove_tenant(tenant_id)
            log.info("center %s removed from this server", tenant_id)

    async def _read_recording_usage(self) -> None:
        """Each center's kept recordings, summed: what its recordings-storage limit counts."""
        if self.runtime is None:
            return
        kept_since = self.clock.now() - self.settings.recording.retention_days * 86400
        async with self.db.connect() as conn:
            self.runtime.set_recording_usage(await recording_usage(conn, kept_since))

    async def _follow_recording_usage(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tenants.usage_poll_s)
            try:
                await self._read_recording_usage()
            except Exception:  # the database is away: try again next time
                log.exception("summing the centers' recordings failed")

    async def _replay_desks(self, runtime: Telephony) -> None:
        """The desks' read model from the log since yesterday's midnight: who sits at which
        phone in what state; the work it shows is then what the routers reconcile."""
        reader = SqlEventReader(self.db)
        start = replay_start(self.clock.now())
        for tenant_id in runtime.tenants:
            after = await reader.seq_before(tenant_id, start)
            while batch := await reader.read_since(tenant_id, after, limit=5000):
                runtime.board.apply_all(batch)
                after = batch[-1].seq
            runtime.board.forget_work(tenant_id)

    async def drain(self, timeout: float) -> None:
        """SIGTERM: refuse new calls, let live ones finish, then hang up the rest."""
        if self.runtime is not None:
            await self.runtime.drain(timeout)

    async def stop(self) -> None:
        if self.hot_path is not None:
            await self.hot_path.stop()
        await self._loops.cancel_all()
        if self.trunks is not None:
            await self.trunks.stop()
        if self.webrtc is not None:
            await self.webrtc.shutdown()
        if self.runtime is not None:
            await self.runtime.stop()
        if self.sip is not None:
            await self.sip.stop()
        if self._media_process is not None:
            await self._media_process.stop()
        elif isinstance(self.media, MediaEngine):
            await self.media.close()

    def metrics(self) -> Iterator[tuple[str, float, str]]:
        if self.webrtc is not None:
            for name, value in sorted(self.webrtc.stats().items()):
                yield f"hotline_webrtc_{name}", float(value), f"browser phone gauge {name}"
        if self.sip is not None:
            for name, value in sorted(self.sip.metrics().items()):
                yield f"hotline_sip_{name}", float(value), f"SIP counter {name}"
        if self.runtime is not None:
            calls = self.runtime.calls
            yield "hotline_calls_live", float(len(calls.calls)), "calls the B2BUA holds"
            yield "hotline_legs_live", float(len(calls.legs)), "call legs the B2BUA holds"
            yield (
                "hotline_desk_contacts",
                float(self.runtime.board.live_contacts),
                "contacts the agents' desks hold in memory",
            )
        if self.hot_path is not None:
            for name, figure in sorted(self.hot_path.stats().items()):
                yield f"hotline_call_path_{name}", figure, f"call path in memory: {name}"
        if self.media is not None:
            for name, value in sorted(self.media.stats().items()):
                yield f"hotline_media_{name}", float(value), f"media engine {name}"
