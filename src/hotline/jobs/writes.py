"""Which statements a firing's connection ran that change data: a firing may let go of its
transaction for outside work (ADR 0175) only while it has written nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["WriteWatch"]

# statements that read or only open/close a transaction
_READS = frozenset({"SELECT", "PRAGMA", "SHOW", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK"})


class WriteWatch:
    """`dirty` turns True at the first statement on `conn` that is not a read."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.dirty = False
        self._sync = conn.sync_connection
        if self._sync is not None:
            event.listen(self._sync, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        words = statement.split(None, 1)
        if words and words[0].upper() not in _READS:
            self.dirty = True

    def close(self) -> None:
        if self._sync is not None and event.contains(
            self._sync, "before_cursor_execute", self._seen
        ):
            event.remove(self._sync, "before_cursor_execute", self._seen)
        self._sync = None
