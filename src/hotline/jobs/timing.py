"""Pure due-time logic: cron occurrences in a time zone, catch-up after downtime, backoff.

Cron expressions are the five classic fields (`minute hour day-of-month month day-of-week`,
e.g. `0 8 * * *` = 08:00 every day) evaluated by `cronsim` in the job's IANA time zone, so
"08:00" stays 08:00 local across daylight-saving changes. cronsim follows Debian cron at the
changes: a time skipped by a spring-forward runs right after the jump; a time repeated by a
fall-back runs once. Nothing here reads the clock: `now` comes in (DESIGN §3.8).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from hotline.jobs.errors import InvalidSchedule

__all__ = ["check_cron", "check_timezone", "next_due", "next_occurrence", "occurrences"]


@lru_cache(maxsize=128)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_timezone(name: str) -> ZoneInfo:
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSchedule(
            f"unknown time zone {name!r} (use an IANA name like Asia/Shanghai)",
            field="timezone",
            value=name,
        ) from None


def check_cron(expression: str) -> str:
    """The expression, normalised; `InvalidSchedule` naming the bad field otherwise."""
    text = " ".join(expression.split())
    if len(text.split(" ")) != 5:
        raise InvalidSchedule(
            f"{expression!r} is not a cron expression of five fields "
            "(minute hour day-of-month month day-of-week, e.g. '0 8 * * *')",
            field="cron",
            value=expression,
        )
    try:
        CronSim(text, datetime(2000, 1, 1))
    except CronSimError as error:
        raise InvalidSchedule(f"{expression!r}: {error}", field="cron", value=expression) from None
    return text


def next_occurrence(expression: str, timezone: str, after: float) -> float:
    """Epoch seconds of the first occurrence strictly after `after`."""
    zone = check_timezone(timezone)
    start = datetime.fromtimestamp(after, UTC).astimezone(zone)
    occurrence = next(iter(CronSim(check_cron(expression), start)))
    when = occurrence.timestamp()
    if when <= after:  # sub-second `after`: cron works in whole seconds
        occurrence = next(iter(CronSim(check_cron(expression), occurrence)))
        when = occurrence.timestamp()
    return when


def occurrences(expression: str, timezone: str, after: float, count: int) -> list[float]:
    """The next `count` occurrences after `after` (for previews on the admin page)."""
    out: list[float] = []
    at = after
    for _ in range(count):
        at = next_occurrence(expression, timezone, at)
        out.append(at)
    return out


def next_due(expression: str, timezone: str, *, scheduled: float, now: float) -> float:
    """Where a recurring job goes after its firing for occurrence `scheduled` ran at `now`.

    Occurrences missed while the process was down were coalesced into that one firing, so the
    next due time is the first occurrence after both the fired one and `now`.
    """
    return next_occurrence(expression, timezone, max(scheduled, now))
