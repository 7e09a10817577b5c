"""Cost of one routing decision at 100, 1,000 and 10,000 agents (10, 100, 1,000 queues).

Each queue needs one skill; each agent has three skills drawn at random, so the agents of a
queue grow with the center while a pool stays about 30 agents deep — the shape of a real
center. The router is driven in steady state near 85 % occupancy, with no wrap-up, so every
operation is a decision:

- `enqueue`: a call arrives and takes the best free agent of its queue (or waits);
- `hang up`: an agent frees up and takes the best waiting call of all its queues (or idles);
- `answer`: the offer is answered (bookkeeping, no search).

Time per operation is this thread's CPU time summed over the run (events go to a sink that
drops them; building each event is included), best of three runs. The 100-agent center is
the baseline measured in the same run; the acceptance line is 10,000 / 100 ≤ 3 for both
decisions. A fourth line puts 10,000 agents in ONE queue (a 10,000-deep pool) to show the
sorted index, not only many small pools.

    .venv/bin/python bench/routing.py [--operations 60000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections import deque
from dataclasses import dataclass

from hotline.events import DomainEvent
from hotline.ids import AgentId, InteractionId, QueueId, TenantId
from hotline.routing import AgentProfile, Offer, QueueConfig, Router, RouterSettings


class DropSink:
    def emit(self, event: DomainEvent) -> None:
        pass


@dataclass
class Timing:
    enqueue_us: float
    hang_up_us: float
    answer_us: float
    offered_at_once: float  # share of calls that found a free agent at once


def build(agents: int, queues: int, skills_per_agent: int, seed: int) -> Router:
    rng = random.Random(seed)
    router = Router(TenantId("bench"), DropSink(), settings=RouterSettings(), rng=rng)
    now = 1_790_000_000.0
    for q in range(queues):
        config = QueueConfig(QueueId(f"q{q}"), skills={f"s{q}": 1}, wrap_up_s=0.0)
        router.configure_queue(config, now=now)
    for a in range(agents):
        names = rng.sample(range(queues), min(skills_per_agent, queues))
        profile = AgentProfile(AgentId(f"a{a}"), skills={f"s{n}": 5 for n in names})
        router.configure_agent(profile, now=now)
        router.login(AgentId(f"a{a}"), now=now, ready=True)
    return router


def drive(router: Router, agents: int, queues: int, operations: int, seed: int) -> Timing:
    """A closed population of 95 % as many calls as agents: each step the oldest call ends and a
    new one arrives in a random queue. Calls pile up in queues whose agents are busy while other
    agents idle, so both decisions happen at every size. Warm up first, then time."""
    rng = random.Random(seed)
    now = 1_790_000_000.0
    talking: deque[InteractionId] = deque()
    ringing: list[Offer] = []
    spent = {"enqueue": 0.0, "hang_up": 0.0, "answer": 0.0}
    count = {"enqueue": 0, "hang_up": 0, "answer": 0}
    at_once = 0
    population = int(0.95 * agents)
    clock = time.thread_time  # CPU time: the CI machine is shared, wall time is noisy
    made = finished = 0
    warm_up = population + 2 * agents  # fill, then let the queues settle

    for step in range(warm_up + operations):
        timed = step >= warm_up
        now += 0.01
        if made - finished < population or not talking:
            pass  # still filling: arrivals only
        else:
            finished += 1
            interaction_id = talking.popleft()
            start = clock()
            decisions = router.interaction_ended(interaction_id, now=now)
            if timed:
                spent["hang_up"] += clock() - start
                count["hang_up"] += 1
            ringing += [d for d in decisions if isinstance(d, Offer)]
        made = step + 1  # one arrival per step
        interaction_id = InteractionId(f"i{made}")
        queue_id = QueueId(f"q{rng.randrange(queues)}")
        start = clock()
        decisions = router.enqueue(interaction_id, queue_id, now=now)
        if timed:
            spent["enqueue"] += clock() - start
            count["enqueue"] += 1
        offers = [d for d in decisions if isinstance(d, Offer)]
        at_once += timed and bool(offers)
        ringing += offers
        for offer in ringing:
            start = clock()
            router.offer_answered(offer.interaction_id, offer.agent_id, now=now)
            if timed:
                spent["answer"] += clock() - start
                count["answer"] += 1
            talking.append(offer.interaction_id)
        ringing.clear()
    return Timing(
        enqueue_us=1e6 * spent["enqueue"] / max(1, count["enqueue"]),
        hang_up_us=1e6 * spent["hang_up"] / max(1, count["hang_up"]),
        answer_us=1e6 * spent["answer"] / max(1, count["answer"]),
        offered_at_once=at_once / max(1, count["enqueue"]),
    )


def measure(agents: int, queues: int, skills: int, operations: int, repeat: int) -> Timing:
    best: Timing | None = None
    for run in range(repeat):
        router = build(agents, queues, skills, seed=run)
        gc.collect()
        gc.disable()
        try:
            timing = drive(router, agents, queues, operations, seed=run)
        finally:
            gc.enable()
        cost = timing.enqueue_us + timing.hang_up_us
        if best is None or cost < best.enqueue_us + best.hang_up_us:
            best = timing
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [(100, 10, 3), (1_000, 100, 3), (10_000, 1_000, 3), (10_000, 1, 1)]
    print(f"{args.operations} operations per run, best of {args.repeat}; µs per operation")
    header = f"{'agents':>7} {'queues':>7} {'enqueue':>9} {'hang up':>9} {'answer':>8}"
    print(f"{header} {'at once':>8} {'× enqueue':>10} {'× hang up':>10}")
    baseline: Timing | None = None
    for agents, queues, skills in cases:
        t = measure(agents, queues, skills, args.operations, args.repeat)
        baseline = baseline or t
        print(
            f"{agents:>7,} {queues:>7,} {t.enqueue_us:>9.1f} {t.hang_up_us:>9.1f} "
            f"{t.answer_us:>8.1f} {100 * t.offered_at_once:>7.0f}% "
            f"{t.enqueue_us / baseline.enqueue_us:>10.2f} "
            f"{t.hang_up_us / baseline.hang_up_us:>10.2f}"
        )


if __name__ == "__main__":
    main()
