"""Interval facts in the database (issue 16): the golden day written by the log's own writer
and rolled up on SQLite and PostgreSQL gives the same facts as the pure rollup, in any batch
size; a rebuild (whole, or from a date) gives byte-identical facts; a `kill -9` in the middle
of a rollup loses and double-counts nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.reports.measures import MEASURES
from hotline.store.engine import WRITE, create_engine
from hotline.store.eventlog import write_events
from hotline.store.migrate import migrate
from hotline.store.report_rollup import CURSOR, ReportRollup, dump_facts
from hotline.store.tables import projection_cursors
from tests.unit.reports.golden_day import golden_day
from tests.unit.reports.test_golden_day import _EVENTS, THURSDAY, WEDNESDAY, rolled_up

TENANT = "t1"
ROOT = Path(__file__).resolve().parents[3]


async def write_day(engine: AsyncEngine, tmp: Path) -> None:
    if not _EVENTS:
        _EVENTS.extend(await golden_day(tmp))
    async with engine.connect() as conn:
        conn = await conn.execution_options(**WRITE)
        async with conn.begin():
            for start in range(0, len(_EVENTS), 500):
                await write_events(conn, _EVENTS[start : start + 500])


async def expected(tmp: Path) -> list[tuple[Any, ...]]:
    """The pure rollup's facts, as rows of the facts table."""
    deltas = await rolled_up(tmp)
    return [
        (TENANT, dim, iv, key, *row)
        for (iv, dim, key), row in sorted(
            deltas.facts.items(), key=lambda i: (i[0][1], i[0][0], i[0][2])
        )
    ]


async def test_the_golden_day_in_the_database_and_rebuilt(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await write_day(engine, tmp_path)
    rollup = ReportRollup(engine, read_batch=97)
    last = await rollup.catch_up(TENANT)
    assert last == len(_EVENTS)
    facts = await dump_facts(engine, TENANT)
    want = await expected(tmp_path)
    assert facts[: len(want)] == want  # the interval facts come first, then the days
    days = {row[2] for row in facts[len(want) :] if len(row) == 4 + len(MEASURES)}
    assert days == {int(WEDNESDAY), int(THURSDAY)}  # the local midnights
    assert await rollup.catch_up(TENANT) == last  # nothing new: nothing counted twice
    assert await dump_facts(engine, TENANT) == facts

    assert await ReportRollup(engine, read_batch=1000).rebuild(TENANT) == last
    assert await dump_facts(engine, TENANT) == facts
    await ReportRollup(engine).rebuild(TENANT, from_interval=int(THURSDAY))
    assert await dump_facts(engine, TENANT) == facts


async def _cursor(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = select(projection_cursors.c.seq).where(
            projection_cursors.c.name == CURSOR, projection_cursors.c.tenant_id == TENANT
        )
        return int(await conn.scalar(query) or 0)


async def test_kill_9_in_the_middle_of_a_rollup_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/kill.db"
    engine = create_engine(url)
    await migrate(engine)
    await write_day(engine, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).with_name("report_rollup_child.py")), url, TENANT,
        stdout=asyncio.subprocess.DEVNULL, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(3000):
            if await _cursor(engine) > len(_EVENTS) // 3:
                break
            await asyncio.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        await asyncio.wait_for(child.wait(), 10)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    killed_at = await _cursor(engine)
    assert 0 < killed_at < len(_EVENTS)
    await ReportRollup(engine, read_batch=50).catch_up(TENANT)  # the restart resumes
    resumed = await dump_facts(engine, TENANT)
    await ReportRollup(engine).rebuild(TENANT)
    assert resumed == await dump_facts(engine, TENANT)
    await engine.dispose()
