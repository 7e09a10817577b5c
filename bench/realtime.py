"""Wallboard projection: events/s absorbed and the cost of a snapshot and of a 1 s delta, against
a naive recompute-from-scratch of the same figures over the log (the baseline), in one run.

    .venv/bin/python bench/realtime.py [--queues 50] [--agents 500] [--hours 2] [--seed 1]

The event stream is synthetic but shaped like the router's: every call enters a queue, rings
an agent (reserved), is answered (busy), ends, wraps up and frees the agent; some callers
abandon; agents take breaks. The naive baseline scans every record of the day for each
snapshot; the bench checks that both give the same queue counts before timing them.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.analytics.realtime import Delta, QueueSettings, RealtimeProjection, RealtimeSettings
from hotline.events import EventRecord

TENANT = "bench"
START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


@dataclass
class Stream:
    records: list[EventRecord] = field(default_factory=list)
    pending: list[tuple[float, int, str, str | None, str | None, dict[str, Any]]] = field(
        default_factory=list
    )
    order: int = 0

    def add(
        self,
        at: float,
        type_: str,
        payload: dict[str, Any],
        *,
        interaction: str | None = None,
        agent: str | None = None,
    ) -> None:
        self.order += 1
        heapq.heappush(self.pending, (at, self.order, type_, interaction, agent, payload))

    def finish(self) -> list[EventRecord]:
        while self.pending:
            at, _, type_, interaction, agent, payload = heapq.heappop(self.pending)
            seq = len(self.records) + 1
            self.records.append(
                EventRecord(TENANT, seq, at, type_, interaction, None, agent, payload)
            )
        return self.records


def state(
    s: Stream,
    at: float,
    agent: str,
    new: str,
    old: str,
    since: float,
    interaction: str | None = None,
    **extra: Any,
) -> None:
    payload = {"state": new, "previous": old, "previous_duration_s": at - since, **extra}
    s.add(at, "agent.state_changed", payload, agent=agent, interaction=interaction)


def generate(queues: int, agents: int, hours: float, seed: int) -> list[EventRecord]:
    """Each agent serves one queue and loops: idle, ring, talk, wrap-up; sometimes a break."""
    rng = random.Random(seed)
    s = Stream()
    end = START + hours * 3600
    n = 0
    for a in range(agents):
        agent, queue = f"a{a}", f"q{a % queues}"
        t = START + rng.uniform(0, 60)
        state(s, t, agent, "available", "logged_out", t)
        since, current = t, "available"
        while t < end:
            n += 1
            interaction = f"i{n}"
            idle = rng.expovariate(1 / 40)
            wait = rng.expovariate(1 / 15)
            ring, talk, wrap = rng.uniform(2, 8), rng.expovariate(1 / 180), rng.uniform(5, 40)
            offer_at = t + idle
            entered = offer_at - wait
            s.add(entered, "queue.entered", {"queue_id": queue}, interaction=interaction)
            q = {"queue_id": queue}
            state(
                s,
                offer_at,
                agent,
                "reserved",
                current,
                since,
                queue_id=queue,
                interaction=interaction,
            )
            s.add(offer_at, "queue.offered", q, interaction=interaction, agent=agent)
            answer_at = offer_at + ring
            state(
                s,
                answer_at,
                agent,
                "busy",
                "reserved",
                offer_at,
                queue_id=queue,
                interaction=interaction,
            )
            answered = {"queue_id": queue, "wait_s": wait + ring, "sl_threshold_s": 20.0}
            s.add(answer_at, "queue.answered", answered, interaction=interaction, agent=agent)
            end_at = answer_at + talk
            ended = {"queue_id": queue, "talk_s": talk}
            s.add(end_at, "agent.interaction_ended", ended, interaction=interaction, agent=agent)
            state(
                s,
                end_at,
                agent,
                "wrap_up",
                "busy",
                answer_at,
                queue_id=queue,
                interaction=interaction,
            )
            free_at = end_at + wrap
            wrapped = {"queue_id": queue, "wrap_up_s": wrap}
            s.add(free_at, "agent.wrap_up_ended", wrapped, interaction=interaction, agent=agent)
            if rng.random() < 0.05:
                state(s, free_at, agent, "not_ready", "wrap_up", end_at, reason="break")
                back = free_at + rng.uniform(120, 600)
                state(s, back, agent, "available", "not_ready", free_at)
                since, current, t = back, "available", back
            else:
                state(s, free_at, agent, "available", "wrap_up", end_at)
                since, current, t = free_at, "available", free_at
            if rng.random() < 0.15:  # a caller who gives up
                n += 1
                gone = f"i{n}"
                entered = t + rng.uniform(0, 30)
                waited = rng.expovariate(1 / 25)
                s.add(entered, "queue.entered", {"queue_id": queue}, interaction=gone)
                abandoned = {"queue_id": queue, "wait_s": waited, "sl_threshold_s": 20.0}
                s.add(entered + waited, "queue.abandoned", abandoned, interaction=gone)
    return [r for r in s.finish() if r.at < end]


def naive_queue_counts(
    records: list[EventRecord], now: float, day_start: float, window_s: float, short_s: float
) -> dict[str, tuple[Any, ...]]:
    """The baseline: every figure recomputed by scanning the whole day's log."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 12)  # today at 0, window at 6
    waiting: dict[str, dict[str, float]] = defaultdict(dict)
    cutoff = now - window_s
    for r in records:
        if r.at > now:
            break
        q = r.payload.get("queue_id")
        if q is None:
            continue
        periods = [p for p, inside in ((0, r.at >= day_start), (6, r.at > cutoff)) if inside]
        if r.type == "queue.entered":
            waiting[q][r.interaction_id or ""] = r.at
            for p in periods:
                counts[q][p] += 1
        elif r.type == "queue.answered":
            waiting[q].pop(r.interaction_id or "", None)
            wait = r.payload["wait_s"]
            for p in periods:
                counts[q][p + 1] += 1
                counts[q][p + 2] += round(wait * 1000) <= round(r.payload["sl_threshold_s"] * 1000)
                counts[q][p + 3] += round(wait * 1000)
        elif r.type == "queue.abandoned":
            waiting[q].pop(r.interaction_id or "", None)
            wait = r.payload["wait_s"]
            short = round(wait * 1000) <= round(short_s * 1000)
            for p in periods:
                counts[q][p + 4] += 1
                counts[q][p + 5] += short
    out = {}
    for q, c in counts.items():
        figures: list[Any] = []
        for p in (0, 6):
            asa = round(c[p + 3] / c[p + 1] / 1000, 1) if c[p + 1] else None
            figures += [c[p], c[p + 1], c[p + 2], asa, c[p + 4], c[p + 5]]
        # waiting now and the oldest caller need the whole scan too
        out[q] = (*figures, len(waiting[q]), min(waiting[q].values(), default=None))
    return out


