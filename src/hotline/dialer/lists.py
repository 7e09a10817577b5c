"""Call lists as an import target (`call_lists`): each row names its list (created on first
use) and a number; the import's cleaning makes numbers E.164 and its duplicate rules fold rows
of one list with the same number. Custom fields are the tenant's customer fields, so a
script's answers and an imported column are the same field. Storage is behind
`CallListRecords`, one small port (the SQL adapter is `hotline.store.dialer_repo`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.imports.customers import CustomFieldDef, custom_field_spec
from hotline.imports.model import FieldSpec, FieldType, Outcome, Record, Rule
from hotline.imports.target import Planned, RecordProblem, combine

__all__ = ["LIST_FIELDS", "CallListRecords", "CallListTarget", "entry_key"]

LIST_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "list",
        FieldType.TEXT,
        "名单",
        "List",
        aliases=("名单名称", "外呼名单", "list name", "call list", "campaign list"),
        required=True,
        max_length=100,
    ),
    FieldSpec(
        "phone",
        FieldType.PHONE,
        "电话",
        "Phone",
        aliases=(
            "手机",
            "手机号",
            "手机号码",
            "电话号码",
            "联系电话",
            "号码",
            "mobile",
            "phone number",
            "number",
            "telephone",
            "tel",
        ),
        required=True,
    ),
    FieldSpec(
        "name",
        FieldType.TEXT,
        "姓名",
        "Name",
        aliases=("客户", "客户姓名", "联系人", "customer", "full name"),
        max_length=200,
    ),
    FieldSpec(
        "priority",
        FieldType.INTEGER,
        "优先级",
        "Priority",
        aliases=("priority level",),
        minimum=0,
        maximum=100,
    ),
    FieldSpec(
        "time_zone",
        FieldType.TEXT,
        "时区",
        "Time zone",
        aliases=("timezone", "tz"),
        max_length=64,
    ),
)


def entry_key(record: Mapping[str, Any]) -> str:
    return f"{record.get('list', '')}\x1f{record.get('phone', '')}"


class CallListRecords(Protocol):
    """What the target needs from storage, in the target's record shape."""

    async def lock(self) -> None: ...

    async def find(self, keys: Sequence[str]) -> dict[str, Record]:
        """`entry_key` → the stored entry with that list name and number."""
        ...

    async def add(self, records: Sequence[Record]) -> None: ...

    async def replace(self, records: Sequence[Record]) -> None: ...

    def scan(self, batch_size: int) -> AsyncIterator[list[Record]]: ...


class CallListTarget:
    name = "call_lists"

    def __init__(self, records: CallListRecords, custom: Sequence[CustomFieldDef] = ()) -> None:
        self.records = records
        self._fields = (*LIST_FIELDS, *(custom_field_spec(d) for d in custom))

    def fields(self) -> Sequence[FieldSpec]:
        return self._fields

    def reasons(self) -> Mapping[str, tuple[str, str]]:
        return {"call_list.zone": ("is not a time zone like Asia/Shanghai",
                                   "不是时区（例如 Asia/Shanghai）")}  # fmt: skip

    def check(self, record: Record) -> list[RecordProblem]:
        zone = record.get("time_zone")
        if zone:
            try:
                ZoneInfo(str(zone))
            except (ZoneInfoNotFoundError, ValueError):
                return [RecordProblem("time_zone", "call_list.zone")]
        return []

    def keys(self, record: Record) -> list[str]:
        return [entry_key(record)]

    def fold(self, kept: Record, later: Record, rule: Rule) -> Record:
        if rule is Rule.SKIP:
            return kept
        return combine(self._fields, kept, later, other_wins=rule is Rule.UPDATE)

    async def lock(self) -> None:
        await self.records.lock()

    async def plan(self, records: Sequence[Record], rule: Rule) -> list[Planned]:
        stored = await self.records.find([entry_key(r) for r in records])
        planned = []
        for record in records:
            before = stored.get(entry_key(record))
            if before is None:
                planned.append(Planned(Outcome.NEW, write=("add", record)))
                continue
            if rule is Rule.SKIP:
                planned.append(Planned(Outcome.SKIPPED))
                continue
            after = combine(self._fields, before, record, other_wins=rule is Rule.UPDATE)
            if after == before:
                planned.append(Planned(Outcome.UNCHANGED))
                continue
            stored[entry_key(record)] = after
            outcome = Outcome.UPDATED if rule is Rule.UPDATE else Outcome.MERGED
            planned.append(Planned(outcome, write=("replace", after)))
        return planned

    async def apply(self, planned: Sequence[Planned]) -> None:
        added = [p.write[1] for p in planned if p.write and p.write[0] == "add"]
        changed = {entry_key(p.write[1]): p.write[1] for p in planned
                   if p.write and p.write[0] == "replace"}  # fmt: skip
        if added:
            await self.records.add(added)
        if changed:
            await self.records.replace(list(changed.values()))

    async def export(self, batch_size: int) -> AsyncIterator[list[Record]]:
        async for batch in self.records.scan(batch_size):
            yield batch
