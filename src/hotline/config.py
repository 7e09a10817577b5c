"""Settings: loaded once in the composition root, passed down as sections (DESIGN §3.6).

Sources, strongest first: environment (`HOTLINE_<SECTION>__<FIELD>`, plus the short
`HOTLINE_DATABASE_URL`), then an optional TOML file named by `HOTLINE_CONFIG`, then defaults
that work on a laptop.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, IPvAnyNetwork, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = [
    "AuthSettings",
    "BackupSettings",
    "CallSettings",
    "DatabaseSettings",
    "EgressSettings",
    "EventLogSettings",
    "HttpSettings",
    "ImportSettings",
    "JobSettings",
    "MediaSettings",
    "QualitySettings",
    "RecordingSettings",
    "ReportSettings",
    "RoutingSettings",
    "Settings",
    "SipSettings",
    "SmtpSettings",
    "TrunkSettings",
    "WallboardSettings",
    "WfmSettings",
]


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Security (docs/security.md): request bodies larger than this are refused with 413;
    # X-Forwarded-For is believed only from these proxies (the client address for throttling).
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=64 * 1024)
    forwarded_allow_ips: list[str] = ["127.0.0.1", "::1"]
    hsts_seconds: int = Field(0, ge=0)  # Strict-Transport-Security over https (0: not sent)
    # Browser libraries (charts) that `make` installs from vendor/package-lock.json (ADR 0170);
    # None: the source tree's vendor/node_modules.
    vendor_dir: Path | None = None

    @model_validator(mode="after")
    def _tls_pair(self) -> HttpSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("http.tls_cert and http.tls_key must be given together")
        return self


class DatabaseSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///var/hotline.db"
    echo: bool = False
    # Connections kept open, extra ones under load, and how long work waits for one; new
    # calls are shed (503) before the pool runs dry (`sip.min_pool_free`).
    pool_size: int = Field(10, ge=1, le=200)
    max_overflow: int = Field(10, ge=0, le=200)
    pool_timeout_s: float = Field(10.0, gt=0, le=300)

    @property
    def capacity(self) -> int:
        """Connections the pool hands out at most (kept open and extra under load)."""
        return self.pool_size + self.max_overflow


class ChatServerSettings(BaseModel):
    """The web chat's server side (issue 21, ADR 0195, docs/performance.md)."""

    # New visitors are told "busy, try again" once fewer database connections than this have
    # been free for longer than the grace (a burst draining the pool for a moment is not it),
    # so the chats already open keep what they need to store their messages.
    min_pool_free: int = Field(2, ge=0)
    pool_short_grace_ms: int = Field(1000, ge=0, le=60_000)
    # Text messages stored in one transaction at most (they are group-committed).
    max_message_batch: int = Field(200, ge=1, le=1000)


class CallPathSettings(BaseModel):
    """What a new call asks, held in memory (issue 14, docs/performance.md)."""

    # A known caller's details (name, tags, custom fields) are awaited this long; after it
    # the call goes on with the customer id and VIP level from memory.
    customer_details_wait_ms: int = Field(200, ge=0, le=5000)
    # Numbers and flows changed by another process (the command line, the operator's API) are
    # seen this late (a cheap re-read: a flow version is read only when its pointer moved).
    reload_s: float = Field(2.0, gt=0, le=600)


class EventLogSettings(BaseModel):
    batch_window_ms: int = Field(20, ge=1, le=50)
    max_batch: int = Field(500, ge=1)
    subscriber_queue: int = Field(10_000, ge=10)
    # Across nodes (ADR 0206): "redis" carries each node's records to the others over a
    # Redis stream; "memory" keeps them in this process (one node).
    bus: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_stream: str = Field("hotline:events", min_length=1, max_length=200)
    redis_max_len: int = Field(100_000, ge=1000)  # entries kept in the stream (about)


