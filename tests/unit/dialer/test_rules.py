"""The dialer's pure rules: outcome classification, retries, callbacks, hygiene, calling windows
in the callee's zone (with a FakeClock), record selection and the caller-id pool."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotline.clock import FakeClock
from hotline.dialer.callerids import AlertKind, CallerIdPool
from hotline.dialer.errors import CampaignStateError, DialerError, InvalidCampaign, InvalidNumber
from hotline.dialer.hygiene import DoNotCall, dialable_number, screen
from hotline.dialer.model import (
    CallRecord,
    Campaign,
    CampaignList,
    CampaignStatus,
    DialMode,
    ListOrder,
    RecordStatus,
    campaign_transition,
)
from hotline.dialer.outcomes import (
    DialEnd,
    Outcome,
    RetryPolicy,
    classify,
    local_callback_at,
    schedule_callback,
)
from hotline.dialer.selection import due_records
from hotline.dialer.windows import CallingWindow, zones_of
from hotline.hours import DayKind, DayRule

H = 3600.0


def at(zone: str, *parts: int) -> float:
    year, month, day, hour, minute, *second = parts
    local = datetime(year, month, day, hour, minute, second[0] if second else 0)
    return local.replace(tzinfo=ZoneInfo(zone)).timestamp()


def record(
    phone: str = "+8613812345678", *, id: str | None = None, list_id: str = "l1", **kw: Any
) -> CallRecord:
    return CallRecord(id=id or phone, campaign_id="c", list_id=list_id, phone=phone, **kw)


# -- outcomes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "outcome"),
    [
        (DialEnd(404), Outcome.INVALID),
        (DialEnd(410), Outcome.INVALID),
        (DialEnd(484), Outcome.INVALID),
        (DialEnd(604), Outcome.INVALID),
        (DialEnd(480, cause=1), Outcome.INVALID),  # unallocated number, said as a cause
        (DialEnd(486), Outcome.BUSY),
        (DialEnd(600), Outcome.BUSY),
        (DialEnd(503, cause=17), Outcome.BUSY),
        (DialEnd(603), Outcome.REFUSED),
        (DialEnd(487), Outcome.NO_ANSWER),  # our CANCEL when it rang out
        (DialEnd(480), Outcome.NO_ANSWER),
        (DialEnd(408), Outcome.NO_ANSWER),
        (DialEnd(403), Outcome.FAILED),
        (DialEnd(503), Outcome.FAILED),
        (DialEnd(200, talk_s=2.0, callee_hung_up=True), Outcome.REFUSED),
        (DialEnd(200, talk_s=2.0, callee_hung_up=False), Outcome.CONNECTED),
        (DialEnd(200, talk_s=95.0, callee_hung_up=True), Outcome.CONNECTED),
        (DialEnd(200, machine=True, talk_s=30.0), Outcome.MACHINE),
        (DialEnd(200, abandoned=True, talk_s=9.0, callee_hung_up=True), Outcome.ABANDONED),
    ],
)
def test_the_final_response_and_cause_classify_the_dial(end: DialEnd, outcome: Outcome) -> None:
    assert classify(end) is outcome


def test_dead_numbers_leave_and_busy_comes_back_after_its_interval() -> None:
    policy = RetryPolicy()
    dead = record()
    policy.apply(dead, Outcome.INVALID, 1000.0, cause=None)
    assert dead.status is RecordStatus.INVALID
    assert not dead.dialable
    busy = record()
    policy.apply(busy, Outcome.BUSY, 1000.0)
    assert busy.status is RecordStatus.RETRY
    assert busy.next_at == 1000.0 + 600
    assert busy.attempts == 1
    assert busy.outcomes == {"busy": 1}


def test_each_outcome_has_its_own_maximum_and_the_campaign_one_overall() -> None:
    policy = RetryPolicy.from_settings({"busy": {"interval_s": 300, "max_attempts": 2},
                                        "max_attempts": 4})  # fmt: skip
    r = record()
    for n in range(2):
        policy.apply(r, Outcome.BUSY, n * 1000.0)
        assert r.status is RecordStatus.RETRY
        assert r.next_at == n * 1000.0 + 300
    policy.apply(r, Outcome.BUSY, 5000.0)
    assert r.status is RecordStatus.EXHAUSTED
    r = record()
    for outcome in (Outcome.BUSY, Outcome.NO_ANSWER, Outcome.MACHINE):
        policy.apply(r, outcome, 0.0)
        assert r.status is RecordStatus.RETRY
    policy.apply(r, Outcome.FAILED, 0.0)
    assert r.status is RecordStatus.EXHAUSTED
    assert r.attempts == 4


def test_a_refusal_rests_the_number_and_a_second_ends_it() -> None:
    policy = RetryPolicy()
    r = record()
    policy.apply(r, Outcome.REFUSED, 0.0)
    assert r.status is RecordStatus.RETRY
    assert r.next_at == 7 * 24 * H
    policy.apply(r, Outcome.REFUSED, r.next_at)
    assert r.status is RecordStatus.REFUSED  # type: ignore[comparison-overlap]
    assert r.outcomes["refused"] == 2


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"bogus": {}}, "retry.bogus"),
        ({"invalid": {"interval_s": 600}}, "retry.invalid"),
        ({"busy": {"interval_s": 5}}, "retry.busy.interval_s"),
        ({"busy": {"max_attempts": 1.5}}, "retry.busy.max_attempts"),
        ({"busy": {"interval_s": "soon"}}, "retry.busy.interval_s"),
        ({"max_attempts": 0}, "retry.max_attempts"),
    ],
)
def test_bad_retry_settings_name_their_field(settings: dict[str, object], field: str) -> None:
    with pytest.raises(DialerError) as caught:
        RetryPolicy.from_settings(settings)
    assert caught.value.details["field"] == field


def test_a_callback_is_kept_for_its_agent_and_must_be_ahead() -> None:
    r = record()
    schedule_callback(r, 5000.0, 1000.0, agent_id="a1")
    assert (r.status, r.next_at, r.agent_id) == (RecordStatus.CALLBACK, 5000.0, "a1")
    with pytest.raises(DialerError):
        schedule_callback(r, 999.0, 1000.0)


def test_a_callback_time_from_the_desk_is_read_in_the_centers_zone() -> None:
    at = local_callback_at("2026-12-31T14:30", "Asia/Shanghai")
    assert at == datetime(2026, 12, 31, 6, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    # the same wall time in New York is 13 hours later
    assert local_callback_at("2026-12-31T14:30", "America/New_York") - at == 13 * 3600
    # seconds, as some browsers send them, are fine
    assert local_callback_at("2026-12-31T14:30:00", "Asia/Shanghai") == at


@pytest.mark.parametrize(
    "text", ["2026-12-31", "tomorrow", "2026-13-01T10:00", "2026-12-31T14:30+08:00", ""]
)
def test_a_callback_time_without_a_date_and_time_names_its_field(text: str) -> None:
    with pytest.raises(DialerError) as caught:
        local_callback_at(text, "Asia/Shanghai")
    assert caught.value.details["field"] == "callback_local"


# -- campaign -------------------------------------------------------------------------------


def test_campaign_status_moves_by_its_table() -> None:
    assert campaign_transition(CampaignStatus.DRAFT, "start") is CampaignStatus.RUNNING
    assert campaign_transition(CampaignStatus.RUNNING, "pause") is CampaignStatus.PAUSED
    with pytest.raises(CampaignStateError):
        campaign_transition(CampaignStatus.FINISHED, "start")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": " "}, "name"),
        ({"abandon_cap": 0.05}, "abandon_cap"),
        ({"abandon_window_s": 60.0}, "abandon_window_s"),
        ({"queue_id": None}, "queue_id"),
        ({"mode": DialMode.AGENTLESS}, "flow_id"),
        ({"ring_timeout_s": 300.0}, "ring_timeout_s"),
    ],
)
def test_a_bad_campaign_names_its_field(kw: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"id": "c", "tenant_id": "t", "name": "Renewals",
                               "mode": DialMode.PREDICTIVE, "queue_id": "q"}  # fmt: skip
    with pytest.raises(InvalidCampaign) as caught:
        Campaign(**{**base, **kw})  # type: ignore[arg-type]
    assert caught.value.details["field"] == field


# -- hygiene -------------------------------------------------------------------------------


def test_numbers_must_be_e164() -> None:
    assert dialable_number(" +86 138 1234 5678 ") == "+8613812345678"
    for bad in ("13812345678", "+86123", "call me"):
        with pytest.raises(InvalidNumber):
            dialable_number(bad)


def test_dnc_and_duplicates_are_kept_out_first_list_wins() -> None:
    dnc = DoNotCall.of(tenant=["+8613800000001"], campaign=["+8613800000002"])
    records = [
        record("+8613800000001", id="a"),
        record("+8613800000002", id="b"),
        record("+8613800000003", id="c"),
        record("+8613800000003", id="d", list_id="l2"),
        record("+8613800000004", id="e"),
    ]
    out = screen(records, dnc, already=["+8613800000004"])
    assert [r.id for r in out.kept] == ["c"]
    assert [r.id for r in out.dnc] == ["a", "b"]
    assert [r.id for r in out.duplicates] == ["d", "e"]
    assert records[0].status is RecordStatus.DNC
    assert records[3].status is RecordStatus.DUPLICATE


# -- calling windows -----------------------------------------------------------------------

WINDOW = {"mon-fri": ["09:00-20:00"], "sat": ["10:00-16:00"]}


def test_the_zone_comes_from_the_number_unless_the_record_says() -> None:
    assert zones_of(record("+12125551234"), "Asia/Shanghai") == ("America/New_York",)
    assert zones_of(record("+8613812345678"), "UTC") == ("Asia/Shanghai",)
    assert zones_of(record("+12125551234", time_zone="Europe/Berlin"), "UTC") == ("Europe/Berlin",)


def test_a_number_in_another_zone_is_not_dialed_outside_its_window() -> None:
    window = CallingWindow(WINDOW, default_zone="Asia/Shanghai")
    new_york, shanghai = record("+12125551234"), record("+8613812345678")
    # Tuesday 10:00 in Shanghai is Monday 21:00 in New York: too late there.
    clock = FakeClock(at("Asia/Shanghai", 2026, 12, 8, 10, 0))
    assert window.is_open(shanghai, clock.now())
    assert not window.is_open(new_york, clock.now())
    assert due_records([new_york, shanghai], [CampaignList("l1", 0)], window, clock.now(), 5) == [
        shanghai
    ]
    opens = window.next_open(new_york, clock.now())
    assert opens == at("America/New_York", 2026, 12, 8, 9, 0)
    clock.set(opens)
    assert due_records([new_york, shanghai], [CampaignList("l1", 0)], window, clock.now(), 5) == [
        new_york
    ]  # 22:00 in Shanghai: its window closed meanwhile


def test_holidays_from_the_hours_calendar_close_the_window() -> None:
    holiday = {datetime(2026, 10, 1).date(): DayRule(DayKind.HOLIDAY, (), "国庆节")}
    window = CallingWindow(WINDOW, default_zone="Asia/Shanghai", days=holiday)
    r = record()
    assert not window.is_open(r, at("Asia/Shanghai", 2026, 10, 1, 11, 0))
    assert window.is_open(r, at("Asia/Shanghai", 2026, 10, 2, 11, 0))


def test_a_bad_window_or_zone_names_its_field() -> None:
    with pytest.raises(DialerError) as caught:
        CallingWindow({"mon": ["25:00-26:00"]}, default_zone="UTC")
    assert str(caught.value.details["field"]).startswith("window.")
    window = CallingWindow(WINDOW, default_zone="UTC")
    with pytest.raises(DialerError) as caught:
        window.is_open(record(time_zone="Mars/Olympus"), 0.0)
    assert caught.value.details["field"] == "time_zone"


# -- selection -----------------------------------------------------------------------------


def test_lists_in_their_order_callbacks_first_retries_when_due() -> None:
    window = CallingWindow({}, default_zone="UTC")
    lists = [CampaignList("low", 1, ListOrder.PRIORITY), CampaignList("high", 0)]
    rs = [
        record("+8613800000001", id="p1", list_id="low", priority=1),
        record("+8613800000002", id="p9", list_id="low", priority=9),
        record("+8613800000003", id="h1", list_id="high"),
        record("+8613800000004", id="h2", list_id="high", status=RecordStatus.RETRY, next_at=50.0),
        record("+8613800000005", id="cb", list_id="low", status=RecordStatus.CALLBACK,
               next_at=10.0, agent_id="a1"),
        record("+8613800000006", id="x", list_id="gone"),
        record("+8613800000007", id="dead", list_id="high", status=RecordStatus.INVALID),
    ]  # fmt: skip
    ids = [r.id for r in due_records(rs, lists, window, 20.0, 10)]
    assert ids == ["h1", "p9", "p1"]  # the callback is kept for a1, h2 is not due
    ids = [r.id for r in due_records(rs, lists, window, 60.0, 3, agent_id="a1")]
    assert ids == ["cb", "h1", "h2"]


def test_a_random_list_is_shuffled_the_same_way_every_time() -> None:
    window = CallingWindow({}, default_zone="UTC")
    rs = [record(f"+86138000000{n:02d}", id=f"r{n}") for n in range(20)]
    lists = [CampaignList("l1", 0, ListOrder.RANDOM)]
    first = [r.id for r in due_records(rs, lists, window, 0.0, 20)]
    assert first != [r.id for r in rs]
    assert first == [r.id for r in due_records(list(reversed(rs)), lists, window, 0.0, 20)]


# -- caller ids ----------------------------------------------------------------------------


def test_caller_ids_rotate_least_used_and_stop_at_the_daily_cap() -> None:
    clock = FakeClock(at("Asia/Shanghai", 2026, 12, 8, 9, 0))
    pool = CallerIdPool(["+861010000001", "+861010000002"], daily_cap=2, zone="Asia/Shanghai")
    picks = [pool.pick(clock.now()) for _ in range(5)]
    assert picks == ["+861010000001", "+861010000002", "+861010000001", "+861010000002", None]
    clock.set(at("Asia/Shanghai", 2026, 12, 9, 0, 0, 1))  # a new day in the tenant's zone
    assert pool.pick(clock.now()) == "+861010000001"
    assert pool.used_today("+861010000001", clock.now()) == 1


def test_a_high_short_call_or_refusal_ratio_raises_an_alert() -> None:
    pool = CallerIdPool(["+861010000001", "+861010000002"], daily_cap=0, zone="UTC", min_calls=10)
    for n in range(10):
        pool.record("+861010000001", Outcome.REFUSED if n < 3 else Outcome.CONNECTED, talk_s=60)
        pool.record("+861010000002", Outcome.CONNECTED, talk_s=2.0 if n < 5 else 60)
    pool.record("+861010000002", Outcome.FAILED, status=403)
    alerts = {(a.caller_id, a.kind) for a in pool.alerts()}
    assert alerts == {("+861010000001", AlertKind.REFUSALS),
                      ("+861010000002", AlertKind.SHORT_CALLS)}  # fmt: skip
    assert pool.stats["+861010000002"].rejections == {403: 1}
    with pytest.raises(DialerError):
        CallerIdPool([], daily_cap=1, zone="UTC")
