"""The golden day's figures, computed by hand from golden_day.SCRIPT (issue 16 acceptance).

Support: 40 offered (20 answered + 7 abandoned + 2 transferred on + 2 voicemails + 6 repeat
callers + 2 VIP + 1 at midnight), 31 answered, 3 short and 4 long abandons. Within 20 s:
14 of group A + 2 transfers + 6 repeats + 2 VIP + 1 midnight = 25; SL = 25 / (31 + 4).
Waits of the answered: 10×10 + 4×20 + 6×30 + 2×5 + 6×10 + 10 + 18 + 10 = 468 s over 31.
Talk: 20×60 + 2×30 + 6×60 + 2×60 + 60 = 1800 s; after-call work 30×10 + 130 = 430 s.
Sales: 2 transfers in (wait 10), the callback (60 s from first entry), 2 sales (6 s).
FCR: 34 answered contacts; not resolved: 2 transferred, 3 + 1 followed by a repeat contact,
less the transfer and the repeated contact their agents marked resolved (the first answered
call's "not resolved" changes nothing: it was neither transferred nor repeated).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.analytics.reports.measures import M
from hotline.analytics.reports.metrics import add_totals, figures
from hotline.analytics.reports.rollup import Deltas, Rollup
from hotline.events import DomainEvent, EventRecord
from tests.unit.reports.golden_day import golden_day

ZONE = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2026, 11, 25, tzinfo=ZONE).timestamp()
THURSDAY = datetime(2026, 11, 26, tzinfo=ZONE).timestamp()

_EVENTS: list[DomainEvent] = []


async def golden_events(tmp: Path) -> list[EventRecord]:
    """The day's records (played once per test run), numbered as the log numbers them."""
    if not _EVENTS:
        _EVENTS.extend(await golden_day(tmp))
    return [
        EventRecord(e.tenant_id, n, e.at, e.type, e.interaction_id, e.leg_id, e.agent_id,
                    e.payload(), e.schema_version)
        for n, e in enumerate(_EVENTS, start=1)
    ]  # fmt: skip


def totals(deltas: Deltas, dim: str, key: str, start: float, end: float) -> Sequence[int]:
    out = [0] * len(M)
    for (iv, d, k), row in deltas.facts.items():
        if d == dim and k == key and start <= iv < end:
            add_totals(out, row)
    return out


def day(deltas: Deltas, dim: str, key: str) -> dict[str, float | int | None]:
    return figures(totals(deltas, dim, key, WEDNESDAY, THURSDAY))


async def rolled_up(tmp: Path) -> Deltas:
    rollup, deltas = Rollup(), Deltas()
    for record in await golden_events(tmp):
        rollup.apply(record, deltas)
    return deltas


@pytest.fixture
async def deltas(tmp_path: Path) -> Deltas:
    return await rolled_up(tmp_path)


def test_queue_figures_are_the_hand_computed_ones(deltas: Deltas) -> None:
    support = day(deltas, "queue", "support")
    assert {k: support[k] for k in (
        "offered", "answered", "abandoned", "short_abandoned", "answer_rate", "abandon_rate",
        "service_level", "asa_s", "longest_wait_s", "handled", "talk_s", "acw_s", "aht_s",
        "transfers", "transfer_rate", "csat", "csat_average", "csat_answers", "fcr",
        "fcr_contacts", "dispositioned",
    )} == {
        "offered": 40, "answered": 31, "abandoned": 7, "short_abandoned": 3,
        "answer_rate": round(31 / 37, 4), "abandon_rate": round(4 / 37, 4),
        "service_level": round(25 / 35, 4), "asa_s": round(468 / 31, 1), "longest_wait_s": 40.0,
        "handled": 31, "talk_s": round(1800 / 31, 1), "acw_s": round(430 / 31, 1),
        "aht_s": round(2230 / 31, 1), "transfers": 2, "transfer_rate": round(2 / 31, 4),
        "csat": round(20 / 24, 4), "csat_average": round(102 / 24, 2), "csat_answers": 24,
        "fcr": round(27 / 31, 4), "fcr_contacts": 31, "dispositioned": 21,
    }  # fmt: skip
    sales = day(deltas, "queue", "sales")
    assert (sales["offered"], sales["answered"], sales["service_level"], sales["asa_s"]) == (
        5, 5, 0.8, 18.4,
    )  # fmt: skip
    assert (sales["callbacks_requested"], sales["callbacks_made"]) == (1, 1)
    assert (sales["aht_s"], sales["conversion_rate"], sales["csat"]) == (62.0, 0.4, 1.0)
    assert day(deltas, "skill", "售后")["offered"] == 40  # the skill group of support


