"""Imports, their problem reports and saved mappings (`hotline.imports.ports.ImportRepository`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.imports.model import Problem
from hotline.store.auth_repo import SqlAudit
from hotline.store.ops_tables import import_mappings, import_problems, imports
from hotline.store.rows import count, row_dict

__all__ = ["SqlImports"]

_RUNNING = ("checking", "importing")


def _problem(row: Any) -> Problem:
    return Problem(
        int(row.row), str(row.column_name), str(row.value), str(row.code), dict(row.params or {})
    )


class SqlImports:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(imports).values(**values))

    async def get(self, tenant_id: str, import_id: str) -> dict[str, Any] | None:
        q = select(imports).where(imports.c.tenant_id == tenant_id, imports.c.id == import_id)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def update(self, tenant_id: str, import_id: str, values: dict[str, Any]) -> None:
        known = {k: v for k, v in values.items() if k in imports.c}
        await self.conn.execute(
            update(imports)
            .where(imports.c.tenant_id == tenant_id, imports.c.id == import_id)
            .values(**known)
        )

    async def delete(self, tenant_id: str, import_id: str) -> None:
        await self.clear_problems(tenant_id, import_id)
        await self.conn.execute(
            delete(imports).where(imports.c.tenant_id == tenant_id, imports.c.id == import_id)
        )

    async def page(
        self, tenant_id: str, *, target: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        q = select(imports).where(imports.c.tenant_id == tenant_id)
        if target:
            q = q.where(imports.c.target == target)
        total = await count(self.conn, q)
        rows = await self.conn.execute(
            q.order_by(imports.c.created_at.desc(), imports.c.id.desc()).limit(limit).offset(offset)
        )
        return [row_dict(r) for r in rows], total

    async def running(self) -> list[dict[str, Any]]:
        q = select(imports).where(imports.c.status.in_(_RUNNING))
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def clear_problems(self, tenant_id: str, import_id: str) -> None:
        await self.conn.execute(
            delete(import_problems).where(
                import_problems.c.tenant_id == tenant_id, import_problems.c.import_id == import_id
            )
        )

    async def add_problems(
        self, tenant_id: str, import_id: str, problems: Sequence[Problem]
    ) -> None:
        if not problems:
            return
        await self.conn.execute(
            insert(import_problems),
            [
                {
                    "import_id": import_id,
                    "tenant_id": tenant_id,
                    "row": p.row,
                    "column_name": p.column[:255],
                    "value": p.value,
                    "code": p.code,
                    "params": dict(p.params),
                }
                for p in problems
            ],
        )

    def _problems_query(self, tenant_id: str, import_id: str) -> Any:
        return select(import_problems).where(
            import_problems.c.tenant_id == tenant_id, import_problems.c.import_id == import_id
        )

    async def problems(
        self, tenant_id: str, import_id: str, *, limit: int, offset: int
    ) -> tuple[list[Problem], int]:
        q = self._problems_query(tenant_id, import_id)
        total = await count(self.conn, q)
        ordered = q.order_by(import_problems.c.row, import_problems.c.id).limit(limit)
        rows = await self.conn.execute(ordered.offset(offset))
        return [_problem(r) for r in rows], total

    async def iter_problems(
        self, tenant_id: str, import_id: str, batch: int
    ) -> AsyncIterator[list[Problem]]:
        # Keyset pages on (row, id): no cursor held open between batches.
        last = (-1, -1)
        while True:
            q = self._problems_query(tenant_id, import_id).where(
                (import_problems.c.row > last[0])
                | ((import_problems.c.row == last[0]) & (import_problems.c.id > last[1]))
            )
            rows = list(
                await self.conn.execute(
                    q.order_by(import_problems.c.row, import_problems.c.id).limit(batch)
                )
            )
            if not rows:
                return
            last = (int(rows[-1].row), int(rows[-1].id))
            yield [_problem(r) for r in rows]

    async def audit(self, values: dict[str, Any]) -> None:
        await SqlAudit(self.conn).add(values)

    # -- saved mappings ------------------------------------------------------------------------

    async def mappings(self, tenant_id: str, target: str | None) -> list[dict[str, Any]]:
        q = select(import_mappings).where(import_mappings.c.tenant_id == tenant_id)
        if target:
            q = q.where(import_mappings.c.target == target)
        rows = await self.conn.execute(
            q.order_by(import_mappings.c.updated_at.desc(), import_mappings.c.name)
        )
        return [row_dict(r) for r in rows]

    async def mapping(self, tenant_id: str, target: str, name: str) -> dict[str, Any] | None:
        q = select(import_mappings).where(
            import_mappings.c.tenant_id == tenant_id,
            import_mappings.c.target == target,
            func.lower(import_mappings.c.name) == name.lower(),
        )
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def save_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        existing = await self.mapping(values["tenant_id"], values["target"], values["name"])
        if existing is None:
            await self.conn.execute(insert(import_mappings).values(**values))
            return values
        changed = {"columns": values["columns"], "updated_at": values["updated_at"]}
        await self.conn.execute(
            update(import_mappings).where(import_mappings.c.id == existing["id"]).values(**changed)
        )
        return {**existing, **changed}

    async def delete_mapping(self, tenant_id: str, mapping_id: str) -> bool:
        result = await self.conn.execute(
            delete(import_mappings).where(
                import_mappings.c.tenant_id == tenant_id, import_mappings.c.id == mapping_id
            )
        )
        return bool(result.rowcount)
