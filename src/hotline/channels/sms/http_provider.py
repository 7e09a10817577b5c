"""The HTTP provider: a gateway with a JSON API (docs/sms.md).

Send: `POST <url>` with `Authorization: Bearer <api_key>`, an `Idempotency-Key`, and
`{"from", "to", "text", "reference"}`; a 2xx answer `{"message_ids": [...]}` (or `{"id"}`)
means taken, a 4xx refused for good, a 5xx or a network error worth retrying.

Receive: the gateway POSTs inbound messages and delivery receipts to our webhooks, signed as
our own outbound webhooks are (`X-Hotline-Signature: v1=<HMAC-SHA256(secret,
"<timestamp>.<body>")>`, `X-Hotline-Timestamp`). `parse_inbound` / `parse_receipt` check the
signature first: a bad one raises `SmsSignatureInvalid` before anything is read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from hotline.channels.sms.encoding import split
from hotline.channels.sms.errors import SmsEncodingError, SmsProviderError, SmsSignatureInvalid
from hotline.channels.sms.model import (
    DeliveryReceipt,
    InboundSms,
    OutboundSms,
    SendResult,
    SmsStatus,
)
from hotline.channels.sms.settings import HttpProviderConfig
from hotline.egress import EgressRefused
from hotline.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

__all__ = ["HttpProvider", "parse_inbound", "parse_receipt", "verify_webhook"]

# The gateway's receipt words, and ours.
_RECEIPT_STATUS = {
    "delivered": SmsStatus.DELIVERED,
    "delivrd": SmsStatus.DELIVERED,
    "sent": SmsStatus.SENT,
    "accepted": SmsStatus.SENT,
    "enroute": SmsStatus.SENT,
    "failed": SmsStatus.FAILED,
    "undeliv": SmsStatus.FAILED,
    "undeliverable": SmsStatus.FAILED,
    "expired": SmsStatus.FAILED,
    "rejected": SmsStatus.FAILED,
}


class HttpProvider:
    name = "http"

    def __init__(self, config: HttpProviderConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self.client = client

    async def send(self, sms: OutboundSms) -> SendResult:
        layout = split(sms.text, reference=sms.reference)
        body = {"from": sms.sender, "to": sms.to, "text": sms.text, "reference": sms.reference}
        headers = {"Idempotency-Key": sms.message_id} if sms.message_id else {}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        try:
            answer = await self.client.post(
                self.config.url, json=body, headers=headers, timeout=self.config.timeout_s
            )
        except EgressRefused as e:
            raise SmsProviderError(f"refused by the egress policy: {e}", retry=False) from None
        except httpx.HTTPError as e:
            raise SmsProviderError(f"{type(e).__name__}: {e}", retry=True) from None
        if answer.status_code >= 400:
            raise SmsProviderError(
                f"HTTP {answer.status_code}: {answer.text[:200]}",
                retry=answer.status_code >= 500 or answer.status_code == 429,
            )
        try:
            data = answer.json()
        except ValueError:
            raise SmsProviderError("the answer is not JSON", retry=False) from None
        ids = data.get("message_ids") or ([data["id"]] if data.get("id") else [])
        if not ids or not all(isinstance(i, str | int) for i in ids):
            raise SmsProviderError("the answer names no message id", retry=False)
        return SendResult(
            provider_ids=tuple(str(i) for i in ids),
            parts=len(layout.parts),
            encoding=layout.encoding.value,
        )

    async def close(self) -> None:
        await self.client.aclose()


def verify_webhook(secret: str, headers: Mapping[str, str], body: bytes, *, now: float) -> None:
    signature = headers.get(SIGNATURE_HEADER.lower()) or headers.get(SIGNATURE_HEADER) or ""
    timestamp = headers.get(TIMESTAMP_HEADER.lower()) or headers.get(TIMESTAMP_HEADER) or ""
    if not signature or not verify(secret, signature, timestamp, body, now=now):
        raise SmsSignatureInvalid()


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SmsEncodingError("sms.webhook.json", "the webhook body is not JSON") from None
    if not isinstance(data, dict):
        raise SmsEncodingError("sms.webhook.json", "the webhook body is not a JSON object")
    return data


def _field(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str | int) or str(value) == "":
        raise SmsEncodingError("sms.webhook.field", f"the webhook body has no '{name}'")
    return str(value)


def parse_inbound(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float
) -> InboundSms:
    """An inbound message from the gateway's webhook, signature checked first."""
    verify_webhook(secret, headers, body, now=now)
    data = _json(body)
    text = data.get("text")
    if not isinstance(text, str):
        raise SmsEncodingError("sms.webhook.field", "the webhook body has no 'text'")
    return InboundSms(
        sender=_field(data, "from"),
        recipient=_field(data, "to"),
        text=text,
        received_at=now,
        provider="http",
        provider_ids=(_field(data, "id"),),
        parts=int(data.get("parts") or 1),
    )


def parse_receipt(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float
) -> DeliveryReceipt:
    """A delivery receipt from the gateway's webhook, signature checked first."""
    verify_webhook(secret, headers, body, now=now)
    data = _json(body)
    word = _field(data, "status").lower()
    status = _RECEIPT_STATUS.get(word)
    if status is None:
        raise SmsEncodingError("sms.webhook.status", f"the receipt status '{word}' is unknown")
    error = data.get("error")
    return DeliveryReceipt(
        provider_id=_field(data, "id"),
        status=status,
        at=now,
        error=str(error) if error else None,
    )
