"""The contact projections written a batch at a time (ADR 0199) are the rows that one record
at a time wrote: a version-1 day of mixed calls (queues, transfers, consultations, voicemail,
surveys, callbacks from the worklist) projected whole, record by record, and in batches of
several sizes; and a projector that dies between batches resumes from its cursor, with the
bus delivering again what it had written, without counting anything twice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.events import EventRecord
from hotline.store.eventlog import SqlEventReader
from hotline.store.interaction_projection import PROJECTED_TABLES, InteractionProjector
from hotline.store.migrate import migrate
from hotline.store.tables import projection_cursors
from tests.integration.store.v1_day import TENANT, database_at_0005, load_day

Tables = dict[str, list[tuple[Any, ...]]]


async def _tables(engine: AsyncEngine) -> Tables:
    out: Tables = {}
    async with engine.connect() as conn:
        for table in PROJECTED_TABLES:
            query = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(r) for r in await conn.execute(query)]
    return out


async def _forget(engine: AsyncEngine) -> None:
    """The projections and their cursor thrown away (the log stays)."""
    async with engine.begin() as conn:
        for table in PROJECTED_TABLES:
            await conn.execute(delete(table))
        await conn.execute(delete(projection_cursors))


async def _in_batches(engine: AsyncEngine, records: list[EventRecord], size: int) -> Tables:
    await _forget(engine)
    projector = InteractionProjector(engine, EventBus())
    for start in range(0, len(records), size):
        await projector.apply_batch(TENANT, records[start : start + size])
    assert projector.applied == len(records)
    return await _tables(engine)


@pytest.fixture
async def day(database_url: str) -> Any:
    async with database_at_0005(database_url) as engine:
        await load_day(engine)
        await migrate(engine)
        records = await SqlEventReader(engine).read_since(TENANT, 0, limit=10_000)
        assert len(records) == 542
        yield engine, records


async def test_a_day_in_batches_is_the_day_one_record_at_a_time(day: Any) -> None:
    engine, records = day
    one_by_one = await _in_batches(engine, records, 1)
    assert len(one_by_one["interactions"]) == 11
    assert all(one_by_one[name] for name in ("work_items", "agent_segments", "worklist"))
    for size in (len(records), 7, 64):
        assert await _in_batches(engine, records, size) == one_by_one, f"batches of {size}"


async def test_a_projector_that_dies_between_batches_resumes_without_counting_twice(
    day: Any,
) -> None:
    engine, records = day
    expected = await _in_batches(engine, records, 1)
    await _forget(engine)

    first = InteractionProjector(engine, EventBus())
    await first.apply_batch(TENANT, records[:200])
    await first.apply_batch(TENANT, records[200:301])
    # the process dies here: what it held in memory is gone with it
    del first

    after = InteractionProjector(engine, EventBus())
    # the bus hands the new process records the old one had written, then the rest
    await after.apply_batch(TENANT, records[250:400])
    await after.apply_batch(TENANT, records[:100])
    assert after.applied == 400 - 301
    assert await after.catch_up(TENANT) == records[-1].seq
    assert after.applied == len(records) - 301
    assert await _tables(engine) == expected
