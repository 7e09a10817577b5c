"""The interaction lifecycle orchestrator: flows, queueing, offers, outcomes (DESIGN §10).

`Telephony` (runtime.py) is what the composition root builds; `Telephony.tenant(id)` gives a
`TenantRuntime`, the API the agent desktop and admin changes call. The persistence and
directory needs are protocols in `ports.py` with in-memory versions. See docs/interactions.md.
"""

from hotline.interactions.agents import AgentPhone, PhoneKind, Seat, SipPhone
from hotline.interactions.announce import position_text
from hotline.interactions.errors import (
    AgentBusy,
    AgentNotLoggedIn,
    InteractionError,
    InteractionNotFound,
    InvalidTransferTarget,
    NothingToDo,
    PhoneUnsupported,
    TelephonyDraining,
    UnknownTenant,
)
from hotline.interactions.events import (
    AgentPhoneBound,
    AgentPhoneUnbound,
    InteractionCreated,
    InteractionEnded,
    InteractionTransferred,
    VoicemailNotified,
    VoicemailRecorded,
)
from hotline.interactions.interaction import (
    InteractionOutcome,
    InteractionState,
    VoiceInteraction,
)
from hotline.interactions.mail import SmtpMailSender, voicemail_notice
from hotline.interactions.ports import (
    AgentSessionFacts,
    CustomerDirectory,
    CustomerRecord,
    DidDirectory,
    DidRoute,
    InMemoryCustomerDirectory,
    InMemoryDidDirectory,
    InMemoryRecordingCatalog,
    InMemoryStartupFacts,
    MailSender,
    OpenInteraction,
    OutboxMailSender,
    RecordingCatalog,
    RecordingRow,
    StartupFacts,
)
from hotline.interactions.runtime import FlowLookup, Telephony
from hotline.interactions.settings import MailSettings, QueueOptions, TelephonySettings
from hotline.interactions.tenant import TenantRuntime
from hotline.interactions.transfers import TransferTarget, agent_skill
from hotline.interactions.voice_port import VoicePort

__all__ = [
    "AgentBusy",
    "AgentNotLoggedIn",
    "AgentPhone",
    "AgentPhoneBound",
    "AgentPhoneUnbound",
    "AgentSessionFacts",
    "CustomerDirectory",
    "CustomerRecord",
    "DidDirectory",
    "DidRoute",
    "FlowLookup",
    "InMemoryCustomerDirectory",
    "InMemoryDidDirectory",
    "InMemoryRecordingCatalog",
    "InMemoryStartupFacts",
    "InteractionCreated",
    "InteractionEnded",
    "InteractionError",
    "InteractionNotFound",
    "InteractionOutcome",
    "InteractionState",
    "InteractionTransferred",
    "InvalidTransferTarget",
    "MailSender",
    "MailSettings",
    "NothingToDo",
    "OpenInteraction",
    "OutboxMailSender",
    "PhoneKind",
    "PhoneUnsupported",
    "QueueOptions",
    "RecordingCatalog",
    "RecordingRow",
    "Seat",
    "SipPhone",
    "SmtpMailSender",
    "StartupFacts",
    "Telephony",
    "TelephonyDraining",
    "TelephonySettings",
    "TenantRuntime",
    "TransferTarget",
    "UnknownTenant",
    "VoiceInteraction",
    "VoicePort",
    "VoicemailNotified",
    "VoicemailRecorded",
    "agent_skill",
    "position_text",
    "voicemail_notice",
]
