"""Distributions, statistics, the KPI sink, the engine's call control, calibration, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hotline.analytics.simulate import (
    ArrivalProfile,
    Fixed,
    LogNormal,
    estimate,
    parse_scenario,
    simulate,
    t_quantile,
)
from hotline.analytics.simulate.calibrate import calibrate, read_bank_calls, scenario_yaml
from hotline.analytics.simulate.distributions import Sampler
from hotline.analytics.simulate.metrics import KpiSink
from hotline.cli import app
from hotline.routing import AgentState, Channel
from hotline.routing.events import (
    AgentStateChanged,
    QueueAbandoned,
    QueueAnswered,
    QueueEntered,
    QueueOffered,
)

DATA = Path(__file__).parents[2] / "data" / "simulate"


def test_piecewise_arrivals_follow_each_intervals_rate() -> None:
    profile = ArrivalProfile((0.0, 3600.0, 360.0), interval_s=3600)
    rng = np.random.default_rng(5)
    counts = [0, 0, 0]
    t = 0.0
    while (t := profile.next_arrival(t, rng)) < 30 * 3 * 3600:
        counts[int(t // 3600) % 3] += 1
    assert counts[0] == 0  # nothing arrives in a closed interval
    assert counts[1] / 30 == pytest.approx(3600, rel=0.02)
    assert counts[2] / 30 == pytest.approx(360, rel=0.06)
    assert ArrivalProfile((0.0,)).next_arrival(0.0, rng) == math.inf


def test_lognormal_is_parameterised_by_its_own_mean_and_spread() -> None:
    sampler = Sampler(LogNormal(190.0, 254.0), np.random.default_rng(1))
    draws = np.array([sampler.draw() for _ in range(200_000)])
    assert draws.mean() == pytest.approx(190.0, rel=0.02)
    assert draws.std() == pytest.approx(254.0, rel=0.06)
    assert Sampler(Fixed(7.0), np.random.default_rng(1)).draw() == 7.0


def test_t_quantiles_and_estimates() -> None:
    assert t_quantile(0.99, 9) == pytest.approx(3.249836, abs=1e-6)
    assert t_quantile(0.95, 1) == pytest.approx(12.706205, abs=1e-6)
    assert t_quantile(0.95, 4) == pytest.approx(2.776445, abs=1e-6)
    e = estimate([1.0, 2.0, 3.0], 0.95)
    assert e.mean == 2.0
    assert e.half_width == pytest.approx(4.302653 / math.sqrt(3))
    assert e.contains(0.0)
    assert not e.contains(5.0)
    assert math.isinf(estimate([1.0], 0.95).half_width)


def test_the_sink_applies_the_glossary_definitions_after_warm_up() -> None:
    sink = KpiSink(measure_from=100.0, short_abandon_s=5.0)

    def entered(iid: str, at: float) -> None:
        sink.emit(
            QueueEntered(
                tenant_id="t",
                at=at,
                interaction_id=iid,
                queue_id="q",
                channel=Channel.VOICE,
                priority=0,
                skills=(),
            )
        )

    entered("early", 50.0)  # entered in the warm-up: never counted
    sink.emit(
        QueueAnswered(
            tenant_id="t",
            at=120.0,
            interaction_id="early",
            queue_id="q",
            via_queue_id="q",
            channel=Channel.VOICE,
            priority=0,
            wait_s=70.0,
            sl_threshold_s=20.0,
        )
    )
    for iid, wait, answered in [
        ("a", 0.0, True),
        ("b", 30.0, True),
        ("c", 3.0, False),
        ("d", 60.0, False),
        ("e", 10.0, False),
    ]:
        entered(iid, 200.0)
        if wait == 0.0:
            sink.emit(
                QueueOffered(
                    tenant_id="t",
                    at=200.0,
                    interaction_id=iid,
                    queue_id="q",
                    via_queue_id="q",
                    priority=0,
                    wait_s=0.0,
                    attempt=1,
                    ring_timeout_s=15.0,
                )
            )
        if answered:
            sink.emit(
                QueueAnswered(
                    tenant_id="t",
                    at=200.0 + wait,
                    interaction_id=iid,
                    queue_id="q",
                    via_queue_id="q",
                    channel=Channel.VOICE,
                    priority=0,
                    wait_s=wait,
                    sl_threshold_s=20.0,
                )
            )
        else:
            sink.emit(
                QueueAbandoned(
                    tenant_id="t",
                    at=200.0 + wait,
                    interaction_id=iid,
                    queue_id="q",
                    channel=Channel.VOICE,
                    priority=0,
                    wait_s=wait,
                    sl_threshold_s=20.0,
                    position=1,
                )
            )
    t = sink.queues["q"]
    assert (t.offered, t.answered, t.abandoned, t.short_abandoned) == (5, 2, 3, 1)
    assert t.service_level == pytest.approx(1 / 3)  # a within 20 s; b late; d abandoned late
    assert t.abandon_rate == pytest.approx(2 / 4)  # short abandons out of both sides
    assert t.abandon_share == pytest.approx(3 / 5)
    assert t.asa_s == 15.0
    assert t.p_wait == pytest.approx(4 / 5)
    sink.emit(
        AgentStateChanged(
            tenant_id="t",
            at=50.0,
            agent_id="x",
            state=AgentState.AVAILABLE,
            previous=AgentState.LOGGED_OUT,
        )
    )
    sink.emit(
        AgentStateChanged(
            tenant_id="t",
            at=150.0,
            agent_id="x",
            state=AgentState.BUSY,
            previous=AgentState.AVAILABLE,
        )
    )
    sink.close(300.0)
    assert sink.agents["x"].seconds == {AgentState.AVAILABLE: 50.0, AgentState.BUSY: 150.0}


ENGINE = """\
name: engine
horizon: 3h
warmup: 30m
replications: 2
queues:
  - id: q
    wrap_up_s: 15
    ring_timeout_s: 10
    overflow:
      - {after_s: 30, action: offer_callback}
