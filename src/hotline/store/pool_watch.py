"""`PoolWatch`: whether the database pool has been short of free connections for a while — the
signal to refuse new work (a new chat) before waiting work starts failing on the pool's
time-out. A burst that drains the pool for a moment is not a shortage; a pool short for
longer than `grace_s` is (ADR 0195)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["PoolWatch", "free_connections"]


def free_connections(engine: AsyncEngine, capacity: int) -> int | None:
    """Connections the pool can still hand out of `capacity` (pool_size + max_overflow);
    None for a pool without a bound. New calls (SIP admission) and new chats both ask this."""
    checkedout = getattr(engine.sync_engine.pool, "checkedout", None)
    return None if checkedout is None else capacity - int(checkedout())


class PoolWatch:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        capacity: int,
        min_free: int,
        grace_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._pool = engine.sync_engine.pool
        self._capacity = capacity  # pool_size + max_overflow
        self._min_free = min_free
        self._grace_s = grace_s
        self._monotonic = monotonic
        self._short_since: float | None = None
        self.refused = 0  # new work refused so far (the metrics read it)
        event.listen(self._pool, "checkout", self._changed)
        event.listen(self._pool, "checkin", self._changed)

    @property
    def free(self) -> int | None:
        return free_connections(self._engine, self._capacity)

    def _changed(self, *_: Any) -> None:
        free = self.free
        if free is None or free >= self._min_free:
            self._short_since = None
        elif self._short_since is None:
            self._short_since = self._monotonic()

    def admits(self) -> bool:
        """False while the pool has been short for longer than the grace."""
        self._changed()
        short = self._short_since is not None and (
            self._monotonic() - self._short_since >= self._grace_s
        )
        if short:
            self.refused += 1
        return not short
