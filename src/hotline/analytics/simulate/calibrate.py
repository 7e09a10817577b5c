"""Calibrating a scenario from per-call records in the "Anonymous Bank" 1999 format.

Reads the Technion SEE lab's call log (one row per call: VRU entry/exit, queue start/exit,
service start/exit, outcome AGENT/HANG/PHANTOM, agent name, priority) and estimates what a
scenario needs, for Sunday–Thursday (the Israeli working week):

- arrivals: calls *offered to the queue* (GLOSSARY: entered the queue or were answered; VRU
  hang-ups are not offered), by the hour they left the VRU, as a mean per day;
- handle time: lognormal with the measured mean, its spread set so the median also matches
  (the data has no wrap-up, so the scenario has none);
- patience: exponential, by maximum likelihood with censoring — abandons ÷ total time waited
  by everyone who queued (those served were still patient when answered);
- staffing: agents *on duty* per hour — each agent's services merged across idle gaps of up to
  `presence_gap_s` (5 min), a longer gap counting as a break — as a mean per day. (Counting
  every agent who served at all in the hour overstates staffing by half: the bank's agents
  were busy ~88 % of their on-duty time at peak, not ~60 %.)
- priority: the share of priority-2 callers, who got 90 s of virtual waiting credit — exactly
  `priority_credit_s: 90` with priority 1;
- the observed KPIs the simulation should be compared with.

    python -m hotline.analytics.simulate.calibrate anonymous_bank_1999_calls.csv.gz > bank.yaml
"""

from __future__ import annotations

import csv
import gzip
import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

__all__ = ["BankCall", "Calibration", "calibrate", "read_bank_calls", "scenario_yaml"]

_WORK_WEEK = frozenset({6, 0, 1, 2, 3})  # Sunday–Thursday (Monday is 0)


@dataclass(frozen=True, slots=True)
class BankCall:
    day: date
    priority: int
    outcome: str  # AGENT, HANG, PHANTOM
    vru_exit: datetime
    queued: bool
    q_time_s: int
    served_at: datetime | None
    ser_time_s: int
    server: str


