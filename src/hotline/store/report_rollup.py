"""The reports' rollup: interval facts kept from the event log (ADR 0130, docs/metrics.md).

Each batch of records is one transaction that adds the batch's fact deltas, saves the rollup
state the batch changed and moves the `reports` cursor — so a restart (or a `kill -9` in the
middle) resumes at the cursor with the state that goes with it: nothing lost, nothing counted
twice. `rebuild` throws a tenant's facts away and projects its whole log again (from a date:
only the facts from that date are rewritten; the state is made from the whole log).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.analytics.reports.measures import MAX_MEASURES, MEASURES, M
from hotline.analytics.reports.metrics import add_totals
from hotline.analytics.reports.rollup import Deltas, Rollup, RollupSettings, RollupState
from hotline.bus import EventBus, Subscription
from hotline.events import EventRecord
from hotline.store.engine import WRITE
from hotline.store.eventlog import SqlEventReader
from hotline.store.report_tables import report_days, report_facts, report_reasons, report_state
from hotline.store.reports_repo import load_counting
from hotline.store.tables import event_sequences, projection_cursors, tenants

__all__ = ["CURSOR", "ReportRollup", "dump_facts", "write_facts"]

log = logging.getLogger(__name__)
CURSOR = "reports"
READ_BATCH = 5000
DEFAULT_ZONE = "Asia/Shanghai"  # a tenant without a row (tests, simulations)
_CHUNK = 500
# Records gather this long after the first of a batch before it is rolled up: a batch costs
# about ten statements whatever its size (ADR 0199); the figures are that much later.
GATHER_S = 0.1
Progress = Callable[[int, int], None]


def _upsert(conn: AsyncConnection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def _local_midnight(zone: ZoneInfo) -> Callable[[int], int]:
    """The tenant's local midnight starting the day of an interval (memoised)."""
    seen: dict[int, int] = {}

    def midnight(at_interval: int) -> int:
        found = seen.get(at_interval)
        if found is None:
            day = datetime.fromtimestamp(at_interval, zone).date()
            found = seen[at_interval] = int(datetime.combine(day, time(0), zone).timestamp())
        return found

    return midnight


