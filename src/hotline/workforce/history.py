"""Interval history for the planner: the port, and the CSV reader behind it.

`HistorySource` is what the forecast asks for: a queue's `IntervalHistory` between two days.
Two sources implement it: the queue visits of the contacts projection
(`hotline.store.wfm_repo`), and CSV files a new center imports (this module), in either of
two shapes, recognised by header:

- counts per interval: `interval_start` (or `start`, `hour_start`, `period_start`) and
  `offered` (or `count`, `calls`, `contacts`, `calls_excl_phantom`); optional `queue`,
  `answered`, `abandoned`, `handle_s` (total) or `aht_s` (mean), `wait_s` (total);
- one row per contact: `arrived_at` (or `arrival`, `started_at`, `vru_entry`); optional
  `queue`, `outcome` (answered/agent, abandoned/hang; phantom/ignore rows are skipped) or
  `abandoned` (true/false), `handle_s` (or `talk_s`, `ser_time`), `wait_s` (or `q_time`).

Times are the center's local wall-clock time (ISO 8601; an offset, if given, is converted to
`time_zone`). A bad cell stops the read with the row, the column and the value, in the
caller's words; nothing is half-imported. Parsing takes lines, not a path: the caller reads.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from hotline.analytics.wfm.series import IntervalHistory, intervals_per_day
from hotline.workforce.errors import HistoryFileError

__all__ = ["HistorySource", "IntervalRow", "history_from_rows", "read_history_csv"]

_TIME = ("interval_start", "start", "hour_start", "period_start")
_COUNT = ("offered", "count", "calls", "contacts", "calls_excl_phantom")
_ARRIVAL = ("arrived_at", "arrival", "started_at", "vru_entry")
_HANDLE = ("handle_s", "talk_s", "ser_time")
_WAIT = ("wait_s", "q_time")
_ANSWERED_WORDS = {"answered", "agent", "served"}
_ABANDONED_WORDS = {"abandoned", "hang", "abandon"}
_SKIPPED_WORDS = {"phantom", "ignore"}
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class HistorySource(Protocol):
    async def history(
        self, tenant_id: str, queue_id: str, first: date, last: date, interval_s: int
    ) -> IntervalHistory: ...


@dataclass(frozen=True, slots=True)
class IntervalRow:
    """One interval of one queue, as stored: local start, and what happened in it."""

    queue_id: str
    start: datetime  # local wall-clock time
    offered: float
    answered: float | None = None
    abandoned: float | None = None
    handle_s: float | None = None
    wait_s: float | None = None


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in header), None)


def read_history_csv(
    lines: Iterable[str], *, time_zone: str, interval_s: int = 900, default_queue: str = "default"
) -> list[IntervalRow]:
    """Interval rows (at `interval_s` for contacts; as given for counts) from a CSV."""
    intervals_per_day(interval_s)
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    zone = ZoneInfo(time_zone)
    if _pick(header, _TIME) and _pick(header, _COUNT):
        return list(_counts(reader, header, zone, default_queue))
    if _pick(header, _ARRIVAL):
        return _contacts(reader, header, zone, interval_s, default_queue)
    raise HistoryFileError(
        "the header needs interval_start and offered (counts per interval) "
        "or arrived_at (one row per contact)",
        row=1,
        column=",".join(header)[:80],
    )


def _number(row: dict[str, str], column: str | None, line: int) -> float | None:
    if column is None:
        return None
    text = (row.get(column) or "").strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise HistoryFileError("not a number", row=line, column=column, value=text) from None
    if not math.isfinite(value) or value < 0:
        raise HistoryFileError("must be a number >= 0", row=line, column=column, value=text)
    return value


def _moment(row: dict[str, str], column: str, line: int, zone: ZoneInfo) -> datetime:
    text = (row.get(column) or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise HistoryFileError(
            "not a date and time (ISO 8601, e.g. 2026-03-02T09:15:00)",
            row=line,
            column=column,
            value=text,
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone).replace(tzinfo=None)
    return moment


def _counts(
    reader: csv.DictReader[str], header: list[str], zone: ZoneInfo, default_queue: str
) -> Iterator[IntervalRow]:
    time_col = _pick(header, _TIME)
    count_col = _pick(header, _COUNT)
    assert time_col is not None
    assert count_col is not None
    queue_col = "queue" if "queue" in header else None
    for line, row in enumerate(reader, start=2):
        offered = _number(row, count_col, line)
        if offered is None:
            continue  # an empty count is missing data, not zero
        answered = _number(row, "answered" if "answered" in header else None, line)
        handle = _number(row, _pick(header, ("handle_s",)), line)
        aht = _number(row, _pick(header, ("aht_s",)), line)
        if handle is None and aht is not None:
            handle = aht * (answered if answered is not None else offered)
        queue = ((row.get(queue_col) or "").strip() if queue_col else "") or default_queue
        yield IntervalRow(
            queue_id=queue,
            start=_moment(row, time_col, line, zone),
            offered=offered,
            answered=answered,
            abandoned=_number(row, "abandoned" if "abandoned" in header else None, line),
            handle_s=handle,
            wait_s=_number(row, _pick(header, ("wait_s",)), line),
        )


def _contacts(
    reader: csv.DictReader[str],
    header: list[str],
    zone: ZoneInfo,
    interval_s: int,
    default_queue: str,
) -> list[IntervalRow]:
    arrival_col = _pick(header, _ARRIVAL)
    assert arrival_col is not None
    handle_col, wait_col = _pick(header, _HANDLE), _pick(header, _WAIT)
    queue_col = "queue" if "queue" in header else None
    sums: dict[tuple[str, datetime], list[float]] = {}
    for line, row in enumerate(reader, start=2):
        answered, abandoned = _outcome(row, header, line)
        if answered is None:
            continue
        moment = _moment(row, arrival_col, line, zone)
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        start = datetime.combine(moment.date(), datetime.min.time()) + timedelta(
            seconds=seconds // interval_s * interval_s
        )
        queue = ((row.get(queue_col) or "").strip() if queue_col else "") or default_queue
        cell = sums.setdefault((queue, start), [0.0, 0.0, 0.0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += answered
        cell[2] += abandoned
        cell[3] += (_number(row, handle_col, line) or 0.0) if answered else 0.0
        cell[4] += _number(row, wait_col, line) or 0.0
    return [
        IntervalRow(queue, start, c[0], c[1], c[2], c[3], c[4])
        for (queue, start), c in sorted(sums.items())
    ]


def _outcome(row: dict[str, str], header: list[str], line: int) -> tuple[float | None, float]:
    """(answered, abandoned) as 1/0; answered None for a row to skip."""
    if "outcome" in header:
        word = (row.get("outcome") or "").strip().lower()
        if word in _SKIPPED_WORDS:
            return None, 0.0
        if word in _ANSWERED_WORDS:
            return 1.0, 0.0
        if word in _ABANDONED_WORDS:
            return 0.0, 1.0
        raise HistoryFileError(
            "outcome must be answered, abandoned or phantom", row=line, column="outcome", value=word
        )
    if "abandoned" in header:
        word = (row.get("abandoned") or "").strip().lower()
        if word in _TRUE:
            return 0.0, 1.0
        if word in _FALSE:
            return 1.0, 0.0
        raise HistoryFileError("must be true or false", row=line, column="abandoned", value=word)
    return 1.0, 0.0


def history_from_rows(
    rows: Iterable[IntervalRow],
    interval_s: int,
    *,
    first: date | None = None,
    last: date | None = None,
) -> IntervalHistory:
    """One queue's rows as a day × interval history at `interval_s` (rows at finer intervals are
    summed; coarser ones cannot be split). Days without a single row are missing (NaN)."""
    per_day = intervals_per_day(interval_s)
    items = list(rows)
    days = sorted({r.start.date() for r in items})
    if not days and (first is None or last is None):
        raise HistoryFileError("no intervals in the history", row=0, column="", value="")
    lo = first or days[0]
    hi = last or days[-1]
    count = (hi - lo).days + 1
    offered = np.full((count, per_day), np.nan)
    answered, abandoned = np.zeros((count, per_day)), np.zeros((count, per_day))
    handle, wait = np.zeros((count, per_day)), np.zeros((count, per_day))
    has = {"answered": False, "handle": False, "abandoned": False, "wait": False}
    for r in items:
        day = (r.start.date() - lo).days
        if not 0 <= day < count:
            continue
        slot = (r.start.hour * 3600 + r.start.minute * 60 + r.start.second) // interval_s
        if np.isnan(offered[day, 0]):
            offered[day] = 0.0
        offered[day, slot] += r.offered
        answered[day, slot] += r.answered if r.answered is not None else r.offered
        has["answered"] |= r.answered is not None
        if r.handle_s is not None:
            handle[day, slot] += r.handle_s
            has["handle"] = True
        if r.abandoned is not None:
            abandoned[day, slot] += r.abandoned
            has["abandoned"] = True
        if r.wait_s is not None:
            wait[day, slot] += r.wait_s
            has["wait"] = True
    missing = np.isnan(offered[:, :1])
    return IntervalHistory(
        lo,
        interval_s,
        offered,
        np.where(missing, np.nan, answered) if has["handle"] else None,
        np.where(missing, np.nan, handle) if has["handle"] else None,
        np.where(missing, np.nan, abandoned) if has["abandoned"] else None,
        np.where(missing, np.nan, wait) if has["wait"] else None,
    )
