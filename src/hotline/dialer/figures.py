"""A campaign's figures from its attempts log, the one place they are defined (ADR 0196):
the campaign screen, the wallboard and the job's progress all read them from here.

- dials: attempts finished; connects: answered by a person and talked (agent or flow);
- right-party contacts and conversions: connects whose disposition says so;
- abandon rate: abandoned / answered by a person (connected, abandoned, refused), over the
  campaign's rolling window (Ofcom 24 h, FTC 30 days) ending now, and over its lifetime —
  the same definition the pacer holds the cap to (`PERSON_OUTCOMES`);
- AMD outcomes: what the live dialer's detector decided on answered calls (ADR 0197) —
  judged machine, judged human, decided at its time limit (unsure), the mean time from the
  answer to the verdict, and messages left on machines to their end; calls put through
  without detection are not judged. The job's progress line counts the same way (`AmdTally`);
- agent talk occupancy: agents' seconds on the campaign's calls (talk + wrap-up) over the
  agent-seconds its queue's agents were staffed while it dialed (kept per 15-minute slice,
  `STAFFED_SLICE_S`); no staffed time gives None (shown "—"), never a division by zero;
- list penetration: how much of the list has been worked — the campaign's records dialed at
  least once by the end, over its records made by the end less those on a do-not-call list
  and never dialed (they are not to be worked); no such record gives None.

For a report's period (`since`), dials, connects, right-party contacts, conversions, AMD
outcomes, the period's abandon rate and talk occupancy count the attempts that ended in
(since, now] (occupancy over the staffed slices that start in [since, now)); the rolling
window, the lifetime and penetration end at the period's end (ADR 0208).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hotline.dialer.outcomes import PERSON_OUTCOMES, Outcome

__all__ = [
    "STAFFED_SLICE_S",
    "AbandonWindow",
    "AmdTally",
    "Attempt",
    "CampaignFigures",
    "ListSize",
    "abandon_window",
    "campaign_figures",
    "dialed_records",
    "list_penetration",
    "staffed_slices",
    "talk_occupancy",
]

STAFFED_SLICE_S = 900.0
"""Staffed agent-seconds are kept per 15 minutes of epoch time: every time zone's offset is a
multiple of 15 minutes, so a report period's local day, week or month is whole slices."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One finished dial: when it ended, what it came to, when a person answered, the agent
    seconds it took, what its disposition counts as, and the detector's verdict on it
    (`amd_verdict` human / machine; None: not listened to) with its time and whether a
    message was left on the machine."""

    at: float
    outcome: Outcome
    answered_at: float | None = None
    handle_s: float = 0.0
    right_party: bool = False
    conversion: bool = False
    amd_verdict: str | None = None
    amd_sure: bool = True
    amd_decision_s: float = 0.0
    machine_message_left: bool = False
    record_id: str | None = None

    @property
    def person(self) -> bool:
        return self.outcome in PERSON_OUTCOMES


@dataclass(slots=True)
class AmdTally:
    """The detector's verdicts summed: the one count of AMD outcomes."""

    verdicts: dict[str, int] = field(default_factory=dict)  # human / machine
    unsure: int = 0  # verdicts at the detector's time limit
    decision_s: float = 0.0  # answer to verdict, summed over the verdicts
    messages_left: int = 0  # messages left on machines, played to their end

    def add(self, verdict: str, *, sure: bool, decision_s: float, message_left: bool) -> None:
        self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1
        self.unsure += not sure
        self.decision_s += decision_s
        self.messages_left += message_left

    def add_attempt(self, attempt: Attempt) -> None:
        if attempt.amd_verdict is not None:
            self.add(
                attempt.amd_verdict,
                sure=attempt.amd_sure,
                decision_s=attempt.amd_decision_s,
                message_left=attempt.machine_message_left,
            )

    @property
    def judged(self) -> int:
        return sum(self.verdicts.values())

    @property
    def mean_decision_s(self) -> float | None:
        return self.decision_s / self.judged if self.judged else None


@dataclass(frozen=True, slots=True)
class AbandonWindow:
    window_s: float
    answered: int
    abandoned: int
    cap: float

    @property
    def rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0

    @property
    def over_cap(self) -> bool:
        return self.rate > self.cap


def abandon_window(
    attempts: Iterable[Attempt], now: float, window_s: float | None, cap: float
) -> AbandonWindow:
    """Abandons over person-answered calls answered in (now − window_s, now]; `None`: all."""
    edge = None if window_s is None else now - window_s
    answered = abandoned = 0
    for attempt in attempts:
        if not attempt.person:
            continue
        at = attempt.answered_at if attempt.answered_at is not None else attempt.at
        if at > now or (edge is not None and at <= edge):
            continue
        answered += 1
        abandoned += attempt.outcome is Outcome.ABANDONED
    return AbandonWindow(window_s or 0.0, answered, abandoned, cap)


def staffed_slices(end: float, seconds: float, agents: int) -> dict[float, float]:
    """Agent-seconds of `agents` staffed over (end − seconds, end], split by the slices
    (`STAFFED_SLICE_S`) they fall in: slice start → agent-seconds."""
    out: dict[float, float] = {}
    if seconds <= 0 or agents <= 0:
        return out
    start = end - seconds
    while start < end:
        slice_at = math.floor(start / STAFFED_SLICE_S) * STAFFED_SLICE_S
        upto = min(end, slice_at + STAFFED_SLICE_S)
        out[slice_at] = out.get(slice_at, 0.0) + (upto - start) * agents
        start = upto
    return out