def projected_counts(projection: RealtimeProjection, now: float) -> dict[str, tuple[Any, ...]]:
    out = {}
    for q, row in projection.snapshot(now).queues.items():
        values: list[Any] = []
        for p in (row.today, row.window):
            values += [p.offered, p.answered, p.answered_in_sl, p.asa_s, p.abandoned]
            values += [p.short_abandoned]
        out[q] = (*values, row.waiting, row.oldest_entered_at)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for each timing")
    args = parser.parse_args()

    records = generate(args.queues, args.agents, args.hours, args.seed)
    settings = RealtimeSettings(
        queues={
            f"q{q}": QueueSettings(
                f"q{q}", members=frozenset(f"a{a}" for a in range(q, args.agents, args.queues))
            )
            for q in range(args.queues)
        }
    )
    now = records[-1].at
    print(
        f"{len(records):,} records: {args.queues} queues × {args.agents} agents, "
        f"{args.hours} h of traffic; best of {args.repeat} (a shared machine is noisy)"
    )

    # 1. a rebuild at start-up: records only
    rebuild_s = math.inf
    for _ in range(args.repeat):
        projection = RealtimeProjection(TENANT, settings)
        t0 = time.perf_counter()
        projection.apply_all(records)
        rebuild_s = min(rebuild_s, time.perf_counter() - t0)

    # the baseline must compute the same numbers before its time means anything
    day_start = projection.snapshot(now).day_start
    expected = naive_queue_counts(records, now, day_start, 1800.0, 5.0)
    assert expected == projected_counts(projection, now), "naive and projection disagree"

    # 2. a full snapshot (a page connects): every row rebuilt
    snapshot_s = min(timed(lambda n=n: projection.snapshot(now + n)) for n in range(args.repeat))

    # 3. live, over the last 30 minutes: each second's records applied, then the pages' delta
    best: tuple[float, list[float], list[float], list[int]] | None = None
    for _ in range(args.repeat):
        run = live(records, settings, now - 1800)
        if best is None or run[0] < best[0]:
            best = run
    assert best is not None
    live_s, apply_ms, delta_ms, delta_rows = best
    tail = sum(1 for r in records if r.at >= now - 1800)

    # 4. the baseline: recompute from the log at each refresh
    naive_s = min(
        timed(lambda: naive_queue_counts(records, now, day_start, 1800.0, 5.0))
        for _ in range(args.repeat)
    )

    def pct(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(len(values) * q))]

    rows = args.queues + args.agents
    print("| measure | projection | naive recompute (baseline) |")
    print("|---|---:|---:|")
    print(
        f"| rebuild at start-up | {len(records) / rebuild_s:,.0f} events/s "
        f"({rebuild_s:.2f} s for {args.hours} h) | — |"
    )
    print(
        f"| full snapshot, {rows} rows | {snapshot_s * 1000:.1f} ms "
        f"| {naive_s * 1000:.0f} ms, queue counts only ({naive_s / snapshot_s:.0f}×) |"
    )
    print(
        f"| refresh each second: delta | p50 {statistics.median(delta_ms):.2f} ms, "
        f"p95 {pct(delta_ms, 0.95):.2f} ms | {naive_s * 1000:.0f} ms "
        f"({naive_s * 1000 / statistics.median(delta_ms):.0f}×) |"
    )
    print(
        f"| each second's records ({tail / 1800:.0f}/s) | p50 {statistics.median(apply_ms):.2f}"
        f" ms, p95 {pct(apply_ms, 0.95):.2f} ms | — |"
    )
    print(
        f"| CPU for 30 min of live traffic | {live_s:.2f} s ({live_s / 1800:.2%} of a core) "
        f"| {naive_s * 1800:.0f} s |"
    )
    print(
        f"| rows in a 1 s delta | median {statistics.median(delta_rows):.0f}, "
        f"max {max(delta_rows)} of {rows} | {rows} |"
    )


