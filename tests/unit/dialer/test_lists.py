"""The `call_lists` import target on an in-memory store: its fields, identity by list and
number, duplicate folding by the rule, the zone check, and plans against stored entries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from hotline.dialer.lists import CallListTarget, entry_key
from hotline.imports.customers import CustomFieldDef
from hotline.imports.model import Outcome, Record, Rule


class InMemoryLists:
    def __init__(self, stored: Sequence[Record] = ()) -> None:
        self.entries = {entry_key(r): dict(r) for r in stored}

    async def lock(self) -> None:
        return None

    async def find(self, keys: Sequence[str]) -> dict[str, Record]:
        return {k: dict(self.entries[k]) for k in keys if k in self.entries}

    async def add(self, records: Sequence[Record]) -> None:
        self.entries.update({entry_key(r): dict(r) for r in records})

    async def replace(self, records: Sequence[Record]) -> None:
        await self.add(records)

    async def scan(self, batch_size: int) -> AsyncIterator[list[Record]]:
        yield list(self.entries.values())


def test_fields_keys_and_checks() -> None:
    target = CallListTarget(InMemoryLists(), [CustomFieldDef("plan", "套餐", "Plan", "text")])
    names = [f.name for f in target.fields()]
    assert names == ["list", "phone", "name", "priority", "time_zone", "custom.plan"]
    assert target.keys({"list": "A", "phone": "+8613800138001"}) == ["A\x1f+8613800138001"]
    assert target.check({"list": "A", "phone": "+1", "time_zone": "Mars/Base"})[0].code == (
        "call_list.zone"
    )
    assert target.check({"list": "A", "phone": "+1", "time_zone": "Asia/Tokyo"}) == []
    assert set(target.reasons()) == {"call_list.zone"}


def test_duplicates_fold_by_the_rule_and_plans_meet_the_stored() -> None:
    stored = {"list": "A", "phone": "+8613800138001", "name": "王一"}
    records = InMemoryLists([stored])
    target = CallListTarget(records)
    later = {"list": "A", "phone": "+8613800138001", "name": "王二", "priority": 3}
    assert target.fold(stored, later, Rule.SKIP) == stored
    assert target.fold(stored, later, Rule.MERGE)["name"] == "王一"
    assert target.fold(stored, later, Rule.UPDATE)["name"] == "王二"

    async def plan_and_apply() -> list[Outcome]:
        batch = [later, {"list": "B", "phone": "+8613800138001"}, dict(stored)]
        planned = await target.plan(batch, Rule.MERGE)
        await target.apply(planned)
        return [p.outcome for p in planned]

    outcomes = asyncio.run(plan_and_apply())
    assert outcomes == [Outcome.MERGED, Outcome.NEW, Outcome.UNCHANGED]
    assert records.entries["A\x1f+8613800138001"] == {**stored, "priority": 3}
    assert "B\x1f+8613800138001" in records.entries
