"""Composition root: builds every service from one `Settings` object (DESIGN §1, §3.6).

`Services` holds what the process runs — clock, database engine, event bus and log, unit of
work factory, metrics — and, as later packages land, telephony and routing. Nothing else in
Hotline constructs these; the API, the CLI and the tests receive them from here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.realtime import RealtimeSettings
from hotline.api.metrics import Metrics
from hotline.auth.model import Principal
from hotline.auth.passwords import configure_policy
from hotline.backup import Locations
from hotline.backup.job import BACKUP_KIND, BackupJob
from hotline.bus import EventBus
from hotline.calendars import CalendarBook
from hotline.channels.chat import ChatService
from hotline.channels.chat.files import ChatFiles
from hotline.channels.email.conversations import MailConversations
from hotline.channels.email.desk import MailDesk
from hotline.channels.email.host import MailHost, build_mail_host
from hotline.channels.email.limits import DEFAULT_TYPES, MailLimits
from hotline.channels.email.smtp import SmtpTransport
from hotline.channels.sms.conversations import SmsConversations
from hotline.channels.sms.factory import provider_factory
from hotline.channels.sms.follower import SmsFollower
from hotline.channels.sms.service import SmsService
from hotline.channels.text import TextFlows
from hotline.clock import Clock, SystemClock
from hotline.cluster.ownership import Ownership, OwnershipSettings
from hotline.cluster.redis_bus import RedisRelaySettings, RedisStreamRelay
from hotline.config import Settings
from hotline.dialer.running import CAMPAIGN_KIND, CampaignJob
from hotline.egress import policy_of
from hotline.flows.service import FlowService
from hotline.flows.validate import TicketNames
from hotline.flows.versioning import ProgramCache
from hotline.imports.runner import ImportRunner
from hotline.jobs import (
    MAIL_KIND,
    SYSTEM_TENANT,
    JobHost,
    JobHostSettings,
    Jobs,
    JobState,
    MailJob,
    Retry,
    SmtpTarget,
)
from hotline.jobs.builtin import PURGE_KIND, RecordingPurgeJob
from hotline.knowledge import KnowledgeShelf
from hotline.knowledge.advisor import KnowledgeBot
from hotline.quality.follower import SurveyFollower
from hotline.quality.jobs import REVIEW_DUE_KIND, ReviewDueJob
from hotline.quality.sampling_job import SAMPLING_KIND, SamplingJob
from hotline.reporting import DELIVER_KIND, ReportDelivery
from hotline.server.chat_offline import OfflineTickets
from hotline.server.chat_survey import ChatSurveyDesk
from hotline.server.chat_transcripts import MailedTranscripts
from hotline.server.dialer import campaign_dialers
from hotline.server.telephony import TelephonyServer
from hotline.server.tenant_watch import TenantWatcher
from hotline.server.voicemail_tickets import VoicemailTickets
from hotline.server.wallboard import WallboardHub
from hotline.speech.sphinx import PocketSphinxRecognizer
from hotline.store.attachments import FileAttachmentStore
from hotline.store.auth_repo import SqlAudit, SqlUsers
from hotline.store.chat_repo import ChatSettingsReader
from hotline.store.engine import create_engine
from hotline.store.eventlog import EventLog, SqlEventReader
from hotline.store.flow_repo import SqlFlowRepository
from hotline.store.import_jobs import attach_import_jobs
from hotline.store.import_targets import build_import_runner
from hotline.store.interaction_projection import InteractionProjector
from hotline.store.interactions_repo import SqlCustomerDirectory
from hotline.store.knowledge_repo import SqlPublishedSource
from hotline.store.messages_repo import SqlMessageStore
from hotline.store.migrate import migrate
from hotline.store.pool_watch import PoolWatch
from hotline.store.report_rollup import ReportRollup
from hotline.store.repos import SqlRepos
from hotline.store.tenant_repo import SqlTenantStore
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory
from hotline.tenants.purge import TENANT_PURGE_KIND, PurgeFolders, TenantPurgeJob, purge_key
from hotline.tenants.service import TenantService
from hotline.tickets.sla_keeper import SLA_KIND
from hotline.tickets.timers import SlaTimerJob
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox
from hotline.web.i18n import Catalogs
from hotline.web.report_print import report_printer
from hotline.web.vendor import default_vendor_dir
from hotline.webhooks import DELIVER_KIND as WEBHOOK_KIND
from hotline.webhooks import WebhookDelivery, WebhookDispatcher

__all__ = [
    "Services",
    "build_job_host",
    "build_services",
    "calendar_names",
    "flow_service",
    "queue_names",
    "tenant_service",
]

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    bus: EventBus
    event_log: EventLog
    uow: UnitOfWorkFactory
    started_monotonic: float
    draining: bool = False
    metrics: Metrics = field(init=False)
    wallboard: WallboardHub = field(init=False)
    tenant_watch: TenantWatcher = field(init=False)  # centers changed while running
    projector: InteractionProjector = field(init=False)
    report_rollup: ReportRollup = field(init=False)  # interval facts (docs/metrics.md)
    imports: ImportRunner = field(init=False)  # imports' runs; targets on imports.registry
    jobs: JobHost = field(init=False)
    backup_job: BackupJob | None = None  # the scheduled backups (hotline.backup)
    calendars: CalendarBook = field(init=False)
    knowledge: KnowledgeShelf = field(init=False)  # the knowledge base's search (ADR 0252)
    sms: SmsService = field(init=False)  # hotline.channels.sms (docs/sms.md)
    telephony: TelephonyServer | None = None
    relay: RedisStreamRelay | None = None  # the bus across nodes (ADR 0206)
    ownership: Ownership | None = None  # the centers this node owns (ADR 0209)
    mail_host: MailHost | None = None  # the mailboxes' IMAP readers (hotline.channels.email)

    chat: ChatService | None = None  # web chat on the telephony runtime's centers
    flow_programs: ProgramCache = field(default_factory=ProgramCache)
    # Secrets at rest (webhook secrets, passwords, API keys): sealed with each center's key.
    secrets: SecretBox = field(init=False)
    # Hooks later packages register: called on drain with the seconds left, and at stop.
    drain_hooks: list[Callable[[float], Awaitable[None]]] = field(default_factory=list)
    stop_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    metric_sources: list[Callable[[], Iterator[tuple[str, float, str]]]] = field(
        default_factory=list
    )

    def __post_init__(self) -> None:
        self.metrics = Metrics(self)
        self.secrets = SecretBox(Keyring(self.settings.recording.key_dir))
        self.projector = InteractionProjector(self.engine, self.bus)
        self.report_rollup = ReportRollup(self.engine, self.bus)
        board = self.settings.wallboard
        self.wallboard = WallboardHub(
            self.engine,
            self.bus,
            self.clock,
            settings=lambda zone: RealtimeSettings(
                time_zone=zone,
                window_s=board.window_s,
                shrinkage=board.shrinkage,
                default_aht_s=board.default_aht_s,
            ),
            tick_s=board.tick_s,
            push_delay_s=board.push_delay_s,
        )
        if board.short_abandon_s is not None:
            log.warning(
                "wallboard.short_abandon_s is deprecated and not read: each center's counting"
                " rule (report settings, PUT /api/v1/reports/counting) decides (ADR 0176)"
            )
        # Centers created, suspended or purged while running reach their followers at once.
        self.tenant_watch = TenantWatcher(
            self.engine, self.bus, poll_s=self.settings.tenants.poll_s
        )
        self.tenant_watch.targets.append(self.wallboard)
        imports = self.settings.imports
        self.imports = build_import_runner(
            directory=imports.directory or self.settings.var_dir / "imports",
            max_upload_bytes=imports.max_upload_mb << 20,
            batch_size=imports.batch_size,
            uow=self.uow,
            clock=self.clock,
        )
        # -- the mailboxes' desk (docs/email.md): replies, and the customers' notices that the
        # `mail.send` job hands to the tenant's mailbox (ADR 0245) --
        tickets = self.settings.tickets
        files = tickets.attachments_dir or self.settings.var_dir / "attachments"
        self.mail_desk = MailDesk(
            self.engine,
            self.clock,
            FileAttachmentStore(files),
            SmtpTransport(),
            MailLimits(
                attachment_max_bytes=tickets.attachment_max_mb << 20,
                attachment_types=DEFAULT_TYPES | frozenset(tickets.attachment_types),
            ),
            secrets=self.secrets,
        )
        # -- job host (hotline.jobs, docs/jobs.md): packages register their kinds here --
        self.jobs = build_job_host(self)
        attach_import_jobs(self.jobs, self.imports)  # imports' runs fire on the job host
        # -- business hours (hotline.hours, docs/hours.md): flows ask the same calendars --
        self.calendars = CalendarBook(self.engine, self.bus)
        self.flow_programs.calendars = self.calendars
        self.knowledge = KnowledgeShelf(SqlPublishedSource(self.engine), self.bus)
        # -- SMS (docs/sms.md): providers per center; the conversation core sets `sms.inbox` --
        egress = self.settings.egress
        self.sms = SmsService(
            self.uow,
            self.clock,
            provider_factory(
                policy_of(egress.allow_networks, allow_private=egress.allow_private),
                self.clock.now,
            ),
            secrets=self.secrets,
        )
        self.stop_hooks.append(self.sms.stop)
        # -- e-mail contacts (ADR 0228): the mailboxes' mail joins the conversation core --
        self.mail_conversations = MailConversations(self.mail_desk)

    def extra_metrics(self) -> Iterator[tuple[str, float, str]]:
        for source in self.metric_sources:
            yield from source()

    async def start(self, *, run_migrations: bool = True) -> None:
        """Migrate, start the event log and the wallboard."""
        if run_migrations:
            await migrate(self.engine)
        events = self.settings.events
        if events.bus == "redis":
            self.relay = RedisStreamRelay(
                self.bus,
                RedisRelaySettings(
                    url=events.redis_url,
                    node_id=self.settings.node_name(),
                    stream=events.redis_stream,
                    max_len=events.redis_max_len,
                ),
            )
            await self.relay.start()
            relay = self.relay
            self.metric_sources.append(lambda: iter(relay.metrics()))
        await self.event_log.start()
        if self.ownership is not None:
            await self.ownership.start()
            ownership = self.ownership
            self.metric_sources.append(ownership.metrics)
        await self.calendars.start()
        await self.knowledge.start()
        await self.projector.start()
        await self.report_rollup.start()
        await self.wallboard.start()
        await self.tenant_watch.start()

    async def start_jobs(self) -> None:
        """Fire due jobs in this process (`hotline serve`/`demo`), unless `jobs.enabled` is off."""
        if self.settings.jobs.enabled:
            await self.jobs.start()
            self.metric_sources.append(lambda: iter(self.jobs.metrics()))
            # Outbound webhooks: new events queue deliveries on the job host (docs/webhooks.md).
            dispatcher = WebhookDispatcher(
                self.engine, self.bus, self.clock,
                attempts=self.settings.tickets.webhook_attempts, wake=self.jobs.wake,
            )  # fmt: skip
            await dispatcher.start()
            self.stop_hooks.append(dispatcher.stop)
            # Voicemails whose node says so open tickets, once each (ADR 0162).
            voicemails = VoicemailTickets(
                self.uow, self.bus, self.clock, self.jobs.wake,
                texts=self.settings.tickets.sms_notify,
            )  # fmt: skip
            await voicemails.start()
            self.stop_hooks.append(voicemails.stop)
            # Every active mailbox is read over IMAP (docs/email.md).
            files = self.settings.tickets.attachments_dir or self.settings.var_dir / "attachments"
            self.mail_host = build_mail_host(
                self.engine, self.clock, files, self.secrets, inbox=self.mail_conversations
            )
            await self.mail_host.start()
            self.stop_hooks.append(self.mail_host.stop)
            # SMS: SMPP sessions bind; tickets' and flows' texts are sent (docs/sms.md).
            await self.sms.start()
            texts = SmsFollower(self.uow, self.bus, self.sms)
            await texts.start()
            self.stop_hooks.append(texts.stop)

            # Survey answers of every channel; low ratings open reviews (docs/quality.md).
            surveys = SurveyFollower(
                self.uow, self.bus, self.clock, self.settings.quality, self.jobs.wake
            )
            await surveys.start()
            self.stop_hooks.append(surveys.stop)

    async def start_telephony(self) -> None:
        """Bind SIP and RTP (only `hotline serve` does), once tenants exist."""
        ownership = self.ownership
        self.telephony = TelephonyServer(
            self.settings,
            owns=ownership.owns if ownership is not None else None,
            clock=self.clock,
            db=self.engine,
            sink=self.event_log,
            bus=self.bus,
            programs=self.flow_programs,
            wake_jobs=self.jobs.wake,
            bot=KnowledgeBot(self.knowledge),
            # English speech for the voice bot when the engine is installed (ADR 0258)
            recognizer=(
                PocketSphinxRecognizer(self.settings.var_dir / "speech")
                if PocketSphinxRecognizer.available()
                else None
            ),
        )
        if ownership is not None:  # before start: a center may change hands meanwhile
            telephony = self.telephony

            async def gained(tenant_id: str) -> None:
                if telephony.runtime is not None:
                    await telephony.runtime.take_over(tenant_id)

            async def lost(tenant_id: str) -> None:
                if telephony.runtime is not None:
                    await telephony.runtime.stand_down(tenant_id)

            ownership.gained.append(gained)
            ownership.lost.append(lost)
        await self.telephony.start()
        runtime = self.telephony.runtime
        if runtime is not None:
            chat_settings = ChatSettingsReader(self.engine, self.secrets)
            # the message writer's own connection: storing a message before it is
            # acknowledged never waits on the pool the rest of the server shares (ADR 0195)
            database = self.settings.database
            messages_writer = None
            if ":memory:" not in database.url:  # an in-memory database is one connection's
                messages_writer = create_engine(
                    database.url,
                    pool_size=1,
                    max_overflow=0,
                    pool_timeout_s=database.pool_timeout_s,
                )
                self.stop_hooks.append(messages_writer.dispose)
            self.chat = ChatService(
                lambda tenant_id: runtime.tenant(tenant_id).center,
                SqlMessageStore(
                    self.engine,
                    writer=messages_writer,
                    max_batch=self.settings.chat.max_message_batch,
                ),
                clock=self.clock,
                sink=self.event_log,
                flows=TextFlows(runtime.flows),  # a tenant's text flow runs first (ADR 0257)
                # a visitor's token still opens its conversation after a restart
                secret=lambda tenant_id: self.secrets.keyring.derive(tenant_id, "chat.visitor"),
                files=ChatFiles(
                    FileAttachmentStore(
                        self.settings.tickets.attachments_dir
                        or self.settings.var_dir / "attachments"
                    ),
                    chat_settings,
                ),
                offline=OfflineTickets(
                    self.uow,
                    self.clock,
                    chat_settings,
                    SqlCustomerDirectory(self.engine),
                    self.jobs.wake,
                ),
                settings=chat_settings,
                transcripts=MailedTranscripts(self.mail_conversations.desk),
                surveys=ChatSurveyDesk(self.uow, self.clock, self.settings.quality),
                # a new chat starts only while the pool keeps room for the open ones
                admit=PoolWatch(
                    self.engine,
                    capacity=self.settings.database.capacity,
                    min_free=self.settings.chat.min_pool_free,
                    grace_s=self.settings.chat.pool_short_grace_ms / 1000,
                ).admits,
            )
            self.stop_hooks.append(self.chat.stop)
            # inbound SMS become text contacts on the same desks (ADR 0227)
            SmsConversations(self.chat, self.sms).attach()
            self.mail_conversations.attach(self.chat)
        self.tenant_watch.targets.append(self.telephony)
        self.metric_sources.append(self.telephony.metrics)
        self.drain_hooks.append(self.telephony.drain)
        self.stop_hooks.append(self.telephony.stop)

    async def drain(self) -> None:
        """Stop taking new calls and chats; let live ones finish up to `drain_s`; then the
        hooks close what remains as interrupted (SIGTERM)."""
        if self.draining:
            return
        self.draining = True
        log.info("draining for up to %.0f s", self.settings.drain_s)
        deadline = self.clock.monotonic() + self.settings.drain_s
        for hook in self.drain_hooks:
            await hook(max(0.0, deadline - self.clock.monotonic()))

    async def stop(self) -> None:
        await self.tenant_watch.stop()  # first: it calls into telephony and the wallboard
        for hook in reversed(self.stop_hooks):
            try:
                await hook()
            except Exception:
                log.exception("stop hook failed")
        await self.imports.stop()
        await self.jobs.stop()
        await self.calendars.stop()
        await self.knowledge.stop()
        await self.wallboard.stop()
        await self.projector.stop()
        await self.report_rollup.stop()
        await self.event_log.stop()
        if self.ownership is not None:  # after the last records: then the others take over
            await self.ownership.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.engine.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    clock = clock or SystemClock()
    configure_policy(min_score=settings.auth.password_min_score)  # security (harden-web)
    database = settings.database
    engine = create_engine(
        database.url,
        echo=database.echo,
        pool_size=database.pool_size,
        max_overflow=database.max_overflow,
        pool_timeout_s=database.pool_timeout_s,
    )
    bus = EventBus(queue_size=settings.events.subscriber_queue, reader=SqlEventReader(engine))
    ownership = (
        Ownership(
            engine,
            clock,
            OwnershipSettings(node=settings.node_name(), ttl_s=settings.cluster.lease_s),
        )
        if settings.cluster.ownership
        else None
    )
    event_log = EventLog(
        engine,
        bus,
        batch_window_s=settings.events.batch_window_ms / 1000,
        max_batch=settings.events.max_batch,
        tokens=ownership.token if ownership is not None else None,
        on_fenced=ownership.fenced if ownership is not None else None,
        stall_limit_s=settings.cluster.lease_s,
    )
    return Services(
        ownership=ownership,
        settings=settings,
        clock=clock,
        engine=engine,
        bus=bus,
        event_log=event_log,
        uow=UnitOfWorkFactory(engine, bus),
        started_monotonic=clock.monotonic(),
    )


def build_job_host(services: Services) -> JobHost:
    """The job host and the job kinds registered at start (docs/jobs.md)."""
    settings, smtp = services.settings.jobs, services.settings.smtp
    host = JobHost(
        services.engine,
        services.bus,
        services.clock,
        JobHostSettings(
            poll_s=settings.poll_s,
            lease_s=settings.lease_s,
            concurrency=settings.concurrency,
            node_id=services.settings.node_name(),
        ),
    )
    host.register(
        MAIL_KIND,
        MailJob(
            SmtpTarget(
                host=smtp.host,
                port=smtp.port,
                sender=smtp.sender,
                starttls=smtp.starttls,
                username=smtp.username,
                password=smtp.password,
            ),
            services.mail_desk,  # a customer's mail goes through the tenant's mailbox
        ),
    )
    # Reports by e-mail on a schedule (docs/metrics.md), in the subscriber's language.
    catalogs = Catalogs()
    host.register(
        DELIVER_KIND,
        ReportDelivery(
            SmtpTarget(
                host=smtp.host,
                port=smtp.port,
                sender=smtp.sender,
                starttls=smtp.starttls,
                username=smtp.username,
                password=smtp.password,
            ),
            catalogs.gettext,
            # the PDF attached: the report page printed as the export prints it (ADR 0174)
            report_printer(
                services.settings.http.vendor_dir or default_vendor_dir(),
                services.settings.reports.chromium,
                timeout_s=services.settings.reports.pdf_timeout_s,
            ),
        ),
    )
    # The hourly retention purge (was a loop in telephony.py; see docs/jobs.md).
    recording = services.settings.recording
    host.register(PURGE_KIND, RecordingPurgeJob(recording.directory, recording.retention_days))
    host.every(PURGE_KIND, "17 * * * *", timezone="UTC")
    # Scheduled backups (hotline.backup, docs/security.md).
    backups = services.settings.backup
    backup_job = BackupJob(
        backup_locations(services.settings),
        backups.directory,
        keep=backups.keep,
        with_keys=backups.with_keys,
    )
    host.register(BACKUP_KIND, backup_job)
    services.backup_job = backup_job
    if backups.schedule:
        host.every(BACKUP_KIND, backups.schedule, timezone=backups.timezone)
    services.metric_sources.append(lambda: iter(backup_job.metrics()))
    services.stop_hooks.append(backup_job.close)
    # A deleted center's export and purge after its grace period (docs/tenants.md).
    settings_ = services.settings
    imports = settings_.imports.directory or settings_.var_dir / "imports"
    purge = TenantPurgeJob(
        backup_locations(settings_), settings_.tenants.export_dir, PurgeFolders(imports)
    )
    host.register(TENANT_PURGE_KIND, purge)
    services.stop_hooks.append(purge.close)
    # Tickets' SLA clocks: reminders, breaches, escalations (docs/tickets.md).
    host.register(SLA_KIND, SlaTimerJob(SqlTickets))
    host.register(REVIEW_DUE_KIND, ReviewDueJob())  # forced reviews past their deadline
    host.register(SAMPLING_KIND, SamplingJob())  # QA sampling rules, weekly per center
    # Running campaigns' live dialers, on this node's telephony (docs/dialer.md, ADR 0266).
    host.register(
        CAMPAIGN_KIND,
        CampaignJob(
            campaign_dialers(
                services.uow,
                services.clock,
                lambda: services.telephony.runtime if services.telephony else None,
            )
        ),
    )
    tickets, egress = services.settings.tickets, services.settings.egress
    host.register(
        WEBHOOK_KIND,
        WebhookDelivery(
            policy_of(egress.allow_networks, allow_private=egress.allow_private),
            services.secrets,
            attempts=tickets.webhook_attempts,
            timeout_s=tickets.webhook_timeout_s,
        ),
        retry=Retry(
            max_attempts=tickets.webhook_attempts, base_s=tickets.webhook_backoff_s,
            factor=4, max_s=3600,
        ),
    )  # fmt: skip
    return host


def backup_locations(settings: Settings) -> Locations:
    """Where this Hotline keeps what a backup copies."""
    return Locations(
        database_url=settings.database.url,
        recordings=settings.recording.directory,
        prompts=settings.media.prompts_dir,
        keys=settings.recording.key_dir,
    )


def flow_service(services: Services, uow: UnitOfWork) -> FlowService:
    """Flows of one unit of work: versions in the database, events in the same transaction."""
    return FlowService(
        SqlFlowRepository(uow.conn),
        uow,
        services.clock,
        prompts_root=services.settings.media.prompts_dir,
        programs=services.flow_programs,
    )


def tenant_service(
    services: Services, uow: UnitOfWork, actor: Principal, *, ip: str | None = None
) -> TenantService:
    """The operator's tenant management on one unit of work; a deletion's purge is a job on
    the job host (`tenant.purge`), cancelled by a resume."""

    async def schedule_purge(tenant_id: str, due_at: float) -> None:
        await services.jobs.schedule(
            uow.conn,
            TENANT_PURGE_KIND,
            due_at=due_at,
            payload={"tenant_id": tenant_id},
            key=purge_key(tenant_id),
        )

    async def cancel_purge(tenant_id: str) -> None:
        job = await Jobs(uow.conn).find(SYSTEM_TENANT, purge_key(tenant_id))
        if job is not None and job.state in (JobState.PENDING, JobState.RUNNING):
            await services.jobs.cancel(uow.conn, job.id, tenant_id=None)

    return TenantService(
        SqlTenantStore(uow.conn),
        SqlUsers(uow.conn),
        SqlAudit(uow.conn),
        clock=services.clock,
        emit=uow.emit,
        actor=actor,
        grace_s=services.settings.tenants.delete_grace_days * 86400.0,
        schedule_purge=schedule_purge,
        cancel_purge=cancel_purge,
        ip=ip,
        recordings_kept_s=services.settings.recording.retention_days * 86400.0,
    )


async def queue_names(uow: UnitOfWork, tenant_id: str) -> list[str]:
    rows, _ = await SqlRepos(uow.conn).table("queues").list(tenant_id, limit=100_000)
    return [str(r["name"]) for r in rows]


async def calendar_names(uow: UnitOfWork, tenant_id: str) -> list[str]:
    """The center's calendars an hours node may name (checked when a flow is published)."""
    rows, _ = await SqlRepos(uow.conn).table("calendars").list(tenant_id, limit=100_000)
    return [str(r["name"]) for r in rows]


async def ticket_names(uow: UnitOfWork, tenant_id: str) -> TicketNames:
    """The center's ticket departments and categories a flow's ticket nodes may name."""
    departments, categories = await SqlTickets(uow.conn).codes(tenant_id)
    return TicketNames(departments, categories)


async def wait_forever() -> None:  # pragma: no cover - used by long-running commands
    await asyncio.Event().wait()
