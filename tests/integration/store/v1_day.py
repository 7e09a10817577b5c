"""The golden day of version-1 events (tests/data/events-v1), loaded into a database at
revision 0005 as that version's code left it: the tenant, the log, its sequence, the old
interactions projection and its cursor."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.engine import create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import (
    contact_aliases,
    event_sequences,
    events,
    interactions,
    projection_cursors,
    tenants,
)
from tests import dbs

DATA = Path(__file__).resolve().parents[2] / "data" / "events-v1"
TENANT = "t1"
DAY_START = 1795572000.0  # Wednesday 2026-11-25 10:00 Shanghai


def lines(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def by_caller(number: str) -> str:
    """The contact id of the day's call from `number` (its first, for the callbacks' numbers)."""
    for record in lines("day.jsonl"):
        payload = record["payload"]
        if record["type"] == "interaction.created" and payload.get("caller_number") == number:
            return str(record["interaction_id"])
    raise KeyError(number)


async def load_day(engine: AsyncEngine) -> None:
    """Write the day into a database at revision 0005 (no `v` column yet)."""
    log = lines("day.jsonl")
    async with engine.begin() as conn:
        await conn.execute(
            insert(tenants).values(
                id=TENANT, slug="demo", name="演示中心", language="zh-CN",
                timezone="Asia/Shanghai", region="CN", sip_domain="demo.hotline.test",
                created_at=DAY_START - 86400, updated_at=DAY_START - 86400,
            )
        )  # fmt: skip
        await conn.execute(insert(events), log)
        await conn.execute(
            insert(event_sequences).values(tenant_id=TENANT, last_seq=log[-1]["seq"])
        )
        await conn.execute(insert(interactions), lines("day.interactions.jsonl"))
        await conn.execute(insert(projection_cursors), lines("day.cursors.jsonl"))


@asynccontextmanager
async def database_at_0005(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh database at revision 0005 of the parametrised kind (SQLite or PostgreSQL)."""
    if database_url.startswith("sqlite"):
        url, drop = database_url, None
    else:
        url = await dbs.new_pg_database("0005")
        drop = url
    engine = create_engine(url)
    try:
        if drop is None:
            await migrate(engine, "0005")
        yield engine
    finally:
        await engine.dispose()
        if drop is not None:
            await dbs.drop_pg_database_async(drop)


async def add_day_to(engine: AsyncEngine, tenant_id: str, agents: dict[str, str]) -> None:
    """Append the day to a database already at head (a demo center's), as version-1 records of
    `tenant_id` with the day's agents `a1`… renamed to `agents`, and their consultations'
    aliases as migration 0011 would have found them."""

    def agent(value: Any) -> Any:
        return agents.get(value, value) if isinstance(value, str) else value

    async with engine.begin() as conn:
        last = int(
            await conn.scalar(
                select(event_sequences.c.last_seq).where(event_sequences.c.tenant_id == tenant_id)
            )
            or 0
        )
        rows = []
        for record in lines("day.jsonl"):
            payload = {k: agent(v) for k, v in record["payload"].items()}
            rows.append(
                {
                    **record,
                    "tenant_id": tenant_id,
                    "seq": last + record["seq"],
                    "agent_id": agent(record["agent_id"]),
                    "payload": payload,
                }
            )
        await conn.execute(insert(events), rows)  # no `v`: the column's default, 1
        await conn.execute(
            update(event_sequences)
            .where(event_sequences.c.tenant_id == tenant_id)
            .values(last_seq=rows[-1]["seq"])
        )
        aliases = [
            {
                "tenant_id": tenant_id,
                "alias_id": r["interaction_id"],
                "contact_id": r["payload"]["parent_interaction_id"],
                "agent_id": r["agent_id"],
            }
            for r in rows
            if r["type"] == "interaction.created" and r["payload"].get("parent_interaction_id")
        ]
        await conn.execute(insert(contact_aliases), aliases)