agents:
  - group: day
    count: 3
    answer_delay_s: 2
    no_answer_probability: 0.1
    staffing: {interval_s: 1h, counts: [3, 1, 2]}
traffic:
  - queue: q
    arrivals: {rate_per_hour: 40}
    handle_time: {distribution: fixed, value_s: 200}
    patience: {distribution: exponential, mean_s: 120}
    accepts_callback: 1.0
"""


def test_the_engine_plays_call_control_rona_callbacks_and_shifts() -> None:
    report = simulate(parse_scenario(ENGINE))
    queue = report.queue("q")
    assert queue.callbacks.mean > 0  # callers said yes to the callback offers
    assert queue.aht_s.mean == pytest.approx(215.0)  # fixed talk + the queue's wrap-up
    group = report.group("day")
    assert 0 < group.utilization.mean < 1
    assert group.occupancy.mean >= group.utilization.mean  # ringing and not ready are not idle
    assert all(0 <= a.occupancy <= 1 for a in report.agents)
    again = simulate(parse_scenario(ENGINE))
    assert again == report  # fixed seeds: the same report every time


def test_calibration_from_bank_records() -> None:
    cal = calibrate(read_bank_calls(DATA / "bank_sample.csv"), min_day_share=0.0)
    assert cal.days == 2  # Sunday and Monday; the Friday and the PHANTOM call are left out
    assert sum(cal.offered_per_hour) * 2 == 8  # 9 Sun/Mon calls, one hung up in the VRU
    assert cal.offered_per_hour[9] == 2.5
    assert cal.service_mean_s == pytest.approx((120 + 300 + 180 + 100 + 100) / 5)
    assert cal.patience_mean_s == pytest.approx((30 + 3 + 60 + 10 + 20 + 40) / 3)
    assert cal.priority_share == pytest.approx(2 / 8)
    # 4 answered within 20 s, of 5 answered + 2 abandoned after 20 s
    assert cal.observed_sl == pytest.approx(4 / 7)
    # the 3 s abandon is short and leaves both sides
    assert cal.observed_abandon_rate == pytest.approx(2 / 7)
    # DANA is on duty 120 s + 300 s on Sunday (the 505 s gap between is a break) and 2 × 100 s
    # on Monday in hour 9; MOSHE 180 s in hour 10 on Sunday
    assert cal.agents_per_hour[9] == pytest.approx((120 + 300 + 100 + 100) / 3600 / 2)
    assert cal.agents_per_hour[10] == pytest.approx(180 / 3600 / 2)
    scenario = parse_scenario(scenario_yaml(cal))
    assert scenario.queues[0].priority_credit_s == 90
    assert len(scenario.traffic) == 2


def test_the_cli_prints_a_report_and_json_and_reports_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ENGINE.replace("horizon: 3h", "horizon: 1h"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", str(path), "-r", "2"])
    assert result.exit_code == 0, result.output
    assert "service level %" in result.output
    result = runner.invoke(app, ["simulate", str(path), "--json", "--seed", "3"])
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["queues"][0]["queue_id"] == "q"
    path.write_text(
        ENGINE.replace("wrap_up_s: 15", "wrap_up_s: soon"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "s.yaml:7: queues[0].wrap_up_s" in result.output
