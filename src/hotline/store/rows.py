"""Small helpers shared by the SQL repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["count", "row_dict"]


def row_dict(row: Any) -> dict[str, Any]:
    mapping: Mapping[str, Any] = row._mapping
    return dict(mapping)


async def count(conn: AsyncConnection, query: Select[Any]) -> int:
    total = await conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return int(total or 0)
