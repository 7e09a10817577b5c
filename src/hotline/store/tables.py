"""The relational schema (SQLAlchemy Core): the tables, here and in the two modules imported
below (one metadata, `store/schema.py`). Alembic migrations must match it (a test checks).

Every row carries `tenant_id` (DESIGN §4). Times are UTC epoch seconds in `Double` columns so
SQLite and PostgreSQL behave the same; the API renders them as ISO 8601.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from hotline.store.chat_tables import chat_settings  # noqa: F401
from hotline.store.crm_tables import (  # noqa: F401
    customer_merges,
    hint_responses,
    hint_rules,
    organizations,
)
from hotline.store.dialer_tables import (  # noqa: F401
    dialer_callerid_days,
    dialer_campaign_lists,
    dialer_campaigns,
    dialer_dnc,
    dialer_list_entries,
    dialer_lists,
    dialer_records,
)
from hotline.store.evaluation_tables import (  # noqa: F401
    qa_calibrations,
    qa_evaluation_comments,
    qa_evaluations,
    qa_scorecards,
)

# Tables kept in modules of their own, named here too so this module lists them all.
from hotline.store.knowledge_tables import (  # noqa: F401
    kb_article_versions,
    kb_articles,
    kb_attachments,
    kb_categories,
    kb_links,
    kb_synonyms,
)
from hotline.store.mail_tables import mailboxes, mails  # noqa: F401
from hotline.store.message_tables import text_messages  # noqa: F401
from hotline.store.ops_tables import (  # noqa: F401
    cluster_nodes,
    custom_fields,
    import_mappings,
    import_problems,
    imports,
    jobs,
    mail_log,
    tenant_leases,
)
from hotline.store.quality_tables import (  # noqa: F401
    qa_sampling_rules,
    qa_tasks,
    quality_reviews,
    survey_answers,
    survey_definitions,
    survey_keys,
    survey_links,
    survey_offers,
)
from hotline.store.report_tables import (  # noqa: F401
    report_counting,
    report_days,
    report_facts,
    report_reasons,
    report_state,
    report_targets,
)
from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant
from hotline.store.sms_tables import (  # noqa: F401
    sms_messages,
    sms_opt_outs,
    sms_parts,
    sms_settings,
)
from hotline.store.ticket_tables import (  # noqa: F401
    department_members,
    departments,
    sla_clocks,
    sla_policies,
    ticket_activity,
    ticket_attachments,
    ticket_categories,
    ticket_comments,
    ticket_links,
    ticket_settings,
    ticket_watchers,
    webhook_deliveries,
    webhooks,
)
from hotline.store.trunk_tables import trunks  # noqa: F401
from hotline.store.wfm_tables import (  # noqa: F401
    wfm_contracts,
    wfm_intervals,
    wfm_plans,
    wfm_requests,
    wfm_schedules,
    wfm_shifts,
    wfm_templates,
)

tenants = Table(
    "tenants",
    metadata,
    _id(),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("language", String(8), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("region", String(2), nullable=False),
    Column("area_code", String(4)),  # a local landline written without one is in this area
    Column("sip_domain", String(255), nullable=False, unique=True),
    # Tenants at runtime (docs/tenants.md): "center" rows are contact centers; the one
    # "platform" row holds the platform operators. `status` follows `hotline.tenants.model`.
    Column("kind", String(16), nullable=False, server_default="center"),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("status_changed_at", Double),
    Column("delete_after", Double),  # when a deleted tenant's rows and files go
    Column("max_agents", Integer),  # limits; NULL = unlimited
    Column("max_concurrent_calls", Integer),
    Column("max_recording_mb", Integer),
    *_stamps(),
)

# Gap-free per-tenant event numbering: a row per tenant, bumped inside the writing transaction.
event_sequences = Table(
    "event_sequences",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    # The highest ownership token that wrote (or took over) the tenant's log (ADR 0209).
    Column("fence", BigInteger, nullable=False, server_default="0"),
)

events = Table(
    "events",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("at", Double, nullable=False),
    Column("type", String(64), nullable=False),
    Column("interaction_id", String(ID)),
    Column("leg_id", String(ID)),
    Column("agent_id", String(ID)),
    Column("payload", JSON, nullable=False),
    # The schema version the record was written with (ADR 0061); rows from before it are 1.
    Column("v", Integer, nullable=False, server_default="1"),
    Index("ix_events_interaction", "tenant_id", "interaction_id"),
    Index("ix_events_type_at", "tenant_id", "type", "at"),
)

users = Table(
    "users",
    metadata,
    _id(),
    _tenant(),
    Column("username", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("email", String(255)),  # where ticket notifications reach the user
    Column("password_hash", String(255), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("language", String(8)),
    Column("active", Boolean, nullable=False),
    # A one-time password (a tenant's first admin): every call but changing it is refused.
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
    *_stamps(),
    UniqueConstraint("tenant_id", "username", name="uq_users_tenant_username"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    _tenant(),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("ip", String(64)),
    Column("user_agent", String(255)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    _tenant(),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double),
    Column("last_used_at", Double),
    Column("revoked_at", Double),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, index=True),
    Column("at", Double, nullable=False),
)

# Browsers that logged in to an account: their device cookie (digest) lets them past the
# account-wide throttle that stops a guessing attack spread over many sources (ADR 0111).
login_devices = Table(
    "login_devices",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    _tenant(),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("last_seen_at", Double, nullable=False),
    Index("ix_login_devices_user", "tenant_id", "user_id"),
)

# A user's authenticator app (TOTP, ADR 0112): pending until confirmed with a first code.
user_totp = Table(
    "user_totp",
    metadata,
    _tenant(),
    Column(
        "user_id",
        String(ID),
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("secret", String(64), nullable=False),
    Column("confirmed_at", Double),
    Column("last_step", BigInteger),
    Column("recovery", JSON, nullable=False),  # SHA-256 digests of unused recovery codes
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", String(ID), primary_key=True),
    _tenant(),
    Column("at", Double, nullable=False),
    Column("actor_id", String(ID)),
    Column("actor_name", String(64)),
    Column("action", String(32), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64)),  # an id, or a flow's name (up to 64 characters)
    Column("before", JSON),
    Column("after", JSON),
    Column("ip", String(64)),
    Index("ix_audit_tenant_at", "tenant_id", "at"),
)

skills = Table(
    "skills",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("description", Text, nullable=False, default=""),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_skills_tenant_name"),
)

teams = Table(
    "teams",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("supervisor_id", String(ID), ForeignKey("users.id", ondelete="SET NULL")),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_teams_tenant_name"),
)

agents = Table(
    "agents",
    metadata,
    _id(),
    _tenant(),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("extension", String(32)),
    Column("phone_mode", String(16), nullable=False),
    Column("voice_capacity", Integer, nullable=False),
    Column("chat_capacity", Integer, nullable=False),
    Column("email_capacity", Integer, nullable=False),
    # blended capacity (routing.capacity.Blend): text during a call, a call during text
    Column("text_during_call", Boolean, nullable=False, server_default=false()),
    Column("call_during_text", Boolean, nullable=False, server_default=false()),
    *_stamps(),
    UniqueConstraint("user_id", name="uq_agents_user_id"),
    UniqueConstraint("tenant_id", "extension", name="uq_agents_tenant_extension"),
)

agent_skills = Table(
    "agent_skills",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", String(ID), ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
    Column("proficiency", Integer, nullable=False),
)

agent_teams = Table(
    "agent_teams",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", String(ID), ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)

# Digest credentials of agents' phones: HA1 values only, never the password (RFC 7616 §3.4.2).
sip_credentials = Table(
    "sip_credentials",
    metadata,
    _id(),
    _tenant(),
    Column("agent_id", String(ID), ForeignKey("agents.id", ondelete="CASCADE")),
    Column("realm", String(255), nullable=False),
    Column("username", String(64), nullable=False),
    Column("ha1_md5", String(32), nullable=False),
    Column("ha1_sha256", String(64), nullable=False),
    *_stamps(),
    UniqueConstraint("realm", "username", name="uq_sip_credentials_realm_username"),
)

sip_bindings = Table(
    "sip_bindings",
    metadata,
    Column("aor", String(255), primary_key=True),
    Column("contact", String(512), primary_key=True),
    Column("tenant_id", String(ID), nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("data", JSON, nullable=False),
)

calendars = Table(
    "calendars",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("weekly", JSON, nullable=False),
    Column("holidays", JSON, nullable=False),
    # Holiday calendars (节假日日历) this calendar follows, and the weekday whose hours a
    # make-up workday (调休上班) of theirs keeps.
    Column("holiday_calendar_ids", JSON, nullable=False, server_default="[]"),
    Column("makeup_day", String(3), nullable=False, server_default="mon"),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_calendars_tenant_name"),
)

# Public holidays and make-up workdays of a region and year(s), imported from a maintained
# source or an iCalendar file; business-hours calendars link to them.
holiday_calendars = Table(
    "holiday_calendars",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("source", String(200), nullable=False),
    # [{"date": "2026-10-01", "kind": "holiday" | "workday", "name": "国庆节", "hours": [...]}]
    Column("entries", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_holiday_calendars_tenant_name"),
)

queues = Table(
    "queues",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("strategy", String(32), nullable=False),
    Column("channel", String(16), nullable=False, server_default="voice"),
    Column("sl_target_pct", Double, nullable=False),
    Column("sl_threshold_s", Integer, nullable=False),
    Column("wrap_up_s", Integer, nullable=False),
    Column("max_wait_s", Integer),
    Column("max_length", Integer),
    Column("disposition_required", Boolean, nullable=False),
    Column("calendar_id", String(ID), ForeignKey("calendars.id", ondelete="SET NULL")),
    Column("options", JSON, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_queues_tenant_name"),
)

queue_skills = Table(
    "queue_skills",
    metadata,
    Column("queue_id", String(ID), ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", String(ID), ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
    Column("min_proficiency", Integer, nullable=False),
)

dids = Table(
    "dids",
    metadata,
    _id(),
    _tenant(),
    Column("number", String(32), nullable=False, unique=True),
    Column("flow", String(64)),  # the one route of the number (ADR 0200); empty: not routed
    Column("description", String(200), nullable=False),
    *_stamps(),
)

disposition_codes = Table(
    "disposition_codes",
    metadata,
    _id(),
    _tenant(),
    Column("code", String(32), nullable=False),
    Column("label_zh", String(100), nullable=False),
    Column("label_en", String(100), nullable=False),
    Column("category", String(32), nullable=False),
    Column("active", Boolean, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "code", name="uq_disposition_codes_tenant_code"),
)

not_ready_reasons = Table(
    "not_ready_reasons",
    metadata,
    _id(),
    _tenant(),
    Column("code", String(32), nullable=False),
    Column("label_zh", String(100), nullable=False),
    Column("label_en", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "code", name="uq_not_ready_reasons_tenant_code"),
)

customers = Table(
    "customers",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("vip_level", Integer, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("custom", JSON, nullable=False),
    Column("notes", Text, nullable=False),
    Column("organization_id", String(ID)),
    *_stamps(),
    Index("ix_customers_organization", "tenant_id", "organization_id"),
)

customer_phones = Table(
    "customer_phones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _tenant(),
    Column(
        "customer_id", String(ID), ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("e164", String(32), nullable=False),
    Column("raw", String(64), nullable=False),
    Index("ix_customer_phones_lookup", "tenant_id", "e164"),
)

customer_emails = Table(
    "customer_emails",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _tenant(),
    Column(
        "customer_id", String(ID), ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("email", String(255), nullable=False),
    Index("ix_customer_emails_lookup", "tenant_id", "email"),
)

# Published flow versions are append-only; the active pointer is the only thing that moves.
flow_versions = Table(
    "flow_versions",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("published_at", Double, nullable=False),
    Column("published_by", String(64)),
    Column("note", Text),
)

flow_active = Table(
    "flow_active",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("changed_at", Double, nullable=False),
    Column("changed_by", String(64)),
)

# Where the designer's boxes stood, beside a published version (no part of its meaning, ADR 0191).
flow_layouts = Table(
    "flow_layouts",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("positions", JSON, nullable=False),
    Column("saved_at", Double, nullable=False),
    Column("saved_by", String(64)),
    ForeignKeyConstraint(
        ["tenant_id", "name", "version"],
        ["flow_versions.tenant_id", "flow_versions.name", "flow_versions.version"],
        ondelete="CASCADE",
    ),
)

emergency_switch = Table(
    "emergency_switch",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("state", JSON, nullable=False),
)

quick_replies = Table(
    "quick_replies",
    metadata,
    _id(),
    _tenant(),
    Column("queue", String(64)),  # a queue's code; empty: every queue
    Column("title", String(100), nullable=False),
    Column("text", Text, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "title", name="uq_quick_replies_tenant_title"),
)

# Human-friendly per-tenant numbers (ticket 20315 …), bumped inside the writing transaction.
counters = Table(
    "counters",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    _id(),
    _tenant(),
    Column("number", BigInteger, nullable=False),
    Column("subject", String(200), nullable=False),
    Column("department", String(64), nullable=False),
    Column("due_date", String(10)),  # ISO date in the tenant's calendar
    Column("status", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("customer_id", String(ID), ForeignKey("customers.id", ondelete="SET NULL")),
    Column("interaction_id", String(ID)),
    Column("created_by", String(ID)),
    Column("assignee_id", String(ID)),
    Column("category", String(64)),  # a ticket category's code: a contact reason for reports
    Column("first_response_at", Double),
    Column("resolved_at", Double),
    Column("closed_at", Double),
    Column("merged_into", String(ID)),
    *_stamps(),
    UniqueConstraint("tenant_id", "number", name="uq_tickets_tenant_number"),
    Index("ix_tickets_customer", "tenant_id", "customer_id"),
    Index("ix_tickets_status", "tenant_id", "status", "created_at"),
    Index("ix_tickets_created", "tenant_id", "created_at"),
    Index("ix_tickets_assignee", "tenant_id", "assignee_id", "status"),
    Index("ix_tickets_department", "tenant_id", "department", "status"),
)

recordings = Table(
    "recordings",
    metadata,
    Column("id", String(64), primary_key=True),  # the media engine's recording id
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("leg_id", String(ID)),
    Column("kind", String(16), nullable=False),  # call | voicemail
    Column("path", String(512), nullable=False),  # key under the recordings storage
    Column("duration_s", Double, nullable=False),
    Column("channels", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("paused_spans", JSON, nullable=False),
    Column("mailbox", String(64)),
    Column("started_at", Double, nullable=False),
    Index("ix_recordings_interaction", "tenant_id", "interaction_id"),
)

# Version-1 consultations were contacts of their own; on read their records move to the
# customer's contact (ADR 0061). Filled once by migration 0011; nothing else writes it.
contact_aliases = Table(
    "contact_aliases",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("alias_id", String(ID), primary_key=True),
    Column("contact_id", String(ID), nullable=False),
    Column("agent_id", String(ID)),  # the agent who consulted
    Index("ix_contact_aliases_contact", "tenant_id", "contact_id"),
)

# Projections of the event log (DESIGN §3.3), written only by `store/interaction_projection.py`
# and rebuilt from the log when their cursor is reset (ADR 0065).

# The contacts list: one row per customer contact, however many queues and agents it visited.
interactions = Table(
    "interactions",
    metadata,
    Column("id", String(ID), primary_key=True),
    _tenant(),
    Column("channel", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("origin", String(16)),
    Column("caller_number", String(64)),
    Column("caller_name", String(200)),
    Column("did", String(32)),
    Column("customer_id", String(ID)),
    Column("vip_level", Integer),
    Column("flow", String(64)),
    Column("related_interaction_id", String(ID)),  # the missed contact a callback answers
    Column("queue_id", String(64)),  # the first queue visited
    Column("queues", JSON, nullable=False),  # every queue visited, in order (never "@agent")
    Column("agent_id", String(ID)),  # the agent who answered last
    Column("agents", JSON, nullable=False),  # every agent with a segment, in order
    Column("segments", Integer, nullable=False),  # handled agent segments
    Column("started_at", Double, nullable=False),
    Column("answered_at", Double),
    Column("ended_at", Double),
    Column("outcome", String(32)),
    Column("cause", String(32)),
    Column("wait_s", Double),
    Column("talk_s", Double),
    Column("hold_s", Double),
    Column("total_s", Double),
    Column("abandoned", Boolean, nullable=False),
    Column("voicemail", Boolean, nullable=False),
    Column("callback", Boolean, nullable=False),
    Column("transferred", Boolean, nullable=False),
    Column("consulted", Boolean, nullable=False),
    Column("recorded", Boolean, nullable=False),
    Column("disposition", String(32)),  # the latest segment's
    Column("notes", Text),
    Column("resolved", Boolean),  # the agent's latest "resolved?" answer (None: none given)
    Column("csat", Integer),
    Column("csat_scale", Integer),
    Column("csat_agent_id", String(ID)),
    Column("followed_up_at", Double),  # a missed contact someone dealt with
    Index("ix_interactions_started", "tenant_id", "started_at"),
    Index("ix_interactions_agent", "tenant_id", "agent_id"),
    Index("ix_interactions_customer", "tenant_id", "customer_id"),
    # The screen pop finds a caller's earlier contacts and open tickets by number.
    Index("ix_interactions_caller", "tenant_id", "caller_number"),
)

# A contact's visits to queues (and routings to one named agent, queue "@agent"): work items.
work_items = Table(
    "work_items",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("seq", BigInteger, primary_key=True),  # the record that opened the visit
    Column("work_id", String(ID), nullable=False),
    Column("interaction_id", String(ID), nullable=False),
    Column("queue_id", String(64)),
    Column("target_agent_id", String(ID)),
    Column("via", String(16), nullable=False),  # flow | transfer | consult | callback | direct
    Column("from_work_id", String(ID)),
    Column("note", Text),
    Column("result", String(16)),  # a consultation's: completed | cancelled | conference | failed
    Column("created_at", Double, nullable=False),  # by its transfer, consultation or entry
    Column("entered_at", Double),  # the queue (or the agent's personal line) took it
    Column("left_at", Double),
    Column("wait_s", Double),
    Column("offers", Integer, nullable=False),
    Column("outcome", String(32)),  # answered | abandoned | callback | callback_failed | …
    Column("answered_at", Double),
    Column("agent_id", String(ID)),
    Column("callback", Boolean, nullable=False),
    Index("ix_work_items_interaction", "tenant_id", "interaction_id"),
    Index("ix_work_items_work", "tenant_id", "work_id"),
)

# One agent's part of one work item: answer, talk, hold, wrap-up and its own wrap-up record.
agent_segments = Table(
    "agent_segments",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("work_seq", BigInteger, primary_key=True),
    Column("agent_id", String(ID), primary_key=True),
    Column("work_id", String(ID), nullable=False),
    Column("interaction_id", String(ID), nullable=False),
    Column("queue_id", String(64)),
    Column("answered_at", Double, nullable=False),
    Column("ended_at", Double),
    Column("talk_s", Double),
    Column("hold_s", Double, nullable=False),
    Column("held_at", Double),  # on hold now, since
    Column("wrap_up_s", Double),
    Column("wrap_up_ended_at", Double),
    Column("overrun_at", Double),  # the wrap-up timer ran out with a disposition still due
    Column("ended_by", String(16)),  # hangup | transfer | consult (completed attended transfer)
    Column("disposition", String(32)),
    Column("category", String(32)),
    Column("sale", Boolean),
    Column("notes", Text),
    Column("ticket_id", String(ID)),
    Column("dispositioned_at", Double),
    Column("csat", Integer),
    Column("csat_scale", Integer),
    Column("resolved", Boolean),  # this agent's latest "resolved?" answer on it
    Index("ix_agent_segments_interaction", "tenant_id", "interaction_id"),
    Index("ix_agent_segments_agent", "tenant_id", "agent_id", "answered_at"),
)

# Missed contacts per queue (abandoned, voicemail, failed callback) until someone deals with them.
worklist = Table(
    "worklist",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("interaction_id", String(ID), primary_key=True),
    Column("queue_id", String(64)),
    Column("reason", String(16), nullable=False),  # abandoned | voicemail | callback_failed
    Column("missed_at", Double, nullable=False),
    Column("wait_s", Double),
    Column("caller_number", String(64)),
    Column("customer_id", String(ID)),
    Column("recording_id", String(64)),  # the voicemail
    Column("callbacks", Integer, nullable=False),  # calls back made from the worklist
    Column("last_callback_id", String(ID)),
    Column("last_callback_at", Double),
    Column("followed_up_at", Double),
    Column("followed_up_by", String(64)),
    Column("follow_up", String(16)),  # marked | called_back
    Index("ix_worklist_open", "tenant_id", "followed_up_at", "missed_at"),
)

# Who is dealing with a missed contact: one row per claimed contact, so of two agents claiming
# at once exactly one insert succeeds (ADR 0066). Not a projection: the claim API writes it in
# the transaction that appends `worklist.claimed` / `worklist.released`.
worklist_claims = Table(
    "worklist_claims",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("interaction_id", String(ID), primary_key=True),
    Column("agent_id", String(ID), nullable=False),
    Column("claimed_at", Double, nullable=False),
)

projection_cursors = Table(
    "projection_cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("tenant_id", String(ID), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)
