"""The voice channel: SIP calls and their media behind the lifecycle's `Channel` port.

`Telephony` (host.py) is what the composition root builds; `Telephony.tenant(id)` gives the
tenant's `TenantRuntime` (desk.py). Only this package of the interaction core imports call
control (`hotline.calls`) and media (`hotline.media`).
"""

from hotline.interactions.voice.channel import VoiceChannel
from hotline.interactions.voice.desk import TenantRuntime
from hotline.interactions.voice.host import (
    BROWSER_CONNECTED,
    BROWSER_DETACHED,
    BROWSER_DISCONNECTED,
    FlowLookup,
    Telephony,
)
from hotline.interactions.voice.mail import SmtpMailSender, voicemail_notice
from hotline.interactions.voice.phones import (
    AgentPhone,
    BrowserPhone,
    Devices,
    PhoneKind,
    SipPhone,
    phone_label,
)
from hotline.interactions.voice.ports import BrowserPhones, BrowserSessionState
from hotline.interactions.voice.supervision import Monitor, MonitorMode, supervisor_key

__all__ = [
    "BROWSER_CONNECTED",
    "BROWSER_DETACHED",
    "BROWSER_DISCONNECTED",
    "AgentPhone",
    "BrowserPhone",
    "BrowserPhones",
    "BrowserSessionState",
    "Devices",
    "FlowLookup",
    "Monitor",
    "MonitorMode",
    "PhoneKind",
    "SipPhone",
    "SmtpMailSender",
    "Telephony",
    "TenantRuntime",
    "VoiceChannel",
    "phone_label",
    "supervisor_key",
    "voicemail_notice",
]