def read_bank_calls(path: Path) -> Iterator[BankCall]:
    """Rows of `anonymous_bank_1999_calls.csv.gz` (or an uncompressed copy)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield BankCall(
                day=date.fromisoformat(row["date"]),
                priority=int(row["priority"] or 0),
                outcome=row["outcome"],
                vru_exit=datetime.fromisoformat(row["vru_exit"]),
                queued=bool(row["q_start"]),
                q_time_s=int(row["q_time"] or 0),
                served_at=datetime.fromisoformat(row["ser_start"]) if row["ser_start"] else None,
                ser_time_s=int(row["ser_time"] or 0),
                server=row["server"],
            )


@dataclass(frozen=True, slots=True)
class Calibration:
    days: int
    offered_per_hour: tuple[float, ...]  # 24 means per day
    agents_per_hour: tuple[float, ...]  # on duty, 24 means per day
    busy_agents_per_hour: tuple[float, ...]  # in service: the load carried, in Erlangs
    service_mean_s: float
    service_median_s: float
    patience_mean_s: float
    priority_share: float
    observed_sl: float  # answered within 20 s / (answered + abandoned after 20 s)
    observed_asa_s: float
    observed_abandon_rate: float  # (abandoned − short) / (offered − short)
    observed_offered_per_day: float

    @property
    def service_sd_s(self) -> float:
        """Lognormal spread that keeps both the mean and the median."""
        sigma2 = 2.0 * math.log(self.service_mean_s / self.service_median_s)
        return self.service_mean_s * math.sqrt(math.expm1(sigma2))


def calibrate(
    calls: Iterable[BankCall], *, min_day_share: float = 0.5, presence_gap_s: float = 300.0
) -> Calibration:
    """Estimate from Sunday–Thursday calls; days below `min_day_share` of the median day's
    volume (holidays such as Passover and Yom Kippur) are left out."""
    by_day: dict[date, list[BankCall]] = defaultdict(list)
    for call in calls:
        if call.outcome != "PHANTOM" and call.day.weekday() in _WORK_WEEK:
            by_day[call.day].append(call)
    median = statistics.median(len(v) for v in by_day.values())
    days = {d: v for d, v in by_day.items() if len(v) >= min_day_share * median}
    offered = [0] * 24
    services_by_agent: dict[tuple[date, str], list[tuple[float, float]]] = defaultdict(list)
    services: list[int] = []
    waited_s = abandons = priority = total = 0
    answered = within = abandoned = short = after = 0
    wait_answered = 0.0
    for day_calls in days.values():
        for call in day_calls:
            if (
                call.served_at is not None
                and call.server != "NO_SERVER"
                and 0 < call.ser_time_s < 3600
            ):
                start = _seconds_into_day(call.served_at)
                services_by_agent[(call.served_at.date(), call.server)].append(
                    (start, start + call.ser_time_s)
                )
            is_offered = call.queued or call.outcome == "AGENT"
            if not is_offered:
                continue  # hung up in the VRU: never reached the queue
            total += 1
            offered[call.vru_exit.hour] += 1
            priority += call.priority == 2
            if call.queued:
                waited_s += call.q_time_s
            if call.outcome == "AGENT":
                answered += 1
                wait_answered += call.q_time_s
                within += call.q_time_s <= 20
                if call.ser_time_s > 0:
                    services.append(call.ser_time_s)
            else:
                abandoned += 1
                abandons += call.queued
                short += call.q_time_s <= 5
                after += call.q_time_s > 20
    n = len(days)
    on_duty, busy = [0.0] * 24, [0.0] * 24
    for spans in services_by_agent.values():
        for start, end in spans:
            _add_by_hour(busy, start, end)
        for start, end in _merge(sorted(spans), presence_gap_s):
            _add_by_hour(on_duty, start, end)
    return Calibration(
        days=n,
        offered_per_hour=tuple(c / n for c in offered),
        agents_per_hour=tuple(s / 3600 / n for s in on_duty),
        busy_agents_per_hour=tuple(s / 3600 / n for s in busy),
        service_mean_s=statistics.fmean(services),
        service_median_s=statistics.median(services),
        patience_mean_s=waited_s / abandons,
        priority_share=priority / total,
        observed_sl=within / (answered + after),
        observed_asa_s=wait_answered / answered,
        observed_abandon_rate=(abandoned - short) / (total - short),
        observed_offered_per_day=total / n,
    )


def _seconds_into_day(moment: datetime) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def _merge(spans: list[tuple[float, float]], gap_s: float) -> list[tuple[float, float]]:
    """Join intervals separated by at most `gap_s` (idle on duty), keep longer gaps apart."""
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] <= gap_s:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _add_by_hour(hours: list[float], start: float, end: float) -> None:
    """Credit the seconds of [start, end) to the hours of the day they fall in."""
    while start < end:
        boundary = (start // 3600 + 1) * 3600
        hours[int(start // 3600) % 24] += min(end, boundary) - start
        start = boundary


def scenario_yaml(cal: Calibration, *, replications: int = 10, seed: int = 1999) -> str:
    """A scenario file for one Sunday–Thursday day of the bank's call center."""
    normal = [round(r * (1 - cal.priority_share), 2) for r in cal.offered_per_hour]
    vip = [round(r * cal.priority_share, 2) for r in cal.offered_per_hour]
    staffing = [max(0, round(a)) for a in cal.agents_per_hour]
    offered_per_day = cal.observed_offered_per_day
    handle = (
        f"{{distribution: lognormal, mean_s: {cal.service_mean_s:.1f}, "
        f"sd_s: {cal.service_sd_s:.1f}}}"
    )
    return f"""\
# Calibrated from the "Anonymous Bank" call-center data, Israel 1999 (Technion SEE lab;
# I. Guedj and A. Mandelbaum): {cal.days} Sunday–Thursday days, PHANTOM calls and holidays
# left out. Generated by `python -m hotline.analytics.simulate.calibrate`.
# Observed on those days: SL {100 * cal.observed_sl:.1f} % in 20 s, ASA {cal.observed_asa_s:.1f} s,
# abandon rate {100 * cal.observed_abandon_rate:.1f} %, {offered_per_day:.0f} calls offered a day.
# Agents on duty per hour (services merged across idle gaps of up to 5 min), rounded:
#   {[round(a, 2) for a in cal.agents_per_hour]}
# Agents in service per hour (the load carried, Erlangs):
#   {[round(a, 2) for a in cal.busy_agents_per_hour]}
name: Anonymous Bank 1999, a Sunday–Thursday day
description: >
  Hourly arrival profile, lognormal service (mean {cal.service_mean_s:.1f} s, median
  {cal.service_median_s:.0f} s), exponential patience (mean {cal.patience_mean_s:.0f} s, censored
  MLE), agents on duty per hour as observed, priority callers with 90 s of waiting credit.
seed: {seed}
replications: {replications}
warmup: 7h
horizon: 17h
queues:
  - id: bank
    strategy: longest_idle
    priority_credit_s: 90
    wrap_up_s: 0
    ring_timeout_s: 30
    sl: 80/20
agents:
  - group: tellers
    count: {max(1, *staffing)}
    staffing:
      interval_s: 3600
      counts: {staffing}
traffic:
  - name: regular
    queue: bank
    arrivals:
      interval_s: 3600
      rates_per_hour: {normal}
    handle_time: {handle}
    patience: {{distribution: exponential, mean_s: {cal.patience_mean_s:.0f}}}
  - name: priority
    queue: bank
    priority: 1
    arrivals:
      interval_s: 3600
      rates_per_hour: {vip}
    handle_time: {handle}
    patience: {{distribution: exponential, mean_s: {cal.patience_mean_s:.0f}}}
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m hotline.analytics.simulate.calibrate CALLS.csv.gz", file=sys.stderr)
        return 2
    sys.stdout.write(scenario_yaml(calibrate(read_bank_calls(Path(args[0])))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