class AuthSettings(BaseModel):
    session_ttl_s: int = Field(12 * 3600, ge=60)
    # Failed logins (docs/security.md): an account from one source …
    login_max_failures: int = Field(5, ge=1)
    login_window_s: int = Field(900, ge=1)
    login_lockout_s: int = Field(300, ge=1)
    # … one source across accounts (password spraying) …
    login_source_max_failures: int = Field(20, ge=1)
    login_source_lockout_s: int = Field(900, ge=1)
    # … and an account from browsers that never logged in to it (a guess spread over sources).
    login_account_max_failures: int = Field(50, ge=1)
    login_account_lockout_s: int = Field(900, ge=1)
    password_min_score: int = Field(3, ge=0, le=4)  # zxcvbn's 0–4
    totp_issuer: str = Field("Hotline", min_length=1, max_length=64)
    cookie_secure: Literal["auto", "always", "never"] = "auto"


class TrunkSettings(BaseModel):
    """A carrier's SIP trunk (DESIGN §5)."""

    name: str = Field(min_length=1, max_length=64)
    host: str
    port: int = Field(5060, ge=1, le=65535)
    transport: Literal["udp", "tcp", "tls"] = "udp"
    username: str | None = None
    password: str | None = None
    realm: str | None = None
    from_domain: str | None = None
    registration: bool = False  # register with the provider (outbound REGISTER)
    register_expires: int = Field(3600, ge=60)
    inbound_sources: list[str] = []
    inbound_username: str | None = None
    did_from: Literal["request-uri", "to"] = "request-uri"
    tenant: str | None = None  # tenant slug; default: the tenant of `sip.realm`


class SipSettings(BaseModel):
    host: str = "127.0.0.1"
    udp_port: int | None = Field(5060, ge=0, le=65535)  # None: no UDP
    tcp_port: int | None = Field(5060, ge=0, le=65535)  # None: no TCP
    realm: str = "hotline"
    public_host: str | None = None
    max_message_bytes: int = Field(65_535, ge=1024)
    rate_limit_per_s: float = Field(200.0, gt=0)
    rate_limit_burst: int = Field(400, ge=1)
    user_agent_blocklist: list[str] = [
        "friendly-scanner",
        "sipvicious",
        "sipcli",
        "VaxSIPUserAgent",
    ]
    auth_failures_before_ban: int = Field(10, ge=1)
    ban_seconds: int = Field(600, ge=1)
    registration_min_expires: int = Field(60, ge=1)
    registration_max_expires: int = Field(3600, ge=1)
    max_contacts_per_aor: int = Field(10, ge=1)
    qualify_interval_s: int = Field(30, ge=1)
    trace_path: Path | None = None
    authenticate_invites: bool = True
    digest_algorithms: list[Literal["SHA-256", "MD5"]] = ["SHA-256", "MD5"]
    md5_only_user_agents: list[str] = ["baresip"]
    nonce_lifetime_s: float = Field(300.0, gt=0)
    t1: float = Field(0.5, gt=0)
    t2: float = Field(4.0, gt=0)
    t4: float = Field(5.0, gt=0)
    in_dialog_timeout_s: float = Field(40.0, gt=0)
    trunks: list[TrunkSettings] = []
    # --- the SIP edge (issue 13, docs/security.md; mapped by server.telephony.sip_config) ---
    # Message budgets before parsing: trunks' addresses get the trusted rate; sources that are
    # neither trunks nor registered share one budget per /24 (/64) network and one in total.
    trusted_rate_limit_per_s: float = Field(1000.0, gt=0)
    trusted_rate_limit_burst: int = Field(2000, ge=1)
    network_rate_limit_per_s: float = Field(300.0, gt=0)
    network_rate_limit_burst: int = Field(600, ge=1)
    global_rate_limit_per_s: float = Field(500.0, gt=0)
    global_rate_limit_burst: int = Field(1000, ge=1)
    max_transactions: int = Field(20_000, ge=10)  # past it: 503 + Retry-After
    max_dialogs: int = Field(5_000, ge=1)
    # Overload: new calls are answered 503 with Retry-After while this many set-ups are in
    # flight, while the event loop runs this late, or with fewer free database connections.
    max_call_setups: int = Field(200, ge=1)
    max_loop_lag_ms: float = Field(250.0, gt=0)
    min_pool_free: int = Field(1, ge=0)
    # …the last two only with this many set-ups in flight (a pause is not overload of calls).
    busy_call_setups: int = Field(8, ge=0)
    # SIP over TCP/TLS: connections peers open.
    tcp_max_connections_per_source: int = Field(64, ge=1)
    tcp_max_connections: int = Field(4096, ge=1)
    tcp_idle_timeout_s: float = Field(300.0, gt=0)
    tcp_message_timeout_s: float = Field(10.0, gt=0)
    # SIP over TLS (sips:, 5061): on when tls_port, tls_cert and tls_key are given.
    tls_port: int | None = Field(None, ge=0, le=65535)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_ca_file: Path | None = None  # to verify trunks' certificates (default: system CAs)
    tls_verify_peer: bool = True
    # SRTP (SDES): "tls" offers RTP/SAVP to phones on TLS and accepts keyed offers; "off" never.
    srtp: Literal["tls", "off"] = "tls"

    @model_validator(mode="after")
    def _tls_files(self) -> SipSettings:
        if self.tls_port is not None and (self.tls_cert is None or self.tls_key is None):
            raise ValueError("sip.tls_port needs sip.tls_cert and sip.tls_key")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("sip.tls_cert and sip.tls_key must be given together")
        return self


