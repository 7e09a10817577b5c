"""Migration 0022 makes the numbers table the one route (ADR 0200): a number naming a flow
that is not published takes the active flow that lists it, else none; a number an active flow
lists and nobody owns becomes its center's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.engine import WRITE, create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import dids, flow_active, flow_versions, tenants

T = "01TENANT00000000000000000T"
U = "01TENANT00000000000000000U"


def _center(tid: str, slug: str) -> dict[str, Any]:
    return {"id": tid, "slug": slug, "name": slug, "language": "zh-CN",
            "timezone": "Asia/Shanghai", "region": "CN", "sip_domain": f"{slug}.test",
            "created_at": 0.0, "updated_at": 0.0}  # fmt: skip


def _flow(tid: str, name: str, version: int, numbers: list[str]) -> dict[str, Any]:
    document = {"name": name, "dids": numbers, "start": "bye", "nodes": {"bye": {"type": "hangup"}}}
    return {"tenant_id": tid, "name": name, "version": version, "content_hash": f"h{version}",
            "document": document, "published_at": 0.0}  # fmt: skip


def _number(row_id: str, tid: str, number: str, flow: str) -> dict[str, Any]:
    return {"id": row_id, "tenant_id": tid, "number": number, "flow": flow, "description": "",
            "created_at": 0.0, "updated_at": 0.0}  # fmt: skip


async def test_flow_dids_become_rows_and_no_number_points_at_nothing(tmp_path: Any) -> None:
    engine: AsyncEngine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/old.db")
    try:
        await migrate(engine, "0020")
        async with engine.connect() as raw:
            conn = await raw.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(insert(tenants).values([_center(T, "t"), _center(U, "u")]))
                await conn.execute(insert(flow_versions).values([
                    _flow(T, "main", 1, ["4001"]),
                    _flow(T, "main", 2, ["4001", "4002", "4005"]),  # the active one
                    _flow(T, "night", 1, ["4003"]),
                    _flow(U, "main", 1, ["4004"]),
                ]))  # fmt: skip
                await conn.execute(insert(flow_active).values([
                    {"tenant_id": T, "name": "main", "version": 2, "changed_at": 0.0},
                    {"tenant_id": T, "name": "night", "version": 1, "changed_at": 0.0},
                    {"tenant_id": U, "name": "main", "version": 1, "changed_at": 0.0},
                ]))  # fmt: skip
                await conn.execute(insert(dids).values([
                    _number("N1", T, "4001", "main"),  # fine as it is
                    _number("N2", T, "4002", "gone"),  # missing flow; `main` lists it
                    _number("N3", T, "4009", "gone"),  # missing flow; nobody lists it
                    _number("N4", U, "4005", "gone"),  # another center's `main` lists it: no
                ]))  # fmt: skip
        await migrate(engine)
        async with engine.connect() as conn:
            rows = {
                r.number: (r.tenant_id, r.flow)
                for r in await conn.execute(select(dids.c.number, dids.c.tenant_id, dids.c.flow))
            }
        assert rows == {
            "4001": (T, "main"),
            "4002": (T, "main"),
            "4009": (T, None),
            "4005": (U, None),
            "4003": (T, "night"),  # listed only by a flow: now a row
            "4004": (U, "main"),
        }
    finally:
        await engine.dispose()