def timed(work: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    work()
    return time.perf_counter() - t0


def live(
    records: list[EventRecord], settings: RealtimeSettings, start: float
) -> tuple[float, list[float], list[float], list[int]]:
    """Replay up to `start`, then second by second: apply that second's records, then ask for
    the delta since the previous second, as the server's 1 s tick does."""
    projection = RealtimeProjection(TENANT, settings)
    projection.apply_all(r for r in records if r.at < start)
    version = projection.snapshot(start).version
    tail = [r for r in records if r.at >= start]
    apply_ms: list[float] = []
    delta_ms: list[float] = []
    delta_rows: list[int] = []
    i, second = 0, start + 1.0
    while i < len(tail):
        t0 = time.perf_counter()
        while i < len(tail) and tail[i].at < second:
            projection.apply(tail[i])
            i += 1
        t1 = time.perf_counter()
        delta = projection.changes_since(version, second)
        t2 = time.perf_counter()
        assert isinstance(delta, Delta)
        apply_ms.append((t1 - t0) * 1000)
        delta_ms.append((t2 - t1) * 1000)
        delta_rows.append(len(delta.queues) + len(delta.agents) + len(delta.alerts))
        version = delta.version
        second += 1.0
    return (sum(apply_ms) + sum(delta_ms)) / 1000, apply_ms, delta_ms, delta_rows


if __name__ == "__main__":
    main()