def talk_occupancy(handle_s: float, staffed_s: float) -> float | None:
    """Agent seconds on the campaign's calls over the staffed agent-seconds; None without
    staffed time (shown "—")."""
    return min(1.0, handle_s / staffed_s) if staffed_s > 0 else None


@dataclass(frozen=True, slots=True)
class ListSize:
    """A campaign's records made by a moment, and the ids of those among them on a
    do-not-call list (never to be worked unless dialed before they were listed)."""

    records: int
    dnc: frozenset[str] = frozenset()


def dialed_records(attempts: Iterable[Attempt], end: float | None) -> set[str]:
    """The records dialed at least once by `end` (None: ever)."""
    return {
        a.record_id for a in attempts if a.record_id is not None and (end is None or a.at <= end)
    }


def list_penetration(
    attempts: Iterable[Attempt], size: ListSize, end: float | None
) -> float | None:
    """Records dialed at least once by `end` (None: to date) over the records to work (made
    by then, less those on a do-not-call list and never dialed); None for no record to work."""
    dialed = dialed_records(attempts, end)
    workable = size.records - len(size.dnc - dialed)
    return min(1.0, len(dialed) / workable) if workable > 0 else None


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    dials: int
    connects: int
    right_party: int
    conversions: int
    window: AbandonWindow
    lifetime: AbandonWindow
    amd: AmdTally
    talk_occupancy: float | None  # over the period's staffed time when asked for a period
    records: int
    penetration: float | None  # by the figures' end
    by_outcome: Mapping[str, int]
    by_status: Mapping[str, int]
    period: AbandonWindow | None = None  # over the report's period, when asked for one
    staffed_s: float = 0.0  # staffed agent-seconds of the figures' span
    handle_s: float = 0.0  # agent seconds on the span's calls
    records_dialed: int = 0  # records dialed at least once by the end

    def as_dict(self) -> dict[str, object]:
        period = {} if self.period is None else {
            "abandon_rate_period": self.period.rate,
            "abandoned_period": self.period.abandoned,
            "answered_period": self.period.answered,
        }  # fmt: skip
        return {
            **period,
            "dials": self.dials,
            "connects": self.connects,
            "right_party": self.right_party,
            "conversions": self.conversions,
            "abandon_window_s": self.window.window_s,
            "abandon_cap": self.window.cap,
            "abandon_rate_window": self.window.rate,
            "abandoned_window": self.window.abandoned,
            "answered_window": self.window.answered,
            "abandon_over_cap": self.window.over_cap,
            "abandon_rate_lifetime": self.lifetime.rate,
            "abandoned": self.lifetime.abandoned,
            "answered": self.lifetime.answered,
            "amd_machine": self.amd.verdicts.get("machine", 0),
            "amd_human": self.amd.verdicts.get("human", 0),
            "amd_unsure": self.amd.unsure,
            "amd_mean_decision_s": self.amd.mean_decision_s,
            "machine_messages": self.amd.messages_left,
            "talk_occupancy": self.talk_occupancy,
            "staffed_s": self.staffed_s,
            "handle_s": self.handle_s,
            "records_dialed": self.records_dialed,
            "records": self.records,
            "penetration": self.penetration,
            "by_outcome": dict(self.by_outcome),
            "by_status": dict(self.by_status),
        }


def campaign_figures(
    attempts: Iterable[Attempt],
    by_status: Mapping[str, int],
    now: float,
    *,
    window_s: float,
    cap: float,
    staffed_s: float,
    size: ListSize | None = None,
    since: float | None = None,
) -> CampaignFigures:
    """The figures as of `now`; with `since`, the counts of the period (since, now].
    `staffed_s`: the staffed agent-seconds of the same span (to date, or the period's);
    `size`: the campaign's records (by the period's end; without it, the records by status).
    To date, every dial logged counts, whatever its time."""
    logged = list(attempts)
    done = logged if since is None else [a for a in logged if since < a.at <= now]
    end = None if since is None else now  # to date: every dial logged
    by_outcome: dict[str, int] = {}
    amd = AmdTally()
    for attempt in done:
        by_outcome[str(attempt.outcome)] = by_outcome.get(str(attempt.outcome), 0) + 1
        amd.add_attempt(attempt)
    connects = [a for a in done if a.outcome is Outcome.CONNECTED]
    handle = sum(a.handle_s for a in done)
    records = sum(by_status.values())
    size = size or ListSize(records)
    return CampaignFigures(
        dials=len(done),
        connects=len(connects),
        right_party=sum(a.right_party for a in connects),
        conversions=sum(a.conversion for a in connects),
        window=abandon_window(logged, now, window_s, cap),
        lifetime=abandon_window(logged, now, None, cap),
        amd=amd,
        talk_occupancy=talk_occupancy(handle, staffed_s),
        records=records,
        penetration=list_penetration(logged, size, end),
        by_outcome=by_outcome,
        by_status=dict(by_status),
        period=None if since is None else abandon_window(logged, now, now - since, cap),
        staffed_s=staffed_s,
        handle_s=handle,
        records_dialed=len(dialed_records(logged, end)),
    )
