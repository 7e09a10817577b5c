"""Tickets at scale (issue 17) on SQLite.

1. List and search p95 at 1 M tickets (`--tickets`): the desktop's lists through
   `SqlTickets.search` — a department's open tickets, "mine", "overdue", a number typed with
   spaces, a word of the subject — each page of 50 with its total, against a baseline measured
   in the same run: reading one ticket by id (`SqlTickets.get`).
2. SLA timer scheduling at 100 k open tickets (`--open`), each with its clocks and its timer
   job already in the tables: the cost of opening one more ticket's SLA (policy choice, two
   clocks in business time, two jobs) against the same ticket written without an SLA; then
   the job host firing 1 000 due reminders (`tickets.sla`) per second.

    .venv/bin/python bench/tickets.py [--tickets 1000000] [--open 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.ids import new_id
from hotline.jobs import JobHost, JobHostSettings
from hotline.store.engine import WRITE, create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import calendars, jobs, tenants, tickets, users
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.ticket_tables import sla_clocks
from hotline.store.tickets_repo import SqlTickets
from hotline.tickets.model import Priority, Ticket, TicketStatus
from hotline.tickets.ports import TicketQuery
from hotline.tickets.schemas import DepartmentIn, SlaPolicyIn
from hotline.tickets.setup import TicketSetup
from hotline.tickets.sla_keeper import SLA_KIND, SlaKeeper
from hotline.tickets.timers import JobMailer, JobTimers, SlaTimerJob

T = "bench-tenant"
WORDS = (
    *("退款", "发票", "维修", "投诉", "物流", "安装", "屏幕", "电池"),
    *("账户", "密码", "升级", "套餐", "退货", "换货", "咨询"),
)
STATUSES = ["new", "open", "pending", "on_hold", "resolved", "closed"]
WEIGHTS = [2, 8, 3, 1, 20, 66]  # most tickets of a year are done
DEPARTMENTS = ["客服部", "售后部", "技术部", "财务部"]
AGENTS = [f"U{n:04d}" for n in range(60)]
START = 1_767_225_600.0  # 2026-01-01 UTC


async def _setup(path: Path) -> tuple[Any, str]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(tenants).values(
                id=T, slug="bench", name="bench", language="zh-CN", timezone="Asia/Shanghai",
                region="CN", sip_domain="bench.test", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        await conn.execute(
            insert(users),
            [{"id": a, "tenant_id": T, "username": a, "display_name": a, "password_hash": "x",
              "roles": ["agent"], "active": True, "created_at": 0.0, "updated_at": 0.0}
             for a in AGENTS],
        )  # fmt: skip
        await conn.execute(
            insert(calendars).values(
                id="CAL", tenant_id=T, name="工作时间", timezone="Asia/Shanghai",
                weekly={"mon-fri": ["09:00-12:00", "13:00-18:00"]}, holidays=[],
                holiday_calendar_ids=[], makeup_day="mon", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        setup = TicketSetup(SqlTicketConfig(conn), tenant_id=T, clock=FakeClock(START))
        for n, code in enumerate(DEPARTMENTS):
            members = AGENTS[n * 15 : (n + 1) * 15]
            await setup.save_department(
                DepartmentIn(code=code, name=code, lead_id=members[0], members=members)
            )
        policy = await setup.save_policy(
            SlaPolicyIn.model_validate(
                {"name": "std", "first_response_s": 4 * 3600, "resolution_s": 27 * 3600,
                 "calendar": "工作时间", "escalation": [{"to": "lead"}]}
            )
        )  # fmt: skip
    return engine, str(policy["id"])


def _ticket_rows(start: int, count: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for k in range(start, start + count):
        created = START + k * 30.0
        department = rng.randrange(len(DEPARTMENTS))
        rows.append(
            {
                "id": new_id(created), "tenant_id": T, "number": 10_001 + k,
                "subject": f"{rng.choice(WORDS)}{rng.choice(WORDS)} #{k}", "description": "",
                "department": DEPARTMENTS[department],
                "status": rng.choices(STATUSES, WEIGHTS)[0], "priority": "normal",
                "category": None, "customer_id": None, "interaction_id": None,
                "assignee_id": AGENTS[department * 15 + rng.randrange(15)], "created_by": None,
                "due_date": None, "first_response_at": None, "resolved_at": None,
                "closed_at": None, "merged_into": None, "created_at": created,
                "updated_at": created,
            }
        )  # fmt: skip
    return rows


async def _fill(engine: Any, total: int) -> float:
    rng = random.Random(17)
    started = time.perf_counter()
    for start in range(0, total, 20_000):
        async with engine.begin() as conn:
            await conn.execute(
                insert(tickets), _ticket_rows(start, min(20_000, total - start), rng)
            )
    async with engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")
    return total / (time.perf_counter() - started)


async def _p95(engine: Any, run: Callable[[SqlTickets, int], Awaitable[object]], n: int) -> float:
    times = []
    async with engine.connect() as conn:
        repo = SqlTickets(conn)
        for k in range(n):
            begun = time.perf_counter()
            await run(repo, k)
            times.append(time.perf_counter() - begun)
    return statistics.quantiles(times, n=20)[-1] * 1000


async def _lists(engine: Any, total: int, n: int) -> dict[str, float]:
    rng = random.Random(3)
    ids = []
    async with engine.connect() as conn:
        result = await conn.exec_driver_sql(f"SELECT id FROM tickets ORDER BY random() LIMIT {n}")
        ids = [r[0] for r in result]
    open_ = [TicketStatus(s) for s in STATUSES[:4]]
    now = START + total * 30.0

    def q(**kw: Any) -> TicketQuery:
        return TicketQuery(limit=50, **kw)

    cases: dict[str, Callable[[SqlTickets, int], Awaitable[object]]] = {
        "get by id (baseline)": lambda r, k: r.get(T, ids[k % len(ids)]),
        "department's open": lambda r, k: r.search(
            T, q(department=DEPARTMENTS[k % 4], status=open_)
        ),
        "mine (open)": lambda r, k: r.search(T, q(assignee_id=AGENTS[k % 60], status=open_)),
        "overdue": lambda r, k: r.search(T, q(overdue_at=now)),
        "number with spaces": lambda r, k: r.search(
            T, q(search=f"{(10_001 + rng.randrange(total)):,}".replace(",", " "))
        ),
        "word of the subject": lambda r, k: r.search(T, q(search=WORDS[k % len(WORDS)] + "退")),
        "all, newest first": lambda r, k: r.search(T, q()),
    }
    return {name: await _p95(engine, run, n) for name, run in cases.items()}


async def _sla(
    engine: Any, policy_id: str, open_tickets: int, more: int
) -> tuple[float, float, float]:
    """(ms per ticket opened with its SLA, ms per ticket without, firings per second)."""
    clock = FakeClock(START + 86_400 * 3 + 3600)  # Sunday 09:00 in Shanghai
    rng = random.Random(5)
    # 100 k open tickets with their clocks and timers, written in bulk.
    for start in range(0, open_tickets, 20_000):
        count = min(20_000, open_tickets - start)
        rows = _ticket_rows(10_000_000 + start, count, rng)
        for r in rows:
            r["status"] = "open"
        clocks, timers = [], []
        for r in rows:
            for target in ("first_response", "resolution"):
                clocks.append({"ticket_id": r["id"], "target": target, "tenant_id": T,
                               "policy_id": policy_id, "budget_s": 3600, "consumed_s": 0.0,
                               "running_since": clock.now(), "due_at": clock.now() + 7200,
                               "reminded": False, "breached_at": None, "escalation_level": 0,
                               "met_at": None, "generation": 0})  # fmt: skip
                timers.append({"id": new_id(clock.now()), "tenant_id": T, "kind": SLA_KIND,
                               "key": f"ticket:{r['id']}:sla:{target}:0", "state": "pending",
                               "payload": {"ticket_id": r["id"], "target": target,
                                           "generation": 0},
                               # due later this quarter: not in the firing window below
                               "due_at": clock.now() + 86_400 * (10 + 30 * rng.random()),
                               "attempts": 0, "max_attempts": 5, "runs": 0,
                               "progress_done": 0, "progress_message": "",
                               "cancel_requested": False, "created_at": 0.0,
                               "updated_at": 0.0})  # fmt: skip
        async with engine.begin() as conn:
            await conn.execute(insert(tickets), rows)
            await conn.execute(insert(sla_clocks), clocks)
            await conn.execute(insert(jobs), timers)
    host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id="bench"))
    host.register(SLA_KIND, SlaTimerJob(SqlTickets))
    host.register("mail.send", _no_mail)

    async def open_some(with_sla: bool) -> tuple[float, list[Ticket]]:
        made: list[Ticket] = []
        rows = _ticket_rows(20_000_000 + (more if with_sla else 0), more, rng)
        started = time.perf_counter()
        for r in rows:
            async with engine.connect() as raw:
                conn = await raw.execution_options(**WRITE)
                async with conn.begin():
                    repo = SqlTickets(conn)
                    ticket = Ticket(**{**r, "status": TicketStatus.OPEN,
                                       "priority": Priority.NORMAL})  # fmt: skip
                    await repo.add(ticket)
                    if with_sla:
                        timers = JobTimers(conn, clock.now)
                        keeper = SlaKeeper(repo, timers, JobMailer(timers), lambda e: None)
                        await keeper.open(ticket, clock.now())
                    made.append(ticket)
        return (time.perf_counter() - started) / more * 1000, made

    without_ms, _ = await open_some(False)
    with_ms, _ = await open_some(True)
    # Their first-response reminders (80 % of 4 business hours from Monday 09:00) and the
    # breaches after them come due by Tuesday: fire them.
    clock.advance(2 * 86_400)
    started = time.perf_counter()
    fired = await host.run_due(limit=10 * more)
    fired_s = time.perf_counter() - started
    return with_ms, without_ms, fired / fired_s


async def _no_mail(ctx: Any) -> None:
    return None


async def main_async(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp())
    engine, _ = await _setup(folder / "tickets.db")
    rate = await _fill(engine, args.tickets)
    print(f"loaded {args.tickets:,} tickets at {rate:,.0f}/s")
    figures = await _lists(engine, args.tickets, args.queries)
    base = figures["get by id (baseline)"]
    for name, ms in figures.items():
        print(f"list p95 at {args.tickets:,}: {name:24s} {ms:8.2f} ms  ({ms / base:6.1f}× get)")
    await engine.dispose()
    engine, policy_id = await _setup(folder / "sla.db")
    with_ms, without_ms, fired = await _sla(engine, policy_id, args.open, args.more)
    print(
        f"SLA at {args.open:,} open tickets: opening one with its SLA {with_ms:.2f} ms, "
        f"without {without_ms:.2f} ms (×{with_ms / without_ms:.2f}); "
        f"reminder firings {fired:,.0f}/s"
    )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--more", type=int, default=1_000)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
