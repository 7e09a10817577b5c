"""SMS (docs/sms.md): a provider port with an HTTP gateway and SMPP, long messages split and
joined (GSM-7 / UCS-2), opt-out words, per-center sender ids and templates, and a table of
every message in and out. Inbound messages go on to an `SmsInbox` (the conversation core)."""

from hotline.channels.sms.errors import (
    SmsEncodingError,
    SmsError,
    SmsInvalid,
    SmsOptedOut,
    SmsProviderError,
    SmsSignatureInvalid,
)
from hotline.channels.sms.inbox import InMemorySmsInbox, SmsInbox
from hotline.channels.sms.model import (
    DeliveryReceipt,
    InboundSms,
    OutboundSms,
    SendResult,
    SmsStatus,
)
from hotline.channels.sms.provider import ProviderEvents, SmsProvider
from hotline.channels.sms.service import SmsService
from hotline.channels.sms.settings import SmsConfig, parse_config

__all__ = [
    "DeliveryReceipt",
    "InMemorySmsInbox",
    "InboundSms",
    "OutboundSms",
    "ProviderEvents",
    "SendResult",
    "SmsConfig",
    "SmsEncodingError",
    "SmsError",
    "SmsInbox",
    "SmsInvalid",
    "SmsOptedOut",
    "SmsProvider",
    "SmsProviderError",
    "SmsService",
    "SmsSignatureInvalid",
    "SmsStatus",
    "parse_config",
]
