"""The twin agrees (issue 16): a simulated Anonymous Bank day, its router's events rolled up
into interval facts, reports the simulator's own SL, ASA and abandon rate."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from hotline.analytics.reports import Deltas, M, Rollup, add_totals, figures
from hotline.analytics.simulate import load_scenario
from hotline.analytics.simulate.engine import Replication
from hotline.events import EventRecord, ListSink

BANK = Path(__file__).parents[3] / "examples" / "scenarios" / "anonymous-bank-weekday.yaml"


def test_a_simulated_bank_day_reports_what_the_simulator_counted() -> None:
    scenario = dataclasses.replace(load_scenario(BANK), replications=1)
    tap = ListSink()
    replication = Replication(scenario, np.random.SeedSequence(scenario.seed).spawn(1)[0], tap=tap)
    result = replication.run()
    rollup, deltas = Rollup(), Deltas()
    for seq, e in enumerate(tap.events, start=1):
        rollup.apply(
            EventRecord(e.tenant_id, seq, e.at, e.type, e.interaction_id, e.leg_id, e.agent_id,
                        e.payload(), e.schema_version),
            deltas,
        )  # fmt: skip
    totals = [0] * len(M)
    for (iv, dim, key), row in deltas.facts.items():
        # the simulator measures callers who entered after its warm-up (07:00, an interval edge)
        if (dim, key) == ("queue", "bank") and iv >= replication.measure_from:
            add_totals(totals, row)
    report = figures(totals)
    own = result.sink.queues["bank"]
    assert own.offered > 1000
    assert (report["offered"], report["answered"], report["abandoned"]) == (
        own.offered, own.answered, own.abandoned,
    )  # fmt: skip
    assert report["service_level"] == round(own.service_level, 4)
    assert report["asa_s"] == round(own.asa_s, 1)
    assert report["abandon_rate"] == round(own.abandon_rate, 4)
