"""Webhook deliveries on the job host.

`WebhookDispatcher.catch_up(tenant)` reads the event log after each active webhook's cursor
and, in one transaction, writes a delivery row and a `webhooks.deliver` job per wanted event
and moves the cursor — so an event is queued exactly once, also across restarts. It runs when
the bus publishes a tenant's event and at start.

`WebhookDelivery` (the job) POSTs the signed body through the egress guard. A non-2xx answer
or a network error raises, and the host retries with backoff; the last attempt's failure
marks the delivery `dead` (the dead-letter list) instead of raising. Redelivery moves the
same job back to pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.egress import EgressPolicy, EgressRefused, guarded_client
from hotline.ids import new_id
from hotline.jobs import JobContext, Jobs
from hotline.store.engine import WRITE
from hotline.store.webhooks_repo import SqlWebhooks
from hotline.vault.secrets import SecretBox
from hotline.webhooks.patterns import wants
from hotline.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = [
    "DELIVER_KIND",
    "SECRET_PURPOSE",
    "WebhookDelivery",
    "WebhookDispatcher",
    "delivery_key",
]

SECRET_PURPOSE = "webhook.secret"
"""What a webhook's stored secret is, to the vault (sealed at rest, opened to sign)."""

log = logging.getLogger(__name__)

DELIVER_KIND = "webhooks.deliver"
_BATCH = 500
# After a tenant's event the follower lets more gather this long before its catch-up (one
# write transaction whatever it finds): under load a tenth of a second of calls at once.
GATHER_S = 0.1


def delivery_key(delivery_id: str) -> str:
    return f"webhook:{delivery_id}"


def _body(event: dict[str, Any]) -> str:
    return json.dumps(
        {
            "type": event["type"],
            "seq": event["seq"],
            "at": event["at"],
            "tenant_id": event["tenant_id"],
            "interaction_id": event["interaction_id"],
            "agent_id": event["agent_id"],
            "data": event["payload"],
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


async def queue_deliveries(conn: AsyncConnection, tenant_id: str, now: float, attempts: int) -> int:
    """Queue the deliveries of one tenant's new events; returns how many (one transaction)."""
    repo = SqlWebhooks(conn)
    queued = 0
    for hook in await repo.webhooks(tenant_id, active_only=True):
        cursor = int(hook["cursor_seq"])
        while True:
            batch = await repo.events_after(tenant_id, cursor, _BATCH)
            if not batch:
                break
            for event in batch:
                if not wants(hook["event_types"], event["type"]):
                    continue
                delivery_id = new_id(now)
                await repo.add_delivery(
                    {
                        "id": delivery_id, "tenant_id": tenant_id, "webhook_id": hook["id"],
                        "event_seq": event["seq"], "event_type": event["type"],
                        "body": _body(event), "state": "pending", "attempts": 0,
                        "created_at": now,
                    }
                )  # fmt: skip
                await Jobs(conn).schedule(
                    DELIVER_KIND, due_at=now, now=now, tenant_id=tenant_id,
                    payload={"delivery_id": delivery_id}, key=delivery_key(delivery_id),
                    max_attempts=attempts,
                )  # fmt: skip
                queued += 1
            cursor = int(batch[-1]["seq"])
        await repo.update_webhook(tenant_id, hook["id"], {"cursor_seq": cursor})
    return queued


class WebhookDispatcher:
    """Follows the bus: a tenant's new events queue its webhooks' deliveries."""

    def __init__(
        self, engine: AsyncEngine, bus: EventBus, clock: Clock, *, attempts: int,
        wake: Any = None, gather_s: float = GATHER_S,
    ) -> None:  # fmt: skip
        self.engine = engine
        self.gather_s = gather_s
        self.bus = bus
        self.clock = clock
        self.attempts = attempts
        self.wake = wake
        self._task: asyncio.Task[None] | None = None

    async def catch_up(self, tenant_id: str) -> int:
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            queued = await queue_deliveries(conn, tenant_id, self.clock.now(), self.attempts)
            await conn.commit()
        if queued and self.wake is not None:
            self.wake()
        return queued

    async def start(self) -> None:
        async with self.engine.connect() as conn:
            hooks = await SqlWebhooks(conn).webhooks(None, active_only=True)
        for tenant in {str(h["tenant_id"]) for h in hooks}:
            await self.catch_up(tenant)
        self._task = asyncio.create_task(self._follow(), name="webhooks.follow")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        """One catch-up per tenant for all that is queued, not one per record: a catch-up
        reads the log from each webhook's cursor anyway, and one write transaction per event
        fell behind the calls' events (issue 14: thousands of records waiting in this queue,
        alive until taken, and a database connection taken per record)."""
        subscription = self.bus.subscribe()
        while True:
            tenants: set[str] = set()
            record = await subscription.get()
            if self.gather_s > 0:
                await asyncio.sleep(self.gather_s)
            while True:
                if not record.type.startswith("webhook."):
                    tenants.add(record.tenant_id)
                if not subscription.has_pending():
                    break
                record = await subscription.get()
            for tenant_id in sorted(tenants):
                try:
                    await self.catch_up(tenant_id)
                except Exception:  # the next event or the start catches up
                    log.exception("webhooks: queueing deliveries of %s failed", tenant_id)


class WebhookDelivery:
    """Handler of `webhooks.deliver`."""

    def __init__(
        self, policy: EgressPolicy, secrets: SecretBox, *, attempts: int, timeout_s: float = 10.0
    ) -> None:
        self.policy = policy
        self.secrets = secrets
        self.attempts = attempts  # as registered: `Retry(max_attempts=attempts)`
        self.timeout_s = timeout_s

    async def __call__(self, ctx: JobContext) -> None:
        repo = SqlWebhooks(ctx.conn)
        delivery = await repo.delivery(ctx.tenant_id, str(ctx.payload["delivery_id"]))
        if delivery is None or delivery["state"] != "pending":
            return
        hook = await repo.webhook(ctx.tenant_id, delivery["webhook_id"])
        if hook is None:
            return
        body = delivery["body"].encode()
        timestamp = int(ctx.now)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Hotline-Webhook/1",
            "X-Hotline-Event": delivery["event_type"],
            "X-Hotline-Delivery": delivery["id"],
            "Idempotency-Key": delivery["id"],
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(
                self.secrets.open(ctx.tenant_id, SECRET_PURPOSE, hook["secret"]), timestamp, body
            ),
        }
        url = str(hook["url"])

        async def post() -> tuple[int | None, str | None]:
            try:
                async with guarded_client(self.policy, timeout=self.timeout_s) as client:
                    response = await client.post(url, content=body, headers=headers)
            except (httpx.HTTPError, EgressRefused) as problem:
                return None, f"{type(problem).__name__}: {problem}"[:2000]
            code = response.status_code
            return code, None if 200 <= code < 300 else f"HTTP {code}"

        # The peer may take seconds: no transaction is open meanwhile (ADR 0175).
        status, error = await ctx.outside(post)
        values: dict[str, Any] = {"attempts": ctx.attempt, "last_status": status}
        if error is None:
            await repo.set_delivery(
                delivery["id"], {**values, "state": "delivered", "last_error": None,
                                 "finished_at": ctx.now}
            )  # fmt: skip
            return
        if ctx.attempt < self.attempts:
            raise WebhookFailed(error)  # rolled back; the host retries with backoff
        await repo.set_delivery(
            delivery["id"], {**values, "state": "dead", "last_error": error,
                             "finished_at": ctx.now}
        )  # fmt: skip


class WebhookFailed(Exception):
    pass