class MediaSettings(BaseModel):
    rtp_host: str = "127.0.0.1"
    rtp_port_min: int = Field(20_000, ge=1024, le=65534)
    rtp_port_max: int = Field(29_999, ge=1025, le=65535)
    rtp_public_host: str | None = None
    prompts_dir: Path = Path("var/prompts")
    tts_cache_dir: Path = Path("var/tts")
    tts_words_per_minute: int = Field(150, ge=60, le=400)
    prompt_cache_seconds: int = Field(3600, ge=0)
    relay: bool = True
    # Where the media engine runs (ADR 0186): "in_process" (one process, enough for a small
    # center) or "process" (its own process, started and watched by `hotline serve`, so
    # signalling and media use different cores).
    engine: Literal["in_process", "process"] = "in_process"
    # Hold-music sources: name → WAV file (any rate). "default" is synthesised when not given.
    moh_sources: dict[str, Path] = {}
    quality_event_interval_s: float = Field(30.0, gt=0)
    webrtc_host: str = "127.0.0.1"
    # A browser phone whose page went away (a reload, a network loss) keeps its call on hold
    # this long for the page to come back; then the call goes on as if the agent hung up.
    webrtc_reattach_s: float = Field(30.0, ge=0, le=600)

    @model_validator(mode="after")
    def _range(self) -> MediaSettings:
        if self.rtp_port_max - self.rtp_port_min < 2:
            raise ValueError("media.rtp_port_max must be at least rtp_port_min + 2")
        return self


class RecordingSettings(BaseModel):
    directory: Path = Path("var/recordings")
    retention_days: int = Field(365, ge=1)
    # Encrypted at rest (docs/security.md): new recordings sealed with their tenant's key from
    # key_dir (keep that directory out of the recordings' backups and shares).
    encrypt: bool = False
    key_dir: Path = Path("var/keys/recordings")


class RoutingSettings(BaseModel):
    ring_timeout_s: float = Field(15.0, gt=0)
    default_wrap_up_s: float = Field(30.0, ge=0)
    callback_dial_s: float = Field(60.0, gt=0)
    sticky_memory_s: float = Field(7 * 86400.0, ge=0)
    sticky_memory_size: int = Field(100_000, ge=0)
    aht_smoothing: float = Field(0.05, gt=0, le=1)


class CallSettings(BaseModel):
    """Call control and the agents' desk (mapped onto `interactions.TelephonySettings`)."""

    ring_slack_s: float = Field(5.0, ge=0)
    reachability_check_s: float = Field(5.0, gt=0)
    startup_grace_s: float = Field(120.0, ge=0)
    announce_every_s: float = Field(45.0, gt=0)
    transfer_timeout_s: float = Field(30.0, gt=0)
    outbound_caller_id: str | None = None
    ack_timeout_s: float = Field(32.0, gt=0)
    hold_reinvite: bool = True
    voicemail_silence_level: float = Field(300.0, ge=0)
    voicemail_min_s: float = Field(0.5, ge=0)
    browser_reconnect_grace_s: float = Field(60.0, ge=0)
    supervisor_ring_s: float = Field(30.0, gt=0)
    answer_wait_s: float = Field(3.0, gt=0)


