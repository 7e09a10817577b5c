"""Small helpers shared by the SQL repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["count", "row_dict", "text_contains"]


def row_dict(row: Any) -> dict[str, Any]:
    mapping: Mapping[str, Any] = row._mapping
    return dict(mapping)


async def count(conn: AsyncConnection, query: Select[Any]) -> int:
    total = await conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return int(total or 0)


def text_contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive "column contains text", where `%` and `_` are plain characters (a
    search for "100%" finds "100%", not every row)."""
    condition: ColumnElement[bool] = column.icontains(text, autoescape=True)
    return condition