async def _upsert_measures(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Add measure rows to `table` (facts or days): sums add up, maxima keep the larger."""
    if not rows:
        return
    stmt = _upsert(conn)(table)
    greatest = func.greatest if conn.dialect.name == "postgresql" else func.max
    merged = {
        name: (
            greatest(table.c[name], stmt.excluded[name])
            if M[name.upper()] in MAX_MEASURES
            else table.c[name] + stmt.excluded[name]
        )
        for name in MEASURES
    }
    stmt = stmt.on_conflict_do_update(index_elements=list(table.primary_key.columns), set_=merged)
    for start in range(0, len(rows), _CHUNK):
        await conn.execute(stmt, rows[start : start + _CHUNK])


async def write_facts(
    conn: AsyncConnection, tenant_id: str, deltas: Deltas, from_iv: int | None, zone: ZoneInfo
) -> None:
    """Add a batch's deltas to the interval facts, their local days and the reason facts
    (from `from_iv` on); `bench/reports.py` writes facts it made directly through it too."""
    kept = sorted(
        (key, values)
        for key, values in deltas.facts.items()
        if from_iv is None or key[0] >= from_iv
    )
    await _upsert_measures(
        conn,
        report_facts,
        [
            {"tenant_id": tenant_id, "interval_start": iv, "dim": dim, "key": key,
             **dict(zip(MEASURES, values, strict=True))}
            for (iv, dim, key), values in kept
        ],
    )  # fmt: skip
    midnight = _local_midnight(zone)
    days: dict[tuple[int, str, str], list[int]] = {}
    for (iv, dim, key), values in kept:
        add_totals(days.setdefault((midnight(iv), dim, key), [0] * len(MEASURES)), values)
    await _upsert_measures(
        conn,
        report_days,
        [
            {"tenant_id": tenant_id, "day_start": day, "dim": dim, "key": key,
             **dict(zip(MEASURES, values, strict=True))}
            for (day, dim, key), values in sorted(days.items())
        ],
    )  # fmt: skip
    reasons = [
        {"tenant_id": tenant_id, "interval_start": iv, "dim": dim, "key": key, "kind": kind,
         "reason": reason[:128], "times": times, "ms": ms}
        for (iv, dim, key, kind, reason), (times, ms) in sorted(deltas.reasons.items())
        if from_iv is None or iv >= from_iv
    ]  # fmt: skip
    if reasons:
        stmt = _upsert(conn)(report_reasons)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(report_reasons.primary_key.columns),
            set_={
                "times": report_reasons.c.times + stmt.excluded.times,
                "ms": report_reasons.c.ms + stmt.excluded.ms,
            },
        )
        for start in range(0, len(reasons), _CHUNK):
            await conn.execute(stmt, reasons[start : start + _CHUNK])


async def _write_state(
    conn: AsyncConnection, tenant_id: str, changed: list[tuple[str, str, Any]]
) -> None:
    for start in range(0, len(changed), _CHUNK):
        chunk = changed[start : start + _CHUNK]
        await conn.execute(
            delete(report_state).where(
                report_state.c.tenant_id == tenant_id,
                tuple_(report_state.c.kind, report_state.c.key).in_(
                    [(k, key) for k, key, _ in chunk]
                ),
            )
        )
        alive = [
            {"tenant_id": tenant_id, "kind": kind, "key": key, "value": value}
            for kind, key, value in chunk
            if value is not None
        ]
        if alive:
            await conn.execute(insert(report_state), alive)


async def dump_facts(engine: AsyncEngine, tenant_id: str) -> list[tuple[Any, ...]]:
    """Every fact, daily fact and reason row of a tenant in key order (rebuilds compare
    these)."""
    async with engine.connect() as conn:
        facts = await conn.execute(
            select(report_facts).where(report_facts.c.tenant_id == tenant_id)
            .order_by(*report_facts.primary_key.columns)
        )  # fmt: skip
        rows = [tuple(r) for r in facts]
        for table in (report_days, report_reasons):
            more = await conn.execute(
                select(table).where(table.c.tenant_id == tenant_id)
                .order_by(*table.primary_key.columns)
            )  # fmt: skip
            rows += [tuple(r) for r in more]
        return rows


class ReportRollup:
    """Keeps every tenant's interval facts from the log: catch up from the cursor, then follow
    the bus (as the contact projection does, ADR 0065)."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: EventBus | None = None,
        settings: RollupSettings | None = None,
        *,
        read_batch: int = READ_BATCH,
        gather_s: float = GATHER_S,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._settings = settings  # None: each tenant's own counting rules (ADR 0173)
        # one writer at a time: a rebuild asked for while following the bus waits for the
        # batch being applied, and the batches after it skip what the rebuild rolled up
        self._lock = asyncio.Lock()
        self._rebuilds: set[asyncio.Task[int]] = set()
        self._reader = SqlEventReader(engine)
        self._read_batch = read_batch
        self._gather_s = gather_s
        self._rollups: dict[str, tuple[int, Rollup]] = {}  # tenant → (its cursor, its rollup)
        self._zones: dict[str, ZoneInfo] = {}
        self._task: asyncio.Task[None] | None = None
        self.applied = 0
        self.caught_up = asyncio.Event()

    # == one batch ==========================================================================

    async def _cursor(self, conn: AsyncConnection, tenant_id: str) -> int:
        q = select(projection_cursors.c.seq).where(
            projection_cursors.c.name == CURSOR, projection_cursors.c.tenant_id == tenant_id
        )
        if conn.dialect.name == "postgresql":
            q = q.with_for_update()  # two nodes never roll the same records up
        return int(await conn.scalar(q) or 0)

    async def _save_cursor(self, conn: AsyncConnection, tenant_id: str, seq: int) -> None:
        done = await conn.execute(
            update(projection_cursors)
            .where(projection_cursors.c.name == CURSOR, projection_cursors.c.tenant_id == tenant_id)
            .values(seq=seq)
        )
        if done.rowcount == 0:
            await conn.execute(
                insert(projection_cursors).values(name=CURSOR, tenant_id=tenant_id, seq=seq)
            )

    async def _zone(self, conn: AsyncConnection, tenant_id: str) -> ZoneInfo:
        """The tenant's time zone: its daily facts are its local days (a change of zone calls
        for `reports rebuild`)."""
        zone = self._zones.get(tenant_id)
        if zone is None:
            name = await conn.scalar(select(tenants.c.timezone).where(tenants.c.id == tenant_id))
            zone = self._zones[tenant_id] = ZoneInfo(str(name or DEFAULT_ZONE))
        return zone

    async def _load(self, conn: AsyncConnection, tenant_id: str, cursor: int) -> Rollup:
        """The tenant's rollup as of `cursor`: the cached one, or its saved state."""
        cached = self._rollups.get(tenant_id)
        if cached is not None and cached[0] == cursor:
            return cached[1]
        state = RollupState()
        rows = await conn.execute(
            select(report_state.c.kind, report_state.c.key, report_state.c.value).where(
                report_state.c.tenant_id == tenant_id
            )
        )
        state.load((str(k), str(key), dict(v)) for k, key, v in rows)
        settings = self._settings
        if settings is None:
            settings = (await load_counting(conn, tenant_id)).rollup()
        return Rollup(settings, state)

    async def apply_batch(
        self, tenant_id: str, records: Iterable[EventRecord], *, from_interval: int | None = None
    ) -> int:
        """Roll records (in seq order) up and move the cursor, in one transaction; the cursor."""
        try:
            async with self._engine.connect() as conn:
                conn = await conn.execution_options(**WRITE)
                async with conn.begin():
                    cursor = await self._cursor(conn, tenant_id)
                    rollup = await self._load(conn, tenant_id, cursor)
                    deltas, last = Deltas(), cursor
                    for record in records:
                        if record.seq <= cursor:
                            continue
                        rollup.apply(record, deltas)
                        last = record.seq
                        self.applied += 1
                    if last > cursor:
                        zone = await self._zone(conn, tenant_id)
                        await write_facts(conn, tenant_id, deltas, from_interval, zone)
                        await _write_state(conn, tenant_id, rollup.state.take_dirty())
                        await self._save_cursor(conn, tenant_id, last)
        except BaseException:
            # the rollup in memory went past what was saved: load it again next time
            self._rollups.pop(tenant_id, None)
            raise
        self._rollups[tenant_id] = (last, rollup)
        return last

    # == catching up, rebuilding ============================================================

    async def catch_up(
        self, tenant_id: str, *, from_interval: int | None = None, progress: Progress | None = None
    ) -> int:
        """Roll the tenant's records after its cursor up; the last seq."""
        async with self._engine.connect() as conn:
            cursor = int(
                await conn.scalar(
                    select(projection_cursors.c.seq).where(
                        projection_cursors.c.name == CURSOR,
                        projection_cursors.c.tenant_id == tenant_id,
                    )
                )
                or 0
            )
        latest = await self._latest(tenant_id)
        while True:
            batch = await self._reader.read_since(tenant_id, cursor, limit=self._read_batch)
            if not batch:
                return cursor
            cursor = await self.apply_batch(tenant_id, batch, from_interval=from_interval)
            if progress is not None:
                progress(cursor, max(latest, cursor))

    async def _latest(self, tenant_id: str) -> int:
        async with self._engine.connect() as conn:
            q = select(event_sequences.c.last_seq).where(event_sequences.c.tenant_id == tenant_id)
            return int(await conn.scalar(q) or 0)

    async def rebuild(
        self, tenant_id: str, *, from_interval: int | None = None, progress: Progress | None = None
    ) -> int:
        """Make the tenant's facts again from its whole log (from `from_interval` on, if given:
        earlier facts stay as they are); the last seq."""
        self._rollups.pop(tenant_id, None)
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                for table, column in (
                    (report_facts, report_facts.c.interval_start),
                    (report_reasons, report_reasons.c.interval_start),
                    (report_days, report_days.c.day_start),  # from a local midnight: whole days
                ):
                    where = [table.c.tenant_id == tenant_id]
                    if from_interval is not None:
                        where.append(column >= from_interval)
                    await conn.execute(delete(table).where(and_(*where)))
                await conn.execute(
                    delete(report_state).where(report_state.c.tenant_id == tenant_id)
                )
                await conn.execute(
                    delete(projection_cursors).where(
                        projection_cursors.c.name == CURSOR,
                        projection_cursors.c.tenant_id == tenant_id,
                    )
                )
        return await self.catch_up(tenant_id, from_interval=from_interval, progress=progress)

    def rebuild_soon(self, tenant_id: str) -> asyncio.Task[int]:
        """Rebuild a tenant's facts in the background, one writer at a time with the bus
        (its counting rules changed): the figures are right again when the task is done."""

        async def run() -> int:
            async with self._lock:
                return await self.rebuild(tenant_id)

        task = asyncio.create_task(run(), name=f"report-rebuild-{tenant_id}")
        self._rebuilds.add(task)
        task.add_done_callback(self._rebuild_done)
        return task

    async def settled(self) -> None:
        """Wait for the rebuilds asked for so far (tests, `hotline reports` at shutdown)."""
        await asyncio.gather(*self._rebuilds, return_exceptions=True)

    def _rebuild_done(self, task: asyncio.Task[int]) -> None:
        self._rebuilds.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("report rebuild failed", exc_info=task.exception())

    async def tenant_ids(self) -> list[str]:
        async with self._engine.connect() as conn:
            return [str(t) for t in (await conn.execute(select(tenants.c.id))).scalars()]

    # == following the bus ==================================================================

    async def start(self) -> None:
        """Catch up, then follow the bus, in the background (after an upgrade the catch-up
        rolls up the whole log; `caught_up` is set when it is done)."""
        if self._bus is None:
            raise RuntimeError("the rollup follows a bus")
        sub = self._bus.subscribe(types=set(Rollup().handled_types))
        self._task = asyncio.create_task(self._run(sub), name="report-rollup")

    async def _run(self, sub: Subscription) -> None:
        for tenant_id in await self.tenant_ids():
            async with self._lock:
                await self.catch_up(tenant_id)
        self.caught_up.set()
        while True:
            record = await sub.get()
            pending: dict[str, list[EventRecord]] = {record.tenant_id: [record]}
            if self._gather_s > 0:
                await asyncio.sleep(self._gather_s)
            while sub.has_pending() and sum(map(len, pending.values())) < 2000:
                more = await sub.get()
                pending.setdefault(more.tenant_id, []).append(more)
            for tenant_id, records in pending.items():
                try:
                    # the subscription is gap-free for these types; the cursor skips what
                    # the catch-up already rolled up
                    async with self._lock:
                        await self.apply_batch(tenant_id, records)
                except Exception:
                    log.exception("report rollup failed; it catches up from the log later")

    async def stop(self) -> None:
        for task in list(self._rebuilds):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
