"""The SMS service: sends through a center's provider and keeps every message in and out
(`sms_messages`, with each part's provider id and receipt status in `sms_parts`), so nothing
is lost before the conversation core takes inbound messages through `SmsInbox`.

Sending stores the message first (queued), hands it to the provider outside any transaction,
then records the provider's ids (sent) or its refusal (failed). A receipt may overtake that
last step (an SMSC answers fast): it waits in memory until the ids are recorded.
Received messages are stored once per provider id (a gateway retrying a webhook is no second
message); an opt-out word puts the sender on the center's list, which sending refuses.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from hotline.channels.sms.errors import SmsInvalid, SmsOptedOut, SmsProviderError
from hotline.channels.sms.events import SmsOptedOut as OptOutEvent
from hotline.channels.sms.events import SmsReceived, SmsSent
from hotline.channels.sms.inbox import SmsInbox
from hotline.channels.sms.model import (
    DeliveryReceipt,
    Direction,
    InboundSms,
    OutboundSms,
    SmsStatus,
)
from hotline.channels.sms.optout import Keyword, classify, normalise
from hotline.channels.sms.provider import ProviderEvents, SmsProvider
from hotline.channels.sms.settings import SmsConfig, open_secrets, parse_config, seal_secrets
from hotline.channels.sms.templates import render
from hotline.clock import Clock
from hotline.ids import new_id
from hotline.store.sms_repo import SqlSms
from hotline.store.uow import UnitOfWorkFactory
from hotline.vault.secrets import SecretBox

__all__ = ["ProviderFactory", "SmsService", "normalise_number"]

log = logging.getLogger(__name__)

ProviderFactory = Callable[[str, SmsConfig, ProviderEvents], SmsProvider]
_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")


def normalise_number(number: str) -> str:
    """Spaces, dashes and brackets off; the number must then be digits with an optional +."""
    cleaned = re.sub(r"[\s\-().]", "", number or "")
    if not _NUMBER.match(cleaned):
        raise SmsInvalid("sms.to.invalid", "to", to=number)
    return cleaned


def _reference(message_id: str) -> int:
    return hashlib.sha1(message_id.encode()).digest()[0]


class TenantEvents:
    """What one center's provider reports, handed to the service with the center's id."""

    def __init__(self, service: SmsService, tenant_id: str, provider: str) -> None:
        self.service = service
        self.tenant_id = tenant_id
        self.provider = provider

    async def inbound(self, sms: InboundSms) -> None:
        await self.service.inbound(self.tenant_id, sms)

    async def receipt(self, receipt: DeliveryReceipt) -> None:
        await self.service.receipt(self.tenant_id, self.provider, receipt)


class SmsService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        factory: ProviderFactory,
        *,
        secrets: SecretBox,
        inbox: SmsInbox | None = None,
    ) -> None:
        self.uow = uow
        self.secrets = secrets
        self.clock = clock
        self.factory = factory
        self.inbox = inbox
        self._providers: dict[str, tuple[SmsConfig, SmsProvider]] = {}
        self._early: dict[tuple[str, str, str], DeliveryReceipt] = {}
        self._lock = asyncio.Lock()

    # -- settings and providers --
    async def start(self) -> None:
        """Connect the providers that hold a connection (SMPP) for every configured center."""
        async with self.uow(write=False) as uow:
            stored = await SqlSms(uow.conn).all_settings()
        for tenant_id, raw in stored:
            try:
                config = parse_config(open_secrets(raw, tenant_id, self.secrets))
                if config.provider == "smpp":
                    await self.provider(tenant_id, config)
            except Exception:
                log.exception("SMS provider of tenant %s did not start", tenant_id)

    async def stop(self) -> None:
        async with self._lock:
            providers, self._providers = self._providers, {}
        for _config, provider in providers.values():
            await provider.close()

    async def config(self, tenant_id: str) -> SmsConfig:
        async with self.uow(write=False) as uow:
            raw = await SqlSms(uow.conn).settings(tenant_id)
        if raw is None:
            raise SmsInvalid("sms.not_configured", "provider")
        return parse_config(open_secrets(raw, tenant_id, self.secrets))

    async def save_config(self, tenant_id: str, raw: Mapping[str, Any]) -> SmsConfig:
        config = parse_config(raw)
        async with self.uow() as uow:
            stored = seal_secrets(config.model_dump(mode="json"), tenant_id, self.secrets)
            await SqlSms(uow.conn).save_settings(tenant_id, stored, self.clock.now())
            await uow.commit()
        async with self._lock:
            old = self._providers.pop(tenant_id, None)
        if old is not None:
            await old[1].close()
        if config.provider == "smpp":
            await self.provider(tenant_id, config)
        return config

    async def provider(self, tenant_id: str, config: SmsConfig) -> SmsProvider:
        async with self._lock:
            held = self._providers.get(tenant_id)
            if held is not None and held[0] == config:
                return held[1]
            if held is not None:
                await held[1].close()
            provider = self.factory(
                tenant_id, config, TenantEvents(self, tenant_id, config.provider)
            )
            self._providers[tenant_id] = (config, provider)
            return provider

    # -- sending --
    async def send(
        self,
        tenant_id: str,
        to: str,
        *,
        text: str | None = None,
        template: str | None = None,
        values: Mapping[str, str] | None = None,
        language: str = "zh-CN",
        sender: str | None = None,
        purpose: str = "message",
        reference: str | None = None,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """Send a text (or a template in `language`); returns the stored message. Raises
        `SmsOptedOut` for a number on the opt-out list (the refusal is stored too)."""
        config = await self.config(tenant_id)
        number = normalise_number(to)
        if template is not None:
            text = render(config.templates, template, language, values or {})
        if not text or not text.strip():
            raise SmsInvalid("sms.text.empty", "text")
        if sender is None:
            sender = config.default_sender
        elif sender not in config.sender_ids:
            raise SmsInvalid("sms.sender.unknown", "sender", sender=sender)
        now = self.clock.now()
        message_id = new_id(now)
        row = {
            "id": message_id, "tenant_id": tenant_id, "direction": Direction.OUT.value,
            "status": SmsStatus.QUEUED.value, "provider": config.provider, "sender": sender,
            "recipient": number, "text": text, "encoding": None, "parts": 0,
            "purpose": purpose, "reference": reference, "user_id": user_id, "error": None,
            "created_at": now, "updated_at": now, "delivered_at": None,
        }  # fmt: skip
        async with self.uow() as uow:
            repo = SqlSms(uow.conn)
            refused = await repo.opted_out(tenant_id, number)
            if refused:
                row["status"] = SmsStatus.REFUSED.value
                row["error"] = "opted out"
            await repo.add_message(row)
            await uow.commit()
        if refused:
            raise SmsOptedOut(number)
        provider = await self.provider(tenant_id, config)
        outbound = OutboundSms(
            to=number, sender=sender, text=text, reference=_reference(message_id),
            message_id=message_id,
        )  # fmt: skip
        try:
            result = await provider.send(outbound)
        except SmsProviderError as e:
            await self._finish(tenant_id, row, status=SmsStatus.FAILED, error=e.details["reason"])
            raise
        return await self._finish(
            tenant_id, row, status=SmsStatus.SENT, ids=result.provider_ids,
            parts=result.parts, encoding=result.encoding,
        )  # fmt: skip

    async def _finish(
        self,
        tenant_id: str,
        row: dict[str, Any],
        *,
        status: SmsStatus,
        ids: tuple[str, ...] = (),
        parts: int = 0,
        encoding: str | None = None,
        error: str | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        changes = {
            "status": status.value, "parts": parts, "encoding": encoding, "error": error,
            "updated_at": now,
        }  # fmt: skip
        async with self.uow() as uow:
            repo = SqlSms(uow.conn)
            await repo.update_message(tenant_id, row["id"], changes)
            for number, provider_id in enumerate(ids, start=1):
                await repo.add_part(
                    {
                        "tenant_id": tenant_id, "provider": row["provider"],
                        "provider_id": provider_id, "message_id": row["id"], "part": number,
                        "status": SmsStatus.SENT.value, "error": None, "updated_at": now,
                    }
                )  # fmt: skip
            uow.emit(
                SmsSent(
                    tenant_id=tenant_id, at=now, message_id=row["id"], to=row["recipient"],
                    sender=row["sender"], purpose=row["purpose"], reference=row["reference"],
                    status=status.value, parts=parts,
                )
            )  # fmt: skip
            await uow.commit()
        for provider_id in ids:
            early = self._early.pop((tenant_id, row["provider"], provider_id), None)
            if early is not None:
                await self.receipt(tenant_id, row["provider"], early)
        return {**row, **changes}

    # -- receiving --
    async def inbound(self, tenant_id: str, sms: InboundSms) -> dict[str, Any]:
        """Store a received message (once per provider id), honour an opt-out word, then
        hand it to the inbox."""
        config = await self.config(tenant_id)
        now = self.clock.now()
        keyword = classify(sms.text, config.opt_out_words, config.resume_words)
        async with self.uow() as uow:
            repo = SqlSms(uow.conn)
            for provider_id in sms.provider_ids[:1]:
                seen = await repo.part(tenant_id, sms.provider, provider_id)
                if seen is not None:
                    known = await repo.message(tenant_id, seen["message_id"])
                    assert known is not None
                    return known
            message_id = new_id(now)
            row = {
                "id": message_id, "tenant_id": tenant_id, "direction": Direction.IN.value,
                "status": SmsStatus.RECEIVED.value, "provider": sms.provider,
                "sender": sms.sender, "recipient": sms.recipient, "text": sms.text,
                "encoding": None, "parts": sms.parts, "purpose": "inbound",
                "reference": keyword.value if keyword is not Keyword.NONE else None,
                "user_id": None, "error": None, "created_at": now, "updated_at": now,
                "delivered_at": None,
            }  # fmt: skip
            await repo.add_message(row)
            for number, provider_id in enumerate(sms.provider_ids, start=1):
                await repo.add_part(
                    {
                        "tenant_id": tenant_id, "provider": sms.provider,
                        "provider_id": provider_id, "message_id": message_id, "part": number,
                        "status": SmsStatus.RECEIVED.value, "error": None, "updated_at": now,
                    }
                )  # fmt: skip
            uow.emit(
                SmsReceived(
                    tenant_id=tenant_id, at=now, message_id=message_id, sender=sms.sender,
                    recipient=sms.recipient, text=sms.text, parts=sms.parts,
                )
            )  # fmt: skip
            number_ = _loose_number(sms.sender)
            if keyword is Keyword.OPT_OUT:
                if await repo.opt_out(
                    tenant_id, number_, source="keyword", word=normalise(sms.text), now=now
                ):
                    uow.emit(OptOutEvent(tenant_id=tenant_id, at=now, number=number_,
                                         opted_out=True, word=normalise(sms.text)))  # fmt: skip
            elif keyword is Keyword.RESUME and await repo.opt_in(tenant_id, number_):
                uow.emit(OptOutEvent(tenant_id=tenant_id, at=now, number=number_,
                                     opted_out=False, word=normalise(sms.text)))  # fmt: skip
            await uow.commit()
        if self.inbox is not None and keyword is Keyword.NONE:
            await self.inbox.receive(tenant_id, sms)
        return row

    async def receipt(self, tenant_id: str, provider: str, receipt: DeliveryReceipt) -> bool:
        """Apply a delivery receipt; False when its part is not (yet) known."""
        async with self.uow() as uow:
            repo = SqlSms(uow.conn)
            part = await repo.part(tenant_id, provider, receipt.provider_id)
            if part is None:
                self._early[(tenant_id, provider, receipt.provider_id)] = receipt
                return False
            await repo.update_part(
                tenant_id, provider, receipt.provider_id,
                {"status": receipt.status.value, "error": receipt.error,
                 "updated_at": receipt.at},
            )  # fmt: skip
            parts = await repo.parts_of(part["message_id"])
            statuses = {p["status"] for p in parts}
            changes: dict[str, Any] = {"updated_at": receipt.at}
            if SmsStatus.FAILED.value in statuses:
                changes.update(status=SmsStatus.FAILED.value, error=receipt.error or "failed")
            elif statuses == {SmsStatus.DELIVERED.value}:
                changes.update(status=SmsStatus.DELIVERED.value, delivered_at=receipt.at)
            await repo.update_message(tenant_id, part["message_id"], changes)
            await uow.commit()
        return True

    # -- opt-out list (admin) --
    async def opt_outs(self, tenant_id: str) -> list[dict[str, Any]]:
        async with self.uow(write=False) as uow:
            return await SqlSms(uow.conn).opt_outs(tenant_id)

    async def set_opt_out(self, tenant_id: str, number: str, opted_out: bool) -> None:
        number = normalise_number(number)
        now = self.clock.now()
        async with self.uow() as uow:
            repo = SqlSms(uow.conn)
            changed = (
                await repo.opt_out(tenant_id, number, source="admin", word=None, now=now)
                if opted_out
                else await repo.opt_in(tenant_id, number)
            )
            if changed:
                uow.emit(OptOutEvent(tenant_id=tenant_id, at=now, number=number,
                                     opted_out=opted_out, word=None))  # fmt: skip
            await uow.commit()

    async def messages(
        self, tenant_id: str, *, number: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        async with self.uow(write=False) as uow:
            return await SqlSms(uow.conn).messages(tenant_id, number=number, limit=limit)


def _loose_number(number: str) -> str:
    """A sender as the opt-out list keeps it (the send side's form), or as given."""
    try:
        return normalise_number(number)
    except SmsInvalid:
        return number