class WallboardSettings(BaseModel):
    window_s: float = Field(1800.0, gt=0)
    # Deprecated, not read (ADR 0176): each center's counting rule (report settings,
    # `PUT /api/v1/reports/counting`) decides, for the wallboard as for the reports.
    short_abandon_s: float | None = Field(None, ge=0)
    shrinkage: float = Field(0.30, ge=0, lt=1)
    default_aht_s: float = Field(180.0, gt=0)
    tick_s: float = Field(1.0, gt=0, le=10)
    push_delay_s: float = Field(0.05, ge=0, le=1)


class ReportSettings(BaseModel):
    """Reports as PDF (docs/metrics.md): headless Chromium prints the report page."""

    chromium: Path = Path("/usr/lib/chromium/chromium")
    pdf_timeout_s: float = Field(60.0, gt=0, le=600)


class SmtpSettings(BaseModel):
    """Outgoing mail (voicemail notices). No host: notices are logged, not sent."""

    host: str | None = None
    port: int = Field(25, ge=1, le=65535)
    sender: str = "hotline@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class ImportSettings(BaseModel):
    """Imports and exports (hotline.imports): where uploads are kept, their size limit, and
    the rows per batch of a run."""

    directory: Path | None = None  # default: <var_dir>/imports
    max_upload_mb: int = Field(200, ge=1)
    batch_size: int = Field(1000, ge=10, le=20_000)


class TicketsSettings(BaseModel):
    """Tickets (docs/tickets.md): where attachments are kept and what may be attached;
    outgoing webhooks' attempts."""

    attachments_dir: Path | None = None  # default: <var_dir>/attachments
    # Text the customer (the SMS hook, ADR 0163) when a ticket is opened and resolved: each
    # text is a `ticket.sms` event for the SMS channel (or a webhook to a gateway).
    sms_notify: bool = False
    attachment_max_mb: int = Field(10, ge=1, le=1024)
    attachment_types: list[str] = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "application/pdf",
        "text/plain",
        "text/csv",
        "audio/wav",
        "audio/x-wav",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    webhook_attempts: int = Field(6, ge=1, le=20)  # then the delivery is dead-lettered
    webhook_backoff_s: float = Field(30.0, ge=0.1)  # ×4 each attempt, capped at an hour
    webhook_timeout_s: float = Field(10.0, ge=0.5, le=60)


class WfmSettings(BaseModel):
    """Workforce planning (docs/wfm.md): staffing defaults, history depth, solver budget."""

    interval_s: int = Field(900, ge=300, le=3600)  # planning interval
    shrinkage: float = Field(0.30, ge=0.0, lt=1.0)  # breaks, meetings, absence
    blocking: float = Field(0.01, gt=0.0, lt=1.0)  # trunk lines: Erlang B target
    line_extra_s: float = Field(30.0, ge=0.0)  # a line is also held in the IVR and queue
    history_weeks: int = Field(26, ge=5, le=156)
    solver_time_limit_s: float = Field(30.0, gt=0.0, le=600.0)
    what_if_replications: int = Field(3, ge=2, le=50)


class EgressSettings(BaseModel):
    """Outgoing HTTP to addresses a tenant configures (flow webhook lookups): private,
    loopback and link-local targets are refused unless their network is listed here, e.g.
    `["10.20.0.0/16"]` for a CRM on the office network (docs/security.md)."""

    allow_networks: list[IPvAnyNetwork] = []
    allow_private: bool = False  # every address: only for a closed lab


class BackupSettings(BaseModel):
    """Scheduled backups on the job host (docs/security.md): `hotline backup` every day."""

    schedule: str = "0 3 * * *"  # cron; empty: no scheduled backups
    timezone: str = "Asia/Shanghai"
    directory: Path = Path("var/backups")
    keep: int = Field(14, ge=1)
    with_keys: bool = False  # include the recording keys (then guard backups like the keys)


