"""Pure due-time logic: cron occurrences in a time zone across DST changes, backoff."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.jobs import InvalidSchedule, Retry, check_cron, next_occurrence, occurrences
from hotline.jobs.timing import next_due

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def local(ts: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, zone)


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        # US: 2026-03-08 spring forward, 2026-11-01 fall back.
        (NY, datetime(2026, 3, 5, 12, 0, tzinfo=NY)),
        (NY, datetime(2026, 10, 29, 12, 0, tzinfo=NY)),
        # EU: 2026-03-29 and 2026-10-25.
        (BERLIN, datetime(2026, 3, 26, 12, 0, tzinfo=BERLIN)),
        (BERLIN, datetime(2026, 10, 22, 12, 0, tzinfo=BERLIN)),
    ],
)
def test_daily_0800_stays_0800_local_across_a_dst_change(zone: ZoneInfo, start: datetime) -> None:
    times = occurrences("0 8 * * *", zone.key, start.timestamp(), 7)
    assert [local(t, zone).hour for t in times] == [8] * 7
    assert [local(t, zone).minute for t in times] == [0] * 7
    days = [local(t, zone).date() for t in times]
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [1] * 6
    # One of the gaps is 23 or 25 hours long: the change happened in between.
    gaps = {round(b - a) for a, b in itertools.pairwise(times)}
    assert gaps - {86_400} in ({82_800}, {90_000})


def test_a_time_skipped_by_spring_forward_runs_right_after_the_jump() -> None:
    before = datetime(2026, 3, 8, 1, 0, tzinfo=NY).timestamp()
    when = local(next_occurrence("30 2 * * *", "America/New_York", before), NY)
    assert (when.month, when.day, when.hour, when.minute) == (3, 8, 3, 0)


def test_a_time_repeated_by_fall_back_runs_once() -> None:
    before = datetime(2026, 11, 1, 0, 0, tzinfo=NY).timestamp()
    first, second = occurrences("30 1 * * *", "America/New_York", before, 2)
    assert local(first, NY).day == 1
    assert local(second, NY).day == 2


def test_missed_occurrences_coalesce_into_one_firing() -> None:
    scheduled = datetime(2026, 6, 1, 8, 0, tzinfo=NY).timestamp()
    now = datetime(2026, 6, 4, 9, 30, tzinfo=NY).timestamp()  # down for three days
    assert local(next_due("0 8 * * *", "America/New_York", scheduled=scheduled, now=now), NY) == (
        datetime(2026, 6, 5, 8, 0, tzinfo=NY)
    )


@pytest.mark.parametrize("bad", ["", "0 8 * *", "61 8 * * *", "0 8 * * funday", "a b c d e"])
def test_bad_cron_names_the_field(bad: str) -> None:
    with pytest.raises(InvalidSchedule) as error:
        check_cron(bad)
    assert error.value.details["field"] == "cron"


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidSchedule) as error:
        next_occurrence("0 8 * * *", "Mars/Olympus", 0.0)
    assert error.value.details["field"] == "timezone"


def test_backoff_grows_and_caps() -> None:
    retry = Retry(max_attempts=6, base_s=10, factor=4, max_s=1000)
    assert [retry.delay_s(n) for n in range(1, 6)] == [10, 40, 160, 640, 1000]
