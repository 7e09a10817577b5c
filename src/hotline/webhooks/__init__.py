"""Outbound webhooks: ticket and contact events POSTed to a center's URLs, signed with
HMAC-SHA256 over a timestamp and the body, retried with backoff on the job host, dead-lettered
after the last attempt and redelivered on request (docs/webhooks.md, ADR 0152)."""

from hotline.webhooks.delivery import DELIVER_KIND, WebhookDelivery, WebhookDispatcher
from hotline.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify

__all__ = [
    "DELIVER_KIND",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookDelivery",
    "WebhookDispatcher",
    "sign",
    "verify",
]
