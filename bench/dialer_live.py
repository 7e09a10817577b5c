"""A live predictive campaign against a sipp callee population, with progressive dialing of the
same population as the baseline in the same run (issue 24).

    .venv/bin/python bench/dialer_live.py [--numbers 500] [--agents 5] [--busy-interval 60]

Each run: a fresh migrated SQLite database, the numbers imported as one call list
(tests/integration/dialer/peers.py `MIX`: per 20 numbers 9 persons who answer after a ring and
talk 6 s, 2 answering machines that answer after a ring and play a 7 s greeting, 3 busy (486),
2 that ring out (5 s ring timeout), 2 that do not exist (404), 2 persons on the do-not-call
list), the whole call centre in this process (SIP, media engine, router, dialer), one sipp
process as the callees behind a trunk and one sipp UAS per agent, each registered with digest
auth and logged in ready. The centre's toll-fraud policy lets `--outbound-cap` calls out at once
(10, the test stack's default); the dialer paces to it, and a dial it refuses all the same goes
back to the pool uncounted. Busy
numbers are retried once, after `--busy-interval` real seconds. A run ends when no call is up,
every number has had its first dial and every busy number its retry (later retries are not
waited for).

Printed per run: dials, person-answered calls (persons and machines: the bench's campaign sets
no machine action, so answering-machine detection is off), connects, abandons and the abandon
rate; the safe-harbor delay of each abandoned person from the callee's side (sipp's 200 OK to
the first audible RTP packet that reached it) as p50/p95/max; agent occupancy (seconds on
campaign calls ÷ agents × wall time); invalid numbers and how often they were dialled; busy
numbers retried and the shortest gap between a busy number's two INVITEs at the callee; DNC
numbers dialled; wall time; this process's CPU (user + system, sipp excluded) in total and per
dial; the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.callcenter.stack import TENANT, call_center  # noqa: E402
from tests.integration.dialer.peers import (  # noqa: E402
    Population,
    callees,
    population,
    read_message_log,
    records,
    safe_harbor_delays,
    seed,
    sipp_agents,
)
from tests.integration.imports.conftest import Env, open_env  # noqa: E402

from hotline.dialer.live import AgentFacts, CallReport, CampaignDialer, PlaceCall  # noqa: E402
from hotline.dialer.model import Campaign, DialMode, RecordStatus  # noqa: E402
from hotline.ids import new_id  # noqa: E402
from hotline.interactions.voice.campaign import CampaignCalls  # noqa: E402
from hotline.store.dialer_repo import SqlLiveStorage  # noqa: E402
from hotline.store.engine import create_engine  # noqa: E402
from hotline.store.migrate import migrate  # noqa: E402


class MeteredCalls:
    """The campaign's call placer, adding up the seconds agents spent on its calls."""

    def __init__(self, calls: CampaignCalls) -> None:
        self.calls = calls
        self.agent_s = 0.0

    def agents(self, queue_id: str | None, now: float) -> AgentFacts:
        return self.calls.agents(queue_id, now)

    def lines_free(self) -> int | None:
        return self.calls.lines_free()

    async def place(self, call: PlaceCall) -> CallReport:
        report = await self.calls.place(call)
        self.agent_s += report.handle_s or 0.0
        return report


@dataclass
class Run:
    label: str
    dials: int = 0
    answered: int = 0
    connects: int = 0
    abandoned: int = 0
    abandon_rate: float = 0.0
    abandoned_persons: int = 0
    abandoned_machines: int = 0
    delays: list[float] = field(default_factory=list)
    occupancy: float = 0.0
    invalid: int = 0
    invalid_redialled: int = 0
    busy_retried: int = 0
    busy_gap_min: float | None = None
    dnc_dialled: int = 0
    machines: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    cpu_s: float = 0.0


