"""QA sampling rules (ADR 0214–0216): each rule picks what it says, the first rule that picks
a contact owns it, a contact already sampled is never picked again, the random rule is the same
on every run of a week and differs between weeks, and tasks go to the least-loaded QA user."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from hotline.quality.sampling import (
    WEEK_S,
    Candidate,
    SamplingRule,
    SamplingRules,
    assign,
    iso_week,
    previous_week,
    select,
    week_bounds,
)

WEEK = "2026-W49"
START, END = week_bounds(WEEK, "UTC")


def seg(n: int, agent: str = "a1", *, dur: float = 100.0, **kw: object) -> Candidate:
    return Candidate(
        interaction_id=f"c{n:02d}", work_id=f"w{n:02d}", agent_id=agent,
        answered_at=START + n * 60, duration_s=dur, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def rules(*items: dict[str, object]) -> SamplingRules:
    return SamplingRules.model_validate({"rules": list(items)})


def picked(found: list[object]) -> list[tuple[str, str]]:
    return [(p.candidate.interaction_id, p.rule) for p in found]  # type: ignore[attr-defined]


def run(r: SamplingRules, pool: list[Candidate], **kw: object) -> list[tuple[str, str]]:
    args: dict[str, object] = {
        "tenant_id": "t1", "week": WEEK, "week_start": START, "agent_since": {}, **kw,
    }  # fmt: skip
    return picked(select(r, pool, **args))  # type: ignore[arg-type]


def test_the_week_is_monday_to_monday_in_the_centers_zone() -> None:
    start, end = week_bounds(WEEK, "Asia/Shanghai")
    assert datetime.fromtimestamp(start, UTC).isoformat() == "2026-11-29T16:00:00+00:00"
    assert end - start == WEEK_S
    assert iso_week(datetime(2026, 12, 7).date()) == "2026-W50"
    # Monday 03:00 in Shanghai: the week before is W49
    monday = datetime(2026, 12, 6, 19, 0, tzinfo=UTC).timestamp()
    assert previous_week(monday, "Asia/Shanghai") == WEEK
    with pytest.raises(ValueError, match="week_invalid"):
        week_bounds("2026-49", "UTC")


def test_each_rule_picks_what_it_says() -> None:
    pool = [
        seg(1, csat=1, csat_scale=5),
        seg(2, csat=3, csat_scale=5),
        seg(3, csat=4, csat_scale=10),  # 4 of 10 is low like 2 of 5
        seg(4, dur=30.0),
        seg(5, dur=900.0),
        seg(6, disposition="complaint"),
        seg(7, disposition="sale"),
    ]
    assert run(rules({"key": "low", "kind": "low_rating"}), pool) == [
        ("c01", "low"),
        ("c03", "low"),
    ]
    assert run(rules({"key": "low", "kind": "low_rating", "at_most": 3}), pool) == [
        ("c01", "low"), ("c02", "low"), ("c03", "low"),
    ]  # fmt: skip
    assert run(rules({"key": "short", "kind": "shorter_than", "seconds": 60}), pool) == [
        ("c04", "short")
    ]
    assert run(rules({"key": "long", "kind": "longer_than", "seconds": 600}), pool) == [
        ("c05", "long")
    ]
    assert run(rules({"key": "d", "kind": "disposition", "dispositions": ["complaint"]}), pool) == [
        ("c06", "d")
    ]


def test_new_agents_are_sampled_whole_in_their_first_weeks() -> None:
    pool = [seg(1, "new"), seg(2, "new"), seg(3, "old")]
    r = rules({"key": "new", "kind": "new_agent", "weeks": 2})
    since = {"new": START - WEEK_S - 10, "old": START - 2 * WEEK_S}
    assert run(r, pool, agent_since=since) == [("c01", "new"), ("c02", "new")]
    # her third week: no longer new
    assert run(r, pool, agent_since={"new": START - 2 * WEEK_S}) == []


def test_the_first_rule_owns_a_contact_and_nothing_is_sampled_twice() -> None:
    pool = [seg(1, csat=1, csat_scale=5, dur=900.0), seg(2, dur=900.0)]
    r = rules(
        {"key": "low", "kind": "low_rating"}, {"key": "long", "kind": "longer_than", "seconds": 600}
    )
    assert run(r, pool) == [("c01", "low"), ("c02", "long")]
    assert run(r, pool, sampled={"c02"}) == [("c01", "low")]
    # a transferred contact: two segments, one task
    both = [seg(1, "a1", dur=900.0), Candidate("c01", "w99", "a2", START + 500, 900.0)]
    assert run(rules({"key": "long", "kind": "longer_than", "seconds": 600}), both) == [
        ("c01", "long")
    ]


def test_disabled_rules_pick_nothing() -> None:
    r = rules({"key": "long", "kind": "longer_than", "seconds": 1, "enabled": False})
    assert run(r, [seg(1)]) == []


def test_random_is_a_share_per_agent_and_the_same_on_every_run() -> None:
    pool = [seg(n, "a1") for n in range(1, 21)] + [seg(n, "a2") for n in range(21, 24)]
    r = rules({"key": "rnd", "kind": "random", "percent": 10})
    first = run(r, pool)
    assert first == run(r, list(reversed(pool)))  # deterministic, whatever the order read
    mine = [c for c, _ in first if int(c[1:]) <= 20]
    theirs = [c for c, _ in first if int(c[1:]) > 20]
    assert len(mine) == 2
    assert len(theirs) == math.ceil(3 * 0.1) == 1
    other = run(r, pool, week="2026-W50")
    assert other != first  # seeded per week
    assert run(r, pool, tenant_id="t2") != first  # and per center
    # what the other rules took is not drawn again
    low = rules(
        {"key": "low", "kind": "low_rating"}, {"key": "rnd", "kind": "random", "percent": 10}
    )
    taken = [seg(1, "a1", csat=1, csat_scale=5)] + [seg(n, "a1") for n in range(2, 11)]
    out = run(low, taken)
    assert out[0] == ("c01", "low")
    assert len([1 for _, rule in out if rule == "rnd"]) == 1


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ({"key": "r", "kind": "random"}, "percent_required"),
        ({"key": "r", "kind": "random", "percent": 0}, "greater than 0"),
        ({"key": "r", "kind": "longer_than"}, "seconds_required"),
        ({"key": "r", "kind": "disposition"}, "dispositions_required"),
        ({"key": "r", "kind": "new_agent"}, "weeks_required"),
        ({"key": "R!", "kind": "low_rating"}, "pattern"),
        ({"key": "r", "kind": "sometimes"}, "kind"),
    ],
)
def test_bad_rules_are_refused(rule: dict[str, object], why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        SamplingRule.model_validate(rule)


def test_rule_keys_are_unique() -> None:
    with pytest.raises(ValidationError, match="keys_duplicate"):
        rules({"key": "a", "kind": "low_rating"}, {"key": "a", "kind": "low_rating"})


def test_tasks_go_to_the_least_loaded_qa_user_never_to_the_agent_herself() -> None:
    r = rules({"key": "long", "kind": "longer_than", "seconds": 1})
    found = select(
        r, [seg(n, "a1" if n < 4 else "a2") for n in range(1, 6)],
        tenant_id="t1", week=WEEK, week_start=START, agent_since={},
    )  # fmt: skip
    out = assign(found, ["qa1", "qa2"], {"qa1": 2}, {"qa2": "a2"})
    assert [(p.candidate.interaction_id, who) for p, who in out] == [
        ("c01", "qa2"), ("c02", "qa2"), ("c03", "qa1"),  # qa2 catches up, then ties go by id
        ("c04", "qa1"), ("c05", "qa1"),  # a2's contacts: qa2 is a2 herself
    ]  # fmt: skip
    assert [who for _, who in assign(found, [], {})] == [None] * 5


def test_a_rerun_of_the_week_adds_nothing() -> None:
    pool = [seg(n, "a1", csat=1 if n == 3 else None, csat_scale=5) for n in range(1, 21)]
    r = rules({"key": "low", "kind": "low_rating"}, {"key": "rnd", "kind": "random", "percent": 20})
    first = run(r, pool)
    assert len(first) == 1 + 4
    assert run(r, pool, sampled={c for c, _ in first}) == []
