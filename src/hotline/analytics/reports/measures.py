"""What an interval fact holds: the measures (whole numbers; durations in milliseconds) and the
dimensions a fact is kept by (docs/metrics.md, ADR 0130).

A fact is one row per (tenant, 15-minute interval, dimension, key). Every measure but one is a
sum, so facts add up over any range; `LONGEST_WAIT_MS` is a maximum.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = ["INTERVAL_S", "MAX_MEASURES", "MEASURES", "Dim", "M", "ReasonKind", "to_ms"]

INTERVAL_S = 900
"""Facts are kept per 15 minutes; every real time zone's offset is a multiple of 15 minutes,
so a local day, week or month is a whole number of intervals."""


class Dim(StrEnum):
    """What a fact is kept by. Queue and skill group count each queue visit (work item);
    center, channel, number (DID) and VIP level count each contact once; agent counts the
    agent's segments and its state time. Teams are their agents' facts added up (ADR 0131)."""

    CENTER = "center"
    QUEUE = "queue"
    SKILL = "skill"
    CHANNEL = "channel"
    DID = "did"
    VIP = "vip"
    AGENT = "agent"


class M(IntEnum):
    """The measures, in column order."""

    CONTACTS = 0  # contacts that arrived (center, channel, DID, VIP)
    OFFERED = 1  # entered the queue (a contact's first entry for contact dimensions)
    ANSWERED = 2
    ANSWERED_IN_SL = 3  # wait ≤ the SL threshold the answer carried
    ANSWER_WAIT_MS = 4
    ABANDONED = 5
    SHORT_ABANDONED = 6  # wait ≤ the short-abandon threshold
    ABANDONED_AFTER_SL = 7  # not short, wait > the SL threshold
    ABANDON_WAIT_MS = 8
    LONGEST_WAIT_MS = 9  # the longest wait answered or abandoned (a maximum, not a sum)
    REJECTED = 10  # turned away at the door (closed, full): not offered
    EXITED = 11  # sent elsewhere by the router (max wait, closing, overflow out)
    CALLBACKS_REQUESTED = 12
    CALLBACKS_MADE = 13  # a kept callback answered by an agent
    CALLBACKS_FAILED = 14
    VOICEMAILS = 15  # contacts ending in voicemail
    HANDLED = 16  # segments whose handling finished (talk and after-call work known)
    TALK_MS = 17  # connected time, hold included (as the router measures it)
    HOLD_MS = 18
    HOLDS = 19
    ACW_MS = 20  # after-call work (wrap-up)
    HANDLE_MS = 21  # talk (with hold) + after-call work
    ACW_OVERRUNS = 22  # wrap-ups that ran past their timer with a disposition due
    ACW_OVERRUN_MS = 23
    TRANSFERS = 24
    CONSULTS = 25
    DISPOSITIONED = 26
    SALES = 27  # dispositions marked as a sale
    CSAT_ANSWERS = 28
    CSAT_SATISFIED = 29
    CSAT_SCORE = 30  # sum of ratings, for the average
    FCR_CONTACTS = 31  # answered contacts, counted when they end
    FCR_UNRESOLVED = 32  # of those: transferred, or the customer came back within N days
    LOGIN_MS = 33  # logged in (any state but logged out)
    AVAILABLE_MS = 34  # available or ringing: idle and ready
    BUSY_MS = 35  # on a contact
    WRAP_UP_MS = 36
    NOT_READY_MS = 37  # by reason: the reason facts


MEASURES: tuple[str, ...] = tuple(m.name.lower() for m in M)
"""The facts table's measure columns, in order."""

MAX_MEASURES = frozenset({M.LONGEST_WAIT_MS})


class ReasonKind(StrEnum):
    """What the reason facts count by an open-ended name."""

    NOT_READY = "not_ready"  # not-ready time by reason (ms, and how many times)
    DISPOSITION = "disposition"  # dispositioned segments by code (the top-10 reasons)


def to_ms(seconds: float) -> int:
    """Whole milliseconds: sums are exact and do not depend on the order they are made in."""
    return round(seconds * 1000.0)