class QualitySettings(BaseModel):
    """Surveys and forced reviews (docs/quality.md): which answers force a review, its
    deadline, how long a survey link lives and the address the link's page is reached at."""

    review_at_most: int = Field(2, ge=0, le=5)  # on 1–5 (scaled on other scales); 0: never
    nps_review_at_most: int = Field(6, ge=-1, le=10)  # NPS detractors; -1: never
    review_hours: float = Field(24.0, gt=0, le=24 * 30)  # the deadline after the rating
    link_hours: float = Field(72.0, gt=0, le=24 * 90)  # a survey link expires after
    public_url: str = Field("http://127.0.0.1:8080", max_length=300)  # links in e-mails


class JobSettings(BaseModel):
    """The job host (hotline.jobs, docs/jobs.md): timers stored in the database."""

    enabled: bool = True  # fire jobs in this process (`hotline serve` / `demo`)
    poll_s: float = Field(1.0, gt=0, le=60)
    lease_s: float = Field(300.0, ge=10)
    concurrency: int = Field(2, ge=1, le=32)
    node_id: str = Field("", max_length=100)  # empty: the host name (`Settings.node_name`)


class ClusterSettings(BaseModel):
    """Several nodes on one database (issue 26, docs/cluster.md, ADR 0209)."""

    # Each center's live state owned by one node at a time, by a lease with a fencing token.
    ownership: bool = False
    # A dead node's centers are taken over after this (and one round, a third of it).
    lease_s: float = Field(3.0, ge=1, le=60)


class TenantSettings(BaseModel):
    """Tenants at runtime (docs/tenants.md)."""

    delete_grace_days: float = Field(30.0, ge=0)  # a deleted center's data waits this long
    export_dir: Path = Path("var/tenant-exports")  # each purge writes its export here first
    poll_s: float = Field(2.0, gt=0, le=60)  # running servers look for other processes' changes
    # How often a running server re-sums each center's recordings (its storage limit; a
    # recording stored by this server counts at once).
    usage_poll_s: float = Field(60.0, gt=0, le=3600)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", env_nested_delimiter="__", extra="forbid"
    )

    var_dir: Path = Path("var")
    default_language: Literal["zh-CN", "en"] = "zh-CN"
    drain_s: float = Field(30.0, ge=0)
    http: HttpSettings = HttpSettings()
    database: DatabaseSettings = DatabaseSettings()
    events: EventLogSettings = EventLogSettings()
    auth: AuthSettings = AuthSettings()
    sip: SipSettings = SipSettings()
    media: MediaSettings = MediaSettings()
    recording: RecordingSettings = RecordingSettings()
    routing: RoutingSettings = RoutingSettings()
    calls: CallSettings = CallSettings()
    wallboard: WallboardSettings = WallboardSettings()
    smtp: SmtpSettings = SmtpSettings()
    reports: ReportSettings = ReportSettings()
    imports: ImportSettings = ImportSettings()
    wfm: WfmSettings = WfmSettings()
    tickets: TicketsSettings = TicketsSettings()
    egress: EgressSettings = EgressSettings()
    jobs: JobSettings = JobSettings()
    quality: QualitySettings = QualitySettings()
    backup: BackupSettings = BackupSettings()
    tenants: TenantSettings = TenantSettings()
    call_path: CallPathSettings = CallPathSettings()
    chat: ChatServerSettings = ChatServerSettings()
    cluster: ClusterSettings = ClusterSettings()

    def node_name(self) -> str:
        """This node's name in the cluster: the jobs' `node_id`, else the host name."""
        return self.jobs.node_id or socket.gethostname()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("HOTLINE_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Read the environment (and `HOTLINE_CONFIG`) once; keyword overrides win."""
        config_file = os.environ.get("HOTLINE_CONFIG")
        if config_file and not Path(config_file).is_file():
            raise FileNotFoundError(f"HOTLINE_CONFIG names {config_file!r}, which does not exist")
        short_url = os.environ.get("HOTLINE_DATABASE_URL")
        if short_url and "database" not in overrides:
            overrides["database"] = DatabaseSettings(url=short_url)
        return cls(**overrides)
