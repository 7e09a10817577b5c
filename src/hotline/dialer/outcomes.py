"""What a dial came to, and what happens to its record next.

`classify` turns the call's end (final SIP response per RFC 3261 §21, the Q.850 cause of a
Reason header per RFC 3326, the talk seconds and the answering-machine verdict) into one
`Outcome`. `RetryPolicy.apply` moves the record: dead numbers leave the campaign, refusals
are rested and counted, the rest come back after their outcome's minimum interval until their
outcome's (or the campaign's) maximum of attempts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from hotline.dialer.errors import DialerError
from hotline.dialer.record import CallRecord, RecordStatus

__all__ = [
    "DEFAULT_RULES",
    "PERSON_OUTCOMES",
    "DialEnd",
    "Outcome",
    "RetryPolicy",
    "RetryRule",
    "classify",
    "local_callback_at",
    "not_placed",
    "schedule_callback",
]


class Outcome(StrEnum):
    CONNECTED = "connected"  # a person answered and talked to an agent (or the flow)
    ABANDONED = "abandoned"  # a person answered, no agent was free: safe-harbor message
    MACHINE = "machine"  # an answering machine answered
    REFUSED = "refused"  # 603 decline, or hung up within seconds of answering
    BUSY = "busy"  # 486 / 600, cause 17
    NO_ANSWER = "no_answer"  # rang out (our CANCEL: 487), 480, 408, causes 18/19
    INVALID = "invalid"  # dead number: 404, 410, 484, 604, causes 1/22/28
    FAILED = "failed"  # the carrier rejected the call (403, 5xx …): the number is not to blame


# Answered by a person: what the abandon rate divides by (pacer and figures alike).
PERSON_OUTCOMES = frozenset({Outcome.CONNECTED, Outcome.ABANDONED, Outcome.REFUSED})

# Final responses (RFC 3261 §21) and Q.850 causes that say the number does not exist.
INVALID_STATUSES = frozenset({404, 410, 484, 485, 604})
INVALID_CAUSES = frozenset({1, 3, 22, 28})
BUSY_STATUSES = frozenset({486, 600})
BUSY_CAUSES = frozenset({17})
REFUSED_STATUSES = frozenset({603})
REFUSED_CAUSES = frozenset({21})
NO_ANSWER_STATUSES = frozenset({408, 480, 487})
NO_ANSWER_CAUSES = frozenset({18, 19})


@dataclass(frozen=True, slots=True)
class DialEnd:
    """How one dial ended. `status`: the final response to the INVITE (200 if answered);
    `cause`: the Q.850 cause, if the carrier gave one; `talk_s`: answer to hang-up;
    `callee_hung_up`: the callee ended it; `machine`: the detector's verdict (None: not run);
    `abandoned`: answered with no agent free."""

    status: int
    cause: int | None = None
    talk_s: float = 0.0
    callee_hung_up: bool = False
    machine: bool | None = None
    abandoned: bool = False


def classify(end: DialEnd, *, short_call_s: float = 5.0) -> Outcome:
    if 200 <= end.status < 300:
        if end.machine:
            return Outcome.MACHINE
        if end.abandoned:
            return Outcome.ABANDONED
        if end.callee_hung_up and end.talk_s < short_call_s:
            return Outcome.REFUSED
        return Outcome.CONNECTED
    # The cause is the carrier's more precise word when it gives one (RFC 3326).
    if end.cause in INVALID_CAUSES or end.status in INVALID_STATUSES:
        return Outcome.INVALID
    if end.cause in BUSY_CAUSES or end.status in BUSY_STATUSES:
        return Outcome.BUSY
    if end.cause in REFUSED_CAUSES or end.status in REFUSED_STATUSES:
        return Outcome.REFUSED
    if end.cause in NO_ANSWER_CAUSES or end.status in NO_ANSWER_STATUSES:
        return Outcome.NO_ANSWER
    return Outcome.FAILED


@dataclass(frozen=True, slots=True)
class RetryRule:
    """After this outcome: dial again no sooner than `interval_s`, at most `max_attempts`
    times with this outcome (then the record ends as `final`)."""

    interval_s: float
    max_attempts: int
    final: RecordStatus = RecordStatus.EXHAUSTED


HOUR = 3600.0
DEFAULT_RULES: dict[Outcome, RetryRule] = {
    Outcome.BUSY: RetryRule(10 * 60.0, 5),
    Outcome.NO_ANSWER: RetryRule(2 * HOUR, 4),
    Outcome.MACHINE: RetryRule(4 * HOUR, 3),
    # Ofcom: an abandoned number is not called again within 72 h without a guaranteed agent.
    Outcome.ABANDONED: RetryRule(72 * HOUR, 3),
    # A refusal rests the number a week; a second one rests it for good.
    Outcome.REFUSED: RetryRule(7 * 24 * HOUR, 1, RecordStatus.REFUSED),
    Outcome.FAILED: RetryRule(30 * 60.0, 3),
    # Reached but not finished, when the agent's disposition says so (`call_again`).
    Outcome.CONNECTED: RetryRule(24 * HOUR, 2),
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    rules: Mapping[Outcome, RetryRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    max_attempts: int = 8  # all outcomes together

    @classmethod
    def from_settings(cls, data: Mapping[str, Any]) -> RetryPolicy:
        """A campaign's stored retry settings: `{"max_attempts": 6, "busy": {"interval_s":
        300, "max_attempts": 3}, …}` over the defaults; a bad value names its field."""
        rules = dict(DEFAULT_RULES)
        for key, value in data.items():
            if key == "max_attempts":
                continue
            try:
                outcome = Outcome(key)
            except ValueError:
                raise DialerError(f"{key!r} is not an outcome", field=f"retry.{key}") from None
            if outcome not in rules:
                raise DialerError(f"{key!r} is never retried", field=f"retry.{key}")
            base = rules[outcome]
            if not isinstance(value, Mapping):
                raise DialerError("a retry rule is a mapping", field=f"retry.{key}", value=value)
            interval = _number(value.get("interval_s", base.interval_s), f"retry.{key}.interval_s")
            most = _number(
                value.get("max_attempts", base.max_attempts), f"retry.{key}.max_attempts"
            )
            if interval < 60:
                raise DialerError(
                    "a retry waits at least a minute",
                    field=f"retry.{key}.interval_s",
                    value=interval,
                )
            if most < 0 or most != int(most):
                raise DialerError(
                    "attempts are a whole number ≥ 0", field=f"retry.{key}.max_attempts", value=most
                )
            rules[outcome] = RetryRule(interval, int(most), base.final)
        total = _number(data.get("max_attempts", 8), "retry.max_attempts")
        if total < 1 or total != int(total):
            raise DialerError(
                "attempts are a whole number ≥ 1", field="retry.max_attempts", value=total
            )
        return cls(rules, int(total))

    def apply(
        self, record: CallRecord, outcome: Outcome, now: float, *, cause: int | None = None
    ) -> None:
        """Count the attempt and move the record to its next status and time."""
        record.attempts += 1
        record.last_outcome = str(outcome)
        record.last_cause = cause
        seen = record.outcomes.get(str(outcome), 0) + 1
        record.outcomes[str(outcome)] = seen
        record.agent_id = None
        if outcome is Outcome.CONNECTED:
            record.status = RecordStatus.DONE
            return
        if outcome is Outcome.INVALID:
            record.status = RecordStatus.INVALID
            return
        rule = self.rules[outcome]
        if seen > rule.max_attempts:
            record.status = rule.final
            return
        if record.attempts >= self.max_attempts:
            record.status = RecordStatus.EXHAUSTED
            return
        record.status = RecordStatus.RETRY
        record.next_at = now + rule.interval_s

    def call_again(self, record: CallRecord, now: float) -> None:
        """A connected call the agent wants dialed again (its attempt already counted by
        `apply`): after the `connected` rule's interval, until that rule's or the campaign's
        maximum of attempts."""
        rule = self.rules[Outcome.CONNECTED]
        record.agent_id = None
        if record.outcomes.get(str(Outcome.CONNECTED), 0) > rule.max_attempts:
            record.status = rule.final
        elif record.attempts >= self.max_attempts:
            record.status = RecordStatus.EXHAUSTED
        else:
            record.status = RecordStatus.RETRY
            record.next_at = now + rule.interval_s


def not_placed(record: CallRecord, was: RecordStatus, now: float) -> None:
    """The call never left (the tenant's outbound cap was full when it reached the policy):
    not an attempt and not the number's fault, so the record is due again at once, as it was
    before the dial (a callback stays kept for its agent)."""
    record.status = was
    record.next_at = now


def schedule_callback(
    record: CallRecord, at: float, now: float, *, agent_id: str | None = None
) -> None:
    """The callee asked to be called at `at`, by `agent_id` (None: by anyone)."""
    if at <= now:
        raise DialerError("a callback is set in the future", field="callback_at", value=at)
    if at > now + 180 * 86_400:
        raise DialerError("a callback is set within 180 days", field="callback_at", value=at)
    record.status = RecordStatus.CALLBACK
    record.next_at = at
    record.agent_id = agent_id


def local_callback_at(text: str, zone: str) -> float:
    """A callback's date and time as a date-time field gives it (`2026-12-31T14:30`), read in
    the center's `zone`, as epoch seconds. A time that a clock change skips or repeats reads
    as the earlier one."""
    try:
        local = datetime.fromisoformat(text) if "T" in text else None
    except ValueError:
        local = None
    if local is None or local.tzinfo is not None:
        raise DialerError("a callback needs a date and a time", field="callback_local", value=text)
    return local.replace(tzinfo=ZoneInfo(zone)).timestamp()


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DialerError("must be a number", field=field, value=value)
    return float(value)
