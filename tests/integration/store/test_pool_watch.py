"""The pool watch on a real pool (a SQLite file, 2 + 0 connections): a pool drained for a
moment still admits new work; drained for longer than the grace it refuses, and admits again
as soon as a connection comes back."""

from __future__ import annotations

from pathlib import Path

from hotline.store.engine import create_engine
from hotline.store.pool_watch import PoolWatch


async def test_a_pool_short_for_longer_than_the_grace_refuses_new_work(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/pool.db", pool_size=2, max_overflow=0)
    now = [100.0]
    watch = PoolWatch(engine, capacity=2, min_free=1, grace_s=1.0, monotonic=lambda: now[0])
    try:
        assert watch.free == 2
        assert watch.admits()
        async with engine.connect() as first:
            assert watch.free == 1
            now[0] += 5
            assert watch.admits()  # one free is enough
            async with engine.connect() as second:
                assert (first.closed, second.closed) == (False, False)
                assert watch.free == 0
                assert watch.admits()  # short just now: a burst
                now[0] += 0.5
                assert watch.admits()
                now[0] += 0.6
                assert not watch.admits()  # short for 1.1 s
                assert watch.refused == 1
            assert watch.admits()  # a connection is back
            now[0] += 10
            assert watch.admits()
    finally:
        await engine.dispose()
