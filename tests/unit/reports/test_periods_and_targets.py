"""Report periods in the tenant's time zone, the previous period, targets and the FCR window."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from hotline.analytics.reports.counting import Counting
from hotline.analytics.reports.errors import CountingInvalid, PeriodInvalid, TargetInvalid
from hotline.analytics.reports.periods import period_of
from hotline.analytics.reports.service import ReportService, Viewer
from hotline.analytics.reports.targets import Targets, assess

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_weeks_run_monday_to_sunday_and_months_compare_with_the_month_before() -> None:
    week = period_of("week", "2026-11-25", SHANGHAI)
    assert (week.first, week.last) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week.end - week.start == 7 * 86_400
    assert week.previous().first == date(2026, 11, 16)
    march = period_of("month", "2026-03-31", SHANGHAI)
    assert (march.first, march.last, march.previous().first, march.previous().last) == (
        date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28),
    )  # fmt: skip
    day = period_of("day", "2026-11-25", SHANGHAI)
    assert day.start % 900 == 0  # local midnight is an interval edge (UTC+8)
    span = period_of("range", "2026-11-01", SHANGHAI, until="2026-11-10")
    assert (span.days, span.previous().last) == (10, date(2026, 10, 31))


@pytest.mark.parametrize(
    ("kind", "day", "until"),
    [
        ("year", "2026-11-25", None),
        ("day", "2026-13-01", None),
        ("range", "2026-11-02", "2026-11-01"),
        ("range", "2026-01-01", "2027-06-01"),
        ("range", "2026-01-01", None),
    ],
)
def test_bad_periods_name_their_field(kind: str, day: str, until: str | None) -> None:
    with pytest.raises(PeriodInvalid) as caught:
        period_of(kind, day, SHANGHAI, until=until)
    assert caught.value.code == "reports.period.invalid"
    assert caught.value.details["field"] in {"period", "date", "until"}


def test_targets_default_to_the_managers_report_and_say_met_or_missed() -> None:
    targets = Targets()
    assert (targets.answer_rate, targets.asa_s, targets.fcr, targets.csat) == (0.85, 20, 0.7, 0.9)
    verdict = assess({"answer_rate": 0.9, "asa_s": 25.0, "fcr": None, "csat": 0.9,
                      "service_level": 0.79}, targets)  # fmt: skip
    assert {k: v["met"] for k, v in verdict.items()} == {
        "answer_rate": True, "asa_s": False, "fcr": None, "csat": True, "service_level": False,
    }  # fmt: skip
    assert targets.with_overrides({"asa_s": 15}).asa_s == 15.0
    with pytest.raises(TargetInvalid):
        targets.with_overrides({"answer_rate": 1.5})
    with pytest.raises(TargetInvalid):
        targets.with_overrides({"nonsense": 1})


class _Rules:
    """The report directory's counting rules, as a tenant set them."""

    def __init__(self, counting: Counting) -> None:
        self.counting_rules = counting

    async def counting(self, tenant_id: str) -> Counting:
        return self.counting_rules


async def test_fcr_is_provisional_until_its_window_is_over() -> None:
    day = period_of("day", "2026-11-25", SHANGHAI)
    viewer = Viewer("t", "u", frozenset({"admin"}))

    def service(now: float, rules: Counting | None = None) -> ReportService:
        rules = rules or Counting()
        return ReportService(None, _Rules(rules), None, viewer, now=now)  # type: ignore[arg-type]

    assert await service(day.end + 6 * 86_400).provisional(day)
    assert not await service(day.end + 7 * 86_400).provisional(day)
    # a tenant that looks three days ahead for repeat contacts
    three = Counting(fcr_window_days=3)
    assert await service(day.end + 2 * 86_400, three).provisional(day)
    assert not await service(day.end + 3 * 86_400, three).provisional(day)


def test_counting_rules_are_checked_and_reach_the_rollup() -> None:
    rules = Counting.of({"short_abandon_s": 8, "fcr_window_days": 3, "csat_satisfied_from": 5})
    settings = rules.rollup()
    assert (settings.short_abandon_s, settings.fcr_window_days) == (8.0, 3)
    assert (settings.vip_sl_threshold_s, settings.satisfied_from(5)) == (15.0, 5)
    assert Counting.of({}) == Counting()
    for wrong in (
        {"short_abandon_s": -1}, {"short_abandon_s": 61}, {"fcr_window_days": 0},
        {"fcr_window_days": 2.5}, {"vip_sl_threshold_s": 0}, {"csat_satisfied_from": 6},
        {"csat_satisfied_from": True}, {"short_abandon_s": "5"}, {"nonsense": 1},
        {"short_abandon_s": float("nan")},
    ):  # fmt: skip
        with pytest.raises(CountingInvalid) as error:
            Counting.of(wrong)
        assert error.value.details["field"] == next(iter(wrong))
