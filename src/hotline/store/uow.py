"""Unit of work: one transaction at the edge (API request, CLI command) (DESIGN §3.7).

Repositories receive `uow.conn` and only execute statements; the edge calls `commit()`. Events
emitted during the unit of work are written in the same transaction — a change and its event
land together or not at all — and published on the bus after the commit.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus
from hotline.events import DomainEvent, EventRecord
from hotline.store.engine import WRITE
from hotline.store.eventlog import write_events

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork:
    def __init__(self, engine: AsyncEngine, bus: EventBus | None, *, write: bool = True) -> None:
        self._engine = engine
        self._bus = bus
        self._write = write
        self._conn: AsyncConnection | None = None
        self._events: list[DomainEvent] = []
        self.records: list[EventRecord] = []

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    @property
    def pending_events(self) -> bool:
        """Events emitted and not yet committed."""
        return bool(self._events)

    async def __aenter__(self) -> UnitOfWork:
        # The transaction begins with the first statement (SQLAlchemy's autobegin), so an
        # open-but-unused unit of work holds no lock; on SQLite a writing one then starts with
        # BEGIN IMMEDIATE.
        conn = await self._engine.connect()
        if self._write:
            conn = await conn.execution_options(**WRITE)
        self._conn = conn
        return self

    async def commit(self) -> list[EventRecord]:
        conn = self.conn
        if self._events:
            self.records = await write_events(conn, self._events)
            self._events = []
        if conn.in_transaction():
            await conn.commit()
        if self._bus is not None:
            for record in self.records:
                self._bus.publish(record)
        return self.records

    async def rollback(self) -> None:
        self._events = []
        if self.conn.in_transaction():
            await self.conn.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()


class UnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, bus: EventBus | None) -> None:
        self.engine = engine
        self.bus = bus

    def __call__(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, self.bus, write=write)
