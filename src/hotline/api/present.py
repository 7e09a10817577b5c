"""JSON presentation of rows: epoch-second `*_at` fields become ISO 8601 UTC strings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Query

__all__ = ["MAX_OFFSET", "Paging", "iso", "page", "present"]

# Offsets past any real table, yet far inside both databases' 64-bit integers.
MAX_OFFSET = 2**31 - 1


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds")


def present(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: iso(v) if k.endswith("_at") and isinstance(v, int | float) else v for k, v in row.items()
    }


class Paging:
    """`?limit=&offset=&q=` on every list."""

    def __init__(
        self,
        limit: int = Query(50, ge=1, le=500, description="page size"),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="rows to skip"),
        q: str | None = Query(None, max_length=200, description="search text"),
    ) -> None:
        self.limit = limit
        self.offset = offset
        self.q = q or None


def page(items: list[dict[str, Any]], total: int, paging: Paging) -> dict[str, Any]:
    return {
        "items": [present(i) for i in items],
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
    }