def test_center_figures_count_each_contact_once(deltas: Deltas) -> None:
    center = day(deltas, "center", "all")
    assert (center["contacts"], center["offered"], center["answered"]) == (43, 43, 34)
    assert (center["answer_rate"], center["abandon_rate"]) == (0.85, 0.1)
    assert center["service_level"] == round(27 / 38, 4)
    assert center["asa_s"] == round(540 / 34, 1)
    assert (center["voicemails"], center["handled"], center["aht_s"]) == (2, 36, 70.6)
    assert (center["fcr"], center["csat"], center["csat_average"]) == (
        round(30 / 34, 4), round(24 / 28, 4), round(122 / 28, 2),
    )  # fmt: skip
    assert day(deltas, "did", "4001")["offered"] == 43
    assert day(deltas, "channel", "voice")["answered"] == 34


def test_vip_service_level_is_at_fifteen_seconds(deltas: Deltas) -> None:
    vip = day(deltas, "vip", "3")
    assert (vip["offered"], vip["answered"], vip["service_level"], vip["asa_s"]) == (
        2, 2, 0.5, 14.0,
    )  # fmt: skip


def test_agents_and_the_wrap_up_after_midnight(deltas: Deltas) -> None:
    a1, a2 = day(deltas, "agent", "a1"), day(deltas, "agent", "a2")
    assert (a1["handled"], a1["transfers"], a1["csat_answers"]) == (31, 2, 24)
    assert (a2["handled"], a2["conversion_rate"], a2["callbacks_made"]) == (5, 0.4, 1)
    # logged in 10:00:00 → 00:01:20 the next day; its last after-call work (130 s) counts
    # with its call on Wednesday, while the time it took is split at midnight
    wednesday = totals(deltas, "agent", "a1", WEDNESDAY, THURSDAY)
    thursday = totals(deltas, "agent", "a1", THURSDAY, THURSDAY + 86_400)
    assert wednesday[M.LOGIN_MS] + thursday[M.LOGIN_MS] == 50_480_000
    assert thursday[M.LOGIN_MS] == thursday[M.WRAP_UP_MS] == 80_000
    assert thursday[M.HANDLED] == 0
    assert wednesday[M.ACW_MS] == 430_000
    # Wednesday: 1800 s talking + 350 s of after-call work over 14 h logged in
    assert a1["utilization"] == round(2_150_000 / 50_400_000, 4)


def test_top_reasons_are_the_dispositions(deltas: Deltas) -> None:
    reasons: dict[str, int] = {}
    for (_, dim, key, kind, reason), (times, _) in deltas.reasons.items():
        if (dim, key, kind) == ("center", "all", "disposition"):
            reasons[reason] = reasons.get(reason, 0) + times
    assert reasons == {"查询余额": 11, "修改套餐": 11, "开通新套餐": 2}


async def test_batches_do_not_change_the_facts(tmp_path: Path) -> None:
    """Facts merged from batches of any size are the same facts."""
    records = await golden_events(tmp_path)
    whole = await rolled_up(tmp_path)
    merged: dict[tuple[int, str, str], list[int]] = {}
    rollup = Rollup()
    for start in range(0, len(records), 7):
        part = Deltas()
        for record in records[start : start + 7]:
            rollup.apply(record, part)
        for key, row in part.facts.items():
            add_totals(merged.setdefault(key, [0] * len(M)), row)
    assert merged == whole.facts
