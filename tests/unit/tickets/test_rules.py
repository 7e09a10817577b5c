"""The ticket's pure rules: the status table and its reopen window, assignment within a
department, numbers a caller can say, and the SLA clock on a calendar with a lunch break."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.hours import calendar_from_record
from hotline.tickets.assignment import choose_assignee
from hotline.tickets.errors import IllegalTicketTransition, ReopenExpired
from hotline.tickets.model import Assignment, Priority, Ticket, TicketStatus
from hotline.tickets.numbers import counter_name, daily_number, digits_for_speech, grouped
from hotline.tickets.sla import (
    EscalationLevel,
    SlaPolicy,
    Target,
    choose_policy,
    deadline,
    due_steps,
    elapsed,
    meet,
    next_due_at,
    pause,
    resume,
    start,
)
from hotline.tickets.workflow import TRANSITIONS, Move, check_move

S = TicketStatus
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


def ticket(status: TicketStatus, resolved_at: float | None = None) -> Ticket:
    return Ticket(
        id="T", tenant_id="t", number=10001, subject="s", description="", department="d",
        status=status, priority=Priority.NORMAL, category=None, customer_id=None,
        interaction_id=None, assignee_id=None, created_by=None, due_date=None,
        first_response_at=None, resolved_at=resolved_at, closed_at=None, merged_into=None,
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


def test_the_status_table() -> None:
    assert check_move(ticket(S.OPEN), S.PENDING, now=0, reopen_days=7) is Move.PAUSE
    assert (S.CLOSED, S.PENDING) not in TRANSITIONS
    with pytest.raises(IllegalTicketTransition):
        check_move(ticket(S.CLOSED), S.PENDING, now=0, reopen_days=7)
    resolved = ticket(S.RESOLVED, resolved_at=0.0)
    assert check_move(resolved, S.OPEN, now=7 * 86400, reopen_days=7) is Move.REOPEN
    with pytest.raises(ReopenExpired):
        check_move(resolved, S.OPEN, now=7 * 86400 + 1, reopen_days=7)
    with pytest.raises(ReopenExpired):
        check_move(resolved, S.OPEN, now=1, reopen_days=0)


def test_round_robin_and_least_open() -> None:
    members = ["a", "b", "c"]
    assert choose_assignee(Assignment.MANUAL, members, last_assigned=None) is None
    assert choose_assignee(Assignment.ROUND_ROBIN, members, last_assigned=None) == "a"
    assert choose_assignee(Assignment.ROUND_ROBIN, members, last_assigned="c") == "a"
    assert choose_assignee(Assignment.ROUND_ROBIN, members, last_assigned="a") == "b"
    counts = {"a": 3, "b": 1, "c": 1}
    # Fewest open tickets; a tie goes to the member after the last one assigned.
    assert choose_assignee(Assignment.LEAST_OPEN, members, last_assigned="b",
                           open_counts=counts) == "c"  # fmt: skip
    assert choose_assignee(Assignment.LEAST_OPEN, members, last_assigned="c",
                           open_counts=counts) == "b"  # fmt: skip
    assert choose_assignee(Assignment.LEAST_OPEN, [], last_assigned=None) is None


def test_numbers_are_easy_to_say() -> None:
    assert grouped(20315) == "20 315"
    assert grouped(2612060001) == "261206 0001"
    assert digits_for_speech(20315, "zh-CN") == "二 零 三 一 五"
    assert digits_for_speech("20 315", "en") == "two zero three one five"
    counter, first = counter_name("daily", at("2026-12-06T23:30:00"), "Asia/Shanghai")
    assert (counter, first) == ("ticket:261206", 0)
    assert daily_number(counter, 1) == 2612060001
    assert counter_name("sequence", 0, "UTC") == ("ticket", 10000)


CAL = calendar_from_record(
    {"name": "c", "timezone": "Asia/Shanghai",
     "weekly": {"mon-fri": ["09:00-12:00", "13:00-18:00"]},
     "holidays": [{"date": "2026-10-01..2026-10-07", "name": "国庆节"}]}
)  # fmt: skip
POLICY = SlaPolicy(
    id="P", name="p", position=0, resolution_s=8 * 3600, calendar="c", remind_percent=80,
    escalation=(EscalationLevel("lead"), EscalationLevel("manager", 3 * 3600, reassign=True)),
)  # fmt: skip


def test_the_policy_is_chosen_by_priority_category_and_vip() -> None:
    vip = replace(POLICY, id="vip", position=0, min_vip_level=2)
    complaints = replace(POLICY, id="c", position=1, categories=frozenset({"complaint"}))
    urgent = replace(POLICY, id="u", position=2, priorities=frozenset({"urgent"}))
    rest = replace(POLICY, id="r", position=3)
    policies = [rest, urgent, complaints, vip]

    def pick(priority: str, path: list[str], level: int) -> str | None:
        chosen = choose_policy(policies, priority=priority, categories=path, vip_level=level)
        return chosen.id if chosen else None

    assert pick("normal", [], 3) == "vip"
    assert pick("urgent", ["return", "complaint"], 0) == "c"  # a sub-category matches
    assert pick("urgent", [], 0) == "u"
    assert pick("low", [], 1) == "r"
    assert choose_policy([replace(rest, active=False)], priority="low", categories=[],
                         vip_level=0) is None  # fmt: skip


def test_the_clock_counts_business_time_and_pauses() -> None:
    clock = start("T", Target.RESOLUTION, POLICY, at("2026-09-30T09:00:00"))
    assert clock is not None
    assert deadline(clock, CAL) == at("2026-09-30T18:00:00")  # 3 h + lunch + 5 h
    clock = pause(clock, CAL, at("2026-09-30T10:00:00"))
    assert (clock.consumed_s, clock.running_since) == (3600, None)
    assert next_due_at(clock, POLICY, CAL, at("2026-09-30T10:30:00")) is None
    clock = resume(clock, at("2026-09-30T11:00:00"))
    assert elapsed(clock, CAL, at("2026-09-30T13:30:00")) == 2.5 * 3600  # lunch not counted
    assert next_due_at(clock, POLICY, CAL, 0) == at("2026-09-30T17:24:00")  # 80 %
    steps, clock = due_steps(clock, POLICY, CAL, at("2026-09-30T17:24:00"))
    assert [s.kind for s in steps] == ["remind"]
    assert next_due_at(clock, POLICY, CAL, 0) == at("2026-10-08T10:00:00")
    steps, clock = due_steps(clock, POLICY, CAL, at("2026-10-08T10:00:00"))
    assert [(s.kind, s.level) for s in steps] == [("breach", 0), ("escalate", 1)]
    assert next_due_at(clock, POLICY, CAL, 0) == at("2026-10-08T14:00:00")  # +3 h, lunch
    steps, clock = due_steps(clock, POLICY, CAL, at("2026-10-08T14:00:00"))
    assert [(s.kind, s.level) for s in steps] == [("escalate", 2)]
    assert next_due_at(clock, POLICY, CAL, 0) is None
    met = meet(clock, CAL, at("2026-10-08T15:00:00"))
    assert met.met_at is not None
    assert due_steps(met, POLICY, CAL, at("2026-10-09T09:00:00"))[0] == []


def test_every_status_has_words_for_callers_in_both_languages() -> None:
    from hotline.tickets.model import TicketStatus
    from hotline.tickets.speech import spoken_status

    for status in TicketStatus:
        assert spoken_status(status, "zh-CN")
        assert spoken_status(status, "en")
    assert spoken_status(TicketStatus.PENDING, "zh-CN") == "等待您的回复"
    assert spoken_status(TicketStatus.PENDING, "en") == "waiting for your reply"