async def finished(env: Env, campaign_id: str, dialer: CampaignDialer) -> bool:
    """No call is up, every number has had its first dial, and no busy number waits for its
    retry (the other retries — ring-outs after 2 h, failed calls after 30 min — are not
    waited for)."""
    if dialer.in_flight:
        return False
    for status, outcome, attempts in (await records(env, campaign_id)).values():
        if status in (RecordStatus.PENDING, RecordStatus.IN_PROGRESS):
            return False
        if status is RecordStatus.RETRY and outcome == "busy" and attempts < 2:
            return False
    return True


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(mode: DialMode, people: Population, args: argparse.Namespace, tmp: Path) -> Run:
    url = f"sqlite+aiosqlite:///{tmp}/hotline.db"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    result = Run(str(mode))
    async with open_env(url, tmp / "imports") as env:
        campaign = Campaign(
            id=new_id(time.time()),
            tenant_id=env.tenant_id,
            name="续费提醒",
            mode=mode,
            queue_id="support",
            ring_timeout_s=5.0,
            retry={"busy": {"interval_s": args.busy_interval, "max_attempts": 1}},
        )
        dnc, busy = people.of("dnc"), people.of("busy")
        await seed(env, campaign, people.phones, dnc)
        async with (
            callees(tmp) as (port, sink, folder),
            call_center(tmp, tmp / "tts", trunk_port=port, allow_out=("+86",), record=False)
            as center,
            sipp_agents(tmp, center.sip, center.desk, args.agents, skills={"售后": 5}),
        ):  # fmt: skip
            policy = center.telephony.calls.policy
            if policy is not None:  # the toll-fraud cap on outbound calls at once
                rules = replace(policy.rules_for(TENANT), max_concurrent=args.outbound_cap)
                policy.set_rules(TENANT, rules)
            placer = MeteredCalls(CampaignCalls(center.desk))
            dialer = CampaignDialer(
                campaign.id, SqlLiveStorage(env.services.uow, env.tenant_id), placer,
                center.clock, default_zone="Asia/Shanghai",
            )  # fmt: skip
            stop = asyncio.Event()
            cpu, started = cpu_seconds(), time.monotonic()
            running = asyncio.ensure_future(dialer.run(stop))
            deadline = started + args.timeout
            while not await finished(env, campaign.id, dialer):
                if time.monotonic() > deadline:
                    print(f"  {mode}: timed out after {args.timeout:.0f} s", flush=True)
                    break
                await asyncio.sleep(1.0)
            stop.set()
            await running
            result.wall_s = time.monotonic() - started
            result.cpu_s = cpu_seconds() - cpu
            final = await records(env, campaign.id)
            log = read_message_log(folder)
            figures = dialer.figures
            abandoned = [p for p in people.of("person") if final[p][1] == "abandoned"]
            delays = safe_harbor_delays(folder, sink, abandoned)
            invites: dict[str, list[float]] = {}
            for call in log.values():
                if call.number and call.invited_at is not None:
                    invites.setdefault(call.number, []).append(call.invited_at)
    result.dials = figures.dials
    result.outcomes = dict(sorted(figures.outcomes.items()))
    result.answered = figures.person_answered
    result.connects = figures.outcomes.get("connected", 0)
    result.abandoned = figures.abandoned
    result.abandon_rate = figures.abandon_rate
    result.abandoned_persons = len(abandoned)
    result.abandoned_machines = sum(final[p][1] == "abandoned" for p in people.of("machine"))
    result.delays = sorted(delays.values())
    missing = len(abandoned) - len(delays)
    if missing:
        print(f"  {mode}: {missing} abandoned persons heard nothing", flush=True)
    result.occupancy = placer.agent_s / (args.agents * result.wall_s)
    result.invalid = sum(final[p][0] is RecordStatus.INVALID for p in people.of("invalid"))
    result.invalid_redialled = sum(len(invites.get(p, ())) > 1 for p in people.of("invalid"))
    gaps = [max(t) - min(t) for p in busy if len(t := invites.get(p, [])) > 1]
    result.busy_retried = len(gaps)
    result.busy_gap_min = min(gaps) if gaps else None
    result.dnc_dialled = sum(p in invites for p in dnc)
    result.machines = Counter(str(final[p][1]) for p in people.of("machine"))
    return result


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]  # type: ignore[index]


def report(r: Run) -> None:
    print(f"{r.label}:")
    print(f"  dials {r.dials}, answered {r.answered}, connects {r.connects}, "
          f"abandoned {r.abandoned} ({100 * r.abandon_rate:.2f} %: "
          f"{r.abandoned_persons} persons, {r.abandoned_machines} machines)")  # fmt: skip
    if r.delays:
        print(f"  safe-harbor delay at the callee: p50 {percentile(r.delays, 50):.2f} s, "
              f"p95 {percentile(r.delays, 95):.2f} s, max {max(r.delays):.2f} s "
              f"({len(r.delays)} of {r.abandoned_persons} abandoned persons timed)")  # fmt: skip
    else:
        print("  safe-harbor delay: no abandoned person to time")
    print(f"  agent occupancy {100 * r.occupancy:.1f} %")
    gap = "-" if r.busy_gap_min is None else f"{r.busy_gap_min:.1f} s"
    print(f"  invalid {r.invalid} (dialled twice: {r.invalid_redialled}), busy retried "
          f"{r.busy_retried} (shortest gap {gap}), DNC dialled {r.dnc_dialled}")  # fmt: skip
    machines = ", ".join(f"{k} {v}" for k, v in sorted(r.machines.items()))
    print(f"  machines: {machines}")
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in r.outcomes.items()))
    print(f"  wall {r.wall_s:.0f} s, CPU {r.cpu_s:.1f} s ({1000 * r.cpu_s / max(1, r.dials):.0f} "
          f"ms per dial)", flush=True)  # fmt: skip


async def main_async(args: argparse.Namespace) -> None:
    people = population(args.numbers, args.seed)
    shares = ", ".join(f"{k} {len(v)}" for k, v in people.classes.items())
    print(f"{args.numbers} numbers ({shares}), {args.agents} agents, busy interval "
          f"{args.busy_interval:.0f} s, outbound cap {args.outbound_cap}")  # fmt: skip
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    runs = []
    for mode in args.modes:
        with tempfile.TemporaryDirectory(prefix=f"dialer-live-{mode}-") as folder:
            tmp = Path(folder)
            (tmp / "tts").mkdir()
            runs.append(await run(mode, people, args, tmp))
        report(runs[-1])
    if len(runs) == 2 and runs[1].occupancy:
        predictive, progressive = runs
        ratio = predictive.occupancy / progressive.occupancy
        print(f"predictive occupancy ÷ progressive: {ratio:.2f}; "
              f"wall time ÷ progressive: {predictive.wall_s / progressive.wall_s:.2f}")  # fmt: skip
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=500)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--busy-interval", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument(
        "--modes",
        type=lambda text: [DialMode(m) for m in text.split(",")],
        default=[DialMode.PREDICTIVE, DialMode.PROGRESSIVE],
        help="comma-separated dial modes, run in turn (predictive,progressive)",
    )
    parser.add_argument(
        "--outbound-cap", type=int, default=10, help="outbound calls at once (toll-fraud cap)"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    args = parser.parse_args()
    if args.busy_interval < 60:
        parser.error("--busy-interval: a retry waits at least 60 s")
    try:
        import uvloop

        uvloop.run(main_async(args))
    except ImportError:
        asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
