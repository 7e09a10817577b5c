"""Text messages on SQL (`hotline.channels.text.MessageStore`). Unlike the domain repositories
this one commits messages itself: a message is acknowledged to its sender only once it is kept
(DESIGN §3.3), whatever else the request does.

Writes are group-committed (ADR 0195): every `append` joins a queue that one writer drains a
batch at a time — one connection and one transaction per batch, however many visitors are
writing — so a burst of messages never holds more than one pooled connection, and each
caller's future resolves only after its batch is committed. The writer may have an engine of
its own (`writer`, one connection): then storing a message never waits on the pool the rest
of the server shares. Within a batch a repeat of a
sender's `client_id` (stored before, or earlier in the same batch) is answered with the first.
Writers on two nodes race on the unique `seq` (or `client_id`); the loser's batch reads and
retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.channels.text.model import Attachment, Message, NewMessage, Sender
from hotline.ids import AgentId, InteractionId, new_id
from hotline.store.engine import WRITE
from hotline.store.message_tables import text_messages

__all__ = ["SqlMessageStore"]

log = logging.getLogger(__name__)

_RETRIES = 10
_t = text_messages.c
# The sender's idempotency key: who wrote in which conversation, under which client id.
_Key = tuple[str, str, str, str]
_Pending = tuple[NewMessage, float, "asyncio.Future[tuple[Message, bool]]"]


class SqlMessageStore:
    def __init__(
        self, engine: AsyncEngine, *, writer: AsyncEngine | None = None, max_batch: int = 200
    ) -> None:
        self._engine = engine
        self._writer_engine = writer or engine
        self._max_batch = max_batch
        self._queue: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # committed batches (what the bench and the tests read)
        self.appended = 0  # messages stored new

    async def append(self, message: NewMessage, *, at: float) -> tuple[Message, bool]:
        future: asyncio.Future[tuple[Message, bool]] = asyncio.get_running_loop().create_future()
        self._queue.append((message, at, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="text-message-writer")
        return await future

    async def _drain(self) -> None:
        """Write what is queued, a batch at a time, until nothing is (then the task ends)."""
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                results = await self._write(batch)
            except Exception as error:  # noqa: BLE001 - handed to each caller, not swallowed
                log.warning("storing %d text messages failed: %s", len(batch), error)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, _, future), result in zip(batch, results, strict=True):
                if not future.done():  # a caller gone (its socket closed) is not told
                    future.set_result(result)

    async def _write(self, batch: list[_Pending]) -> list[tuple[Message, bool]]:
        for attempt in range(_RETRIES):
            try:
                async with self._writer_engine.connect() as conn:
                    conn = await conn.execution_options(**WRITE)
                    async with conn.begin():
                        results, rows = await self._place(conn, batch)
                        if rows:
                            await conn.execute(insert(text_messages), rows)
            except IntegrityError:
                if attempt == _RETRIES - 1:
                    raise
                continue  # another node wrote to one of these conversations: read again
            self.batches += 1
            self.appended += len(rows)
            return results
        raise AssertionError("unreachable")

    async def _place(
        self, conn: AsyncConnection, batch: list[_Pending]
    ) -> tuple[list[tuple[Message, bool]], list[dict[str, Any]]]:
        """Each message of the batch: the one already stored under its client id, or a new
        one numbered after its conversation's last (and the rows to insert)."""
        tenants = {m.tenant_id for m, _, _ in batch}
        contacts = {m.contact_id for m, _, _ in batch}
        known: dict[_Key, Message] = {}
        for row in await conn.execute(
            select(text_messages).where(
                _t.tenant_id.in_(tenants),
                _t.interaction_id.in_(contacts),
                _t.client_id.in_({m.client_id for m, _, _ in batch}),
            )
        ):
            kept = _message(row._mapping)
            known[(kept.tenant_id, kept.contact_id, kept.sender.value, kept.client_id)] = kept
        last: dict[tuple[str, str], int] = {
            (row.tenant_id, row.interaction_id): int(row.seq)
            for row in await conn.execute(
                select(_t.tenant_id, _t.interaction_id, func.max(_t.seq).label("seq"))
                .where(_t.tenant_id.in_(tenants), _t.interaction_id.in_(contacts))
                .group_by(_t.tenant_id, _t.interaction_id)
            )
        }
        results: list[tuple[Message, bool]] = []
        rows: list[dict[str, Any]] = []
        for message, at, _ in batch:
            key = (message.tenant_id, message.contact_id, message.sender.value, message.client_id)
            old = known.get(key)
            if old is not None:
                results.append((old, False))
                continue
            conversation = (message.tenant_id, message.contact_id)
            seq = last[conversation] = last.get(conversation, 0) + 1
            stored = Message(
                new_id(at),
                message.tenant_id,
                message.contact_id,
                seq,
                message.sender,
                message.client_id,
                message.body,
                at,
                message.agent_id,
                message.attachment,
            )
            known[key] = stored
            rows.append(_row(stored))
            results.append((stored, True))
        return results, rows

    async def history(
        self, tenant_id: str, contact_id: InteractionId, *, after_seq: int = 0
    ) -> Sequence[Message]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(text_messages)
                .where(
                    _t.tenant_id == tenant_id,
                    _t.interaction_id == contact_id,
                    _t.seq > after_seq,
                )
                .order_by(_t.seq)
            )
            return [_message(r._mapping) for r in rows]


def _row(m: Message) -> dict[str, Any]:
    a = m.attachment
    return {
        "id": m.message_id,
        "tenant_id": m.tenant_id,
        "interaction_id": m.contact_id,
        "seq": m.seq,
        "sender": m.sender.value,
        "client_id": m.client_id,
        "agent_id": m.agent_id,
        "body": m.body,
        "attachment": (
            null()
            if a is None
            else {"id": a.attachment_id, "name": a.name, "content_type": a.content_type,
                  "size": a.size}
        ),
        "created_at": m.at,
    }  # fmt: skip


def _message(row: Any) -> Message:
    a = row["attachment"]
    return Message(
        row["id"],
        row["tenant_id"],
        InteractionId(row["interaction_id"]),
        row["seq"],
        Sender(row["sender"]),
        row["client_id"],
        row["body"],
        row["created_at"],
        AgentId(row["agent_id"]) if row["agent_id"] else None,
        Attachment(a["id"], a["name"], a["content_type"], int(a["size"])) if a else None,
    )
