"""Outbound webhooks (issue 17, part 3): a real HTTP receiver on loopback checks the
HMAC-SHA256 signature over the timestamp and the body; a receiver that is down gets retries
with backoff on the job host, then the delivery lands in the dead-letter list, and a
redelivery reaches the receiver once it is back."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.demo import create_tenant
from hotline.egress import EgressPolicy
from hotline.jobs import JobHost, JobHostSettings, Jobs, Retry
from hotline.store.ticket_tables import webhooks
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.events import TicketCreated
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox
from hotline.webhooks import DELIVER_KIND, WebhookDelivery, WebhookDispatcher
from hotline.webhooks.service import WebhookIn, WebhookService
from tests.server import free_port

SECRET = "s3cret-s3cret-s3cret"


class Receiver:
    """An ASGI app under uvicorn on loopback that keeps what it is sent and checks it the
    way a receiver would: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[dict[str, Any]] = []
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        stamp = headers["x-hotline-timestamp"]
        expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        valid = hmac.compare_digest("v1=" + expected.hexdigest(), headers["x-hotline-signature"])
        self.received.append({"valid": valid, "headers": headers, "body": json.loads(body)})
        await send({"type": "http.response.start", "status": 204 if valid else 401,
                    "headers": []})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})

    async def start(self) -> None:
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="error",
                                lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        # Listening before uvicorn runs: a request sent at once waits in the backlog.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        self.task = asyncio.create_task(self.server.serve(sockets=[sock]))

    async def stop(self) -> None:
        assert self.server is not None
        assert self.task is not None
        self.server.should_exit = True
        await self.task


async def test_signed_deliveries_retries_dead_letters_and_redelivery(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    clock = FakeClock()
    box = SecretBox(Keyring(tmp_path / "keys"))
    uows = UnitOfWorkFactory(engine, None)
    tenant = await create_tenant(uows, clock, slug="t", name="t", sip_domain="t.test")
    host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id="test"))
    loopback = EgressPolicy.of(["127.0.0.0/8"])  # the test's receiver is on loopback
    host.register(
        DELIVER_KIND,
        WebhookDelivery(loopback, box, attempts=3, timeout_s=5),
        retry=Retry(max_attempts=3, base_s=10, factor=4, max_s=3600),
    )
    dispatcher = WebhookDispatcher(engine, EventBus(), clock, attempts=3)
    receiver = Receiver()
    await receiver.start()

    async with uows() as uow:
        service = WebhookService(uow.conn, tenant_id=tenant, clock=clock, attempts=3, secrets=box)
        made = await service.create(
            WebhookIn(
                name="crm",
                url=f"http://127.0.0.1:{receiver.port}/hook",
                event_types=["ticket.*"],
                secret=SECRET,
            )
        )
        await uow.commit()
    assert made["secret"] == SECRET  # shown once; stored sealed with the center's key
    async with engine.connect() as conn:
        stored = await conn.scalar(select(webhooks.c.secret))
    assert SECRET not in stored
    assert stored.startswith("sealed:v1:")

    async def ticket_event(number: int) -> None:
        async with uows() as uow:
            uow.emit(
                TicketCreated(
                    tenant_id=tenant, at=clock.now(), ticket_id=f"T{number}", number=number,
                    subject="退货", department="售后部", priority="normal",
                )
            )  # fmt: skip
            await uow.commit()
        assert await dispatcher.catch_up(tenant) == 1
        assert await dispatcher.catch_up(tenant) == 0  # queued once

    await ticket_event(10001)
    assert await host.run_due() == 1
    (first,) = receiver.received
    assert first["valid"]
    assert first["headers"]["x-hotline-event"] == "ticket.created"
    assert first["body"]["data"]["number"] == 10001

    # The receiver goes down: three attempts with backoff, then the dead-letter list.
    await receiver.stop()
    await ticket_event(10002)
    assert await host.run_due() == 1  # attempt 1 fails
    clock.advance(9)
    assert await host.run_due() == 0  # backoff: 10 s
    clock.advance(1)
    assert await host.run_due() == 1  # attempt 2
    clock.advance(40)
    assert await host.run_due() == 1  # attempt 3: dead
    async with uows() as uow:
        service = WebhookService(uow.conn, tenant_id=tenant, clock=clock, attempts=3, secrets=box)
        dead, total = await service.deliveries(state="dead", webhook_id=None, limit=10, offset=0)
        assert total == 1
        assert (dead[0]["attempts"], dead[0]["event_type"]) == (3, "ticket.created")
        assert "ConnectError" in dead[0]["last_error"]
        job = await Jobs(uow.conn).find(tenant, f"webhook:{dead[0]['id']}")
        assert job is not None
        assert job.state == "done"

    # Back up: redelivered from the dead-letter list, with the same delivery id.
    receiver = Receiver(receiver.port)
    await receiver.start()
    try:
        async with uows() as uow:
            service = WebhookService(
                uow.conn, tenant_id=tenant, clock=clock, attempts=3, secrets=box
            )
            again = await service.redeliver(dead[0]["id"])
            await uow.commit()
        assert again["state"] == "pending"
        assert await host.run_due() == 1
    finally:
        await receiver.stop()
    (second,) = receiver.received
    assert second["valid"]
    assert second["headers"]["x-hotline-delivery"] == dead[0]["id"]
    assert second["body"]["data"]["number"] == 10002
    async with uows() as uow:
        service = WebhookService(uow.conn, tenant_id=tenant, clock=clock, attempts=3, secrets=box)
        assert (await service.deliveries(state="dead", webhook_id=None, limit=10, offset=0))[1] == 0
