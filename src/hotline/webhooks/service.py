"""A center's webhooks: create (with a generated secret shown once), change, delete; the
deliveries and the dead-letter list; redelivery of a delivery on the job host."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.clock import Clock
from hotline.ids import new_id
from hotline.jobs import Jobs
from hotline.store.webhooks_repo import SqlWebhooks
from hotline.tickets.errors import TicketConflict, TicketInvalid, TicketNotFound
from hotline.vault.secrets import SecretBox
from hotline.webhooks.delivery import DELIVER_KIND, SECRET_PURPOSE, delivery_key
from hotline.webhooks.patterns import EVENT_FAMILIES

__all__ = ["WebhookIn", "WebhookService"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=1000)]
    event_types: list[Annotated[str, StringConstraints(min_length=2, max_length=64)]] = Field(
        default_factory=lambda: ["ticket.*"], max_length=50
    )
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None
    active: bool = True


def _view(row: dict[str, Any], *, with_secret: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "secret"}
    if with_secret:
        out["secret"] = row["secret"]
    return out


class WebhookService:
    def __init__(
        self,
        conn: AsyncConnection,
        *,
        tenant_id: str,
        clock: Clock,
        attempts: int,
        secrets: SecretBox,
    ) -> None:
        self.repo = SqlWebhooks(conn)
        self.secrets = secrets
        self.conn = conn
        self.tenant = tenant_id
        self.clock = clock
        self.attempts = attempts

    def _check(self, data: WebhookIn) -> None:
        if not data.url.lower().startswith(("http://", "https://")):
            raise TicketInvalid("webhook.url.invalid", "url")
        for n, pattern in enumerate(data.event_types):
            if not pattern.startswith(EVENT_FAMILIES):
                raise TicketInvalid("webhook.events.invalid", f"event_types[{n}]", value=pattern)
        if not data.event_types:
            raise TicketInvalid("webhook.events.invalid", "event_types")

    async def all(self) -> list[dict[str, Any]]:
        return [_view(r) for r in await self.repo.webhooks(self.tenant)]

    async def get(self, webhook_id: str) -> dict[str, Any]:
        row = await self.repo.webhook(self.tenant, webhook_id)
        if row is None:
            raise TicketNotFound("webhook", webhook_id)
        return row

    async def _unique(self, name: str, webhook_id: str | None) -> None:
        for row in await self.repo.webhooks(self.tenant):
            if row["name"] == name and row["id"] != webhook_id:
                raise TicketConflict(
                    "webhook.duplicate", "This name or code is already in use.", field="name"
                )

    async def create(self, data: WebhookIn) -> dict[str, Any]:
        self._check(data)
        await self._unique(data.name, None)
        now = self.clock.now()
        secret = data.secret or secrets.token_urlsafe(32)
        row = {
            "id": new_id(now), "tenant_id": self.tenant, "name": data.name, "url": data.url,
            "secret": self.secrets.seal(self.tenant, SECRET_PURPOSE, secret),
            "event_types": data.event_types, "active": data.active,
            # Events from now on: a new webhook does not replay the center's history.
            "cursor_seq": await self.repo.last_seq(self.tenant),
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        await self.repo.add_webhook(row)
        return _view({**row, "secret": secret}, with_secret=True)  # shown this once

    async def update(self, webhook_id: str, data: WebhookIn) -> dict[str, Any]:
        self._check(data)
        before = await self.get(webhook_id)
        await self._unique(data.name, webhook_id)
        values: dict[str, Any] = {
            "name": data.name, "url": data.url, "event_types": data.event_types,
            "active": data.active, "updated_at": self.clock.now(),
        }  # fmt: skip
        if data.secret:
            values["secret"] = self.secrets.seal(self.tenant, SECRET_PURPOSE, data.secret)
        if data.active and not before["active"]:
            values["cursor_seq"] = await self.repo.last_seq(self.tenant)
        await self.repo.update_webhook(self.tenant, webhook_id, values)
        return _view(await self.get(webhook_id))

    async def delete(self, webhook_id: str) -> None:
        await self.get(webhook_id)
        await self.repo.delete_webhook(self.tenant, webhook_id)

    async def deliveries(
        self, *, state: str | None, webhook_id: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        return await self.repo.deliveries(
            self.tenant, state=state, webhook_id=webhook_id, limit=limit, offset=offset
        )

    async def redeliver(self, delivery_id: str) -> dict[str, Any]:
        row = await self.repo.delivery(self.tenant, delivery_id)
        if row is None:
            raise TicketNotFound("delivery", delivery_id)
        now = self.clock.now()
        await self.repo.set_delivery(
            delivery_id, {"state": "pending", "last_error": None, "finished_at": None}
        )
        await Jobs(self.conn).schedule(
            DELIVER_KIND, due_at=now, now=now, tenant_id=self.tenant,
            payload={"delivery_id": delivery_id}, key=delivery_key(delivery_id),
            max_attempts=self.attempts,
        )  # fmt: skip
        found = await self.repo.delivery(self.tenant, delivery_id)
        assert found is not None
        return found
